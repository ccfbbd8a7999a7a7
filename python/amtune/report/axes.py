"""Axes that follow a range's scaling type: coordinates to plot and the tick labels to show.

Plotly has linear, log and category axes but no reverse-logarithmic one, and its parallel
coordinates have no log axes at all, so every range is plotted in the coordinate its scaling type
makes uniform, with tick labels in the range's own values:

* ``Linear``: the value;
* ``Logarithmic``: ``log10(value)``, ticks at 1, 2 and 5 times the powers of ten;
* ``ReverseLogarithmic``: ``-log10(1 - value)``, ticks at 0, 0.9, 0.99, ...;
* categorical: the value's index, ticks at every value (its ``str``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from amtune.space import CategoricalParameter, Parameter


@dataclass(frozen=True)
class Axis:
    """How one range is drawn: ``coords(values)`` and the tick positions and labels."""

    title: str
    scale: str  # Linear, Logarithmic, ReverseLogarithmic or Categorical
    lo: float  # the range's ends in plot coordinates
    hi: float
    tickvals: list[float]
    ticktext: list[str]
    categories: tuple[Any, ...] = ()

    def coords(self, values: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Plot coordinates of range values (NaN for a value outside the range's domain)."""
        if self.scale == "Categorical":
            index = {_key(v): i for i, v in enumerate(self.categories)}
            return np.array([index.get(_key(v), math.nan) for v in values], dtype=np.float64)
        x = np.asarray(values, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.scale == "Logarithmic":
                return np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), np.nan)
            if self.scale == "ReverseLogarithmic":
                return np.where(x < 1, -np.log10(np.where(x < 1, 1.0 - x, 1.0)), np.nan)
        return x

    def plotly(self) -> dict[str, Any]:
        """Layout keys of a plotly cartesian axis drawing these coordinates."""
        pad = 0.5 if self.scale == "Categorical" else 0.03 * max(self.hi - self.lo, 1e-12)
        return {
            "title": {"text": self.title},
            "tickmode": "array",
            "tickvals": self.tickvals,
            "ticktext": self.ticktext,
            "range": [self.lo - pad, self.hi + pad],
            "zeroline": False,
        }


def _key(v: Any) -> tuple[str, Any]:
    return (type(v).__name__, v)


def fmt(v: float) -> str:
    """A short label for a number: ``0.001``, ``1e-06``, ``250``."""
    return f"{v:.4g}"


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks between ``lo`` and ``hi`` (> 0), thinned to at most about 9."""
    ticks: list[float] = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1.0, 2.0, 5.0):
            t = m * 10.0**e
            if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9):
                ticks.append(t)
    if len(ticks) > 9:
        ticks = [t for t in ticks if f"{t:e}".startswith("1")]
    if len(ticks) > 9:
        step = math.ceil(len(ticks) / 9)
        ticks = ticks[::step]
    return ticks or [lo, hi]


def _linear_ticks(lo: float, hi: float) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / 5
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 5.0, 10.0) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def axis_for(name: str, p: Parameter) -> Axis:
    """The :class:`Axis` of range ``name``."""
    if isinstance(p, CategoricalParameter):
        cats = tuple(p.values)
        return Axis(
            title=name,
            scale="Categorical",
            lo=0.0,
            hi=float(len(cats) - 1),
            tickvals=[float(i) for i in range(len(cats))],
            ticktext=[str(v) for v in cats],
            categories=cats,
        )
    q: Any = p
    lo, hi = float(q.min_value), float(q.max_value)
    scale = str(q.scale)
    if scale == "Logarithmic":
        ticks = log_ticks(lo, hi)
        return Axis(
            f"{name} (log)",
            scale,
            math.log10(lo),
            math.log10(hi),
            [math.log10(t) for t in ticks],
            [fmt(t) for t in ticks],
        )
    if scale == "ReverseLogarithmic":
        inner = [1.0 - 10.0**-k for k in range(1, 16)]
        ticks = sorted({lo, hi, *(t for t in inner if lo < t < hi)})
        return Axis(
            f"{name} (reverse log)",
            scale,
            -math.log10(1.0 - lo),
            -math.log10(1.0 - hi),
            [-math.log10(1.0 - t) for t in ticks],
            [fmt(t) for t in ticks],
        )
    ticks = _linear_ticks(lo, hi)
    return Axis(name, "Linear", lo, hi, ticks, [fmt(t) for t in ticks])

"""A built-in algorithm's tuned ranges and static hyperparameters, checked against its
hyperparameter table before any training job runs (:class:`~amtune.builtin.BuiltinTuner`, and a
tuner of ``Estimator(image_uri)`` for a built-in image)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from amtune.builtin.algorithms import Algorithm
from amtune.builtin.hyperparameters import Continuous, HyperparameterError
from amtune.space import CategoricalParameter, ContinuousParameter, Parameter


def _representative(p: Parameter) -> Any:
    if isinstance(p, CategoricalParameter):
        return p.values[0]
    return p.min_value  # type: ignore[attr-defined]


#: the smallest step inside an open end that the algorithms still see: they read their
#: hyperparameters as 32-bit floats, where 5e-324 is 0 (XGBoost: "Out of range value")
_F32 = np.finfo(np.float32)


def _inside(v: float, toward: float) -> float:
    step = max(float(_F32.tiny), abs(v) * float(_F32.eps))
    return v + step if toward > v else v - step


def inside_open_ends(ranges: Mapping[str, Parameter], table: Any) -> dict[str, Parameter]:
    """``ranges`` with each continuous range's end that sits on an open end of its
    hyperparameter's valid values moved inside by the smallest step a 32-bit float keeps
    (``0`` becomes ``1.2e-38``; the algorithms read their hyperparameters as 32-bit floats), with
    the range's resolved scale kept (``Auto`` over ``[0, 1]`` is linear, and stays linear).

    SageMaker's documentation and AWS's notebooks give ``ContinuousParameter(0, 1)`` for XGBoost's
    ``colsample_bylevel``, whose valid values are ``(0, 1]``: the range is accepted, and no
    proposal may be the excluded value itself (a training job with ``colsample_bylevel=0`` would
    fail the algorithm's check). Other ranges are returned as they are.

    >>> from amtune.builtin.hyperparameters import Interval
    >>> t = {"c": Continuous("c", Interval(0, 1, lo_open=True))}
    >>> r = inside_open_ends({"c": ContinuousParameter(0, 1)}, t)["c"]
    >>> r.min_value, r.max_value, r.scale
    (1.1754943508222875e-38, 1.0, 'Linear')
    """
    out = dict(ranges)
    for name, p in ranges.items():
        spec = table.get(name) if isinstance(table, Mapping) else table.params.get(name)
        if not (isinstance(p, ContinuousParameter) and isinstance(spec, Continuous)):
            continue
        iv = spec.interval
        lo, hi = float(p.min_value), float(p.max_value)
        if iv.lo is not None and iv.lo_open and lo == iv.lo and hi > lo:
            lo = _inside(lo, hi)
        if iv.hi is not None and iv.hi_open and hi == iv.hi and hi > lo:
            hi = _inside(hi, lo)
        if (lo, hi) != (float(p.min_value), float(p.max_value)) and lo < hi:
            moved = ContinuousParameter(lo, hi, p.scaling_type)
            if moved.scale != p.scale:  # Auto would resolve differently: keep the user's scale
                moved = ContinuousParameter(lo, hi, p.scale)
            out[name] = moved
    return out


def check_static_hyperparameters(
    algo: Algorithm,
    ranges: Mapping[str, Parameter],
    static: Mapping[str, Any],
    table: Any = None,
) -> dict[str, Parameter]:
    """Raise :class:`HyperparameterError` when a range or static hyperparameter is not one of the
    algorithm's, a static value breaks its rule, a required one is missing, or a range reaches
    outside the hyperparameter's valid values; return the ranges to tune
    (:func:`inside_open_ends`: a continuous range may end on an open end of the valid values).
    ``table``: the image version's hyperparameters (default the algorithm's)."""
    table = algo.hyperparameters if table is None else table
    for name in ranges:
        if name not in table.params:
            raise HyperparameterError(
                f"hyperparameter_ranges[{name!r}]: not a hyperparameter of {algo.name} (valid: "
                f"{', '.join(sorted(table.params))})"
            )
    ranges = inside_open_ends(ranges, table)
    table.parse({**static, **{n: _representative(p) for n, p in ranges.items()}})
    for name, p in ranges.items():
        ends = (
            list(p.values)
            if isinstance(p, CategoricalParameter)
            else [
                p.min_value,  # type: ignore[attr-defined]
                p.max_value,  # type: ignore[attr-defined]
            ]
        )
        for v in ends:
            try:
                table[name].parse(v)
            except HyperparameterError as exc:
                raise HyperparameterError(f"hyperparameter_ranges[{name!r}]: {exc}") from None
    return ranges

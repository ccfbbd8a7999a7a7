"""Optuna distributions as amtune ranges, and values between the two (used by the sampler).

Every Optuna distribution maps to one amtune range on the encoded unit interval:

=======================================  =====================================================
``FloatDistribution(low, high)``         ``ContinuousParameter(low, high, "Linear")``
``FloatDistribution(..., log=True)``     ``ContinuousParameter(low, high, "Logarithmic")``
``FloatDistribution(..., step=s)``       ``IntegerParameter(0, K)``, value ``low + k s``
``IntDistribution(low, high, step=s)``   ``IntegerParameter(0, K)``, value ``low + k s``
``IntDistribution(..., log=True)``       ``IntegerParameter(low, high, "Logarithmic")``
``CategoricalDistribution(choices)``     ``CategoricalParameter([0, ..., k - 1])`` (indices)
=======================================  =====================================================

with ``K = round((high - low) / s)``. Categoricals work on indices, so choices of any Optuna type
(``None``, bools, numbers, strings) come back as the original objects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)
from amtune.space.parameters import MAX_CATEGORICAL_VALUES, MAX_INTEGER_MAGNITUDE


def unsupported_reason(dist: BaseDistribution) -> str | None:
    """Why amtune cannot model this distribution (it is then sampled independently), or None."""
    if isinstance(dist, CategoricalDistribution):
        if len(dist.choices) > MAX_CATEGORICAL_VALUES:
            return f"more than {MAX_CATEGORICAL_VALUES} categorical choices"
        return None
    if isinstance(dist, (FloatDistribution, IntDistribution)):
        if not (math.isfinite(dist.low) and math.isfinite(dist.high)):
            return "an infinite bound"
        if isinstance(dist, IntDistribution) and max(abs(dist.low), abs(dist.high)) > (
            MAX_INTEGER_MAGNITUDE
        ):
            return "integer bounds beyond +-2**40"
        if dist.step is not None and (dist.high - dist.low) / dist.step > MAX_INTEGER_MAGNITUDE:
            return "more than 2**40 steps"
        return None
    return f"an unknown distribution type {type(dist).__name__}"


class Codec:
    """Converts between Optuna parameter values and amtune configurations for one search space.

    Parameter names become positional keys (``p0``, ``p1``, ...), so any Optuna name works.
    """

    def __init__(self, search_space: Mapping[str, BaseDistribution]) -> None:
        self.names = list(search_space)
        self.dists = [search_space[n] for n in self.names]
        self.keys = [f"p{i}" for i in range(len(self.names))]
        ranges: dict[str, Parameter] = {}
        for key, dist in zip(self.keys, self.dists, strict=True):
            ranges[key] = _to_range(dist)
        self.space = SearchSpace(ranges)

    def to_config(self, internal: Mapping[str, float]) -> dict[str, Any] | None:
        """An amtune configuration from Optuna internal representations (``to_internal_repr``),
        or None when a parameter is missing or outside its current distribution."""
        config: dict[str, Any] = {}
        for name, key, dist in zip(self.names, self.keys, self.dists, strict=True):
            if name not in internal:
                return None
            v = internal[name]
            if not _contains(dist, v):
                return None
            if isinstance(dist, CategoricalDistribution):
                config[key] = int(v)
            elif isinstance(dist, IntDistribution) and dist.log:
                config[key] = int(v)
            elif isinstance(dist, (FloatDistribution, IntDistribution)) and dist.step is not None:
                k = round((v - dist.low) / dist.step)
                config[key] = min(max(k, 0), _steps(dist))
            else:
                config[key] = float(v)
        return config

    def to_params(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """Optuna parameter values (external representation, Python types, within bounds)."""
        out: dict[str, Any] = {}
        for name, key, dist in zip(self.names, self.keys, self.dists, strict=True):
            v = config[key]
            if isinstance(dist, CategoricalDistribution):
                out[name] = dist.choices[int(v)]
            elif isinstance(dist, IntDistribution):
                value = int(v) if dist.log else dist.low + int(v) * dist.step
                out[name] = int(min(max(value, dist.low), dist.high))
            elif isinstance(dist, FloatDistribution):
                fvalue = float(v) if dist.step is None else dist.low + int(v) * dist.step
                out[name] = float(min(max(fvalue, dist.low), dist.high))
            else:  # pragma: no cover - filtered by unsupported_reason
                raise TypeError(f"unsupported distribution {dist!r}")
        return out


def _contains(dist: BaseDistribution, v: float) -> bool:
    """Whether internal value ``v`` lies in ``dist`` (bounds, and the step grid if any)."""
    if isinstance(dist, CategoricalDistribution):
        return float(v).is_integer() and 0 <= v < len(dist.choices)
    if isinstance(dist, (FloatDistribution, IntDistribution)):
        if not dist.low <= v <= dist.high:
            return False
        if dist.step is None:
            return True
        k = (v - dist.low) / dist.step
        return math.isclose(k, round(k), abs_tol=1e-8)
    return False


def _steps(dist: FloatDistribution | IntDistribution) -> int:
    assert dist.step is not None
    return round((dist.high - dist.low) / dist.step)


def _to_range(dist: BaseDistribution) -> Parameter:
    if isinstance(dist, CategoricalDistribution):
        return CategoricalParameter(list(range(len(dist.choices))))
    if isinstance(dist, IntDistribution):
        if dist.log:
            return IntegerParameter(dist.low, dist.high, "Logarithmic")
        return IntegerParameter(0, _steps(dist), "Linear")
    if isinstance(dist, FloatDistribution):
        if dist.step is not None:
            return IntegerParameter(0, _steps(dist), "Linear")
        return ContinuousParameter(dist.low, dist.high, "Logarithmic" if dist.log else "Linear")
    raise TypeError(f"unsupported distribution {dist!r}")  # filtered by unsupported_reason

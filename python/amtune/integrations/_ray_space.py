"""Ray Tune search spaces (and SageMaker ranges) as an amtune ``SearchSpace``.

Ray's domains map exactly, with Ray's own bounds and quantization grid:

==================================  ============================================================
``tune.uniform(l, u)``              ``ContinuousParameter(l, u, "Linear")``
``tune.loguniform(l, u)``           ``ContinuousParameter(l, u, "Logarithmic")``
``tune.quniform(l, u, q)``          multiples ``k q`` with ``k`` in ``[ceil(l/q), floor(u/q)]``
``tune.qloguniform(l, u, q)``       the same grid, logarithmic in ``k``
``tune.randint(l, u)``              ``IntegerParameter(l, u - 1)`` (``u`` is exclusive)
``tune.lograndint(l, u)``           ``IntegerParameter(l, u - 1, "Logarithmic")``
``tune.qrandint(l, u, q)``          multiples ``k q``, ``u`` inclusive (exclusive for ``q = 1``)
``tune.qlograndint(l, u, q)``       the same grid, logarithmic in ``k``
``tune.choice(values)``             a categorical over the values' indices (any Python objects)
==================================  ============================================================

``tune.grid_search``, ``tune.sample_from``, ``tune.randn``/``qrandn`` (unbounded) are rejected
with an error naming the parameter. Nested configurations are flattened to ``a/b/c`` names.
A domain with a single value becomes a constant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ray.tune.search.sample import (
    Categorical,
    Domain,
    Float,
    Integer,
    LogUniform,
    Quantized,
    Uniform,
)
from ray.tune.search.variant_generator import parse_spec_vars
from ray.tune.utils.util import flatten_dict  # type: ignore[attr-defined]

from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)

_SAGEMAKER_KEYS = frozenset(
    {"ContinuousParameterRanges", "IntegerParameterRanges", "CategoricalParameterRanges"}
)


class RaySpace:
    """The tuned part of a Tune config as an amtune space, and the way back.

    ``constants`` are the domains with a single value, returned with every suggestion; the
    config's plain entries are not (Tune merges its ``param_space`` constants into each trial's
    config itself, as for every searcher).
    """

    def __init__(self, spec: Any) -> None:
        self.choices: dict[str, list[Any]] = {}
        self.grids: dict[str, tuple[float, bool]] = {}  # name -> (q, is_integer domain)
        self.constants: dict[str, Any] = {}
        if isinstance(spec, SearchSpace):
            self.space = spec
        elif isinstance(spec, Mapping) and spec and _SAGEMAKER_KEYS & set(spec):
            self.space = SearchSpace.from_sagemaker(spec)
        elif (
            isinstance(spec, Mapping)
            and spec
            and all(isinstance(v, Parameter) for v in spec.values())
        ):
            self.space = SearchSpace(dict(spec))
        elif isinstance(spec, Mapping):
            self.space = self._from_tune(spec)
        else:
            raise TypeError(
                "space must be a Tune search space (a dict of tune.uniform, tune.choice, ...), "
                "a dict of amtune ranges, an amtune.SearchSpace or a SageMaker ParameterRanges "
                f"document; got {type(spec).__name__}"
            )

    def _from_tune(self, spec: Mapping[str, Any]) -> SearchSpace:
        _, domain_vars, grid_vars = parse_spec_vars(dict(spec))
        if grid_vars:
            names = ", ".join("/".join(map(str, path)) for path, _ in grid_vars)
            raise ValueError(
                f"AmtuneSearch: tune.grid_search is not supported (parameter(s) {names}); use "
                "tune.choice for a categorical search"
            )
        flat = flatten_dict(dict(spec), prevent_delimiter=True)
        _, domain_vars, _ = parse_spec_vars(flat)
        ranges: dict[str, Parameter] = {}
        for path, domain in domain_vars:
            name = "/".join(map(str, path))
            param = self._range(name, domain)
            if param is not None:
                ranges[name] = param
        return SearchSpace(ranges)

    def _range(self, name: str, domain: Domain) -> Parameter | None:
        where = f"AmtuneSearch: parameter {name!r}"
        sampler = domain.get_sampler()  # type: ignore[no-untyped-call]
        q: float | None = None
        if isinstance(sampler, Quantized):
            q, sampler = sampler.q, sampler.get_sampler()  # type: ignore[no-untyped-call]
        if isinstance(domain, Categorical):
            values = list(domain.categories)
            if len(values) == 1:
                self.constants[name] = values[0]
                return None
            self.choices[name] = values
            return CategoricalParameter(list(range(len(values))))
        if not isinstance(domain, (Float, Integer)) or not isinstance(
            sampler, (Uniform, LogUniform)
        ):
            raise ValueError(
                f"{where}: {type(domain).__name__} domain with a {type(sampler).__name__} "
                "sampler is not supported (tune.sample_from and tune.randn have no bounded "
                "range to search)"
            )
        scale = "Logarithmic" if isinstance(sampler, LogUniform) else "Linear"
        lo, hi = domain.lower, domain.upper
        if q is not None and not (isinstance(domain, Integer) and q == 1):
            kmin, kmax = _grid_index(lo, q, math.ceil), _grid_index(hi, q, math.floor)
            if kmax < kmin:
                raise ValueError(f"{where}: no multiple of q={q} within [{lo}, {hi}]")
            self.grids[name] = (q, isinstance(domain, Integer))
            if kmin == kmax:
                self.constants[name] = self._grid_value(name, kmin)
                return None
            if scale == "Logarithmic" and kmin <= 0:
                raise ValueError(f"{where}: a logarithmic range needs positive values")
            return IntegerParameter(kmin, kmax, scale)
        if isinstance(domain, Integer):
            hi = hi - 1  # randint and lograndint exclude the upper bound
            if hi < lo:
                raise ValueError(f"{where}: empty integer range [{lo}, {hi + 1})")
            if hi == lo:
                self.constants[name] = int(lo)
                return None
            return IntegerParameter(int(lo), int(hi), scale)
        return ContinuousParameter(float(lo), float(hi), scale)

    def _grid_value(self, name: str, k: int) -> Any:
        q, integer = self.grids[name]
        if integer:
            return int(k * q)
        return float(Decimal(repr(q)) * k)  # 0.1 * 3 is 0.30000000000000004; this is 0.3

    def to_config(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Flat Tune values from an amtune configuration (constants included)."""
        out = dict(self.constants)
        for name, value in params.items():
            if name in self.choices:
                out[name] = self.choices[name][value]
            elif name in self.grids:
                out[name] = self._grid_value(name, value)
            else:
                out[name] = value
        return out

    def to_params(self, flat: Mapping[str, Any]) -> dict[str, Any]:
        """An amtune configuration from flat Tune values (for evaluated points)."""
        out: dict[str, Any] = {}
        for name in self.space.names:
            if name not in flat:
                raise ValueError(f"AmtuneSearch: the point has no value for {name!r}")
            value = flat[name]
            if name in self.choices:
                out[name] = _index_of(name, self.choices[name], value)
            elif name in self.grids:
                q = self.grids[name][0]
                k = round(value / q)
                if not math.isclose(k * q, value, rel_tol=1e-9, abs_tol=1e-12):
                    raise ValueError(f"AmtuneSearch: {name}={value!r} is not a multiple of {q}")
                out[name] = k
            else:
                out[name] = value
        for name, value in self.space.static.items():
            out[name] = value
        return out


def _index_of(name: str, values: list[Any], value: Any) -> int:
    for i, v in enumerate(values):
        if v is value:
            return i
    for i, v in enumerate(values):
        try:
            if type(v) is type(value) and bool(v == value):
                return i
        except (TypeError, ValueError):
            continue
    raise ValueError(f"AmtuneSearch: {name}={value!r} is not one of the choices {values}")


def _grid_index(bound: float, q: float, round_fn: Any) -> int:
    """``bound``'s index on the grid of multiples of ``q``, rounded inwards (as Ray does)."""
    scaled = bound / q
    nearest = round(scaled)
    if math.isclose(scaled, nearest):
        return int(nearest)
    return int(round_fn(scaled))

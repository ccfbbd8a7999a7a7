"""Hyperparameter ranges with SageMaker semantics and their encoding into the unit hypercube.

Scaling types follow SageMaker's ``ScalingType``:

============================  =====================================================================
``Linear``                    uniform in the value
``Logarithmic``               uniform in ``log(value)``; needs ``min_value > 0``
``ReverseLogarithmic``        uniform in ``-log(1 - value)``; continuous only, range within ``[0, 1)``
``Auto``                      ``Logarithmic`` when ``min_value > 0`` and ``max_value / min_value >= 100``,
                              else ``Linear`` (the Bayesian strategy may also learn an input warping)
============================  =====================================================================

Every configuration maps to a point of ``[0, 1]^d`` (one coordinate per tunable range). Integer values
own equal cells of the scaled interval, categorical values own equal cells ``[i/k, (i+1)/k)``; the
transforms run vectorized in the compiled core.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from amtune._ext import core

SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
#: SageMaker allows 30 tunable ranges and 30 values per categorical range; amtune's encoding costs
#: nothing more for larger counts, so it allows these.
MAX_RANGES = 100
MAX_CATEGORICAL_VALUES = 1000
#: SageMaker's limit on static hyperparameters.
MAX_STATIC = 100
#: How far past [0, 1] ``decode`` tolerates round-off before rejecting a point.
_UNIT_TOL = 1e-9

_KIND = {"Continuous": 0, "Integer": 1, "Categorical": 2}
_SCALE = {"Linear": 0, "Logarithmic": 1, "ReverseLogarithmic": 2}


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_bound(what: str, x: Any) -> float:
    if isinstance(x, str):
        try:
            x = float(x)  # SageMaker requests carry bounds as strings
        except ValueError:
            raise TypeError(f"{what} must be a number, got {x!r}") from None
    if not _is_real(x):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _check_scaling(scaling_type: Any) -> str:
    if scaling_type not in SCALING_TYPES:
        raise ValueError(
            f"scaling_type must be one of {', '.join(SCALING_TYPES)} (spelled as SageMaker does), "
            f"got {scaling_type!r}"
        )
    return str(scaling_type)


class Parameter:
    """Base class of the three range types. ``name`` is set when the range joins a SearchSpace."""

    kind: str = ""

    def _validate(self, name: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _core_spec(self) -> tuple[int, int, float, float]:  # pragma: no cover - overridden
        raise NotImplementedError


class _NumericParameter(Parameter):
    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.scaling_type = scaling_type

    @property
    def scale(self) -> str:
        """The resolved scale: ``Auto`` becomes ``Logarithmic`` or ``Linear`` by the documented rule."""
        if self.scaling_type != "Auto":
            return self.scaling_type
        lo, hi = float(self.min_value), float(self.max_value)
        return "Logarithmic" if lo > 0 and hi / lo >= 100 else "Linear"

    def _validate(self, name: str) -> None:
        lo = _check_bound(f"parameter {name!r}: min_value", self.min_value)
        hi = _check_bound(f"parameter {name!r}: max_value", self.max_value)
        self.scaling_type = _check_scaling(self.scaling_type)
        if lo >= hi:
            raise ValueError(f"parameter {name!r}: min_value ({lo}) must be less than max_value ({hi})")
        if self.scaling_type == "Logarithmic" and lo <= 0:
            raise ValueError(
                f"parameter {name!r}: Logarithmic scaling needs min_value > 0, got {lo}"
            )
        self.min_value, self.max_value = lo, hi

    def _core_spec(self) -> tuple[int, int, float, float]:
        return (_KIND[self.kind], _SCALE[self.scale], float(self.min_value), float(self.max_value))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.min_value!r}, {self.max_value!r}, "
            f"scaling_type={self.scaling_type!r})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and (self.min_value, self.max_value, self.scaling_type)
            == (other.min_value, other.max_value, other.scaling_type)  # type: ignore[attr-defined]
        )

    __hash__ = None  # type: ignore[assignment]


class ContinuousParameter(_NumericParameter):
    """A real-valued range ``[min_value, max_value]``.

    >>> import amtune
    >>> lr = amtune.ContinuousParameter(1e-5, 1e-1)   # Auto resolves to Logarithmic here
    >>> lr.scale
    'Logarithmic'
    """

    kind = "Continuous"

    def _validate(self, name: str) -> None:
        super()._validate(name)
        if self.scaling_type == "ReverseLogarithmic" and not (
            0 <= self.min_value and self.max_value < 1
        ):
            raise ValueError(
                f"parameter {name!r}: ReverseLogarithmic scaling needs a range within [0, 1), "
                f"got [{self.min_value}, {self.max_value}]"
            )


class IntegerParameter(_NumericParameter):
    """An integer range ``[min_value, max_value]``, both ends included.

    >>> import amtune
    >>> amtune.IntegerParameter(1, 1024).scale
    'Logarithmic'
    """

    kind = "Integer"

    def _validate(self, name: str) -> None:
        if self.scaling_type == "ReverseLogarithmic":
            raise ValueError(
                f"parameter {name!r}: ReverseLogarithmic scaling is only valid for continuous ranges"
            )
        super()._validate(name)
        for what, v in (("min_value", self.min_value), ("max_value", self.max_value)):
            if not float(v).is_integer():
                raise ValueError(f"parameter {name!r}: {what} must be an integer, got {v}")
        self.min_value, self.max_value = int(self.min_value), int(self.max_value)


CategoricalValue = Union[str, int, float, bool]


def _cat_key(value: Any) -> tuple[str, Any]:
    """Identity of a categorical value: bools, numbers and strings never collide with each other."""
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    if _is_real(value):
        return ("num", float(value))
    return ("str", value)


class CategoricalParameter(Parameter):
    """A finite set of values (strings, numbers or booleans), kept with their Python types.

    >>> import amtune
    >>> amtune.CategoricalParameter(["adam", "sgd"]).values
    ['adam', 'sgd']
    """

    kind = "Categorical"

    def __init__(self, values: Iterable[CategoricalValue]) -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"values must be a list of values, got {type(values).__name__}")
        self.values = list(values)
        self.scaling_type = None

    def _validate(self, name: str) -> None:
        if not self.values:
            raise ValueError(f"parameter {name!r}: a categorical range needs at least one value")
        if len(self.values) > MAX_CATEGORICAL_VALUES:
            raise ValueError(
                f"parameter {name!r}: at most {MAX_CATEGORICAL_VALUES} categorical values, "
                f"got {len(self.values)}"
            )
        seen: set[tuple[str, Any]] = set()
        for v in self.values:
            if not isinstance(v, (str, bool, np.bool_)) and not _is_real(v):
                raise TypeError(
                    f"parameter {name!r}: categorical values must be str, int, float or bool, "
                    f"got {type(v).__name__} {v!r}"
                )
            if _is_real(v) and not math.isfinite(float(v)):
                raise ValueError(f"parameter {name!r}: categorical values must be finite, got {v!r}")
            key = _cat_key(v)
            if key in seen:
                raise ValueError(f"parameter {name!r}: categorical value {v!r} is duplicated")
            seen.add(key)
        self._index = {_cat_key(v): i for i, v in enumerate(self.values)}

    def _core_spec(self) -> tuple[int, int, float, float]:
        return (_KIND["Categorical"], 0, 0.0, float(len(self.values)))

    def __repr__(self) -> str:
        return f"CategoricalParameter({self.values!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.values == other.values  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


def _copy_param(p: Parameter) -> Parameter:
    if isinstance(p, CategoricalParameter):
        return CategoricalParameter(p.values)
    if isinstance(p, (ContinuousParameter, IntegerParameter)):
        return type(p)(p.min_value, p.max_value, p.scaling_type)
    raise TypeError(
        "ranges must map names to ContinuousParameter, IntegerParameter or CategoricalParameter, "
        f"got {type(p).__name__}"
    )


class SearchSpace:
    """Named hyperparameter ranges plus static hyperparameters that pass through unchanged.

    >>> import amtune
    >>> space = amtune.SearchSpace(
    ...     {"lr": amtune.ContinuousParameter(1e-4, 1e-1, "Logarithmic"),
    ...      "layers": amtune.IntegerParameter(1, 8),
    ...      "opt": amtune.CategoricalParameter(["adam", "sgd"])},
    ...     static={"epochs": 10})
    >>> X = space.encode([{"lr": 1e-3, "layers": 3, "opt": "sgd", "epochs": 10}])
    >>> X.shape
    (1, 3)
    >>> space.decode(X)[0]["layers"], space.decode(X)[0]["opt"]
    (3, 'sgd')
    """

    def __init__(
        self,
        ranges: Mapping[str, Parameter],
        static: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(ranges, Mapping):
            raise TypeError(f"ranges must be a dict of name -> parameter, got {type(ranges).__name__}")
        if len(ranges) > MAX_RANGES:
            raise ValueError(f"ranges: at most {MAX_RANGES} tunable ranges, got {len(ranges)}")
        static = dict(static or {})
        if len(static) > MAX_STATIC:
            raise ValueError(
                f"static: at most {MAX_STATIC} static hyperparameters, got {len(static)}"
            )
        params: dict[str, Parameter] = {}
        for name, p in ranges.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"ranges: parameter names must be non-empty strings, got {name!r}")
            q = _copy_param(p)  # validate a copy: the caller's objects are never changed
            q._validate(name)
            params[name] = q
        for name in static:
            if not isinstance(name, str) or not name:
                raise ValueError(f"static: names must be non-empty strings, got {name!r}")
            if name in params:
                raise ValueError(
                    f"static: {name!r} is also a tunable range; a name is either static or tuned"
                )
        self.ranges: dict[str, Parameter] = params
        self.static: dict[str, Any] = static
        self.names: list[str] = list(params)
        specs = [p._core_spec() for p in params.values()]
        self._core = core.Space(
            [s[0] for s in specs], [s[1] for s in specs], [s[2] for s in specs], [s[3] for s in specs]
        )

    # ----------------------------------------------------------------------------- properties
    @property
    def dim(self) -> int:
        """Number of tunable ranges, the width of encoded arrays."""
        return len(self.names)

    @property
    def is_finite(self) -> bool:
        """True when every range is integer or categorical."""
        return all(not isinstance(p, ContinuousParameter) for p in self.ranges.values())

    @property
    def size(self) -> int | None:
        """Number of distinct configurations, or None when a range is continuous."""
        if not self.is_finite:
            return None
        return math.prod(self.cardinalities())

    def cardinalities(self) -> list[int]:
        """Number of values per range (0 for continuous ranges)."""
        out = []
        for p in self.ranges.values():
            if isinstance(p, CategoricalParameter):
                out.append(len(p.values))
            elif isinstance(p, IntegerParameter):
                out.append(int(p.max_value) - int(p.min_value) + 1)
            else:
                out.append(0)
        return out

    def kinds(self) -> list[str]:
        """``"Continuous"``, ``"Integer"`` or ``"Categorical"`` per range, in order."""
        return [p.kind for p in self.ranges.values()]

    def __repr__(self) -> str:
        inner = ", ".join(f"{n!r}: {p!r}" for n, p in self.ranges.items())
        return f"SearchSpace({{{inner}}}, static={self.static!r})"

    # ----------------------------------------------------------------------------- conversions
    def to_raw(self, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Validate configurations and return their raw numeric matrix (categoricals as indices)."""
        if isinstance(configs, Mapping):
            raise TypeError("configs must be a list of dicts; wrap a single configuration in a list")
        configs = list(configs)
        for i, c in enumerate(configs):
            if not isinstance(c, Mapping):
                raise TypeError(f"configuration {i} must be a dict, got {type(c).__name__}")
            if len(c) != self.dim or any(k not in self.ranges for k in c):
                self._check_names(i, c)
        raw = np.empty((len(configs), self.dim), dtype=np.float64)
        for j, (name, p) in enumerate(self.ranges.items()):
            column = [c[name] for c in configs]
            raw[:, j] = self._raw_column(name, p, column)
        return raw

    def _check_names(self, i: int, c: Mapping[str, Any]) -> None:
        missing = [n for n in self.names if n not in c]
        if missing:
            raise ValueError(f"configuration {i}: missing hyperparameter(s) {missing}")
        for k, v in c.items():
            if k in self.ranges:
                continue
            if k in self.static:
                if v != self.static[k]:
                    raise ValueError(
                        f"configuration {i}: {k!r} is static with value {self.static[k]!r}, "
                        f"got {v!r}"
                    )
                continue
            raise ValueError(
                f"configuration {i}: unknown hyperparameter {k!r}; known names are {self.names}"
            )

    @staticmethod
    def _raw_column(name: str, p: Parameter, column: list[Any]) -> np.ndarray:
        if isinstance(p, CategoricalParameter):
            out = np.empty(len(column))
            for i, v in enumerate(column):
                try:
                    out[i] = p._index[_cat_key(v)]
                except (KeyError, TypeError):
                    raise ValueError(
                        f"parameter {name!r}: {v!r} is not one of the values {p.values}"
                    ) from None
            return out
        if not all(_is_real(v) for v in column):
            bad = next(v for v in column if not _is_real(v))
            raise TypeError(f"parameter {name!r}: value must be a number, got {bad!r}")
        values = np.asarray(column, dtype=np.float64)
        assert isinstance(p, _NumericParameter)
        lo, hi = float(p.min_value), float(p.max_value)
        bad_mask = ~np.isfinite(values) | (values < lo) | (values > hi)
        if bad_mask.any():
            bad = values[bad_mask][0]
            raise ValueError(f"parameter {name!r}: value {bad!r} is outside [{lo}, {hi}]")
        if isinstance(p, IntegerParameter) and (values != np.round(values)).any():
            bad = values[values != np.round(values)][0]
            raise ValueError(f"parameter {name!r}: value {bad!r} is not an integer")
        return values

    def from_raw(self, raw: np.ndarray) -> list[dict[str, Any]]:
        """Raw numeric matrix (as ``to_raw`` gives) to configurations, statics included."""
        columns: list[list[Any]] = []
        for j, p in enumerate(self.ranges.values()):
            col = raw[:, j]
            if isinstance(p, CategoricalParameter):
                columns.append([p.values[int(k)] for k in col])
            elif isinstance(p, IntegerParameter):
                columns.append(col.astype(np.int64).tolist())
            else:
                columns.append(col.tolist())
        names = self.names
        static = self.static
        if static:
            return [{**dict(zip(names, row)), **static} for row in zip(*columns)] if names else [
                dict(static) for _ in range(raw.shape[0])
            ]
        return [dict(zip(names, row)) for row in zip(*columns)] if names else [
            {} for _ in range(raw.shape[0])
        ]

    def encode(self, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Configurations to an ``(n, d)`` array in ``[0, 1]``; raises ValueError on invalid values."""
        raw = self.to_raw(configs)
        return np.asarray(self._core.encode(raw))

    def check_unit(self, X: Any, what: str = "X") -> np.ndarray:
        """Validate an encoded array: shape (n, d), finite, within [0, 1]. Returns a clipped copy."""
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim == 1 and self.dim and arr.shape[0] == self.dim:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise ValueError(f"{what} must have shape (n, {self.dim}), got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{what} must be finite (no NaN or inf)")
        if arr.size and (arr.min() < -_UNIT_TOL or arr.max() > 1 + _UNIT_TOL):
            raise ValueError(f"{what} must lie in [0, 1], got values in [{arr.min()}, {arr.max()}]")
        return np.clip(arr, 0.0, 1.0)

    def decode(self, X: Any) -> list[dict[str, Any]]:
        """Points of ``[0, 1]^d`` to configurations; every point decodes to a valid configuration."""
        arr = self.check_unit(X)
        return self.from_raw(np.asarray(self._core.decode(arr)))

    def canonicalize(self, X: np.ndarray) -> np.ndarray:
        """Snap discrete coordinates to their cell centres (what ``encode(decode(X))`` gives)."""
        return np.asarray(self._core.canonicalize(np.ascontiguousarray(X, dtype=np.float64)))

    def sample_unit(self, n: int, seed: int) -> np.ndarray:
        """``n`` points uniform in ``[0, 1]^d`` from a seeded stream."""
        return np.asarray(self._core.sample_unit(int(n), int(seed) & (2**64 - 1)))

    def sample(self, n: int, seed: int | None = None) -> list[dict[str, Any]]:
        """``n`` configurations drawn uniformly under each range's scale.

        >>> import amtune
        >>> s = amtune.SearchSpace({"x": amtune.IntegerParameter(0, 3)})
        >>> s.sample(3, seed=1) == s.sample(3, seed=1)
        True
        """
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        return self.from_raw(np.asarray(self._core.decode(self.sample_unit(int(n), seed))))

    # ----------------------------------------------------------------------------- SageMaker
    @classmethod
    def from_sagemaker(
        cls, parameter_ranges: Mapping[str, Any], static: Mapping[str, Any] | None = None
    ) -> SearchSpace:
        """Build from a SageMaker ``ParameterRanges`` document.

        >>> import amtune
        >>> s = amtune.SearchSpace.from_sagemaker({"IntegerParameterRanges": [
        ...     {"Name": "depth", "MinValue": "2", "MaxValue": "9", "ScalingType": "Linear"}]})
        >>> s.ranges["depth"]
        IntegerParameter(2, 9, scaling_type='Linear')
        """
        known = {"ContinuousParameterRanges", "IntegerParameterRanges", "CategoricalParameterRanges",
                 "AutoParameters"}
        unknown = set(parameter_ranges) - known
        if unknown:
            raise ValueError(f"ParameterRanges: unknown field(s) {sorted(unknown)}")
        ranges: dict[str, Parameter] = {}

        def add(path: str, name: Any, p: Parameter) -> None:
            if not isinstance(name, str):
                raise ValueError(f"{path}.Name must be a string, got {name!r}")
            if name in ranges:
                raise ValueError(f"{path}: parameter {name!r} is defined twice")
            ranges[name] = p

        for kind, klass in (("Continuous", ContinuousParameter), ("Integer", IntegerParameter)):
            for i, r in enumerate(parameter_ranges.get(f"{kind}ParameterRanges", []) or []):
                path = f"ParameterRanges.{kind}ParameterRanges[{i}]"
                extra = set(r) - {"Name", "MinValue", "MaxValue", "ScalingType"}
                if extra or "MinValue" not in r or "MaxValue" not in r or "Name" not in r:
                    raise ValueError(
                        f"{path}: needs Name, MinValue, MaxValue (and optional ScalingType); "
                        f"unknown {sorted(extra)}" if extra else f"{path}: needs Name, MinValue and MaxValue"
                    )
                lo, hi = r["MinValue"], r["MaxValue"]
                if kind == "Integer":
                    lo = _int_from_str(f"{path}.MinValue", lo)
                    hi = _int_from_str(f"{path}.MaxValue", hi)
                add(path, r["Name"], klass(lo, hi, r.get("ScalingType", "Auto")))
        for i, r in enumerate(parameter_ranges.get("CategoricalParameterRanges", []) or []):
            path = f"ParameterRanges.CategoricalParameterRanges[{i}]"
            extra = set(r) - {"Name", "Values"}
            if extra or "Values" not in r or "Name" not in r:
                raise ValueError(f"{path}: needs exactly Name and Values")
            add(path, r["Name"], CategoricalParameter(r["Values"]))
        if parameter_ranges.get("AutoParameters"):
            raise ValueError("ParameterRanges.AutoParameters: automatic range inference is not supported")
        return cls(ranges, static)

    def to_sagemaker(self) -> dict[str, list[dict[str, Any]]]:
        """The ``ParameterRanges`` document (values as strings, as SageMaker writes them)."""
        out: dict[str, list[dict[str, Any]]] = {
            "ContinuousParameterRanges": [], "IntegerParameterRanges": [],
            "CategoricalParameterRanges": [],
        }
        for name, p in self.ranges.items():
            if isinstance(p, CategoricalParameter):
                out["CategoricalParameterRanges"].append(
                    {"Name": name, "Values": [str(v) for v in p.values]}
                )
            else:
                assert isinstance(p, _NumericParameter)
                out[f"{p.kind}ParameterRanges"].append({
                    "Name": name, "MinValue": str(p.min_value), "MaxValue": str(p.max_value),
                    "ScalingType": p.scaling_type,
                })
        return out


def _int_from_str(path: str, v: Any) -> Any:
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            raise ValueError(f"{path} must be an integer, got {v!r}") from None
    return v

"""Hyperparameter ranges with SageMaker semantics and their encoding into the unit hypercube.

Scaling types follow SageMaker's ``ScalingType`` (spelled exactly so; ``"linear"`` is an error):

======================  ======================================================================
``Linear``              uniform in the value
``Logarithmic``         uniform in ``log(value)``; needs ``min_value > 0``
``ReverseLogarithmic``  uniform in ``-log(1 - value)``, dense near 1; continuous ranges only,
                        within ``[0, 1)``
``Auto``                ``Logarithmic`` when ``min_value > 0`` and
                        ``max_value / min_value >= 100``, else ``Linear``
======================  ======================================================================

Every configuration maps to a point of ``[0, 1]^d``, one coordinate per tunable range, and every
point of ``[0, 1]^d`` decodes to a valid configuration. An integer value ``v`` owns the cell that
the scale maps ``[v - 1/2, v + 1/2]`` to, so every integer, the two ends included, gets its fair
share of the encoded interval (an equal share under ``Linear``, a log-width share under
``Logarithmic``) and encodes to its cell's centre. Categorical value ``i`` of ``k`` owns
``[i/k, (i+1)/k)`` and encodes to ``(i + 1/2)/k``. The transforms run vectorized in the compiled
core.

Round trips are exact for integers (returned as ``int``) and categoricals (the listed Python
objects are returned, so ``1``, ``"1"`` and ``True`` stay three distinct values). A continuous
value comes back within ``1e-12`` of ``max(|value|, |min_value|, |max_value|)`` (relative to the
range's magnitude: a linear encoding cannot resolve a value near 0 in ``[-1e6, 1e6]`` better).
"""

from __future__ import annotations

import contextlib
import gc
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from amtune._ext import core

SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
#: SageMaker allows 30 tunable ranges and 30 values per categorical range; amtune's encoding costs
#: nothing more for larger counts, so it allows these.
MAX_RANGES = 100
MAX_CATEGORICAL_VALUES = 1000
#: SageMaker's limit on static hyperparameters.
MAX_STATIC = 100
#: Integer bounds must lie within +-2**40 so that every integer round-trips exactly through the
#: double-precision encoding, under either scale.
MAX_INTEGER_MAGNITUDE = 2**40

_KIND = dict(core.Kind.__members__)  # "Continuous" -> core.Kind.Continuous, ...
_SCALE = dict(core.Scale.__members__)
# Exact types that need no ABC check on the hot paths.
_PLAIN_NUMBERS = frozenset({int, float, np.float64, np.int64})


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Building 100,000 configuration dicts otherwise triggers many collections that each walk every
    live object; nothing built here forms reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_real(x: Any) -> bool:
    """A real number that is not a bool (numpy scalars included, ``np.bool_`` excluded)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_bound(what: str, x: Any) -> float:
    if isinstance(x, str):
        try:
            x = float(x)  # SageMaker requests carry bounds as strings
        except ValueError:
            raise TypeError(f"{what} must be a number, got {x!r}") from None
    if not _is_real(x):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(f"{what} must be finite, got {x!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _check_scaling(what: str, scaling_type: Any) -> str:
    if not isinstance(scaling_type, str):
        raise TypeError(
            f"{what}: scaling_type must be a string, one of {', '.join(SCALING_TYPES)}; "
            f"got {type(scaling_type).__name__} {scaling_type!r}"
        )
    if scaling_type not in SCALING_TYPES:
        raise ValueError(
            f"{what}: scaling_type must be one of {', '.join(SCALING_TYPES)} (spelled as SageMaker "
            f"does), got {scaling_type!r}"
        )
    return scaling_type


class Parameter:
    """Base class of the three range types; validated (and named) when it joins a SearchSpace."""

    kind: str = ""

    def _validate(self, name: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:  # pragma: no cover
        raise NotImplementedError


class _NumericParameter(Parameter):
    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.scaling_type = scaling_type

    @property
    def scale(self) -> str:
        """The resolved scale: ``Auto`` becomes ``Logarithmic`` or ``Linear`` by the rule above."""
        if self.scaling_type != "Auto":
            return str(self.scaling_type)
        lo, hi = float(self.min_value), float(self.max_value)
        return "Logarithmic" if lo > 0 and hi / lo >= 100 else "Linear"

    def _validate(self, name: str) -> None:
        where = f"parameter {name!r}"
        lo = _check_bound(f"{where}: min_value", self.min_value)
        hi = _check_bound(f"{where}: max_value", self.max_value)
        self.scaling_type = _check_scaling(where, self.scaling_type)
        if lo >= hi:
            raise ValueError(f"{where}: min_value ({lo}) must be less than max_value ({hi})")
        if not math.isfinite(hi - lo):
            raise ValueError(f"{where}: max_value - min_value must be finite, got [{lo}, {hi}]")
        if self.scaling_type == "Logarithmic" and lo <= 0:
            raise ValueError(f"{where}: Logarithmic scaling needs min_value > 0, got {lo}")
        self.min_value, self.max_value = lo, hi

    def _core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:
        return (_KIND[self.kind], _SCALE[self.scale], float(self.min_value), float(self.max_value))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.min_value!r}, {self.max_value!r}, "
            f"scaling_type={self.scaling_type!r})"
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _NumericParameter)
        return (self.min_value, self.max_value, self.scaling_type) == (
            other.min_value, other.max_value, other.scaling_type,
        )

    __hash__ = None  # type: ignore[assignment]


class ContinuousParameter(_NumericParameter):
    """A real-valued range ``[min_value, max_value]``.

    >>> import amtune
    >>> lr = amtune.ContinuousParameter(1e-5, 1e-1)   # Auto resolves to Logarithmic here
    >>> lr.scale
    'Logarithmic'
    >>> amtune.ContinuousParameter(0.0, 1.0).scale
    'Linear'
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
                f"parameter {name!r}: ReverseLogarithmic scaling is only valid for continuous "
                "ranges, not integer ones"
            )
        for what in ("min_value", "max_value"):
            v = getattr(self, what)
            if isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)):
                if abs(int(v)) > MAX_INTEGER_MAGNITUDE:
                    raise ValueError(
                        f"parameter {name!r}: {what} must be within +-2**40, got {v}"
                    )
        super()._validate(name)
        for what in ("min_value", "max_value"):
            v = getattr(self, what)
            if not float(v).is_integer():
                raise ValueError(f"parameter {name!r}: {what} must be an integer, got {v}")
            if abs(v) > MAX_INTEGER_MAGNITUDE:
                raise ValueError(f"parameter {name!r}: {what} must be within +-2**40, got {v}")
        self.min_value, self.max_value = int(self.min_value), int(self.max_value)


CategoricalValue = str | int | float | bool


def _cat_key(value: Any) -> tuple[str, Any]:
    """Identity of a categorical value: bools, numbers and strings never collide with each other.

    Numbers compare by value (``1 == 1.0``), kept exact (no float conversion of big integers).
    """
    t = type(value)
    if t is str:
        return ("str", value)
    if t is int or t is float:
        return ("num", value)
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    if _is_real(value):
        return ("num", value.item() if isinstance(value, np.generic) else value)
    return ("str", value)


class CategoricalParameter(Parameter):
    """A finite set of values (strings, numbers or booleans), kept with their Python types.

    >>> import amtune
    >>> amtune.CategoricalParameter(["adam", "sgd"]).values
    ['adam', 'sgd']
    """

    kind = "Categorical"

    def __init__(self, values: Iterable[CategoricalValue]) -> None:
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
            raise TypeError(f"values must be a list of values, got {type(values).__name__}")
        self.values = list(values)
        self.scaling_type = None

    def _validate(self, name: str) -> None:
        where = f"parameter {name!r}"
        if not self.values:
            raise ValueError(f"{where}: a categorical range needs at least one value")
        if len(self.values) > MAX_CATEGORICAL_VALUES:
            raise ValueError(
                f"{where}: at most {MAX_CATEGORICAL_VALUES} categorical values, "
                f"got {len(self.values)}"
            )
        seen: set[tuple[str, Any]] = set()
        for v in self.values:
            if not isinstance(v, (str, bool, np.bool_)) and not _is_real(v):
                raise TypeError(
                    f"{where}: categorical values must be str, int, float or bool, "
                    f"got {type(v).__name__} {v!r}"
                )
            if _is_real(v) and not math.isfinite(float(v)):
                raise ValueError(f"{where}: categorical values must be finite, got {v!r}")
            key = _cat_key(v)
            if key in seen:
                raise ValueError(f"{where}: categorical value {v!r} is duplicated")
            seen.add(key)
        self._index = {_cat_key(v): i for i, v in enumerate(self.values)}
        # values of an exact type -> index, for the hot path of encode
        self._fast = {
            (type(v), v): i for i, v in enumerate(self.values) if type(v) in (str, int, float, bool)
        }

    def _lookup(self, v: Any) -> int:
        i = self._fast.get((type(v), v))
        if i is None:
            i = self._index[_cat_key(v)]
        return i

    def _core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:
        return (core.Kind.Categorical, core.Scale.Linear, 0.0, float(len(self.values)))

    def __repr__(self) -> str:
        return f"CategoricalParameter({self.values!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, CategoricalParameter)
        return [_cat_key(v) for v in self.values] == [_cat_key(v) for v in other.values]

    __hash__ = None  # type: ignore[assignment]


def _copy_param(name: str, p: Any) -> Parameter:
    if isinstance(p, CategoricalParameter):
        return CategoricalParameter(p.values)
    if isinstance(p, (ContinuousParameter, IntegerParameter)):
        return type(p)(p.min_value, p.max_value, p.scaling_type)
    raise TypeError(
        f"parameter {name!r}: ranges must map names to ContinuousParameter, IntegerParameter or "
        f"CategoricalParameter, got {type(p).__name__}"
    )


def _same_value(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # e.g. numpy arrays
        return False


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
    >>> config = space.decode(X)[0]
    >>> config["layers"], config["opt"], config["epochs"]
    (3, 'sgd', 10)
    >>> space.decode([[0.0, 1.0, 0.2]])[0]["layers"]
    8
    """

    def __init__(
        self,
        ranges: Mapping[str, Parameter],
        static: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(ranges, Mapping):
            raise TypeError(
                f"ranges must be a dict of name -> parameter, got {type(ranges).__name__}"
            )
        if len(ranges) > MAX_RANGES:
            raise ValueError(f"ranges: at most {MAX_RANGES} tunable ranges, got {len(ranges)}")
        if static is not None and not isinstance(static, Mapping):
            raise TypeError(f"static must be a dict of name -> value, got {type(static).__name__}")
        static = dict(static or {})
        if len(static) > MAX_STATIC:
            raise ValueError(
                f"static: at most {MAX_STATIC} static hyperparameters, got {len(static)}"
            )
        params: dict[str, Parameter] = {}
        for name, p in ranges.items():
            _check_name("ranges", name)
            q = _copy_param(name, p)  # validate a copy: the caller's objects are never changed
            q._validate(name)
            params[name] = q
        for name in static:
            _check_name("static", name)
            if name in params:
                raise ValueError(
                    f"static: {name!r} is also a tunable range; a name is either static or tuned"
                )
        self.ranges: dict[str, Parameter] = params
        self.static: dict[str, Any] = static
        self.names: list[str] = list(params)
        self._build_core()

    def _build_core(self) -> None:
        specs = [p._core_spec() for p in self.ranges.values()]
        self._core = core.Space(
            [s[0] for s in specs], [s[1] for s in specs], [s[2] for s in specs],
            [s[3] for s in specs],
        )
        self._name_set = frozenset(self.names)
        self._full_set = frozenset(self.names) | frozenset(self.static)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key in ("_core", "_name_set", "_full_set"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build_core()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return (
            self.names == other.names
            and all(self.ranges[n] == other.ranges[n] for n in self.names)
            and self.static == other.static
        )

    __hash__ = None  # type: ignore[assignment]

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
        """Validate configurations and return their raw ``(n, d)`` matrix (categoricals as indices).

        A configuration holds every tunable range; static names may be present with their static
        value. Anything else raises ValueError (TypeError for wrong types) naming the
        configuration and the parameter; nothing is returned for a partly valid list.
        """
        if isinstance(configs, (Mapping, str, bytes)):
            raise TypeError(
                "configs must be a list of dicts; wrap a single configuration in a list"
            )
        configs = list(configs)
        if not set(map(type, configs)) <= {dict}:
            for i, c in enumerate(configs):
                if not isinstance(c, Mapping):
                    raise TypeError(f"configuration {i} must be a dict, got {type(c).__name__}")
        names, full = self._name_set, self._full_set
        with_static = []
        for i, c in enumerate(configs):
            keys = c.keys()
            if keys == names:
                continue
            if keys == full:
                with_static.append(i)
                continue
            self._check_names(i, c)
        for k, v in self.static.items():  # static values given must equal the static ones
            given = [configs[i][k] for i in with_static]
            try:
                ok = given.count(v) == len(given)
            except (ValueError, TypeError):
                ok = False
            if not ok:
                for i in with_static:
                    self._check_names(i, configs[i])
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
                if not _same_value(v, self.static[k]):
                    raise ValueError(
                        f"configuration {i}: {k!r} is static with value {self.static[k]!r}, "
                        f"got {v!r}"
                    )
                continue
            raise ValueError(
                f"configuration {i}: unknown hyperparameter {k!r}; known names are {self.names}"
                + (f" and static {list(self.static)}" if self.static else "")
            )

    @staticmethod
    def _raw_column(name: str, p: Parameter, column: list[Any]) -> np.ndarray:
        if isinstance(p, CategoricalParameter):
            try:
                fast = list(map(p._fast.get, zip(map(type, column), column, strict=True)))
            except TypeError:  # an unhashable value: the slow path names it
                fast = [None]
            if None not in fast:
                return np.array(fast, dtype=np.float64)
            out = np.empty(len(column))
            lookup = p._lookup
            for i, v in enumerate(column):
                try:
                    out[i] = lookup(v)
                except (KeyError, TypeError):
                    raise ValueError(
                        f"configuration {i}: parameter {name!r}: {v!r} is not one of the values "
                        f"{p.values}"
                    ) from None
            return out
        if not set(map(type, column)) <= _PLAIN_NUMBERS:
            for i, v in enumerate(column):
                if not _is_real(v):
                    raise TypeError(
                        f"configuration {i}: parameter {name!r}: value must be a number, "
                        f"got {type(v).__name__} {v!r}"
                    )
        try:
            values = np.asarray(column, dtype=np.float64)
        except OverflowError:
            values = np.array([float(v) if abs(v) < 1e300 else math.inf for v in column])
        assert isinstance(p, _NumericParameter)
        lo, hi = float(p.min_value), float(p.max_value)
        bad_mask = ~((values >= lo) & (values <= hi))  # NaN fails both comparisons
        if bad_mask.any():
            i = int(np.flatnonzero(bad_mask)[0])
            raise ValueError(
                f"configuration {i}: parameter {name!r}: value {column[i]!r} is outside "
                f"[{p.min_value}, {p.max_value}]"
            )
        if isinstance(p, IntegerParameter):
            frac = values != np.round(values)
            if frac.any():
                i = int(np.flatnonzero(frac)[0])
                raise ValueError(
                    f"configuration {i}: parameter {name!r}: value {column[i]!r} is not an integer"
                )
        return values

    def from_raw(self, raw: np.ndarray) -> list[dict[str, Any]]:
        """Raw numeric matrix (as ``to_raw`` gives) to configurations, statics included."""
        n = raw.shape[0]
        columns: list[list[Any]] = []
        for j, p in enumerate(self.ranges.values()):
            col = raw[:, j]
            if isinstance(p, CategoricalParameter):
                values = p.values
                columns.append([values[k] for k in col.astype(np.int64).tolist()])
            elif isinstance(p, IntegerParameter):
                columns.append(col.astype(np.int64).tolist())
            else:
                columns.append(col.tolist())
        names = self.names
        static = self.static
        with _gc_paused():
            if not names:
                return [dict(static) for _ in range(n)]
            rows = zip(*columns, strict=True)
            if static:
                return [{**dict(zip(names, row, strict=True)), **static} for row in rows]
            return [dict(zip(names, row, strict=True)) for row in rows]

    def encode(self, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Configurations to an ``(n, d)`` array in ``[0, 1]``; ValueError on invalid values."""
        return np.asarray(self._core.encode(self.to_raw(configs)))

    def check_unit(self, X: Any, what: str = "X") -> np.ndarray:
        """Validate an encoded array: shape ``(n, d)`` (or one point ``(d,)``), within [0, 1].

        Returns it as a C-contiguous float64 array of shape ``(n, d)``.
        """
        try:
            arr = np.asarray(X)
        except ValueError:  # ragged nested lists
            raise ValueError(f"{what} must be an array of shape (n, {self.dim})") from None
        if arr.dtype == np.bool_ or not (
            np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
        ):
            raise TypeError(f"{what} must be a numeric array, got dtype {arr.dtype}")
        arr = np.ascontiguousarray(arr, dtype=np.float64)
        if arr.ndim == 1 and self.dim and arr.shape[0] == self.dim:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise ValueError(f"{what} must have shape (n, {self.dim}), got {arr.shape}")
        if arr.size and not ((arr >= 0.0) & (arr <= 1.0)).all():
            bad = arr[~((arr >= 0.0) & (arr <= 1.0))][0]
            raise ValueError(f"{what} must lie in [0, 1] (and not be NaN), got {bad!r}")
        return arr

    def decode(self, X: Any) -> list[dict[str, Any]]:
        """Points of ``[0, 1]^d`` to configurations; every such point decodes to a valid one."""
        return self.from_raw(np.asarray(self._core.decode(self.check_unit(X))))

    def canonicalize(self, X: Any) -> np.ndarray:
        """Snap discrete coordinates to their cell centres (what ``encode(decode(X))`` gives)."""
        return np.asarray(self._core.canonicalize(self.check_unit(X)))

    def sample_unit(self, n: int, seed: int) -> np.ndarray:
        """``n`` points uniform in ``[0, 1]^d`` from a seeded stream (any int seed, mod 2**64)."""
        _check_count("n", n)
        _check_seed(seed)
        return np.asarray(self._core.sample_unit(int(n), int(seed) & (2**64 - 1)))

    def sample(self, n: int, seed: int | None = None) -> list[dict[str, Any]]:
        """``n`` configurations drawn uniformly under each range's scale.

        >>> import amtune
        >>> s = amtune.SearchSpace({"x": amtune.IntegerParameter(0, 3)})
        >>> s.sample(3, seed=1) == s.sample(3, seed=1)
        True
        """
        _check_count("n", n)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        return self.from_raw(np.asarray(self._core.decode(self.sample_unit(n, seed))))

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
        if not isinstance(parameter_ranges, Mapping):
            raise TypeError(
                f"ParameterRanges must be a dict, got {type(parameter_ranges).__name__}"
            )
        known = {"ContinuousParameterRanges", "IntegerParameterRanges",
                 "CategoricalParameterRanges", "AutoParameters"}
        unknown = set(parameter_ranges) - known
        if unknown:
            raise ValueError(f"ParameterRanges: unknown field(s) {sorted(unknown)}")
        if parameter_ranges.get("AutoParameters"):
            raise ValueError(
                "ParameterRanges.AutoParameters: automatic range inference is not supported"
            )
        ranges: dict[str, Parameter] = {}

        def entries(field: str) -> list[Any]:
            items = parameter_ranges.get(field) or []
            if not isinstance(items, list):
                raise TypeError(f"ParameterRanges.{field} must be a list")
            for i, r in enumerate(items):
                if not isinstance(r, Mapping):
                    raise TypeError(f"ParameterRanges.{field}[{i}] must be a dict")
            return items

        def add(path: str, name: Any, p: Parameter) -> None:
            if not isinstance(name, str):
                raise ValueError(f"{path}.Name must be a string, got {name!r}")
            if name in ranges:
                raise ValueError(f"{path}: parameter {name!r} is defined twice")
            ranges[name] = p

        for kind, klass in (("Continuous", ContinuousParameter), ("Integer", IntegerParameter)):
            for i, r in enumerate(entries(f"{kind}ParameterRanges")):
                path = f"ParameterRanges.{kind}ParameterRanges[{i}]"
                extra = set(r) - {"Name", "MinValue", "MaxValue", "ScalingType"}
                if extra:
                    raise ValueError(f"{path}: unknown field(s) {sorted(extra)}")
                if "MinValue" not in r or "MaxValue" not in r or "Name" not in r:
                    raise ValueError(f"{path}: needs Name, MinValue and MaxValue")
                lo, hi = r["MinValue"], r["MaxValue"]
                if kind == "Integer":
                    lo = _int_from_str(f"{path}.MinValue", lo)
                    hi = _int_from_str(f"{path}.MaxValue", hi)
                add(path, r["Name"], klass(lo, hi, r.get("ScalingType", "Auto")))
        for i, r in enumerate(entries("CategoricalParameterRanges")):
            path = f"ParameterRanges.CategoricalParameterRanges[{i}]"
            if set(r) != {"Name", "Values"}:
                raise ValueError(f"{path}: needs exactly Name and Values")
            add(path, r["Name"], CategoricalParameter(r["Values"]))
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


def _check_name(where: str, name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{where}: parameter names must be strings, got {name!r}")
    if not name:
        raise ValueError(f"{where}: parameter names must be non-empty strings")


def _check_count(what: str, n: Any) -> None:
    if not isinstance(n, numbers.Integral) or isinstance(n, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, got {n!r}")
    if n < 0:
        raise ValueError(f"{what} must be >= 0, got {n}")


def _check_seed(seed: Any) -> None:
    if not isinstance(seed, numbers.Integral) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an integer, got {seed!r}")


def _int_from_str(path: str, v: Any) -> Any:
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            raise ValueError(f"{path} must be an integer, got {v!r}") from None
    return v

"""A search space (named ranges plus static hyperparameters) and its encoding into the unit
hypercube.

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

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from amtune._ext import core
from amtune.space.parameters import (
    PLAIN_NUMBERS,
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    NumericParameter,
    Parameter,
    copy_parameter,
    gc_paused,
    is_real,
    same_value,
)
from amtune.space.serialization import ranges_from_sagemaker, ranges_to_sagemaker

#: SageMaker allows 30 tunable ranges; amtune's encoding costs nothing more for larger counts.
MAX_RANGES = 100
#: SageMaker's limit on static hyperparameters.
MAX_STATIC = 100
#: the most points one ``sample``/``sample_unit`` call draws (10 million rows of doubles per
#: range: 80 MB a range); more fails with a message rather than exhausting memory
MAX_SAMPLE = 10_000_000


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
            q = copy_parameter(name, p)  # validate a copy: the caller's objects are never changed
            q.validate(name)
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
        specs = [p.core_spec() for p in self.ranges.values()]
        self._core = core.Space(
            [s[0] for s in specs],
            [s[1] for s in specs],
            [s[2] for s in specs],
            [s[3] for s in specs],
        )
        self._name_set = frozenset(self.names)
        self._full_set = frozenset(self.names) | frozenset(self.static)

    @property
    def engine(self) -> core.Space:
        """The compiled space: vectorized encoding, decoding and sampling of raw values."""
        return self._core

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
                if not same_value(v, self.static[k]):
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
                fast = p.exact_indices(column)
            except TypeError:  # an unhashable value: the slow path names it
                fast = [None]
            if None not in fast:
                return np.array(fast, dtype=np.float64)
            out = np.empty(len(column))
            lookup = p.lookup
            for i, v in enumerate(column):
                try:
                    out[i] = lookup(v)
                except (KeyError, TypeError):
                    raise ValueError(
                        f"configuration {i}: parameter {name!r}: {v!r} is not one of the values "
                        f"{p.values}"
                    ) from None
            return out
        if not set(map(type, column)) <= PLAIN_NUMBERS:
            for i, v in enumerate(column):
                if not is_real(v):
                    raise TypeError(
                        f"configuration {i}: parameter {name!r}: value must be a number, "
                        f"got {type(v).__name__} {v!r}"
                    )
        try:
            values = np.asarray(column, dtype=np.float64)
        except OverflowError:
            values = np.array([float(v) if abs(v) < 1e300 else math.inf for v in column])
        assert isinstance(p, NumericParameter)
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
        with gc_paused():
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
        return cls(ranges_from_sagemaker(parameter_ranges), static)

    def to_sagemaker(self) -> dict[str, list[dict[str, Any]]]:
        """The ``ParameterRanges`` document (values as strings, as SageMaker writes them)."""
        return ranges_to_sagemaker(self.ranges)


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
    if int(n) > MAX_SAMPLE:
        raise ValueError(f"{what} must be at most {MAX_SAMPLE:,} (draw in several calls), got {n}")


def _check_seed(seed: Any) -> None:
    if not isinstance(seed, numbers.Integral) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an integer, got {seed!r}")

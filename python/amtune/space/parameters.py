"""The three range types of a search space (SageMaker's ``ParameterRanges`` entries).

Scaling types follow SageMaker's ``ScalingType`` (spelled exactly so; ``"linear"`` is an error):

======================  ======================================================================
``Linear``              uniform in the value
``Logarithmic``         uniform in ``log(value)``; needs ``min_value > 0``
``ReverseLogarithmic``  uniform in ``-log(1 - value)``, dense near 1; continuous ranges only,
                        within ``[0, 1)``
``Auto``                ``Logarithmic`` when ``min_value > 0`` and
                        ``max_value / min_value >= 100``, else ``Linear``
======================  ======================================================================
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from amtune._ext import core

SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
#: SageMaker allows 30 values per categorical range; amtune's encoding costs nothing more for
#: larger counts, so it allows these.
MAX_CATEGORICAL_VALUES = 1000
#: Integer bounds must lie within +-2**40 so that every integer round-trips exactly through the
#: double-precision encoding, under either scale.
MAX_INTEGER_MAGNITUDE = 2**40

_KIND = dict(core.Kind.__members__)  # "Continuous" -> core.Kind.Continuous, ...
_SCALE = dict(core.Scale.__members__)
# Exact types that need no ABC check on the hot paths.
PLAIN_NUMBERS = frozenset({int, float, np.float64, np.int64})


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
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


def is_real(x: Any) -> bool:
    """A real number that is not a bool (numpy scalars included, ``np.bool_`` excluded)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_bound(what: str, x: Any) -> float:
    if isinstance(x, str):
        try:
            x = float(x)  # SageMaker requests carry bounds as strings
        except ValueError:
            raise TypeError(f"{what} must be a number, got {x!r}") from None
    if not is_real(x):
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
    """Base class of the three range types; validated when constructed (a misspelled scaling
    type, ``min_value > max_value``, a log range with ``min_value <= 0`` raise at once) and again,
    with its name, when it joins a SearchSpace."""

    kind: str = ""
    #: the range types, in the SDK's order (``ParameterRange.__all_types__``)
    __all_types__ = ("Continuous", "Categorical", "Integer")

    def validate(self, name: str | None) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def is_valid(self, value: Any) -> bool:  # pragma: no cover - overridden
        """Whether ``value`` lies in the range (the SDK's ``ParameterRange.is_valid``)."""
        raise NotImplementedError

    def as_tuning_range(self, name: str) -> dict[str, Any]:  # pragma: no cover - overridden
        """The range's entry of ``ParameterRanges`` for hyperparameter ``name``, values as
        strings (the SDK's ``as_tuning_range``)."""
        raise NotImplementedError

    def core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:  # pragma: no cover
        raise NotImplementedError


class NumericParameter(Parameter):
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

    def validate(self, name: str | None) -> None:
        where = type(self).__name__ if name is None else f"parameter {name!r}"
        lo = _check_bound(f"{where}: min_value", self.min_value)
        hi = _check_bound(f"{where}: max_value", self.max_value)
        self.scaling_type = _check_scaling(where, self.scaling_type)
        if lo > hi:  # SageMaker's rule: MinValue <= MaxValue (equal bounds fix the value)
            raise ValueError(f"{where}: min_value ({lo}) must be at most max_value ({hi})")
        if not math.isfinite(hi - lo):
            raise ValueError(f"{where}: max_value - min_value must be finite, got [{lo}, {hi}]")
        if self.scaling_type == "Logarithmic" and lo <= 0:
            raise ValueError(f"{where}: Logarithmic scaling needs min_value > 0, got {lo}")
        self.min_value, self.max_value = lo, hi

    def core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:
        return (_KIND[self.kind], _SCALE[self.scale], float(self.min_value), float(self.max_value))

    def is_valid(self, value: Any) -> bool:
        """``min_value <= value <= max_value``, as the SDK's ``is_valid``.

        >>> ContinuousParameter(0.1, 1).is_valid(0.5), IntegerParameter(1, 3).is_valid(5)
        (True, False)
        """
        return bool(self.min_value <= value <= self.max_value)

    def as_tuning_range(self, name: str) -> dict[str, Any]:
        """``{"Name", "MinValue", "MaxValue", "ScalingType"}``, bounds as strings.

        >>> IntegerParameter(1, 8, "Linear").as_tuning_range("depth")
        {'Name': 'depth', 'MinValue': '1', 'MaxValue': '8', 'ScalingType': 'Linear'}
        """
        return {
            "Name": name,
            "MinValue": str(self.min_value),
            "MaxValue": str(self.max_value),
            "ScalingType": self.scaling_type,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.min_value!r}, {self.max_value!r}, "
            f"scaling_type={self.scaling_type!r})"
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, NumericParameter)
        return (self.min_value, self.max_value, self.scaling_type) == (
            other.min_value,
            other.max_value,
            other.scaling_type,
        )

    __hash__ = None  # type: ignore[assignment]


class ContinuousParameter(NumericParameter):
    """A real-valued range ``[min_value, max_value]``.

    >>> import amtune
    >>> lr = amtune.ContinuousParameter(1e-5, 1e-1)   # Auto resolves to Logarithmic here
    >>> lr.scale
    'Logarithmic'
    >>> amtune.ContinuousParameter(0.0, 1.0).scale
    'Linear'
    """

    kind = "Continuous"

    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        super().__init__(min_value, max_value, scaling_type)
        copy.copy(self).validate(None)  # check now; the values stay as given

    @classmethod
    def cast_to_type(cls, value: Any) -> float:
        """``value`` as this range's type (the SDK's ``cast_to_type``): a float."""
        return float(value)

    def validate(self, name: str | None) -> None:
        super().validate(name)
        where = type(self).__name__ if name is None else f"parameter {name!r}"
        if self.scaling_type == "ReverseLogarithmic" and not (
            0 <= self.min_value and self.max_value < 1
        ):
            raise ValueError(
                f"{where}: ReverseLogarithmic scaling needs a range within [0, 1), "
                f"got [{self.min_value}, {self.max_value}]"
            )


class IntegerParameter(NumericParameter):
    """An integer range ``[min_value, max_value]``, both ends included.

    >>> import amtune
    >>> amtune.IntegerParameter(1, 1024).scale
    'Logarithmic'
    """

    kind = "Integer"

    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        super().__init__(min_value, max_value, scaling_type)
        copy.copy(self).validate(None)  # check now; the values stay as given

    @classmethod
    def cast_to_type(cls, value: Any) -> int:
        """``value`` as this range's type (the SDK's ``cast_to_type``): an int."""
        return int(value)

    def validate(self, name: str | None) -> None:
        where = type(self).__name__ if name is None else f"parameter {name!r}"
        if self.scaling_type == "ReverseLogarithmic":
            raise ValueError(
                f"{where}: ReverseLogarithmic scaling is only valid for continuous "
                "ranges, not integer ones"
            )
        for what in ("min_value", "max_value"):
            v = getattr(self, what)
            if isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)):
                if abs(int(v)) > MAX_INTEGER_MAGNITUDE:
                    raise ValueError(f"{where}: {what} must be within +-2**40, got {v}")
        super().validate(name)
        for what in ("min_value", "max_value"):
            v = getattr(self, what)
            if not float(v).is_integer():
                raise ValueError(f"{where}: {what} must be an integer, got {v}")
            if abs(v) > MAX_INTEGER_MAGNITUDE:
                raise ValueError(f"{where}: {what} must be within +-2**40, got {v}")
        self.min_value, self.max_value = int(self.min_value), int(self.max_value)


CategoricalValue = str | int | float | bool


def category_key(value: Any) -> tuple[str, Any]:
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
    if is_real(value):
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
        copy.copy(self).validate(None)  # check now; the values stay as given

    def validate(self, name: str | None) -> None:
        where = type(self).__name__ if name is None else f"parameter {name!r}"
        if not self.values:
            raise ValueError(f"{where}: a categorical range needs at least one value")
        if len(self.values) > MAX_CATEGORICAL_VALUES:
            raise ValueError(
                f"{where}: at most {MAX_CATEGORICAL_VALUES} categorical values, "
                f"got {len(self.values)}"
            )
        seen: set[tuple[str, Any]] = set()
        for v in self.values:
            if not isinstance(v, (str, bool, np.bool_)) and not is_real(v):
                raise TypeError(
                    f"{where}: categorical values must be str, int, float or bool, "
                    f"got {type(v).__name__} {v!r}"
                )
            if is_real(v) and not math.isfinite(float(v)):
                raise ValueError(f"{where}: categorical values must be finite, got {v!r}")
            key = category_key(v)
            if key in seen:
                raise ValueError(f"{where}: categorical value {v!r} is duplicated")
            seen.add(key)
        self._index = {category_key(v): i for i, v in enumerate(self.values)}
        # values of an exact type -> index, for the hot path of encode
        self._fast = {
            (type(v), v): i for i, v in enumerate(self.values) if type(v) in (str, int, float, bool)
        }

    def exact_indices(self, column: list[Any]) -> list[int | None]:
        """The index of each value of ``column`` found by its exact type and value (the fast
        path of encoding), None where that does not find it (:meth:`lookup` then decides)."""
        return list(map(self._fast.get, zip(map(type, column), column, strict=True)))

    def lookup(self, v: Any) -> int:
        i = self._fast.get((type(v), v))
        if i is None:
            i = self._index[category_key(v)]
        return i

    def core_spec(self) -> tuple[core.Kind, core.Scale, float, float]:
        return (core.Kind.Categorical, core.Scale.Linear, 0.0, float(len(self.values)))

    @classmethod
    def cast_to_type(cls, value: Any) -> str:
        """``value`` as the SDK's categorical values are: a string."""
        return str(value)

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is one of the values, or the text of one (the SDK keeps the values
        as strings, so ``"32"`` is a value of ``CategoricalParameter([32, 64])`` there too).

        >>> p = CategoricalParameter([32, 64, "auto"])
        >>> p.is_valid(32), p.is_valid("32"), p.is_valid(48)
        (True, True, False)
        """
        with contextlib.suppress(TypeError):  # an unhashable value is no value of the range
            keys = {category_key(v) for v in self.values}
            if category_key(value) in keys:
                return True
        return str(value) in {str(v) for v in self.values}

    def as_tuning_range(self, name: str) -> dict[str, Any]:
        """``{"Name", "Values"}``, values as strings.

        >>> CategoricalParameter([32, "auto"]).as_tuning_range("bs")
        {'Name': 'bs', 'Values': ['32', 'auto']}
        """
        return {"Name": name, "Values": [str(v) for v in self.values]}

    def as_json_range(self, name: str) -> dict[str, Any]:
        """``{"Name", "Values"}`` with each value's string JSON-encoded, as the SDK sends a
        framework estimator's categorical range.

        >>> CategoricalParameter([32, "auto"]).as_json_range("bs")
        {'Name': 'bs', 'Values': ['"32"', '"auto"']}
        """
        return {"Name": name, "Values": [json.dumps(str(v)) for v in self.values]}

    def __repr__(self) -> str:
        return f"CategoricalParameter({self.values!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, CategoricalParameter)
        return [category_key(v) for v in self.values] == [category_key(v) for v in other.values]

    __hash__ = None  # type: ignore[assignment]


def copy_parameter(name: str, p: Any) -> Parameter:
    if isinstance(p, CategoricalParameter):
        return CategoricalParameter(p.values)
    if isinstance(p, (ContinuousParameter, IntegerParameter)):
        return type(p)(p.min_value, p.max_value, p.scaling_type)
    raise TypeError(
        f"parameter {name!r}: ranges must map names to ContinuousParameter, IntegerParameter or "
        f"CategoricalParameter, got {type(p).__name__}"
    )


def same_value(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # e.g. numpy arrays
        return False

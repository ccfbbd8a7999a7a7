"""Hyperparameter tables of the built-in algorithms: names, types, defaults, valid ranges.

SageMaker passes every hyperparameter as a string (``hyperparameters.json``); amtune's runners
may pass numbers and booleans. :meth:`HyperparameterTable.parse` converts and validates them all
and raises :class:`HyperparameterError` naming the hyperparameter and the rule it breaks:

>>> from amtune.builtin.hyperparameters import Continuous, HyperparameterTable, Interval
>>> table = HyperparameterTable("demo", [Continuous("eta", Interval(0, 1), default=0.3)])
>>> table.parse({"eta": "0.1"})
{'eta': 0.1}
>>> try:
...     table.parse({"eta": "1.5"})
... except ValueError as exc:
...     print(exc)
hyperparameter 'eta': must be a number in [0, 1], got '1.5'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amtune.space import CategoricalParameter, ContinuousParameter, IntegerParameter, Parameter

__all__ = [
    "Categorical",
    "CommaList",
    "Continuous",
    "Hyperparameter",
    "HyperparameterError",
    "HyperparameterTable",
    "Integer",
    "Interval",
]


class HyperparameterError(ValueError):
    """A hyperparameter value that breaks the algorithm's rules (the message names both)."""


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


@dataclass(frozen=True)
class Interval:
    """The valid values of a number: ``lo``/``hi`` (None: unbounded), open or closed ends."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def __contains__(self, x: float) -> bool:
        if self.lo is not None and (x <= self.lo if self.lo_open else x < self.lo):
            return False
        return not (self.hi is not None and (x >= self.hi if self.hi_open else x > self.hi))

    def describe(self) -> str:
        if self.lo is not None and self.hi is not None:
            return (
                f"in {'(' if self.lo_open else '['}{_fmt(self.lo)}, "
                f"{_fmt(self.hi)}{')' if self.hi_open else ']'}"
            )
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {_fmt(self.lo)}"
        if self.hi is not None:
            return f"{'<' if self.hi_open else '<='} {_fmt(self.hi)}"
        return "any number"


@dataclass(frozen=True)
class Recommended:
    """SageMaker's recommended tuning range of a tunable hyperparameter."""

    min_value: float | None = None
    max_value: float | None = None
    values: tuple[str, ...] | None = None
    scaling_type: str = "Auto"


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: ``name``, ``default`` (None: not set unless given), ``required``,
    ``words`` (strings also valid besides the typed values, e.g. ``"auto"``), ``recommended``
    (SageMaker's recommended tuning range; the hyperparameter is tunable when it is set)."""

    name: str
    default: Any = None
    required: bool = False
    words: tuple[str, ...] = ()
    recommended: Recommended | None = None
    doc: str = ""

    kind = "String"

    def convert(self, raw: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def rule(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def parse(self, raw: Any) -> Any:
        if self.words and isinstance(raw, str) and raw.strip().lower() in self.words:
            return raw.strip().lower()
        try:
            return self.convert(raw)
        except (TypeError, ValueError):
            rule = self.rule() + "".join(f" or {w!r}" for w in self.words)
            raise HyperparameterError(
                f"hyperparameter {self.name!r}: must be {rule}, got {raw!r}"
            ) from None

    def to_parameter(self) -> Parameter:
        r = self.recommended
        if r is None:
            raise ValueError(f"hyperparameter {self.name!r} is not tunable")
        if r.values is not None:
            return CategoricalParameter(list(r.values))
        assert r.min_value is not None and r.max_value is not None
        if self.kind == "Integer":
            return IntegerParameter(int(r.min_value), int(r.max_value), r.scaling_type)
        return ContinuousParameter(float(r.min_value), float(r.max_value), r.scaling_type)


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise TypeError
    if isinstance(raw, str):
        raw = raw.strip()
    v = float(raw)
    if not math.isfinite(v):
        raise ValueError
    return v


@dataclass(frozen=True)
class Continuous(Hyperparameter):
    interval: Interval = field(default_factory=Interval)
    kind = "Continuous"

    def __init__(self, name: str, interval: Interval | None = None, **kw: Any) -> None:
        super().__init__(name, **kw)
        object.__setattr__(self, "interval", interval or Interval())

    def rule(self) -> str:
        d = self.interval.describe()
        return "a number" if d == "any number" else f"a number {d}"

    def convert(self, raw: Any) -> float:
        v = _number(raw)
        if v not in self.interval:
            raise ValueError
        return v


@dataclass(frozen=True)
class Integer(Hyperparameter):
    interval: Interval = field(default_factory=Interval)
    kind = "Integer"

    def __init__(self, name: str, interval: Interval | None = None, **kw: Any) -> None:
        super().__init__(name, **kw)
        object.__setattr__(self, "interval", interval or Interval())

    def rule(self) -> str:
        d = self.interval.describe()
        return "an integer" if d == "any number" else f"an integer {d}"

    def convert(self, raw: Any) -> int:
        v = _number(raw)
        if not v.is_integer() or v not in self.interval:
            raise ValueError
        return int(v)


@dataclass(frozen=True)
class Categorical(Hyperparameter):
    """One of ``choices`` (compared as strings; booleans become ``"true"``/``"false"``)."""

    choices: tuple[str, ...] = ()
    case_insensitive: bool = False
    kind = "Categorical"

    def __init__(
        self, name: str, choices: Iterable[str], case_insensitive: bool = False, **kw: Any
    ) -> None:
        super().__init__(name, **kw)
        object.__setattr__(self, "choices", tuple(choices))
        object.__setattr__(self, "case_insensitive", case_insensitive)

    def rule(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def convert(self, raw: Any) -> str:
        s = ("true" if raw else "false") if isinstance(raw, bool) else str(raw).strip()
        for c in self.choices:
            if s == c or (self.case_insensitive and s.lower() == c.lower()):
                return c
        raise ValueError


@dataclass(frozen=True)
class CommaList(Hyperparameter):
    """A comma-separated list of items, each checked by ``item`` (a :class:`Categorical` or
    :class:`Hyperparameter` whose ``parse`` validates one item)."""

    item: Hyperparameter | None = None
    kind = "CommaList"

    def __init__(self, name: str, item: Hyperparameter, **kw: Any) -> None:
        super().__init__(name, **kw)
        object.__setattr__(self, "item", item)

    def rule(self) -> str:
        assert self.item is not None
        return f"a comma-separated list whose items are each {self.item.rule()}"

    def convert(self, raw: Any) -> list[Any]:
        assert self.item is not None
        parts = raw if isinstance(raw, list) else str(raw).split(",")
        items = [p.strip() if isinstance(p, str) else p for p in parts]
        if not items or any(p == "" for p in items):
            raise ValueError
        return [self.item.convert(p) for p in items]


class HyperparameterTable:
    """An algorithm's hyperparameters; :meth:`parse` returns every value with defaults filled."""

    def __init__(
        self, algorithm: str, params: Iterable[Hyperparameter], ignored: Iterable[str] = ()
    ) -> None:
        self.algorithm = algorithm
        self.params: dict[str, Hyperparameter] = {p.name: p for p in params}
        #: names accepted and not validated (SageMaker's internal ones, e.g. ``_kfold``)
        self.ignored = frozenset(ignored)

    def __getitem__(self, name: str) -> Hyperparameter:
        return self.params[name]

    def __iter__(self) -> Any:
        return iter(self.params.values())

    def tunable(self) -> dict[str, Hyperparameter]:
        return {n: p for n, p in self.params.items() if p.recommended is not None}

    def parse(self, raw: Mapping[str, Any], fill_defaults: bool = True) -> dict[str, Any]:
        """Validate ``raw`` (strings or numbers); unknown names, missing required ones and values
        out of range raise :class:`HyperparameterError`. With ``fill_defaults`` the documented
        defaults of the hyperparameters not given are added."""
        out: dict[str, Any] = {}
        for name, value in raw.items():
            if name in self.ignored or name.startswith("sagemaker_"):
                continue
            p = self.params.get(name)
            if p is None:
                raise HyperparameterError(
                    f"hyperparameter {name!r}: not a hyperparameter of {self.algorithm} (valid: "
                    f"{', '.join(sorted(self.params))})"
                )
            out[name] = p.parse(value)
        for p in self.params.values():
            if p.name in out:
                continue
            if p.required:
                raise HyperparameterError(
                    f"hyperparameter {p.name!r}: required by {self.algorithm} and not given "
                    f"(must be {p.rule()})"
                )
            if fill_defaults and p.default is not None:
                out[p.name] = p.default
        return out

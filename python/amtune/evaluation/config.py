"""Offline evaluation configs, SageMaker style: ``{"Type": "Holdout", ...}`` or
``{"Type": "KFold", ...}``.

=========  ============================================================================
Holdout    ``ValidationFraction`` (default 0.2, in (0, 1)), ``Seed`` (default 0): the
           ``train`` channel's records are split once into ``train`` and ``validation``
KFold      ``K`` (default 5, 2 to 100), ``Seed`` (default 0), ``Shuffle`` (default true):
           ``K`` folds; every configuration is trained ``K`` times, fold ``i`` being the
           ``validation`` channel of run ``i`` and the other folds its ``train`` channel
=========  ============================================================================

When to use which: holdout costs one training run per configuration and is the choice for large
data sets, where a 20 % validation set already estimates the objective well; k-fold costs ``K``
runs per configuration and pays off on small data sets, where one split's score is noisy and the
tuning job would chase the noise (``benchmarks/bench_kfold_holdout.py`` measures both).

>>> parse_evaluation({"Type": "KFold", "K": 3})
KFold(k=3, seed=0, shuffle=True)
>>> parse_evaluation({"Type": "Holdout", "ValidationFraction": 1.5})
Traceback (most recent call last):
...
amtune.errors.FieldError: evaluation.ValidationFraction: must be a number in (0, 1), got 1.5
>>> parse_evaluation({"type": "KFold", "k": 1})   # the snake_case spelling of the amtune shape
Traceback (most recent call last):
...
amtune.errors.FieldError: evaluation.k: must be an integer from 2 to 100, got 1
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from amtune.errors import FieldError

__all__ = ["Holdout", "KFold", "json_schema", "parse_cli_evaluation", "parse_evaluation"]

MAX_K = 100


@dataclass(frozen=True)
class Holdout:
    """Split ``train`` once into ``train`` and ``validation`` (``validation_fraction`` of the
    records, chosen at random with ``seed``)."""

    kind: ClassVar[str] = "Holdout"
    validation_fraction: float = 0.2
    seed: int = 0

    def to_sagemaker(self) -> dict[str, Any]:
        return {
            "Type": "Holdout",
            "ValidationFraction": self.validation_fraction,
            "Seed": self.seed,
        }

    @property
    def runs(self) -> int:
        return 1


@dataclass(frozen=True)
class KFold:
    """``k`` folds of the ``train`` channel (shuffled with ``seed`` unless ``shuffle`` is False)."""

    kind: ClassVar[str] = "KFold"
    k: int = 5
    seed: int = 0
    shuffle: bool = True

    def to_sagemaker(self) -> dict[str, Any]:
        return {"Type": "KFold", "K": self.k, "Seed": self.seed, "Shuffle": self.shuffle}

    @property
    def runs(self) -> int:
        return self.k


EvaluationConfig = Holdout | KFold

#: The fields of each type, by their SageMaker-style name.
FIELDS: dict[str, tuple[str, ...]] = {
    "Holdout": ("Type", "ValidationFraction", "Seed"),
    "KFold": ("Type", "K", "Seed", "Shuffle"),
}
#: The snake_case spellings the amtune config shape may use instead (``{type: KFold, k: 5}``).
SNAKE = {
    "type": "Type",
    "validation_fraction": "ValidationFraction",
    "seed": "Seed",
    "k": "K",
    "shuffle": "Shuffle",
}


def _int(v: Any, path: str, lo: int, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
        rule = f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
        raise FieldError(path, f"must be {rule}, got {v!r}")
    return v


def parse_evaluation(doc: Any, path: str = "evaluation") -> EvaluationConfig:
    """A :class:`Holdout` or :class:`KFold` from its dict (or the object itself).

    Keys are SageMaker-style (``Type``, ``ValidationFraction``, ``K``, ``Seed``, ``Shuffle``) or
    their snake_case spellings (``type``, ``validation_fraction``, ``k``, ...; not both for one
    field). A bad value raises :class:`~amtune.errors.FieldError` (a ``ValueError``) whose
    ``path`` is ``path`` plus the key as written, e.g. ``evaluation.K``.
    """
    if isinstance(doc, (Holdout, KFold)):
        doc = doc.to_sagemaker()
    if not isinstance(doc, Mapping):
        raise FieldError(
            path,
            "must be a dict such as {'Type': 'Holdout', 'ValidationFraction': 0.2} or "
            f"{{'Type': 'KFold', 'K': 5}}, got {doc!r}",
        )
    spelled: dict[str, str] = {}  # canonical name -> the key as the user wrote it
    values: dict[str, Any] = {}
    for key, value in doc.items():
        name = SNAKE.get(key, key) if isinstance(key, str) else key
        if name in spelled:
            raise FieldError(
                f"{path}.{key}", f"given twice (as {spelled[name]!r} and {key!r}); keep one"
            )
        spelled[name] = str(key)
        values[name] = value

    def at(name: str) -> str:
        return f"{path}.{spelled.get(name, name)}"

    kind = values.get("Type")
    if "Type" not in values:
        raise FieldError(at("Type"), "required: 'Holdout' or 'KFold'")
    if kind not in FIELDS:
        raise FieldError(at("Type"), f"must be 'Holdout' or 'KFold', got {kind!r}")
    extra = [k for k in values if k not in FIELDS[kind]]
    if extra:
        raise FieldError(
            at(extra[0]),
            f"unknown field for {kind} (allowed: {', '.join(sorted(FIELDS[kind]))})",
        )
    seed = _int(values.get("Seed", 0), at("Seed"), 0)
    if kind == "Holdout":
        f = values.get("ValidationFraction", 0.2)
        if (
            isinstance(f, bool)
            or not isinstance(f, (int, float))
            or not math.isfinite(f)
            or not 0 < f < 1
        ):
            raise FieldError(at("ValidationFraction"), f"must be a number in (0, 1), got {f!r}")
        return Holdout(float(f), seed)
    shuffle = values.get("Shuffle", True)
    if not isinstance(shuffle, bool):
        raise FieldError(at("Shuffle"), f"must be true or false, got {shuffle!r}")
    return KFold(_int(values.get("K", 5), at("K"), 2, MAX_K), seed, shuffle)


def json_schema(snake_case: bool = False) -> dict[str, Any]:
    """The JSON Schema of an evaluation config: the SageMaker-style keys, and with
    ``snake_case`` their snake_case spellings as well (the amtune config shape)."""
    seed = {"type": "integer", "minimum": 0, "default": 0}
    properties = {
        "Holdout": {
            "ValidationFraction": {
                "type": "number",
                "exclusiveMinimum": 0,
                "exclusiveMaximum": 1,
                "default": 0.2,
            },
            "Seed": seed,
        },
        "KFold": {
            "K": {"type": "integer", "minimum": 2, "maximum": MAX_K, "default": 5},
            "Seed": seed,
            "Shuffle": {"type": "boolean", "default": True},
        },
    }
    camel_to_snake = {v: k for k, v in SNAKE.items()}
    variants = []
    for kind, props in properties.items():
        for spell in (str, camel_to_snake.__getitem__) if snake_case else (str,):
            variants.append(
                {
                    "type": "object",
                    "properties": {
                        spell("Type"): {"const": kind},
                        **{spell(k): v for k, v in props.items()},
                    },
                    "required": [spell("Type")],
                    "additionalProperties": False,
                }
            )
    return {
        "description": "amtune extension: offline evaluation of every training job on a split "
        "of its 'train' channel, Holdout or KFold (see amtune.evaluation)",
        "oneOf": variants,
    }


def parse_cli_evaluation(spec: str) -> EvaluationConfig:
    """``holdout``, ``holdout:0.25``, ``kfold`` or ``kfold:10`` (the CLI's ``--evaluation``)."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    try:
        if kind == "holdout":
            return parse_evaluation(
                {"Type": "Holdout", **({"ValidationFraction": float(arg)} if arg else {})},
                "--evaluation",
            )
        if kind == "kfold":
            return parse_evaluation(
                {"Type": "KFold", **({"K": int(arg)} if arg else {})}, "--evaluation"
            )
    except ValueError as exc:
        if str(exc).startswith("--evaluation"):
            raise
        raise ValueError(f"--evaluation: bad number in {spec!r}") from None
    raise ValueError(f"--evaluation: holdout[:FRACTION] or kfold[:K], got {spec!r}")

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
ValueError: evaluation.ValidationFraction: must be a number in (0, 1), got 1.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Holdout", "KFold", "parse_cli_evaluation", "parse_evaluation"]

MAX_K = 100


@dataclass(frozen=True)
class Holdout:
    """Split ``train`` once into ``train`` and ``validation`` (``validation_fraction`` of the
    records, chosen at random with ``seed``)."""

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

    k: int = 5
    seed: int = 0
    shuffle: bool = True

    def to_sagemaker(self) -> dict[str, Any]:
        return {"Type": "KFold", "K": self.k, "Seed": self.seed, "Shuffle": self.shuffle}

    @property
    def runs(self) -> int:
        return self.k


EvaluationConfig = Holdout | KFold


def _int(v: Any, path: str, lo: int, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
        rule = f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
        raise ValueError(f"{path}: must be {rule}, got {v!r}")
    return v


def parse_evaluation(doc: Any, path: str = "evaluation") -> EvaluationConfig:
    """A :class:`Holdout` or :class:`KFold` from its dict (or the object itself)."""
    if isinstance(doc, (Holdout, KFold)):
        doc = doc.to_sagemaker()
    if not isinstance(doc, Mapping):
        raise ValueError(
            f"{path}: must be a dict such as {{'Type': 'Holdout', 'ValidationFraction': 0.2}} or "
            f"{{'Type': 'KFold', 'K': 5}}, got {doc!r}"
        )
    kind = doc.get("Type")
    allowed = {
        "Holdout": {"Type", "ValidationFraction", "Seed"},
        "KFold": {"Type", "K", "Seed", "Shuffle"},
    }
    if kind not in allowed:
        raise ValueError(f"{path}.Type: must be 'Holdout' or 'KFold', got {kind!r}")
    extra = set(doc) - allowed[kind]
    if extra:
        raise ValueError(
            f"{path}.{sorted(extra)[0]}: unknown field for {kind} (allowed: "
            f"{', '.join(sorted(allowed[kind]))})"
        )
    seed = _int(doc.get("Seed", 0), f"{path}.Seed", 0)
    if kind == "Holdout":
        f = doc.get("ValidationFraction", 0.2)
        if (
            isinstance(f, bool)
            or not isinstance(f, (int, float))
            or not math.isfinite(f)
            or not 0 < f < 1
        ):
            raise ValueError(f"{path}.ValidationFraction: must be a number in (0, 1), got {f!r}")
        return Holdout(float(f), seed)
    shuffle = doc.get("Shuffle", True)
    if not isinstance(shuffle, bool):
        raise ValueError(f"{path}.Shuffle: must be true or false, got {shuffle!r}")
    return KFold(_int(doc.get("K", 5), f"{path}.K", 2, MAX_K), seed, shuffle)


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

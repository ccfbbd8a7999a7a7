"""How a tuning job (or one training job) runs under an evaluation config.

* **Holdout**: the ``train`` channel is replaced by the split's ``train`` and a ``validation``
  channel is added; the runner is unchanged. Every training job gets the same split.
* **KFold**: the runner is wrapped in a :class:`~amtune.evaluation.kfold_runner.KFoldRunner`;
  the tuning job runs ``ceil(max_parallel_jobs / K)`` configurations at once and at most
  ``max_parallel_jobs`` fold runs at once.

A ``validation`` channel of the user's cannot be combined with an evaluation config (the config
makes it): that is a ``ValueError``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.evaluation.config import EvaluationConfig, Holdout, parse_evaluation
from amtune.evaluation.kfold_runner import KFoldRunner
from amtune.evaluation.splits import Split, prepare_split

__all__ = ["EvaluationPlan", "apply_evaluation", "check_channels"]


def check_channels(cfg: EvaluationConfig, channels: Mapping[str, Any]) -> None:
    """The channel rules of an evaluation config (``ValueError`` naming the channel)."""
    kind = "Holdout" if isinstance(cfg, Holdout) else "KFold"
    if "train" not in channels:
        raise ValueError(f"channels: {kind} evaluation splits the 'train' channel; none is given")
    if "validation" in channels:
        raise ValueError(
            f"channels.validation: {kind} evaluation makes the validation channel from 'train'; "
            f"remove the validation channel (or the evaluation config)"
        )


@dataclass
class EvaluationPlan:
    """What a tuning job does differently under ``config``: its channels, the configurations it
    runs at once, and the runner wrapper (k-fold)."""

    config: EvaluationConfig
    split: Split
    channels: dict[str, str]
    parallel_configurations: int
    max_processes: int

    def wrap(self, runner: Any) -> Any:
        if isinstance(self.config, Holdout):
            return runner
        return KFoldRunner(runner, self.split.runs, self.max_processes)


def apply_evaluation(
    evaluation: Any,
    channels: Mapping[str, str],
    max_parallel_jobs: int,
    root: str | os.PathLike[str],
) -> EvaluationPlan:
    """Prepare the split (once, under ``root``) and return the plan."""
    cfg = parse_evaluation(evaluation)
    check_channels(cfg, channels)
    split = prepare_split(cfg, channels["train"], Path(root))
    if isinstance(cfg, Holdout):
        chans = {**channels, **split.runs[0]}
        return EvaluationPlan(cfg, split, chans, max_parallel_jobs, max_parallel_jobs)
    return EvaluationPlan(
        cfg,
        split,
        dict(channels),
        max(1, math.ceil(max_parallel_jobs / cfg.k)),
        max_parallel_jobs,
    )

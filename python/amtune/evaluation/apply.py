"""How a tuning job runs under an evaluation config (``HyperparameterTuner(evaluation=...)``).

* **Holdout**: every training job gets the split's ``train`` and ``validation`` channels instead
  of the ``train`` channel (:class:`ChannelOverlayRunner`); one run per configuration.
* **KFold**: every training job is ``K`` fold runs
  (:class:`~amtune.evaluation.kfold_runner.KFoldRunner`); ``max_parallel_jobs`` bounds the fold
  runs running at once, and the tuning job runs ``ceil(max_parallel_jobs / K)`` configurations
  at once, so the folds of one configuration run side by side.

The split is written once under ``<jobs root>/evaluation/`` (:mod:`amtune.evaluation.splits`)
when the tuning job starts (and found again on resume). A ``validation`` channel of the user's
cannot be combined with an evaluation config (the config makes it): a ``ValueError`` when the
tuner is created. The stored config keeps the ``Evaluation`` document and the user's
``MaxParallelTrainingJobs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from amtune.errors import FieldError
from amtune.evaluation.config import EvaluationConfig, Holdout, parse_evaluation
from amtune.evaluation.kfold_runner import KFoldRunner
from amtune.evaluation.splits import Split, check_records, prepare_split
from amtune.runners.events import EventQueue
from amtune.runners.spec import Handle, JobSpec, Runner

__all__ = [
    "ChannelOverlayRunner",
    "EvaluationPlan",
    "check_evaluation",
    "evaluated_runner",
    "plan_evaluation",
    "record_evaluation",
]


def check_evaluation(
    evaluation: Any,
    channels: Mapping[str, Any],
    path: str = "evaluation",
    channels_path: str = "channels",
) -> EvaluationConfig:
    """Parse the config and check the channel rules: a ``train`` channel that exists and holds
    the records the split needs (2 for holdout, ``K`` for k-fold), no ``validation`` channel.
    :class:`~amtune.errors.FieldError` naming the field (under ``path``) or the channel (under
    ``channels_path``)."""
    cfg = parse_evaluation(evaluation, path)
    kind = cfg.kind
    if "train" not in channels:
        given = ", ".join(sorted(channels)) or "none"
        raise FieldError(
            f"{channels_path}.train",
            f"required: {kind} evaluation splits the 'train' channel into train and "
            f"validation (channels given: {given})",
        )
    if "validation" in channels:
        raise FieldError(
            f"{channels_path}.validation",
            f"{kind} evaluation makes the validation channel from 'train'; "
            f"remove the validation channel (or the evaluation config)",
        )
    if not Path(channels["train"]).exists():
        raise FieldError(
            f"{channels_path}.train",
            f"the channel's data must exist; no such file or directory: {channels['train']}",
        )
    try:  # enough records for the split (reading stops once there are)
        check_records(cfg, channels["train"])
    except FieldError as exc:
        raise _renamed(exc, path, channels_path) from None
    return cfg


def _renamed(exc: FieldError, path: str, channels_path: str) -> FieldError:
    """``exc`` (about ``evaluation...`` or ``channels...``) about the caller's fields."""
    for old, new in (("channels", channels_path), ("evaluation", path)):
        if exc.path == old or exc.path.startswith((old + ".", old + "[")):
            return FieldError(new + exc.path[len(old) :], exc.rule)
    return exc


class ChannelOverlayRunner(Runner):
    """Runs ``inner`` with ``channels`` laid over every training job's channels."""

    def __init__(self, inner: Runner, channels: Mapping[str, str]) -> None:
        self.inner = inner
        self.overlay = dict(channels)
        self.kind = inner.kind

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        return self.inner.start(replace(spec, channels={**spec.channels, **self.overlay}), events)

    def close(self) -> None:
        self.inner.close()


@dataclass
class EvaluationPlan:
    """A prepared evaluation: the split, the fold runs at once, the configurations at once."""

    config: EvaluationConfig
    split: Split
    max_processes: int
    parallel_configurations: int

    def wrap(self, runner: Runner) -> Runner:
        if isinstance(self.config, Holdout):
            return ChannelOverlayRunner(runner, self.split.runs[0])
        return KFoldRunner(runner, self.split.runs, self.max_processes)


def plan_evaluation(
    config: EvaluationConfig, channels: Mapping[str, str], max_parallel_jobs: int, root: Path
) -> EvaluationPlan:
    """Prepare the split under ``root / "evaluation"``; ``max_parallel_jobs`` (the user's) bounds
    the fold runs, ``parallel_configurations`` is what the tuning job runs at once."""
    split = prepare_split(config, channels["train"], root / "evaluation")
    runs = int(max_parallel_jobs)
    at_once = runs if isinstance(config, Holdout) else max(1, math.ceil(runs / config.k))
    return EvaluationPlan(config, split, runs, at_once)


def record_evaluation(config: dict[str, Any], plan: EvaluationPlan | None) -> dict[str, Any]:
    """Add the ``Evaluation`` document (and the user's parallelism) to a stored job config."""
    if plan is None:
        return config
    config["Evaluation"] = plan.config.to_sagemaker()
    limits = config["HyperParameterTuningJobConfig"]["ResourceLimits"]
    limits["MaxParallelTrainingJobs"] = plan.max_processes
    config.setdefault("amtune", {})["evaluation_split"] = str(plan.split.root)
    return config


def evaluated_runner(
    evaluation: Any,
    channels: Mapping[str, str],
    runner: Runner,
    root: Path,
    max_parallel_runs: int = 1,
    channels_path: str = "channels",
    path: str = "evaluation",
) -> tuple[Runner, EvaluationPlan]:
    """For one training job (``Estimator.fit``, ``amtune train``): check the config (errors
    name ``path`` and ``channels_path``), split the ``train`` channel under
    ``root / "evaluation"`` and wrap ``runner``; the k-fold runs of the job run
    ``max_parallel_runs`` at a time."""
    cfg = check_evaluation(evaluation, channels, path, channels_path)
    try:
        plan = plan_evaluation(cfg, channels, max_parallel_runs, root)
    except FieldError as exc:  # the data changed since the check
        raise _renamed(exc, path, channels_path) from None
    return plan.wrap(runner), plan

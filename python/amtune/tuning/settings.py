"""The settings of a tuning job that the driver and the rules read (a ``HyperparameterTuner``
provides them)."""

from __future__ import annotations

import os
from typing import Any, Protocol

from amtune.sagemaker.config import TuningJobCompletionCriteriaConfig, WarmStartConfig
from amtune.space.search_space import SearchSpace
from amtune.store import Store


class TuningJobSettings(Protocol):
    """What a tuning job is asked to do: objective, space, strategy, limits, rules, where to run."""

    objective_metric_name: str
    objective_type: str
    space: SearchSpace
    strategy: str
    strategy_config: dict[str, Any]
    max_jobs: int
    max_parallel_jobs: int
    max_runtime_in_seconds: float | None
    max_runtime_per_training_job: float | None
    early_stopping_type: str
    completion_criteria_config: TuningJobCompletionCriteriaConfig | None
    warm_start_config: WarmStartConfig | None
    random_seed: int | None
    max_retry_attempts: int
    channels: dict[str, str]
    output_path: str | None
    stop_grace_seconds: float
    db: str | os.PathLike[str] | None

    @property
    def store(self) -> Store: ...

"""A tuning job's estimator rebuilt from its stored training job definition
(``HyperparameterTuner.attach``, ``best_estimator``), and the arguments of a warm-start tuner
made from a tuner (``transfer_learning_tuner``, ``identical_dataset_and_algorithm_tuner``).

The estimator's class is the framework class the SageMaker SDK records in the static
hyperparameters (``sagemaker_estimator_class_name``: ``SKLearn``, ``PyTorch``, ...), else
``Estimator``, as the SDK's ``attach`` derives it; its arguments are read by
:func:`amtune.sagemaker.rebuild.estimator_arguments`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from amtune.sagemaker import estimator as sm_estimator
from amtune.sagemaker.document import StoredConfig
from amtune.sagemaker.rebuild import estimator_arguments, estimator_class_name


def estimator_class(static: Mapping[str, Any]) -> type[sm_estimator.EstimatorBase]:
    """The amtune estimator class named in ``static`` (``Estimator`` when none is)."""
    name = estimator_class_name(static)
    found = getattr(sm_estimator, name, None) if name else None
    if isinstance(found, type) and issubclass(found, sm_estimator.EstimatorBase):
        return found
    return sm_estimator.Estimator


def tuning_job_estimator(
    config: Mapping[str, Any], db: str | os.PathLike[str] | None
) -> sm_estimator.EstimatorBase | None:
    """The estimator of a stored tuning job (None for a tuning job of a Python function)."""
    stored = StoredConfig(config)
    if stored.command is None:
        return None
    tjd = stored.training_job_definition
    static = dict(tjd.get("StaticHyperParameters") or {})
    cls = estimator_class(static)
    args = estimator_arguments(tjd, static, issubclass(cls, sm_estimator.Framework))
    est: sm_estimator.EstimatorBase = cls(**args, db=db, notices=False)
    return est


def warm_start_arguments(tuner: Any, estimator: Any = None) -> tuple[list[Any], dict[str, Any]]:
    """``(positional, keyword)`` arguments of a tuner with ``tuner``'s settings, on ``estimator``
    (None: the tuner's own training code and settings). A new estimator brings its own static
    hyperparameters, metric definitions, environment and limits, as in the SageMaker SDK."""
    same = estimator is None
    args = [
        tuner.estimator if same else estimator,
        tuner.objective_metric_name,
        tuner.space if same else dict(tuner.space.ranges),
    ]
    kwargs: dict[str, Any] = {
        "objective_type": str(tuner.objective_type),
        "strategy": tuner.strategy,
        "strategy_config": dict(tuner.strategy_config) or None,
        "max_jobs": tuner.max_jobs,
        "max_parallel_jobs": tuner.max_parallel_jobs,
        "max_runtime_in_seconds": tuner.max_runtime_in_seconds,
        "base_tuning_job_name": tuner.base_tuning_job_name,
        "completion_criteria_config": tuner.completion_criteria_config,
        "early_stopping_type": tuner.early_stopping_type,
        "runner": tuner.runner,
        "channels": dict(tuner.channels) or None,
        "stop_grace_seconds": tuner.stop_grace_seconds,
        "cluster": tuner.cluster,
        "quiet": tuner.quiet,
    }
    if same:
        kwargs.update(
            metric_definitions=tuner.metric_definitions or None,
            max_retry_attempts=tuner.max_retry_attempts,
            max_runtime_per_training_job=tuner.max_runtime_per_training_job,
            output_path=tuner.output_path,
            working_dir=tuner.working_dir,
            env=dict(tuner.env) or None,
            evaluation=None if tuner.evaluation is None else tuner.evaluation.to_sagemaker(),
        )
    return args, kwargs

"""A tuning job's estimator rebuilt from its stored training job definition
(``HyperparameterTuner.attach``, ``best_estimator``), and the arguments of a warm-start tuner
made from a tuner (``transfer_learning_tuner``, ``identical_dataset_and_algorithm_tuner``).

The estimator's class is ``attach``'s ``estimator_cls`` (``"module.Class"``), else the class the
SageMaker SDK records in the static hyperparameters (``sagemaker_estimator_class_name`` in
``sagemaker_estimator_module``: ``SKLearn``, ``PyTorch``, ..., or a user's subclass, imported
from its module), else ``Estimator``, as the SDK's ``attach`` derives it; an SDK module
(``sagemaker.sklearn.estimator``) names amtune's class of that name. Its arguments are read by
:func:`amtune.sagemaker.rebuild.estimator_arguments`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

from amtune.sagemaker import estimator as sm_estimator
from amtune.sagemaker.document import StoredConfig
from amtune.sagemaker.rebuild import estimator_arguments, estimator_class_name
from amtune.sagemaker.toolkit import decode_value


def _named_class(module: str | None, name: str) -> type[sm_estimator.EstimatorBase] | None:
    """Estimator class ``name`` of ``module``: amtune's class of that name for the SDK's modules
    (``sagemaker...``) and without a module, else imported from ``module`` (a user's subclass);
    None when there is no such estimator class."""
    if module is None or module == "sagemaker" or module.startswith("sagemaker."):
        found = getattr(sm_estimator, name, None)
    else:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            found = None
    if isinstance(found, type) and issubclass(found, sm_estimator.EstimatorBase):
        return found
    return None


def estimator_class(
    static: Mapping[str, Any], estimator_cls: str | type | None = None
) -> type[sm_estimator.EstimatorBase]:
    """The estimator class of a tuning job (see the module doc; ``Estimator`` when none is
    named). An ``estimator_cls`` that names no estimator class is a ``ValueError``."""
    if isinstance(estimator_cls, type) and issubclass(estimator_cls, sm_estimator.EstimatorBase):
        return estimator_cls
    if estimator_cls is not None:
        module, _, cls_name = str(estimator_cls).rpartition(".")
        found = _named_class(module or None, cls_name)
        if found is None:
            raise ValueError(
                f"estimator_cls: must name an estimator class ('module.Class'), got "
                f"{estimator_cls!r}"
            )
        return found
    recorded = estimator_class_name(static)
    if recorded is None:
        return sm_estimator.Estimator
    module = decode_value(static.get("sagemaker_estimator_module"))
    found = _named_class(module if isinstance(module, str) else None, recorded)
    return found or sm_estimator.Estimator


def tuning_job_estimator(
    config: Mapping[str, Any],
    db: str | os.PathLike[str] | None,
    estimator_cls: str | type | None = None,
) -> sm_estimator.EstimatorBase | None:
    """The estimator of a stored tuning job (None for a tuning job of a Python function)."""
    stored = StoredConfig(config)
    if stored.command is None:
        return None
    tjd = stored.training_job_definition
    static = dict(tjd.get("StaticHyperParameters") or {})
    cls = estimator_class(static, estimator_cls)
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

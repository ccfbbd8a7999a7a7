"""A tuning job whose training code is an estimator, as the SageMaker SDK's tuner builds it.

The SDK's ``HyperparameterTuner(estimator, objective_metric_name, hyperparameter_ranges, ...)``
takes the estimator's hyperparameters as the static ones, minus the tuned ones (silently), adds
``sagemaker_estimator_class_name`` / ``sagemaker_estimator_module`` (the SDK's module, e.g.
``sagemaker.sklearn.estimator``) for framework estimators, and
uses the tuner's metric definitions, else the estimator's. :func:`training_from_estimator` gives
the tuning job those pieces: the command, its directory and environment, the static
hyperparameters, the metric definitions and the per-job limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from amtune.errors import FieldError
from amtune.sagemaker.estimator import EstimatorBase, Framework, sdk_estimator_module
from amtune.sagemaker.inputs import resolve_inputs, resolve_inputs_with_types
from amtune.space import CategoricalParameter


@dataclass
class EstimatorTraining:
    """What a tuning job takes from an estimator."""

    command: list[str]
    working_dir: str
    env: dict[str, str]
    static_hyperparameters: dict[str, str]
    metric_definitions: list[dict[str, str]]
    max_runtime_per_training_job: float | None
    max_retry_attempts: int | None
    instance_type: str
    estimator_class: str
    framework: bool = False

    def json_encoded_ranges(self, ranges: Any) -> list[str]:
        """The tuned hyperparameters the SDK sends JSON-encoded: a framework estimator's
        categorical ranges (``CategoricalParameter.as_json_range``)."""
        if not self.framework:
            return []
        items = ranges.ranges if hasattr(ranges, "ranges") else ranges
        return [k for k, p in dict(items).items() if isinstance(p, CategoricalParameter)]


def is_estimator(obj: Any) -> bool:
    return isinstance(obj, EstimatorBase)


def class_metadata(estimator: EstimatorBase) -> dict[str, str]:
    """``sagemaker_estimator_class_name`` and ``sagemaker_estimator_module`` of ``estimator``,
    JSON-encoded, as the SDK adds them to a tuning job's static hyperparameters (always for a
    framework estimator; for another with ``fit(include_cls_metadata=True)``), so that
    ``HyperparameterTuner.attach`` rebuilds the estimator's class."""
    return {
        "sagemaker_estimator_class_name": json.dumps(type(estimator).__name__),
        "sagemaker_estimator_module": json.dumps(sdk_estimator_module(type(estimator))),
    }


def training_from_estimator(
    estimator: EstimatorBase,
    tuned: Sequence[str],
    metric_definitions: Sequence[Mapping[str, str]] | None,
) -> EstimatorTraining:
    """The pieces of a tuning job whose training jobs run ``estimator`` (see the module doc)."""
    command, wd = estimator.training_command()
    static = {**estimator.hyperparameters(), **estimator.container_hyperparameters("")}
    static.pop("sagemaker_job_name", None)  # each training job gets its own name
    for name in tuned:
        static.pop(name, None)
    if isinstance(estimator, Framework):
        static.update(class_metadata(estimator))
    md = [dict(d) for d in (metric_definitions or estimator.metric_definitions or [])]
    return EstimatorTraining(
        command=command,
        working_dir=wd,
        env=dict(estimator.environment),
        static_hyperparameters=static,
        metric_definitions=md,
        max_runtime_per_training_job=float(estimator.max_run) if estimator.max_run else None,
        max_retry_attempts=estimator.max_retry_attempts,
        instance_type=estimator.instance_type,
        estimator_class=type(estimator).__name__,
        framework=isinstance(estimator, Framework),
    )


def channels_from_inputs(inputs: Any) -> dict[str, str]:
    """``tuner.fit(inputs)``: channel name -> local path (checked to exist)."""
    return resolve_inputs(inputs)


def content_types_of_inputs(inputs: Any) -> dict[str, str]:
    """``tuner.fit(inputs)``: channel name -> ``ContentType`` of its ``TrainingInput``."""
    return {k: ct for k, (_, ct) in resolve_inputs_with_types(inputs).items() if ct}


def check_builtin_hyperparameters(
    image_uri: str | None, ranges: Mapping[str, Any], static: Mapping[str, Any]
) -> dict[str, Any]:
    """A tuner of ``Estimator(image_uri)`` for a built-in algorithm: its tuned ranges and static
    hyperparameters must be the image version's (as ``BuiltinTuner`` checks them), so a bad one
    fails before any training job, not once in every training job. A ``FieldError``. Returns the
    ranges to tune (a continuous range's end on an open end of the valid values moved inside:
    :func:`amtune.builtin.range_checks.inside_open_ends`)."""
    from amtune.sagemaker.requests import builtin_algorithms

    builtin = builtin_algorithms()
    algo = builtin.algorithm_for_image(image_uri) if builtin and image_uri else None
    if algo is None:
        return dict(ranges)
    from amtune.builtin.hyperparameters import HyperparameterError
    from amtune.builtin.range_checks import check_static_hyperparameters

    try:
        return check_static_hyperparameters(
            algo, ranges, static, algo.hyperparameters_for_image(image_uri)
        )
    except HyperparameterError as exc:
        raise FieldError("hyperparameters", str(exc)) from None

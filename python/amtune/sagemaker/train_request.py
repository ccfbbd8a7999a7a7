"""``amtune train CONFIG``: a CreateTrainingJob request (as the SageMaker SDK generates it) run as
one local training job.

The request is YAML or JSON. The program is ``AlgorithmSpecification.TrainingCommand`` (the one
field amtune adds), or, for script mode, ``python <sagemaker_program>`` in the code directory (see
:mod:`amtune.sagemaker.requests`); ``HyperParameters`` reach it through the training toolkit's
contract; ``InputDataConfig`` channels are local paths (``file://`` URIs, ``FileDataSource.Path``,
``FileSystemDataSource.DirectoryPath`` or an ``S3DataSource.S3Uri`` that is a local path; a
single file is a channel too); ``StoppingCondition.MaxRuntimeInSeconds`` is the time limit;
``MetricDefinitions`` (or the image's predefined ones) are matched against the output. Fields with
no local meaning (``RoleArn``, ``OutputDataConfig``, ``ResourceConfig``, ...) and the fields of a
DescribeTrainingJob response are ignored with a notice.

``Evaluation`` (top level, next to ``InputDataConfig``; an amtune extension that SageMaker does
not have) asks for offline evaluation of the job on a split of its ``train`` channel:
``{"Type": "Holdout", "ValidationFraction": 0.2, "Seed": 0}`` or ``{"Type": "KFold", "K": 5}``
(see :mod:`amtune.evaluation`). It is the same key, with the same place and shape, as in a
CreateHyperParameterTuningJob config and in ``amtune describe --json`` output.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amtune.errors import FieldError
from amtune.evaluation.apply import check_evaluation
from amtune.evaluation.config import EvaluationConfig
from amtune.metrics import validate_metric_definitions
from amtune.sagemaker.document import cloud_fields
from amtune.sagemaker.inputs import local_path
from amtune.sagemaker.requests import (
    RequestError,
    drop_response_fields,
    entrypoint_command,
    image_metric_definitions,
    training_command,
)

_ALLOWED = {
    "TrainingJobName",
    "AlgorithmSpecification",
    "HyperParameters",
    "InputDataConfig",
    "StoppingCondition",
    "Environment",
    "RetryStrategy",
    "ResourceConfig",
    "Evaluation",  # amtune's extension: offline evaluation (amtune.evaluation)
}
_IGNORED = {
    "RoleArn",
    "OutputDataConfig",
    "VpcConfig",
    "Tags",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
    "DebugHookConfig",
    "DebugRuleConfigurations",
    "TensorBoardOutputConfig",
    "ExperimentConfig",
    "ProfilerConfig",
    "ProfilerRuleConfigurations",
    "RemoteDebugConfig",
    "InfraCheckConfig",
    "SessionChainingConfig",
}
#: What a training job's description adds to its ``Evaluation`` (amtune.evaluation.report).
EVALUATION_RESPONSE_FIELDS = frozenset({"MetricSummaries", "Folds"})
_ALGO = {
    "TrainingImage",
    "TrainingInputMode",
    "MetricDefinitions",
    "TrainingCommand",
    "EnableSageMakerMetricsTimeSeries",
    "AlgorithmName",
    "ContainerEntrypoint",
    "ContainerArguments",
    "TrainingImageConfig",
}


@dataclass
class TrainingRequest:
    """A validated CreateTrainingJob request, ready to run locally."""

    name: str | None
    command: list[str]
    working_dir: str
    hyperparameters: dict[str, str]
    channels: dict[str, tuple[str, str | None]]
    metric_definitions: list[dict[str, str]]
    max_run: float | None
    environment: dict[str, str]
    instance_type: str
    request: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    evaluation: EvaluationConfig | None = None


#: ``StoppingCondition.MaxRuntimeInSeconds`` of a training job: SageMaker's bounds (botocore's
#: ``MaxRuntimeInSeconds``, an ``integer`` with min 1; "The maximum value is 28 days", the API
#: reference's ``StoppingCondition``)
MAX_RUNTIME_RANGE = (1, 28 * 24 * 3600)


def max_runtime_seconds(v: Any, path: str) -> int:
    """``v`` as a training job's ``MaxRuntimeInSeconds``: a whole number of seconds (``600`` or
    ``600.0``) from 1 to 28 days, else :class:`RequestError` naming ``path`` and the rule (NaN,
    infinity, ``True``, ``0.5`` and ``10**30`` are refused).

    >>> max_runtime_seconds(600.0, "MaxRuntimeInSeconds")
    600
    >>> max_runtime_seconds(float("nan"), "MaxRuntimeInSeconds")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    amtune.sagemaker.requests.RequestError: MaxRuntimeInSeconds: must be a whole number of ...
    """
    lo, hi = MAX_RUNTIME_RANGE
    ok = not isinstance(v, bool) and (
        isinstance(v, int) or (isinstance(v, float) and math.isfinite(v) and v.is_integer())
    )
    if not ok or not lo <= v <= hi:
        raise RequestError(
            path, f"must be a whole number of seconds from {lo} to {hi} (28 days), got {v!r}"
        )
    return int(v)


def _check_spot_wait(doc: Mapping[str, Any], sc: Mapping[str, Any]) -> None:
    """Managed spot training's rule (ignored locally, checked as SageMaker checks it):
    ``MaxWaitTimeInSeconds`` is at least ``MaxRuntimeInSeconds`` (the API reference's
    ``StoppingCondition``; SageMaker's default run time is one day)."""
    if doc.get("EnableManagedSpotTraining") is not True:
        return
    wait, run = sc.get("MaxWaitTimeInSeconds"), sc.get("MaxRuntimeInSeconds", 86400)
    if wait is None:
        return
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (wait, run))
    if numbers and wait < run:
        raise RequestError(
            "StoppingCondition.MaxWaitTimeInSeconds",
            f"must be at least MaxRuntimeInSeconds ({run}) with EnableManagedSpotTraining, "
            f"got {wait}",
        )


def _map(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise RequestError(path, f"must be an object (mapping), got {type(v).__name__}")
    return v


def parse_training_request(doc: Any, base: Path) -> TrainingRequest:
    """Validate a CreateTrainingJob document (relative paths resolve against ``base``)."""
    doc = _map(doc, "config")
    doc, notices = drop_response_fields(doc, "training")
    for k in doc:
        if k in _IGNORED:
            notices.append(f"{k}: no local meaning; ignored")
        elif k not in _ALLOWED:
            raise RequestError(str(k), f"unknown field (allowed: {', '.join(sorted(_ALLOWED))})")
    if "AlgorithmSpecification" not in doc:
        raise RequestError("AlgorithmSpecification", "required field is missing")
    A = "AlgorithmSpecification"
    algo = _map(doc[A], A)
    for k in algo:
        if k not in _ALGO:
            raise RequestError(f"{A}.{k}", f"unknown field (allowed: {', '.join(sorted(_ALGO))})")
    hps = dict(_map(doc.get("HyperParameters") or {}, "HyperParameters"))
    for k, v in hps.items():
        if not isinstance(v, str):
            raise RequestError(
                f"HyperParameters.{k}", f"must be a string (as in SageMaker), got {v!r}"
            )
    image = algo.get("TrainingImage")
    if "TrainingCommand" in algo:
        cmd = algo["TrainingCommand"]
        if isinstance(cmd, str):
            import shlex

            cmd = shlex.split(cmd)
        if not isinstance(cmd, list) or not cmd or not all(isinstance(c, str) and c for c in cmd):
            raise RequestError(
                f"{A}.TrainingCommand", f"must be a non-empty list of strings, got {cmd!r}"
            )
        command, wd = list(cmd), base
    elif (entry := entrypoint_command(algo, A)) is not None:
        command, wd = entry, base
    else:
        found = training_command(algo, hps, base, A, "HyperParameters", notices)
        if found is None:
            found = builtin_command(image)
        if found is None:
            raise RequestError(
                f"{A}.TrainingCommand",
                "required: give the local command that trains (TrainingCommand, or SageMaker's "
                "ContainerEntrypoint and ContainerArguments), or name a script-mode entry point "
                "in HyperParameters.sagemaker_program",
            )
        command, wd = found
    md = algo.get("MetricDefinitions")
    if md is None or md == []:
        md = image_metric_definitions(image)
    try:
        metric_definitions = validate_metric_definitions(md, f"{A}.MetricDefinitions")
    except (TypeError, ValueError) as exc:
        raise RequestError(f"{A}.MetricDefinitions", str(exc).split(": ", 1)[-1]) from None
    channels: dict[str, tuple[str, str | None]] = {}
    idc = doc.get("InputDataConfig") or []
    if not isinstance(idc, list):
        raise RequestError("InputDataConfig", f"must be a list of channels, got {idc!r}")
    for i, ch in enumerate(idc):
        p = f"InputDataConfig[{i}]"
        ch = _map(ch, p)
        name = ch.get("ChannelName")
        if not isinstance(name, str) or not name:
            raise RequestError(f"{p}.ChannelName", f"must be a non-empty string, got {name!r}")
        if name in channels:
            raise RequestError(f"{p}.ChannelName", f"channel {name!r} is defined twice")
        ds = _map(ch.get("DataSource"), f"{p}.DataSource")
        uri = None
        for kind, key in (
            ("S3DataSource", "S3Uri"),
            ("FileDataSource", "Path"),
            ("FileSystemDataSource", "DirectoryPath"),
        ):
            if kind in ds:
                uri = _map(ds[kind], f"{p}.DataSource.{kind}").get(key)
                where = f"{p}.DataSource.{kind}.{key}"
                break
        else:
            raise RequestError(
                f"{p}.DataSource", "needs S3DataSource, FileDataSource or FileSystemDataSource"
            )
        if isinstance(uri, str) and not uri.startswith(("s3://", "file://", "/")):
            uri = str(base / uri)
        try:
            channels[name] = (local_path(uri, where), ch.get("ContentType"))
        except ValueError as exc:
            raise RequestError(where, str(exc).split(": ", 1)[-1]) from None
    max_run = None
    sc = doc.get("StoppingCondition")
    if sc is not None:
        sc = _map(sc, "StoppingCondition")
        v = sc.get("MaxRuntimeInSeconds")
        if v is not None:
            max_run = float(max_runtime_seconds(v, "StoppingCondition.MaxRuntimeInSeconds"))
        _check_spot_wait(doc, sc)
    env = dict(_map(doc.get("Environment") or {}, "Environment"))
    for k, v in env.items():
        if not isinstance(v, str):
            raise RequestError(f"Environment.{k}", f"must be a string, got {v!r}")
    evaluation = None
    if doc.get("Evaluation") is not None:
        ev = doc["Evaluation"]
        if isinstance(ev, Mapping):  # `amtune describe --json` adds the folds' results
            for k in sorted(set(ev) & EVALUATION_RESPONSE_FIELDS):
                notices.append(f"Evaluation.{k}: a response field; ignored")
            ev = {k: v for k, v in ev.items() if k not in EVALUATION_RESPONSE_FIELDS}
        evaluation = _evaluation(ev, idc, channels)
    name = doc.get("TrainingJobName")
    rc = doc.get("ResourceConfig") or {}
    instance_type = str(_map(rc, "ResourceConfig").get("InstanceType") or "local")
    if rc:
        notices.append(
            "ResourceConfig: one local process; InstanceType is shown to the script only"
        )
    return TrainingRequest(
        name=name,
        command=command,
        working_dir=str(wd),
        hyperparameters=hps,
        channels=channels,
        metric_definitions=metric_definitions,
        max_run=max_run,
        environment=env,
        instance_type=instance_type,
        request={
            **{k: v for k, v in doc.items() if k in _ALLOWED and k != "Evaluation"},
            **({"Evaluation": evaluation.to_sagemaker()} if evaluation else {}),
            # kept for DescribeTrainingJob, which reports it as given (the model stays local)
            **({"OutputDataConfig": doc["OutputDataConfig"]} if _output(doc) else {}),
            # the role, checkpoints, VPC and flags have no local meaning; DescribeTrainingJob
            # reports them as given
            **{
                k: v
                for k, v in cloud_fields(doc).items()
                if k not in ("ResourceConfig", "OutputDataConfig", "StoppingCondition")
            },
        },
        notices=notices,
        evaluation=evaluation,
    )


def _output(doc: Mapping[str, Any]) -> bool:
    """Whether the request has an ``OutputDataConfig`` with an ``S3OutputPath`` to report."""
    out = doc.get("OutputDataConfig")
    return isinstance(out, Mapping) and isinstance(out.get("S3OutputPath"), str)


def _evaluation(
    doc: Any, idc: list[Any], channels: Mapping[str, tuple[str, str | None]]
) -> EvaluationConfig:
    """The request's ``Evaluation``, with its channel rules; errors name the request's field
    (``InputDataConfig[1]`` for the ``validation`` channel, ...)."""
    index = {ch.get("ChannelName"): i for i, ch in enumerate(idc)}
    try:
        paths = {k: p for k, (p, _) in channels.items()}
        return check_evaluation(doc, paths, "Evaluation", "InputDataConfig")
    except FieldError as exc:
        path = exc.path
        channel = path.removeprefix("InputDataConfig.")
        if channel != path and channel in index:
            path = f"InputDataConfig[{index[channel]}]"
        elif channel != path:
            path = "InputDataConfig"
        raise RequestError(path, exc.rule) from None


def builtin_command(image: Any) -> tuple[list[str], Path] | None:
    """The local program of a SageMaker built-in algorithm image (None when not one)."""
    if not isinstance(image, str) or not image:
        return None
    from amtune.sagemaker.requests import builtin_algorithms

    builtin = builtin_algorithms()
    if builtin is None:
        return None
    algo = builtin.algorithm_for_image(image)
    if algo is None:
        return None
    return algo.command_for_image(image), Path(os.getcwd())

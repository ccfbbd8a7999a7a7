"""The one writer and reader of a tuning job's stored configuration: the
``CreateHyperParameterTuningJob`` request document (``HyperParameterTuningJobConfig``,
``TrainingJobDefinition``, ``WarmStartConfig``) plus an ``amtune`` section with what SageMaker's
shape cannot hold (typed ranges, the runner, the training callable's import path, local paths).

:func:`tuning_job_config` writes it from a tuner's settings; :class:`StoredConfig` reads it back
(for ``attach``/``resume``, describe, warm start and the CLI). The store keeps it as JSON in
``tuning_jobs.config``; its shape is part of the store's contract.

>>> import amtune
>>> t = amtune.HyperparameterTuner("loss", {"x": amtune.ContinuousParameter(0.0, 1.0)},
...     objective_type="Minimize", strategy="Random", random_seed=3)
>>> doc = tuning_job_config(t, command=["python", "train.py"], callable_ref=None)
>>> stored = StoredConfig(doc)
>>> stored.objective_type, stored.objective_metric_name, stored.command
(<ObjectiveType.MINIMIZE: 'Minimize'>, 'loss', ['python', 'train.py'])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from amtune.enums import ObjectiveType
from amtune.runners.spec import DEFAULT_STOP_GRACE
from amtune.sagemaker.config import (
    HyperbandStrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
)
from amtune.space.search_space import SearchSpace
from amtune.space.serialization import ranges_from_json, ranges_to_json


def hp_strings(hps: Mapping[str, Any]) -> dict[str, str]:
    """Hyperparameter values as SageMaker shows them (strings; floats by ``repr``).

    >>> hp_strings({"lr": 0.1, "depth": 3, "opt": "adam"})
    {'lr': '0.1', 'depth': '3', 'opt': 'adam'}
    """
    return {k: (repr(v) if isinstance(v, float) else str(v)) for k, v in hps.items()}


class TunerSettings(Protocol):
    """What the writer reads of a tuner (a ``HyperparameterTuner`` provides it)."""

    objective_metric_name: str
    objective_type: str
    space: SearchSpace
    metric_definitions: list[dict[str, str]]
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
    runner: str
    channels: dict[str, str]
    content_types: dict[str, str]  # channel name -> its ContentType (inputdataconfig.json)
    training_image: str | None  # AlgorithmSpecification.TrainingImage (an estimator's image_uri)
    cloud_fields: dict[str, Any]  # the definition's fields with no local meaning (CLOUD_FIELDS)
    output_path: str | None
    working_dir: str | None
    env: dict[str, str]
    stop_grace_seconds: float


def tuning_job_config(
    s: TunerSettings, command: list[str] | None, callable_ref: str | None
) -> dict[str, Any]:
    """The stored configuration of a tuning job: the request document and the ``amtune``
    section. ``command`` is the training command (None for a callable, whose import path is
    ``callable_ref``, None when it has none)."""
    limits: dict[str, Any] = {
        "MaxNumberOfTrainingJobs": s.max_jobs,
        "MaxParallelTrainingJobs": s.max_parallel_jobs,
    }
    if s.max_runtime_in_seconds is not None:
        limits["MaxRuntimeInSeconds"] = seconds(s.max_runtime_in_seconds)
    htc: dict[str, Any] = {
        "Strategy": s.strategy,
        "HyperParameterTuningJobObjective": {
            "Type": str(s.objective_type),
            "MetricName": s.objective_metric_name,
        },
        "ResourceLimits": limits,
        "ParameterRanges": s.space.to_sagemaker(),
        "TrainingJobEarlyStoppingType": s.early_stopping_type,
        "RandomSeed": s.random_seed,
    }
    if s.completion_criteria_config is not None:
        htc["TuningJobCompletionCriteria"] = s.completion_criteria_config.to_sagemaker()
    if s.strategy == "Hyperband":
        htc["StrategyConfig"] = HyperbandStrategyConfig(**s.strategy_config).to_sagemaker()
    elif s.strategy_config:
        htc["StrategyConfig"] = dict(s.strategy_config)
    algo: dict[str, Any] = {
        "TrainingInputMode": "File",
        "MetricDefinitions": s.metric_definitions,
    }
    if command is not None:
        algo["TrainingCommand"] = command
    if s.training_image:
        algo["TrainingImage"] = s.training_image
    tjd: dict[str, Any] = {
        "StaticHyperParameters": hp_strings(s.space.static),
        "AlgorithmSpecification": algo,
    }
    if s.max_runtime_per_training_job is not None:
        tjd["StoppingCondition"] = {"MaxRuntimeInSeconds": seconds(s.max_runtime_per_training_job)}
    if s.max_retry_attempts:
        tjd["RetryStrategy"] = {"MaximumRetryAttempts": s.max_retry_attempts}
    if s.env:
        tjd["Environment"] = dict(s.env)
    for k, v in s.cloud_fields.items():
        if k == "StoppingCondition":  # MaxWaitTimeInSeconds; the tuner's limit stays the limit
            tjd["StoppingCondition"] = {**v, **tjd.get("StoppingCondition", {})}
        else:
            tjd[k] = v
    if s.channels:
        types = s.content_types
        tjd["InputDataConfig"] = [
            {
                "ChannelName": k,
                "DataSource": {"FileDataSource": {"Path": v}},
                **({"ContentType": types[k]} if types.get(k) else {}),
            }
            for k, v in s.channels.items()
        ]
    return {
        "HyperParameterTuningJobConfig": htc,
        "TrainingJobDefinition": tjd,
        "WarmStartConfig": (
            s.warm_start_config.to_sagemaker() if s.warm_start_config is not None else None
        ),
        "amtune": {
            "ranges": ranges_to_json(s.space.ranges),
            "static": dict(s.space.static),
            "strategy_config": dict(s.strategy_config),
            "runner": s.runner,
            "command": command,
            "callable": callable_ref,
            "working_dir": s.working_dir,
            "output_path": s.output_path,
            "channels": s.channels,
            "env": s.env,
            "stop_grace_seconds": s.stop_grace_seconds,
            "max_retry_attempts": s.max_retry_attempts,
            "max_runtime_per_training_job": s.max_runtime_per_training_job,
            "random_seed": s.random_seed,
            "cluster": getattr(s, "cluster", None),
        },
    }


def seconds(value: Any) -> Any:
    """A ``MaxRuntimeInSeconds`` as the API types it: an integer (``86400.0`` -> ``86400``; a
    fraction rounds up, so the limit is never shorter). Anything else is returned unchanged."""
    if isinstance(value, float) and math.isfinite(value):
        return math.ceil(value)
    return value


def channel_document(channel: Mapping[str, Any]) -> dict[str, Any]:
    """An ``InputDataConfig`` channel as describe answers show it: a ``FileDataSource`` (how
    tuning jobs store their local channels; not an API member, so boto3 would drop it) becomes
    the ``S3DataSource`` that amtune accepts back, as standalone training jobs show theirs.

    >>> ch = {"ChannelName": "train", "DataSource": {"FileDataSource": {"Path": "/d"}}}
    >>> channel_document(ch)["DataSource"]["S3DataSource"]["S3Uri"]
    'file:///d'
    """
    out = dict(channel)
    ds = out.get("DataSource")
    if isinstance(ds, Mapping) and isinstance(ds.get("FileDataSource"), Mapping):
        path = str(ds["FileDataSource"].get("Path"))
        out["DataSource"] = {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "file://" + path if path.startswith("/") else path,
                "S3DataDistributionType": "FullyReplicated",
            }
        }
    return out


def definition_document(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A training job definition (a tuning job's ``TrainingJobDefinition`` or a training job's
    request) with ``StoppingCondition.MaxRuntimeInSeconds`` an integer and its channels as
    :func:`channel_document` shows them."""
    out = dict(definition)
    sc = out.get("StoppingCondition")
    if isinstance(sc, Mapping) and "MaxRuntimeInSeconds" in sc:
        out["StoppingCondition"] = {**sc, "MaxRuntimeInSeconds": seconds(sc["MaxRuntimeInSeconds"])}
    idc = out.get("InputDataConfig")
    if isinstance(idc, list):
        out["InputDataConfig"] = [channel_document(c) if isinstance(c, Mapping) else c for c in idc]
    return out


class StoredConfig:
    """A typed view of a stored tuning-job configuration (see the module docstring).
    ``training_job_definition`` is shown as describe answers show it
    (:func:`definition_document`)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.tuning_job_config: Mapping[str, Any] = _tuning_job_document(
            config["HyperParameterTuningJobConfig"]
        )
        self.training_job_definition: Mapping[str, Any] = definition_document(
            config["TrainingJobDefinition"]
        )
        self.amtune: Mapping[str, Any] = config["amtune"]

    # ------------------------------------------------------------------ the request
    @property
    def objective_type(self) -> ObjectiveType:
        return ObjectiveType(self.tuning_job_config["HyperParameterTuningJobObjective"]["Type"])

    @property
    def objective_metric_name(self) -> str:
        return str(self.tuning_job_config["HyperParameterTuningJobObjective"]["MetricName"])

    @property
    def objective(self) -> Mapping[str, Any]:
        """``HyperParameterTuningJobObjective``."""
        return dict(self.tuning_job_config["HyperParameterTuningJobObjective"])

    @property
    def warm_start_document(self) -> Mapping[str, Any] | None:
        """``WarmStartConfig`` as stored (None without warm start)."""
        ws = self.config.get("WarmStartConfig")
        return ws or None

    @property
    def warm_start_type(self) -> str | None:
        ws = self.warm_start_document
        return None if ws is None else str(ws.get("WarmStartType"))

    @property
    def parents(self) -> list[str]:
        """The names of the warm start's parent tuning jobs."""
        ws = self.warm_start_document
        if ws is None:
            return []
        return [p["HyperParameterTuningJobName"] for p in ws["ParentHyperParameterTuningJobs"]]

    # ------------------------------------------------------------------ the amtune section
    @property
    def ranges(self) -> dict[str, dict[str, Any]]:
        """The tuned ranges in the store's JSON form (``ranges_to_json``)."""
        return dict(self.amtune["ranges"])

    @property
    def static(self) -> dict[str, Any]:
        return dict(self.amtune.get("static") or {})

    @property
    def command(self) -> list[str] | None:
        cmd = self.amtune.get("command")
        return None if not cmd else list(cmd)

    @property
    def callable_ref(self) -> str | None:
        ref = self.amtune.get("callable")
        return None if not ref else str(ref)

    def tuner_arguments(self) -> tuple[str, SearchSpace, dict[str, Any]]:
        """``(objective_metric_name, search space, keyword arguments)`` that rebuild the tuner
        that wrote this configuration (``HyperparameterTuner(name, space, **kwargs)``)."""
        htc, am = self.tuning_job_config, self.amtune
        cc = htc.get("TuningJobCompletionCriteria")
        ws = self.warm_start_document
        limits = htc["ResourceLimits"]
        space = SearchSpace(ranges_from_json(am["ranges"]), am["static"])
        kwargs: dict[str, Any] = {
            "objective_type": str(self.objective_type),
            "metric_definitions": self.training_job_definition["AlgorithmSpecification"].get(
                "MetricDefinitions"
            ),
            "strategy": htc["Strategy"],
            "max_jobs": limits["MaxNumberOfTrainingJobs"],
            "max_parallel_jobs": limits["MaxParallelTrainingJobs"],
            "max_runtime_in_seconds": limits.get("MaxRuntimeInSeconds"),
            "early_stopping_type": htc.get("TrainingJobEarlyStoppingType", "Off"),
            "completion_criteria_config": (
                TuningJobCompletionCriteriaConfig.from_sagemaker(cc) if cc else None
            ),
            "warm_start_config": WarmStartConfig.from_sagemaker(ws) if ws else None,
            "random_seed": am["random_seed"],
            "strategy_config": am.get("strategy_config"),
            "max_retry_attempts": am.get("max_retry_attempts", 0),
            "max_runtime_per_training_job": am.get("max_runtime_per_training_job"),
            "runner": am.get("runner", "process"),
            "channels": am.get("channels"),
            "output_path": am.get("output_path"),
            "working_dir": am.get("working_dir"),
            "env": am.get("env"),
            "stop_grace_seconds": am.get("stop_grace_seconds", DEFAULT_STOP_GRACE),
            "cluster": am.get("cluster"),
        }
        return self.objective_metric_name, space, kwargs


def stored_training_image(config: Mapping[str, Any]) -> str | None:
    """The ``TrainingImage`` of a stored tuning job's definition (None when it has none)."""
    algo = (config.get("TrainingJobDefinition") or {}).get("AlgorithmSpecification") or {}
    image = algo.get("TrainingImage")
    return str(image) if image else None


#: Flags of the request with no local meaning that DescribeTrainingJob reports (False unless set)
ECHOED_FLAGS = (
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
)
#: A training job definition's fields with no local meaning that describe reports as the request
#: or the estimator gave them (``StoppingCondition``: its ``MaxWaitTimeInSeconds``)
CLOUD_FIELDS = (
    "RoleArn",
    "ResourceConfig",
    "OutputDataConfig",
    "CheckpointConfig",
    "VpcConfig",
    *ECHOED_FLAGS,
)


def cloud_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``definition`` (a ``TrainingJobDefinition``, a CreateTrainingJob request)
    with no local meaning, for describe to report as given: the :data:`CLOUD_FIELDS` of their
    API type (an object, a string role, a boolean flag) and a spot job's
    ``StoppingCondition.MaxWaitTimeInSeconds``.

    >>> cloud_fields({"RoleArn": "arn:aws:iam::1:role/R", "ResourceConfig": "bad",
    ...               "StoppingCondition": {"MaxRuntimeInSeconds": 60,
    ...                                     "MaxWaitTimeInSeconds": 120}})
    {'RoleArn': 'arn:aws:iam::1:role/R', 'StoppingCondition': {'MaxWaitTimeInSeconds': 120}}
    """
    out: dict[str, Any] = {}
    for k in CLOUD_FIELDS:
        v = definition.get(k)
        kind = str if k == "RoleArn" else bool if k.startswith("Enable") else Mapping
        if isinstance(v, kind) and (kind is bool or v):
            out[k] = dict(v) if isinstance(v, Mapping) else v
    stop = definition.get("StoppingCondition")
    if isinstance(stop, Mapping) and isinstance(stop.get("MaxWaitTimeInSeconds"), (int, float)):
        out["StoppingCondition"] = {"MaxWaitTimeInSeconds": stop["MaxWaitTimeInSeconds"]}
    return out


def stored_cloud_fields(config: Mapping[str, Any]) -> dict[str, Any]:
    """The :func:`cloud_fields` of a stored tuning job's definition (kept for a resume and for
    the jobs of an ``attach``-ed tuner)."""
    return cloud_fields(config.get("TrainingJobDefinition") or {})


def stored_content_types(config: Mapping[str, Any]) -> dict[str, str]:
    """Channel name -> ``ContentType`` of a stored tuning job's ``InputDataConfig`` (what its
    training jobs' ``inputdataconfig.json`` declares; kept for a resume)."""
    tjd = config.get("TrainingJobDefinition") or {}
    return {
        str(c["ChannelName"]): str(c["ContentType"])
        for c in tjd.get("InputDataConfig") or []
        if isinstance(c, Mapping) and c.get("ChannelName") and c.get("ContentType")
    }


def _tuning_job_document(htc: Mapping[str, Any]) -> Mapping[str, Any]:
    """``HyperParameterTuningJobConfig`` with ``ResourceLimits.MaxRuntimeInSeconds`` an
    integer (stores written before it was one)."""
    limits = htc.get("ResourceLimits")
    if not isinstance(limits, Mapping) or not isinstance(limits.get("MaxRuntimeInSeconds"), float):
        return htc
    rl = {**limits, "MaxRuntimeInSeconds": seconds(limits["MaxRuntimeInSeconds"])}
    return {**htc, "ResourceLimits": rl}

"""Tuning-job config files: the amtune shape and SageMaker's CreateHyperParameterTuningJob shape.

Both load into a :class:`JobConfig` (the arguments of ``HyperparameterTuner`` plus the training
command and the job name). A file is YAML or JSON. A config that is wrong in any way raises a single
:class:`ConfigError` naming the field's path and the rule, before anything is written anywhere.

The SageMaker shape is recognised by its ``HyperParameterTuningJobConfig`` key. The training entry
point is ``TrainingJobDefinition.AlgorithmSpecification.TrainingCommand`` (a list of arguments, the
one field amtune adds); ``StoppingCondition.MaxRuntimeInSeconds`` is each training job's time limit;
``InputDataConfig`` channels with a local path (``FileDataSource.Path``,
``FileSystemDataSource.DirectoryPath`` or an ``S3DataSource.S3Uri`` that is a local path or a
``file://`` URI) become ``SM_CHANNEL_<NAME>``. Fields with no local meaning (``RoleArn``,
``OutputDataConfig``, ``ResourceConfig``, ``VpcConfig``, ``Tags``, ...) are accepted and ignored
with a notice.

The amtune shape (relative paths are relative to the config file)::

    name: demo-job                      # optional (``--name`` overrides)
    objective: {metric: "validation:accuracy", type: Maximize}
    strategy: Bayesian                  # Bayesian | Random | Grid | Hyperband
    strategy_config: {}                 # options of the strategy (Hyperband: min_resource,
                                        # max_resource; see amtune.rules.hyperband)
    max_jobs: 20
    max_parallel_jobs: 2
    max_runtime_in_seconds: 3600        # the whole tuning job
    max_runtime_per_training_job: 300   # each training job
    early_stopping_type: "Off"
    random_seed: 0
    max_retry_attempts: 0
    hyperparameters:
      learning_rate: {type: Continuous, min: 0.0001, max: 0.1, scaling: Logarithmic}
      epochs: {type: Integer, min: 5, max: 30}
      optimizer: {type: Categorical, values: [sgd, momentum]}
    static_hyperparameters: {batch_size: 32}
    metric_definitions:
      - {Name: "validation:accuracy", Regex: "validation:accuracy=([0-9.]+)"}
    command: [python, train.py]         # or a string
    channels: {train: data/train}
    env: {}
    completion_criteria: {target_objective_metric_value: 0.95}
    warm_start: {type: IdenticalDataAndAlgorithm, parents: [earlier-job]}
"""

from __future__ import annotations

import json
import math
import os
import shlex
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amtune.sagemaker.config import TuningJobCompletionCriteriaConfig, WarmStartConfig
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)

STRATEGIES = ("Bayesian", "Random", "Grid", "Hyperband")


class ConfigError(ValueError):
    """A configuration error; the message starts with the field's path."""


@dataclass
class JobConfig:
    """What a config file asks for: tuner arguments, the command, the job name, notices."""

    tuner_kwargs: dict[str, Any]
    command: list[str]
    name: str | None = None
    notices: list[str] = field(default_factory=list)
    shape: str = "amtune"


# ====================================================================== helpers
def _need_map(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise ConfigError(f"{path}: must be an object (mapping), got {type(v).__name__} {v!r}")
    return v


def _check_keys(
    doc: Mapping[str, Any],
    path: str,
    allowed: AbstractSet[str],
    required: AbstractSet[str] = frozenset(),
    ignored: AbstractSet[str] = frozenset(),
    notices: list[str] | None = None,
) -> None:
    for k in doc:
        if k in ignored:
            if notices is not None:
                notices.append(f"{path + '.' if path else ''}{k}: no local meaning; ignored")
        elif k not in allowed:
            where = f"{path}.{k}" if path else str(k)
            raise ConfigError(f"{where}: unknown field (allowed: {', '.join(sorted(allowed))})")
    for k in sorted(required):
        if k not in doc:
            where = f"{path}.{k}" if path else k
            raise ConfigError(f"{where}: required field is missing")


def _int(
    v: Any, path: str, lo: int | None = 1, hi: int | None = None, strings: bool = False
) -> int:
    if strings and isinstance(v, str):
        try:
            v = int(v)
        except ValueError:
            pass
    ok = isinstance(v, int) and not isinstance(v, bool)
    if not ok or (lo is not None and v < lo) or (hi is not None and v > hi):
        rule = (
            "an integer"
            + (f" >= {lo}" if lo is not None and hi is None else "")
            + (f" from {lo} to {hi}" if lo is not None and hi is not None else "")
        )
        raise ConfigError(f"{path}: must be {rule}, got {v!r}")
    return int(v)


def _pos(v: Any, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise ConfigError(f"{path}: must be a number > 0, got {v!r}")
    return float(v) if isinstance(v, float) else int(v)


def _str(v: Any, path: str, choices: tuple[str, ...] | None = None) -> str:
    if choices is not None and v not in choices:
        raise ConfigError(f"{path}: must be one of {', '.join(choices)}, got {v!r}")
    if not isinstance(v, str) or not v:
        raise ConfigError(f"{path}: must be a non-empty string, got {v!r}")
    return v


def _name(v: Any, path: str) -> str:
    from amtune.tuning.tuner import TUNING_JOB_NAME_RE

    if not isinstance(v, str) or not TUNING_JOB_NAME_RE.match(v):
        raise ConfigError(
            f"{path}: 1-32 letters, digits and hyphens, starting and ending with a letter or "
            f"digit (SageMaker's rule), got {v!r}"
        )
    return v


def _command(v: Any, path: str) -> list[str]:
    if isinstance(v, str):
        cmd = shlex.split(v)
    elif isinstance(v, list) and all(isinstance(a, str) for a in v):
        cmd = list(v)
    else:
        raise ConfigError(f"{path}: must be a list of strings (or one string), got {v!r}")
    if not cmd or not all(cmd):
        raise ConfigError(f"{path}: must be a non-empty list of non-empty strings, got {v!r}")
    return cmd


def _rel(base: Path, p: Any, path: str) -> str:
    if not isinstance(p, str) or not p:
        raise ConfigError(f"{path}: must be a path (string), got {p!r}")
    q = Path(p).expanduser()
    return str(q if q.is_absolute() else (base / q).resolve())


def _channel_dir(base: Path, p: Any, path: str) -> str:
    d = _rel(base, p, path)
    if not Path(d).exists():
        raise ConfigError(f"{path}: the channel's data must exist, no such file or directory: {d}")
    return d


def load_document(path: str | os.PathLike[str]) -> Any:
    """Parse a YAML or JSON file (ConfigError when it does not parse)."""
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def load_config(path: str | os.PathLike[str]) -> JobConfig:
    """Read and validate a config file of either shape."""
    doc = load_document(path)
    base = Path(path).resolve().parent
    return parse_config(doc, base)


def parse_config(doc: Any, base: Path | None = None) -> JobConfig:
    """Validate a parsed config document (relative paths resolve against ``base``)."""
    base = base or Path.cwd()
    if not isinstance(doc, Mapping):
        raise ConfigError(
            f"config: must be an object (mapping) at the top level, got {type(doc).__name__}"
        )
    if "HyperParameterTuningJobConfig" in doc or "TrainingJobDefinition" in doc:
        cfg = _parse_sagemaker(doc, base)
    else:
        cfg = _parse_amtune(doc, base)
    _check_tuner(cfg)
    return cfg


def _check_tuner(cfg: JobConfig) -> None:
    """Build the tuner once to catch what only it checks (the message is prefixed with 'config')."""
    from amtune.tuning.tuner import HyperparameterTuner

    try:
        t = HyperparameterTuner(**cfg.tuner_kwargs, quiet=True)
        t._make_runner(cfg.command)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{config_path(cfg, str(exc))}") from None


def config_path(cfg: JobConfig, msg: str) -> str:
    """Rename a tuner argument that starts ``msg`` to the config field it came from."""
    if cfg.shape == "sagemaker":
        P, T = "HyperParameterTuningJobConfig", "TrainingJobDefinition"
        mapping = {
            "metric_definitions": f"{T}.AlgorithmSpecification.MetricDefinitions",
            "strategy": f"{P}.Strategy",
            "strategy_config": f"{P}.StrategyConfig",
            "static": f"{T}.StaticHyperParameters",
            "ranges": f"{P}.ParameterRanges",
            "early_stopping_type": f"{P}.TrainingJobEarlyStoppingType",
            "completion_criteria_config": f"{P}.TuningJobCompletionCriteria",
            "warm_start_config": "WarmStartConfig",
            "job_name": "HyperParameterTuningJobName",
        }
    else:
        mapping = {
            "static": "static_hyperparameters",
            "ranges": "hyperparameters",
            "completion_criteria_config": "completion_criteria",
            "warm_start_config": "warm_start",
            "job_name": "name",
        }
    for k, v in mapping.items():
        if msg.startswith(k) and msg[len(k) : len(k) + 1] in (":", ".", "["):
            return v + msg[len(k) :]
    return msg


# ====================================================================== amtune shape
_AMTUNE_KEYS = {
    "name",
    "objective",
    "strategy",
    "strategy_config",
    "max_jobs",
    "max_parallel_jobs",
    "max_runtime_in_seconds",
    "max_runtime_per_training_job",
    "early_stopping_type",
    "random_seed",
    "max_retry_attempts",
    "hyperparameters",
    "static_hyperparameters",
    "metric_definitions",
    "command",
    "channels",
    "env",
    "completion_criteria",
    "warm_start",
    "working_dir",
    "output_path",
    "stop_grace_seconds",
}


def _range(name: str, d: Any, path: str) -> Parameter:
    d = _need_map(d, path)
    kind = d.get("type")
    if kind not in ("Continuous", "Integer", "Categorical"):
        raise ConfigError(f"{path}.type: must be Continuous, Integer or Categorical, got {kind!r}")
    try:
        if kind == "Categorical":
            _check_keys(d, path, {"type", "values"}, {"values"})
            if not isinstance(d["values"], list):
                raise ConfigError(f"{path}.values: must be a list, got {d['values']!r}")
            p: Parameter = CategoricalParameter(d["values"])
            SearchSpace({name: p})  # validates the values
            return p
        _check_keys(d, path, {"type", "min", "max", "scaling"}, {"min", "max"})
        klass = ContinuousParameter if kind == "Continuous" else IntegerParameter
        if kind == "Integer":
            for k in ("min", "max"):
                if isinstance(d[k], bool) or not isinstance(d[k], int):
                    raise ConfigError(f"{path}.{k}: must be an integer, got {d[k]!r}")
        p = klass(d["min"], d["max"], d.get("scaling", "Auto"))
        SearchSpace({name: p})  # validates bounds and scaling
        return p
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _parse_amtune(doc: Mapping[str, Any], base: Path) -> JobConfig:
    _check_keys(doc, "", _AMTUNE_KEYS, {"objective", "hyperparameters", "command"})
    obj = _need_map(doc["objective"], "objective")
    _check_keys(obj, "objective", {"metric", "type"}, {"metric"})
    kw: dict[str, Any] = {
        "objective_metric_name": _str(obj["metric"], "objective.metric"),
        "objective_type": _str(
            obj.get("type", "Maximize"), "objective.type", ("Maximize", "Minimize")
        ),
    }
    hps = _need_map(doc["hyperparameters"], "hyperparameters")
    if not hps:
        raise ConfigError("hyperparameters: at least one range to tune is needed")
    kw["hyperparameter_ranges"] = {
        str(k): _range(str(k), v, f"hyperparameters.{k}") for k, v in hps.items()
    }
    if "strategy" in doc:
        kw["strategy"] = _str(doc["strategy"], "strategy", STRATEGIES)
    if "strategy_config" in doc:
        kw["strategy_config"] = dict(_need_map(doc["strategy_config"], "strategy_config"))
    for k in ("max_jobs", "max_parallel_jobs"):
        if k in doc:
            kw[k] = _int(doc[k], k)
    if "max_retry_attempts" in doc:
        kw["max_retry_attempts"] = _int(doc["max_retry_attempts"], "max_retry_attempts", 0, 30)
    if "random_seed" in doc:
        kw["random_seed"] = _int(doc["random_seed"], "random_seed", 0)
    for k in ("max_runtime_in_seconds", "max_runtime_per_training_job", "stop_grace_seconds"):
        if k in doc:
            kw[k] = _pos(doc[k], k)
    if "early_stopping_type" in doc:
        v = doc["early_stopping_type"]
        if v is False:  # YAML 1.1 reads an unquoted Off as false
            v = "Off"
        kw["early_stopping_type"] = _str(v, "early_stopping_type", ("Off", "Auto"))
    if "static_hyperparameters" in doc:
        st = _need_map(doc["static_hyperparameters"], "static_hyperparameters")
        for k, v in st.items():
            if not isinstance(v, (str, int, float, bool)):
                raise ConfigError(
                    f"static_hyperparameters.{k}: must be a string, number or bool, got {v!r}"
                )
        kw["static_hyperparameters"] = dict(st)
    if "metric_definitions" in doc:
        kw["metric_definitions"] = doc["metric_definitions"]
    command = _command(doc["command"], "command")
    kw["working_dir"] = (
        _rel(base, doc["working_dir"], "working_dir") if "working_dir" in doc else str(base)
    )
    if "output_path" in doc:
        kw["output_path"] = _rel(base, doc["output_path"], "output_path")
    if "channels" in doc:
        ch = _need_map(doc["channels"], "channels")
        kw["channels"] = {str(k): _channel_dir(base, v, f"channels.{k}") for k, v in ch.items()}
    if "env" in doc:
        env = _need_map(doc["env"], "env")
        for k, v in env.items():
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                raise ConfigError(f"env.{k}: must be a string or number, got {v!r}")
        kw["env"] = {str(k): str(v) for k, v in env.items()}
    if "completion_criteria" in doc:
        cc = _need_map(doc["completion_criteria"], "completion_criteria")
        _check_keys(
            cc,
            "completion_criteria",
            {
                "target_objective_metric_value",
                "max_number_of_training_jobs_not_improving",
                "complete_on_convergence",
            },
        )
        c = TuningJobCompletionCriteriaConfig(**cc)
        try:
            c.validate("completion_criteria")
        except (ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
        kw["completion_criteria_config"] = c
    if "warm_start" in doc:
        ws = _need_map(doc["warm_start"], "warm_start")
        _check_keys(ws, "warm_start", {"type", "parents"}, {"parents"})
        w = WarmStartConfig(
            ws.get("type", "IdenticalDataAndAlgorithm"),
            ws["parents"] if isinstance(ws["parents"], list) else [ws["parents"]],
        )
        try:
            w.validate("warm_start")
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                str(exc).replace("warm_start.warm_start_type", "warm_start.type")
            ) from None
        kw["warm_start_config"] = w
    name = _name(doc["name"], "name") if "name" in doc else None
    return JobConfig(kw, command, name)


# ====================================================================== SageMaker shape
_TOP_ALLOWED = {
    "HyperParameterTuningJobName",
    "HyperParameterTuningJobConfig",
    "TrainingJobDefinition",
    "WarmStartConfig",
}
_TOP_IGNORED = {"Tags", "Autotune", "TrainingJobDefinitions"}
_HTC_ALLOWED = {
    "Strategy",
    "StrategyConfig",
    "HyperParameterTuningJobObjective",
    "ResourceLimits",
    "ParameterRanges",
    "TrainingJobEarlyStoppingType",
    "TuningJobCompletionCriteria",
    "RandomSeed",
}
_TJD_ALLOWED = {
    "DefinitionName",
    "TuningObjective",
    "HyperParameterRanges",
    "StaticHyperParameters",
    "AlgorithmSpecification",
    "InputDataConfig",
    "StoppingCondition",
    "RetryStrategy",
    "Environment",
}
_TJD_IGNORED = {
    "RoleArn",
    "OutputDataConfig",
    "ResourceConfig",
    "VpcConfig",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
    "HyperParameterTuningResourceConfig",
}
_ALGO_ALLOWED = {"MetricDefinitions", "TrainingCommand", "TrainingInputMode"}
_ALGO_IGNORED = {
    "TrainingImage",
    "AlgorithmName",
    "TrainingImageConfig",
    "ContainerEntrypoint",
    "ContainerArguments",
}


def _parse_sagemaker(doc: Mapping[str, Any], base: Path) -> JobConfig:
    notices: list[str] = []
    if "TrainingJobDefinitions" in doc:
        raise ConfigError(
            "TrainingJobDefinitions: several training job definitions are not supported; "
            "use one TrainingJobDefinition"
        )
    _check_keys(
        doc,
        "",
        _TOP_ALLOWED,
        {"HyperParameterTuningJobConfig", "TrainingJobDefinition"},
        _TOP_IGNORED,
        notices,
    )
    P = "HyperParameterTuningJobConfig"
    htc = _need_map(doc[P], P)
    _check_keys(htc, P, _HTC_ALLOWED, {"ResourceLimits"})
    kw: dict[str, Any] = {}
    kw["strategy"] = _str(htc.get("Strategy", "Bayesian"), f"{P}.Strategy", STRATEGIES)
    if "StrategyConfig" in htc:
        sc = _need_map(htc["StrategyConfig"], f"{P}.StrategyConfig")
        kw["strategy_config"] = dict(sc)
    tjd = _need_map(doc["TrainingJobDefinition"], "TrainingJobDefinition")
    T = "TrainingJobDefinition"
    _check_keys(tjd, T, _TJD_ALLOWED, {"AlgorithmSpecification"}, _TJD_IGNORED, notices)
    objective = htc.get("HyperParameterTuningJobObjective", tjd.get("TuningObjective"))
    opath = f"{P}.HyperParameterTuningJobObjective"
    if objective is None:
        raise ConfigError(f"{opath}: required field is missing")
    objective = _need_map(objective, opath)
    _check_keys(objective, opath, {"Type", "MetricName"}, {"Type", "MetricName"})
    kw["objective_type"] = _str(objective["Type"], f"{opath}.Type", ("Maximize", "Minimize"))
    kw["objective_metric_name"] = _str(objective["MetricName"], f"{opath}.MetricName")
    R = f"{P}.ResourceLimits"
    rl = _need_map(htc["ResourceLimits"], R)
    _check_keys(
        rl,
        R,
        {"MaxNumberOfTrainingJobs", "MaxParallelTrainingJobs", "MaxRuntimeInSeconds"},
        {"MaxParallelTrainingJobs"},
    )
    if "MaxNumberOfTrainingJobs" in rl:
        kw["max_jobs"] = _int(rl["MaxNumberOfTrainingJobs"], f"{R}.MaxNumberOfTrainingJobs")
    elif kw["strategy"] != "Grid" and not htc.get("TuningJobCompletionCriteria"):
        raise ConfigError(
            f"{R}.MaxNumberOfTrainingJobs: required unless Strategy is Grid or "
            f"TuningJobCompletionCriteria is given"
        )
    kw["max_parallel_jobs"] = _int(rl["MaxParallelTrainingJobs"], f"{R}.MaxParallelTrainingJobs")
    if "MaxRuntimeInSeconds" in rl:
        kw["max_runtime_in_seconds"] = _pos(rl["MaxRuntimeInSeconds"], f"{R}.MaxRuntimeInSeconds")
    ranges_doc = htc.get("ParameterRanges", tjd.get("HyperParameterRanges"))
    if ranges_doc is None:
        raise ConfigError(f"{P}.ParameterRanges: required field is missing")
    rpath = f"{P}.ParameterRanges" if "ParameterRanges" in htc else f"{T}.HyperParameterRanges"
    ranges_doc = _need_map(ranges_doc, rpath)
    static = tjd.get("StaticHyperParameters") or {}
    _need_map(static, f"{T}.StaticHyperParameters")
    for k, v in static.items():
        if not isinstance(v, str):
            raise ConfigError(
                f"{T}.StaticHyperParameters.{k}: must be a string (as in SageMaker), got {v!r}"
            )
    try:
        space = SearchSpace.from_sagemaker(ranges_doc)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        if msg.startswith("ParameterRanges"):
            msg = msg[len("ParameterRanges") :]
            raise ConfigError(f"{rpath}{msg}") from None
        raise ConfigError(f"{rpath}: {msg}") from None
    if not space.ranges:
        raise ConfigError(f"{rpath}: at least one range to tune is needed")
    kw["hyperparameter_ranges"] = space.ranges
    kw["static_hyperparameters"] = dict(static)
    sc_doc = htc.get("StrategyConfig")
    if kw["strategy"] == "Hyperband":
        from amtune.sagemaker.config import HyperbandStrategyConfig

        try:
            kw["strategy_config"] = HyperbandStrategyConfig.from_sagemaker(
                sc_doc if sc_doc is not None else {}, static, f"{P}.StrategyConfig"
            ).to_options()
        except (ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
    elif isinstance(sc_doc, Mapping) and "HyperbandStrategyConfig" in sc_doc:
        raise ConfigError(
            f"{P}.StrategyConfig.HyperbandStrategyConfig: only with Strategy Hyperband, "
            f"got Strategy {kw['strategy']!r}"
        )
    if "TrainingJobEarlyStoppingType" in htc:
        kw["early_stopping_type"] = _str(
            htc["TrainingJobEarlyStoppingType"],
            f"{P}.TrainingJobEarlyStoppingType",
            ("Off", "Auto"),
        )
    if "TuningJobCompletionCriteria" in htc:
        try:
            kw["completion_criteria_config"] = TuningJobCompletionCriteriaConfig.from_sagemaker(
                htc["TuningJobCompletionCriteria"], f"{P}.TuningJobCompletionCriteria"
            )
        except (ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
    if "RandomSeed" in htc:
        kw["random_seed"] = _int(htc["RandomSeed"], f"{P}.RandomSeed", 0)
    A = f"{T}.AlgorithmSpecification"
    algo = _need_map(tjd["AlgorithmSpecification"], A)
    _check_keys(algo, A, _ALGO_ALLOWED, {"TrainingCommand"}, _ALGO_IGNORED, notices)
    if "TrainingInputMode" in algo and algo["TrainingInputMode"] != "File":
        notices.append(f"{A}.TrainingInputMode: {algo['TrainingInputMode']!r} runs as File locally")
    command = _command(algo["TrainingCommand"], f"{A}.TrainingCommand")
    md = algo.get("MetricDefinitions") or []
    if not isinstance(md, list):
        raise ConfigError(f"{A}.MetricDefinitions: must be a list of {{Name, Regex}}, got {md!r}")
    from amtune.metrics import validate_metric_definitions

    try:
        kw["metric_definitions"] = validate_metric_definitions(md, f"{A}.MetricDefinitions")
    except (ValueError, TypeError) as exc:
        raise ConfigError(str(exc)) from None
    if "StoppingCondition" in tjd:
        S = f"{T}.StoppingCondition"
        sc = _need_map(tjd["StoppingCondition"], S)
        _check_keys(
            sc,
            S,
            {"MaxRuntimeInSeconds"},
            set(),
            {"MaxWaitTimeInSeconds", "MaxPendingTimeInSeconds"},
            notices,
        )
        if "MaxRuntimeInSeconds" in sc:
            kw["max_runtime_per_training_job"] = _pos(
                sc["MaxRuntimeInSeconds"], f"{S}.MaxRuntimeInSeconds"
            )
    if "RetryStrategy" in tjd:
        RS = f"{T}.RetryStrategy"
        rs = _need_map(tjd["RetryStrategy"], RS)
        _check_keys(rs, RS, {"MaximumRetryAttempts"}, {"MaximumRetryAttempts"})
        kw["max_retry_attempts"] = _int(
            rs["MaximumRetryAttempts"], f"{RS}.MaximumRetryAttempts", 0, 30
        )
    if "Environment" in tjd:
        env = _need_map(tjd["Environment"], f"{T}.Environment")
        for k, v in env.items():
            if not isinstance(v, str):
                raise ConfigError(f"{T}.Environment.{k}: must be a string, got {v!r}")
        kw["env"] = dict(env)
    if "InputDataConfig" in tjd:
        kw["channels"] = _channels(tjd["InputDataConfig"], f"{T}.InputDataConfig", base, notices)
    if "WarmStartConfig" in doc:
        try:
            kw["warm_start_config"] = WarmStartConfig.from_sagemaker(doc["WarmStartConfig"])
        except (ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
    kw["working_dir"] = str(base)
    name = None
    if "HyperParameterTuningJobName" in doc:
        name = _name(doc["HyperParameterTuningJobName"], "HyperParameterTuningJobName")
    return JobConfig(kw, command, name, notices, "sagemaker")


def _channels(doc: Any, path: str, base: Path, notices: list[str]) -> dict[str, str]:
    if not isinstance(doc, list):
        raise ConfigError(f"{path}: must be a list of channels, got {doc!r}")
    out: dict[str, str] = {}
    for i, ch in enumerate(doc):
        p = f"{path}[{i}]"
        ch = _need_map(ch, p)
        _check_keys(
            ch,
            p,
            {"ChannelName", "DataSource"},
            {"ChannelName", "DataSource"},
            {"ContentType", "CompressionType", "RecordWrapperType", "InputMode", "ShuffleConfig"},
            notices,
        )
        name = _str(ch["ChannelName"], f"{p}.ChannelName")
        if name in out:
            raise ConfigError(f"{p}.ChannelName: channel {name!r} is defined twice")
        ds = _need_map(ch["DataSource"], f"{p}.DataSource")
        if len(ds) != 1:
            raise ConfigError(
                f"{p}.DataSource: exactly one of FileDataSource, FileSystemDataSource, "
                f"S3DataSource is needed"
            )
        ((kind, src),) = ds.items()
        sp = f"{p}.DataSource.{kind}"
        src = _need_map(src, sp)
        if kind == "FileDataSource":
            _check_keys(src, sp, {"Path"}, {"Path"})
            local = src["Path"]
            lp = f"{sp}.Path"
        elif kind == "FileSystemDataSource":
            _check_keys(
                src,
                sp,
                {"DirectoryPath"},
                {"DirectoryPath"},
                {"FileSystemId", "FileSystemAccessMode", "FileSystemType"},
                notices,
            )
            local = src["DirectoryPath"]
            lp = f"{sp}.DirectoryPath"
        elif kind == "S3DataSource":
            _check_keys(
                src,
                sp,
                {"S3Uri"},
                {"S3Uri"},
                {"S3DataType", "S3DataDistributionType", "AttributeNames", "InstanceGroupNames"},
                notices,
            )
            local = src["S3Uri"]
            lp = f"{sp}.S3Uri"
            if isinstance(local, str) and local.startswith("s3://"):
                raise ConfigError(
                    f"{lp}: S3 data is not available locally; give a local path "
                    f"(or file:// URI), got {local!r}"
                )
            if isinstance(local, str) and local.startswith("file://"):
                local = local[len("file://") :]
        else:
            raise ConfigError(
                f"{p}.DataSource.{kind}: unknown data source (allowed: FileDataSource, "
                f"FileSystemDataSource, S3DataSource with a local path)"
            )
        out[name] = _channel_dir(base, local, lp)
    return out

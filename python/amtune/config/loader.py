"""Tuning-job config files: the amtune shape and SageMaker's CreateHyperParameterTuningJob shape.

Both load into a :class:`JobConfig` (the arguments of ``HyperparameterTuner`` plus the training
command and the job name). A file is YAML or JSON. A config that is wrong in any way raises a single
:class:`ConfigError` naming the field's path and the rule, before anything is written anywhere:
the pydantic models of :mod:`.models` check the structure, then the ranges, strategy, rules and
channels are checked by the same validators the Python API uses, each told the field's path.
Validating a config builds no tuner. ``amtune schema`` prints the JSON Schema of either shape.

The SageMaker shape is recognised by its ``HyperParameterTuningJobConfig`` key. The training entry
point is ``TrainingJobDefinition.AlgorithmSpecification.TrainingCommand`` (a list of arguments, the
one field amtune adds), or, in a request the SageMaker SDK generated, ``python <sagemaker_program>``
run in the config file's directory (see :mod:`amtune.sagemaker.requests`); an image's predefined
metric definitions stand in for missing ``MetricDefinitions``; the response-only fields of a
Describe response are ignored with a notice; ``StoppingCondition.MaxRuntimeInSeconds`` is each
training job's time limit;
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
      - {Name: 'validation:accuracy', Regex: 'validation:accuracy=([0-9.]+)'}  # single-quoted
    command: [python, train.py]         # or a string
    channels: {train: data/train}
    env: {}
    completion_criteria: {target_objective_metric_value: 0.95}
    warm_start: {type: IdenticalDataAndAlgorithm, parents: [earlier-job]}
    evaluation: {Type: KFold, K: 5}      # or {Type: Holdout, ValidationFraction: 0.2, Seed: 0};
                                        # snake_case keys too: {type: KFold, k: 5}

Offline evaluation (:mod:`amtune.evaluation`, an amtune extension) is ``evaluation`` in the amtune
shape and the top-level ``Evaluation`` in the SageMaker shape (beside ``TrainingJobDefinition``;
SageMaker has no such field; ``amtune describe --json`` writes it there, so its output runs
again). It needs a ``train`` channel and no ``validation`` channel; its values are checked with
the rest of the file (``evaluation.K: must be an integer from 2 to 100, got 1``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from amtune.config.errors import ConfigError, at, field_path, join
from amtune.config.fields import RULE
from amtune.config.models import (
    AmtuneConfig,
    CategoricalRange,
    Channel,
    IntegerRange,
    Range,
    SageMakerRequest,
    notices,
)
from amtune.errors import FieldError
from amtune.evaluation.apply import check_evaluation
from amtune.metrics import validate_metric_definitions
from amtune.runners.command import check_executable
from amtune.runners.dask import parse_cluster
from amtune.runners.launchable import check_directories, check_launchable
from amtune.sagemaker.config import (
    HyperbandStrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
)
from amtune.sagemaker.document import cloud_fields
from amtune.sagemaker.names import CHANNEL_NAME_RE
from amtune.sagemaker.requests import (
    RequestError,
    check_objective,
    drop_response_fields,
    entrypoint_command,
    image_metric_definitions,
    training_command,
)
from amtune.sagemaker.train_request import builtin_command
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)
from amtune.space.serialization import ranges_from_sagemaker
from amtune.strategies import check_strategy

__all__ = ["ConfigError", "JobConfig", "load_config", "load_document", "parse_config"]

M = TypeVar("M", bound=BaseModel)


@dataclass
class JobConfig:
    """What a config file asks for: tuner arguments, the command, the job name, notices.

    ``paths`` maps each tuner argument to the config field it came from, so an error the tuner
    raises later about an argument (a job name already taken, a missing parent) names the field.
    """

    tuner_kwargs: dict[str, Any]
    command: list[str]
    name: str | None = None
    notices: list[str] = field(default_factory=list)
    shape: str = "amtune"
    paths: dict[str, str] = field(default_factory=dict)
    #: channel name -> the config field that defines it
    channel_paths: dict[str, str] = field(default_factory=dict)
    #: channel name -> its ``ContentType`` (a request's ``InputDataConfig``): what the training
    #: jobs' ``inputdataconfig.json`` declares
    content_types: dict[str, str] = field(default_factory=dict)
    #: a request's ``AlgorithmSpecification.TrainingImage`` (kept in the tuning job's definition)
    training_image: str | None = None
    #: a request's definition fields with no local meaning (``RoleArn``, ``ResourceConfig``,
    #: ...), which the tuning job's description reports as given
    cloud_fields: dict[str, Any] = field(default_factory=dict)

    def field_of(self, error: FieldError) -> ConfigError:
        """``error`` (about a tuner argument) as an error about the config field it came from."""
        cut = min((i for i in (error.path.find("."), error.path.find("[")) if i >= 0), default=-1)
        head, rest = (error.path, "") if cut < 0 else (error.path[:cut], error.path[cut:])
        if head == "channels" and rest[1:] in self.channel_paths:
            return ConfigError(self.channel_paths[rest[1:]], error.rule)
        mapped = self.paths.get(head)
        return ConfigError(error.path if mapped is None else mapped + rest, error.rule)


# ====================================================================== reading files
def load_document(path: str | os.PathLike[str]) -> Any:
    """Parse a YAML or JSON file (ConfigError when it does not parse)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            str(path),
            f"the config file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start} is not UTF-8)",
        ) from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise ConfigError(str(path), f"not valid JSON: {exc}") from None
    import yaml

    try:
        return yaml.load(text, Loader=_unique_key_loader())
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), f"not valid YAML: {exc}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is an error (the last one would silently win)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ConfigError(k, "this key is given twice in the same object; keep one")
        out[k] = v
    return out


def _unique_key_loader() -> Any:
    """PyYAML's SafeLoader refusing a key given twice in one mapping (naming the key)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    dup = key in seen
                except TypeError:  # an unhashable key: SafeLoader reports it
                    break
                if dup:
                    mark = key_node.start_mark
                    raise ConfigError(
                        str(key),
                        f"this key is given twice in the same mapping (line {mark.line + 1}); "
                        f"keep one",
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    return UniqueKeyLoader


def load_config(
    path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None
) -> JobConfig:
    """Read and validate a config file of either shape; relative paths resolve against ``base``
    (default: the file's directory)."""
    doc = load_document(path)
    return parse_config(doc, Path(base).resolve() if base else Path(path).resolve().parent)


def parse_config(doc: Any, base: Path | None = None) -> JobConfig:
    """Validate a parsed config document (relative paths resolve against ``base``)."""
    base = base or Path.cwd()
    if not isinstance(doc, Mapping):
        raise ConfigError(
            "config", f"must be an object (mapping) at the top level, got {type(doc).__name__}"
        )
    if "HyperParameterTuningJobConfig" in doc or "TrainingJobDefinition" in doc:
        if "TrainingJobDefinitions" in doc:
            raise ConfigError(
                "TrainingJobDefinitions",
                "several training job definitions are not supported; use one TrainingJobDefinition",
            )
        # `amtune describe --json` and boto3's Describe... responses run again: their
        # response-only fields are dropped with a notice
        doc, dropped = drop_response_fields(doc, "tuning")
        cfg = _from_sagemaker(_validated(SageMakerRequest, doc), base)
        cfg.notices[:0] = dropped
        return cfg
    return _from_amtune(_validated(AmtuneConfig, doc), base)


# ====================================================================== structure (pydantic)
def _validated(model: type[M], doc: Mapping[str, Any]) -> M:
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise _first_error(model, exc) from None


def _first_error(model: type[BaseModel], exc: ValidationError) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc, at_loc = _walk(model, tuple(err["loc"]))
    path = field_path(loc)
    kind = err["type"]
    value = err.get("input")
    if kind == RULE:
        rule = str(err["ctx"]["rule"]) if "ctx" in err else err["msg"]
    elif kind == "missing":
        rule = "required field is missing"
    elif kind == "extra_forbidden":
        allowed = _fields(_walk(model, tuple(err["loc"])[:-1])[1])
        rule = "unknown field" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    elif kind in ("union_tag_invalid", "union_tag_not_found"):  # a discriminated union's tag
        key = str(err["ctx"]["discriminator"]).strip("'")
        tags = list(_members(_unwrap(at_loc)) or ())
        path = join(path, key)
        got = value.get(key) if isinstance(value, Mapping) else None
        if kind == "union_tag_not_found" and got is None:
            rule = "required field is missing"
        else:
            rule = f"must be {', '.join(tags[:-1])} or {tags[-1]}, got {got!r}"
    elif kind == "list_type":
        rule = f"must be a list, got {type(value).__name__} {value!r}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        rule = f"must be an object (mapping), got {type(value).__name__} {value!r}"
    else:
        rule = f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {value!r}"
    return ConfigError(path, rule)


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
    """Follow a pydantic error location through the models: the location as the file spells it
    (without the tags pydantic inserts for a discriminated union's member) and the annotation
    found there (None when ``loc`` leads outside the models)."""
    current: Any = model
    out: list[Any] = []
    for part in loc:
        current = _unwrap(current)
        members = _members(current)
        if members is not None and isinstance(part, str) and part in members:
            current = members[part]  # the union's tag, not a key of the file
            continue
        out.append(part)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields.items()
            current = next((f.annotation for n, f in fields if (f.alias or n) == part), None)
        elif get_origin(current) in (dict, list):
            current = get_args(current)[-1]  # a value of a mapping, an item of a list
        else:
            current = None
    return tuple(out), current


def _unwrap(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        args = get_args(annotation)
        if get_origin(annotation) in (Union, UnionType) and type(None) in args:
            rest = [a for a in args if a is not type(None)]
            if len(rest) == 1:
                annotation = rest[0]
                continue
        return annotation


def _members(annotation: Any) -> dict[str, Any] | None:
    """The members of a union of models by their ``type`` literal (None for anything else)."""
    if get_origin(annotation) not in (Union, UnionType):
        return None
    out = {}
    for m in get_args(annotation):
        if not (isinstance(m, type) and issubclass(m, BaseModel)) or "type" not in m.model_fields:
            return None
        for tag in get_args(m.model_fields["type"].annotation):
            out[str(tag)] = m
    return out


def _fields(annotation: Any) -> list[str]:
    """The field names the model at ``annotation`` accepts (empty for anything else)."""
    current = _unwrap(annotation)
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return sorted(f.alias or n for n, f in current.model_fields.items())


# ====================================================================== meaning
def _range(name: str, r: Range, path: str) -> Parameter:
    """The parameter of a range whose structure the model checked; the search space checks the
    bounds against the scaling and the values."""
    with at(path):
        p: Parameter
        if isinstance(r, CategoricalRange):
            p = CategoricalParameter(list(r.values))
        elif isinstance(r, IntegerRange):
            p = IntegerParameter(r.min, r.max, r.scaling)
        else:
            p = ContinuousParameter(r.min, r.max, r.scaling)
        SearchSpace({name: p})
    return p


def _resolve(base: Path, p: str, path: str) -> str:
    if "\0" in p:
        raise ConfigError(path, "the path contains a NUL character")
    q = Path(p).expanduser()
    return str(q if q.is_absolute() else (base / q).resolve())


def _channel_dir(base: Path, p: str, path: str) -> str:
    d = _resolve(base, p, path)
    if not Path(d).exists():
        raise ConfigError(path, f"the channel's data must exist, no such file or directory: {d}")
    return d


def _check_channel_name(name: str, path: str) -> None:
    if not CHANNEL_NAME_RE.fullmatch(name):
        raise ConfigError(path, f"invalid channel name {name!r} (letters, digits, . - _)")


def _check_job(cfg: JobConfig) -> JobConfig:
    """The checks across fields (what the tuner would find), each naming its config field."""
    kw, paths = cfg.tuner_kwargs, cfg.paths
    ranges = kw["hyperparameter_ranges"]
    static = kw.get("static_hyperparameters") or {}
    for k in static:
        if k in ranges:
            raise ConfigError(
                paths["static_hyperparameters"],
                f"{k!r} is also a tunable range; a name is either static or tuned",
            )
    space = SearchSpace(ranges, static)
    try:  # what a process launch cannot carry (NUL, '=' in a variable name, case collisions)
        check_launchable(
            space.names,
            space.static,
            {k: r.values for k, r in ranges.items() if isinstance(r, CategoricalParameter)},
            kw.get("env") or {},
            kw.get("channels") or {},
        )
        check_directories(kw.get("output_path"), kw.get("working_dir"))
    except FieldError as exc:
        raise cfg.field_of(exc) from None
    strategy = kw.get("strategy", "Bayesian")
    options = kw.get("strategy_config") or {}
    if strategy == "Hyperband":
        with at(paths["strategy_config"]):
            kw["strategy_config"] = options = HyperbandStrategyConfig.parse(
                options, static, paths["strategy_config"]
            ).to_options()
    elif "HyperbandStrategyConfig" in options:
        raise ConfigError(
            join(paths["strategy_config"], "HyperbandStrategyConfig"),
            f"only with Strategy Hyperband, got Strategy {strategy!r}",
        )
    with at(paths["strategy"]):
        check_strategy(strategy, options, space, paths["strategy"], paths["strategy_config"])
    if kw.get("early_stopping_type") == "Auto" and strategy == "Hyperband":
        raise ConfigError(
            paths["early_stopping_type"],
            'must be "Off" with the Hyperband strategy, which stops training jobs itself '
            "(as in SageMaker)",
        )
    if kw.get("warm_start_config") is not None and strategy not in ("Bayesian", "Random"):
        raise ConfigError(
            paths["warm_start_config"],
            f"warm start needs the Bayesian or Random strategy, got {strategy!r}",
        )
    if kw.get("evaluation") is not None:
        _check_evaluation(cfg)
    names = {d["Name"] for d in kw.get("metric_definitions") or []}
    metric = kw["objective_metric_name"]
    if metric not in names:
        raise ConfigError(
            paths["metric_definitions"],
            f"the objective metric {metric!r} needs a metric definition (a regex over the "
            f"command's output) when training is a command; defined: "
            + (", ".join(sorted(names)) if names else "none"),
        )
    try:  # a misspelled program fails here, before the first training job
        check_executable(cfg.command, kw.get("working_dir"))
    except ValueError as exc:
        raise ConfigError(paths.get("command", "command"), str(exc).split(": ", 1)[-1]) from None
    return cfg


def _check_evaluation(cfg: JobConfig) -> None:
    """The evaluation config and its channel rules (a ``train`` channel, no ``validation``),
    each error naming the config field; the parsed config replaces the document."""
    kw, paths = cfg.tuner_kwargs, cfg.paths
    try:
        kw["evaluation"] = check_evaluation(
            kw["evaluation"], kw.get("channels") or {}, paths["evaluation"], "channels"
        )
    except FieldError as exc:
        if not exc.path.startswith("channels."):
            raise ConfigError(exc.path, exc.rule) from None
        channel = exc.path.removeprefix("channels.")
        where = cfg.channel_paths.get(channel, paths["channels"])
        raise ConfigError(where, exc.rule) from None


# ====================================================================== the amtune shape
AMTUNE_PATHS = {
    "static_hyperparameters": "static_hyperparameters",
    "hyperparameter_ranges": "hyperparameters",
    "strategy": "strategy",
    "strategy_config": "strategy_config",
    "metric_definitions": "metric_definitions",
    "early_stopping_type": "early_stopping_type",
    "completion_criteria_config": "completion_criteria",
    "warm_start_config": "warm_start",
    "job_name": "name",
    "channels": "channels",
    "env": "env",
    "output_path": "output_path",
    "working_dir": "working_dir",
    "command": "command",
    "evaluation": "evaluation",
}


def _from_amtune(m: AmtuneConfig, base: Path) -> JobConfig:
    kw: dict[str, Any] = {
        "objective_metric_name": m.objective.metric,
        "objective_type": m.objective.type,
    }
    if not m.hyperparameters:
        raise ConfigError("hyperparameters", "at least one range to tune is needed")
    ranges = {k: _range(k, v, join("hyperparameters", k)) for k, v in m.hyperparameters.items()}
    kw["hyperparameter_ranges"] = ranges
    simple = (
        "strategy",
        "strategy_config",
        "max_jobs",
        "max_parallel_jobs",
        "max_retry_attempts",
        "random_seed",
        "max_runtime_in_seconds",
        "max_runtime_per_training_job",
        "stop_grace_seconds",
        "early_stopping_type",
        "static_hyperparameters",
    )
    for k in simple:
        if getattr(m, k) is not None:
            kw[k] = getattr(m, k)
    if m.metric_definitions is not None:
        with at("metric_definitions"):
            kw["metric_definitions"] = validate_metric_definitions(
                m.metric_definitions, "metric_definitions"
            )
    kw["working_dir"] = _resolve(base, m.working_dir, "working_dir") if m.working_dir else str(base)
    if m.cluster is not None:
        kw["cluster"] = _cluster(m.cluster.model_dump(exclude_none=True))
    if m.output_path is not None:
        kw["output_path"] = _resolve(base, m.output_path, "output_path")
    if m.channels is not None:
        for k in m.channels:
            _check_channel_name(k, join("channels", k))
        kw["channels"] = {
            k: _channel_dir(base, v, join("channels", k)) for k, v in m.channels.items()
        }
    if m.env is not None:
        kw["env"] = dict(m.env)
    if m.completion_criteria is not None:
        with at("completion_criteria"):
            c = TuningJobCompletionCriteriaConfig(**m.completion_criteria.model_dump())
            c.validate("completion_criteria")
        kw["completion_criteria_config"] = c
    if m.warm_start is not None:
        parents = m.warm_start.parents
        w = WarmStartConfig(m.warm_start.type, parents if isinstance(parents, list) else [parents])
        with at("warm_start"):
            w.validate("warm_start")
        kw["warm_start_config"] = w
    if m.evaluation is not None:
        kw["evaluation"] = m.evaluation
    cfg = JobConfig(kw, m.command, m.name, paths=dict(AMTUNE_PATHS))
    if m.channels is not None:
        cfg.channel_paths = {k: join("channels", k) for k in m.channels}
    return _check_job(cfg)


# ====================================================================== the SageMaker shape
#: ``ResourceLimits.MaxRuntimeInSeconds`` of a tuning job: SageMaker's bounds (botocore's
#: ``HyperParameterTuningMaxRuntimeInSeconds``: two minutes to six months)
TUNING_MAX_RUNTIME_RANGE = (120, 15_768_000)


def _from_sagemaker(m: SageMakerRequest, base: Path) -> JobConfig:
    P, T = "HyperParameterTuningJobConfig", "TrainingJobDefinition"
    A = f"{T}.AlgorithmSpecification"
    htc, tjd = m.tuning_job_config, m.training_job_definition
    out_notices = notices(m)
    kw: dict[str, Any] = {"strategy": htc.strategy}
    if htc.strategy_config is not None:
        kw["strategy_config"] = dict(htc.strategy_config)
    objective = htc.objective or tjd.tuning_objective
    if objective is None:
        raise ConfigError(f"{P}.HyperParameterTuningJobObjective", "required field is missing")
    kw["objective_type"] = objective.type
    kw["objective_metric_name"] = objective.metric_name
    R = f"{P}.ResourceLimits"
    rl = htc.resource_limits
    if rl.max_number_of_training_jobs is not None:
        kw["max_jobs"] = rl.max_number_of_training_jobs
    elif htc.strategy != "Grid" and not htc.completion_criteria:
        raise ConfigError(
            f"{R}.MaxNumberOfTrainingJobs",
            "required unless Strategy is Grid or TuningJobCompletionCriteria is given",
        )
    kw["max_parallel_jobs"] = rl.max_parallel_training_jobs
    if rl.max_runtime_in_seconds is not None:
        lo, hi = TUNING_MAX_RUNTIME_RANGE
        if not lo <= rl.max_runtime_in_seconds <= hi:
            raise ConfigError(
                f"{R}.MaxRuntimeInSeconds",
                f"must be between {lo} and {hi} seconds (as in SageMaker), "
                f"got {rl.max_runtime_in_seconds:g}",
            )
        kw["max_runtime_in_seconds"] = rl.max_runtime_in_seconds
    if htc.parameter_ranges is not None:
        rpath, ranges_doc = f"{P}.ParameterRanges", htc.parameter_ranges
    elif tjd.hyper_parameter_ranges is not None:
        rpath, ranges_doc = f"{T}.HyperParameterRanges", tjd.hyper_parameter_ranges
    else:
        raise ConfigError(f"{P}.ParameterRanges", "required field is missing")
    with at(rpath):
        ranges = ranges_from_sagemaker(ranges_doc, rpath)
        space = SearchSpace(ranges)
    if not ranges:
        raise ConfigError(rpath, "at least one range to tune is needed")
    jobs = kw.get("max_jobs")
    if htc.strategy != "Grid" and jobs is not None and space.is_finite and jobs > (space.size or 0):
        # SageMaker's ValidationException: "You don't have enough combinations of hyperparameter
        # ranges" (integer and categorical ranges only)
        raise ConfigError(
            f"{R}.MaxNumberOfTrainingJobs",
            f"the ranges have {space.size} combinations, fewer than the {jobs} training jobs "
            "(as in SageMaker: add ranges or values, or lower MaxNumberOfTrainingJobs)",
        )
    kw["hyperparameter_ranges"] = ranges
    kw["static_hyperparameters"] = dict(tjd.static_hyper_parameters or {})
    if htc.early_stopping_type is not None:
        kw["early_stopping_type"] = htc.early_stopping_type
    if htc.completion_criteria is not None:
        path = f"{P}.TuningJobCompletionCriteria"
        with at(path):
            kw["completion_criteria_config"] = TuningJobCompletionCriteriaConfig.from_sagemaker(
                htc.completion_criteria, path
            )
    if htc.random_seed is not None:
        kw["random_seed"] = htc.random_seed
    algo = tjd.algorithm_specification
    if algo.training_input_mode not in (None, "File"):
        out_notices.append(
            f"{A}.TrainingInputMode: {algo.training_input_mode!r} runs as File locally"
        )
    static = dict(tjd.static_hyper_parameters or {})
    code_dir = base
    entry_doc = {
        k: v
        for k, v in (
            ("ContainerEntrypoint", algo.container_entrypoint),
            ("ContainerArguments", algo.container_arguments),
        )
        if v is not None
    }
    if algo.training_command is not None:
        command = list(algo.training_command)
    elif entry_doc:
        try:
            entry = entrypoint_command(entry_doc, A)
        except RequestError as exc:
            raise ConfigError(exc.path, str(exc)[len(exc.path) + 2 :]) from None
        if entry is None:
            raise ConfigError(f"{A}.ContainerEntrypoint", "required with ContainerArguments")
        command = entry
    else:
        # script mode as the SDK generates it: sagemaker_program names the entry point and the
        # code is next to the request (or in a local sagemaker_submit_directory); else the local
        # implementation of a built-in algorithm's image
        try:
            found = training_command(
                {}, static, base, A, f"{T}.StaticHyperParameters", out_notices
            ) or builtin_command(algo.training_image)
        except RequestError as exc:
            raise ConfigError(exc.path, str(exc)[len(exc.path) + 2 :]) from None
        if found is None:
            raise ConfigError(
                f"{A}.TrainingCommand",
                "required field is missing (the local command that trains, or SageMaker's "
                "ContainerEntrypoint and ContainerArguments; or name a script-mode entry point "
                f"in {T}.StaticHyperParameters.sagemaker_program)",
            )
        command, code_dir = found[0], found[1]
        if "sagemaker_program" in static:
            # SageMaker adds the objective to every tuning job's static hyperparameters (the
            # SDK's HyperparameterTuner.attach removes it); the toolkit does not pass it to the
            # script. A built-in image's command gets it from the tuner (tuning_objective_static).
            kw["static_hyperparameters"].setdefault(
                "_tuning_objective_metric", kw["objective_metric_name"]
            )
    md = algo.metric_definitions or []
    if not md and algo.training_image:
        # SageMaker uses an algorithm or framework image's predefined metric definitions
        md = image_metric_definitions(algo.training_image)
        if md:
            try:
                check_objective(
                    kw["objective_metric_name"],
                    md,
                    str(algo.training_image),
                    f"{P}.HyperParameterTuningJobObjective.MetricName",
                )
            except RequestError as exc:
                raise ConfigError(exc.path, str(exc)[len(exc.path) + 2 :]) from None
    with at(f"{A}.MetricDefinitions"):
        kw["metric_definitions"] = validate_metric_definitions(md, f"{A}.MetricDefinitions")
    if tjd.stopping_condition is not None and tjd.stopping_condition.max_runtime_in_seconds:
        kw["max_runtime_per_training_job"] = tjd.stopping_condition.max_runtime_in_seconds
    if tjd.retry_strategy is not None:
        kw["max_retry_attempts"] = tjd.retry_strategy.maximum_retry_attempts
    if tjd.environment is not None:
        kw["env"] = dict(tjd.environment)
    if tjd.input_data_config is not None:
        kw["channels"] = _channels(tjd.input_data_config, f"{T}.InputDataConfig", base)
    if m.warm_start_config is not None:
        with at("WarmStartConfig"):
            kw["warm_start_config"] = WarmStartConfig.from_sagemaker(m.warm_start_config)
    if m.evaluation is not None:
        kw["evaluation"] = m.evaluation
    kw["working_dir"] = str(code_dir)
    paths = {
        "static_hyperparameters": f"{T}.StaticHyperParameters",
        "hyperparameter_ranges": rpath,
        "strategy": f"{P}.Strategy",
        "strategy_config": f"{P}.StrategyConfig",
        "metric_definitions": f"{A}.MetricDefinitions",
        "early_stopping_type": f"{P}.TrainingJobEarlyStoppingType",
        "completion_criteria_config": f"{P}.TuningJobCompletionCriteria",
        "warm_start_config": "WarmStartConfig",
        "job_name": "HyperParameterTuningJobName",
        "channels": f"{T}.InputDataConfig",
        "env": f"{T}.Environment",
    }
    paths["command"] = f"{A}.TrainingCommand"
    paths["evaluation"] = "Evaluation"
    cfg = JobConfig(kw, command, m.name, out_notices, "sagemaker", paths)
    if isinstance(algo.training_image, str) and algo.training_image:
        cfg.training_image = algo.training_image
    cfg.cloud_fields = cloud_fields(tjd.model_dump(by_alias=True, exclude_none=True))
    cfg.channel_paths = {
        ch.channel_name: f"{T}.InputDataConfig[{i}]"
        for i, ch in enumerate(tjd.input_data_config or [])
    }
    for i, ch in enumerate(tjd.input_data_config or []):
        if ch.content_type is None:
            continue
        if not isinstance(ch.content_type, str) or not ch.content_type.strip():
            raise ConfigError(
                f"{T}.InputDataConfig[{i}].ContentType",
                f"must be a non-empty string (a MIME type), got {ch.content_type!r}",
            )
        cfg.content_types[ch.channel_name] = ch.content_type
    return _check_job(cfg)


def _cluster(cluster: dict[str, Any]) -> dict[str, Any]:
    try:
        parse_cluster(cluster)
    except ValueError as exc:
        raise ConfigError("cluster.scheduler", str(exc).removeprefix("cluster: ")) from None
    return cluster


def _channels(channels: list[Channel], path: str, base: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, ch in enumerate(channels):
        p = f"{path}[{i}]"
        name = ch.channel_name
        _check_channel_name(name, f"{p}.ChannelName")
        if name in out:
            raise ConfigError(f"{p}.ChannelName", f"channel {name!r} is defined twice")
        source, local = ch.data_source.local()
        lp = f"{p}.DataSource.{source}"
        if source.startswith("S3DataSource") and local.startswith("s3://"):
            raise ConfigError(
                lp,
                f"S3 data is not available locally; give a local path (or file:// URI), "
                f"got {local!r}",
            )
        if local.startswith("file://"):
            local = local[len("file://") :]
        out[name] = _channel_dir(base, local, lp)
    return out

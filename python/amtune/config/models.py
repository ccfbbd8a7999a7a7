"""The two shapes of a job config file as pydantic models: the amtune shape (snake_case) and
SageMaker's ``CreateHyperParameterTuningJob`` request (its CamelCase names are the fields'
aliases). The models check structure (known fields, required fields, types, ranges of numbers);
:mod:`.loader` then checks the meaning (ranges, strategy options, rules, channels) and builds the
job config. :func:`json_schema` is the JSON Schema editors use to complete and check a file.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator

from amtune.config.fields import (
    Command,
    EnvValue,
    Integer,
    JobName,
    List_,
    Mapping_,
    NonEmptyString,
    Number,
    Path_,
    PositiveInt,
    PositiveNumber,
    SageMakerString,
    Scalar,
    choice_check,
    integer_check,
    integer_schema,
    mapping_check,
    rule_error,
)
from amtune.enums import ObjectiveType
from amtune.evaluation.config import json_schema as evaluation_schema
from amtune.sagemaker.config import EARLY_STOPPING_TYPES, MAX_RETRY_ATTEMPTS, WARM_START_TYPES
from amtune.space.parameters import SCALING_TYPES

STRATEGIES = ("Bayesian", "Random", "Grid", "Hyperband")
OBJECTIVE_TYPES = tuple(str(t) for t in ObjectiveType)

RetryAttempts: TypeAlias = Annotated[
    int,
    PlainValidator(integer_check(0, MAX_RETRY_ATTEMPTS)),
    WithJsonSchema(integer_schema(0, MAX_RETRY_ATTEMPTS)),
]
#: SageMaker's RandomSeed is an `integer` shape: 0 to 2**31 - 1
RandomSeed: TypeAlias = Annotated[
    int,
    PlainValidator(integer_check(0, 2**31 - 1)),
    WithJsonSchema(integer_schema(0, 2**31 - 1)),
]
StrategyName: TypeAlias = Annotated[
    str, PlainValidator(choice_check(STRATEGIES)), WithJsonSchema({"enum": list(STRATEGIES)})
]
ObjectiveTypeName: TypeAlias = Annotated[
    str,
    PlainValidator(choice_check(OBJECTIVE_TYPES)),
    WithJsonSchema({"enum": list(OBJECTIVE_TYPES)}),
]
EarlyStoppingType: TypeAlias = Annotated[
    str,
    # YAML 1.1 reads an unquoted Off as false
    PlainValidator(choice_check(EARLY_STOPPING_TYPES, aliases={False: "Off"})),
    WithJsonSchema({"enum": list(EARLY_STOPPING_TYPES)}),
]
WarmStartType: TypeAlias = Annotated[
    str,
    PlainValidator(choice_check(WARM_START_TYPES)),
    WithJsonSchema({"enum": list(WARM_START_TYPES)}),
]


# An ``evaluation`` object: its structure is checked here, its values by the loader
# (amtune.evaluation.config.parse_evaluation, with the field's path); snake_case spellings are
# the amtune shape's.
AmtuneEvaluation: TypeAlias = Annotated[
    dict[str, Any], PlainValidator(mapping_check), WithJsonSchema(evaluation_schema(True))
]
SageMakerEvaluation: TypeAlias = Annotated[
    dict[str, Any], PlainValidator(mapping_check), WithJsonSchema(evaluation_schema(False))
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)
    #: fields SageMaker has that mean nothing locally: accepted, reported as ignored
    IGNORED: ClassVar[frozenset[str]] = frozenset()


# ====================================================================== the amtune shape
class Objective(_Model):
    metric: NonEmptyString
    type: ObjectiveTypeName = "Maximize"


class CompletionCriteria(_Model):
    target_objective_metric_value: Any = None
    max_number_of_training_jobs_not_improving: Any = None
    complete_on_convergence: Any = None


class WarmStart(_Model):
    type: WarmStartType = "IdenticalDataAndAlgorithm"
    parents: Any = Field(json_schema_extra={"type": "array", "items": {"type": "string"}})


ScalingName: TypeAlias = Annotated[
    str, PlainValidator(choice_check(SCALING_TYPES)), WithJsonSchema({"enum": list(SCALING_TYPES)})
]


class ContinuousRange(_Model):
    """``{type: Continuous, min: 0.001, max: 0.1, scaling: Logarithmic}``"""

    type: Literal["Continuous"]
    min: Number
    max: Number
    scaling: ScalingName = "Auto"


class IntegerRange(_Model):
    """``{type: Integer, min: 1, max: 8, scaling: Linear}``"""

    type: Literal["Integer"]
    min: Integer
    max: Integer
    scaling: ScalingName = "Auto"


class CategoricalRange(_Model):
    """``{type: Categorical, values: [sgd, adam]}``"""

    type: Literal["Categorical"]
    values: list[Scalar]


#: One range of the amtune shape, told apart by its ``type`` (the search space then checks the
#: bounds against the scaling: :func:`amtune.config.loader.parse_config`).
Range: TypeAlias = Annotated[
    ContinuousRange | IntegerRange | CategoricalRange, Field(discriminator="type")
]


class Cluster(_Model):
    """Where training jobs run when not as local processes: a Dask scheduler
    (``tcp://host:8786``) or ``local:N`` (see :mod:`amtune.runners.dask`)."""

    scheduler: NonEmptyString
    shared_filesystem: bool | None = None


class AmtuneConfig(_Model):
    """The amtune shape (see :mod:`amtune.config.loader` for an example)."""

    name: JobName | None = None
    objective: Objective
    strategy: StrategyName | None = None
    strategy_config: Mapping_ | None = None
    max_jobs: PositiveInt | None = None
    max_parallel_jobs: PositiveInt | None = None
    max_runtime_in_seconds: PositiveNumber | None = None
    max_runtime_per_training_job: PositiveNumber | None = None
    stop_grace_seconds: PositiveNumber | None = None
    early_stopping_type: EarlyStoppingType | None = None
    random_seed: RandomSeed | None = None
    max_retry_attempts: RetryAttempts | None = None
    hyperparameters: dict[str, Range] = Field(json_schema_extra={"minProperties": 1})
    static_hyperparameters: dict[str, Scalar] | None = None
    metric_definitions: List_ | None = Field(
        default=None,
        json_schema_extra={
            "items": {
                "type": "object",
                "properties": {"Name": {"type": "string"}, "Regex": {"type": "string"}},
                "required": ["Name", "Regex"],
            }
        },
    )
    command: Command
    working_dir: Path_ | None = None
    output_path: Path_ | None = None
    channels: dict[str, Path_] | None = None
    env: dict[str, EnvValue] | None = None
    completion_criteria: CompletionCriteria | None = None
    warm_start: WarmStart | None = None
    cluster: Cluster | None = None
    evaluation: AmtuneEvaluation | None = None


# ====================================================================== the SageMaker shape
class _CamelModel(_Model):
    pass


def camel(alias: str, **kw: Any) -> Any:
    return Field(alias=alias, **kw)


class TuningJobObjective(_CamelModel):
    type: ObjectiveTypeName = camel("Type")
    metric_name: NonEmptyString = camel("MetricName")


class ResourceLimits(_CamelModel):
    max_number_of_training_jobs: PositiveInt | None = camel("MaxNumberOfTrainingJobs", default=None)
    max_parallel_training_jobs: PositiveInt = camel("MaxParallelTrainingJobs")
    max_runtime_in_seconds: PositiveNumber | None = camel("MaxRuntimeInSeconds", default=None)


class TuningJobConfig(_CamelModel):
    strategy: StrategyName = camel("Strategy", default="Bayesian")
    strategy_config: Mapping_ | None = camel("StrategyConfig", default=None)
    objective: TuningJobObjective | None = camel("HyperParameterTuningJobObjective", default=None)
    resource_limits: ResourceLimits = camel("ResourceLimits")
    parameter_ranges: Mapping_ | None = camel("ParameterRanges", default=None)
    early_stopping_type: EarlyStoppingType | None = camel(
        "TrainingJobEarlyStoppingType", default=None
    )
    completion_criteria: Mapping_ | None = camel("TuningJobCompletionCriteria", default=None)
    random_seed: RandomSeed | None = camel("RandomSeed", default=None)


class AlgorithmSpecification(_CamelModel):
    IGNORED = frozenset(
        {"training_image", "algorithm_name", "training_image_config"}
        | {"enable_sage_maker_metrics_time_series"}
    )
    # without it: the SDK's script mode (sagemaker_program) or a built-in algorithm's image
    training_command: Command | None = camel("TrainingCommand", default=None)
    metric_definitions: List_ | None = camel("MetricDefinitions", default=None)
    training_input_mode: str | None = camel("TrainingInputMode", default=None)
    training_image: Any = camel("TrainingImage", default=None)
    algorithm_name: Any = camel("AlgorithmName", default=None)
    training_image_config: Any = camel("TrainingImageConfig", default=None)
    container_entrypoint: Any = camel("ContainerEntrypoint", default=None)
    container_arguments: Any = camel("ContainerArguments", default=None)
    enable_sage_maker_metrics_time_series: Any = camel(
        "EnableSageMakerMetricsTimeSeries", default=None
    )


class StoppingCondition(_CamelModel):
    IGNORED = frozenset({"max_wait_time_in_seconds", "max_pending_time_in_seconds"})
    max_runtime_in_seconds: PositiveNumber | None = camel("MaxRuntimeInSeconds", default=None)
    max_wait_time_in_seconds: Any = camel("MaxWaitTimeInSeconds", default=None)
    max_pending_time_in_seconds: Any = camel("MaxPendingTimeInSeconds", default=None)


class RetryStrategy(_CamelModel):
    maximum_retry_attempts: RetryAttempts = camel("MaximumRetryAttempts")


class FileDataSource(_CamelModel):
    path: Path_ = camel("Path")


class FileSystemDataSource(_CamelModel):
    IGNORED = frozenset({"file_system_id", "file_system_access_mode", "file_system_type"})
    directory_path: Path_ = camel("DirectoryPath")
    file_system_id: Any = camel("FileSystemId", default=None)
    file_system_access_mode: Any = camel("FileSystemAccessMode", default=None)
    file_system_type: Any = camel("FileSystemType", default=None)


class S3DataSource(_CamelModel):
    """A local path or ``file://`` URI in ``S3Uri`` (S3 itself is not available locally)."""

    IGNORED = frozenset(
        {"s3_data_type", "s3_data_distribution_type", "attribute_names", "instance_group_names"}
    )
    s3_uri: Path_ = camel("S3Uri")
    s3_data_type: Any = camel("S3DataType", default=None)
    s3_data_distribution_type: Any = camel("S3DataDistributionType", default=None)
    attribute_names: Any = camel("AttributeNames", default=None)
    instance_group_names: Any = camel("InstanceGroupNames", default=None)


class DataSource(_CamelModel):
    file: FileDataSource | None = camel("FileDataSource", default=None)
    file_system: FileSystemDataSource | None = camel("FileSystemDataSource", default=None)
    s3: S3DataSource | None = camel("S3DataSource", default=None)

    @model_validator(mode="after")
    def _exactly_one(self) -> DataSource:
        if sum(v is not None for v in (self.file, self.file_system, self.s3)) != 1:
            raise rule_error(
                "exactly one of FileDataSource, FileSystemDataSource, S3DataSource is needed"
            )
        return self

    def local(self) -> tuple[str, str]:
        """``(field, value)`` of the source: its path field's alias and the path it gives."""
        if self.file is not None:
            return "FileDataSource.Path", self.file.path
        if self.file_system is not None:
            return "FileSystemDataSource.DirectoryPath", self.file_system.directory_path
        assert self.s3 is not None
        return "S3DataSource.S3Uri", self.s3.s3_uri


class Channel(_CamelModel):
    IGNORED = frozenset({"compression_type", "record_wrapper_type", "input_mode", "shuffle_config"})
    channel_name: NonEmptyString = camel("ChannelName")
    data_source: DataSource = camel("DataSource")
    content_type: Any = camel("ContentType", default=None)
    compression_type: Any = camel("CompressionType", default=None)
    record_wrapper_type: Any = camel("RecordWrapperType", default=None)
    input_mode: Any = camel("InputMode", default=None)
    shuffle_config: Any = camel("ShuffleConfig", default=None)


class TrainingJobDefinition(_CamelModel):
    IGNORED = frozenset(
        {
            "role_arn",
            "output_data_config",
            "resource_config",
            "vpc_config",
            "enable_network_isolation",
            "enable_inter_container_traffic_encryption",
            "enable_managed_spot_training",
            "checkpoint_config",
            "hyper_parameter_tuning_resource_config",
        }
    )
    definition_name: Any = camel("DefinitionName", default=None)
    tuning_objective: TuningJobObjective | None = camel("TuningObjective", default=None)
    hyper_parameter_ranges: Mapping_ | None = camel("HyperParameterRanges", default=None)
    static_hyper_parameters: dict[str, SageMakerString] | None = camel(
        "StaticHyperParameters", default=None
    )
    algorithm_specification: AlgorithmSpecification = camel("AlgorithmSpecification")
    input_data_config: list[Channel] | None = camel("InputDataConfig", default=None)
    stopping_condition: StoppingCondition | None = camel("StoppingCondition", default=None)
    retry_strategy: RetryStrategy | None = camel("RetryStrategy", default=None)
    environment: dict[str, SageMakerString] | None = camel("Environment", default=None)
    role_arn: Any = camel("RoleArn", default=None)
    output_data_config: Any = camel("OutputDataConfig", default=None)
    resource_config: Any = camel("ResourceConfig", default=None)
    vpc_config: Any = camel("VpcConfig", default=None)
    enable_network_isolation: Any = camel("EnableNetworkIsolation", default=None)
    enable_inter_container_traffic_encryption: Any = camel(
        "EnableInterContainerTrafficEncryption", default=None
    )
    enable_managed_spot_training: Any = camel("EnableManagedSpotTraining", default=None)
    checkpoint_config: Any = camel("CheckpointConfig", default=None)
    hyper_parameter_tuning_resource_config: Any = camel(
        "HyperParameterTuningResourceConfig", default=None
    )


class SageMakerRequest(_CamelModel):
    """A ``CreateHyperParameterTuningJob`` request (one ``TrainingJobDefinition``). amtune adds
    two fields: ``TrainingJobDefinition.AlgorithmSpecification.TrainingCommand`` and the top-level
    ``Evaluation`` (offline evaluation, as in ``amtune describe`` output and CreateTrainingJob
    requests run by ``amtune train``)."""

    IGNORED = frozenset({"tags", "autotune"})
    name: JobName | None = camel("HyperParameterTuningJobName", default=None)
    tuning_job_config: TuningJobConfig = camel("HyperParameterTuningJobConfig")
    training_job_definition: TrainingJobDefinition = camel("TrainingJobDefinition")
    warm_start_config: Mapping_ | None = camel("WarmStartConfig", default=None)
    tags: Any = camel("Tags", default=None)
    autotune: Any = camel("Autotune", default=None)
    evaluation: SageMakerEvaluation | None = camel("Evaluation", default=None)


def notices(model: BaseModel, path: str = "") -> list[str]:
    """``<field>: no local meaning; ignored`` for every ignored SageMaker field the document set,
    in nested models too."""
    out: list[str] = []
    for name in type(model).model_fields:
        if name not in model.model_fields_set:
            continue
        alias = type(model).model_fields[name].alias or name
        where = f"{path}.{alias}" if path else alias
        value = getattr(model, name)
        if name in getattr(type(model), "IGNORED", frozenset()):
            out.append(f"{where}: no local meaning; ignored")
        elif isinstance(value, BaseModel):
            out += notices(value, where)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    out += notices(item, f"{where}[{i}]")
    return out


def json_schema(shape: str) -> dict[str, Any]:
    """The JSON Schema of a config shape: ``"amtune"`` or ``"sagemaker"``.

    >>> json_schema("sagemaker")["title"]
    'SageMakerRequest'
    """
    if shape == "amtune":
        schema = AmtuneConfig.model_json_schema(by_alias=True)
    elif shape == "sagemaker":
        schema = SageMakerRequest.model_json_schema(by_alias=True)
    else:
        raise ValueError(f"shape: must be 'amtune' or 'sagemaker', got {shape!r}")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

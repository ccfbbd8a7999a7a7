"""Config files: the amtune shape and SageMaker's CreateHyperParameterTuningJob request."""

import copy
import json

import pytest

from amtune.config.loader import ConfigError, load_config, parse_config

SM = {
    "HyperParameterTuningJobName": "sm-job",
    "HyperParameterTuningJobConfig": {
        "Strategy": "Random",
        "HyperParameterTuningJobObjective": {
            "Type": "Maximize",
            "MetricName": "validation:accuracy",
        },
        "ResourceLimits": {
            "MaxNumberOfTrainingJobs": 4,
            "MaxParallelTrainingJobs": 2,
            "MaxRuntimeInSeconds": 3600,
        },
        "ParameterRanges": {
            "ContinuousParameterRanges": [
                {"Name": "lr", "MinValue": "0.001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}
            ],
            "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1", "MaxValue": "5"}],
            "CategoricalParameterRanges": [{"Name": "opt", "Values": ["sgd", "adam"]}],
        },
        "TrainingJobEarlyStoppingType": "Off",
        "RandomSeed": 7,
        "TuningJobCompletionCriteria": {"TargetObjectiveMetricValue": 0.99},
    },
    "TrainingJobDefinition": {
        "StaticHyperParameters": {"epochs": "3"},
        "AlgorithmSpecification": {
            "TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/x:latest",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "validation:accuracy", "Regex": "acc=([0-9.]+)"}],
            "TrainingCommand": ["python", "train.py"],
        },
        "RoleArn": "arn:aws:iam::123:role/x",
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3Uri": "file://data/train", "S3DataType": "S3Prefix"}
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "VpcConfig": {"SecurityGroupIds": [], "Subnets": []},
        "EnableNetworkIsolation": False,
    },
    "Tags": [{"Key": "k", "Value": "v"}],
}


@pytest.fixture(autouse=True)
def _channel_data(tmp_path):
    """The channels the configs below name exist (a missing one is an error)."""
    (tmp_path / "data" / "train").mkdir(parents=True)


def test_a_channel_whose_data_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"^TrainingJobDefinition.InputDataConfig\[0\].DataSource.S3DataSource.S3Uri: the "
        r"channel's data must exist, no such file or directory: .*/nope$",
    ):
        parse_config(
            _with(
                "TrainingJobDefinition.InputDataConfig",
                [
                    {
                        "ChannelName": "train",
                        "DataSource": {"S3DataSource": {"S3Uri": "file://nope"}},
                    }
                ],
            ),
            tmp_path,
        )


def test_sagemaker_request_maps_to_the_tuner(tmp_path):
    cfg = parse_config(SM, tmp_path)
    kw = cfg.tuner_kwargs
    assert cfg.name == "sm-job" and cfg.command == ["python", "train.py"]
    assert (
        kw["objective_metric_name"] == "validation:accuracy" and kw["objective_type"] == "Maximize"
    )
    assert (
        kw["max_jobs"] == 4
        and kw["max_parallel_jobs"] == 2
        and kw["max_runtime_in_seconds"] == 3600
    )
    assert kw["max_runtime_per_training_job"] == 600
    assert kw["strategy"] == "Random" and kw["random_seed"] == 7
    assert set(kw["hyperparameter_ranges"]) == {"lr", "depth", "opt"}
    assert kw["hyperparameter_ranges"]["lr"].scaling_type == "Logarithmic"
    assert kw["static_hyperparameters"] == {"epochs": "3"}
    assert kw["channels"] == {"train": str(tmp_path / "data" / "train")}
    assert kw["completion_criteria_config"].target_objective_metric_value == 0.99
    ignored = " ".join(cfg.notices)
    for field in (
        "RoleArn",
        "OutputDataConfig",
        "ResourceConfig",
        "VpcConfig",
        "Tags",
        "EnableNetworkIsolation",
        "TrainingImage",
    ):
        assert field in ignored


def _with(path, value):
    doc = copy.deepcopy(SM)
    node = doc
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    if value is KeyError:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
            0,
            "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: "
            "must be an integer >= 1",
        ),
        (
            "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
            "4",
            "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: "
            "must be an integer",
        ),
        (
            "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs",
            KeyError,
            "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs: required field",
        ),
        (
            "HyperParameterTuningJobConfig.Strategy",
            "Genetic",
            "HyperParameterTuningJobConfig.Strategy: must be one of",
        ),
        (
            "HyperParameterTuningJobConfig.Colour",
            "red",
            "HyperParameterTuningJobConfig.Colour: unknown field",
        ),
        (
            "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type",
            "Max",
            "HyperParameterTuningJobObjective.Type: must be one of Maximize, Minimize",
        ),
        (
            "TrainingJobDefinition.AlgorithmSpecification.TrainingCommand",
            KeyError,
            "TrainingJobDefinition.AlgorithmSpecification.TrainingCommand: required field",
        ),
        (
            "TrainingJobDefinition.AlgorithmSpecification.TrainingCommand",
            "",
            "TrainingJobDefinition.AlgorithmSpecification.TrainingCommand: "
            "must be a non-empty list",
        ),
        (
            "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions",
            [{"Name": "validation:accuracy", "Regex": "acc="}],
            r"TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions\[0\].Regex: "
            "needs a capture group",
        ),
        (
            "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions",
            [{"Name": "loss", "Regex": "loss=(.*)"}],
            "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions: the objective metric",
        ),
        (
            "TrainingJobDefinition.StaticHyperParameters",
            {"epochs": 3},
            "TrainingJobDefinition.StaticHyperParameters.epochs: must be a string",
        ),
        (
            "TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds",
            -5,
            "TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds: must be a number > 0",
        ),
        (
            "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges",
            [{"Name": "depth", "MinValue": "one", "MaxValue": "5"}],
            r"HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges\[0\].MinValue",
        ),
        (
            "HyperParameterTuningJobConfig.TuningJobCompletionCriteria",
            {"BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 1}},
            "MaxNumberOfTrainingJobsNotImproving: must be an integer >= 3",
        ),
        (
            "TrainingJobDefinition.InputDataConfig",
            [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "s3://b/k"}}}],
            r"InputDataConfig\[0\].DataSource.S3DataSource.S3Uri: S3 data is not available locally",
        ),
        (
            "WarmStartConfig",
            {"WarmStartType": "Identical", "ParentHyperParameterTuningJobs": []},
            "WarmStartConfig",
        ),
        # SageMaker's limits (botocore's service model, the ParameterRanges API reference)
        (
            "HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds",
            60,
            "ResourceLimits.MaxRuntimeInSeconds: must be between 120 and 15768000 seconds",
        ),
        (
            "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges",
            [{"Name": f"x{i}", "MinValue": "0", "MaxValue": "1"} for i in range(31)],
            "ParameterRanges.ContinuousParameterRanges: at most 30 ranges",
        ),
        (  # with the request's continuous and categorical range: 31 in all
            "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges",
            [{"Name": f"n{i}", "MinValue": "0", "MaxValue": "9"} for i in range(29)],
            "ParameterRanges: at most 30 ranges in all",
        ),
        (
            "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges",
            [{"Name": "c", "Values": [str(i) for i in range(31)]}],
            r"CategoricalParameterRanges\[0\].Values: at most 30 values",
        ),
        (
            "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges",
            [{"Name": "c", "Values": ["a", "b" * 257]}],
            r"CategoricalParameterRanges\[0\].Values\[1\]: at most 256 characters",
        ),
    ],
)
def test_one_clear_error_naming_the_field(tmp_path, path, value, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(_with(path, value), tmp_path)


def test_sagemakers_limits_themselves_are_accepted(tmp_path):
    doc = _with(
        "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges",
        [{"Name": f"n{i}", "MinValue": "0", "MaxValue": "9"} for i in range(28)],
    )  # 28 + 1 continuous + 1 categorical: 30 in all
    rl = doc["HyperParameterTuningJobConfig"]["ResourceLimits"]
    rl["MaxRuntimeInSeconds"] = 120
    cat = doc["HyperParameterTuningJobConfig"]["ParameterRanges"]["CategoricalParameterRanges"]
    cat[0]["Values"] = [str(i) for i in range(29)] + ["v" * 256]
    cfg = parse_config(doc, tmp_path)
    assert len(cfg.tuner_kwargs["hyperparameter_ranges"]) == 30
    rl["MaxRuntimeInSeconds"] = 15_768_000
    parse_config(doc, tmp_path)


AMTUNE_YAML = """
name: yjob
objective: {metric: loss, type: Minimize}
strategy: Random
max_jobs: 3
max_parallel_jobs: 2
early_stopping_type: Off
hyperparameters:
  lr: {type: Continuous, min: 0.001, max: 0.1, scaling: Logarithmic}
  depth: {type: Integer, min: 1, max: 4}
  opt: {type: Categorical, values: [sgd, adam]}
static_hyperparameters: {epochs: 2}
metric_definitions:
  - {Name: loss, Regex: "loss=([0-9.]+)"}
command: python train.py --verbose
channels: {train: data}
"""


def test_amtune_yaml_config(tmp_path):
    p = tmp_path / "job.yaml"
    p.write_text(AMTUNE_YAML)
    cfg = load_config(p)
    kw = cfg.tuner_kwargs
    assert cfg.name == "yjob" and cfg.command == ["python", "train.py", "--verbose"]
    assert kw["objective_type"] == "Minimize" and kw["early_stopping_type"] == "Off"
    assert kw["hyperparameter_ranges"]["depth"].max_value == 4
    assert kw["channels"] == {"train": str(tmp_path / "data")}
    assert kw["working_dir"] == str(tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("max_jobs: 3", "max_jobs: three"), "max_jobs: must be an integer >= 1"),
        (("strategy: Random", "strategy: Random\ncolour: red"), "colour: unknown field"),
        (
            ("depth: {type: Integer, min: 1, max: 4}", "depth: {type: Integer, min: 1.5, max: 4}"),
            "hyperparameters.depth.min: must be an integer",
        ),
        (
            ("depth: {type: Integer, min: 1, max: 4}", "depth: {type: Integer, min: 5, max: 4}"),
            "hyperparameters.depth",
        ),
        (
            ("depth: {type: Integer, min: 1, max: 4}", "depth: {type: Real, min: 1, max: 4}"),
            "hyperparameters.depth.type: must be Continuous, Integer or Categorical",
        ),
        (("command: python train.py --verbose\n", ""), "command: required field is missing"),
        (
            (
                "opt: {type: Categorical, values: [sgd, adam]}",
                "opt: {type: Categorical, values: []}",
            ),
            r"^hyperparameters.opt: CategoricalParameter: a categorical range needs at least one value",
        ),
        (("name: yjob", "name: y_job"), r"^name: 1-32 letters, digits and hyphens"),
        (
            ("static_hyperparameters: {epochs: 2}", "static_hyperparameters: {depth: 2}"),
            r"^static_hyperparameters: 'depth' is also a tunable range",
        ),
        (  # YAML reads an unquoted Yes as true
            ("early_stopping_type: Off", "early_stopping_type: Yes"),
            r"^early_stopping_type: must be one of Off, Auto, got True",
        ),
        (
            ("strategy: Random", "strategy: Random\nstrategy_config: {n_initial: 3}"),
            r"^strategy_config: unknown option\(s\) \['n_initial'\] for the Random strategy",
        ),
        (
            ("strategy: Random", "strategy: Bayesian\nstrategy_config: {n_initial: -3}"),
            r"^strategy_config: n_initial must be a positive integer",
        ),
        (("channels: {train: data}", "channels: {train: nodata}"), r"^channels.train: the channel"),
    ],
)
def test_amtune_config_errors(tmp_path, edit, message):
    p = tmp_path / "job.yaml"
    p.write_text(AMTUNE_YAML.replace(*edit))
    with pytest.raises(ConfigError, match=message):
        load_config(p)


def test_json_file_and_unparsable_files(tmp_path):
    p = tmp_path / "req.json"
    p.write_text(json.dumps(SM))
    assert load_config(p).name == "sm-job"
    p.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(p)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


# ====================================================================== JSON Schema
@pytest.mark.parametrize("shape", ["amtune", "sagemaker"])
def test_the_shipped_json_schemas_match_the_models(shape):
    from amtune.config.schema import path_of, render

    # regenerate with `python -m amtune.config.schema`
    assert path_of(shape).read_text() == render(shape)


def test_the_schemas_describe_both_shapes():
    from amtune.config.models import json_schema

    am = json_schema("amtune")
    assert set(am["required"]) == {"objective", "hyperparameters", "command"}
    assert am["additionalProperties"] is False
    assert am["properties"]["max_retry_attempts"]["anyOf"][0] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 30,
    }
    sm = json_schema("sagemaker")
    htc = sm["$defs"]["TuningJobConfig"]["properties"]
    assert htc["Strategy"]["enum"] == ["Bayesian", "Random", "Grid", "Hyperband"]
    assert "ResourceLimits" in sm["$defs"]["TuningJobConfig"]["required"]


def test_the_schema_subcommand_prints_a_schema(capsys):
    from amtune.cli import main

    assert main(["schema", "sagemaker"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["title"] == "SageMakerRequest"


def test_a_yaml_config_that_the_schema_accepts_loads(tmp_path):
    # the example of the README/loader docstring is valid for the schema's structure too
    p = tmp_path / "job.yaml"
    p.write_text(AMTUNE_YAML)
    assert load_config(p).tuner_kwargs["max_jobs"] == 3


def test_errors_carry_the_path_and_the_rule(tmp_path):
    with pytest.raises(ConfigError) as info:
        parse_config(
            _with("HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs", 0),
            tmp_path,
        )
    assert info.value.path == "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"
    assert info.value.rule == "must be an integer >= 1, got 0"


def test_validating_a_config_builds_no_tuner(tmp_path, monkeypatch):
    import amtune.tuning.tuner as tuner_module

    def boom(*args, **kwargs):
        raise AssertionError("a tuner was built")

    monkeypatch.setattr(tuner_module.HyperparameterTuner, "__init__", boom)
    assert parse_config(SM, tmp_path).name == "sm-job"


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        ("{min: 1, max: 4}", r"^hyperparameters\.depth\.type: required field is missing"),
        ("{type: Integer, max: 4}", r"^hyperparameters\.depth\.min: required field is missing"),
        (
            "{type: Integer, min: 1, max: 4, values: [1]}",
            r"^hyperparameters\.depth\.values: unknown field \(allowed: max, min, scaling, type\)",
        ),
        (
            "{type: Categorical, values: 3}",
            r"^hyperparameters\.depth\.values: must be a list, got int 3",
        ),
        (
            "{type: Categorical, values: [1], min: 0}",
            r"^hyperparameters\.depth\.min: unknown field \(allowed: type, values\)",
        ),
        (
            "{type: Continuous, min: 1, max: 4, scaling: log}",
            r"^hyperparameters\.depth\.scaling: must be one of Auto, Linear, Logarithmic",
        ),
        (
            "{type: Continuous, min: .nan, max: 4}",
            r"^hyperparameters\.depth\.min: must be a finite",
        ),
        (
            "{type: Continuous, min: true, max: 4}",
            r"^hyperparameters\.depth\.min: must be a finite",
        ),
        ("[1, 4]", r"^hyperparameters\.depth: must be an object \(mapping\), got list"),
        (
            "{type: Continuous, min: 0, max: 4, scaling: Logarithmic}",
            r"^hyperparameters\.depth: ContinuousParameter: Logarithmic scaling needs min_value > 0",
        ),
    ],
)
def test_each_range_error_names_the_field_and_the_rule(tmp_path, depth, message):
    p = tmp_path / "job.yaml"
    p.write_text(AMTUNE_YAML.replace("depth: {type: Integer, min: 1, max: 4}", f"depth: {depth}"))
    with pytest.raises(ConfigError, match=message):
        load_config(p)


def test_fewer_combinations_than_training_jobs_is_rejected_as_sagemaker_does(tmp_path):
    # SageMaker: "You don't have enough combinations of hyperparameter ranges" when integer and
    # categorical ranges alone have fewer combinations than MaxNumberOfTrainingJobs
    (tmp_path / "data" / "train").mkdir(parents=True, exist_ok=True)
    doc = _with(
        "HyperParameterTuningJobConfig.ParameterRanges",
        {
            "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1", "MaxValue": "2"}],
            "CategoricalParameterRanges": [{"Name": "opt", "Values": ["sgd", "adam"]}],
        },
    )
    doc["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 5
    with pytest.raises(
        ConfigError, match=r"MaxNumberOfTrainingJobs: the ranges have 4 combinations"
    ):
        parse_config(doc, tmp_path)
    doc["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 4
    assert parse_config(doc, tmp_path).tuner_kwargs["max_jobs"] == 4
    # a continuous range makes the combinations unlimited
    doc["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"] = [
        {"Name": "lr", "MinValue": "0.001", "MaxValue": "0.1"}
    ]
    doc["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 50
    assert parse_config(doc, tmp_path).tuner_kwargs["max_jobs"] == 50

"""SDK-generated requests run by the CLI: ``amtune train`` (CreateTrainingJob) and ``amtune run``
(CreateHyperParameterTuningJob), with no edit but local paths (no TrainingCommand: the entry point
is ``sagemaker_program`` and the code sits next to the request)."""

import json

import pytest
from aws_examples import FEATURES, SKLEARN_METRICS, write_sklearn_example

from amtune.cli import main

SK_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def sdk_training_request(job: str) -> dict:
    """What ``SKLearn(...).fit(...)`` of the SDK sends, with local paths for the S3 URIs."""
    return {
        "TrainingJobName": job,
        "AlgorithmSpecification": {
            "TrainingImage": SK_IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": SKLEARN_METRICS,
            "EnableSageMakerMetricsTimeSeries": True,
        },
        "RoleArn": "arn:aws:iam::111122223333:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://sagemaker-us-east-1-111122223333/"},
        "ResourceConfig": {
            "InstanceType": "ml.c5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "HyperParameters": {
            "n-estimators": "20",
            "min-samples-leaf": "3",
            "features": json.dumps(FEATURES),
            "target": '"target"',
            "verbosity": '"2"',
            "sagemaker_submit_directory": json.dumps(
                f"s3://sagemaker-us-east-1-111122223333/{job}/source/sourcedir.tar.gz"
            ),
            "sagemaker_program": '"script.py"',
            "sagemaker_container_log_level": "20",
            "sagemaker_job_name": json.dumps(job),
            "sagemaker_region": '"us-east-1"',
        },
        "InputDataConfig": [
            {
                "ChannelName": ch,
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"data/{ch}",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
            for ch in ("train", "test")
        ],
        "DebugHookConfig": {"S3OutputPath": "s3://bucket/", "CollectionConfigurations": []},
        "ProfilerConfig": {"S3OutputPath": "s3://bucket/", "DisableProfiler": False},
    }


def test_amtune_train_runs_an_sdk_generated_create_training_job_request(tmp_path, capsys):
    write_sklearn_example(tmp_path)
    cfg = tmp_path / "request.json"
    cfg.write_text(json.dumps(sdk_training_request("rf-cli-1")))
    db = str(tmp_path / "amtune.db")
    assert main(["train", str(cfg), "--db", db]) == 0
    cap = capsys.readouterr()
    assert "AE-at-50th-percentile" in cap.out  # the job's output is shown
    assert "RoleArn: no local meaning" in cap.err and "sagemaker_submit_directory" in cap.err
    assert "Training job rf-cli-1: Completed" in cap.err
    assert main(["describe", "rf-cli-1", "--db", db, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["TrainingJobStatus"] == "Completed"
    assert {m["MetricName"] for m in d["FinalMetricDataList"]} == {"median-AE", "AE-90"}
    assert d["AlgorithmSpecification"]["TrainingImage"] == SK_IMAGE
    assert main(["describe", "rf-cli-1", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "median-AE = " in out and 'target = "target"' in out
    # the describe --json document runs again (response fields dropped with a notice)
    d["TrainingJobName"] = "rf-cli-2"
    (tmp_path / "again.json").write_text(json.dumps(d))
    assert main(["train", str(tmp_path / "again.json"), "--db", db, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "TrainingJobStatus: a response field; ignored" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: r["HyperParameters"].update(sagemaker_program='"nope.py"'),
            "HyperParameters.sagemaker_program: the entry point 'nope.py' is not in",
        ),
        (
            lambda r: r["HyperParameters"].pop("sagemaker_program"),
            "AlgorithmSpecification.TrainingCommand: required",
        ),
        (
            lambda r: r["InputDataConfig"][0]["DataSource"]["S3DataSource"].update(
                S3Uri="s3://b/x"
            ),
            r"InputDataConfig\[0\].DataSource.S3DataSource.S3Uri: S3 data is not available locally",
        ),
        (
            lambda r: r["InputDataConfig"][1]["DataSource"]["S3DataSource"].update(
                S3Uri="data/none"
            ),
            r"InputDataConfig\[1\].DataSource.S3DataSource.S3Uri: the channel's data must exist",
        ),
        (lambda r: r.update(Bogus=1), "Bogus: unknown field"),
        (
            lambda r: r["AlgorithmSpecification"].update(TrainingCommand=["pyhton", "script.py"]),
            "command not found: 'pyhton'",
        ),
    ],
)
def test_amtune_train_rejects_bad_requests_before_running(tmp_path, capsys, edit, message):
    write_sklearn_example(tmp_path)
    req = sdk_training_request("rf-bad")
    edit(req)
    cfg = tmp_path / "request.json"
    cfg.write_text(json.dumps(req))
    assert main(["train", str(cfg), "--db", str(tmp_path / "amtune.db")]) == 2
    import re

    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "amtune-jobs").exists()


def test_amtune_train_a_failing_job_exits_1_with_the_reason(tmp_path, capsys):
    write_sklearn_example(tmp_path)
    req = sdk_training_request("rf-fail")
    req["HyperParameters"]["target"] = '"no-such-column"'
    cfg = tmp_path / "request.json"
    cfg.write_text(json.dumps(req))
    assert main(["train", str(cfg), "--db", str(tmp_path / "amtune.db"), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "rf-fail: Failed" in out and "KeyError" in out and "no-such-column" in out


def sdk_tuning_request(job: str) -> dict:
    """What ``HyperparameterTuner(SKLearn(...), ...).fit(...)`` of the SDK sends (local paths)."""
    t = sdk_training_request(f"{job}-est")
    static = dict(t["HyperParameters"])
    static.pop("n-estimators")  # tuned
    static["sagemaker_estimator_class_name"] = '"SKLearn"'
    static["sagemaker_estimator_module"] = '"sagemaker.sklearn.estimator"'
    return {
        "HyperParameterTuningJobName": job,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"MetricName": "median-AE", "Type": "Minimize"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [],
                "IntegerParameterRanges": [
                    {
                        "Name": "n-estimators",
                        "MinValue": "10",
                        "MaxValue": "60",
                        "ScalingType": "Auto",
                    }
                ],
                # the SDK JSON-encodes categorical values for framework estimators
                "CategoricalParameterRanges": [
                    {"Name": "criterion", "Values": ['"squared_error"', '"absolute_error"']}
                ],
            },
            "TrainingJobEarlyStoppingType": "Off",
            "RandomSeed": 3,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": static,
            "RoleArn": t["RoleArn"],
            "OutputDataConfig": t["OutputDataConfig"],
            "ResourceConfig": t["ResourceConfig"],
            "StoppingCondition": t["StoppingCondition"],
            "AlgorithmSpecification": t["AlgorithmSpecification"],
            "InputDataConfig": t["InputDataConfig"],
            "EnableNetworkIsolation": False,
            "EnableInterContainerTrafficEncryption": False,
            "EnableManagedSpotTraining": False,
        },
        "Tags": [{"Key": "project", "Value": "rf"}],
    }


def test_amtune_run_an_sdk_generated_tuning_request_without_training_command(tmp_path, capsys):
    write_sklearn_example(tmp_path)
    cfg = tmp_path / "tuning.json"
    cfg.write_text(json.dumps(sdk_tuning_request("rf-sdk")))
    db = str(tmp_path / "amtune.db")
    assert main(["run", str(cfg), "--db", db, "--quiet"]) == 0
    cap = capsys.readouterr()
    assert "Tuning job rf-sdk: Completed (4 completed" in cap.out
    assert main(["describe", "rf-sdk", "--db", db, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["ObjectiveStatusCounters"]["Succeeded"] == 4
    # the categorical values reached the script decoded: both criteria were used, no job failed
    assert d["TrainingJobStatusCounters"]["NonRetryableError"] == 0
    # as on SageMaker, the objective is among the static hyperparameters (the SDK's attach
    # deletes it) and the strict parse_args() of the script never saw it
    static = d["TrainingJobDefinition"]["StaticHyperParameters"]
    assert static["_tuning_objective_metric"] == "median-AE"
    # describe --json (a response document) runs again, with a notice for the response fields
    d["HyperParameterTuningJobName"] = "rf-sdk-2"
    d["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 1
    (tmp_path / "again.json").write_text(json.dumps(d))
    assert main(["run", str(tmp_path / "again.json"), "--db", db, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "HyperParameterTuningJobStatus: a response field; ignored" in err
    assert "BestTrainingJob: a response field; ignored" in err


def test_a_script_mode_request_for_the_xgboost_image_uses_its_predefined_metrics(tmp_path, capsys):
    # no MetricDefinitions: SageMaker uses the image's, written for CloudWatch (#011 for a TAB)
    pytest.importorskip("xgboost")
    pytest.importorskip("amtune.builtin")
    from aws_examples import write_xgboost_example

    write_xgboost_example(tmp_path)
    image = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
    req = {
        "HyperParameterTuningJobName": "xgb-sdk",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {
                "MetricName": "validation:rmse",
                "Type": "Minimize",
            },
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5", "ScalingType": "Auto"}
                ]
            },
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "max_depth": "3",
                "objective": '"reg:squarederror"',
                "num_round": "5",
                "sagemaker_program": '"train.py"',
                "sagemaker_submit_directory": '"s3://bucket/xgb/source/sourcedir.tar.gz"',
            },
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "InputDataConfig": [
                {"ChannelName": ch, "DataSource": {"S3DataSource": {"S3Uri": f"{ch}.csv"}}}
                for ch in ("train", "validation")
            ],
            "RoleArn": "arn:aws:iam::111122223333:role/SageMakerRole",
        },
    }
    (tmp_path / "req.json").write_text(json.dumps(req))
    assert main(["run", str(tmp_path / "req.json"), "--db", str(tmp_path / "a.db"), "--quiet"]) == 0
    assert "Tuning job xgb-sdk: Completed (2 completed" in capsys.readouterr().out
    req["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "rmse"
    req["HyperParameterTuningJobName"] = "xgb-bad"
    (tmp_path / "req.json").write_text(json.dumps(req))
    assert main(["run", str(tmp_path / "req.json"), "--db", str(tmp_path / "a.db")]) == 2
    assert "valid objective names: " in capsys.readouterr().err


def test_amtune_run_passes_each_channels_content_type_to_the_jobs(tmp_path, capsys):
    write_sklearn_example(tmp_path)
    req = sdk_tuning_request("rf-ct")
    req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 1
    req["TrainingJobDefinition"]["InputDataConfig"][0]["ContentType"] = "text/csv"
    cfg = tmp_path / "tuning.json"
    cfg.write_text(json.dumps(req))
    db = str(tmp_path / "amtune.db")
    assert main(["run", str(cfg), "--db", db, "--quiet"]) == 0
    assert "ContentType" not in capsys.readouterr().err  # not an ignored field any more
    (idc,) = (tmp_path / "amtune-jobs" / "rf-ct").glob("*/input/config/inputdataconfig.json")
    channels = json.loads(idc.read_text())
    first = req["TrainingJobDefinition"]["InputDataConfig"][0]["ChannelName"]
    assert channels[first]["ContentType"] == "text/csv"
    assert all("ContentType" not in v for k, v in channels.items() if k != first)
    bad = json.loads(cfg.read_text())
    bad["HyperParameterTuningJobName"] = "rf-ct-bad"
    bad["TrainingJobDefinition"]["InputDataConfig"][0]["ContentType"] = 5
    cfg.write_text(json.dumps(bad))
    assert main(["run", str(cfg), "--db", db, "--quiet"]) == 2
    assert "InputDataConfig[0].ContentType: must be a non-empty string" in capsys.readouterr().err

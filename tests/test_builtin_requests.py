"""SDK-shaped requests on built-in algorithm images: TrainingImage, no TrainingCommand, no
MetricDefinitions (the image's predefined ones), run with ``amtune run``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from builtin_helpers import classification, write_csv

from amtune import image_uris
from amtune.cli import main

try:
    _LOADER = importlib.util.find_spec("amtune.sagemaker.train_request") is not None
except ModuleNotFoundError:
    _LOADER = False
pytestmark = pytest.mark.skipif(
    not _LOADER, reason="needs the SageMaker request loader of issue 11 (built-in images)"
)


def _request(
    tmp_path: Path, image: str, objective: str, static: dict, ranges: dict, channels: dict
) -> Path:
    doc = {
        "HyperParameterTuningJobName": "req",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": objective},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": ranges,
            "RandomSeed": 0,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": static,
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "InputDataConfig": [
                {
                    "ChannelName": k,
                    "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(v)}},
                }
                for k, v in channels.items()
            ],
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
    }
    p = tmp_path / "request.json"
    p.write_text(json.dumps(doc))
    return p


def test_knn_image_request_runs_with_predefined_metrics(tmp_path: Path) -> None:
    X, y = classification(300, d=4, seed=9)
    write_csv(tmp_path / "train" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "test" / "t.csv", X[200:], y[200:])
    req = _request(
        tmp_path,
        image_uris.retrieve("knn", "eu-west-1"),
        "test:accuracy",
        {"feature_dim": "4", "predictor_type": "classifier", "sample_size": "200"},
        {"IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "20"}]},
        {"train": tmp_path / "train", "test": tmp_path / "test"},
    )
    db = str(tmp_path / "a.db")
    assert main(["run", str(req), "--db", db, "--quiet"]) == 0
    from amtune.analytics import describe
    from amtune.store import Store

    d = describe(Store(db), "req")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 2


def test_an_objective_the_image_does_not_emit_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "train").mkdir()
    req = _request(
        tmp_path,
        image_uris.retrieve("knn"),
        "validation:auc",
        {"feature_dim": "4", "predictor_type": "classifier", "sample_size": "200"},
        {"IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "20"}]},
        {"train": tmp_path / "train"},
    )
    assert main(["run", str(req), "--db", str(tmp_path / "a.db")]) == 2
    err = capsys.readouterr().err
    assert "validation:auc" in err and "test:accuracy" in err and "test:mse" in err


def test_xgboost_image_request_objective_without_eval_metric(tmp_path: Path) -> None:
    # validation:auc is computed because the tuning job passes _tuning_objective_metric, as
    # SageMaker does; the image's regexes match through the CloudWatch rendering
    pytest.importorskip("xgboost")
    X, y = classification(300, seed=10)
    write_csv(tmp_path / "train" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "validation" / "v.csv", X[200:], y[200:])
    req = _request(
        tmp_path,
        image_uris.retrieve("xgboost", "us-west-2", "1.5-1"),
        "validation:auc",
        {"objective": "binary:logistic", "num_round": "10"},
        {"ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]},
        {"train": tmp_path / "train", "validation": tmp_path / "validation"},
    )
    db = str(tmp_path / "a.db")
    assert main(["run", str(req), "--db", db, "--quiet"]) == 0
    from amtune.analytics import describe
    from amtune.store import Store

    d = describe(Store(db), "req")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert 0.5 < d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1

"""CreateTrainingJob, CreateTransformJob and ListTransformJobs are checked against SageMaker's
request shapes (botocore's ``sagemaker`` model) before anything is written, fields amtune
ignores included; the local exemptions are local paths and the training instance type.
``MaxRuntimeInSeconds`` is a whole number of seconds from 1 to 28 days, in the service and in
``amtune train``."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune.sagemaker.requests import RequestError  # noqa: E402
from amtune.sagemaker.train_request import (  # noqa: E402
    MAX_RUNTIME_RANGE,
    max_runtime_seconds,
    parse_training_request,
)
from amtune.serve.service import EndpointService  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/amtune-local"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, EndpointService]]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1\n2\n")
    (tmp_path / "train.py").write_text("print('loss: 1.0')\n")
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    sm = boto3.client(
        "sagemaker",
        endpoint_url=svc.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
    )
    try:
        yield sm, svc
    finally:
        svc.stop()


def refused(call: Any, member: str, **kw: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kw)
    err = info.value.response
    assert err["Error"]["Code"] == "ValidationException", err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err
    message: str = err["Error"]["Message"]
    assert member in message, message
    return message


def training(**over: Any) -> dict[str, Any]:
    req: dict[str, Any] = {
        "TrainingJobName": "t",
        "AlgorithmSpecification": {
            "TrainingImage": "amtune/python:local",
            "TrainingInputMode": "File",
            "ContainerEntrypoint": ["python", "train.py"],
        },
        "RoleArn": ROLE,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "data"}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "local", "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "HyperParameters": {"x": "0.3"},
    }
    for k, v in over.items():
        if v is None:
            req.pop(k, None)
        else:
            req[k] = v
    return req


ALGO = training()["AlgorithmSpecification"]


@pytest.mark.parametrize(
    ("over", "member"),
    [
        ({"RoleArn": None}, "RoleArn"),
        (
            {"AlgorithmSpecification": {**ALGO, "TrainingInputMode": "Streaming"}},
            "AlgorithmSpecification.TrainingInputMode",
        ),
        (
            {"AlgorithmSpecification": {**ALGO, "ContainerEntrypoint": ["x"] * 101}},
            "AlgorithmSpecification.ContainerEntrypoint",
        ),
        (
            {
                "InputDataConfig": [
                    {
                        "ChannelName": "bad name!",
                        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "data"}},
                    }
                ]
            },
            "InputDataConfig.1.ChannelName",
        ),
        ({"Environment": {f"E{i}": "1" for i in range(101)}}, "Environment"),
        ({"RetryStrategy": {"MaximumRetryAttempts": 0}}, "RetryStrategy.MaximumRetryAttempts"),
        ({"RetryStrategy": {"MaximumRetryAttempts": 31}}, "RetryStrategy.MaximumRetryAttempts"),
        ({"EnableManagedSpotTraining": "yes"}, "EnableManagedSpotTraining"),
        ({"HyperParameters": {f"h{i}": "1" for i in range(101)}}, "HyperParameters"),
        ({"OutputDataConfig": None}, "OutputDataConfig"),
        (
            {"StoppingCondition": {"MaxRuntimeInSeconds": 0}},
            "StoppingCondition.MaxRuntimeInSeconds",
        ),
        (
            {"StoppingCondition": {"MaxRuntimeInSeconds": 28 * 86400 + 1}},
            "StoppingCondition.MaxRuntimeInSeconds",
        ),
        (
            {"StoppingCondition": {"MaxRuntimeInSeconds": 0.5}},
            "StoppingCondition.MaxRuntimeInSeconds",
        ),
        (
            {
                "EnableManagedSpotTraining": True,
                "StoppingCondition": {"MaxRuntimeInSeconds": 600, "MaxWaitTimeInSeconds": 60},
            },
            "StoppingCondition.MaxWaitTimeInSeconds",
        ),
    ],
)
def test_create_training_job_shape_and_rules(
    env: tuple[Any, EndpointService], over: dict[str, Any], member: str
) -> None:
    sm, svc = env
    refused(sm.create_training_job, member, **training(**over))
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []
    requests = svc.control.jobs.requests_dir
    assert not requests.exists() or not any(requests.iterdir())


def test_local_exemptions_still_hold(env: tuple[Any, EndpointService]) -> None:
    """Local channel paths (S3Uri's pattern), the ``local`` instance type and any role string
    are accepted, as before; spot training with a long enough wait too."""
    sm, _ = env
    sm.create_training_job(
        **training(
            RoleArn="role",
            EnableManagedSpotTraining=True,
            StoppingCondition={"MaxRuntimeInSeconds": 600, "MaxWaitTimeInSeconds": 600},
        )
    )
    names = [j["TrainingJobName"] for j in sm.list_training_jobs()["TrainingJobSummaries"]]
    assert names == ["t"]


# ---------------------------------------------------------------------- MaxRuntimeInSeconds
@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, 0, -1, 0.5, True, "600", 2**63, 1e30, 28 * 86400 + 1]
)
def test_max_runtime_must_be_whole_seconds_within_28_days(value: Any) -> None:
    with pytest.raises(RequestError, match="MaxRuntimeInSeconds: must be a whole number"):
        max_runtime_seconds(value, "StoppingCondition.MaxRuntimeInSeconds")


def test_max_runtime_accepts_its_range() -> None:
    lo, hi = MAX_RUNTIME_RANGE
    assert (lo, hi) == (1, 2_419_200)
    assert [max_runtime_seconds(v, "M") for v in (1, 600.0, hi)] == [1, 600, hi]


def test_parse_training_request_refuses_nan(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    req = training(StoppingCondition={"MaxRuntimeInSeconds": math.nan})
    with pytest.raises(RequestError, match=r"StoppingCondition\.MaxRuntimeInSeconds"):
        parse_training_request(req, tmp_path)


def test_amtune_train_refuses_nan_and_writes_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from amtune.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "train.py").write_text("print('loss: 1.0')\n")
    req = training(StoppingCondition={"MaxRuntimeInSeconds": math.nan})
    (tmp_path / "t.json").write_text(json.dumps(req))  # Python's json writes NaN
    assert main(["train", "t.json", "--db", "f.db"]) == 2
    err = capsys.readouterr().err
    assert "StoppingCondition.MaxRuntimeInSeconds: must be a whole number" in err
    assert not (tmp_path / "f.db").exists()


# ---------------------------------------------------------------------- transform jobs
def transform(**over: Any) -> dict[str, Any]:
    req: dict[str, Any] = {
        "TransformJobName": "x",
        "ModelName": "m",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "data"}}
        },
        "TransformOutput": {"S3OutputPath": "out"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    for k, v in over.items():
        if v is None:
            req.pop(k, None)
        else:
            req[k] = v
    return req


@pytest.mark.parametrize(
    ("over", "member"),
    [
        ({"TransformResources": None}, "TransformResources"),
        (
            {"TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 0}},
            "TransformResources.InstanceCount",
        ),
        (
            {"TransformResources": {"InstanceType": "ml.bogus", "InstanceCount": 1}},
            "TransformResources.InstanceType",
        ),
        ({"MaxConcurrentTransforms": -1}, "MaxConcurrentTransforms"),
        (
            {"ModelClientConfig": {"InvocationsTimeoutInSeconds": 0}},
            "ModelClientConfig.InvocationsTimeoutInSeconds",
        ),
        ({"TransformOutput": {"S3OutputPath": "data/x.csv"}}, "TransformOutput.S3OutputPath"),
        ({"TransformOutput": {"S3OutputPath": "data/x.csv/sub"}}, "TransformOutput.S3OutputPath"),
    ],
)
def test_create_transform_job_shape_and_output_path(
    env: tuple[Any, EndpointService], over: dict[str, Any], member: str
) -> None:
    sm, _ = env
    sm.create_model(ModelName="m", PrimaryContainer={"Image": "x"}, ExecutionRoleArn=ROLE)
    refused(sm.create_transform_job, member, **transform(**over))
    assert sm.list_transform_jobs()["TransformJobSummaries"] == []


@pytest.mark.parametrize(
    ("key", "member"), [("StatusEquals", "StatusEquals"), ("SortBy", "SortBy")]
)
def test_list_transform_jobs_enums(env: tuple[Any, EndpointService], key: str, member: str) -> None:
    sm, _ = env
    refused(sm.list_transform_jobs, member, **{key: "Bogus"})


def test_sdk_transformer_output_path_that_is_a_file(tmp_path: Path) -> None:
    from amtune.sagemaker.transformer import Transformer

    (tmp_path / "x.csv").write_text("1\n")
    with pytest.raises(ValueError, match=r"output_path: must be a directory.*is a file"):
        Transformer("m", 1, "ml.m5.large", output_path=str(tmp_path / "x.csv"))

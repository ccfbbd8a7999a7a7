"""Batch transform jobs through boto3's SageMaker client (CreateTransformJob,
DescribeTransformJob, ListTransformJobs, StopTransformJob and the
``transform_job_completed_or_stopped`` waiter) against a real endpoint service on 127.0.0.1, as
the low-level batch transform notebook calls them. Every wait is bounded."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune.serve.service import EndpointService  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/amtune-local"
# the model: sums each CSV row, times model.json's scale; a row "slow" sleeps; "bad" is a 400
INFERENCE = textwrap.dedent(
    """
    import json, os, time
    from amtune.serve.handler import InferenceError

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["scale"]

    def input_fn(body, content_type):
        rows = [r for r in body.splitlines() if r.strip()]
        if "bad" in rows:
            raise InferenceError(400, "cannot parse 'bad'", "Bad Request")
        if "slow" in rows:
            time.sleep(0.5)
            return [[0.0]]
        return [[float(x) for x in r.split(",")] for r in rows]

    def predict_fn(data, scale):
        return [sum(r) * scale for r in data]

    def output_fn(prediction, accept):
        return "\\n".join(f"{p:g}" for p in prediction), "text/csv"
    """
)


def request(name: str, data: str, output: str = "out", **extra: Any) -> dict[str, Any]:
    return {
        "TransformJobName": name,
        "ModelName": "summer",
        "MaxConcurrentTransforms": 1,
        "MaxPayloadInMB": 6,
        "BatchStrategy": "MultiRecord",
        "TransformOutput": {"S3OutputPath": output, "AssembleWith": "Line", "Accept": "text/csv"},
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data}},
            "ContentType": "text/csv",
            "SplitType": "Line",
            "CompressionType": "None",
        },
        "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1},
        **extra,
    }


@pytest.fixture
def sm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)  # relative paths of the requests resolve here
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.json").write_text('{"scale": 2}')
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inference.py").write_text(INFERENCE)
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "a.csv").write_text("1,2\n3,4\n")
    (tmp_path / "batch" / "b.csv").write_text("10,0\n")
    (tmp_path / "slow").mkdir()
    for i in range(30):
        (tmp_path / "slow" / f"{i:02d}.csv").write_text("slow\n")
    svc = EndpointService(tmp_path / "amtune.db").start()
    client = boto3.client(
        "sagemaker",
        endpoint_url=svc.url,
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    client.create_model(
        ModelName="summer",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": "amtune/python:local",
            "ModelDataUrl": str(tmp_path / "model"),
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(tmp_path / "code"),
            },
        },
    )
    try:
        yield client
    finally:
        svc.stop()


def wait(sm: Any, name: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        d: dict[str, Any] = sm.describe_transform_job(TransformJobName=name)
        if d["TransformJobStatus"] in ("Completed", "Failed", "Stopped"):
            return d
        assert time.monotonic() < deadline, f"{name} still {d['TransformJobStatus']}"
        time.sleep(0.1)


def test_transform_job_writes_out_files_and_describes(sm: Any, tmp_path: Path) -> None:
    r = sm.create_transform_job(**request("batch-1", "batch", Tags=[{"Key": "k", "Value": "v"}]))
    arn = "arn:aws:sagemaker:us-east-1:123456789012:transform-job/batch-1"
    assert r["TransformJobArn"] == arn
    # the notebook's waiter (its first poll comes at once; the job is usually done by then)
    waiter = sm.get_waiter("transform_job_completed_or_stopped")
    waiter.wait(TransformJobName="batch-1", WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    d = sm.describe_transform_job(TransformJobName="batch-1")
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    assert (tmp_path / "out" / "a.csv.out").read_text() == "6\n14\n"
    assert (tmp_path / "out" / "b.csv.out").read_text() == "20\n"
    assert d["TransformOutput"]["S3OutputPath"] == str(tmp_path / "out")
    assert d["ModelName"] == "summer" and d["BatchStrategy"] == "MultiRecord"
    assert d["TransformEndTime"] >= d["TransformStartTime"] >= d["CreationTime"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = sm.list_transform_jobs(StatusEquals="Completed")["TransformJobSummaries"]
    assert [s["TransformJobName"] for s in listed] == ["batch-1"]
    with pytest.raises(ClientError) as e:
        sm.create_transform_job(**request("batch-1", "batch"))
    assert e.value.response["Error"]["Code"] == "ResourceInUse"


def test_a_failing_model_fails_the_job_with_the_reason(sm: Any, tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.csv").write_text("bad\n")
    sm.create_transform_job(**request("batch-bad", "bad"))
    d = wait(sm, "batch-bad")
    assert d["TransformJobStatus"] == "Failed"
    assert "400" in d["FailureReason"] and "cannot parse 'bad'" in d["FailureReason"]
    failed = sm.list_transform_jobs(StatusEquals="Failed")["TransformJobSummaries"]
    assert failed[0]["FailureReason"] == d["FailureReason"]


def test_stop_transform_job(sm: Any, tmp_path: Path) -> None:
    sm.create_transform_job(**request("batch-slow", "slow", output="slow-out"))
    deadline = time.monotonic() + 30
    while not list((tmp_path / "slow-out").glob("*.out")):  # it has started
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sm.stop_transform_job(TransformJobName="batch-slow")
    assert sm.describe_transform_job(TransformJobName="batch-slow")["TransformJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    assert wait(sm, "batch-slow")["TransformJobStatus"] == "Stopped"
    assert 0 < len(list((tmp_path / "slow-out").glob("*.out"))) < 30


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ModelName": "nope"}, "model/nope"),
        ({"TransformJobName": "bad_name"}, "TransformJobName"),
        ({"BatchStrategy": "Everything"}, "BatchStrategy"),
        ({"MaxPayloadInMB": 7.5}, "MaxPayloadInMB"),
    ],
)
def test_bad_requests_write_nothing(sm: Any, change: dict[str, Any], field: str) -> None:
    req = {**request("batch-x", "batch"), **change}
    with pytest.raises((ClientError, Exception)) as e:
        sm.create_transform_job(**req)
    assert field in str(e.value)
    assert sm.list_transform_jobs()["TransformJobSummaries"] == []


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("input", "s3://bucket/batch", "TransformInput.DataSource.S3DataSource.S3Uri"),
        ("input", "missing", "no such file or directory"),
        ("output", "s3://bucket/out", "TransformOutput.S3OutputPath"),
        ("split", "RecordIO", "TransformInput.SplitType"),
        ("filter", "$..id", "DataProcessing.InputFilter"),
    ],
)
def test_bad_paths_and_choices_are_validation_errors(
    sm: Any, where: str, value: str, field: str
) -> None:
    req = request("batch-y", "batch")
    if where == "input":
        req["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] = value
    elif where == "output":
        req["TransformOutput"]["S3OutputPath"] = value
    elif where == "filter":
        req["DataProcessing"] = {"InputFilter": value}
    else:
        req["TransformInput"]["SplitType"] = value
    with pytest.raises(ClientError) as e:
        sm.create_transform_job(**req)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert field in str(e.value)
    assert sm.list_transform_jobs()["TransformJobSummaries"] == []
    with pytest.raises(ClientError, match="batch-y"):
        sm.describe_transform_job(TransformJobName="batch-y")


def test_data_processing_joins_predictions_to_their_input(sm: Any, tmp_path: Path) -> None:
    """The low-level batch transform notebook's request: drop the ID column, join the output
    to the input, keep the ID and the prediction."""
    (tmp_path / "ids").mkdir()
    (tmp_path / "ids" / "x.csv").write_text("id7,1,2\nid8,3,4\n")
    dp = {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}
    sm.create_transform_job(**request("batch-join", "ids", output="joined", DataProcessing=dp))
    d = wait(sm, "batch-join")
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    assert d["DataProcessing"] == dp
    assert (tmp_path / "joined" / "x.csv.out").read_text() == "id7,6\nid8,14\n"

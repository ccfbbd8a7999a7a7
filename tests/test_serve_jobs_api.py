"""Training and tuning jobs through boto3's SageMaker client (CreateTrainingJob,
CreateHyperParameterTuningJob and their Describe/List/Stop actions) against a real endpoint
service on 127.0.0.1, as the AWS notebooks that use the low-level API call them. Every wait is
bounded."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune.serve.service import EndpointService  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/amtune-local"
TRAIN = textwrap.dedent(
    """
    import argparse, json, os, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float, default=0.0)
    p.add_argument("--sleep", type=float, default=0.0)
    a, _ = p.parse_known_args()
    rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "data.csv")).read().split()
    time.sleep(a.sleep)
    print(f"loss: {(a.x - 0.3) ** 2 + len(rows) * 0.0}", flush=True)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"x": a.x}, f)
    """
)
METRICS = [{"Name": "loss", "Regex": r"loss: (\S+)"}]


def _json(v: Any) -> str:
    return json.dumps(v)


def definition(**hps: Any) -> dict[str, Any]:
    """A script-mode training definition as the SDK writes it (the code is not local)."""
    return {
        "AlgorithmSpecification": {
            "TrainingImage": "amtune/python:local",
            "TrainingInputMode": "File",
            "MetricDefinitions": METRICS,
        },
        "RoleArn": ROLE,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": "data",  # relative: resolved against the service's directory
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ContentType": "text/csv",
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "HyperParameters": {
            "sagemaker_program": _json("train.py"),
            "sagemaker_submit_directory": _json("s3://bucket/code/sourcedir.tar.gz"),
            **{k: str(v) for k, v in hps.items()},
        },
    }


def tuning_request(name: str, max_jobs: int = 4, **static: Any) -> dict[str, Any]:
    tjd = definition(**static)
    tjd["StaticHyperParameters"] = tjd.pop("HyperParameters")
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "RandomSeed": 3,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "x", "MinValue": "0", "MaxValue": "1", "ScalingType": "Linear"}
                ]
            },
        },
        "TrainingJobDefinition": tjd,
    }


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Path]]:
    monkeypatch.chdir(tmp_path)  # the service resolves relative paths and the code here
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.csv").write_text("1\n2\n3\n")
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    sm = boto3.client(
        "sagemaker",
        endpoint_url=svc.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    try:
        yield sm, tmp_path
    finally:
        svc.stop()


def wait_for(get: Callable[[], str], done: tuple[str, ...], timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = get()
        if status in done:
            return status
        assert time.monotonic() < deadline, f"still {status} after {timeout} s"
        time.sleep(0.2)


def training_status(sm: Any, name: str) -> Callable[[], str]:
    return lambda: sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]


def tuning_status(sm: Any, name: str) -> Callable[[], str]:
    return lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
        "HyperParameterTuningJobStatus"
    ]


def test_create_training_job_runs_and_describes_as_sagemaker(env: tuple[Any, Path]) -> None:
    sm, root = env
    r = sm.create_training_job(
        TrainingJobName="one", Tags=[{"Key": "k", "Value": "v"}], **definition(x=0.5)
    )
    arn = "arn:aws:sagemaker:us-east-1:123456789012:training-job/one"
    assert r["TrainingJobArn"] == arn
    # found at once (the notebook's first describe comes right after the create)
    assert sm.describe_training_job(TrainingJobName="one")["TrainingJobStatus"] in (
        "InProgress",
        "Completed",
    )
    assert wait_for(training_status(sm, "one"), ("Completed", "Failed")) == "Completed"
    d = sm.describe_training_job(TrainingJobName="one")
    assert d["TrainingJobArn"] == arn
    assert d["HyperParameters"]["x"] == "0.5"
    final = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert final["loss"] == pytest.approx(0.04)
    model = Path(d["ModelArtifacts"]["S3ModelArtifacts"])
    assert json.loads((model / "model.json").read_text()) == {"x": 0.5}
    assert d["TrainingEndTime"] >= d["TrainingStartTime"]
    # the SDK's logs_for_job prints these as the job goes
    steps = d["SecondaryStatusTransitions"]
    assert [t["Status"] for t in steps] == ["Starting", "Training", "Completed"]
    assert steps[1]["StartTime"] == d["TrainingStartTime"]
    assert steps[1]["EndTime"] == d["TrainingEndTime"] == steps[2]["StartTime"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = sm.list_training_jobs(StatusEquals="Completed")["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in listed] == ["one"]
    assert sm.list_training_jobs(StatusEquals="Failed")["TrainingJobSummaries"] == []
    # the request and the job process's output are kept next to the store
    assert (root / "amtune-requests" / "training-one.json").is_file()


def test_bad_requests_are_validation_errors_and_write_nothing(env: tuple[Any, Path]) -> None:
    sm, root = env
    bad = definition(x=0.1)
    bad["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = "s3://bucket/train"
    with pytest.raises(ClientError) as e:
        sm.create_training_job(TrainingJobName="bad", **bad)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "InputDataConfig[0].DataSource.S3DataSource.S3Uri" in str(e.value)
    missing = definition()
    missing["HyperParameters"]["sagemaker_program"] = _json("nope.py")
    with pytest.raises(ClientError, match=r"nope\.py"):
        sm.create_training_job(TrainingJobName="bad", **missing)
    req = tuning_request("badtune")
    req["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0][
        "MinValue"
    ] = "2"
    with pytest.raises(ClientError, match="ContinuousParameterRanges") as e:
        sm.create_hyper_parameter_tuning_job(**req)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert not (root / "amtune-requests").exists()
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
    with pytest.raises(ClientError) as e:
        sm.describe_training_job(TrainingJobName="bad")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="badtune")
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_name_is_taken_once(env: tuple[Any, Path]) -> None:
    sm, _ = env
    sm.create_training_job(TrainingJobName="dup", **definition(x=0.2))
    with pytest.raises(ClientError) as e:
        sm.create_training_job(TrainingJobName="dup", **definition(x=0.9))
    assert e.value.response["Error"]["Code"] == "ResourceInUse"
    wait_for(training_status(sm, "dup"), ("Completed", "Failed"))
    assert sm.describe_training_job(TrainingJobName="dup")["HyperParameters"]["x"] == "0.2"


def test_describe_reports_the_flags_the_request_set(env: tuple[Any, Path]) -> None:
    # no local meaning, but DescribeTrainingJob reports them (nbcheck16 F5: the SDK's integ
    # tests index describe(...)["EnableNetworkIsolation"])
    sm, _ = env
    sm.create_training_job(
        TrainingJobName="flags",
        EnableNetworkIsolation=True,
        EnableManagedSpotTraining=False,
        **definition(x=0.5),
    )
    d = sm.describe_training_job(TrainingJobName="flags")
    assert d["EnableNetworkIsolation"] is True
    assert d["EnableManagedSpotTraining"] is False
    assert d["EnableInterContainerTrafficEncryption"] is False  # not given
    wait_for(training_status(sm, "flags"), ("Completed", "Failed"))


def test_lists_of_jobs_come_in_the_api_references_default_order(env: tuple[Any, Path]) -> None:
    # ListTrainingJobs: CreationTime, Ascending; ListHyperParameterTuningJobs: Name, Ascending
    # (botocore's service model; nbcheck15 F9: both came newest first)
    sm, _ = env
    for name in ("b-job", "a-job"):
        sm.create_training_job(TrainingJobName=name, **definition(x=0.5))
        time.sleep(0.05)  # distinct creation times
    for name in ("tune-b", "tune-a"):
        sm.create_hyper_parameter_tuning_job(**tuning_request(name, max_jobs=1))
    jobs = sm.list_training_jobs(NameContains="-job")["TrainingJobSummaries"]
    assert [j["TrainingJobName"] for j in jobs] == ["b-job", "a-job"]
    newest = sm.list_training_jobs(NameContains="-job", SortOrder="Descending")
    assert [j["TrainingJobName"] for j in newest["TrainingJobSummaries"]] == ["a-job", "b-job"]
    tunings = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert [t["HyperParameterTuningJobName"] for t in tunings] == ["tune-a", "tune-b"]
    for name in ("tune-b", "tune-a"):
        wait_for(tuning_status(sm, name), ("Completed", "Failed", "Stopped"))
    for name in ("b-job", "a-job"):
        wait_for(training_status(sm, name), ("Completed", "Failed"))


def test_tuning_job_through_boto3(env: tuple[Any, Path]) -> None:
    sm, _ = env
    r = sm.create_hyper_parameter_tuning_job(**tuning_request("tune", max_jobs=5))
    assert r["HyperParameterTuningJobArn"].endswith(":hyper-parameter-tuning-job/tune")
    assert wait_for(tuning_status(sm, "tune"), ("Completed", "Failed")) == "Completed"
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="tune")
    assert d["TrainingJobStatusCounters"]["Completed"] == 5
    algo = d["TrainingJobDefinition"]["AlgorithmSpecification"]
    assert algo["TrainingImage"] == "amtune/python:local"  # kept as the request gave it
    best = d["BestTrainingJob"]
    listed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune",
        SortBy="FinalObjectiveMetricValue",
        SortOrder="Ascending",
    )["TrainingJobSummaries"]
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in listed]
    assert len(values) == 5 and values == sorted(values)
    assert listed[0]["TrainingJobName"] == best["TrainingJobName"]
    assert all(s["TuningJobName"] == "tune" for s in listed)
    # pages of two
    names, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="tune", MaxResults=2, **kw
        )
        names += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == sorted(names) and len(names) == 5
    # a training job of the tuning job describes with its tuned value and the tuning job's ARN
    tj = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    assert tj["TuningJobArn"] == d["HyperParameterTuningJobArn"]
    assert tj["HyperParameters"]["x"] == best["TunedHyperParameters"]["x"]
    assert Path(tj["ModelArtifacts"]["S3ModelArtifacts"], "model.json").is_file()
    summaries = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert [(s["HyperParameterTuningJobName"], s["Strategy"]) for s in summaries] == [
        ("tune", "Random")
    ]
    assert summaries[0]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 5
    with pytest.raises(ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**tuning_request("tune"))
    assert e.value.response["Error"]["Code"] == "ResourceInUse"
    assert len(sm.list_training_jobs()["TrainingJobSummaries"]) == 5


def test_stop_training_job_and_tuning_job(env: tuple[Any, Path]) -> None:
    sm, _ = env
    sm.create_training_job(TrainingJobName="slow", **definition(x=0.1, sleep=60))
    sm.create_hyper_parameter_tuning_job(**tuning_request("slowtune", sleep=60))
    wait_for(
        lambda: str(len(sm.list_training_jobs(StatusEquals="InProgress")["TrainingJobSummaries"])),
        ("3",),
    )
    sm.stop_training_job(TrainingJobName="slow")
    assert wait_for(training_status(sm, "slow"), ("Stopped",), timeout=30) == "Stopped"
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="slowtune")
    assert wait_for(tuning_status(sm, "slowtune"), ("Stopped",), timeout=30) == "Stopped"
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="slowtune")
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    with pytest.raises(ClientError, match="only an InProgress job"):
        sm.stop_training_job(TrainingJobName="slow")


def test_jobs_outlive_the_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job runs in a process of its own: stopping the service does not stop it, and a new
    service on the same store describes it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.csv").write_text("1\n")
    kw: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "t",
        "aws_secret_access_key": "t",
    }
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        sm = boto3.client("sagemaker", endpoint_url=svc.url, **kw)
        sm.create_training_job(TrainingJobName="lives", **definition(x=0.3, sleep=2))
    finally:
        svc.stop()
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        sm = boto3.client("sagemaker", endpoint_url=svc.url, **kw)
        assert wait_for(training_status(sm, "lives"), ("Completed", "Failed")) == "Completed"
    finally:
        svc.stop()


def test_builtin_xgboost_notebook_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The low-level flow of AWS's XGBoost regression notebook (sm-regression_xgboost): train
    and tune the built-in algorithm with boto3 on LibSVM channels, then host the tuning job's
    best model with CreateModel/CreateEndpointConfig/CreateEndpoint and invoke it."""
    pytest.importorskip("xgboost")
    import numpy as np

    import amtune as sagemaker

    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    for split, n in (("train", 200), ("validation", 60)):
        X = rng.normal(size=(n, 3))
        y = X @ [1.0, 2.0, -1.0] + rng.normal(size=n) * 0.1
        (tmp_path / split).mkdir()
        lines = [
            f"{t:.4f} " + " ".join(f"{j + 1}:{v:.4f}" for j, v in enumerate(x))
            for x, t in zip(X, y, strict=True)
        ]
        (tmp_path / split / f"abalone.{split}").write_text("\n".join(lines) + "\n")
    container = sagemaker.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    channels = [
        {
            "ChannelName": ch,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": ch}},
            "ContentType": "libsvm",
            "CompressionType": "None",
        }
        for ch in ("train", "validation")
    ]
    common = {
        "AlgorithmSpecification": {"TrainingImage": container, "TrainingInputMode": "File"},
        "RoleArn": sagemaker.get_execution_role(),
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/single-xgboost"},
        "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.2xlarge",
            "VolumeSizeInGB": 5,
        },
        "InputDataConfig": channels,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    svc = EndpointService(tmp_path / "amtune.db").start()
    kw: dict[str, Any] = {
        "endpoint_url": svc.url,
        "region_name": "us-east-1",
        "aws_access_key_id": "t",
        "aws_secret_access_key": "t",
    }
    try:
        client = boto3.client("sagemaker", **kw)
        client.create_training_job(
            TrainingJobName="xgb-single",
            HyperParameters={
                "max_depth": "3",
                "eta": "0.3",
                "objective": "reg:squarederror",
                "num_round": "20",
            },
            **common,
        )
        assert (
            wait_for(training_status(client, "xgb-single"), ("Completed", "Failed")) == "Completed"
        )
        single = client.describe_training_job(TrainingJobName="xgb-single")
        assert {m["MetricName"] for m in single["FinalMetricDataList"]} >= {"validation:rmse"}
        client.create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="xgb-tune",
            HyperParameterTuningJobConfig={
                "ParameterRanges": {
                    "CategoricalParameterRanges": [],
                    "ContinuousParameterRanges": [
                        {"MaxValue": "0.5", "MinValue": "0.1", "Name": "eta"}
                    ],
                    "IntegerParameterRanges": [
                        {"MaxValue": "6", "MinValue": "1", "Name": "max_depth"}
                    ],
                },
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 2},
                "Strategy": "Bayesian",
                "HyperParameterTuningJobObjective": {
                    "MetricName": "validation:rmse",
                    "Type": "Minimize",
                },
            },
            TrainingJobDefinition={
                **common,
                "StaticHyperParameters": {"objective": "reg:squarederror", "num_round": "20"},
            },
        )
        assert wait_for(tuning_status(client, "xgb-tune"), ("Completed", "Failed")) == "Completed"
        best = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="xgb-tune")[
            "BestTrainingJob"
        ]["TrainingJobName"]
        info = client.describe_training_job(TrainingJobName=best)
        client.create_model(
            ModelName="xgb-model",
            ExecutionRoleArn=sagemaker.get_execution_role(),
            PrimaryContainer={
                "Image": container,
                "ModelDataUrl": info["ModelArtifacts"]["S3ModelArtifacts"],
            },
        )
        client.create_endpoint_config(
            EndpointConfigName="xgb-config",
            ProductionVariants=[
                {
                    "InstanceType": "ml.m5.xlarge",
                    "InitialVariantWeight": 1,
                    "InitialInstanceCount": 1,
                    "ModelName": "xgb-model",
                    "VariantName": "AllTraffic",
                }
            ],
        )
        client.create_endpoint(EndpointName="xgb-endpoint", EndpointConfigName="xgb-config")
        status = wait_for(
            lambda: client.describe_endpoint(EndpointName="xgb-endpoint")["EndpointStatus"],
            ("InService", "Failed"),
        )
        assert status == "InService"
        runtime = boto3.client("runtime.sagemaker", **kw)
        line = (tmp_path / "validation" / "abalone.validation").read_text().splitlines()[0]
        r = runtime.invoke_endpoint(
            EndpointName="xgb-endpoint", ContentType="text/x-libsvm", Body=line
        )
        prediction = float(r["Body"].read())
        assert abs(prediction - float(line.split()[0])) < 2.0
        client.delete_endpoint(EndpointName="xgb-endpoint")
    finally:
        svc.stop()


def test_session_waits_and_prints_logs_as_the_sdk(
    env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``Session().logs_for_job(name, wait=True)``, ``wait_for_job`` and
    ``wait_for_tuning_job`` after boto3 created the jobs, as the low-level notebooks call them."""
    import amtune

    sm, root = env
    sess = amtune.Session(db=root / "amtune.db")  # the running service of that store
    sm.create_training_job(TrainingJobName="logged", **definition(x=0.5, sleep=0.5))
    sess.logs_for_job("logged", wait=True)
    assert "loss: 0.04" in capsys.readouterr().out
    assert sess.wait_for_job("logged")["TrainingJobStatus"] == "Completed"
    assert sess.describe_training_job("logged")["HyperParameters"]["x"] == "0.5"
    broken = definition()
    broken["HyperParameters"]["sagemaker_program"] = '"broken.py"'
    (root / "broken.py").write_text("print('about to fail')\nraise SystemExit(3)\n")
    sm.create_training_job(TrainingJobName="broken", **broken)
    with pytest.raises(amtune.UnexpectedStatusException, match="Training job broken: Failed"):
        sess.logs_for_job("broken", wait=True)
    assert "about to fail" in capsys.readouterr().out
    with pytest.raises(amtune.UnexpectedStatusException, match="broken"):
        sess.wait_for_job("broken")
    sm.create_hyper_parameter_tuning_job(**tuning_request("waited", max_jobs=2))
    d = sess.wait_for_tuning_job("waited")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert sess.describe_tuning_job("waited")["BestTrainingJob"]["TrainingJobName"]


def test_create_model_finds_the_code_of_an_s3_submit_directory(env: tuple[Any, Path]) -> None:
    """A notebook copies the training job's ``sagemaker_submit_directory`` (an S3 URI) into
    CreateModel's environment: the code is where CreateTrainingJob found it."""
    sm, root = env
    (root / "inference.py").write_text("def model_fn(model_dir):\n    return None\n")
    for name, program in (("found", "inference.py"), ("missing", "serve.py")):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={
                "Image": "amtune/python:local",
                "ModelDataUrl": str(root / "data"),
                "Environment": {
                    "SAGEMAKER_PROGRAM": program,
                    "SAGEMAKER_SUBMIT_DIRECTORY": "s3://bucket/code/sourcedir.tar.gz",
                },
            },
        )
    from amtune.serve.state import ServeState

    def served(name: str) -> str:  # what the model server is given
        m = ServeState(root / "amtune.db").get_resource("serve_models", name)
        assert m is not None
        return str(m["request"]["PrimaryContainer"]["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"])

    def described(name: str) -> str:
        env = sm.describe_model(ModelName=name)["PrimaryContainer"]["Environment"]
        return str(env["SAGEMAKER_SUBMIT_DIRECTORY"])

    assert served("found") == str(root)
    # no such program here: left as given (the endpoint then fails with the reason)
    assert served("missing").startswith("s3://")
    # DescribeModel answers the request as sent, as SageMaker does (nbcheck17 F3)
    assert described("found") == described("missing") == "s3://bucket/code/sourcedir.tar.gz"


def test_a_local_sourcedir_tarball_is_the_code(env: tuple[Any, Path]) -> None:
    """``sagemaker_submit_directory`` naming a local ``sourcedir.tar.gz`` (the SDK's upload
    layout): the code is extracted from it, as SageMaker does."""
    import io
    import tarfile

    sm, root = env
    with tarfile.open(root / "sourcedir.tar.gz", "w:gz") as tf:
        data = TRAIN.encode()
        info = tarfile.TarInfo("packed.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    req = definition(x=0.1)
    req["HyperParameters"]["sagemaker_program"] = _json("packed.py")
    req["HyperParameters"]["sagemaker_submit_directory"] = _json(str(root / "sourcedir.tar.gz"))
    sm.create_training_job(TrainingJobName="packed", **req)
    assert wait_for(training_status(sm, "packed"), ("Completed", "Failed")) == "Completed"
    final = sm.describe_training_job(TrainingJobName="packed")["FinalMetricDataList"]
    assert [m["Value"] for m in final if m["MetricName"] == "loss"] == [pytest.approx(0.04)]


def test_a_custom_image_runs_its_container_entrypoint(env: tuple[Any, Path]) -> None:
    """boto3 cannot send amtune's TrainingCommand: SageMaker's ContainerEntrypoint and
    ContainerArguments name the command of a custom image's training job."""
    sm, _ = env
    req = definition()
    del req["HyperParameters"]
    req["AlgorithmSpecification"]["TrainingImage"] = (
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"
    )
    req["AlgorithmSpecification"]["ContainerEntrypoint"] = ["python", "train.py"]
    req["AlgorithmSpecification"]["ContainerArguments"] = ["--x", "0.5"]
    sm.create_training_job(TrainingJobName="byo", **req)
    assert wait_for(training_status(sm, "byo"), ("Completed", "Failed")) == "Completed"
    final = sm.describe_training_job(TrainingJobName="byo")["FinalMetricDataList"]
    assert [m["Value"] for m in final if m["MetricName"] == "loss"] == [pytest.approx(0.04)]
    bad = definition()
    del bad["HyperParameters"]
    bad["AlgorithmSpecification"]["ContainerArguments"] = ["--x", "1"]
    with pytest.raises(ClientError, match="ContainerEntrypoint"):
        sm.create_training_job(TrainingJobName="byo-bad", **bad)

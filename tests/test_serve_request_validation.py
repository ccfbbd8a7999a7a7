"""The control plane refuses bad requests as SageMaker does: one ValidationException (JSON 1.1,
HTTP 400) naming the member and the rule, before anything is written. boto3's own parameter
validation is off, so what is tested is the service's."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune.serve.request_shapes import ShapeError, check_request, check_tags  # noqa: E402
from amtune.serve.service import EndpointService  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/amtune-local"
ARN = "arn:aws:sagemaker:us-east-1:123456789012"
JSON11 = "application/x-amz-json-1.1"


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EndpointService]:
    monkeypatch.chdir(tmp_path)  # the service resolves a request's relative paths here
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.csv").write_text("1\n2\n")
    (tmp_path / "train.py").write_text("print('loss: 1.0')\n")
    service = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def sm(svc: EndpointService) -> Any:
    return boto3.client(
        "sagemaker",
        endpoint_url=svc.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
    )


def refused(call: Any, member: str, code: str = "ValidationException", **kw: Any) -> str:
    """The message of the error ``call(**kw)`` raises; it has ``code``, HTTP 400 and names
    ``member``."""
    with pytest.raises(ClientError) as info:
        call(**kw)
    err = info.value.response
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err
    message: str = err["Error"]["Message"]
    assert member in message, message
    return message


def raw(svc: EndpointService, action: str, body: Any, member: str) -> str:
    """The message of the error a raw JSON 1.1 ``action`` request answers (for JSON types that
    boto3's serializer cannot send); it is a ValidationException, HTTP 400, naming ``member``."""
    r = urllib.request.Request(
        svc.url + "/",
        data=json.dumps(body).encode(),
        headers={"X-Amz-Target": f"SageMaker.{action}", "Content-Type": JSON11},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(r, timeout=30)
    assert info.value.code == 400
    assert info.value.headers["Content-Type"] == JSON11
    doc = json.loads(info.value.read())
    assert doc["__type"] == "ValidationException", doc
    assert member in doc["message"], doc
    message: str = doc["message"]
    return message


def container(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "model").mkdir(exist_ok=True)
    return {"Image": "amtune/sklearn:local", "ModelDataUrl": (tmp_path / "model").as_uri()}


def variant(name: str = "A", model: str = "m", **kw: Any) -> dict[str, Any]:
    return {
        "VariantName": name,
        "ModelName": model,
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
        **kw,
    }


def model_config(sm: Any, tmp_path: Path) -> None:
    sm.create_model(ModelName="m", PrimaryContainer=container(tmp_path), ExecutionRoleArn=ROLE)
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant()])


def request_files(tmp_path: Path) -> list[str]:
    d = tmp_path / "amtune-requests"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


# ---------------------------------------------------------------------- Tags (F1, F2)
BAD_TAGS = [
    ([{"Key": "bad#key", "Value": "v"}], "Tags.1.Key"),
    ([{"Key": "k", "Value": "v"}] * 51, "Tags"),
    ([{"Key": "k"}], "Tags.1.Value"),
    ([{"Key": "", "Value": "v"}], "Tags.1.Key"),
    ([{"Key": "k" * 129, "Value": "v"}], "Tags.1.Key"),
    ([{"Key": "k", "Value": "v" * 257}], "Tags.1.Value"),
    ([{"Key": "k", "Value": 3}], "Tags.1.Value"),
]
#: JSON types boto3's serializer cannot send: posted raw
BAD_TAG_TYPES = [("k=v", "Tags"), (["k"], "Tags.1"), ({"k": "v"}, "Tags")]


@pytest.mark.parametrize(("tags", "member"), BAD_TAGS)
def test_bad_tags_of_create_model_store_nothing(
    sm: Any, tmp_path: Path, tags: Any, member: str
) -> None:
    refused(
        sm.create_model,
        member,
        ModelName="m",
        PrimaryContainer=container(tmp_path),
        ExecutionRoleArn=ROLE,
        Tags=tags,
    )
    assert sm.list_models()["Models"] == []
    assert sm.list_tags(ResourceArn=f"{ARN}:model/m")["Tags"] == []


@pytest.mark.parametrize(("tags", "member"), BAD_TAG_TYPES)
def test_tags_of_the_wrong_json_type(
    svc: EndpointService, sm: Any, tmp_path: Path, tags: Any, member: str
) -> None:
    model = {"ModelName": "m", "PrimaryContainer": container(tmp_path), "Tags": tags}
    raw(svc, "CreateModel", model, member)
    assert sm.list_models()["Models"] == []
    del model["Tags"]
    sm.create_model(**model)
    config = {"EndpointConfigName": "c", "ProductionVariants": [variant()]}
    raw(svc, "CreateEndpointConfig", {**config, "Tags": tags}, member)
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    sm.create_endpoint_config(**config)
    raw(
        svc,
        "CreateEndpoint",
        {"EndpointName": "e", "EndpointConfigName": "c", "Tags": tags},
        member,
    )
    raw(svc, "AddTags", {"ResourceArn": f"{ARN}:model/m", "Tags": tags}, member)
    raw(svc, "CreateTrainingJob", {"TrainingJobName": "t", "Tags": tags}, member)
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_tags(ResourceArn=f"{ARN}:model/m")["Tags"] == []
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []


def test_bad_tags_of_config_and_endpoint_store_nothing(sm: Any, tmp_path: Path) -> None:
    sm.create_model(ModelName="m", PrimaryContainer=container(tmp_path), ExecutionRoleArn=ROLE)
    refused(
        sm.create_endpoint_config,
        "Tags.1.Key",
        EndpointConfigName="c",
        ProductionVariants=[variant()],
        Tags=[{"Key": "a*b", "Value": ""}],
    )
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant()])
    refused(
        sm.create_endpoint,
        "Tags.1.Key",
        EndpointName="e",
        EndpointConfigName="c",
        Tags=[{"Key": "team!", "Value": "ml"}],
    )
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_tags(ResourceArn=f"{ARN}:endpoint/e")["Tags"] == []


def test_valid_tags_unicode_and_empty_value_are_kept(sm: Any, tmp_path: Path) -> None:
    tags = [{"Key": "Équipe 1", "Value": ""}, {"Key": "a_b.c:d/e=f+g-h@", "Value": "数据 ٣"}]
    arn = sm.create_model(
        ModelName="m", PrimaryContainer=container(tmp_path), ExecutionRoleArn=ROLE, Tags=tags
    )["ModelArn"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == tags


def test_add_tags_needs_a_valid_arn_of_an_existing_resource(sm: Any, tmp_path: Path) -> None:
    refused(sm.add_tags, "ResourceArn", ResourceArn="not-an-arn", Tags=[{"Key": "k", "Value": ""}])
    missing = f"{ARN}:model/nope"
    msg = refused(sm.add_tags, "", ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}])
    assert missing in msg
    assert sm.list_tags(ResourceArn=missing)["Tags"] == []
    arn = sm.create_model(
        ModelName="m", PrimaryContainer=container(tmp_path), ExecutionRoleArn=ROLE
    )["ModelArn"]
    refused(sm.add_tags, "Tags.2.Key", ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}, {}])
    refused(sm.add_tags, "Tags", ResourceArn=arn)
    assert sm.list_tags(ResourceArn=arn)["Tags"] == []
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_bad_tags_of_jobs_launch_nothing(sm: Any, tmp_path: Path) -> None:
    bad = [{"Key": "k", "Value": "v?"}]
    refused(sm.create_training_job, "Tags.1.Value", TrainingJobName="t", Tags=bad)
    refused(
        sm.create_hyper_parameter_tuning_job,
        "Tags.1.Value",
        HyperParameterTuningJobName="h",
        Tags=[{"Key": "k"}],
    )
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
    assert request_files(tmp_path) == []


def test_session_takes_the_sdk_dict_of_tags(svc: EndpointService, sm: Any, tmp_path: Path) -> None:
    import amtune

    session = amtune.Session(db=tmp_path / "amtune.db", url=svc.url)
    session.create_model("m1", ROLE, container(tmp_path), tags={"team": "ml", "year": 2026})
    session.create_model("m2", ROLE, container(tmp_path), tags=[{"Key": "team", "Value": "ml"}])
    tags = [sm.list_tags(ResourceArn=f"{ARN}:model/{m}")["Tags"] for m in ("m1", "m2")]
    assert tags == [
        [{"Key": "team", "Value": "ml"}, {"Key": "year", "Value": "2026"}],
        [{"Key": "team", "Value": "ml"}],
    ]
    with pytest.raises(ValueError, match=r"Tags\.1\.Key"):
        session.create_model("m3", ROLE, container(tmp_path), tags={"bad#": "x"})
    assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["m1", "m2"]


# ---------------------------------------------------------------------- shapes (F3, F4)
def test_hosting_names_and_fields_follow_the_service_model(
    svc: EndpointService, sm: Any, tmp_path: Path
) -> None:
    c = container(tmp_path)
    refused(sm.create_model, "ModelName", ModelName="bad_model", PrimaryContainer=c)
    refused(sm.create_model, "ModelName", ModelName="m" * 64, PrimaryContainer=c)
    refused(
        sm.create_model,
        "ExecutionRoleArn",
        ModelName="m",
        PrimaryContainer=c,
        ExecutionRoleArn=["role"],
    )
    refused(
        sm.create_model,
        "PrimaryContainer, Containers",
        ModelName="m",
        PrimaryContainer=c,
        Containers=[c],
    )
    refused(sm.create_model, "Containers", ModelName="m", Containers=[c] * 16)
    refused(
        sm.create_model,
        "PrimaryContainer.Environment",
        ModelName="m",
        PrimaryContainer={**c, "Environment": {"1x": "v"}},
    )
    assert sm.list_models()["Models"] == []

    sm.create_model(ModelName="m", PrimaryContainer=c, ExecutionRoleArn=ROLE)
    cfg = sm.create_endpoint_config
    refused(cfg, "EndpointConfigName", EndpointConfigName="c_bad", ProductionVariants=[variant()])
    refused(
        cfg,
        "ProductionVariants.1.VariantName",
        EndpointConfigName="c",
        ProductionVariants=[variant("bad_variant")],
    )
    refused(
        cfg,
        "ProductionVariants",
        EndpointConfigName="c",
        ProductionVariants=[variant(f"v{i}") for i in range(11)],
    )
    refused(cfg, "ProductionVariants", EndpointConfigName="c", ProductionVariants=[])
    raw(
        svc,
        "CreateEndpointConfig",
        {"EndpointConfigName": "c", "ProductionVariants": "A"},
        "ProductionVariants",
    )
    raw(
        svc,
        "CreateEndpointConfig",
        {"EndpointConfigName": "c", "ProductionVariants": ["A"]},
        "ProductionVariants.1",
    )
    refused(
        cfg,
        "ProductionVariants.1.InitialInstanceCount",
        EndpointConfigName="c",
        ProductionVariants=[variant(InitialInstanceCount="1")],
    )
    refused(
        cfg,
        "ProductionVariants.1.InitialVariantWeight",
        EndpointConfigName="c",
        ProductionVariants=[variant(InitialVariantWeight=-1)],
    )
    no_type = variant()
    del no_type["InstanceType"]
    refused(
        cfg,
        "ProductionVariants.1.InstanceType",
        EndpointConfigName="c",
        ProductionVariants=[no_type],
    )
    refused(
        cfg,
        "ProductionVariants.1.VariantName",
        EndpointConfigName="c",
        ProductionVariants=[{"ModelName": "m", "InstanceType": "ml.m5.large"}],
    )
    refused(
        cfg,
        "DataCaptureConfig.InitialSamplingPercentage",
        EndpointConfigName="c",
        ProductionVariants=[variant()],
        DataCaptureConfig={
            "InitialSamplingPercentage": 101,
            "DestinationS3Uri": "s3://b/p",
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
    )
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []

    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant()])
    refused(sm.create_endpoint, "EndpointName", EndpointName="bad_ep", EndpointConfigName="c")
    refused(sm.create_endpoint, "EndpointName", EndpointName="e" * 64, EndpointConfigName="c")
    refused(sm.create_endpoint, "EndpointConfigName", EndpointName="e")
    assert sm.list_endpoints()["Endpoints"] == []
    refused(sm.describe_endpoint, "EndpointName", EndpointName="bad_ep")
    refused(sm.delete_model, "ModelName", ModelName=7)
    refused(sm.list_endpoints, "StatusEquals", StatusEquals="Bogus")
    refused(sm.list_training_jobs, "StatusEquals", StatusEquals="Bogus")
    refused(sm.describe_training_job, "TrainingJobName", TrainingJobName="bad_name!")


def test_local_conveniences_are_still_accepted(sm: Any, tmp_path: Path) -> None:
    """Documented amtune conveniences the service model would refuse: model data and output
    locations that are local, and MaxResults above 100 (amtune's own clients list so)."""
    (tmp_path / "model").mkdir()
    sm.create_model(
        ModelName="m",
        PrimaryContainer={"Image": "amtune/sklearn:local", "ModelDataUrl": str(tmp_path / "model")},
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[variant()],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": str(tmp_path / "out")}},
    )
    assert [m["ModelName"] for m in sm.list_models(MaxResults=100000)["Models"]] == ["m"]
    assert [m["ModelName"] for m in sm.list_models(SortBy="name")["Models"]] == ["m"]
    sm.create_model(ModelName="bare")  # no container: moto's tests create such models
    refused(
        sm.create_endpoint_config,
        "instanceType",
        EndpointConfigName="c2",
        ProductionVariants=[variant(InstanceType="local")],
    )


def test_pagination_errors(svc: EndpointService, sm: Any, tmp_path: Path) -> None:
    model_config(sm, tmp_path)
    arn = f"{ARN}:model/m"
    for call, kw in (
        (sm.list_endpoints, {}),
        (sm.list_models, {}),
        (sm.list_endpoint_configs, {}),
        (sm.list_training_jobs, {}),
        (sm.list_tags, {"ResourceArn": arn}),
    ):
        assert refused(call, "", NextToken="garbage", **kw) == "Invalid pagination token"
        assert refused(call, "", NextToken="-1", **kw) == "Invalid pagination token"
        refused(call, "MaxResults", MaxResults="ten", **kw)
        refused(call, "MaxResults", MaxResults=0, **kw)
    raw(svc, "ListModels", {"CreationTimeBefore": "yesterday"}, "CreationTimeBefore")
    page = sm.list_models(MaxResults=1)
    assert [m["ModelName"] for m in page["Models"]] == ["m"] and "NextToken" not in page


def test_weight_updates_need_something_to_change(
    svc: EndpointService, sm: Any, tmp_path: Path
) -> None:
    model_config(sm, tmp_path)
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    upd = sm.update_endpoint_weights_and_capacities
    refused(upd, "DesiredWeightsAndCapacities", EndpointName="e", DesiredWeightsAndCapacities=[])
    refused(upd, "DesiredWeightsAndCapacities", EndpointName="e")
    refused(
        upd,
        "DesiredWeightsAndCapacities.1",
        EndpointName="e",
        DesiredWeightsAndCapacities=[{"VariantName": "A"}],
    )
    raw(
        svc,
        "UpdateEndpointWeightsAndCapacities",
        {"EndpointName": "e", "DesiredWeightsAndCapacities": ["A"]},
        "DesiredWeightsAndCapacities.1",
    )
    raw(
        svc,
        "UpdateEndpointWeightsAndCapacities",
        {
            "EndpointName": "e",
            "DesiredWeightsAndCapacities": [{"VariantName": "A", "DesiredWeight": "x"}],
        },
        "DesiredWeightsAndCapacities.1.DesiredWeight",
    )
    weights = [
        v.get("CurrentWeight") for v in sm.describe_endpoint(EndpointName="e")["ProductionVariants"]
    ]
    assert weights == [1.0]


# ---------------------------------------------------------------------- crashes and warm start
def test_an_unexpected_error_is_a_json_internal_failure(svc: EndpointService) -> None:
    def boom(req: dict[str, Any], region: str) -> dict[str, Any]:
        raise RuntimeError("kaput")

    svc.control._actions["ListModels"] = boom
    r = urllib.request.Request(
        svc.url + "/",
        data=b"{}",
        headers={"X-Amz-Target": "SageMaker.ListModels", "Content-Type": JSON11},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(r, timeout=10)
    assert info.value.code == 500
    body = json.loads(info.value.read())
    assert body["__type"] == "InternalFailure" and "kaput" in body["message"]


def tuning_request(name: str, parent: str) -> dict[str, Any]:
    """A small tuning request, warm-started from ``parent``."""
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": "amtune/python:local",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "loss", "Regex": r"loss: (\S+)"}],
            },
            "RoleArn": ROLE,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "data"}},
                }
            ],
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
            "ResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
            "StaticHyperParameters": {"sagemaker_program": '"train.py"'},
        },
        "WarmStartConfig": {
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": parent}],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
    }


def test_a_missing_warm_start_parent_launches_nothing(sm: Any, tmp_path: Path) -> None:
    req = tuning_request("child", "no-such-parent")
    msg = refused(sm.create_hyper_parameter_tuning_job, "WarmStartConfig", **req)
    assert "no-such-parent" in msg and str(tmp_path) not in msg and ".db" not in msg
    assert request_files(tmp_path) == []
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []


def test_a_finished_warm_start_parent_is_accepted(sm: Any, tmp_path: Path) -> None:
    parent = tuning_request("parent", "x")
    del parent["WarmStartConfig"]
    sm.create_hyper_parameter_tuning_job(**parent)
    deadline = time.monotonic() + 60
    while True:
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="parent")
        if d["HyperParameterTuningJobStatus"] != "InProgress":
            break
        assert time.monotonic() < deadline, d
        time.sleep(0.1)
    assert d["HyperParameterTuningJobStatus"] == "Completed", d
    sm.create_hyper_parameter_tuning_job(**tuning_request("child", "parent"))
    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="child")


# ---------------------------------------------------------------------- the checks themselves
def test_check_tags_and_check_request_directly() -> None:
    assert check_tags(None) == []
    assert check_tags([{"Key": "a b", "Value": "Ⅻ"}]) == [{"Key": "a b", "Value": "Ⅻ"}]
    with pytest.raises(ShapeError, match=r"'Tags.1.Key'.*pattern"):
        check_tags([{"Key": "tab\there", "Value": ""}])
    with pytest.raises(ShapeError, match="not be null"):
        check_request("CreateEndpoint", {"EndpointName": "e"})
    with pytest.raises(ShapeError, match=r"'EnableNetworkIsolation'.*boolean"):
        check_request("CreateModel", {"ModelName": "m", "EnableNetworkIsolation": "yes"})
    check_request("CreateModel", {"ModelName": "m", "Unknown": 1})  # unknown members pass
    check_request("NoSuchAction", {"x": 1})

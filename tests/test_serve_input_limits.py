"""Bad input to the endpoint service: one JSON error naming the field and the rule, before
anything is written, and no runaway processes.

- Instance counts: botocore's ``integer`` shapes hold 32 bits and ``long`` 64 (a bigger number is a
  ``SerializationException``); a variant has at most ``MAX_INSTANCES_PER_VARIANT`` model servers
  (CreateEndpointConfig, UpdateEndpointWeightsAndCapacities, ``deploy()``); DeleteEndpoint stops a
  scaling under way.
- Request bodies: ``NaN`` / ``Infinity`` (which Python's ``json`` reads) and bodies nested too
  deeply are a ``SerializationException`` for every action; an unexpected error is a JSON
  ``InternalFailure``, never a plain-text 500.
- CloudWatch: the ``cloudwatch`` model's shapes (required ``Dimension.Value``, 5 ``Statistics``, 30
  ``Dimensions``, the ``Unit`` enum, the ``Namespace`` pattern, 255-character names).
- Small control-plane rules: one shadow variant, no instances with a ServerlessConfig, tuning
  range names and bounds, the ``X-Amz-Target`` prefix.
"""

from __future__ import annotations

import json
import textwrap
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

from amtune.serve.limits import MAX_INSTANCES_PER_VARIANT, instance_count_error  # noqa: E402
from amtune.serve.request_shapes import (  # noqa: E402
    INTEGER_RANGE,
    ShapeError,
    check_request,
    check_shape,
    service_model,
)
from amtune.serve.service import MAX_BODY_DEPTH, BodyError, EndpointService, parse_body  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/amtune-local"
JSON10 = "application/x-amz-json-1.0"
JSON11 = "application/x-amz-json-1.1"
CW_TARGET = "GraniteServiceVersion20100801"


# ---------------------------------------------------------------------- helpers
def post(
    url: str, target: str | None, body: bytes, path: str = "/", content_type: str = JSON11
) -> tuple[int, str, dict[str, Any]]:
    """Status, content type and JSON body of a raw POST."""
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    r = urllib.request.Request(url + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(r, timeout=60) as resp:
            return resp.status, resp.headers["Content-Type"], json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        ctype = exc.headers["Content-Type"]
        raw = exc.read()
        assert "json" in ctype, (exc.code, ctype, raw[:200])  # never a plain-text error
        return exc.code, ctype, json.loads(raw)


def sagemaker(url: str) -> Any:
    return boto3.client(
        "sagemaker",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
    )


def refused(call: Any, member: str, code: str = "ValidationException", **kw: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kw)
    err = info.value.response
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err
    message: str = err["Error"]["Message"]
    assert member in message, message
    return message


def model_servers(root: Path) -> list[int]:
    """The pids of model-server processes whose files are under ``root`` (from /proc)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "amtune.serve.modelserver" in cmd and str(root) in cmd:
            pids.append(int(d.name))
    return pids


SLOW_INFERENCE = textwrap.dedent(
    """
    import time

    def model_fn(model_dir):
        time.sleep(0.3)
        return 1.0

    def predict_fn(data, model):
        return [model]
    """
)


def slow_model(sm: Any, root: Path, name: str = "m") -> None:
    (root / "model").mkdir(parents=True, exist_ok=True)
    (root / "code").mkdir(exist_ok=True)
    (root / "code" / "inference.py").write_text(SLOW_INFERENCE)
    sm.create_model(
        ModelName=name,
        PrimaryContainer={
            "Image": "amtune/sklearn:local",
            "ModelDataUrl": (root / "model").as_uri(),
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(root / "code"),
            },
        },
        ExecutionRoleArn=ROLE,
    )


def variant(name: str = "A", model: str = "m", **kw: Any) -> dict[str, Any]:
    return {
        "VariantName": name,
        "ModelName": model,
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
        **kw,
    }


def wait_status(sm: Any, name: str, want: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while (status := sm.describe_endpoint(EndpointName=name)["EndpointStatus"]) != want:
        assert time.monotonic() < deadline, f"{name} is {status}, not {want}"
        time.sleep(0.05)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[EndpointService]:
    """A service that serves models (the instance cap applies)."""
    service = EndpointService(tmp_path / "amtune.db", seed=0).start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[EndpointService]:
    """A control-plane-only service (no model servers: any instance count is only recorded)."""
    service = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        yield service
    finally:
        service.stop()


# ---------------------------------------------------------------------- F1: integer ranges
def test_integer_and_long_shapes_hold_32_and_64_bits() -> None:
    req = {"EndpointName": "e", "DesiredWeightsAndCapacities": [{"VariantName": "A"}]}
    for n in (2**31, 2**63, -(2**31) - 1):
        req["DesiredWeightsAndCapacities"][0]["DesiredInstanceCount"] = n
        with pytest.raises(ShapeError) as info:
            check_request("UpdateEndpointWeightsAndCapacities", req)
        assert info.value.code == "SerializationException"
        assert "DesiredWeightsAndCapacities.1.DesiredInstanceCount" in str(info.value)
        assert "32-bit integer" in str(info.value)
    req["DesiredWeightsAndCapacities"][0]["DesiredInstanceCount"] = 2**31 - 1
    check_request("UpdateEndpointWeightsAndCapacities", req)  # a 32-bit value: the shape holds it
    model = service_model()
    assert model is not None
    long_shape = next(
        n for n, s in model["shapes"].items() if s["type"] == "long" and not {"min", "max"} & set(s)
    )
    check_shape(long_shape, INTEGER_RANGE["long"][1], "X")
    with pytest.raises(ShapeError, match="64-bit integer"):
        check_shape(long_shape, 2**63, "X")


def test_instance_count_error_names_the_cap() -> None:
    assert instance_count_error(MAX_INSTANCES_PER_VARIANT, "N") is None
    assert instance_count_error(True, "N") is None  # not a count: the shape check's business
    msg = instance_count_error(MAX_INSTANCES_PER_VARIANT + 1, "X.1.InitialInstanceCount")
    assert msg is not None
    assert "X.1.InitialInstanceCount" in msg and "MAX_INSTANCES_PER_VARIANT" in msg
    assert f"less than or equal to {MAX_INSTANCES_PER_VARIANT}" in msg


def test_create_endpoint_config_over_the_cap_writes_nothing(
    svc: EndpointService, tmp_path: Path
) -> None:
    sm = sagemaker(svc.url)
    slow_model(sm, tmp_path)
    for n, code in ((MAX_INSTANCES_PER_VARIANT + 1, "ValidationException"), (10**6, None)):
        refused(
            sm.create_endpoint_config,
            "ProductionVariants.1.InitialInstanceCount",
            code or "ValidationException",
            EndpointConfigName="big",
            ProductionVariants=[variant(InitialInstanceCount=n)],
        )
    refused(
        sm.create_endpoint_config,
        "ShadowProductionVariants.1.InitialInstanceCount",
        EndpointConfigName="big",
        ProductionVariants=[variant()],
        ShadowProductionVariants=[variant("S", InitialInstanceCount=MAX_INSTANCES_PER_VARIANT + 1)],
    )
    status, _, doc = post(
        svc.url,
        "SageMaker.CreateEndpointConfig",
        json.dumps(
            {
                "EndpointConfigName": "big",
                "ProductionVariants": [variant(InitialInstanceCount=2**63)],
            }
        ).encode(),
    )
    assert status == 400 and doc["__type"] == "SerializationException", doc
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    # the cap itself is accepted (nothing is started by a config)
    sm.create_endpoint_config(
        EndpointConfigName="cap", ProductionVariants=[variant(InitialInstanceCount=32)]
    )


def test_a_control_plane_only_service_records_any_count(plane: EndpointService) -> None:
    sm = sagemaker(plane.url)
    sm.create_model(ModelName="m", PrimaryContainer={"Image": "x"}, ExecutionRoleArn=ROLE)
    sm.create_endpoint_config(
        EndpointConfigName="c", ProductionVariants=[variant(InitialInstanceCount=123)]
    )
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="e",
        DesiredWeightsAndCapacities=[{"VariantName": "A", "DesiredInstanceCount": 500}],
    )
    d = sm.describe_endpoint(EndpointName="e")["ProductionVariants"][0]
    assert d["DesiredInstanceCount"] == 500
    # the 32-bit rule holds here too
    refused(
        sm.update_endpoint_weights_and_capacities,
        "DesiredWeightsAndCapacities.1.DesiredInstanceCount",
        "SerializationException",
        EndpointName="e",
        DesiredWeightsAndCapacities=[{"VariantName": "A", "DesiredInstanceCount": 2**31}],
    )


def test_deploy_refuses_an_instance_count_over_the_cap_before_writing(tmp_path: Path) -> None:
    from amtune.serve.deployment import deploy

    db = tmp_path / "nothing.db"
    for n in (MAX_INSTANCES_PER_VARIANT + 1, 10**6):
        with pytest.raises(ValueError, match=r"initial_instance_count.*MAX_INSTANCES_PER_VARIANT"):
            deploy("tj", db=db, initial_instance_count=n)
    assert not db.exists()


def test_weights_and_capacities_over_the_cap_and_delete_stops_a_scaling(
    svc: EndpointService, tmp_path: Path
) -> None:
    sm = sagemaker(svc.url)
    slow_model(sm, tmp_path)
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant()])
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    wait_status(sm, "e", "InService")
    logs = svc.log_dir / "e"
    assert len(model_servers(logs)) == 1
    for n, code in (
        (MAX_INSTANCES_PER_VARIANT + 1, "ValidationException"),
        (2**63, "SerializationException"),
    ):
        refused(
            sm.update_endpoint_weights_and_capacities,
            "DesiredWeightsAndCapacities.1.DesiredInstanceCount",
            code,
            EndpointName="e",
            DesiredWeightsAndCapacities=[{"VariantName": "A", "DesiredInstanceCount": n}],
        )
    d = sm.describe_endpoint(EndpointName="e")
    assert (
        d["EndpointStatus"] == "InService"
        and d["ProductionVariants"][0]["DesiredInstanceCount"] == 1
    )
    # a scaling to the cap, deleted while its servers start: no server is started afterwards
    sm.update_endpoint_weights_and_capacities(
        EndpointName="e",
        DesiredWeightsAndCapacities=[
            {"VariantName": "A", "DesiredInstanceCount": MAX_INSTANCES_PER_VARIANT}
        ],
    )
    deadline = time.monotonic() + 60
    while len(model_servers(logs)) < 3:
        assert time.monotonic() < deadline, "the scaling started no servers"
        time.sleep(0.05)
    sm.delete_endpoint(EndpointName="e")
    at_delete = len(model_servers(logs))
    # the server being started when the endpoint was deleted may finish starting; no other
    # starts, and all of them stop within seconds (a scaling to the cap takes far longer)
    deadline, most = time.monotonic() + 10, at_delete
    while n := len(model_servers(logs)):
        most = max(most, n)
        assert time.monotonic() < deadline, f"servers left: {n}"
        time.sleep(0.05)
    assert most <= at_delete + 1, (at_delete, most)
    time.sleep(1.0)  # and none is started later
    assert model_servers(logs) == []
    refused(sm.describe_endpoint, "endpoint/e", EndpointName="e")


# ---------------------------------------------------------------------- F2: bodies
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_parse_body_refuses_non_finite_literals_naming_the_member(literal: str) -> None:
    with pytest.raises(BodyError) as info:
        parse_body(f'{{"StoppingCondition": {{"MaxRuntimeInSeconds": {literal}}}}}'.encode())
    assert "'MaxRuntimeInSeconds'" in str(info.value) and "JSON has no NaN" in str(info.value)


def test_parse_body_refuses_bodies_nested_too_deeply_and_non_utf8() -> None:
    with pytest.raises(BodyError, match="nested too deeply"):
        parse_body(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    with pytest.raises(BodyError, match=f"more than {MAX_BODY_DEPTH} levels"):
        parse_body(b'{"a":' * (MAX_BODY_DEPTH + 1) + b"1" + b"}" * (MAX_BODY_DEPTH + 1))
    with pytest.raises(BodyError, match="not UTF-8"):
        parse_body(b'{"a": "\xff"}')
    with pytest.raises(BodyError, match="JSON object"):
        parse_body(b"[1]")
    assert parse_body(b"") == {}


#: (X-Amz-Target or None for an amtune route, path, body) with a NaN in a member
NAN_REQUESTS = [
    ("SageMaker.ListModels", "/", '{"MaxResults": NaN}'),
    ("SageMaker.CreateTrainingJob", "/", '{"StoppingCondition": {"MaxRuntimeInSeconds": NaN}}'),
    (
        "SageMaker.UpdateEndpointWeightsAndCapacities",
        "/",
        '{"EndpointName": "e", "DesiredWeightsAndCapacities": '
        '[{"VariantName": "A", "DesiredWeight": Infinity}]}',
    ),
    ("SageMaker.CreateHyperParameterTuningJob", "/", '{"X": {"Y": -Infinity}}'),
    ("SageMaker.CreateTransformJob", "/", '{"MaxPayloadInMB": NaN}'),
    (f"{CW_TARGET}.GetMetricStatistics", "/", '{"Period": NaN}'),
    (f"{CW_TARGET}.ListMetrics", "/", '{"RecentlyActive": NaN}'),
    (None, "/amtune/metrics", '{"Period": NaN}'),
    (None, "/amtune/feedback", '{"GroundTruth": NaN}'),
]


@pytest.mark.parametrize(("target", "path", "body"), NAN_REQUESTS)
def test_nan_and_infinity_are_a_serialization_exception_everywhere(
    plane: EndpointService, target: str | None, path: str, body: str
) -> None:
    ctype = JSON10 if target and target.startswith(CW_TARGET) else JSON11
    status, _, doc = post(plane.url, target, body.encode(), path, ctype)
    assert status == 400, doc
    assert doc["__type"] == "SerializationException", doc
    assert "JSON has no NaN or Infinity" in doc["message"]


def test_a_deep_body_is_a_400_and_nothing_is_written(plane: EndpointService) -> None:
    deep = b'{"ModelName": "m", "X": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    status, _, doc = post(plane.url, "SageMaker.CreateModel", deep)
    assert (status, doc["__type"]) == (400, "SerializationException"), doc
    status, _, doc = post(plane.url, f"{CW_TARGET}.ListMetrics", deep, content_type=JSON10)
    assert (status, doc["__type"]) == (400, "SerializationException"), doc
    assert sagemaker(plane.url).list_models()["Models"] == []


def test_unexpected_errors_are_json_internal_failures(
    plane: EndpointService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amtune.serve.service as service

    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(plane.control, "call", lambda *a, **k: {"x": float("nan")})
    status, ctype, doc = post(plane.url, "SageMaker.ListModels", b"{}")
    assert (status, doc["__type"]) == (500, "InternalFailure") and ctype == JSON11, doc
    monkeypatch.setattr(service, "cloudwatch_call", boom)
    status, _, doc = post(plane.url, f"{CW_TARGET}.ListMetrics", b"{}", content_type=JSON10)
    assert (status, doc["__type"]) == (500, "InternalFailure") and "a bug" in doc["message"], doc
    monkeypatch.setattr(service, "get_metric_statistics", boom)
    status, _, doc = post(plane.url, None, b"{}", "/amtune/metrics")
    assert (status, doc["__type"]) == (500, "InternalFailure") and "a bug" in doc["message"], doc


def test_a_target_prefix_other_than_sagemakers_is_an_unknown_operation(
    plane: EndpointService,
) -> None:
    for target in ("Bogus.ListModels", "ListModels", "SageMaker."):
        status, _, doc = post(plane.url, target, b"{}")
        assert (status, doc["__type"]) == (400, "UnknownOperationException"), (target, doc)
    assert post(plane.url, "SageMaker.ListModels", b"{}")[0] == 200


# ---------------------------------------------------------------------- F3: CloudWatch
@pytest.fixture
def cw(plane: EndpointService) -> Any:
    return boto3.client(
        "cloudwatch",
        endpoint_url=plane.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
    )


BASE = {
    "Namespace": "AWS/SageMaker",
    "MetricName": "Invocations",
    "StartTime": 1_700_000_000,
    "EndTime": 1_700_003_600,
    "Period": 60,
    "Statistics": ["Sum"],
}


@pytest.mark.parametrize(
    ("over", "code", "member"),
    [
        ({"Dimensions": [{"Name": "EndpointName"}]}, "MissingParameter", "Dimensions.1.Value"),
        (
            {"Statistics": ["Sum", "Average", "Minimum", "Maximum", "SampleCount", "Sum"]},
            "InvalidParameterValue",
            "'Statistics'",
        ),
        ({"Unit": "Parsecs"}, "InvalidParameterValue", "'Unit'"),
        ({"Namespace": ":x"}, "InvalidParameterValue", "'Namespace'"),
        ({"MetricName": "m" * 256}, "InvalidParameterValue", "'MetricName'"),
        (
            {"Dimensions": [{"Name": f"D{i}", "Value": "v"} for i in range(31)]},
            "InvalidParameterValue",
            "'Dimensions'",
        ),
        ({"Period": 2**31}, "InvalidParameterValue", "'Period'"),
        ({"Period": "60"}, "InvalidParameterValue", "'Period'"),
    ],
)
def test_cloudwatch_shapes_are_checked(
    cw: Any, over: dict[str, Any], code: str, member: str
) -> None:
    with pytest.raises(ClientError) as info:
        cw.get_metric_statistics(**{**BASE, **over})
    err = info.value.response
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert member in err["Error"]["Message"], err


def test_cloudwatch_query_protocol_checks_the_same(plane: EndpointService, tmp_path: Path) -> None:
    from service_helpers import query_protocol_client

    client = query_protocol_client(
        tmp_path,
        plane.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
    )
    with pytest.raises(ClientError) as info:
        client.get_metric_statistics(**{**BASE, "Dimensions": [{"Name": "EndpointName"}]})
    assert info.value.response["Error"]["Code"] == "MissingParameter"
    assert "Dimensions.1.Value" in info.value.response["Error"]["Message"]
    body = b"Action=GetMetricStatistics&Version=2010-08-01&Period=NaN"
    r = urllib.request.Request(
        plane.url + "/", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(r, timeout=30)
    assert err.value.code == 400
    text = err.value.read().decode()
    assert "InvalidParameterValue" in text and "Period" in text
    # a valid request still answers (an empty Dimensions list comes as "Dimensions=")
    assert client.get_metric_statistics(**BASE)["Datapoints"] == []


# ---------------------------------------------------------------------- F10: small rules
def test_one_shadow_variant_and_serverless_variants_have_no_instances(
    plane: EndpointService,
) -> None:
    sm = sagemaker(plane.url)
    sm.create_model(ModelName="m", PrimaryContainer={"Image": "x"}, ExecutionRoleArn=ROLE)
    refused(
        sm.create_endpoint_config,
        "ShadowProductionVariants",
        EndpointConfigName="c",
        ProductionVariants=[variant()],
        ShadowProductionVariants=[variant("S1"), variant("S2")],
    )
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 1}
    for extra in ({"InstanceType": "ml.m5.large"}, {"InitialInstanceCount": 1}):
        refused(
            sm.create_endpoint_config,
            "ProductionVariants.1",
            EndpointConfigName="c",
            ProductionVariants=[
                {"VariantName": "A", "ModelName": "m", "ServerlessConfig": serverless, **extra}
            ],
        )
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[{"VariantName": "A", "ModelName": "m", "ServerlessConfig": serverless}],
        ShadowProductionVariants=[variant("S")],
    )


def _tuning(ranges: dict[str, Any]) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": "t",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": ranges,
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
            "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
    }


@pytest.mark.parametrize(
    ("ranges", "member"),
    [
        (
            {"ContinuousParameterRanges": [{"Name": "x" * 257, "MinValue": "0", "MaxValue": "1"}]},
            "ContinuousParameterRanges.1.Name",
        ),
        (
            {"ContinuousParameterRanges": [{"Name": "a\nb", "MinValue": "0", "MaxValue": "1"}]},
            "ContinuousParameterRanges.1.Name",
        ),
        (
            {"IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "1_000"}]},
            "IntegerParameterRanges.1.MaxValue",
        ),
        (
            {"IntegerParameterRanges": [{"Name": "n", "MinValue": "\u0661", "MaxValue": "9"}]},
            "IntegerParameterRanges.1.MinValue",
        ),
        (
            {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1_0"}]},
            "ContinuousParameterRanges.1.MaxValue",
        ),
    ],
)
def test_tuning_range_names_and_bounds(
    plane: EndpointService, ranges: dict[str, Any], member: str
) -> None:
    sm = sagemaker(plane.url)
    refused(sm.create_hyper_parameter_tuning_job, member, **_tuning(ranges))
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []


def test_request_files_are_not_written_for_refused_requests(plane: EndpointService) -> None:
    sm = sagemaker(plane.url)
    refused(
        sm.create_hyper_parameter_tuning_job,
        "MaxValue",
        **_tuning(
            {"IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "1_000"}]}
        ),
    )
    requests = plane.control.jobs.requests_dir
    assert not requests.exists() or not any(requests.iterdir())


def test_tuning_resource_limits_are_32_bit(plane: EndpointService) -> None:
    sm = sagemaker(plane.url)
    req = _tuning({"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]})
    for key in ("MaxNumberOfTrainingJobs", "MaxParallelTrainingJobs"):
        limits = {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1, key: 10**30}
        req["HyperParameterTuningJobConfig"]["ResourceLimits"] = limits
        refused(
            sm.create_hyper_parameter_tuning_job,
            f"ResourceLimits.{key}",
            "SerializationException",
            **req,
        )
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []

"""Endpoints end to end: real boto3 clients, a real endpoint service and real model-server
processes on 127.0.0.1 (every wait is bounded)."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune.serve.service import EndpointService  # noqa: E402

INFERENCE = textwrap.dedent(
    """
    import json, os
    import numpy as np
    from amtune.serve.handler import InferenceError

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)

    def input_fn(body, content_type):
        if content_type == "text/csv" and body.strip() == "fail":
            raise InferenceError(400, "cannot parse 'fail'", "Bad Request")
        if content_type == "text/csv" and body.strip() == "crash":
            raise RuntimeError("model crashed")
        if content_type == "text/csv":
            return np.genfromtxt(body.splitlines(), delimiter=",", ndmin=2)
        return np.asarray(json.loads(body)["instances"], dtype=float)

    def predict_fn(data, model):
        return (data.sum(axis=1) * model["scale"]).tolist()

    def output_fn(prediction, accept):
        if accept == "text/csv":
            return "\\n".join(str(p) for p in prediction), "text/csv"
        return json.dumps({"predictions": prediction}), "application/json"
    """
)


def make_model(root: Path, name: str, scale: float) -> Path:
    d = root / name
    (d / "model").mkdir(parents=True)
    (d / "code").mkdir()
    (d / "model" / "model.json").write_text(json.dumps({"scale": scale}))
    (d / "code" / "inference.py").write_text(INFERENCE)
    return d


def clients(url: str) -> tuple[Any, Any]:
    kw: dict[str, Any] = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
    }
    return boto3.client("sagemaker", **kw), boto3.client("sagemaker-runtime", **kw)


def create_model(sm: Any, name: str, d: Path) -> None:
    sm.create_model(
        ModelName=name,
        PrimaryContainer={
            "Image": "amtune/sklearn:local",
            "ModelDataUrl": (d / "model").as_uri(),
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(d / "code"),
            },
        },
        ExecutionRoleArn="arn:aws:iam::123456789012:role/local",
    )


def wait_status(sm: Any, name: str, want: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        d: dict[str, Any] = sm.describe_endpoint(EndpointName=name)
        if d["EndpointStatus"] == want:
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} is {d['EndpointStatus']}, not {want}: {d}")
        time.sleep(0.05)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[EndpointService]:
    svc = EndpointService(tmp_path / "amtune.db", seed=0, invocation_timeout=5.0).start()
    try:
        yield svc
    finally:
        svc.stop()


@pytest.fixture
def two_variants(service: EndpointService, tmp_path: Path) -> tuple[Any, Any]:
    sm, rt = clients(service.url)
    create_model(sm, "model-a", make_model(tmp_path, "a", 1.0))
    create_model(sm, "model-b", make_model(tmp_path, "b", 10.0))
    sm.create_endpoint_config(
        EndpointConfigName="cfg",
        ProductionVariants=[
            {
                "VariantName": "A",
                "ModelName": "model-a",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 0.7,
            },
            {
                "VariantName": "B",
                "ModelName": "model-b",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 0.3,
            },
        ],
    )
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Creating"
    sm.get_waiter("endpoint_in_service").wait(
        EndpointName="ep", WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    return sm, rt


def test_create_invoke_csv_json_describe_delete(
    two_variants: tuple[Any, Any], service: EndpointService
) -> None:
    sm, rt = two_variants
    d = sm.describe_endpoint(EndpointName="ep")
    assert d["EndpointArn"] == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep"
    assert [(v["VariantName"], v["CurrentWeight"]) for v in d["ProductionVariants"]] == [
        ("A", 0.7),
        ("B", 0.3),
    ]
    r = rt.invoke_endpoint(
        EndpointName="ep",
        Body=b"1,2\n3,4",
        ContentType="text/csv",
        Accept="text/csv",
        TargetVariant="A",
    )
    assert r["Body"].read() == b"3.0\n7.0"
    assert r["ContentType"] == "text/csv"
    assert r["InvokedProductionVariant"] == "A"
    r = rt.invoke_endpoint(
        EndpointName="ep",
        Body=json.dumps({"instances": [[1, 2]]}),
        ContentType="application/json",
        TargetVariant="B",
    )
    assert json.loads(r["Body"].read()) == {"predictions": [30.0]}
    assert r["InvokedProductionVariant"] == "B"
    assert r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-sagemaker-inference-id"]
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["ep"]

    sm.delete_endpoint(EndpointName="ep")
    # boto3's own waiter (it polls DescribeEndpoint until the ValidationException)
    sm.get_waiter("endpoint_deleted").wait(
        EndpointName="ep", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    with pytest.raises(ClientError) as e:
        sm.describe_endpoint(EndpointName="ep")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Could not find endpoint" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        rt.invoke_endpoint(EndpointName="ep", Body=b"1", ContentType="text/csv")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    sm.delete_endpoint_config(EndpointConfigName="cfg")
    sm.delete_model(ModelName="model-a")
    assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["model-b"]


def test_weighted_split_and_weight_update_without_restart(
    two_variants: tuple[Any, Any], service: EndpointService
) -> None:
    sm, rt = two_variants
    pids = {s.pid for s in service.router.endpoints["ep"].all_servers()}

    def split(n: int) -> Counter[str]:
        c: Counter[str] = Counter()
        for _ in range(n):
            r = rt.invoke_endpoint(EndpointName="ep", Body=b"1", ContentType="text/csv")
            c[r["InvokedProductionVariant"]] += 1
        return c

    c = split(400)
    assert 0.6 < c["A"] / 400 < 0.8  # 0.7 +- 5 standard deviations (sd 0.023)
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ep",
        DesiredWeightsAndCapacities=[
            {"VariantName": "A", "DesiredWeight": 0.0},
            {"VariantName": "B", "DesiredWeight": 1.0},
        ],
    )
    assert split(50) == Counter({"B": 50})  # applied at once
    d = wait_status(sm, "ep", "InService")
    assert {v["VariantName"]: v["CurrentWeight"] for v in d["ProductionVariants"]} == {
        "A": 0.0,
        "B": 1.0,
    }
    assert {s.pid for s in service.router.endpoints["ep"].all_servers()} == pids
    hist = service.state.weight_history("ep")
    assert [(h["variant"], h["weight"], h["reason"]) for h in hist[-2:]] == [
        ("A", 0.0, "UpdateEndpointWeights"),
        ("B", 1.0, "UpdateEndpointWeights"),
    ]


def test_error_shapes_boto3_parses(two_variants: tuple[Any, Any], service: EndpointService) -> None:
    sm, rt = two_variants
    with pytest.raises(ClientError) as e:
        rt.invoke_endpoint(
            EndpointName="ep", Body=b"fail", ContentType="text/csv", TargetVariant="A"
        )
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert err["Error"]["Code"] == "ModelError"
    assert err["OriginalStatusCode"] == 400
    assert err["OriginalMessage"].startswith("cannot parse 'fail'")
    assert "Received client error (400) from primary" in err["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        rt.invoke_endpoint(EndpointName="ep", Body=b"crash", ContentType="text/csv")
    assert e.value.response["Error"]["Code"] == "ModelError"
    assert e.value.response["OriginalStatusCode"] == 500
    with pytest.raises(ClientError) as e:
        rt.invoke_endpoint(EndpointName="ep", Body=b"1", ContentType="text/csv", TargetVariant="C")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as e:
        rt.invoke_endpoint(
            EndpointName="ep", Body=b"1" * (6 * 1024 * 1024 + 1), ContentType="text/csv"
        )
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert "maximum" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "Z", "DesiredWeight": 1}],
        )
    assert e.value.response["Error"]["Message"] == (
        'The variant name(s) "Z" is/are not present within endpoint configuration "cfg".'
    )
    with pytest.raises(ClientError) as e:
        sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    assert "already existing endpoint" in e.value.response["Error"]["Message"]
    # the 4XX/5XX metrics count the model's status codes
    service.flush()
    rows = service.state.all(
        "SELECT variant, metric, sum FROM serve_metrics WHERE metric LIKE 'Invocation%Errors'"
    )
    total = Counter()
    for r in rows:
        total[r["metric"]] += r["sum"]
    assert total == Counter({"Invocation4XXErrors": 1.0, "Invocation5XXErrors": 1.0})


def test_failed_model_and_update_rollback(service: EndpointService, tmp_path: Path) -> None:
    sm, _ = clients(service.url)
    sm.create_model(
        ModelName="s3-model",
        PrimaryContainer={"Image": "x", "ModelDataUrl": "s3://bucket/model.tar.gz"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/local",
    )
    sm.create_endpoint_config(
        EndpointConfigName="bad",
        ProductionVariants=[
            {
                "VariantName": "A",
                "ModelName": "s3-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName="bad-ep", EndpointConfigName="bad")
    d = wait_status(sm, "bad-ep", "Failed")
    assert "only local model data is served" in d["FailureReason"]

    broken = make_model(tmp_path, "broken", 1.0)
    (broken / "model" / "model.json").unlink()  # model_fn fails
    create_model(sm, "broken", broken)
    create_model(sm, "good", make_model(tmp_path, "good", 2.0))
    for name, model in (("good-cfg", "good"), ("broken-cfg", "broken")):
        sm.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "A",
                    "ModelName": model,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
    sm.create_endpoint(EndpointName="ep2", EndpointConfigName="good-cfg")
    wait_status(sm, "ep2", "InService")
    sm.update_endpoint(EndpointName="ep2", EndpointConfigName="broken-cfg")
    assert sm.describe_endpoint(EndpointName="ep2")["EndpointStatus"] == "Updating"
    deadline = time.monotonic() + 60
    while "FailureReason" not in (d := sm.describe_endpoint(EndpointName="ep2")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert d["EndpointStatus"] == "InService" and d["EndpointConfigName"] == "good-cfg"
    assert "rolled back" in d["FailureReason"] and "model.json" in d["FailureReason"]

    # a successful UpdateEndpoint: new model servers, then the old ones stop
    _, rt = clients(service.url)
    old = service.router.endpoints["ep2"].all_servers()
    create_model(sm, "better", make_model(tmp_path, "better", 5.0))
    sm.create_endpoint_config(
        EndpointConfigName="better-cfg",
        ProductionVariants=[
            {
                "VariantName": "A",
                "ModelName": "better",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.update_endpoint(EndpointName="ep2", EndpointConfigName="better-cfg")
    deadline = time.monotonic() + 60
    while (d := sm.describe_endpoint(EndpointName="ep2"))["EndpointConfigName"] != "better-cfg":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert d["EndpointStatus"] == "InService" and "FailureReason" not in d
    r = rt.invoke_endpoint(EndpointName="ep2", Body=b"1", ContentType="text/csv", Accept="text/csv")
    assert r["Body"].read() == b"5.0"
    deadline = time.monotonic() + 30
    while any(s.proc is not None and s.proc.poll() is None for s in old):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    # more instances through UpdateEndpointWeightsAndCapacities
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ep2",
        DesiredWeightsAndCapacities=[{"VariantName": "A", "DesiredInstanceCount": 2}],
    )
    d = wait_status(sm, "ep2", "InService")
    assert d["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    servers = service.router.endpoints["ep2"].by_name["A"].servers
    assert len(servers) == 2 and all(s.healthy for s in servers)
    for _ in range(4):
        r = rt.invoke_endpoint(
            EndpointName="ep2", Body=b"1", ContentType="text/csv", Accept="text/csv"
        )
        assert r["Body"].read() == b"5.0"


def test_crashed_model_server_is_restarted_and_counted(
    two_variants: tuple[Any, Any], service: EndpointService
) -> None:
    _, rt = two_variants
    server = service.router.endpoints["ep"].by_name["B"].servers[0]
    old_pid = server.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while server.pid == old_pid or not server.healthy:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert server.failures == 1 and server.restarts == 1
    r = rt.invoke_endpoint(EndpointName="ep", Body=b"1", ContentType="text/csv", TargetVariant="B")
    assert r["Body"].read() == b'{"predictions": [10.0]}'
    events = [(e["variant"], e["event"]) for e in service.state.events("ep")]
    assert ("B", "crashed") in events and ("B", "restarted") in events
    from amtune.cli import main

    assert main(["endpoint", "events", "--db", str(service.state.path), "ep"]) == 0


def test_service_docstring_example() -> None:
    import doctest

    import amtune.serve.service as mod

    tests = [t for t in doctest.DocTestFinder().find(mod) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    assert sum(runner.run(t, out=report.append).failed for t in tests) == 0, "".join(report)


def test_model_timeout_is_a_model_error(tmp_path: Path) -> None:
    d = make_model(tmp_path, "slow", 1.0)
    (d / "code" / "inference.py").write_text(
        INFERENCE.replace(
            "def predict_fn(data, model):",
            "def predict_fn(data, model):\n    import time; time.sleep(30)",
        )
    )
    with EndpointService(tmp_path / "t.db", invocation_timeout=0.5) as svc:
        sm, rt = clients(svc.url)
        create_model(sm, "slow", d)
        sm.create_endpoint_config(
            EndpointConfigName="c",
            ProductionVariants=[
                {
                    "VariantName": "A",
                    "ModelName": "slow",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        sm.create_endpoint(EndpointName="slow", EndpointConfigName="c")
        wait_status(sm, "slow", "InService")
        t = time.monotonic()
        with pytest.raises(ClientError) as e:
            rt.invoke_endpoint(EndpointName="slow", Body=b"1", ContentType="text/csv")
        assert time.monotonic() - t < 20  # answered at the timeout, not when the model finished
        err = e.value.response
        assert err["Error"]["Code"] == "ModelError" and err["OriginalStatusCode"] == 0
        assert "timed out" in err["Error"]["Message"]


def test_list_pagination_with_boto3_paginators(tmp_path: Path) -> None:
    with EndpointService(tmp_path / "p.db", serve_models=False) as svc:
        sm, _ = clients(svc.url)
        for i in range(5):
            sm.create_model(
                ModelName=f"m{i}",
                PrimaryContainer={"Image": "x"},
                ExecutionRoleArn="arn:aws:iam::123456789012:role/local",
            )
        pages = list(sm.get_paginator("list_models").paginate(PaginationConfig={"PageSize": 2}))
        assert [[m["ModelName"] for m in p["Models"]] for p in pages] == [
            ["m0", "m1"],
            ["m2", "m3"],
            ["m4"],
        ]


def test_a_restarted_service_restarts_its_endpoints(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with EndpointService(db) as svc:
        sm, _ = clients(svc.url)
        create_model(sm, "m", make_model(tmp_path, "m", 3.0))
        sm.create_endpoint_config(
            EndpointConfigName="c",
            ProductionVariants=[
                {
                    "VariantName": "A",
                    "ModelName": "m",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        sm.create_endpoint(EndpointName="kept", EndpointConfigName="c")
        wait_status(sm, "kept", "InService")
    with EndpointService(db) as svc:  # the store still has the endpoint: its servers start again
        sm, rt = clients(svc.url)
        wait_status(sm, "kept", "InService")
        r = rt.invoke_endpoint(
            EndpointName="kept", Body=b"1", ContentType="text/csv", Accept="text/csv"
        )
        assert r["Body"].read() == b"3.0"


def test_target_container_hostname_of_a_multi_container_model(
    service: EndpointService, tmp_path: Path
) -> None:
    """A Direct-mode multi-container model: its first container serves; naming another container
    is an error that says so (not another container's answer under its name)."""
    sm, rt = clients(service.url)
    d1, d2 = make_model(tmp_path, "c1", 1.0), make_model(tmp_path, "c2", 100.0)

    def container(host: str, d: Path) -> dict[str, Any]:
        return {
            "ContainerHostname": host,
            "Image": "amtune/sklearn:local",
            "ModelDataUrl": (d / "model").as_uri(),
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(d / "code"),
            },
        }

    sm.create_model(
        ModelName="multi",
        Containers=[container("first", d1), container("second", d2)],
        InferenceExecutionConfig={"Mode": "Direct"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/local",
    )
    sm.create_endpoint_config(
        EndpointConfigName="multi-config",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "multi", "InitialInstanceCount": 1,
             "InstanceType": "ml.m5.large"}
        ],
    )  # fmt: skip
    sm.create_endpoint(EndpointName="multi", EndpointConfigName="multi-config")
    wait_status(sm, "multi", "InService")
    r = rt.invoke_endpoint(
        EndpointName="multi", Body=b"1,2", ContentType="text/csv", Accept="text/csv",
        TargetContainerHostname="first",
    )  # fmt: skip
    assert r["Body"].read() == b"3.0"
    with pytest.raises(ClientError, match="serves the first container \\(first\\)"):
        rt.invoke_endpoint(
            EndpointName="multi", Body=b"1,2", ContentType="text/csv",
            TargetContainerHostname="second",
        )  # fmt: skip
    with pytest.raises(ClientError, match="not valid") as e:
        rt.invoke_endpoint(
            EndpointName="multi", Body=b"1,2", ContentType="text/csv",
            TargetContainerHostname="third",
        )  # fmt: skip
    assert e.value.response["Error"]["Code"] == "ValidationError"


def test_an_endpoint_deleted_while_creating_and_created_again_serves_the_new_model(
    service: EndpointService, tmp_path: Path
) -> None:
    """The first creation, still loading its model when the endpoint is deleted, must neither
    mark the new endpoint of the same name InService nor serve its model there (notebook
    re-check 14: both servers of one name shared a port file, and the late creation won)."""
    sm, rt = clients(service.url)
    # both models take 3 s to load: the second starts while the first is still loading
    slow = INFERENCE.replace("def model_fn(model_dir):", "def model_fn(model_dir):\n    import time; time.sleep(3)")  # fmt: skip
    for name, scale in (("slow-1", 1.0), ("slow-10", 10.0)):
        d = make_model(tmp_path, name, scale)
        (d / "code" / "inference.py").write_text(slow)
        create_model(sm, name, d)
    for cfg, model in (("cfg-1", "slow-1"), ("cfg-10", "slow-10")):
        sm.create_endpoint_config(
            EndpointConfigName=cfg,
            ProductionVariants=[
                {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1,
                 "InstanceType": "ml.m5.large"},
            ],
        )  # fmt: skip
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg-1")
    sm.delete_endpoint(EndpointName="ep")
    deadline = time.monotonic() + 30
    while any(e["EndpointName"] == "ep" for e in sm.list_endpoints()["Endpoints"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="cfg-10")
    wait_status(sm, "ep", "InService")
    time.sleep(1)  # both models have loaded by now
    for _ in range(3):
        out = rt.invoke_endpoint(
            EndpointName="ep", Body=b"1,2", ContentType="text/csv", Accept="text/csv"
        )
        assert out["Body"].read().decode() == "30.0"  # (1 + 2) * 10, not * 1
    d = sm.describe_endpoint(EndpointName="ep")
    assert d["EndpointConfigName"] == "cfg-10" and d["EndpointStatus"] == "InService"

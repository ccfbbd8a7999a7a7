"""boto3's ``cloudwatch`` client against the endpoint service (sm-a_b_testing reads its
endpoint's Invocations with ``get_metric_statistics``): GetMetricStatistics and ListMetrics over the
endpoint metrics, in botocore's JSON protocol and in the query protocol older botocore used."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from service_helpers import query_protocol_client  # noqa: E402

from amtune.serve.cloudwatch_api import query_request  # noqa: E402
from amtune.serve.service import EndpointService  # noqa: E402

NOW = datetime.now(timezone.utc)  # for the arguments that are errors whenever the test runs
DIMS = [{"Name": "EndpointName", "Value": "ab"}, {"Name": "VariantName", "Value": "A"}]
KW: dict[str, Any] = {
    "region_name": "us-east-1",
    "aws_access_key_id": "x",
    "aws_secret_access_key": "x",
    "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[EndpointService]:
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        # what the router records for invocations of variants A and B of endpoint "ab"
        t = time.time()
        for variant, n in (("A", 3), ("B", 2)):
            for _ in range(n):
                svc.metrics.record("ab", variant, t, {"Invocations": 1.0})
        svc.metrics.record("ab", "A", t, {"ModelLatency": 1000.0})
        yield svc
    finally:
        svc.stop()


@pytest.fixture(params=["json", "query"])
def cw(request: pytest.FixtureRequest, service: EndpointService, tmp_path: Path) -> Any:
    if request.param == "query":
        return query_protocol_client(tmp_path, service.url, **KW)
    client = boto3.client("cloudwatch", endpoint_url=service.url, **KW)
    assert client.meta.service_model.protocol in ("json", "smithy-rpc-v2-cbor", "query")
    return client


def stats(cw: Any, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "Namespace": "AWS/SageMaker",
        "MetricName": "Invocations",
        "Dimensions": DIMS,
        "StartTime": datetime.now(timezone.utc) - timedelta(minutes=10),
        "EndTime": datetime.now(timezone.utc) + timedelta(minutes=2),
        "Period": 60,
        "Statistics": ["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
    }
    args.update(kw)  # None drops an argument
    return cw.get_metric_statistics(**{k: v for k, v in args.items() if v is not None})


def test_get_metric_statistics_as_the_notebook_calls_it(cw: Any) -> None:
    r = stats(cw)
    assert r["Label"] == "Invocations"
    (p,) = r["Datapoints"]
    assert isinstance(p["Timestamp"], datetime) and p["Timestamp"].second == 0
    assert abs(p["Timestamp"].timestamp() - time.time()) < 120
    assert {k: p[k] for k in ("SampleCount", "Average", "Sum", "Minimum", "Maximum", "Unit")} == {
        "SampleCount": 3.0,
        "Average": 1.0,
        "Sum": 3.0,
        "Minimum": 1.0,
        "Maximum": 1.0,
        "Unit": "None",
    }
    # without VariantName: amtune sums over the variants (as amtune's own function does)
    r = stats(cw, Dimensions=DIMS[:1], Statistics=["Sum"])
    assert [d["Sum"] for d in r["Datapoints"]] == [5.0]


def test_percentiles(cw: Any) -> None:
    r = stats(cw, MetricName="ModelLatency", Statistics=None, ExtendedStatistics=["p50", "p99"])
    (p,) = r["Datapoints"]
    assert p["Unit"] == "Microseconds"
    assert set(p["ExtendedStatistics"]) == {"p50", "p99"}
    assert p["ExtendedStatistics"]["p99"] == pytest.approx(1000.0, rel=0.05)


@pytest.mark.parametrize(
    "kw",
    [
        {"MetricName": "CPUUtilization"},  # a metric amtune does not record
        {"Namespace": "AWS/EC2"},
        {"Dimensions": [{"Name": "EndpointName", "Value": "other"}]},
        {"Dimensions": [*DIMS, {"Name": "Region", "Value": "x"}]},
        {"Dimensions": []},
        {"Unit": "Seconds"},
        {"StartTime": NOW - timedelta(days=3), "EndTime": NOW - timedelta(days=2)},
    ],
)
def test_a_metric_without_data_has_no_datapoints(cw: Any, kw: dict[str, Any]) -> None:
    r = stats(cw, **kw)
    assert r["Datapoints"] == []
    assert r["Label"] == kw.get("MetricName", "Invocations")


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        (
            {"StartTime": NOW, "EndTime": NOW - timedelta(minutes=5)},
            "InvalidParameterValue",
            "The parameter StartTime must be less than the parameter EndTime.",
        ),
        ({"Period": 90}, "InvalidParameterValue", "Period: must be a multiple of 60 seconds"),
        ({"Statistics": ["Median"]}, "InvalidParameterValue", "Statistics: must be among"),
        ({"Statistics": None}, "MissingParameter", "Statistics or ExtendedStatistics"),
        (
            {"Statistics": ["Sum"], "ExtendedStatistics": ["p99"]},
            "InvalidParameterCombination",
            "mutually exclusive",
        ),
        (
            {"StartTime": NOW - timedelta(days=2), "Period": 60},
            "InvalidParameterCombination",
            "exceeds the limit of 1440",
        ),
    ],
)
def test_errors_as_cloudwatch_gives_them(
    cw: Any, kw: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(ClientError) as info:
        stats(cw, **kw)
    err = info.value.response["Error"]
    assert err["Code"] == code and message in err["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_modeled_exceptions_catch_them(cw: Any) -> None:
    with pytest.raises(cw.exceptions.InvalidParameterValueException):
        stats(cw, Period=30)


def test_list_metrics(cw: Any) -> None:
    got = cw.list_metrics(Namespace="AWS/SageMaker")["Metrics"]
    assert [(m["MetricName"], m["Dimensions"][1]["Value"]) for m in got] == [
        ("Invocations", "A"),
        ("ModelLatency", "A"),
        ("Invocations", "B"),
    ]
    assert all(m["Namespace"] == "AWS/SageMaker" for m in got)
    assert got[0]["Dimensions"] == DIMS
    one = cw.list_metrics(
        MetricName="Invocations", Dimensions=[{"Name": "VariantName", "Value": "B"}]
    )
    assert [m["Dimensions"][1]["Value"] for m in one["Metrics"]] == ["B"]
    assert cw.list_metrics(Namespace="AWS/EC2")["Metrics"] == []
    assert len(cw.list_metrics(RecentlyActive="PT3H")["Metrics"]) == 3


def test_other_cloudwatch_actions_are_named_as_not_supported(cw: Any) -> None:
    with pytest.raises(ClientError) as info:
        cw.put_metric_data(Namespace="x", MetricData=[{"MetricName": "m", "Value": 1.0}])
    err = info.value.response["Error"]
    assert err["Code"] == "UnknownOperationException"
    assert "PutMetricData is not supported by amtune's endpoint service" in err["Message"]


def test_query_parameters_become_the_request() -> None:
    action, req = query_request(
        b"Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FSageMaker"
        b"&Dimensions.member.2.Name=VariantName&Dimensions.member.2.Value=A"
        b"&Dimensions.member.1.Name=EndpointName&Dimensions.member.1.Value=ab"
        b"&StartTime=2026-11-30T21%3A00%3A00Z&EndTime=2026-11-30T21%3A05%3A00.500000Z"
        b"&Period=60&Statistics.member.1=Sum&Statistics.member.2=Average"
    )
    assert action == "GetMetricStatistics"
    start = datetime(2026, 11, 30, 21, tzinfo=timezone.utc).timestamp()
    assert req == {
        "Namespace": "AWS/SageMaker",
        "Dimensions": DIMS,
        "StartTime": start,
        "EndTime": start + 300.5,
        "Period": 60,
        "Statistics": ["Sum", "Average"],
    }

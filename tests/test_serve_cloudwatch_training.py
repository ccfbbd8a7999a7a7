"""boto3's ``cloudwatch`` client reading training-job metrics from the endpoint service, as the
amazon-sagemaker-amt-visualize helpers do: ListMetrics and GetMetricData in namespace
``/aws/sagemaker/TrainingJobs`` (dimension ``TrainingJobName``; the per-instance ``Host`` metrics
have no data), GetMetricStatistics on them, and GetMetricData over the endpoint metrics, in
botocore's JSON protocol and the query protocol older botocore used. The jobs are real training
jobs (CreateTrainingJob, CreateHyperParameterTuningJob) of a script that prints its metrics."""

from __future__ import annotations

import math
import os
import textwrap
import time
from collections.abc import Callable, Iterator
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
from amtune.store import STANDALONE, Store  # noqa: E402

NS = "/aws/sagemaker/TrainingJobs"
ROLE = "arn:aws:iam::123456789012:role/amtune-local"
TRAIN = textwrap.dedent(
    """
    import argparse, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float, default=0.0)
    a, _ = p.parse_known_args()
    for epoch in range(3):
        print(f"loss: {(a.x - 0.3) ** 2 + 1.0 / (epoch + 1)}", flush=True)
        time.sleep(0.1)
    print(f"acc: {1 - a.x}", flush=True)
    """
)
KW: dict[str, Any] = {
    "region_name": "us-east-1",
    "aws_access_key_id": "x",
    "aws_secret_access_key": "x",
    "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
}


def definition(**hps: Any) -> dict[str, Any]:
    return {
        "AlgorithmSpecification": {
            "TrainingImage": "amtune/python:local",
            "TrainingInputMode": "File",
            "MetricDefinitions": [
                {"Name": "loss", "Regex": r"loss: (\S+)"},
                {"Name": "acc", "Regex": r"acc: (\S+)"},
                {"Name": "never", "Regex": r"never: (\S+)"},
            ],
        },
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "HyperParameters": {
            "sagemaker_program": '"train.py"',
            "sagemaker_submit_directory": '"s3://bucket/code/sourcedir.tar.gz"',
            **{k: str(v) for k, v in hps.items()},
        },
    }


def tuning_request(name: str) -> dict[str, Any]:
    tjd = definition()
    tjd["StaticHyperParameters"] = tjd.pop("HyperParameters")
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "RandomSeed": 3,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "x", "MinValue": "0", "MaxValue": "1", "ScalingType": "Linear"}
                ]
            },
        },
        "TrainingJobDefinition": tjd,
    }


def wait_for(get: Callable[[], str], timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while (status := get()) not in ("Completed", "Failed", "Stopped"):
        assert time.monotonic() < deadline, f"still {status} after {timeout} s"
        time.sleep(0.2)
    return status


class Jobs:
    """A service with a finished training job ("solo"), the two training jobs of a finished
    tuning job, and a job whose metric series the test writes through the store ("timed")."""

    def __init__(self, svc: EndpointService, root: Path, tuned: list[str]) -> None:
        self.svc, self.root, self.tuned = svc, root, tuned

    def series(self, job: str, metric: str) -> list[tuple[float, float]]:
        """The emissions of ``job``'s ``metric`` as the store has them."""
        with Store(self.root / "amtune.db", readonly=True) as st:
            row = st.get_training_job(job)
            return [
                (m["time"], m["value"]) for m in st.metrics(row["tuning_job"], row["seq"], metric)
            ]


#: the emissions of job "timed": (seconds after BASE, loss)
BASE = math.floor(time.time() / 3600) * 3600 - 3600.0  # an hour boundary, an hour or two ago
TIMED = [(5.0, 4.0), (30.0, 2.0), (65.0, 1.0), (70.0, 3.0), (200.0, 0.5)]


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    root = tmp_path_factory.mktemp("cwtrain")
    (root / "train.py").write_text(TRAIN)
    cwd = os.getcwd()
    os.chdir(root)  # the service resolves the relative code location against it
    svc = EndpointService(root / "amtune.db", serve_models=False).start()
    try:
        sm = boto3.client("sagemaker", endpoint_url=svc.url, **KW)
        sm.create_training_job(TrainingJobName="solo", **definition(x=0.5))
        sm.create_hyper_parameter_tuning_job(**tuning_request("tune"))
        status = wait_for(
            lambda: sm.describe_training_job(TrainingJobName="solo")["TrainingJobStatus"]
        )
        assert status == "Completed"
        status = wait_for(
            lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="tune")[
                "HyperParameterTuningJobStatus"
            ]
        )
        assert status == "Completed"
        tuned = [
            s["TrainingJobName"]
            for s in sm.list_training_jobs_for_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="tune"
            )["TrainingJobSummaries"]
        ]
        with Store(root / "amtune.db") as st:  # a job whose emissions span minutes
            seq = st.create_training_job("timed", {}, BASE, str(root / "timed"))
            st.add_metrics(
                (STANDALONE, seq, "loss", i, BASE + t, v) for i, (t, v) in enumerate(TIMED)
            )
        t = time.time()
        svc.metrics.record("ep", "A", t, {"Invocations": 1.0, "ModelLatency": 500.0})
        svc.metrics.record("ep", "A", t, {"Invocations": 1.0, "ModelLatency": 1500.0})
        yield Jobs(svc, root, sorted(tuned))
    finally:
        svc.stop()
        os.chdir(cwd)


@pytest.fixture(params=["json", "query"])
def cw(request: pytest.FixtureRequest, jobs: Jobs, tmp_path: Path) -> Any:
    if request.param == "query":
        return query_protocol_client(tmp_path, jobs.svc.url, **KW)
    return boto3.client("cloudwatch", endpoint_url=jobs.svc.url, **KW)


def job_dims(job: str) -> list[dict[str, str]]:
    return [{"Name": "TrainingJobName", "Value": job}]


def query(
    qid: str, job: str, metric: str = "loss", stat: str = "Average", period: int = 60, **kw: Any
) -> dict[str, Any]:
    q: dict[str, Any] = {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": NS, "MetricName": metric, "Dimensions": job_dims(job)},
            "Period": period,
            "Stat": stat,
        },
    }
    q.update(kw)
    return q


def data(cw: Any, *queries: dict[str, Any], **kw: Any) -> Any:
    args: dict[str, Any] = {
        "MetricDataQueries": list(queries),
        "StartTime": datetime.fromtimestamp(BASE, timezone.utc) - timedelta(hours=1),
        "EndTime": datetime.now(timezone.utc) + timedelta(minutes=5),
    }
    args.update(kw)
    return cw.get_metric_data(**args)


def buckets(points: list[tuple[float, float]], period: int) -> dict[float, list[float]]:
    out: dict[float, list[float]] = {}
    for t, v in points:
        out.setdefault(math.floor(t / period) * period, []).append(v)
    return out


def test_list_metrics_as_the_helpers_call_it(cw: Any, jobs: Jobs) -> None:
    for job in ["solo", *jobs.tuned]:
        got = cw.list_metrics(Namespace=NS, Dimensions=job_dims(job))["Metrics"]
        # the metric definitions that emitted ("never" did not)
        assert got == [
            {"Namespace": NS, "MetricName": m, "Dimensions": job_dims(job)} for m in ("acc", "loss")
        ]
        host = [{"Name": "Host", "Value": f"{job}/algo-1"}]
        assert cw.list_metrics(Namespace=NS, Dimensions=host)["Metrics"] == []
    every = cw.list_metrics(Namespace=NS)["Metrics"]
    assert {m["Dimensions"][0]["Value"] for m in every} == {"solo", "timed", *jobs.tuned}
    assert [m["Dimensions"] for m in cw.list_metrics(MetricName="acc")["Metrics"]] == [
        job_dims(j) for j in sorted(["solo", *jobs.tuned])
    ]
    recent = cw.list_metrics(Namespace=NS, RecentlyActive="PT3H")["Metrics"]
    assert len(recent) == len(every) == 7
    # no namespace: the endpoint metrics, then the training-job metrics
    names = [m["Namespace"] for m in cw.list_metrics()["Metrics"]]
    assert names == ["AWS/SageMaker"] * 2 + [NS] * 7
    assert cw.list_metrics(Namespace=NS, Dimensions=job_dims("nope"))["Metrics"] == []


def test_get_metric_data_of_a_real_training_job(cw: Any, jobs: Jobs) -> None:
    for job in ["solo", *jobs.tuned]:
        r = data(cw, query("loss", job), query("acc", job, "acc", "Maximum", Label="accuracy"))
        loss, acc = r["MetricDataResults"]
        expected = buckets(jobs.series(job, "loss"), 60)
        assert loss["Id"] == "loss" and loss["Label"] == "loss"
        assert loss["StatusCode"] == acc["StatusCode"] == "Complete"
        assert [t.timestamp() for t in loss["Timestamps"]] == sorted(expected, reverse=True)
        assert loss["Values"] == pytest.approx(
            [sum(expected[t]) / len(expected[t]) for t in sorted(expected, reverse=True)]
        )
        assert sum(len(v) for v in expected.values()) == 3
        assert acc["Label"] == "accuracy"
        assert acc["Values"] == pytest.approx([v for _, v in jobs.series(job, "acc")])


def test_periods_statistics_and_scan_order(cw: Any, jobs: Jobs) -> None:
    stamps = [BASE + 180, BASE + 60, BASE]
    r = data(cw, query("a", "timed"), query("s", "timed", stat="SampleCount"))
    avg, count = r["MetricDataResults"]
    assert [t.timestamp() for t in avg["Timestamps"]] == stamps  # newest first
    assert avg["Values"] == [0.5, 2.0, 3.0]
    assert count["Values"] == [1.0, 2.0, 2.0]
    r = data(
        cw,
        query("mx", "timed", stat="Maximum", period=120),
        query("p", "timed", stat="p50", period=300),
        ScanBy="TimestampAscending",
    )
    mx, p = r["MetricDataResults"]
    assert [t.timestamp() for t in mx["Timestamps"]] == [BASE, BASE + 120]
    assert mx["Values"] == [4.0, 0.5]
    assert p["Values"] == [2.0]  # the median of the 5 emissions
    sub = data(cw, query("ten", "timed", stat="Sum", period=10), ScanBy="TimestampAscending")
    assert sub["MetricDataResults"][0]["Values"] == [4.0, 2.0, 1.0, 3.0, 0.5]
    # StartTime is inclusive (rounded down to the minute), EndTime exclusive
    window = data(
        cw,
        query("w", "timed", stat="Sum"),
        StartTime=datetime.fromtimestamp(BASE + 61, timezone.utc),
        EndTime=datetime.fromtimestamp(BASE + 200, timezone.utc),
    )
    assert window["MetricDataResults"][0]["Values"] == [4.0]


def test_get_metric_statistics_on_training_metrics(cw: Any, jobs: Jobs) -> None:
    r = cw.get_metric_statistics(
        Namespace=NS,
        MetricName="loss",
        Dimensions=job_dims("timed"),
        StartTime=datetime.fromtimestamp(BASE, timezone.utc),
        EndTime=datetime.fromtimestamp(BASE + 600, timezone.utc),
        Period=60,
        Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
    )
    assert r["Label"] == "loss"
    got = [
        (
            p["Timestamp"].timestamp() - BASE,
            p["SampleCount"],
            p["Average"],
            p["Sum"],
            p["Minimum"],
            p["Maximum"],
            p["Unit"],
        )
        for p in r["Datapoints"]
    ]
    assert got == [
        (0, 2.0, 3.0, 6.0, 2.0, 4.0, "None"),
        (60, 2.0, 2.0, 4.0, 1.0, 3.0, "None"),
        (180, 1.0, 0.5, 0.5, 0.5, 0.5, "None"),
    ]
    r = cw.get_metric_statistics(
        Namespace=NS,
        MetricName="loss",
        Dimensions=job_dims("solo"),
        StartTime=datetime.now(timezone.utc) - timedelta(hours=1),
        EndTime=datetime.now(timezone.utc) + timedelta(minutes=1),
        Period=3600,
        ExtendedStatistics=["p100"],
    )
    (p,) = r["Datapoints"]
    assert p["ExtendedStatistics"]["p100"] == pytest.approx(
        max(v for _, v in jobs.series("solo", "loss"))
    )
    with pytest.raises(ClientError) as info:
        cw.get_metric_statistics(
            Namespace=NS,
            MetricName="loss",
            Dimensions=job_dims("solo"),
            StartTime=datetime.now(timezone.utc) - timedelta(hours=1),
            EndTime=datetime.now(timezone.utc),
            Period=45,
            Statistics=["Sum"],
        )
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_metrics_without_data_answer_no_data_points(cw: Any, jobs: Jobs) -> None:
    host = {
        "Id": "cpu",
        "MetricStat": {
            "Metric": {
                "Namespace": NS,
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "Host", "Value": "solo/algo-1"}],
            },
            "Period": 60,
            "Stat": "Average",
        },
    }
    r = data(
        cw,
        host,
        query("nope", "nope"),
        query("unit", "solo", MetricStat=None)
        | {"MetricStat": {**query("u", "solo")["MetricStat"], "Unit": "Seconds"}},
        query("never", "solo", "never"),
    )
    results = r["MetricDataResults"]
    assert [(x["Id"], x["Timestamps"], x["Values"], x["StatusCode"]) for x in results] == [
        ("cpu", [], [], "Complete"),
        ("nope", [], [], "Complete"),
        ("unit", [], [], "Complete"),
        ("never", [], [], "Complete"),
    ]
    assert results[0]["Label"] == "CPUUtilization"


def test_get_metric_data_of_endpoint_metrics(cw: Any, jobs: Jobs) -> None:
    dims = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "A"}]

    def q(qid: str, metric: str, stat: str) -> dict[str, Any]:
        m = {"Namespace": "AWS/SageMaker", "MetricName": metric, "Dimensions": dims}
        return {"Id": qid, "MetricStat": {"Metric": m, "Period": 60, "Stat": stat}}

    r = data(
        cw,
        q("inv", "Invocations", "Sum"),
        q("lat", "ModelLatency", "Maximum"),
        q("p99", "ModelLatency", "p99"),
        StartTime=datetime.now(timezone.utc) - timedelta(minutes=10),
    )
    inv, lat, p99 = r["MetricDataResults"]
    assert inv["Values"] == [2.0] and inv["Label"] == "Invocations"
    assert abs(inv["Timestamps"][0].timestamp() - time.time()) < 120
    assert lat["Values"] == [1500.0]
    assert p99["Values"] == [pytest.approx(1500.0, rel=0.05)]


def test_paging_with_max_datapoints(cw: Any, jobs: Jobs) -> None:
    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        r = data(cw, query("a", "timed"), query("b", "timed", stat="Sum"), MaxDatapoints=2, **kw)
        pages.append([(x["Id"], x["Values"], x["StatusCode"]) for x in r["MetricDataResults"]])
        token = r.get("NextToken")
        if not token:
            break
    assert pages == [
        [("a", [0.5, 2.0], "PartialData"), ("b", [], "PartialData")],
        [("a", [3.0], "Complete"), ("b", [0.5], "PartialData")],
        [("a", [], "Complete"), ("b", [4.0, 6.0], "Complete")],
    ]
    with pytest.raises(ClientError) as info:
        data(cw, query("a", "timed"), NextToken="bogus")
    assert info.value.response["Error"]["Code"] == "InvalidNextToken"


def test_an_expression_naming_a_query_and_return_data(cw: Any, jobs: Jobs) -> None:
    r = data(
        cw,
        query("m1", "timed", ReturnData=False),
        {"Id": "e1", "Expression": "m1", "Label": "same"},
    )
    (e1,) = r["MetricDataResults"]
    assert (e1["Id"], e1["Label"], e1["Values"]) == ("e1", "same", [0.5, 2.0, 3.0])


@pytest.mark.parametrize(
    ("queries", "message"),
    [
        ([query("m1", "timed"), {"Id": "e1", "Expression": "m1 * 2"}], "metric math"),
        ([{"Id": "e1", "Expression": "SELECT AVG(loss) FROM x"}], "Metrics Insights"),
        ([{"Id": "m1", "Label": "x"}], "MetricDataQueries.member.1.MetricStat is required"),
        ([query("m1", "timed", stat="Median")], "is not a valid statistic"),
        ([query("m1", "timed", period=45)], "MetricStat.Period is invalid"),
        ([query("m1", "timed"), query("m1", "solo")], "is not unique"),
        ([query("M1", "timed")], "Id is invalid"),
        ([query("m1", "timed", Expression="m1")], "mutually exclusive"),
    ],
)
def test_get_metric_data_errors(cw: Any, queries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ClientError) as info:
        data(cw, *queries)
    err = info.value.response["Error"]
    assert err["Code"] == "ValidationError" and message in err["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_get_metric_data_parameter_errors(cw: Any) -> None:
    now = datetime.now(timezone.utc)
    with pytest.raises(ClientError) as info:
        data(cw, query("m1", "timed"), StartTime=now, EndTime=now - timedelta(minutes=1))
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as info:
        data(cw, query("m1", "timed"), ScanBy="Sideways")
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_query_protocol_nested_lists() -> None:
    action, req = query_request(
        b"Action=GetMetricData&Version=2010-08-01&StartTime=2026-11-30T21%3A00%3A00Z"
        b"&EndTime=2026-11-30T22%3A00%3A00Z&MaxDatapoints=5"
        b"&MetricDataQueries.member.1.Id=m1&MetricDataQueries.member.1.ReturnData=false"
        b"&MetricDataQueries.member.1.MetricStat.Period=60"
        b"&MetricDataQueries.member.1.MetricStat.Stat=Average"
        b"&MetricDataQueries.member.1.MetricStat.Metric.MetricName=loss"
        b"&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=TrainingJobName"
        b"&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=j"
    )
    assert action == "GetMetricData"
    (q,) = req["MetricDataQueries"]
    assert req["MaxDatapoints"] == 5 and q["ReturnData"] is False
    assert q["MetricStat"]["Period"] == 60
    assert q["MetricStat"]["Metric"]["Dimensions"] == job_dims("j")

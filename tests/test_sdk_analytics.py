"""The SageMaker SDK's analytics classes on the store: HyperparameterTuningJobAnalytics (by name,
as a notebook calls it; and as ``tuner.analytics()``), TrainingJobAnalytics (training jobs of a
tuning job and of ``Estimator.fit``) and ``estimator.training_job_analytics``."""

from __future__ import annotations

import math
import pickle
from datetime import datetime, timezone

import pandas as pd
import pytest

import amtune
from amtune.store import NotFoundError

RANGES = {
    "x": amtune.ContinuousParameter(0.0, 1.0),
    "n": amtune.IntegerParameter(1, 5),
    "c": amtune.CategoricalParameter(["a", "b"]),
    "k": amtune.CategoricalParameter([16, 32]),
}


def curve(hp, reporter):
    for epoch in range(3):
        reporter.report("loss", hp["x"] + hp["n"] / (epoch + 1))
        reporter.report("acc", 0.5 + 0.1 * epoch)


def flaky(hp, reporter):
    if hp["n"] > 3:
        raise RuntimeError("too big")
    reporter.report("loss", float(hp["n"]))


def tune(train, name, max_jobs=4, **kw):
    t = amtune.HyperparameterTuner(
        "loss",
        RANGES,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=max_jobs,
        max_parallel_jobs=2,
        random_seed=3,
        runner="thread",
        quiet=True,
        **kw,
    )
    t.fit(train, job_name=name)
    return t


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_tuning_job_analytics_by_name_in_the_working_directory(in_tmp):
    t = tune(curve, "by-name")
    a = amtune.HyperparameterTuningJobAnalytics("by-name")  # ./amtune.db, as attach
    assert a.name == "by-name" and "by-name" in repr(a)
    df = a.dataframe()
    assert type(df) is pd.DataFrame and len(df) == 4
    assert list(df.columns)[:10] == [
        "x",
        "n",
        "c",
        "k",
        "TrainingJobName",
        "TrainingJobStatus",
        "FinalObjectiveValue",
        "TrainingStartTime",
        "TrainingEndTime",
        "TrainingElapsedTimeSeconds",
    ]
    # the SDK's types: a tuned value that reads as a number is a float, else the string
    assert df["x"].dtype == "float64" and df["n"].dtype == "float64"
    assert df["k"].dtype == "float64" and set(df["k"]) <= {16.0, 32.0}
    assert set(df["c"]) <= {"a", "b"}
    assert a.tuning_ranges == {
        "x": {"Name": "x", "MinValue": "0.0", "MaxValue": "1.0", "ScalingType": "Auto"},
        "n": {"Name": "n", "MinValue": "1", "MaxValue": "5", "ScalingType": "Auto"},
        "c": {"Name": "c", "Values": ["a", "b"]},
        "k": {"Name": "k", "Values": ["16", "32"]},
    }
    d = a.description()
    assert d == t.describe() and d["HyperParameterTuningJobName"] == "by-name"
    summaries = a.training_job_summaries()
    assert [s["TrainingJobName"] for s in summaries] == df["TrainingJobName"].tolist()
    first = summaries[0]
    assert first["TuningJobName"] == "by-name" and first["TrainingJobStatus"] == "Completed"
    assert set(first["TunedHyperParameters"]) == {"x", "n", "c", "k"}
    assert first["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "loss"


def test_results_are_cached_until_cleared_or_refreshed(in_tmp):
    tune(curve, "cache", max_jobs=2)
    a = amtune.HyperparameterTuningJobAnalytics("cache")
    assert a.dataframe() is a.dataframe()
    assert a.description() is a.description()
    assert a.training_job_summaries() is a.training_job_summaries()
    df, d, s = a.dataframe(), a.description(), a.training_job_summaries()
    assert a.dataframe(force_refresh=True) is not df
    assert a.description(force_refresh=True) is not d
    assert a.training_job_summaries(force_refresh=True) is not s
    df = a.dataframe()
    a.clear_cache()
    assert a.dataframe() is not df
    pd.testing.assert_frame_equal(a.dataframe(), df)


def test_export_csv_writes_the_dataframe(in_tmp):
    tune(curve, "csv", max_jobs=2)
    a = amtune.HyperparameterTuningJobAnalytics("csv")
    a.export_csv(in_tmp / "out.csv")
    back = pd.read_csv(in_tmp / "out.csv", index_col=0)  # the SDK writes the index column
    assert back.columns.tolist() == a.dataframe().columns.tolist()
    assert back["TrainingJobName"].tolist() == a.dataframe()["TrainingJobName"].tolist()


def test_unknown_job_or_store_is_one_clear_error(in_tmp):
    with pytest.raises(NotFoundError, match=r"no tuning job named 'nope'.*no amtune store at"):
        amtune.HyperparameterTuningJobAnalytics("nope")
    assert not (in_tmp / "amtune.db").exists()  # looking did not create a store
    tune(curve, "exists", max_jobs=1)
    with pytest.raises(NotFoundError, match=r"no tuning job named 'nope' in .*amtune\.db"):
        amtune.HyperparameterTuningJobAnalytics("nope")
    with pytest.raises(NotFoundError, match="no training job named 'nope'"):
        amtune.TrainingJobAnalytics("nope")
    other = in_tmp / "sub"
    other.mkdir()
    a = amtune.HyperparameterTuningJobAnalytics("exists", db=in_tmp / "amtune.db")
    assert len(a.dataframe()) == 1


def test_tuner_analytics_is_the_sdk_class_and_still_a_dataframe(in_tmp):
    t = tune(curve, "frame")
    a = t.analytics()
    assert isinstance(a, amtune.HyperparameterTuningJobAnalytics)
    assert isinstance(a, pd.DataFrame) and len(a) == 4
    assert a["FinalObjectiveValue"].tolist() == a.dataframe()["FinalObjectiveValue"].tolist()
    best = a[a["FinalObjectiveValue"] == a["FinalObjectiveValue"].min()]
    assert best["TrainingJobName"].iloc[0] == t.best_training_job()
    assert isinstance(best.dataframe(), pd.DataFrame)  # a slice keeps dataframe()/export_csv
    assert a.tuning_ranges["c"] == {"Name": "c", "Values": ["a", "b"]}
    assert len(a.training_job_summaries()) == 4
    back = pickle.loads(pickle.dumps(a))
    assert back.name == "frame" and len(back.training_job_summaries()) == 4


def test_failure_reason_is_nan_when_absent_in_every_frame(in_tmp):
    ok = tune(curve, "no-failures", max_jobs=2).analytics().dataframe()
    mixed = tune(flaky, "failures", max_jobs=6).analytics().dataframe()
    assert mixed["TrainingJobStatus"].eq("Failed").any(), "the test needs a failed job"
    assert mixed["TrainingJobStatus"].eq("Completed").any(), "the test needs a completed job"
    for df in (ok, mixed):
        missing = df.loc[df["TrainingJobStatus"] == "Completed", "FailureReason"]
        assert all(isinstance(v, float) and math.isnan(v) for v in missing)
        assert df["FailureReason"].dtype != "float64"  # text, also when no job failed
        df["FailureReason"].str.len()  # the .str accessor works in both
    failed = mixed.loc[mixed["TrainingJobStatus"] == "Failed", "FailureReason"]
    assert failed.str.contains("too big").all()


def test_training_job_analytics_of_a_tuning_job_training_job(in_tmp):
    t = tune(curve, "series", max_jobs=1)
    job = t.best_training_job()
    df = amtune.TrainingJobAnalytics(job).dataframe()
    assert df.columns.tolist() == ["timestamp", "metric_name", "value"]
    # metric_names=None: every metric the training function reported, metric after metric
    assert df["metric_name"].tolist() == ["loss"] * 3 + ["acc"] * 3
    for _, part in df.groupby("metric_name"):
        ts = part["timestamp"].tolist()
        assert ts[0] == 0.0 and ts == sorted(ts)  # seconds since the metric's first point
    assert df[df.metric_name == "acc"]["value"].tolist() == pytest.approx([0.5, 0.6, 0.7])
    only = amtune.TrainingJobAnalytics(job, metric_names=["acc", "missing"]).dataframe()
    assert only["metric_name"].tolist() == ["acc"] * 3  # a metric with no point is skipped
    # one period covering the job: CloudWatch's Average of the period
    avg = amtune.TrainingJobAnalytics(job, metric_names=["acc"], period=3600).dataframe()
    assert avg["value"].tolist() == pytest.approx([0.6]) and avg["timestamp"].tolist() == [0.0]
    later = datetime(2999, 1, 1, tzinfo=timezone.utc)
    assert amtune.TrainingJobAnalytics(job, start_time=later).dataframe().empty
    with pytest.raises(ValueError, match="period"):
        amtune.TrainingJobAnalytics(job, period=0)
    with pytest.raises(TypeError, match="start_time"):
        amtune.TrainingJobAnalytics(job, start_time="yesterday")


SCRIPT = """import argparse
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--opt", type=str, default="sgd")
a = p.parse_args()
for i in range(3):
    print(f"loss: {a.lr / (i + 1)}")
    print(f"acc: {0.5 + i / 10}")
"""
METRICS = [
    {"Name": "loss", "Regex": r"loss: (\S+)"},
    {"Name": "acc", "Regex": r"acc: (\S+)"},
]


def test_estimator_training_job_analytics(in_tmp):
    (in_tmp / "train.py").write_text(SCRIPT)
    est = amtune.SKLearn(
        "train.py",
        source_dir=str(in_tmp),
        hyperparameters={"lr": 0.5},
        metric_definitions=METRICS,
        notices=False,
    )
    with pytest.raises(ValueError, match="not associated with a training job"):
        est.training_job_analytics  # noqa: B018
    est.fit(logs=False)
    df = est.training_job_analytics.dataframe()
    # metric_names=None: the job's metric definitions, in their order
    assert df["metric_name"].tolist() == ["loss"] * 3 + ["acc"] * 3
    assert df[df.metric_name == "loss"]["value"].tolist() == pytest.approx([0.5, 0.25, 0.5 / 3])
    name = est.latest_training_job.name
    df2 = amtune.TrainingJobAnalytics(name, metric_names=["loss"]).dataframe(force_refresh=True)
    assert df2["metric_name"].tolist() == ["loss"] * 3

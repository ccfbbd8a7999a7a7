"""Tuning jobs end to end with the thread runner (fast) and the SageMaker-shaped results."""

import io
import math
import threading
import time

import numpy as np
import pandas as pd
import pytest

import amtune
from amtune.errors import FieldError
from amtune.sagemaker.config import TuningJobCompletionCriteriaConfig, WarmStartConfig
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.tuning.tuner import HyperparameterTuner

RANGES = {
    "x": amtune.ContinuousParameter(-2.0, 2.0),
    "n": amtune.IntegerParameter(1, 5),
    "c": amtune.CategoricalParameter(["a", "b"]),
}


def quad(hp, reporter):
    for step in range(3):
        reporter.report("loss", (hp["x"] - 0.5) ** 2 + hp["n"] + step, step=step)
    return {"loss": (hp["x"] - 0.5) ** 2 + hp["n"] + (hp["c"] == "b"), "aux": 7.0}


def test_describe_has_the_sagemaker_shape(tmp_path, make_tuner):
    t = make_tuner(
        ranges=RANGES, max_jobs=8, max_parallel_jobs=3, static_hyperparameters={"epochs": 4}
    )
    t.fit(quad, job_name="shape")
    d = t.describe()
    assert d["HyperParameterTuningJobName"] == "shape"
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"] == {
        "Completed": 8,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 8, "Pending": 0, "Failed": 0}
    htc = d["HyperParameterTuningJobConfig"]
    assert htc["HyperParameterTuningJobObjective"] == {"Type": "Minimize", "MetricName": "loss"}
    assert htc["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 8, "MaxParallelTrainingJobs": 3}
    assert htc["Strategy"] == "Random" and htc["RandomSeed"] == 0
    assert d["TrainingJobDefinition"]["StaticHyperParameters"] == {"epochs": "4"}
    assert d["CreationTime"] <= d["HyperParameterTuningEndTime"]
    assert d["CreationTime"].tzinfo is not None
    assert isinstance(d["ConsumedResources"]["RuntimeInSeconds"], int)
    best = d["BestTrainingJob"]
    df = t.analytics()
    assert best["FinalHyperParameterTuningJobObjectiveMetric"] == {
        "Type": "Minimize",
        "MetricName": "loss",
        "Value": df["FinalObjectiveValue"].min(),
    }
    assert best["TrainingJobName"] == t.best_training_job()
    assert best["TrainingJobStatus"] == "Completed"
    row = df.set_index("TrainingJobName").loc[best["TrainingJobName"]]
    assert best["TunedHyperParameters"] == {
        "x": repr(float(row["x"])),
        "n": str(int(row["n"])),
        "c": row["c"],
    }
    # a returned dict is the last emission of each metric
    expected = [(r.x - 0.5) ** 2 + r.n + (r.c == "b") for r in df.itertuples()]
    assert df["FinalObjectiveValue"].tolist() == pytest.approx(expected)


def test_analytics_columns_and_csv_export(tmp_path, make_tuner):
    t = make_tuner(ranges=RANGES, max_jobs=4)
    t.fit(quad, job_name="csv")
    df = t.analytics()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns)[:9] == [
        "x",
        "n",
        "c",
        "TrainingJobName",
        "TrainingJobStatus",
        "FinalObjectiveValue",
        "TrainingStartTime",
        "TrainingEndTime",
        "TrainingElapsedTimeSeconds",
    ]
    assert (df["TrainingElapsedTimeSeconds"] >= 0).all()
    out = tmp_path / "a.csv"
    df.export_csv(out)
    back = pd.read_csv(out, index_col=0)  # the SDK writes the index column
    assert back["TrainingJobName"].tolist() == df["TrainingJobName"].tolist()
    assert back["FinalObjectiveValue"].tolist() == pytest.approx(df["FinalObjectiveValue"].tolist())
    assert isinstance(df.dataframe(), pd.DataFrame)


def test_static_hyperparameters_reach_every_job_and_series_are_stored(tmp_path, make_tuner):
    seen = []

    def train(hp, reporter):
        seen.append(hp)
        reporter.report("loss", 1.0)
        reporter.report("loss", 0.5)

    t = make_tuner(ranges=RANGES, max_jobs=3, static_hyperparameters={"epochs": 4, "opt": "sgd"})
    t.fit(train, job_name="static")
    assert len(seen) == 3 and all(h["epochs"] == 4 and h["opt"] == "sgd" for h in seen)
    ms = t.metrics(t.analytics()["TrainingJobName"][0])
    assert [(m["step"], m["value"]) for m in ms] == [(0, 1.0), (1, 0.5)]
    assert all(m["time"] > 0 for m in ms)
    rows = t.store.training_jobs("static")
    assert all(r["final_objective"] == 0.5 and "epochs" not in r["hyperparameters"] for r in rows)


def test_objective_never_emitted_fails_the_objective_and_the_tuning_job(tmp_path, make_tuner):
    def train(hp, reporter):
        reporter.report("other", 1.0)

    t = make_tuner(ranges=RANGES, max_jobs=2)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(train, job_name="noobj")
    d = t.describe()
    assert d["TrainingJobStatusCounters"]["Completed"] == 2
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 2}
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert "No training job succeeded" in d["FailureReason"]
    assert "BestTrainingJob" not in d


def test_failures_are_told_to_the_strategy_and_do_not_stop_the_job(tmp_path, make_tuner):
    def train(hp, reporter):
        if hp["c"] == "b":
            raise RuntimeError("bad c")
        return {"loss": hp["x"]}

    t = make_tuner(ranges=RANGES, max_jobs=10, max_parallel_jobs=2)
    t.fit(train, job_name="mixed")
    df = t.analytics()
    assert len(df) == 10
    assert (df[df["c"] == "b"]["TrainingJobStatus"] == "Failed").all()
    assert (df[df["c"] == "a"]["TrainingJobStatus"] == "Completed").all()
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"
    assert t.last_run.optimizer.n_finished == 10


def _slow(hp, reporter):
    for i in range(400):
        reporter.report("loss", float(i))
        time.sleep(0.01)


def test_stop_in_background_mode_stops_running_jobs(tmp_path, make_tuner):
    t = make_tuner(ranges=RANGES, max_jobs=50, max_parallel_jobs=2)
    t.fit(_slow, job_name="bg", wait=False)
    for _ in range(500):
        if len(t.store.training_jobs("bg")) >= 2:
            break
        time.sleep(0.01)
    t.stop()
    t.wait()
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    c = d["TrainingJobStatusCounters"]
    assert c["Stopped"] >= 2 and c["InProgress"] == 0
    rows = t.store.training_jobs("bg")
    assert len(rows) < 50
    # stopped jobs keep their series and last value
    assert all(r["status"] == "Stopped" and r["objective_status"] == "Succeeded" for r in rows)


def test_max_runtime_stops_running_jobs_and_completes(tmp_path, make_tuner):
    t = make_tuner(ranges=RANGES, max_jobs=100, max_parallel_jobs=2, max_runtime_in_seconds=0.5)
    t.fit(_slow, job_name="rt")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    assert "MaxRuntimeInSeconds" in d["TuningJobCompletionReason"]


def test_a_stop_request_through_the_store_is_seen_by_the_driver(tmp_path, make_tuner):
    from amtune.store import Store
    from amtune.tuning.liveness import stop_tuning_job

    t = make_tuner(ranges=RANGES, max_jobs=50)
    t.fit(_slow, job_name="ext", wait=False)
    for _ in range(500):
        if t.store.training_jobs("ext"):
            break
        time.sleep(0.01)
    other = Store(tmp_path / "amtune.db")
    assert stop_tuning_job(other, "ext") == "Stopping"
    other.close()
    t.wait()
    assert t.describe()["HyperParameterTuningJobStatus"] == "Stopped"


def test_target_objective_completes_the_tuning_job(tmp_path, make_tuner):
    def train(hp, reporter):
        return {"loss": 1.0}

    t = make_tuner(
        ranges=RANGES,
        max_jobs=20,
        completion_criteria_config=TuningJobCompletionCriteriaConfig(
            target_objective_metric_value=1.0
        ),
    )
    t.fit(train, job_name="target")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert sum(d["TrainingJobStatusCounters"].values()) == 1
    assert "target" in d["TuningJobCompletionReason"]


def test_grid_runs_every_combination_once(tmp_path, make_tuner):
    ranges = {"n": amtune.IntegerParameter(1, 3), "c": amtune.CategoricalParameter(["a", "b"])}
    t = make_tuner(ranges=ranges, strategy="Grid", max_jobs=100, max_parallel_jobs=2)
    t.fit(lambda hp, r: {"loss": hp["n"]}, job_name="grid")
    df = t.analytics()
    assert sorted(zip(df["n"], df["c"], strict=True)) == [(n, c) for n in (1, 2, 3) for c in "ab"]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"max_jobs": 0}, "max_jobs: must be an integer from 1 to"),
        ({"max_parallel_jobs": 1.5}, "max_parallel_jobs"),
        ({"max_runtime_in_seconds": -1}, "max_runtime_in_seconds"),
        ({"objective_type": "Max"}, "objective_type"),
        ({"strategy": "Nope"}, "strategy"),
        ({"metric_definitions": [{"Name": "loss", "Regex": "loss"}]}, "capture group"),
        ({"max_retry_attempts": 31}, "max_retry_attempts: must be an integer from 0 to 30"),
        ({"runner": "cluster"}, "runner"),
        ({"early_stopping_type": "Sometimes"}, "early_stopping_type"),
        ({"random_seed": -3}, "random_seed"),
        ({"ranges": {}}, "at least one range"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(tmp_path, kw, match, make_tuner):
    with pytest.raises(ValueError, match=match):
        make_tuner(**{"ranges": RANGES, **kw})
    assert not (tmp_path / "amtune.db").exists()


def test_issue6_features_are_validated(tmp_path, make_tuner):
    with pytest.raises(
        ValueError, match="max_number_of_training_jobs_not_improving: must be an integer >= 3"
    ):
        make_tuner(
            ranges=RANGES,
            completion_criteria_config=TuningJobCompletionCriteriaConfig(
                max_number_of_training_jobs_not_improving=2
            ),
        )
    with pytest.raises(ValueError, match="1 to 5 parent"):
        make_tuner(
            ranges=RANGES, warm_start_config=WarmStartConfig("IdenticalDataAndAlgorithm", [])
        )
    with pytest.raises(ValueError, match="warm_start_type"):
        make_tuner(ranges=RANGES, warm_start_config=WarmStartConfig("Sideways", ["p"]))


def test_job_names_follow_sagemaker_rules_and_are_unique(tmp_path, make_tuner):
    t = make_tuner(ranges=RANGES, max_jobs=1)
    with pytest.raises(ValueError, match="job_name"):
        t.fit(quad, job_name="bad_name!")
    with pytest.raises(ValueError, match="job_name"):
        t.fit(quad, job_name="x" * 33)
    t.fit(quad, job_name="once")
    with pytest.raises(ValueError, match="already exists"):
        t.fit(quad, job_name="once")
    t.fit(quad)  # a generated name
    assert t.latest_tuning_job.startswith("amtune-")


def test_reporter_rejects_bad_values(tmp_path, make_tuner):
    errors = []

    def train(hp, reporter):
        for bad in (float("nan"), "1.0", True):
            try:
                reporter.report("loss", bad)
            except TypeError as exc:
                errors.append(str(exc))
        reporter.report("loss", 1)

    t = make_tuner(ranges=RANGES, max_jobs=1)
    t.fit(train, job_name="rep")
    assert len(errors) == 3 and all("finite number" in e for e in errors)
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"


def test_a_job_running_in_another_thread_can_be_described(tmp_path, make_tuner):
    t = make_tuner(ranges=RANGES, max_jobs=40, max_parallel_jobs=2)
    t.fit(_slow, job_name="live", wait=False)
    for _ in range(500):
        if t.store.training_jobs("live"):
            break
        time.sleep(0.01)
    d = HyperparameterTuner.attach("live", db=tmp_path / "amtune.db").describe()
    assert d["HyperParameterTuningJobStatus"] == "InProgress"
    assert d["TrainingJobStatusCounters"]["InProgress"] >= 1
    assert d["ObjectiveStatusCounters"]["Pending"] >= 1
    t.stop()
    t.wait()
    assert not any(th.name.startswith("amtune-driver") for th in threading.enumerate())


def test_progress_line_format():
    from amtune.progress import format_status

    s = format_status("j", {"Completed": 3, "Failed": 1, "InProgress": 2}, 0.5, 12.3, 10)
    assert s.startswith("j: 4/10 done (3 completed, 1 failed, 0 stopped), 2 running, best 0.5")
    assert math.isclose(0.5, float(s.split("best ")[1].split(",")[0]))


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_shows_on_a_terminal_only_and_lines_elsewhere():
    from amtune.progress import Progress

    # not a terminal (a notebook, a pipe): no live line, one line per finished job and the end
    piped = _Stream(tty=False)
    p = Progress(True, piped)
    p.update("job: 1/2 done", force=True)
    p.line("job-001  Completed  loss 0.5  best 0.5  (1/2)")
    p.close("job: Completed")
    assert piped.getvalue() == "job-001  Completed  loss 0.5  best 0.5  (1/2)\njob: Completed\n"
    off = _Stream(tty=True)
    p = Progress(False, off)
    p.update("job: 1/2 done", force=True)
    p.close()
    assert off.getvalue() == ""
    tty = _Stream(tty=True)
    p = Progress(True, tty)
    p.update("job: 1/2 done", force=True)
    p.close("job: Completed")
    assert "Completed" in tty.getvalue()


@pytest.mark.parametrize(
    "module", ["amtune.tuning.tuner", "amtune.metrics", "amtune.store", "amtune.rules.completion"]
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_stored_request_rebuilds_the_tuner(tmp_path, make_tuner):
    from amtune.sagemaker.document import StoredConfig, tuning_job_config

    t = make_tuner(
        ranges=RANGES,
        max_jobs=7,
        max_parallel_jobs=2,
        max_runtime_in_seconds=60,
        max_retry_attempts=2,
        static_hyperparameters={"epochs": 4},
        completion_criteria_config=TuningJobCompletionCriteriaConfig(
            max_number_of_training_jobs_not_improving=5
        ),
    )
    doc = tuning_job_config(t, ["python", "train.py"], None)
    htc = doc["HyperParameterTuningJobConfig"]
    assert htc["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 7,
        "MaxParallelTrainingJobs": 2,
        "MaxRuntimeInSeconds": 60,
    }
    assert doc["TrainingJobDefinition"]["StaticHyperParameters"] == {"epochs": "4"}
    stored = StoredConfig(doc)
    assert stored.command == ["python", "train.py"] and stored.callable_ref is None
    name, space, kwargs = stored.tuner_arguments()
    assert name == "loss" and space == t.space
    again = type(t)(name, space, **kwargs)
    assert tuning_job_config(again, ["python", "train.py"], None) == doc


def test_bayesian_options_reach_the_strategy_through_strategy_config(tmp_path, make_tuner):
    # the README's advice for noisy metrics: strategy_config={"deterministic": False}
    def noisy(hp, reporter):
        rng = np.random.default_rng(int(hp["x"] * 1e9))
        return {"loss": (hp["x"] - 0.3) ** 2 + 0.05 * rng.standard_normal()}

    same = dict(ranges=RANGES, strategy="Bayesian", max_jobs=14, random_seed=3)
    runs = {}
    for det in (None, False):
        config = {} if det is None else {"deterministic": det}
        t = make_tuner(strategy_config=config, db=tmp_path / f"{det}.db", **same)
        t.fit(noisy, job_name=f"noise-{det}")
        assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"
        runs[det] = list(t.analytics()["x"])
    n = 5  # the initial design of 14 trials: a quarter, at least 5
    assert runs[None][:n] == runs[False][:n]  # the same initial design
    assert runs[None][n:] != runs[False][n:]  # the model differs once it proposes
    with pytest.raises(ValueError, match="strategy_config: deterministic must be a bool"):
        make_tuner(strategy_config={"deterministic": "no"}, **same)
    with pytest.raises(ValueError, match=r"strategy_config: unknown option\(s\) \['noisy'\]"):
        make_tuner(strategy_config={"noisy": True}, **same)


def test_a_bayesian_tuning_job_passes_max_jobs_as_the_budget(tmp_path, monkeypatch):
    """The strategy sizes its initial design by the tuning job's max_jobs (a quarter, at least
    5); an explicit strategy_config wins."""
    import amtune.tuning.driver as driver

    made = []
    real = driver.Optimizer

    def spy(*args, **kw):
        opt = real(*args, **kw)
        made.append((kw, opt.strategy.initial_design_size))
        return opt

    monkeypatch.setattr(driver, "Optimizer", spy)
    for max_jobs, config in ((12, None), (40, None), (12, {"n_initial": 8})):
        t = amtune.HyperparameterTuner(
            "loss", RANGES, objective_type="Minimize", max_jobs=max_jobs, max_parallel_jobs=4,
            strategy_config=config, db=tmp_path / "amtune.db", quiet=True,
        )  # fmt: skip
        t.fit(quad, job_name=f"budget-{max_jobs}-{bool(config)}")
    assert [(kw["budget"], size) for kw, size in made] == [(12, 5), (40, 10), (12, 8)]


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_jobs", 10**30), ("max_jobs", 2**31), ("max_parallel_jobs", 2**63), ("max_jobs", 0)],
)
def test_resource_limits_are_sagemakers_32_bit_integers(tmp_path, field, value):
    # inputcheck2 F6: max_jobs = 10**30 started training jobs without end
    with pytest.raises(FieldError, match=rf"{field}: must be an integer from 1 to 2147483647"):
        HyperparameterTuner("loss", RANGES, db=tmp_path / "a.db", quiet=True, **{field: value})
    assert not (tmp_path / "a.db").exists()

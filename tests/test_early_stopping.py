"""Early stopping (median rule) with real training jobs: a callable and a script-mode command."""

import os
import sys
import time

import numpy as np
import pytest

import amtune
from amtune.config.loader import ConfigError, parse_config
from amtune.rules.early_stopping import MedianStoppingRule, running_averages
from amtune.tuning.state import TrainingJobState
from amtune.tuning.tuner import HyperparameterTuner

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}


def _job(seq, values, steps=None, status="Completed"):
    steps = steps if steps is not None else list(range(len(values)))
    return TrainingJobState(
        seq,
        f"j{seq}",
        {},
        status=status,
        series={"loss": [(s, 0.0, v) for s, v in zip(steps, values, strict=False)]},
    )


def test_running_averages_follow_steps_not_arrival_order():
    steps, avg = running_averages([(2, 0, 6.0), (0, 0, 2.0), (1, 0, 4.0), (1, 0, 0.0)])
    assert steps.tolist() == [0, 1, 2]
    assert avg.tolist() == pytest.approx([2.0, 2.0, 3.0])  # step 1 averages both emissions
    steps, avg = running_averages([(None, 0, 1.0), (None, 0, 3.0)])
    assert steps.tolist() == [0, 1] and avg.tolist() == [1.0, 2.0]


def test_the_rule_needs_three_earlier_jobs_that_reached_the_step():
    rule = MedianStoppingRule("loss", "Minimize")
    rule.after_job(None, _job(1, [1.0, 1.0, 1.0]))
    rule.after_job(None, _job(2, [3.0, 3.0, 3.0]))
    running = _job(9, [], status="InProgress")
    assert rule.on_metric(None, running, "loss", 0, 100.0) is None  # only 2 earlier jobs
    rule.after_job(None, _job(3, [5.0]))  # reached step 0 only
    assert rule.median_at(0) == (3.0, 3)
    assert rule.median_at(1) == (2.0, 2)
    assert rule.on_metric(None, running, "loss", 1, 100.0) is None  # 2 jobs reached step 1
    why = rule.on_metric(None, running, "loss", 0, 3.5)
    assert why and "median 3" in why.reason and "3 earlier training jobs" in why.reason
    assert rule.on_metric(None, running, "loss", 0, 3.0) is None  # a tie is not worse
    assert rule.on_metric(None, running, "other", 0, 1e9) is None  # only the objective counts
    up = MedianStoppingRule("loss", "Maximize")
    for j in (1, 2, 3):
        up.after_job(None, _job(j, [float(j)]))
    assert up.on_metric(None, running, "loss", 0, 1.5) and not up.on_metric(
        None, running, "loss", 0, 2.5
    )


def curve(hp, reporter):
    """Loss curves: the higher x, the lower the loss at every epoch."""
    for epoch in range(6):
        reporter.report("loss", (1.2 - hp["x"]) * 10.0 / (epoch + 1), step=epoch)
        time.sleep(0.02)


def test_a_callable_bad_jobs_are_stopped_and_good_ones_complete(tmp_path):
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=14,
        random_seed=5,
        runner="thread",
        quiet=True,
        db=tmp_path / "a.db",
        early_stopping_type="Auto",
    )
    t.fit(curve, job_name="es")
    df = t.analytics()
    stopped = df[df["TrainingJobStatus"] == "Stopped"]
    done = df[df["TrainingJobStatus"] == "Completed"]
    assert len(stopped) >= 2 and len(done) >= 3
    assert stopped["x"].max() < done["x"].max()
    assert stopped["FailureReason"].str.startswith("early stopping").all()
    # no job as good as the median of the first three is ever stopped
    first3 = np.median(df["x"].iloc[:3])
    assert (stopped["x"] < first3).all()
    # a stopped job keeps its series; its last emission is its final, succeeded objective
    assert (stopped["ObjectiveStatus"] == "Succeeded").all()
    lengths = []
    for name, value in zip(
        stopped["TrainingJobName"], stopped["FinalObjectiveValue"], strict=False
    ):
        series = [m["value"] for m in t.metrics(name) if m["name"] == "loss"]
        assert series[-1] == value
        lengths.append(len(series))
    assert min(lengths) < 6  # the reporter ended the training function early
    # every job, stopped ones included, was told to the strategy
    assert t.last_run.optimizer.n_finished == 14
    assert t.describe()["TrainingJobStatusCounters"]["Stopped"] == len(stopped)


def test_a_command_is_stopped_with_sigterm_then_sigkill(tmp_path, sigterm_script):
    # low x ignores SIGTERM and gets SIGKILL after the grace period
    script = sigterm_script(epochs=12, sleep=0.05, ignore_at_or_below=0.3)
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        random_seed=11,
        quiet=True,
        db=tmp_path / "a.db",
        stop_grace_seconds=0.3,
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        early_stopping_type="Auto",
    )
    t.fit([sys.executable, str(script)], job_name="escmd")
    rows = t.store.training_jobs("escmd")
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped and all(r["failure_reason"].startswith("early stopping") for r in stopped)
    assert all(r["status"] in ("Completed", "Stopped") for r in rows)
    for r in stopped:
        assert os.path.exists(os.path.join(r["job_dir"], "model", "sigterm"))
        with open(os.path.join(r["job_dir"], "train.log")) as f:
            log = f.read()
        if r["hyperparameters"]["x"] <= 0.3:
            assert "exit code -9" in log  # SIGTERM ignored: killed after the grace period
        assert r["objective_status"] == "Succeeded"
        n = len(t.store.metrics("escmd", r["seq"], "loss"))
        assert 1 <= n < 12
    best = max(rows, key=lambda r: r["hyperparameters"]["x"])
    assert best["status"] == "Completed"


FINAL_PRINT_SCRIPT = """
import argparse, os, time
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
a, _ = p.parse_known_args()
time.sleep(0.3)  # training
print(f"Best loss: {1.0 - a.x}", flush=True)  # the objective, once, at the end
time.sleep(0.1)  # saving the model takes a moment
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write(str(a.x))
"""


def test_a_job_that_prints_its_objective_once_at_the_end_keeps_its_model(tmp_path):
    # SageMaker acts on the metrics some time after they were logged: a job whose only
    # emission is its last line ends by itself, Completed with its model, before the stop
    # reaches it (nbcheck15 F4: it was stopped between the line and the save, its model lost)
    script = tmp_path / "train.py"
    script.write_text(FINAL_PRINT_SCRIPT)
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        random_seed=3,
        quiet=True,
        db=tmp_path / "a.db",
        metric_definitions=[{"Name": "loss", "Regex": r"Best loss: (\S+)"}],
        early_stopping_type="Auto",
    )
    t.fit([sys.executable, str(script)], job_name="final")
    rows = t.store.training_jobs("final")
    decided = t.store.rule_decisions("final")
    assert decided, "the median rule decided to stop no job: the test shows nothing"
    for r in rows:
        assert r["status"] == "Completed", r
        assert os.path.exists(os.path.join(r["job_dir"], "model", "model.txt"))


def test_a_stop_reaches_a_job_after_one_step(tmp_path, sigterm_script):
    # the delay is one step of the job (the time since its previous emission): a job that
    # goes on training is stopped after about one more epoch, not at its end
    script = sigterm_script(epochs=40, sleep=0.05)
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        random_seed=11,
        quiet=True,
        db=tmp_path / "a.db",
        stop_grace_seconds=0.3,
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        early_stopping_type="Auto",
    )
    t.fit([sys.executable, str(script)], job_name="onestep")
    rows = t.store.training_jobs("onestep")
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped
    for r in stopped:
        n = len(t.store.metrics("onestep", r["seq"], "loss"))
        assert n < 20  # stopped long before its 40 epochs


def test_early_stopping_from_configs(tmp_path):
    doc = {
        "objective": {"metric": "loss", "type": "Minimize"},
        "command": "python t.py",
        "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
        "metric_definitions": [{"Name": "loss", "Regex": "loss=(.*)"}],
        "early_stopping_type": "Auto",
        "strategy": "Random",
    }
    assert parse_config(doc, tmp_path).tuner_kwargs["early_stopping_type"] == "Auto"
    doc["early_stopping_type"] = "Sometimes"
    with pytest.raises(ConfigError, match="early_stopping_type: must be one of Off, Auto"):
        parse_config(doc, tmp_path)


def test_hyperband_does_its_own_early_stopping():
    from amtune.rules.early_stopping import make_early_stopping_hook

    class T:
        strategy, objective_metric_name, objective_type = "Hyperband", "loss", "Minimize"

    with pytest.raises(ValueError, match="Hyperband"):
        make_early_stopping_hook(T())


def slow_curve(hp, reporter):
    for epoch in range(20):
        reporter.report("loss", (1.2 - hp["x"]) * 10.0 / (epoch + 1), step=epoch)
        time.sleep(0.02)
    return None


def test_a_callable_in_a_worker_process_is_stopped_through_its_reporter(tmp_path):
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        random_seed=5,
        quiet=True,
        db=tmp_path / "a.db",
        stop_grace_seconds=60,
        early_stopping_type="Auto",
    )
    t.fit(slow_curve, job_name="esproc")
    rows = t.store.training_jobs("esproc")
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped and all(r["status"] in ("Completed", "Stopped") for r in rows)
    for r in stopped:
        n = len(t.store.metrics("esproc", r["seq"], "loss"))
        assert 1 <= n < 20  # StopTraining ended the function early
        # ended by StopTraining, not killed at the end of the 60 s grace period (a loose bound:
        # the point is which of the two ended it, on a machine of any load)
        assert r["end_time"] - r["start_time"] < 30.0

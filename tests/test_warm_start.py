"""Warm start from parent tuning jobs: validation, IdenticalDataAndAlgorithm, TransferLearning."""

import numpy as np
import pytest

import amtune
from amtune.config.loader import ConfigError, parse_config
from amtune.optimizer import Optimizer
from amtune.sagemaker.config import WarmStartConfig
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.strategies.base import History
from amtune.strategies.transfer import TransferLearningSearch
from amtune.tuning.tuner import HyperparameterTuner

RANGES = {"x": amtune.ContinuousParameter(0.0, 1.0), "n": amtune.IntegerParameter(1, 4)}


def quad(hp, reporter):
    return {"loss": (hp["x"] - 0.3) ** 2 + 0.1 * abs(hp["n"] - 2)}


def shifted(hp, reporter):  # a related task: same shape, optimum moved, other scale and offset
    return {"loss": 3.0 * ((hp["x"] - 0.36) ** 2 + 0.1 * abs(hp["n"] - 2)) + 1.0}


def _tuner(tmp_path, ranges=RANGES, **kw):
    kw.setdefault("strategy", "Random")
    kw.setdefault("objective_type", "Minimize")
    kw.setdefault("random_seed", 2)
    return HyperparameterTuner(
        kw.pop("objective", "loss"), ranges, runner="thread", quiet=True, db=tmp_path / "a.db", **kw
    )


@pytest.fixture
def parent(tmp_path):
    t = _tuner(tmp_path, max_jobs=12, static_hyperparameters={"epochs": 3})
    t.fit(quad, job_name="parent")
    return t


def _ws(kind="IdenticalDataAndAlgorithm", *parents):
    return WarmStartConfig(kind, list(parents) or ["parent"])


def test_identical_data_feeds_the_parents_results_and_drops_out_of_range_ones(tmp_path, parent):
    pdf = parent.analytics()
    ranges = {"x": amtune.ContinuousParameter(0.0, 0.5), "n": amtune.IntegerParameter(1, 4)}
    child = _tuner(
        tmp_path,
        ranges=ranges,
        max_jobs=3,
        static_hyperparameters={"epochs": 3},
        warm_start_config=_ws(),
    )
    child.fit(quad, job_name="child")
    inside = int((pdf["x"] <= 0.5).sum())
    assert 0 < inside < 12
    opt = child.last_run.optimizer
    assert opt.n_finished == 3 + inside  # the parents' in-range jobs are observations
    told = sorted(t.value for t in opt.trials if t.value is not None)
    expected = sorted(
        [*pdf[pdf["x"] <= 0.5]["FinalObjectiveValue"], *child.analytics()["FinalObjectiveValue"]]
    )
    assert told == pytest.approx(expected)
    d = child.describe()
    assert d["WarmStartConfig"] == {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    overall = d["OverallBestTrainingJob"]
    both = {
        **dict(zip(pdf["TrainingJobName"], pdf["FinalObjectiveValue"], strict=False)),
        **dict(
            zip(
                child.analytics()["TrainingJobName"],
                child.analytics()["FinalObjectiveValue"],
                strict=False,
            )
        ),
    }
    assert overall["TrainingJobName"] == min(both, key=both.get)
    assert overall["TuningJobName"] in ("parent", "child")
    assert len(child.analytics()) == 3  # the parents' jobs are not the child's training jobs


def test_a_static_hyperparameter_may_become_tuned_and_back(tmp_path):
    p = _tuner(
        tmp_path,
        ranges={"x": amtune.ContinuousParameter(0.0, 1.0)},
        max_jobs=5,
        static_hyperparameters={"n": 2},
    )
    p.fit(quad, job_name="p-static")
    child = _tuner(
        tmp_path, max_jobs=1, warm_start_config=_ws("IdenticalDataAndAlgorithm", "p-static")
    )
    child.fit(quad, job_name="c-tuned")
    assert child.last_run.optimizer.n_finished == 6
    assert all(t.params["n"] == 2 for t in child.last_run.optimizer.trials[:5])
    # tuned in the parent, static in the child: only the parent's jobs at that value are identical
    back = _tuner(
        tmp_path,
        ranges={"x": amtune.ContinuousParameter(0.0, 1.0)},
        max_jobs=1,
        static_hyperparameters={"n": 2},
        warm_start_config=_ws("IdenticalDataAndAlgorithm", "c-tuned"),
    )
    back.fit(quad, job_name="c-static")
    c_rows = child.store.training_jobs("c-tuned")
    assert back.last_run.optimizer.n_finished == 1 + sum(
        r["hyperparameters"]["n"] == 2 for r in c_rows
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"warm_start_config": _ws("IdenticalDataAndAlgorithm", "nope")},
            r"parents\[0\] \('nope'\): no tuning job",
        ),
        ({"objective": "acc"}, "objective metric is 'loss'.*must be the same"),
        ({"objective_type": "Maximize"}, "objective type is Minimize.*must be the same"),
        (
            {"ranges": {"x": amtune.ContinuousParameter(0.0, 1.0)}},
            r"set of hyperparameter names.*only in the parent: \['n'\]",
        ),
        (
            {"ranges": {**RANGES, "n": amtune.ContinuousParameter(1.0, 4.0)}},
            "'n' is Integer in the parent and Continuous here; a type cannot change",
        ),
        (
            {"static_hyperparameters": {"epochs": 3, "extra": 1}},
            r"only in this tuning job: \['extra'\]",
        ),
    ],
)
def test_parents_are_validated_before_anything_is_written(tmp_path, parent, change, message):
    kw = {
        "max_jobs": 1,
        "static_hyperparameters": {"epochs": 3},
        "warm_start_config": _ws(),
        **change,
    }
    child = _tuner(tmp_path, **kw)
    with pytest.raises(ValueError, match=message):
        child.fit(quad, job_name="child")
    assert not child.store.has_tuning_job("child")


def test_a_parent_must_have_finished(tmp_path):
    failed = _tuner(tmp_path, max_jobs=1)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        failed.fit(lambda hp, r: 1 / 0, job_name="failed")
    assert failed.describe()["HyperParameterTuningJobStatus"] == "Failed"
    with pytest.raises(
        ValueError, match=r"parents\[0\] \('failed'\): the parent tuning job is Failed"
    ):
        _tuner(tmp_path, max_jobs=1, warm_start_config=_ws("TransferLearning", "failed")).fit(
            quad, job_name="c"
        )
    with pytest.raises(ValueError, match="there is no store"):
        HyperparameterTuner(
            "loss", RANGES, strategy="Random", db=tmp_path / "none.db", warm_start_config=_ws()
        ).fit(quad, job_name="c")


def test_warm_start_needs_bayesian_or_random(tmp_path):
    with pytest.raises(ValueError, match="warm start needs the Bayesian or Random strategy"):
        _tuner(
            tmp_path,
            ranges={"n": amtune.IntegerParameter(1, 4)},
            strategy="Grid",
            warm_start_config=_ws(),
        )


def test_transfer_learning_starts_near_the_parents_optimum(tmp_path):
    p = _tuner(tmp_path, strategy="Bayesian", max_jobs=15)
    p.fit(quad, job_name="tl-parent")
    pbest = p.describe()["BestTrainingJob"]["TunedHyperParameters"]
    warm = _tuner(
        tmp_path,
        strategy="Bayesian",
        max_jobs=8,
        warm_start_config=_ws("TransferLearning", "tl-parent"),
    )
    warm.fit(shifted, job_name="tl-warm")
    cold = _tuner(tmp_path, strategy="Bayesian", max_jobs=8)
    cold.fit(shifted, job_name="tl-cold")
    w, c = warm.analytics(), cold.analytics()
    first = w.iloc[0]
    assert abs(first["x"] - float(pbest["x"])) < 0.1 and first["n"] == int(pbest["n"])
    assert w["FinalObjectiveValue"].min() < c["FinalObjectiveValue"].min()
    assert w["FinalObjectiveValue"].iloc[:3].min() < 1.02  # within 2% of the optimum at once
    assert "OverallBestTrainingJob" not in warm.describe()  # a different task


def test_transfer_replaces_the_initial_design_then_hands_over_to_the_model():
    space = amtune.SearchSpace({"x": amtune.ContinuousParameter(0.0, 1.0)})
    opt = Optimizer(space, "Bayesian", random_seed=0)
    Xp = np.linspace(0, 1, 30)[:, None]
    s = TransferLearningSearch(opt.strategy, [(Xp, (Xp[:, 0] - 0.7) ** 2)])
    assert s.n_transfer == opt.strategy._n_init == 10  # the default design size
    empty = History(X=np.empty((0, 1)), y=np.empty(0), pending=np.empty((0, 1)))
    P = s.ask(3, empty)
    assert abs(P[0, 0] - 0.7) < 0.05  # the first proposal minimizes the prior mean
    assert np.abs(np.diff(np.sort(P[:, 0]))).min() >= 0.05  # diverse (batch: Kriging believer)
    assert np.all(np.abs(P[:, 0] - 0.7) < 0.35)
    X = np.vstack([P, s.ask(2, History(X=P, y=(P[:, 0] - 0.7) ** 2, pending=np.empty((0, 1))))])
    assert X.shape == (5, 1) and np.all(np.abs(X[:, 0] - 0.7) < 0.35)  # all 5 from the parents
    # then the Bayesian strategy's own model of this job's values, with no second design:
    # on a task whose optimum moved to 0.1 it leaves the parents' region
    Xs = X
    for _ in range(6):
        nxt = s.ask(1, History(X=Xs, y=(Xs[:, 0] - 0.1) ** 2, pending=np.empty((0, 1))))
        Xs = np.vstack([Xs, nxt])
    assert np.abs(Xs[5:, 0] - 0.1).min() < 0.1


def test_warm_start_from_both_config_shapes(tmp_path, sagemaker_request):
    base = {
        "objective": {"metric": "loss", "type": "Minimize"},
        "command": "python t.py",
        "strategy": "Random",
        "metric_definitions": [{"Name": "loss", "Regex": "loss=(.*)"}],
        "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
    }
    kw = parse_config(
        {**base, "warm_start": {"type": "TransferLearning", "parents": ["a", "b"]}}, tmp_path
    ).tuner_kwargs
    assert kw["warm_start_config"] == WarmStartConfig("TransferLearning", ["a", "b"])
    with pytest.raises(ConfigError, match=r"warm_start\.parents: 1 to 5 parent tuning jobs, got 6"):
        parse_config({**base, "warm_start": {"parents": list("abcdef")}}, tmp_path)
    sm = sagemaker_request(
        strategy="Bayesian",
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "a"}],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
    )
    kw = parse_config(sm, tmp_path).tuner_kwargs
    assert kw["warm_start_config"] == WarmStartConfig("IdenticalDataAndAlgorithm", ["a"])
    sm["WarmStartConfig"]["WarmStartType"] = "Sideways"
    with pytest.raises(ConfigError, match=r"WarmStartConfig\.WarmStartType: must be one of"):
        parse_config(sm, tmp_path)


CLI_TRAIN = """
import argparse, os, signal
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
p.add_argument("--n", type=int)
a = p.parse_args()
marker = os.path.join(os.environ["SM_MODEL_DIR"], "attempt")
if a.x > 0.9 and not os.path.exists(marker):  # the first attempt of some jobs dies by a signal
    open(marker, "w").close()
    os.kill(os.getpid(), signal.SIGKILL)
for epoch in range(3):
    print(f"loss={((a.x - 0.3) ** 2 + 0.1 * abs(a.n - 2)) * (3 - epoch)}")
"""


def test_issue6_features_from_a_sagemaker_request_through_the_cli(
    tmp_path, capsys, sagemaker_request
):
    import json
    import sys

    from amtune.cli import main

    (tmp_path / "train.py").write_text(CLI_TRAIN)

    def request(name, **extra_htc):
        return sagemaker_request(
            name,
            strategy="Bayesian",
            max_jobs=8,
            max_parallel_jobs=2,
            ranges={
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}],
                "IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "4"}],
            },
            command=[sys.executable, "train.py"],
            regex=r"loss=(\S+)",
            htc={"RandomSeed": 4, **extra_htc},
            tjd={"RetryStrategy": {"MaximumRetryAttempts": 1}},
        )

    db = str(tmp_path / "s.db")
    (tmp_path / "parent.json").write_text(json.dumps(request("cli-parent")))
    assert main(["run", str(tmp_path / "parent.json"), "--db", db, "--quiet"]) == 0
    child = request(
        "cli-child",
        TrainingJobEarlyStoppingType="Auto",
        TuningJobCompletionCriteria={
            "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3},
            "ConvergenceDetected": {"CompleteOnConvergence": "Enabled"},
        },
    )
    child["WarmStartConfig"] = {
        "WarmStartType": "IdenticalDataAndAlgorithm",
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "cli-parent"}],
    }
    (tmp_path / "child.json").write_text(json.dumps(child))
    assert main(["run", str(tmp_path / "child.json"), "--db", db, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["describe", "cli-child", "--db", db, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"
    assert d["TrainingJobDefinition"]["RetryStrategy"] == {"MaximumRetryAttempts": 1}
    assert d["WarmStartConfig"]["ParentHyperParameterTuningJobs"] == [
        {"HyperParameterTuningJobName": "cli-parent"}
    ]
    assert "OverallBestTrainingJob" in d
    assert isinstance(
        d["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"], int
    )
    assert main(["describe", "cli-child", "--db", db]) == 0
    assert "Jobs not improving:" in capsys.readouterr().out
    # a missing parent is a bad config: exit 2, nothing written
    child["HyperParameterTuningJobName"] = "cli-orphan"
    child["WarmStartConfig"]["ParentHyperParameterTuningJobs"] = [
        {"HyperParameterTuningJobName": "nope"}
    ]
    (tmp_path / "orphan.json").write_text(json.dumps(child))
    assert main(["run", str(tmp_path / "orphan.json"), "--db", db, "--quiet"]) == 2
    assert "parents[0] ('nope'): no tuning job" in capsys.readouterr().err


def test_a_finite_space_mostly_covered_by_the_parents_ends_cleanly(tmp_path):
    ranges = {"n": amtune.IntegerParameter(1, 4)}

    def f(hp, reporter):
        return {"loss": float(hp["n"])}

    _tuner(tmp_path, ranges=ranges, max_jobs=3).fit(f, job_name="p3")
    child = _tuner(
        tmp_path,
        ranges=ranges,
        strategy="Bayesian",
        max_jobs=3,
        max_parallel_jobs=2,
        warm_start_config=_ws("IdenticalDataAndAlgorithm", "p3"),
    )
    child.fit(f, job_name="c1")
    d = child.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert sum(d["TrainingJobStatusCounters"].values()) == 1  # the one configuration left


RESUME_TRAIN = """
import argparse, time
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
a = p.parse_args()
for epoch in range(4):
    time.sleep(0.05)
    print(f"loss={(1.2 - a.x) * 10 / (epoch + 1)}", flush=True)
"""

RESUME_DRIVER = """
import sys
import amtune
from amtune.sagemaker.config import WarmStartConfig
from amtune.tuning.tuner import HyperparameterTuner
kw = dict(objective_type="Minimize", strategy="Random", max_parallel_jobs=1, random_seed=5,
          metric_definitions=[{"Name": "loss", "Regex": r"loss=(\\S+)"}], db=sys.argv[1], quiet=True)
X = {"x": amtune.ContinuousParameter(0.0, 1.0)}
cmd = [sys.executable, sys.argv[2]]
if sys.argv[3] == "parent":
    HyperparameterTuner("loss", X, max_jobs=4, **kw).fit(cmd, job_name="rparent")
else:
    HyperparameterTuner("loss", X, max_jobs=10, early_stopping_type="Auto",
                        warm_start_config=WarmStartConfig("IdenticalDataAndAlgorithm", ["rparent"]),
                        **kw).fit(cmd, job_name="rchild")
"""


def test_a_resumed_child_reloads_its_parents_and_keeps_early_stopping(tmp_path):
    import subprocess
    import sys
    import time

    from amtune.store import Store

    db = str(tmp_path / "a.db")
    (tmp_path / "train.py").write_text(RESUME_TRAIN)
    (tmp_path / "driver.py").write_text(RESUME_DRIVER)
    args = [sys.executable, str(tmp_path / "driver.py"), db, str(tmp_path / "train.py")]
    subprocess.run([*args, "parent"], check=True, cwd=tmp_path)
    proc = subprocess.Popen([*args, "child"], cwd=tmp_path)
    st = Store(db)
    t0 = time.time()
    while time.time() - t0 < 60 and proc.poll() is None:
        if (
            st.has_tuning_job("rchild")
            and sum(r["status"] != "InProgress" for r in st.training_jobs("rchild")) >= 3
        ):
            break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    st.close()
    t = HyperparameterTuner.resume("rchild", db=db, quiet=True)
    rows = t.store.training_jobs("rchild")
    assert len(rows) == 10 and all(r["status"] in ("Completed", "Stopped") for r in rows)
    assert t.last_run.optimizer.n_finished == 10 + 4  # the parents' 4 results were loaded again
    # the parents do not count for the median rule (3 earlier jobs of this tuning job needed)
    assert all(r["status"] == "Completed" for r in rows[:3])
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"

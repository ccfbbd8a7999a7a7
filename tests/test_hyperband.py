"""Hyperband: the rung rule (exact decisions), validation, and real training jobs."""

import math
import os
import sqlite3
import sys
import time
from types import SimpleNamespace

import pytest

import amtune
from amtune.config.loader import ConfigError, parse_config
from amtune.enums import JobAction
from amtune.rules.decisions import JobDecision
from amtune.rules.hyperband import HyperbandHook, SuccessiveHalving
from amtune.sagemaker.config import HyperbandStrategyConfig
from amtune.tuning.driver import Driver
from amtune.tuning.state import TrainingJobState
from amtune.tuning.tuner import HyperparameterTuner

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}


# ====================================================================== the rule, no processes
def test_brackets_rungs_and_hyperbands_allocation():
    sh = SuccessiveHalving(1, 27, maximize=False)
    assert sh.s_max == 3
    assert [sh.rungs(s) for s in range(4)] == [(1, 3, 9), (3, 9), (9,), ()]
    assert sh.weights == [27, 12, 6, 4]  # configurations per bracket in Hyperband (Li et al.)
    assert [sh.bracket(i) for i in range(1, 13)] == [0, 1, 0, 2, 0, 3, 0, 1, 0, 0, 1, 0]
    cycle = [sh.bracket(i) for i in range(1, 50)]
    assert [cycle.count(s) for s in range(4)] == [27, 12, 6, 4]  # exact over a whole cycle
    # MaxResource not a power of 3 times MinResource: the last bracket keeps one rung
    sh = SuccessiveHalving(2, 20, maximize=True)
    assert sh.s_max == 2 and [sh.rungs(s) for s in range(3)] == [(2, 6, 18), (6, 18), (18,)]
    assert SuccessiveHalving(5, 5, maximize=True).rungs(0) == ()  # no rung: never stopped


def _bracket0(sh, n):
    return [s for s in range(1, 200) if sh.bracket(s) == 0][:n]


def test_exact_decisions_on_a_hand_made_sequence_minimizing():
    sh = SuccessiveHalving(1, 9, maximize=False)
    a, b, c, d, e, f, g = _bracket0(sh, 7)
    assert sh.report(a, 0, 1.0) is None and sh.records == {}  # below the first rung
    assert sh.report(a, 1, 5.0) is None  # first value at rung 1: continues
    assert sh.report(b, 1, 7.0).action is JobAction.STOP  # n=2, 1 better: 3*1 >= 2
    assert sh.report(c, 1, 3.0) is None  # n=3, 0 better
    assert sh.report(d, 1, 4.0) is None  # n=4, 1 better: 3 < 4
    stop = sh.report(e, 1, 6.0)  # n=5, 3 better (3, 4, 5)
    assert stop.action is JobAction.STOP
    assert stop.reason == (
        "Hyperband: objective 6 at resource 1 is not in the top 1/3 of the 5 values at rung 1 "
        "of bracket 0 (3 better)"
    )
    assert sh.report(f, 1, 4.0) is None  # a tie does not count as better: n=6, 1 better
    assert sh.records[(0, 0)] == [3.0, 4.0, 4.0, 5.0, 6.0, 7.0]
    # a stopped job is decided: later emissions are neither judged nor recorded
    assert sh.report(b, 2, 0.0) is None and sh.report(b, 3, 0.0) is None
    assert (0, 1) not in sh.records
    # rung 3
    assert sh.report(c, 2, 2.0) is None and sh.report(c, 3, 2.5) is None  # first at rung 3
    assert sh.report(a, 3, 4.5).action is JobAction.STOP  # n=2, 1 better
    assert sh.report(d, 3, 1.0) is None  # n=3, best
    # MaxResource: the job has used its budget
    done = sh.report(d, 9, 0.5)
    assert done.action is JobAction.COMPLETE and "MaxResource (9)" in done.reason
    assert sh.report(d, 10, 0.1) is None
    # an emission that jumps rungs is recorded (and judged) at each, in order
    assert sh.report(g, 4, 0.1) is None
    assert sh.records[(0, 0)][0] == 0.1 and sh.records[(0, 1)][0] == 0.1


def test_exact_decisions_maximizing_nan_and_other_brackets():
    sh = SuccessiveHalving(1, 9, maximize=True)
    a, b, c = _bracket0(sh, 3)
    assert sh.report(a, 1, 0.5) is None
    assert sh.report(b, 1, 0.4).action is JobAction.STOP  # smaller is worse when maximizing
    assert sh.report(c, 1, math.nan).action is JobAction.STOP
    assert sh.records[(0, 0)] == [0.4, 0.5]  # NaN is not recorded
    # bracket 1 has its own rungs (3 only) and records
    b1 = [s for s in range(1, 50) if sh.bracket(s) == 1][:2]
    assert sh.report(b1[0], 1, -100.0) is None and sh.report(b1[0], 2, -100.0) is None
    assert sh.report(b1[0], 3, -100.0) is None  # first value at rung 3 of bracket 1
    assert sh.report(b1[1], 3, -200.0).action is JobAction.STOP
    assert sh.records[(1, 0)] == [-200.0, -100.0]


def test_docstring_examples():
    import doctest

    import amtune.rules.hyperband

    assert doctest.testmod(amtune.rules.hyperband).failed == 0


def test_the_hook_maps_steps_to_resources_and_rebuilds_on_resume():
    hook = HyperbandHook("loss", "Minimize", 1, 9)
    sh = hook.rule
    a, b = _bracket0(sh, 2)

    def job(seq, values, status="Completed"):
        series = {"loss": [(k, 0.0, v) for k, v in enumerate(values)]}
        return TrainingJobState(seq, f"j{seq}", {}, status=status, series=series)

    run = SimpleNamespace(jobs={a: job(a, [5.0, 4.0, 3.0]), b: job(b, [9.0], "InProgress")})
    hook.on_start(run)  # the ended job's rungs 1 and 3 (steps 0 and 2); re-run jobs ignored
    assert sh.records == {(0, 0): [5.0], (0, 1): [3.0]}
    running = job(b, [], status="InProgress")
    running.series["loss"].append((0, 0.0, 6.0))
    why = hook.on_metric(None, running, "loss", 0, 6.0)  # step 0 is resource 1
    assert why.action is JobAction.STOP and why.resource == 1
    assert why.reason.startswith("Hyperband: objective 6 at resource 1")
    assert hook.on_metric(None, running, "acc", 0, 1e9) is None  # only the objective counts
    c, d = _bracket0(sh, 4)[2:]
    done = hook.on_metric(None, job(c, [], "InProgress"), "loss", 8, 0.0)  # resource 9
    assert done.action is JobAction.COMPLETE and done.resource == 9
    # a job the rule stopped at resource 1 whose later emissions (one at rung 3) arrived anyway:
    # on resume only what the live rule recorded is recorded again
    late = job(d, [8.0, 7.0, 0.5], status="Stopped")
    late.decision = JobDecision("Hyperband", JobAction.STOP, "not in the top 1/3", resource=1)
    again = HyperbandHook("loss", "Minimize", 1, 9)
    again.on_start(SimpleNamespace(jobs={a: run.jobs[a], d: late}))
    assert again.rule.records == {(0, 0): [5.0, 8.0], (0, 1): [3.0]}


# ====================================================================== validation
def _tuner(**kw):
    args = dict(objective_type="Minimize", strategy="Hyperband", quiet=True, runner="thread")
    args.update(kw)
    return HyperparameterTuner("loss", X, **args)


def test_strategy_config_defaults_and_shapes():
    t = _tuner(static_hyperparameters={"epochs": 27})
    assert t.strategy_config == {"min_resource": 1, "max_resource": 27}
    t = _tuner(static_hyperparameters={"num_epochs": "9"})  # SageMaker's keys, strings too
    assert t.strategy_config == {"min_resource": 1, "max_resource": 9}
    for sc in (
        amtune.HyperbandStrategyConfig(min_resource=3, max_resource=81),
        {"min_resource": 3, "max_resource": 81},
        {"HyperbandStrategyConfig": {"MinResource": 3, "MaxResource": 81}},
    ):
        t = _tuner(strategy_config=sc, static_hyperparameters={"epochs": 5})
        assert t.strategy_config == {"min_resource": 3, "max_resource": 81}
        cfg = t._to_config(lambda hp, reporter: 0.0)["HyperParameterTuningJobConfig"]
        assert cfg["Strategy"] == "Hyperband"
        assert cfg["StrategyConfig"] == {
            "HyperbandStrategyConfig": {"MinResource": 3, "MaxResource": 81}
        }


@pytest.mark.parametrize(
    ("sc", "static", "match"),
    [
        ({"min_resource": 0, "max_resource": 9}, None, r"strategy_config.min_resource: .*>= 1"),
        ({"min_resource": 2.5, "max_resource": 9}, None, r"strategy_config.min_resource"),
        ({"min_resource": True, "max_resource": 9}, None, r"strategy_config.min_resource"),
        ({"min_resource": 5, "max_resource": 4}, None, r"max_resource: .*from min_resource \(5\)"),
        ({"max_resource": 20001}, None, r"max_resource: .*to 20000"),
        ({"max_resource": "9"}, None, r"max_resource: must be an integer"),
        ({}, None, r"max_resource: required unless a static hyperparameter \(epochs"),
        ({}, {"epochs": "many"}, r"static hyperparameter 'epochs' = 'many' is not an integer"),
        ({"eta": 2, "max_resource": 9}, None, r"strategy_config: unknown field\(s\) \['eta'\]"),
        (
            {"HyperbandStrategyConfig": {"MinResource": 0, "MaxResource": 9}},
            None,
            r"strategy_config.HyperbandStrategyConfig.MinResource",
        ),
        ([1, 9], None, r"strategy_config: must be a HyperbandStrategyConfig or a dict"),
    ],
)
def test_bad_strategy_configs_name_the_field(sc, static, match):
    with pytest.raises((ValueError, TypeError), match=match):
        _tuner(strategy_config=sc, static_hyperparameters=static)


def test_hyperband_settings_that_are_refused():
    with pytest.raises(ValueError, match='early_stopping_type: must be "Off" with the Hyperband'):
        _tuner(strategy_config={"max_resource": 9}, early_stopping_type="Auto")
    with pytest.raises(ValueError, match="needs strategy='Hyperband'"):
        _tuner(strategy="Random", strategy_config=HyperbandStrategyConfig(9, 1))
    # in an Optimizer alone, Hyperband proposes exactly like Random search
    space = amtune.SearchSpace(X)
    hb = amtune.Optimizer(space, "Hyperband", random_seed=3, min_resource=1, max_resource=9)
    rs = amtune.Optimizer(space, "Random", random_seed=3)
    assert [t.params for t in hb.ask(4)] == [t.params for t in rs.ask(4)]
    with pytest.raises(ValueError, match="min_resource"):
        amtune.Optimizer(space, "Hyperband", min_resource=0)


def test_hyperband_in_both_config_shapes(tmp_path, sagemaker_request):
    doc = {
        "objective": {"metric": "loss", "type": "Minimize"},
        "command": "python t.py",
        "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
        "metric_definitions": [{"Name": "loss", "Regex": "loss=(.*)"}],
        "strategy": "Hyperband",
        "strategy_config": {"min_resource": 1, "max_resource": 27},
    }
    assert parse_config(doc, tmp_path).tuner_kwargs["strategy"] == "Hyperband"
    doc["strategy_config"] = {"min_resource": 1, "max_resource": 0}
    with pytest.raises(ConfigError, match=r"^strategy_config.max_resource: must be an integer"):
        parse_config(doc, tmp_path)
    sm = sagemaker_request(
        strategy="Hyperband", max_jobs=4, max_parallel_jobs=2, static={"epochs": "27"}
    )
    cfg = parse_config(sm, tmp_path)  # MaxResource inferred from the static epochs
    assert cfg.tuner_kwargs["strategy_config"] == {"min_resource": 1, "max_resource": 27}
    htc = sm["HyperParameterTuningJobConfig"]
    htc["StrategyConfig"] = {"HyperbandStrategyConfig": {"MinResource": 30}}
    with pytest.raises(
        ConfigError,
        match=r"^HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource",
    ):
        parse_config(sm, tmp_path)
    htc["StrategyConfig"] = {"HyperbandStrategyConfig": {"MinResource": 3, "MaxResource": 9}}
    htc["Strategy"] = "Random"
    with pytest.raises(ConfigError, match="only with Strategy Hyperband"):
        parse_config(sm, tmp_path)


# ====================================================================== real training jobs
def curve(hp, reporter):
    """The higher x, the lower the loss at every epoch; 12 epochs (MaxResource is 9)."""
    for epoch in range(int(hp["epochs"])):
        reporter.report("loss", (1.2 - hp["x"]) * 10.0 / (epoch + 1), step=epoch)
        time.sleep(0.03)


def test_a_callable_bad_jobs_stop_at_the_first_rung_good_ones_reach_max_resource(tmp_path):
    t = _tuner(
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=9),
        static_hyperparameters={"epochs": 12},
        max_jobs=12,
        random_seed=4,
        db=tmp_path / "a.db",
    )
    t.fit(curve, job_name="hb")
    rows = sorted(t.store.training_jobs("hb"), key=lambda r: r["seq"])
    assert len(rows) == 12
    # the decisions are exactly the rule's on the jobs' values (jobs run one at a time)
    sh = SuccessiveHalving(1, 9, maximize=False)
    first_rung_stops = 0
    for r in rows:
        series = [m["value"] for m in t.store.metrics("hb", r["seq"], "loss")]
        decision = None
        for k, v in enumerate(series):
            decision = sh.report(r["seq"], k + 1, v)
            if decision is not None:
                break
        if decision is not None and decision.action is JobAction.STOP:
            assert r["status"] == "Stopped" and r["failure_reason"] == decision.reason
            assert r["objective_status"] == "Succeeded"
            assert r["final_objective"] == series[-1]  # keeps its series; the last is final
            assert len(series) < 12
            if sh.bracket(r["seq"]) == 0 and k == 0:
                first_rung_stops += 1
                assert "at rung 1 of bracket 0" in r["failure_reason"]
        else:  # reached MaxResource: ended Completed, before its 12 epochs
            assert decision is not None and decision.action is JobAction.COMPLETE
            assert r["status"] == "Completed" and r["failure_reason"] is None
            # left to end by itself (its 3 more epochs take far less than stop_grace_seconds)
            assert 9 <= len(series) <= 12
    assert first_rung_stops >= 2
    stopped = [r for r in rows if r["status"] == "Stopped"]
    done = [r for r in rows if r["status"] == "Completed"]
    assert stopped and done
    # the best configuration is among the ones that reached MaxResource
    best = max(rows, key=lambda r: r["hyperparameters"]["x"])
    assert best["status"] == "Completed"
    d = t.describe()
    assert d["TrainingJobStatusCounters"]["Stopped"] == len(stopped)
    assert d["TrainingJobStatusCounters"]["Completed"] == len(done)
    assert d["ObjectiveStatusCounters"]["Succeeded"] == 12
    assert d["HyperParameterTuningJobConfig"]["StrategyConfig"] == {
        "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}
    }
    assert t.last_run.optimizer.n_finished == 12  # stopped jobs are observations too
    # resume: the rung records are rebuilt from the store exactly as the live rule left them
    drv = Driver(t, "hb", t._make_runner(curve), resumed=True, show=False)
    run = drv.load()
    (hook,) = [h for h in drv.hooks if isinstance(h, HyperbandHook)]
    hook.on_start(run)
    assert hook.rule.records == sh.records


def test_a_command_is_stopped_by_sigterm_at_a_rung(tmp_path, sigterm_script):
    script = sigterm_script(sleep=0.06)  # its epochs come from --epochs
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Hyperband",
        strategy_config={"min_resource": 1},  # MaxResource from the static epochs
        static_hyperparameters={"epochs": 9},
        max_jobs=7,
        max_parallel_jobs=2,
        random_seed=4,
        quiet=True,
        db=tmp_path / "a.db",
        stop_grace_seconds=2.0,
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
    )
    assert t.strategy_config == {"min_resource": 1, "max_resource": 9}
    t.fit([sys.executable, str(script)], job_name="hbcmd")
    rows = t.store.training_jobs("hbcmd")
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped and all(r["failure_reason"].startswith("Hyperband: ") for r in stopped)
    assert all(r["status"] in ("Completed", "Stopped") for r in rows)
    for r in stopped:
        assert os.path.exists(os.path.join(r["job_dir"], "model", "sigterm"))
        assert r["objective_status"] == "Succeeded"
        n = len(t.store.metrics("hbcmd", r["seq"], "loss"))
        assert 1 <= n < 9
    best = max(rows, key=lambda r: r["hyperparameters"]["x"])
    assert best["status"] == "Completed"
    # Which jobs the asynchronous rule stops depends on the order their emissions arrived (a
    # timing matter), so replay the emissions in the order the driver recorded them through a
    # fresh rule: every decision, and only those, must have been applied.
    with sqlite3.connect(tmp_path / "a.db") as db:
        emissions = db.execute(
            "SELECT seq, step, value FROM metrics WHERE tuning_job = 'hbcmd' AND name = 'loss'"
            " ORDER BY rowid"
        ).fetchall()
    replay = SuccessiveHalving(1, 9, maximize=False)
    expected: dict[int, tuple[str, str]] = {}
    for seq, step, value in emissions:
        d = replay.report(seq, step + 1, value)
        if d is not None:
            expected[seq] = ("Stopped" if d.action is JobAction.STOP else "Completed", d.reason)
    for r in rows:
        status, reason = expected.get(r["seq"], ("Completed", None))
        assert r["status"] == status
        if status == "Stopped":
            assert r["failure_reason"] == reason
    assert t.describe()["TrainingJobStatusCounters"]["Stopped"] == len(stopped)


def test_a_store_written_before_rule_decisions_were_recorded_still_resumes(tmp_path):
    # a store of an earlier amtune has no rule_decisions table: the job resumes and ends; the
    # rungs are rebuilt from every recorded emission of the ended jobs
    import sqlite3

    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Hyperband",
        max_jobs=8,
        static_hyperparameters={"epochs": 9},
        random_seed=5,
        quiet=True,
        runner="thread",
        db=tmp_path / "old.db",
    )
    t.fit(curve, job_name="old")
    db = sqlite3.connect(tmp_path / "old.db")
    with db:
        db.execute("DROP TABLE rule_decisions")
        # the driver died while the last two training jobs ran
        db.execute("UPDATE tuning_jobs SET status = 'InProgress', end_time = NULL")
        db.execute(
            "UPDATE training_jobs SET status = 'InProgress', objective_status = 'Pending', "
            "end_time = NULL, final_objective = NULL WHERE seq > 6"
        )
    db.close()
    back = HyperparameterTuner.resume("old", db=tmp_path / "old.db", train=curve, quiet=True)
    d = back.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    rows = back.store.training_jobs("old")
    assert len(rows) == 8 and all(r["status"] in ("Completed", "Stopped") for r in rows)
    assert sum(r["restarts"] for r in rows) == 2


SAVES_AFTER_ITS_LOOP = """\
import argparse, os, sys, time
ap = argparse.ArgumentParser()
ap.add_argument("--x", type=float)
ap.add_argument("--epochs", type=int)
a = ap.parse_args()
for epoch in range(a.epochs):
    print(f"epoch {epoch} loss={(1.2 - a.x) * 10 / (epoch + 1)}", flush=True)
    time.sleep(0.05)
time.sleep(0.5)  # saving the model takes a while
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("saved")
"""


def _command_tuner(tmp_path, epochs, grace, max_resource=None):
    config = {"min_resource": 1} if max_resource is None else {"max_resource": max_resource}
    return HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Hyperband",
        strategy_config=config,
        static_hyperparameters={"epochs": epochs},
        max_jobs=4,
        max_parallel_jobs=2,
        random_seed=1,
        quiet=True,
        db=tmp_path / "a.db",
        stop_grace_seconds=grace,
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
    )


def test_a_job_whose_loop_ends_at_max_resource_saves_its_model(tmp_path):
    # epochs = MaxResource (the README's advice): the job reports MaxResource on its last line
    # and then saves; it is left to end by itself (notebook sweep 13: an immediate SIGTERM lost
    # every full-length job's model)
    script = tmp_path / "train.py"
    script.write_text(SAVES_AFTER_ITS_LOOP)
    t = _command_tuner(tmp_path, epochs=3, grace=5.0)
    t.fit([sys.executable, str(script)], job_name="hbsave")
    done = [r for r in t.store.training_jobs("hbsave") if r["status"] == "Completed"]
    assert done
    for r in done:
        assert len(t.store.metrics("hbsave", r["seq"], "loss")) == 3
        with open(os.path.join(r["job_dir"], "model", "model.txt")) as f:
            assert f.read() == "saved"


def test_a_job_training_beyond_max_resource_is_stopped_after_the_wait(tmp_path):
    # 200 epochs of 0.05 s against MaxResource 3: stopped about stop_grace_seconds (1 s, more
    # than one epoch) after its third epoch, Completed, with its series kept
    script = tmp_path / "train.py"
    script.write_text(SAVES_AFTER_ITS_LOOP)
    t = _command_tuner(tmp_path, epochs=200, grace=1.0, max_resource=3)
    t.fit([sys.executable, str(script)], job_name="hblong")
    rows = t.store.training_jobs("hblong")
    done = [r for r in rows if r["status"] == "Completed"]
    assert done and all(r["status"] in ("Completed", "Stopped") for r in rows)
    for r in done:
        n = len(t.store.metrics("hblong", r["seq"], "loss"))
        assert 3 <= n < 200
        assert r["failure_reason"] is None

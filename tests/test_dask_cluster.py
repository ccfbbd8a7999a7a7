"""Training jobs on a real Dask cluster (a ``distributed.LocalCluster`` of 2 worker processes):
callables and commands with early stopping, a worker killed mid-job, a driver killed and resumed,
Hyperband rungs decided on streamed metrics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import amtune
from amtune.runners.dask import parse_cluster
from amtune.sagemaker.config import HyperbandStrategyConfig
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.store import Store
from amtune.tuning.tuner import HyperparameterTuner

distributed = pytest.importorskip("distributed")

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}
EPOCHS = 8


@pytest.fixture(scope="module")
def scheduler() -> Any:
    """The address of a LocalCluster of 2 worker processes (Dask's default rescheduling of a task
    whose worker died is on: the runner must notice the rerun)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        processes=True,
        dashboard_address=":0",
        host="127.0.0.1",
    ) as cluster:
        yield cluster.scheduler_address


def curve(hp: dict[str, Any], reporter: Any) -> float:
    """The smaller x, the lower the loss at every epoch."""
    loss = 0.0
    for epoch in range(int(hp.get("epochs", EPOCHS))):
        loss = (0.2 + hp["x"]) * 10.0 / (epoch + 1)
        reporter.report("loss", loss, step=epoch)
        time.sleep(0.05)
    return loss


def kills_its_worker_once(hp: dict[str, Any], reporter: Any) -> float:
    """The first run of every job emits a metric and kills the worker process it runs in."""
    marker = Path(hp["marker_dir"]) / f"{hp['x']:.12f}"
    reporter.report("loss", 100.0)
    if not marker.exists():
        marker.write_text("killed")
        time.sleep(0.3)  # the emission reaches the driver before the worker dies
        os.kill(os.getpid(), signal.SIGKILL)
    for epoch in range(3):
        reporter.report("loss", hp["x"] + 1.0 / (epoch + 1))
    return float(hp["x"])


def kills_every_worker(hp: dict[str, Any], reporter: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _metric_counts(store: Store, name: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for m in store.metrics(name):
        counts[m["seq"]] = counts.get(m["seq"], 0) + 1
    return counts


def test_parse_cluster_names_the_field_and_rule() -> None:
    assert parse_cluster("local:3") == ("local:3", True)
    assert parse_cluster({"scheduler": "tcp://h:1", "shared_filesystem": True}) == (
        "tcp://h:1",
        True,
    )
    for bad, match in [
        ("localhost:8786", "needs a protocol"),
        ("local:x", "N >= 1"),
        ({"address": "tcp://h:1"}, r"unknown keys \['address'\]"),
        ({"scheduler": "tcp://h:1", "shared_filesystem": "yes"}, "true or false"),
        (3, "must be a scheduler address"),
    ]:
        with pytest.raises(ValueError, match=match):
            parse_cluster(bad)
    with pytest.raises(ValueError, match=r"^cluster: .*needs a protocol"):
        HyperparameterTuner("loss", X, cluster="h:1")


def test_a_callable_runs_to_completion_with_early_stopping(scheduler: str, tmp_path: Path) -> None:
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        random_seed=3,
        static_hyperparameters={"epochs": 12},
        cluster={"scheduler": scheduler, "shared_filesystem": True},
        db=tmp_path / "a.db",
        quiet=True,
    )
    t.fit(curve, job_name="cb")
    rows = t.store.training_jobs("cb")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert len(rows) == 8
    assert {r["status"] for r in rows} <= {"Completed", "Stopped"}
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped, "early stopping stopped no job"
    counts = _metric_counts(t.store, "cb")
    for r in rows:
        series = [m["value"] for m in t.store.metrics("cb", r["seq"], "loss")]
        assert r["final_objective"] == series[-1]
        if r["status"] == "Completed":  # 12 streamed emissions plus the returned value
            assert counts[r["seq"]] == 13
        else:  # stopped through the reporter on the worker, before its last epoch
            assert counts[r["seq"]] < 12
            assert "median" in r["failure_reason"].lower()
    best = min(rows, key=lambda r: r["final_objective"])
    assert d["BestTrainingJob"]["TrainingJobName"] == best["name"]


TRAIN_CMD = textwrap.dedent("""
    import argparse, os, signal, sys, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    p.add_argument("--epochs", type=int)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (print("got SIGTERM", flush=True), sys.exit(0)))
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
        f.write(f"x={a.x}")
    for e in range(a.epochs):
        print(f"epoch {e} loss={(0.2 + a.x) * 10.0 / (e + 1):.6f}", flush=True)
        time.sleep(0.05)
""")


def test_a_command_runs_in_a_worker_job_dir_and_its_dirs_come_back(
    scheduler: str, tmp_path: Path
) -> None:
    script = tmp_path / "train.py"
    script.write_text(TRAIN_CMD)
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        strategy="Random",
        max_jobs=8,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        random_seed=3,
        static_hyperparameters={"epochs": 12},
        cluster={"scheduler": scheduler, "shared_filesystem": False},
        output_path=tmp_path / "jobs",
        stop_grace_seconds=2.0,
        db=tmp_path / "c.db",
        quiet=True,
    )
    t.fit([sys.executable, str(script)], job_name="cmd")
    rows = t.store.training_jobs("cmd")
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"
    assert {r["status"] for r in rows} <= {"Completed", "Stopped"}
    stopped = [r for r in rows if r["status"] == "Stopped"]
    assert stopped, "early stopping stopped no job"
    for r in rows:
        job_dir = Path(r["job_dir"])
        # the worker ran it in its own directory; the log and model came back to the driver's
        assert job_dir.parent == tmp_path / "jobs" / "cmd"
        model = (job_dir / "model" / "model.txt").read_text()
        assert model == f"x={float(r['hyperparameters']['x'])}"
        log = (job_dir / "train.log").read_text()
        series = [m["value"] for m in t.store.metrics("cmd", r["seq"], "loss")]
        assert log.count("loss=") == len(series)
        if r["status"] == "Stopped":  # SIGTERM reached the command on its worker
            assert "got SIGTERM" in log and len(series) < 12
        else:
            assert len(series) == 12


def test_a_worker_killed_mid_job_gives_a_retry_and_nothing_twice(
    scheduler: str, tmp_path: Path
) -> None:
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=3,
        max_parallel_jobs=1,
        max_retry_attempts=1,
        random_seed=7,
        static_hyperparameters={"marker_dir": str(tmp_path)},
        cluster=scheduler,
        db=tmp_path / "k.db",
        quiet=True,
    )
    t.fit(kills_its_worker_once, job_name="kill")
    rows = t.store.training_jobs("kill")
    assert [r["status"] for r in rows] == ["Completed"] * 3
    assert all(r["attempts"] == 2 for r in rows)
    # the dead attempt's emission is gone; the retry's 3 emissions and its return are recorded once
    assert _metric_counts(t.store, "kill") == {1: 5, 2: 5, 3: 5}
    for r in rows:
        attempts = t.store.attempts("kill", r["seq"])
        assert [a["status"] for a in attempts] == ["Failed", "Completed"]
        assert "Dask worker" in attempts[0]["failure_reason"]
        assert attempts[0]["retryable"]


def test_a_job_that_kills_every_worker_ends_failed_not_hung(scheduler: str, tmp_path: Path) -> None:
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=1,
        max_retry_attempts=1,
        random_seed=7,
        cluster="local:2",
        db=tmp_path / "f.db",
        quiet=True,
    )
    with pytest.raises(UnexpectedStatusException, match="Failed"):
        t.fit(kills_every_worker, job_name="doom")
    (row,) = t.store.training_jobs("doom")
    assert row["status"] == "Failed" and row["attempts"] == 2
    assert "Dask worker running the training job died" in row["failure_reason"]
    assert t.describe()["HyperParameterTuningJobStatus"] == "Failed"


DRIVER = textwrap.dedent("""
    import sys
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner
    t = HyperparameterTuner(
        "score", {"x": amtune.ContinuousParameter(0.0, 1.0)}, strategy="Random", max_jobs=8,
        max_parallel_jobs=2, random_seed=5,
        metric_definitions=[{"Name": "score", "Regex": r"score=(\\S+)"}],
        cluster=sys.argv[3], db=sys.argv[1], quiet=True)
    t.fit([sys.executable, sys.argv[2]], job_name="res")
""")

SLOW = textwrap.dedent("""
    import argparse, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    a = p.parse_args()
    time.sleep(0.6)
    print(f"score={a.x:.6f}", flush=True)
""")


def test_the_driver_killed_mid_job_resumes_without_loss_or_double_count(
    scheduler: str, tmp_path: Path
) -> None:
    db = tmp_path / "amtune.db"
    (tmp_path / "train.py").write_text(SLOW)
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(tmp_path / "driver.py"),
            str(db),
            str(tmp_path / "train.py"),
            scheduler,
        ],
        cwd=tmp_path,
        env=env,
    )
    try:
        deadline = time.time() + 120
        while True:
            assert time.time() < deadline, "the driver did not start and finish jobs in time"
            st = Store(db) if db.exists() else None
            rows = st.training_jobs("res") if st is not None and st.has_tuning_job("res") else []
            if st is not None:
                st.close()
            done = sum(r["status"] == "Completed" for r in rows)
            if done >= 2 and any(r["status"] == "InProgress" for r in rows):
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    st = Store(db)
    before = {r["seq"]: r for r in st.training_jobs("res")}
    st.close()
    running = {s for s, r in before.items() if r["status"] == "InProgress"}
    done_before = {s: r for s, r in before.items() if r["status"] == "Completed"}
    assert running and len(done_before) >= 2

    t = HyperparameterTuner.resume("res", db=db, quiet=True)  # the cluster is in the stored config
    after = {r["seq"]: r for r in t.store.training_jobs("res")}
    assert sorted(after) == list(range(1, 9))
    assert all(r["status"] == "Completed" for r in after.values())
    for s, r in done_before.items():  # nothing lost or changed
        assert (after[s]["final_objective"], after[s]["end_time"]) == (
            r["final_objective"],
            r["end_time"],
        )
    for s in running:
        assert after[s]["restarts"] == 1
    assert _metric_counts(t.store, "res") == {s: 1 for s in range(1, 9)}  # none twice
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"


def test_hyperband_rungs_are_decided_on_streamed_metrics(scheduler: str, tmp_path: Path) -> None:
    t = HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Hyperband",
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=9),
        static_hyperparameters={"epochs": 12},
        max_jobs=10,
        max_parallel_jobs=2,
        random_seed=4,
        cluster=scheduler,
        db=tmp_path / "h.db",
        quiet=True,
    )
    t.fit(curve, job_name="hb")
    rows = t.store.training_jobs("hb")
    decisions = t.store.rule_decisions("hb")
    stopped = [r for r in rows if r["status"] == "Stopped"]
    completed = [r for r in rows if r["status"] == "Completed"]
    assert stopped and completed
    for r in stopped:  # stopped at a rung, on the worker, before MaxResource
        d = decisions[r["seq"]]
        assert d["rule"] == "Hyperband" and d["action"] == "Stop"
        assert r["failure_reason"] == d["reason"]
        assert len(t.store.metrics("hb", r["seq"], "loss")) < 9
    for r in completed:  # reached MaxResource (9 epochs of 12): left to end by itself, which
        # its 3 more epochs do well within stop_grace_seconds (the returned loss is one more)
        assert decisions[r["seq"]]["action"] == "Complete"
        assert 9 <= len(t.store.metrics("hb", r["seq"], "loss")) <= 13


def test_a_bad_cluster_in_a_config_or_on_the_command_line_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from amtune.cli import main
    from amtune.config.loader import ConfigError, parse_config

    doc: dict[str, Any] = {
        "objective": {"metric": "loss", "type": "Minimize"},
        "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
        "metric_definitions": [{"Name": "loss", "Regex": "loss=(\\S+)"}],
        "command": ["true"],
        "cluster": {"scheduler": "tcp://127.0.0.1:8786", "shared_filesystem": True},
    }
    cfg = parse_config(doc, base=tmp_path)
    assert cfg.tuner_kwargs["cluster"] == doc["cluster"]
    with pytest.raises(ConfigError, match=r"^cluster.scheduler: .*needs a protocol"):
        parse_config({**doc, "cluster": {"scheduler": "127.0.0.1:8786"}}, base=tmp_path)
    with pytest.raises(ConfigError, match=r"^cluster.shared_filesystem"):
        parse_config({**doc, "cluster": {"scheduler": "local:2", "shared_filesystem": 3}})
    import json

    (tmp_path / "job.json").write_text(json.dumps(doc))
    db = tmp_path / "x.db"
    assert main(["run", str(tmp_path / "job.json"), "--db", str(db), "--cluster", "local:0"]) == 2
    assert "--cluster: 'local:N' needs N >= 1" in capsys.readouterr().err
    assert not db.exists()

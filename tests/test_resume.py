"""A driver killed with SIGKILL in the middle of a tuning job, then resumed."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from amtune.cli import main
from amtune.store import Store

TRAIN = textwrap.dedent("""
    import argparse, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    a = p.parse_args()
    time.sleep(0.3)
    print(f"score={a.x:.6f}", flush=True)
""")

DRIVER = textwrap.dedent("""
    import sys
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner
    t = HyperparameterTuner(
        "score", {"x": amtune.ContinuousParameter(0.0, 1.0)}, strategy="Random", max_jobs=10,
        max_parallel_jobs=2, random_seed=5,
        metric_definitions=[{"Name": "score", "Regex": r"score=(\\S+)"}],
        db=sys.argv[1], quiet=True)
    t.fit([sys.executable, sys.argv[2]], job_name="res")
""")


def _wait_for(db, pred, timeout=60.0):
    st = Store(db)
    try:
        t0 = time.time()
        while time.time() - t0 < timeout:
            if st.has_tuning_job("res"):
                rows = st.training_jobs("res")
                if pred(rows):
                    return rows
            time.sleep(0.02)
    finally:
        st.close()
    raise AssertionError("the driver did not reach the expected state in time")


@pytest.mark.parametrize("completed_before_kill", [0, 3])
def test_resume_after_sigkill(tmp_path, capsys, completed_before_kill):
    db = tmp_path / "amtune.db"
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "driver.py").write_text(DRIVER)
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "driver.py"), str(db), str(tmp_path / "train.py")],
        cwd=tmp_path,
    )
    try:
        _wait_for(
            db,
            lambda rows: (
                sum(r["status"] == "Completed" for r in rows) >= completed_before_kill
                and any(r["status"] == "InProgress" for r in rows)
            ),
        )
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    st = Store(db)
    before = {r["seq"]: r for r in st.training_jobs("res")}
    assert st.get_tuning_job("res")["status"] == "InProgress"
    st.close()
    done_before = {s: r for s, r in before.items() if r["status"] != "InProgress"}
    running_before = {s for s, r in before.items() if r["status"] == "InProgress"}
    assert running_before
    assert len(done_before) >= completed_before_kill

    assert main(["resume", "res", "--db", str(db), "--quiet"]) == 0
    assert "Tuning job res: Completed (10 completed" in capsys.readouterr().out

    st = Store(db)
    after = {r["seq"]: r for r in st.training_jobs("res")}
    job = st.get_tuning_job("res")
    metrics = st.metrics("res")
    st.close()
    assert sorted(after) == list(range(1, 11))  # max_jobs training jobs, none counted twice
    assert len({r["name"] for r in after.values()}) == 10
    assert all(
        r["status"] == "Completed" and r["objective_status"] == "Succeeded" for r in after.values()
    )
    for s, r in done_before.items():  # no completed result lost or changed
        assert (after[s]["final_objective"], after[s]["end_time"]) == (
            r["final_objective"],
            r["end_time"],
        )
        assert after[s]["restarts"] == 0
    for s in running_before:  # the documented rule: jobs running at the kill are re-run
        assert after[s]["restarts"] == 1
        assert after[s]["name"] == before[s]["name"]
        assert after[s]["hyperparameters"] == before[s]["hyperparameters"]
    per_job = {}
    for m in metrics:
        per_job[m["seq"]] = per_job.get(m["seq"], 0) + 1
    assert per_job == {s: 1 for s in range(1, 11)}  # no series left over from the killed run
    assert job["status"] == "Completed" and job["resumes"] == 1
    # new proposals after the resume are not the first run's proposals again
    xs = [r["hyperparameters"]["x"] for r in after.values()]
    assert len(set(xs)) == 10


def test_resume_refuses_a_live_driver(tmp_path):
    import socket

    from amtune.tuning.tuner import HyperparameterTuner

    st = Store(tmp_path / "amtune.db")
    st.create_tuning_job("live", {}, 1.0)
    st.update_tuning_job(
        "live", driver_pid=os.getppid(), driver_host=socket.gethostname(), heartbeat=time.time()
    )
    st.close()
    with pytest.raises(RuntimeError, match="is still running"):
        HyperparameterTuner.resume("live", db=tmp_path / "amtune.db")


TRAINMOD = textwrap.dedent("""
    import time

    def train(hp, reporter):
        time.sleep(0.15)
        reporter.report("score", hp["x"])
""")

CALLABLE_DRIVER = textwrap.dedent("""
    import sys
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner
    from trainmod import train
    t = HyperparameterTuner(
        "score", {"x": amtune.ContinuousParameter(0.0, 1.0)}, strategy="Random", max_jobs=12,
        max_parallel_jobs=3, random_seed=2, runner="thread", db=sys.argv[1], quiet=True)
    t.fit(train, job_name="res")
""")


def test_resume_a_python_callable_by_its_import_path(tmp_path, monkeypatch):
    from amtune.tuning.tuner import HyperparameterTuner

    db = tmp_path / "amtune.db"
    (tmp_path / "trainmod.py").write_text(TRAINMOD)
    (tmp_path / "driver.py").write_text(CALLABLE_DRIVER)
    # keep the caller's PYTHONPATH (a source checkout's python/ directory) after the module's
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "driver.py"), str(db)], cwd=tmp_path, env=env
    )
    try:
        _wait_for(db, lambda rows: sum(r["status"] == "Completed" for r in rows) >= 4)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    monkeypatch.syspath_prepend(str(tmp_path))
    st = Store(db)
    done_before = {r["seq"]: r for r in st.training_jobs("res") if r["status"] == "Completed"}
    st.close()
    t = HyperparameterTuner.resume("res", db=db, quiet=True)  # finds trainmod:train by name
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 12
    rows = {r["seq"]: r for r in t.store.training_jobs("res")}
    assert sorted(rows) == list(range(1, 13))
    for s, r in done_before.items():
        assert rows[s]["final_objective"] == r["final_objective"]
        assert rows[s]["end_time"] == r["end_time"]
    # the strategy saw the whole history: 12 observations
    assert t.last_run.optimizer.n_finished == 12

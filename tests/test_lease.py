"""One driver per tuning job (issue 10, items 1 and 2): the lease is claimed in one write
transaction, kept alive by a heartbeat thread while the loop stalls, and a driver that lost it
writes nothing more."""

import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest

import amtune
from amtune.enums import TuningJobStatus
from amtune.store import Store
from amtune.tuning import liveness
from amtune.tuning.tuner import HyperparameterTuner

ROUNDS = 20


def _pending_job(db, name, max_jobs=2):
    """A tuning job in the store whose driver died before its first heartbeat."""
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        strategy="Random",
        objective_type="Minimize",
        max_jobs=max_jobs,
        max_parallel_jobs=2,
        random_seed=1,
        db=db,
        quiet=True,
    )
    cmd = [sys.executable, "-c", "import sys; print('loss=' + sys.argv[2])"]
    with Store(db) as st:
        st.create_tuning_job(name, t._to_config(cmd), time.time())


RACE = """
import json, os, sys
from amtune.cli import main
db, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
results = []
for r in range(rounds):
    pids = []
    for k in range(2):  # two `amtune resume` processes, forked after the imports, started together
        pid = os.fork()
        if pid == 0:
            fd = os.open(f"{out}/{r}-{k}.err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 2)
            os._exit(main(["resume", f"race-{r}", "--db", db, "--quiet"]))
        pids.append(pid)
    results.append([os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids])
print(json.dumps(results))
"""


def test_two_resumes_started_together_run_one_driver(tmp_path):
    """Two ``amtune resume`` processes of one job started together, 20 rounds: exactly one
    driver runs each time, the other exits with a clear message having written nothing."""
    db = tmp_path / "amtune.db"
    for r in range(ROUNDS):
        _pending_job(db, f"race-{r}")
    script = tmp_path / "race.py"
    script.write_text(RACE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, str(script), str(db), str(ROUNDS), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for r, codes in enumerate(json.loads(done.stdout.splitlines()[-1])):
        assert sorted(codes) == [0, 2], (r, codes)
        loser = (tmp_path / f"{r}-{codes.index(2)}.err").read_text()
        assert re.search("already running|still running|already ended", loser), loser
        assert "Traceback" not in loser
        with Store(db) as st:
            job = st.get_tuning_job(f"race-{r}")
            assert job["status"] == TuningJobStatus.COMPLETED, (r, job)
            assert job["resumes"] == 1
            rows = st.training_jobs(f"race-{r}")
            assert [j["status"] for j in rows] == ["Completed", "Completed"], rows
            attempts = st.attempts(f"race-{r}")
            assert sorted(a["seq"] for a in attempts) == [1, 2], attempts


def test_the_loser_of_a_claim_writes_nothing(tmp_path):
    db = tmp_path / "amtune.db"
    _pending_job(db, "j")
    st = Store(db)
    winner = liveness.Lease(st, "j")
    winner.claim(resumed=True)
    before = st.get_tuning_job("j")
    with pytest.raises(liveness.LeaseTaken, match="already running"):
        liveness.Lease(Store(db), "j").claim(resumed=True)
    assert st.get_tuning_job("j") == before
    winner.release()


def test_a_stalled_driver_keeps_its_lease(tmp_path, monkeypatch, make_tuner):
    """The loop stalls (a slow strategy) for longer than the lease: the heartbeat thread keeps
    the driver alive, so resume refuses and stop only asks it to stop."""
    monkeypatch.setattr(liveness, "HEARTBEAT", 0.05)  # lease: 10 heartbeats = 0.5 s
    stalled, release = threading.Event(), threading.Event()
    real_ask = amtune.Optimizer.ask

    def slow_ask(self, n=1):
        if not stalled.is_set():
            stalled.set()
            release.wait(30)  # the loop is stalled until the checks below are done
        return real_ask(self, n)

    monkeypatch.setattr(amtune.Optimizer, "ask", slow_ask)
    t = make_tuner(max_jobs=2, max_parallel_jobs=1)
    t.fit(lambda hp, r: hp["x"], job_name="stall", wait=False)
    try:
        assert stalled.wait(10)
        time.sleep(1.0)  # twice the lease, inside the stall
        other = Store(tmp_path / "amtune.db")
        assert liveness.driver_alive(other.get_tuning_job("stall"))
        with pytest.raises(RuntimeError, match=r"still running|already running"):
            HyperparameterTuner.resume("stall", db=tmp_path / "amtune.db")
        assert liveness.stop_tuning_job(other, "stall") == TuningJobStatus.STOPPING
    finally:
        release.set()
    t.wait()
    assert other.get_tuning_job("stall")["status"] == TuningJobStatus.STOPPED


def test_a_driver_that_lost_its_lease_stops_writing(tmp_path, make_tuner):
    gate = threading.Event()

    def train(hp, reporter):
        gate.wait(10)
        return hp["x"]

    t = make_tuner(max_jobs=4, max_parallel_jobs=1)
    t.fit(train, job_name="lost", wait=False)
    other = Store(tmp_path / "amtune.db")
    deadline = time.time() + 10
    while not other.training_jobs("lost") and time.time() < deadline:
        time.sleep(0.02)
    # another driver takes the job over (as a resume after this one was suspended too long)
    with other.transaction():
        other.update_tuning_job("lost", driver_token="another-driver", driver_pid=1)
    snapshot = (other.get_tuning_job("lost"), other.training_jobs("lost"), other.attempts("lost"))
    gate.set()
    with pytest.raises(liveness.LeaseLost):
        t.wait()
    after = (other.get_tuning_job("lost"), other.training_jobs("lost"), other.attempts("lost"))
    assert after == snapshot

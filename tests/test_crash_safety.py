"""A kill or a SIGTERM at any moment (issue 10, items 9 and 15): a training job's row is committed
before its process starts, and SIGTERM ends the tuning job Stopped as Ctrl-C does."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import amtune
from amtune.runners.command import CommandRunner
from amtune.store import Store
from amtune.tuning.tuner import HyperparameterTuner


def test_the_row_is_committed_before_the_process_starts(tmp_path, monkeypatch):
    seen = []
    real_start = CommandRunner.start

    def start(self, spec, events):
        # another connection (read-only: it does not wait for the writer) sees committed rows
        other = sqlite3.connect(f"file:{tmp_path / 'amtune.db'}?mode=ro", uri=True)
        rows = other.execute("SELECT seq FROM training_jobs ORDER BY seq").fetchall()
        other.close()
        seen.append([r[0] for r in rows])
        return real_start(self, spec, events)

    monkeypatch.setattr(CommandRunner, "start", start)
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        objective_type="Minimize",
        strategy="Random",
        max_jobs=3,
        max_parallel_jobs=3,
        db=tmp_path / "amtune.db",
        quiet=True,
    )
    t.fit([sys.executable, "-c", "print('loss=1')"], job_name="commit")
    assert seen == [[1], [1, 2], [1, 2, 3]]


YAML = """\
name: term
objective: {{metric: loss, type: Minimize}}
strategy: Random
max_jobs: 4
max_parallel_jobs: 2
hyperparameters: {{x: {{type: Continuous, min: 0, max: 1}}}}
static_hyperparameters: {{epochs: 400}}
metric_definitions: [{{Name: loss, Regex: 'loss=(\\S+)'}}]
command: {python} {script}
stop_grace_seconds: 2
"""


def test_sigterm_stops_the_tuning_job(tmp_path, sigterm_script):
    script = sigterm_script(epochs=400, sleep=0.05)
    cfg = tmp_path / "job.yaml"
    cfg.write_text(YAML.format(python=sys.executable, script=script))
    db = tmp_path / "amtune.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "amtune.cli", "run", str(cfg), "--db", str(db), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # two training jobs running, with emissions
        if db.exists():
            with Store(db) as st:
                if st.has_tuning_job("term") and len(st.metrics("term")) >= 4:
                    break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM)" in err and "Traceback" not in err
    with Store(db) as st:
        assert st.get_tuning_job("term")["status"] == "Stopped"
        rows = st.training_jobs("term")
        assert rows and {r["status"] for r in rows} == {"Stopped"}
        assert st.metrics("term")  # the results are kept
        pids = [r["pid"] for r in rows]
    for pid in pids:  # no training process left behind
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"training process {pid} still runs")

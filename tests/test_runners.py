"""Training jobs as worker processes and as script-mode commands, run through real tuning jobs."""

import json
import os
import signal
import sys
import textwrap
import time

import pytest

import amtune
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.tuning.tuner import HyperparameterTuner

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}


def crash_or_score(hp, reporter):
    """Jobs with x < 0.5 die by a signal; the others report and return a score."""
    if hp["x"] < 0.5:
        os.kill(os.getpid(), signal.SIGSEGV)
    reporter.report("score", hp["x"], step=0)
    return hp["x"] + 1.0


def raises(hp, reporter):
    raise ZeroDivisionError("no luck")


def rendezvous(hp, reporter):
    """Announce this job, then wait (up to 20 s) until both jobs are running at the same time."""
    d = hp["dir"]
    open(os.path.join(d, f"started-{reporter.job_name}"), "w").close()
    t0 = time.time()
    while time.time() - t0 < 20:
        if len([f for f in os.listdir(d) if f.startswith("started-")]) >= 2:
            return 1.0
        time.sleep(0.01)
    return 0.0


def first_attempt_dies(hp, reporter):
    marker = os.path.join(hp["dir"], f"seen-{reporter.job_name}")
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return 2.0


def _read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


def _tuner(tmp_path, **kw):
    kw.setdefault("strategy", "Random")
    kw.setdefault("random_seed", 3)
    kw.setdefault("quiet", True)
    kw.setdefault("db", tmp_path / "amtune.db")
    return HyperparameterTuner(kw.pop("objective", "score"), kw.pop("ranges", X), **kw)


def test_a_crashing_worker_fails_its_job_and_the_tuning_job_goes_on(tmp_path):
    t = _tuner(tmp_path, max_jobs=6, max_parallel_jobs=2)
    t.fit(crash_or_score, job_name="crash")
    df = t.analytics()
    crashed = df[df["x"] < 0.5]
    ok = df[df["x"] >= 0.5]
    assert len(crashed) > 0 and len(ok) > 0  # seed 3 gives both kinds
    assert (crashed["TrainingJobStatus"] == "Failed").all()
    assert crashed["FailureReason"].str.contains("SIGSEGV").all()
    assert (ok["TrainingJobStatus"] == "Completed").all()
    # the returned value is the last emission of the objective, hence the final value
    assert ok["FinalObjectiveValue"].tolist() == pytest.approx((ok["x"] + 1.0).tolist())
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["RetryableError"] == len(crashed)
    assert d["ObjectiveStatusCounters"] == {
        "Succeeded": len(ok),
        "Pending": 0,
        "Failed": len(crashed),
    }


def test_worker_starts_poll_the_other_workers_under_the_shared_lock(tmp_path, monkeypatch):
    # Process.start() polls every live child (multiprocessing.process._cleanup); unlocked, it raced
    # the pump threads' polls and a worker killed by SIGSEGV was reported as exiting with code 255
    import multiprocessing.process as mp_process

    from amtune.runners import process as runner_process

    cleanup = mp_process._cleanup
    held: list[bool] = []

    def recording_cleanup():
        held.append(runner_process._CHILD_LOCK.locked())
        cleanup()

    monkeypatch.setattr(mp_process, "_cleanup", recording_cleanup)
    t = _tuner(tmp_path, max_jobs=6, max_parallel_jobs=2)
    t.fit(crash_or_score, job_name="lock")
    assert len(held) >= 6 and all(held)  # one start per job at least
    crashed = t.analytics().query("x < 0.5")
    assert len(crashed) and crashed["FailureReason"].str.contains("SIGSEGV").all()


def test_an_exception_fails_the_job_with_its_message_and_a_log(tmp_path):
    t = _tuner(tmp_path, max_jobs=2)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(raises, job_name="raise")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert "No training job succeeded" in d["FailureReason"]
    assert "ZeroDivisionError: no luck" in d["FailureReason"]
    jobs = t.store.training_jobs("raise")
    log = _read(jobs[0]["job_dir"], "train.log")
    assert "ZeroDivisionError" in log and "Traceback" in log


def test_jobs_run_in_parallel(tmp_path):
    t = _tuner(
        tmp_path, max_jobs=2, max_parallel_jobs=2, static_hyperparameters={"dir": str(tmp_path)}
    )
    t.fit(rendezvous, job_name="par")
    # each job saw the other one running while it ran
    assert t.analytics()["FinalObjectiveValue"].tolist() == [1.0, 1.0]


def test_retries_rerun_a_job_killed_by_a_signal(tmp_path):
    t = _tuner(
        tmp_path, max_jobs=2, max_retry_attempts=1, static_hyperparameters={"dir": str(tmp_path)}
    )
    t.fit(first_attempt_dies, job_name="retry")
    jobs = t.store.training_jobs("retry")
    assert [j["status"] for j in jobs] == ["Completed", "Completed"]
    assert [j["attempts"] for j in jobs] == [2, 2]
    att = t.store.attempts("retry", 1)
    assert [a["status"] for a in att] == ["Failed", "Completed"]
    assert "SIGKILL" in att[0]["failure_reason"]


def test_a_closure_cannot_run_in_a_worker_process(tmp_path):
    t = _tuner(tmp_path, max_jobs=1)
    with pytest.raises(TypeError, match="runner='thread'"):
        t.fit(lambda hp, r: 1.0, job_name="lam")
    assert not (tmp_path / "amtune.db").exists()


def test_a_function_of_an_interactive_session_cannot_run_in_a_worker_process(tmp_path, monkeypatch):
    import types

    def typed_at_the_prompt(hp, reporter):
        return 1.0

    typed_at_the_prompt.__module__ = "__main__"
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # no __file__
    t = _tuner(tmp_path, max_jobs=1)
    with pytest.raises(TypeError, match=r"interactive session .* or pass runner='thread'"):
        t.fit(typed_at_the_prompt, job_name="repl")
    piped = types.ModuleType("__main__")
    piped.__file__ = "<stdin>"  # `python - < script.py`: workers cannot import the main script
    monkeypatch.setitem(sys.modules, "__main__", piped)
    with pytest.raises(TypeError, match=r"'<stdin>' is not a file; .* or pass runner='thread'"):
        t.fit(raises, job_name="piped")
    assert not (tmp_path / "amtune.db").exists()


def test_fit_refuses_to_run_while_a_worker_imports_the_script(tmp_path):
    # a script without the __main__ guard, as a worker process re-imports it
    t = _tuner(tmp_path, max_jobs=1)
    with pytest.raises(RuntimeError, match='under `if __name__ == "__main__":`'):
        exec("t.fit(raises)", {"__name__": "__mp_main__", "t": t, "raises": raises})
    assert not (tmp_path / "amtune.db").exists()


SCRIPT = textwrap.dedent("""
    import argparse, json, os, sys, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    p.add_argument("--mode", default="ok")
    p.add_argument("--epochs", type=int)
    a = p.parse_args()
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "env.json"), "w") as f:
        json.dump({"argv": sys.argv[1:], "hps": json.loads(os.environ["SM_HPS"]),
                   "train": os.environ.get("SM_CHANNEL_TRAIN"),
                   "channels": json.loads(os.environ["SM_CHANNELS"]),
                   "out": os.environ["SM_OUTPUT_DATA_DIR"]}, f)
    if a.mode == "fail":
        print("something broke", file=sys.stderr)
        sys.exit(3)
    if a.mode == "hang":
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)
    for e in range(a.epochs):
        print(f"epoch {e} score={a.x + e}")
        print(f"score=oops", file=sys.stderr)
    if a.mode == "silent":
        print("done")
""")


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "train.py"
    p.write_text(SCRIPT)
    return [sys.executable, str(p)]


MD = [
    {"Name": "score", "Regex": r"^epoch \d+ score=(\S+)$"},
    {"Name": "other", "Regex": r"score=(\S+)"},
]


def test_a_script_mode_command_gets_args_env_channels_and_its_metrics(tmp_path, script):
    (tmp_path / "data").mkdir()
    t = _tuner(
        tmp_path,
        max_jobs=2,
        metric_definitions=MD,
        static_hyperparameters={"epochs": 3, "mode": "ok"},
        channels={"train": tmp_path / "data"},
    )
    t.fit(script, job_name="cmd")
    jobs = t.store.training_jobs("cmd")
    assert [j["status"] for j in jobs] == ["Completed", "Completed"]
    j = jobs[0]
    env = json.loads(_read(j["job_dir"], "model", "env.json"))
    x = j["hyperparameters"]["x"]
    assert env["argv"][env["argv"].index("--x") + 1] == repr(x)
    assert env["argv"][env["argv"].index("--epochs") + 1] == "3"
    assert env["hps"] == {"x": x, "epochs": 3, "mode": "ok"}
    # the channel is staged in the job's input/data/<channel>, as /opt/ml/input/data/train
    assert env["train"] == os.path.join(j["job_dir"], "input", "data", "train")
    assert os.path.realpath(env["train"]) == str(tmp_path / "data") and env["channels"] == ["train"]
    assert env["out"].startswith(j["job_dir"])
    assert j["job_dir"] == str(tmp_path / "amtune-jobs" / "cmd" / j["name"])
    series = [m["value"] for m in t.store.metrics("cmd", j["seq"], "score")]
    assert series == pytest.approx([x, x + 1, x + 2])
    assert j["final_objective"] == pytest.approx(x + 2)  # the last emission
    log = _read(j["job_dir"], "train.log")
    assert "epoch 2 score=" in log and "matched but not a number: 'oops'" in log


def test_command_failures_are_failed_jobs_with_reasons(tmp_path, script):
    ranges = {
        "x": amtune.ContinuousParameter(0.0, 1.0),
        "mode": amtune.CategoricalParameter(["fail", "silent"]),
    }
    t = _tuner(
        tmp_path,
        ranges=ranges,
        max_jobs=6,
        max_parallel_jobs=3,
        metric_definitions=MD,
        static_hyperparameters={"epochs": 0},
    )
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(script, job_name="bad")
    rows = t.store.training_jobs("bad")
    modes = {r["hyperparameters"]["mode"] for r in rows}
    assert modes == {"fail", "silent"}
    for r in rows:
        if r["hyperparameters"]["mode"] == "fail":
            assert r["status"] == "Failed"
            assert (
                "exited with code 3" in r["failure_reason"]
                and "something broke" in r["failure_reason"]
            )
        else:  # finished but never printed the objective
            assert r["status"] == "Completed" and r["objective_status"] == "Failed"
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Failed"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["/nonexistent/amtune-train"], "does not exist"),
        (["pyhton", "train.py"], "command not found: 'pyhton'"),
    ],
)
def test_a_missing_command_is_an_error_before_the_first_job(tmp_path, command, message):
    t = _tuner(tmp_path, max_jobs=2, metric_definitions=MD)
    with pytest.raises(ValueError, match=message):
        t.fit(command, job_name="missing")
    assert not (tmp_path / "amtune.db").exists() or not t.store.has_tuning_job("missing")


def test_the_per_job_time_limit_kills_a_hanging_command(tmp_path, script):
    t = _tuner(
        tmp_path,
        max_jobs=1,
        metric_definitions=MD,
        max_runtime_per_training_job=0.5,
        stop_grace_seconds=0.3,
        static_hyperparameters={"mode": "hang", "epochs": 1},
    )
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(script, job_name="hang")
    (r,) = t.store.training_jobs("hang")
    assert r["status"] == "Failed" and "MaxRuntimeInSeconds" in r["failure_reason"]
    assert "-9" in _read(r["job_dir"], "train.log")  # SIGTERM ignored -> SIGKILL


def test_the_objective_needs_a_metric_definition_for_a_command(tmp_path, script):
    t = _tuner(tmp_path, max_jobs=1, metric_definitions=[{"Name": "loss", "Regex": "loss=(.*)"}])
    with pytest.raises(ValueError, match="objective metric 'score' needs a metric definition"):
        t.fit(script, job_name="nodef")
    assert not (tmp_path / "amtune.db").exists()


def reports_until_stopped(hp, reporter):
    for i in range(3000):
        reporter.report("score", float(i))
        time.sleep(0.01)


def ignores_stop(hp, reporter):
    reporter.report("score", 1.0)
    time.sleep(60)


@pytest.mark.parametrize("train", [reports_until_stopped, ignores_stop])
def test_the_runtime_limit_stops_worker_processes(tmp_path, train):
    t = _tuner(
        tmp_path,
        max_jobs=4,
        max_parallel_jobs=2,
        max_runtime_in_seconds=1.0,
        stop_grace_seconds=0.5,
    )
    t.fit(train, job_name="stopme")
    rows = t.store.training_jobs("stopme")
    assert len(rows) == 2  # nothing new starts once the limit is reached
    reported = {m["seq"] for m in t.store.metrics("stopme")}  # a slow machine may start late
    for r in rows:  # stopped; the last emission (if any yet) is the final objective
        assert r["status"] == "Stopped"
        assert r["objective_status"] == ("Succeeded" if r["seq"] in reported else "Failed")
    if reported:
        assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"


def test_sm_hps_decodes_json_strings_like_sagemaker(tmp_path, script):
    t = _tuner(
        tmp_path,
        max_jobs=1,
        metric_definitions=MD,
        static_hyperparameters={"epochs": "1", "mode": "ok"},
    )
    t.fit(script, job_name="hps")
    (j,) = t.store.training_jobs("hps")
    env = json.loads(_read(j["job_dir"], "model", "env.json"))
    assert env["hps"]["epochs"] == 1 and env["hps"]["mode"] == "ok"
    assert env["argv"][env["argv"].index("--epochs") + 1] == "1"


def test_a_driver_error_fails_the_job_and_leaves_no_process_behind(tmp_path, script, monkeypatch):
    from amtune.tuning import driver as driver_mod

    def boom(self, run, js, ev):
        raise RuntimeError("driver bug")

    monkeypatch.setattr(driver_mod.Driver, "_on_metric", boom)
    t = _tuner(
        tmp_path,
        max_jobs=1,
        metric_definitions=MD,
        stop_grace_seconds=0.3,
    )
    # prints a metric (which trips the driver), then ignores SIGTERM
    (tmp_path / "hang.py").write_text(
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('epoch 0 score=1.0', flush=True)\ntime.sleep(60)\n"
    )
    with pytest.raises(RuntimeError, match="driver bug"):
        t.fit([sys.executable, str(tmp_path / "hang.py")], job_name="bug")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert "internal error: RuntimeError: driver bug" in d["FailureReason"]
    (r,) = t.store.training_jobs("bug")
    assert r["status"] == "Stopped"
    for _ in range(100):  # the killed process is reaped by its reader thread
        if (
            not os.path.exists(f"/proc/{r['pid']}")
            or "Z" in _read(f"/proc/{r['pid']}/stat").split()[2]
        ):
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the training process is still running")


WRITES_A_FAILURE = """\
import os, sys
reason = sys.argv[sys.argv.index("--reason") + 1]
size = int(sys.argv[sys.argv.index("--size") + 1])
out = os.path.dirname(os.environ["SM_OUTPUT_DATA_DIR"])  # /opt/ml/output
with open(os.path.join(out, "failure"), "w") as f:
    f.write((reason * size)[:size] + "\\n")
print("score=1")
sys.exit(2)
"""


@pytest.mark.parametrize(
    ("reason", "size", "expected"),
    [
        ("the label is not a number ", 600, lambda t: "AlgorithmError: " + t),
        ("x", 3000, lambda t: ("AlgorithmError: " + t)[:1024]),
        ("ValueError: bad ", 40, lambda t: t),  # already names its error
    ],
)
def test_a_failed_job_reports_its_output_failure_file(tmp_path, reason, size, expected):
    """SageMaker's FailureReason is the first 1024 characters of /opt/ml/output/failure, which
    the built-in algorithms (and the training toolkit) write; longer than a log line's 300."""
    script = tmp_path / "fail.py"
    script.write_text(WRITES_A_FAILURE)
    t = _tuner(
        tmp_path,
        max_jobs=1,
        static_hyperparameters={"reason": reason, "size": size},
        metric_definitions=[{"Name": "score", "Regex": r"score=(\S+)"}],
    )
    with pytest.raises(UnexpectedStatusException):
        t.fit([sys.executable, str(script)], job_name="ff")
    (job,) = t.store.training_jobs("ff")
    text = (reason * size)[:size].strip()
    assert job["status"] == "Failed"
    assert job["failure_reason"] == expected(text)

"""Retries (max_retry_attempts): signal deaths and start failures are retried, code errors are not."""

import sys
import textwrap

import pytest

import amtune
from amtune.config.loader import ConfigError, parse_config
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.tuning.tuner import HyperparameterTuner

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}
MD = [{"Name": "loss", "Regex": r"loss=(\S+)"}]

SCRIPT = textwrap.dedent("""
    import argparse, os, signal, sys
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    p.add_argument("--mode")
    p.add_argument("--dir")
    a = p.parse_args()
    marker = os.path.join(a.dir, os.environ["SM_TRAINING_JOB_NAME"])
    n = len(open(marker).read()) if os.path.exists(marker) else 0
    with open(marker, "a") as f:
        f.write("x")
    if a.mode == "die-once" and n == 0 or a.mode == "always-die":
        os.kill(os.getpid(), signal.SIGKILL)
    if a.mode == "exit":
        sys.exit(4)
    print(f"loss={a.x}")
""")


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "train.py"
    p.write_text(SCRIPT)
    return [sys.executable, str(p)]


def _tuner(tmp_path, mode, retries, max_jobs=2):
    return HyperparameterTuner(
        "loss",
        X,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=max_jobs,
        random_seed=1,
        quiet=True,
        db=tmp_path / "a.db",
        metric_definitions=MD,
        max_retry_attempts=retries,
        static_hyperparameters={"mode": mode, "dir": str(tmp_path)},
    )


def test_a_command_killed_by_a_signal_is_retried_with_the_same_hyperparameters(tmp_path, script):
    t = _tuner(tmp_path, "die-once", 2)
    t.fit(script, job_name="once")
    rows = t.store.training_jobs("once")
    assert [r["status"] for r in rows] == ["Completed", "Completed"]
    assert [r["attempts"] for r in rows] == [2, 2]
    df = t.analytics()
    assert df["Attempts"].tolist() == [2, 2]
    for r in rows:
        att = t.store.attempts("once", r["seq"])
        assert [a["status"] for a in att] == ["Failed", "Completed"]
        assert "killed by SIGKILL" in att[0]["failure_reason"] and att[0]["retryable"] == 1
        with open(r["job_dir"] + "/train.log") as f:
            log = f.read()
        x = repr(r["hyperparameters"]["x"])
        assert log.count(f"--x {x}") == 2  # both attempts ran the same configuration
        assert r["final_objective"] == pytest.approx(r["hyperparameters"]["x"])
    assert t.describe()["TrainingJobStatusCounters"]["Completed"] == 2


def test_retries_are_bounded_and_the_last_failure_is_retryable(tmp_path, script):
    t = _tuner(tmp_path, "always-die", 2, max_jobs=1)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(script, job_name="always")
    (r,) = t.store.training_jobs("always")
    assert r["status"] == "Failed" and r["attempts"] == 3 and r["retryable"] == 1
    assert [a["attempt"] for a in t.store.attempts("always", 1)] == [1, 2, 3]
    assert t.describe()["TrainingJobStatusCounters"]["RetryableError"] == 1


def test_a_non_zero_exit_is_a_failed_job_and_never_retried(tmp_path, script):
    t = _tuner(tmp_path, "exit", 5, max_jobs=1)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(script, job_name="exit")
    (r,) = t.store.training_jobs("exit")
    assert r["status"] == "Failed" and r["attempts"] == 1 and r["retryable"] == 0
    assert "exited with code 4" in r["failure_reason"]
    assert t.describe()["TrainingJobStatusCounters"]["NonRetryableError"] == 1


def test_a_command_that_cannot_start_is_retried(tmp_path):
    t = HyperparameterTuner(
        "loss",
        X,
        strategy="Random",
        max_jobs=1,
        random_seed=1,
        quiet=True,
        db=tmp_path / "a.db",
        metric_definitions=MD,
        max_retry_attempts=2,
    )
    # an executable whose interpreter is missing passes the up-front check, then fails to start
    prog = tmp_path / "train"
    prog.write_text("#!/nonexistent/interpreter\n")
    prog.chmod(0o755)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit([str(prog)], job_name="nostart")
    (r,) = t.store.training_jobs("nostart")
    assert r["status"] == "Failed" and r["attempts"] == 3
    assert all("command not found" in a["failure_reason"] for a in t.store.attempts("nostart", 1))


def test_without_retries_a_signal_death_fails_the_job(tmp_path, script):
    t = _tuner(tmp_path, "die-once", 0, max_jobs=1)
    with pytest.raises(UnexpectedStatusException, match=r"Error for Tuning job .*: Failed"):
        t.fit(script, job_name="noretry")
    (r,) = t.store.training_jobs("noretry")
    assert r["status"] == "Failed" and r["attempts"] == 1 and "SIGKILL" in r["failure_reason"]


@pytest.mark.parametrize("bad", [-1, 31, 2.0, True])
def test_max_retry_attempts_is_validated(tmp_path, bad):
    with pytest.raises(ValueError, match="max_retry_attempts: must be an integer from 0 to 30"):
        HyperparameterTuner(
            "loss", X, strategy="Random", max_retry_attempts=bad, db=tmp_path / "a.db"
        )


def test_retries_from_both_config_shapes(tmp_path, sagemaker_request):
    doc = {
        "objective": {"metric": "loss"},
        "command": "python t.py",
        "strategy": "Random",
        "metric_definitions": MD,
        "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
        "max_retry_attempts": 3,
    }
    assert parse_config(doc, tmp_path).tuner_kwargs["max_retry_attempts"] == 3
    with pytest.raises(ConfigError, match="max_retry_attempts: must be an integer from 0 to 30"):
        parse_config({**doc, "max_retry_attempts": 31}, tmp_path)
    sm = sagemaker_request(
        regex=MD[0]["Regex"], tjd={"RetryStrategy": {"MaximumRetryAttempts": 30}}
    )
    assert parse_config(sm, tmp_path).tuner_kwargs["max_retry_attempts"] == 30
    sm["TrainingJobDefinition"]["RetryStrategy"] = {"MaximumRetryAttempts": 31}
    with pytest.raises(
        ConfigError,
        match=r"TrainingJobDefinition\.RetryStrategy\.MaximumRetryAttempts: "
        "must be an integer from 0 to 30",
    ):
        parse_config(sm, tmp_path)

"""Friction a SageMaker user met on first contact (issue 11), each checked from the outside."""

import pytest

from amtune.cli import main
from amtune.store import Store


def test_a_store_that_cannot_be_created_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    bad = tmp_path / "file" / "amtune.db"
    with pytest.raises(ValueError, match=r"db: cannot create the store .*file/amtune.db: a parent"):
        Store(bad)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "objective: {metric: loss, type: Minimize}\n"
        "hyperparameters: {x: {type: Continuous, min: 0, max: 1}}\n"
        "metric_definitions: [{Name: loss, Regex: 'loss=([0-9.]+)'}]\n"
        "command: [python, -c, 'print(1)']\n"
    )
    assert main(["run", str(cfg), "--db", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the store" in err and "Traceback" not in err


def test_two_stores_in_one_directory_keep_their_job_folders_apart(tmp_path):
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        assert a.jobs_root != b.jobs_root
    with Store(tmp_path / "amtune.db") as d:
        assert d.jobs_root == tmp_path / "amtune-jobs"  # the default store keeps its folder


def _cmd_tuner(tmp_path, script_text, regex, **kw):
    import sys

    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    script = tmp_path / "train.py"
    script.write_text(script_text)
    return HyperparameterTuner(
        [sys.executable, str(script)],
        "validation:rmse",
        {"x": amtune.ContinuousParameter(0, 1)},
        [{"Name": "validation:rmse", "Regex": regex}],
        "Random",
        "Minimize",
        db=tmp_path / "amtune.db",
        **kw,
    )


def test_a_tuning_job_whose_objective_never_matched_says_why(tmp_path, capsys):
    from amtune import UnexpectedStatusException

    # the job prints 120 lines, none in the form the regex expects (a typo in the metric name)
    text = "for i in range(120):\n    print(f'[{i}]\\ttrain-rmse:0.5\\tvalid-rmse:0.25')\n"
    t = _cmd_tuner(
        tmp_path, text, r".*\[[0-9]+\].*#011validation-rmse:([0-9.]+)", max_jobs=2, quiet=True
    )
    with pytest.raises(UnexpectedStatusException) as e:
        t.fit(job_name="silent")
    msg = str(e.value)
    assert "0 failed, 2 never emitted the objective metric" in msg and "'validation:rmse'" in msg
    assert "#011validation-rmse" in msg  # the regex
    assert "last output: [115]" in msg and "[119]" in msg  # the job's last lines
    # and a warning while it ran (once for the tuning job, and in each job's log)
    err = capsys.readouterr().err
    assert err.count("printed 100 lines and none matched the objective metric") == 1
    log = (tmp_path / "amtune-jobs" / "silent").glob("*/train.log")
    assert all("none matched the objective metric" in p.read_text() for p in log)


def test_a_capture_that_is_not_a_number_is_named(tmp_path):
    from amtune import UnexpectedStatusException

    t = _cmd_tuner(
        tmp_path,
        "print('validation-rmse: N/A')\n",
        r"validation-rmse: (\S+)",
        max_jobs=1,
        quiet=True,
    )
    with pytest.raises(UnexpectedStatusException, match="matched but not a number: 'N/A'"):
        t.fit(job_name="nan")


def test_one_line_per_finished_job_when_stdout_is_not_a_terminal(tmp_path, capsys):
    t = _cmd_tuner(
        tmp_path,
        "import sys\nprint('validation-rmse: ' + sys.argv[2])\n",
        r"validation-rmse: (\S+)",
        max_jobs=3,
    )
    t.fit(job_name="lines")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and out[-1].startswith("lines: Completed; best ")
    assert all(" Completed " in line and "validation:rmse 0." in line for line in out[:3])
    assert out[2].endswith("(3/3)")


def _quad(hp, reporter):
    return (hp["x"] - 0.3) ** 2


def test_a_stopped_tuning_job_resumes_up_to_its_limits(tmp_path):
    import threading

    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    def slow(hp, reporter):
        import time

        time.sleep(0.3)
        return (hp["x"] - 0.3) ** 2

    t = HyperparameterTuner(
        slow,
        "loss",
        {"x": amtune.ContinuousParameter(0, 1)},
        objective_type="Minimize",
        strategy="Random",
        max_jobs=6,
        runner="thread",
        quiet=True,
        db=tmp_path / "a.db",
    )
    t.fit(job_name="stopme", wait=False)
    threading.Timer(0.5, t.stop).start()
    t.wait()
    assert t.describe()["HyperParameterTuningJobStatus"] == "Stopped"
    n = len(t.store.training_jobs("stopme"))
    assert n < 6
    again = HyperparameterTuner.resume("stopme", db=tmp_path / "a.db", train=slow, quiet=True)
    d = again.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert len(again.store.training_jobs("stopme")) == 6  # the limit, jobs before the stop kept


def test_an_identical_warm_start_does_not_rerun_its_parents_configurations(tmp_path):
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    def tuner(**kw):
        return HyperparameterTuner(
            _quad,
            "loss",
            {"x": amtune.ContinuousParameter(0, 1), "k": amtune.IntegerParameter(1, 5)},
            objective_type="Minimize",
            strategy="Bayesian",
            max_jobs=3,
            random_seed=0,
            runner="thread",
            quiet=True,
            db=tmp_path / "a.db",
            **kw,
        )

    parent = tuner()
    parent.fit(job_name="parent")
    child = tuner(warm_start_config=amtune.WarmStartConfig("IdenticalDataAndAlgorithm", ["parent"]))
    child.fit(job_name="child")
    seen = {
        tuple(sorted(r["hyperparameters"].items())) for r in parent.store.training_jobs("parent")
    }
    new = [tuple(sorted(r["hyperparameters"].items())) for r in child.store.training_jobs("child")]
    assert len(new) == 3 and not seen.intersection(new)


def test_cli_version_help_logs_and_jobs_columns(tmp_path, capsys):
    import amtune

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"amtune {amtune.__version__}"
    # every option of every subcommand has a help text
    from amtune.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sp in sub.choices.items():
        for action in sp._actions:
            if action.dest != "help":
                assert action.help, f"amtune {name}: {action.dest} has no help"
    t = _cmd_tuner(
        tmp_path,
        "import sys\nfor i in range(4):\n    print('validation-rmse: ' + str(float(sys.argv[2]) / (i + 1)))\n",
        r"validation-rmse: (\S+)",
        max_jobs=3,
        quiet=True,
    )
    t.fit(job_name="clijob")
    db = str(tmp_path / "amtune.db")
    capsys.readouterr()
    assert (
        main(
            [
                "jobs",
                "clijob",
                "--db",
                db,
                "--columns",
                "TrainingJobName,FinalObjectiveValue",
                "--limit",
                "2",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "TrainingJobName,FinalObjectiveValue" and len(lines) == 3
    assert main(["jobs", "clijob", "--db", db, "--columns", "Nope"]) == 2
    assert "--columns: no column 'Nope'" in capsys.readouterr().err
    assert main(["logs", "clijob", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.count("Completed") == 3 and "█" in out and "▁" in out  # a falling curve per job
    job = t.store.training_jobs("clijob")[0]["name"]
    assert main(["logs", "clijob", job, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "validation:rmse: 4 values" in out and "train.log" in out and "exit code 0" in out
    assert main(["describe", "clijob", "--db", db]) == 0
    assert "\n    x = " in capsys.readouterr().out  # the best job's hyperparameters, one per line


def test_a_failure_reason_keeps_the_start_of_a_long_error_line(tmp_path):
    """The error's message starts its line: a long last line (a list of valid names) is cut at
    its end, and earlier lines are dropped first, so the cause stays in FailureReason."""
    valid = ", ".join(f"name_{i}" for i in range(200))
    text = (
        "print('loading data')\n"
        f"raise SystemExit(\"ValueError: hyperparameter 'silent': not a hyperparameter (valid: {valid})\")\n"
    )
    from amtune import UnexpectedStatusException

    t = _cmd_tuner(tmp_path, text, r"rmse: (\S+)", max_jobs=1, quiet=True)
    with pytest.raises(UnexpectedStatusException):
        t.fit(job_name="longerror")
    (reason,) = t.analytics()["FailureReason"]
    assert "ValueError: hyperparameter 'silent': not a hyperparameter (valid: name_0" in reason
    assert len(reason) < 1024  # SageMaker's limit for FailureReason

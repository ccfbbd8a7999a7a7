"""The amtune command, run in-process through amtune.cli.main."""

import csv
import io
import json
import sys
import textwrap

import pytest

from amtune.cli import main

TRAIN = textwrap.dedent("""
    import argparse, os
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float)
    p.add_argument("--depth", type=int)
    p.add_argument("--opt")
    p.add_argument("--epochs", type=int)
    a, _ = p.parse_known_args()
    assert os.path.isdir(os.environ["SM_CHANNEL_TRAIN"])
    for e in range(a.epochs):
        print(f"loss={abs(a.lr - 0.01) + a.depth / 10 + e / 100:.6f}")
""")

REQUEST = {
    "HyperParameterTuningJobName": "cli-sm",
    "HyperParameterTuningJobConfig": {
        "Strategy": "Random",
        "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
        "ParameterRanges": {
            "ContinuousParameterRanges": [
                {"Name": "lr", "MinValue": "0.001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}
            ],
            "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1", "MaxValue": "5"}],
            "CategoricalParameterRanges": [{"Name": "opt", "Values": ["sgd", "adam"]}],
        },
        "RandomSeed": 1,
    },
    "TrainingJobDefinition": {
        "StaticHyperParameters": {"epochs": "2"},
        "AlgorithmSpecification": {
            "MetricDefinitions": [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}],
            "TrainingCommand": [sys.executable, "train.py"],
        },
        "InputDataConfig": [
            {"ChannelName": "train", "DataSource": {"FileDataSource": {"Path": "data"}}}
        ],
        "RoleArn": "arn:aws:iam::1:role/r",
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    },
}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "data").mkdir()
    (tmp_path / "req.json").write_text(json.dumps(REQUEST))
    return tmp_path


def test_run_a_sagemaker_request_then_inspect_it(project, capsys):
    db = str(project / "t.db")
    assert main(["run", str(project / "req.json"), "--db", db, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "RoleArn: no local meaning; ignored" in err
    assert (
        "Tuning job cli-sm: Completed (4 completed" in out and "best training job: cli-sm-" in out
    )

    assert main(["describe", "cli-sm", "--db", db, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 4
    assert (
        d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "loss"
    )
    assert d["TrainingJobDefinition"]["StoppingCondition"] == {"MaxRuntimeInSeconds": 60}

    assert main(["describe", "cli-sm", "--db", db]) == 0
    assert "cli-sm: Completed" in capsys.readouterr().out

    assert (
        main(["jobs", "cli-sm", "--db", db, "--format", "csv", "--sort-by", "FinalObjectiveValue"])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    vals = [float(r["FinalObjectiveValue"]) for r in rows]
    assert len(rows) == 4 and vals == sorted(vals)  # Minimize: best first
    assert rows[0]["TrainingJobName"] == d["BestTrainingJob"]["TrainingJobName"]

    assert main(["jobs", "cli-sm", "--db", db, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["jobs", "cli-sm", "--db", db]) == 0
    assert "TrainingJobName" in capsys.readouterr().out

    assert main(["list", "--db", db]) == 0
    assert "cli-sm" in capsys.readouterr().out
    assert main(["list", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["HyperParameterTuningJobName"] == "cli-sm"

    # the same name again is refused; resume of a finished job is refused
    assert main(["run", str(project / "req.json"), "--db", db, "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["resume", "cli-sm", "--db", db, "--quiet"]) == 2
    assert "already ended" in capsys.readouterr().err


def test_a_bad_config_exits_2_with_one_error_and_writes_nothing(project, capsys):
    bad = json.loads(json.dumps(REQUEST))
    bad["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = -1
    (project / "bad.json").write_text(json.dumps(bad))
    db = project / "t.db"
    assert main(["run", str(project / "bad.json"), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "amtune: error: HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: "
        "must be an integer >= 1, got -1"
    ]
    assert not db.exists()


def test_an_amtune_yaml_config_and_a_failed_tuning_job(project, capsys):
    (project / "job.yaml").write_text(
        textwrap.dedent(f"""
        objective: {{metric: loss, type: Minimize}}
        strategy: Random
        max_jobs: 2
        hyperparameters:
          lr: {{type: Continuous, min: 0.001, max: 0.1}}
          depth: {{type: Integer, min: 1, max: 3}}
        static_hyperparameters: {{epochs: 1}}
        metric_definitions: [{{Name: loss, Regex: "nomatch=([0-9.]+)"}}]
        command: [{sys.executable}, train.py]
        channels: {{train: data}}
    """)
    )
    db = str(project / "t.db")
    assert (
        main(["run", str(project / "job.yaml"), "--db", db, "--name", "yaml-job", "--quiet"]) == 1
    )
    out = capsys.readouterr().out
    assert "yaml-job: Failed" in out and "No training job succeeded" in out


def test_unknown_job_and_missing_store(project, capsys):
    db = str(project / "t.db")
    assert main(["describe", "nope", "--db", db]) == 1
    assert "no store" in capsys.readouterr().err
    main(["run", str(project / "req.json"), "--db", db, "--quiet"])
    capsys.readouterr()
    assert main(["describe", "nope", "--db", db]) == 1
    assert "no tuning job named 'nope'" in capsys.readouterr().err


def test_stop_a_job_whose_driver_is_gone(project, capsys):
    from amtune.store import Store

    db = project / "t.db"
    st = Store(db)
    st.create_tuning_job("orphan", {}, 1.0)
    with st.transaction():
        st.insert_training_job("orphan", 1, "orphan-001", {}, 1.0)
        st.update_tuning_job("orphan", driver_pid=2**22 + 12345, driver_host="elsewhere")
    st.close()
    assert main(["stop", "orphan", "--db", str(db)]) == 0
    assert "orphan: Stopped" in capsys.readouterr().out
    st = Store(db)
    assert st.get_tuning_job("orphan")["status"] == "Stopped"
    assert st.training_jobs("orphan")[0]["status"] == "Stopped"
    st.close()


SLOW = textwrap.dedent("""
    import argparse, time
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    a, _ = p.parse_known_args()
    for e in range(600):
        print(f"loss={a.x + 1 / (e + 1):.6f}", flush=True)
        time.sleep(0.1)
""")


def test_ctrl_c_on_run_stops_the_job_and_keeps_every_result(tmp_path):
    import signal
    import subprocess
    import time

    from amtune.store import Store

    (tmp_path / "slow.py").write_text(SLOW)
    (tmp_path / "job.yaml").write_text(
        textwrap.dedent(f"""
        name: interrupted
        objective: {{metric: loss, type: Minimize}}
        strategy: Random
        max_jobs: 10
        max_parallel_jobs: 2
        hyperparameters: {{x: {{type: Continuous, min: 0, max: 1}}}}
        metric_definitions: [{{Name: loss, Regex: "loss=([0-9.]+)"}}]
        command: [{sys.executable}, slow.py]
    """)
    )
    db = tmp_path / "t.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "amtune.cli", "run", "job.yaml", "--db", str(db), "--quiet"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell without job control starts background commands with SIGINT ignored, and Python
        # keeps it ignored: give the driver the default disposition, as a terminal would
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for _ in range(600):  # until both running jobs have stored a metric
            if db.exists():
                st = Store(db)
                seqs = {m["seq"] for m in st.metrics("interrupted")}
                st.close()
                if len(seqs) == 2:
                    break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Tuning job interrupted: Stopped" in err
    st = Store(db)
    assert st.get_tuning_job("interrupted")["status"] == "Stopped"
    rows = st.training_jobs("interrupted")
    series = {}
    for m in st.metrics("interrupted"):
        series.setdefault(m["seq"], []).append(m["value"])
    st.close()
    assert len(rows) == 2
    for r in rows:  # a stopped job: series kept, its last emission is its final objective
        assert r["status"] == "Stopped" and r["objective_status"] == "Succeeded"
        assert r["final_objective"] == series[r["seq"]][-1]
    # a Stopped job is not a dead end (issue 11): resume accepts it and goes on with new jobs
    from amtune.tuning.tuner import HyperparameterTuner

    t = HyperparameterTuner.resume("interrupted", db=db, wait=False, quiet=True)
    deadline = time.time() + 20
    while len(t.store.training_jobs("interrupted")) < 3 and time.time() < deadline:
        time.sleep(0.05)
    t.stop()
    t.wait()
    assert len(t.store.training_jobs("interrupted")) >= 3  # the 2 stopped ones kept, more ran


def test_python_dash_m_amtune_runs_the_command(tmp_path):
    # `python -m amtune` is the `amtune` command where only PYTHONPATH is set (no console script)
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run(
        [sys.executable, "-m", "amtune", "list", "--db", str(tmp_path / "none.db")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert r.returncode == 1 and "amtune: error: no store at" in r.stderr  # the CLI's own answer
    r = subprocess.run(
        [sys.executable, "-m", "amtune", "--help"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0 and "usage: amtune" in r.stdout

"""Estimators and single training jobs, run on AWS-example-style scripts from the Python API."""

import json
import os
import sys
from pathlib import Path

import pytest
from aws_examples import (
    CONFIG_FILES_SCRIPT,
    FEATURES,
    SKLEARN_METRICS,
    XGBOOST_METRICS,
    write_sklearn_example,
    write_xgboost_example,
)

import amtune
from amtune.sagemaker.estimator import Estimator, HuggingFace, PyTorch, SKLearn, TensorFlow, XGBoost
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.inputs import TrainingInput


def test_sklearn_estimator_runs_one_training_job_like_the_notebook(tmp_path, capsys):
    ch = write_sklearn_example(tmp_path)
    est = SKLearn(
        entry_point="script.py",
        source_dir=str(tmp_path),
        framework_version="1.2-1",
        instance_type="ml.m5.large",
        role="arn:aws:iam::111122223333:role/SageMakerRole",
        hyperparameters={
            "n-estimators": 20,
            "features": FEATURES,
            "target": "target",
            "verbosity": "2",
        },
        metric_definitions=SKLEARN_METRICS,
        db=tmp_path / "amtune.db",
    )
    err = capsys.readouterr().err
    assert err.count("amtune: notice:") == 1  # one notice for all ignored arguments
    assert "framework_version" in err and "instance_type" in err and "role" in err
    # the SDK JSON-encodes a framework estimator's hyperparameters
    assert est.hyperparameters()["target"] == '"target"'
    assert est.hyperparameters()["verbosity"] == '"2"'
    est.fit(
        {"train": str(ch["train"]), "test": str(ch["test"])},
        job_name="rf-one",
        experiment_config={"ExperimentName": "e", "TrialName": "t"},
    )
    captured = capsys.readouterr()
    assert "AE-at-50th-percentile:" in captured.out  # logs=True prints the job's output
    assert "experiment_config: SageMaker Experiments are not run locally" in captured.err
    d = est.describe()
    assert d["TrainingJobName"] == "rf-one" and d["TrainingJobStatus"] == "Completed"
    metrics = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert set(metrics) == {"median-AE", "AE-90"} and 0 < metrics["median-AE"] < metrics["AE-90"]
    hp = d["HyperParameters"]
    assert hp["target"] == '"target"' and json.loads(hp["sagemaker_program"]) == "script.py"
    model_dir = d["ModelArtifacts"]["S3ModelArtifacts"]
    assert est.model_data == model_dir and os.path.exists(os.path.join(model_dir, "model.joblib"))
    with open(os.path.join(model_dir, "args.json")) as f:
        args = json.load(f)
    assert args["target"] == "target" and args["features"] == FEATURES and args["verbosity"] == 2
    assert d["TrainingEndTime"] >= d["TrainingStartTime"]
    # kept in the store: a second estimator (or `amtune describe`) reads it back
    from amtune.sagemaker.training import describe_training_job

    with amtune.store.Store(tmp_path / "amtune.db") as st:
        assert describe_training_job(st, "rf-one")["TrainingJobStatus"] == "Completed"


def test_a_failed_training_job_raises_the_sdks_exception_with_the_reason(tmp_path):
    (tmp_path / "bad.py").write_text("import sys\nprint('oops')\nsys.exit(3)\n")
    est = SKLearn("bad.py", source_dir=str(tmp_path), db=tmp_path / "a.db", notices=False)
    with pytest.raises(
        UnexpectedStatusException,
        match=r"Error for Training job .*: Failed. Reason: AlgorithmError.*code 3.*oops",
    ):
        est.fit(logs=False)
    assert est.describe()["TrainingJobStatus"] == "Failed"


def test_fit_wait_false_returns_at_once_and_wait_blocks(tmp_path):
    (tmp_path / "slow.py").write_text("import time\ntime.sleep(0.5)\nprint('loss=0.25')\n")
    est = Estimator(
        entry_point="slow.py",
        source_dir=str(tmp_path),
        db=tmp_path / "a.db",
        metric_definitions=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}],
    )
    est.fit(wait=False, logs=False, job_name="bg")
    assert est.describe()["TrainingJobStatus"] == "InProgress"
    est.wait()
    d = est.latest_training_job.describe()
    assert d["TrainingJobStatus"] == "Completed"
    assert d["FinalMetricDataList"][0]["Value"] == 0.25


def test_xgboost_script_mode_with_the_images_regexes_and_single_file_channels(tmp_path):
    pytest.importorskip("xgboost")
    ch = write_xgboost_example(tmp_path)
    est = XGBoost(
        entry_point="train.py",
        framework_version="1.7-1",
        source_dir=str(tmp_path),
        hyperparameters={
            "max_depth": 3,
            "eta": 0.3,
            "objective": "reg:squarederror",
            "num_round": 8,
            "verbosity": 0,
        },
        metric_definitions=XGBOOST_METRICS,
        db=tmp_path / "a.db",
        notices=False,
    )
    est.fit(
        {
            "train": TrainingInput(str(ch["train"]), content_type="text/csv"),
            "validation": "file://" + str(ch["validation"]),
        },
        logs=False,
    )
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    m = {x["MetricName"]: x["Value"] for x in d["FinalMetricDataList"]}
    # the final values are those of the last round, read from the raw (TAB-separated) log
    log = (tmp_path / "a-jobs" / "_training" / d["TrainingJobName"] / "train.log").read_text()
    last = next(x for x in log.splitlines() if x.startswith("[7]\t"))
    fields = dict(f.split(":") for f in last.split("\t")[1:])
    assert m == {
        "train:rmse": float(fields["train-rmse"]),
        "validation:rmse": float(fields["validation-rmse"]),
    }
    assert d["InputDataConfig"][0]["ContentType"] == "text/csv"


def test_a_script_reading_the_config_files(tmp_path):
    (tmp_path / "cfg.py").write_text(CONFIG_FILES_SCRIPT)
    (tmp_path / "d.csv").write_text("1\n")
    est = PyTorch(
        entry_point="cfg.py",
        source_dir=str(tmp_path),
        framework_version="2.1",
        py_version="py310",
        hyperparameters={"alpha": 0.5, "name": "a b"},
        metric_definitions=[{"Name": "score", "Regex": r"score: ([0-9.]+)"}],
        db=tmp_path / "a.db",
        notices=False,
    )
    est.fit({"train": str(tmp_path / "d.csv")}, logs=False)
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    assert d["FinalMetricDataList"][0]["Value"] == pytest.approx(0.96)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"train": "s3://bucket/prefix"}, r"inputs\['train'\]: S3 data is not available locally"),
        ({"train": "no/such/dir"}, r"inputs\['train'\]: the channel's data must exist"),
        (42, "inputs: must be a path"),
    ],
)
def test_bad_inputs_are_errors_naming_the_channel(tmp_path, inputs, message):
    (tmp_path / "t.py").write_text("pass\n")
    est = SKLearn("t.py", source_dir=str(tmp_path), db=tmp_path / "a.db", notices=False)
    with pytest.raises((ValueError, TypeError), match=message):
        est.fit(inputs)
    assert est.latest_training_job is None


def test_constructor_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"unexpected argument.*instance_typ\b"):
        SKLearn("t.py", instance_typ="ml.m5.large")
    with pytest.raises(ValueError, match="entry_point: must be a local file"):
        SKLearn("s3://bucket/t.py")
    est = SKLearn("missing.py", source_dir=str(tmp_path), db=tmp_path / "a.db", notices=False)
    with pytest.raises(ValueError, match="entry_point: no such file"):
        est.fit()
    gen = Estimator(
        image_uri="123.dkr.ecr.us-east-1.amazonaws.com/my-algo:latest",
        notices=False,
        db=tmp_path / "a.db",
        hyperparameters={"lr": 0.1, "name": "x"},
    )
    assert gen.hyperparameters() == {"lr": "0.1", "name": "x"}  # str(), as the SDK does
    with pytest.raises(ValueError, match=r"nothing to run: give entry_point .* or command"):
        gen.fit()
    # TensorFlow and HuggingFace take the SDK's arguments (entry_point by keyword / second)
    TensorFlow(entry_point="t.py", framework_version="2.13", py_version="py310", notices=False)
    HuggingFace("py310", "t.py", transformers_version="4.28", pytorch_version="2.0", notices=False)


def test_a_generic_estimator_runs_a_command(tmp_path):
    (tmp_path / "algo.py").write_text(
        "import sys\nprint('args', sys.argv[1:])\nprint('val_loss=' + sys.argv[sys.argv.index('--lr') + 1])\n"
    )
    est = Estimator(
        image_uri="my-algo:1",
        command=[sys.executable, "algo.py"],
        source_dir=None,
        hyperparameters={"lr": 0.125},
        db=tmp_path / "a.db",
        metric_definitions=[{"Name": "val_loss", "Regex": r"val_loss=([0-9.]+)"}],
    )
    os.chdir(tmp_path)
    est.fit(logs=False)
    d = est.describe()
    assert d["TrainingJobName"].startswith("my-algo-") and d["TrainingJobStatus"] == "Completed"
    assert d["FinalMetricDataList"][0]["Value"] == 0.125


def test_tensorflow_passes_model_dir_as_the_sdk_does(tmp_path):
    """The SDK's TensorFlow estimator passes --model_dir; locally it is the job's model
    directory (a script that saves there is deployable), or a local model_dir given."""
    import amtune

    (tmp_path / "tf_train.py").write_text(
        "import argparse, os\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--model_dir', required=True)\n"
        "a, _ = p.parse_known_args()\n"
        "os.makedirs(a.model_dir, exist_ok=True)\n"
        "open(os.path.join(a.model_dir, 'saved.txt'), 'w').write('ok')\n"
        "print('loss: 1.0')\n"
    )
    est = amtune.TensorFlow(
        entry_point="tf_train.py", source_dir=str(tmp_path), framework_version="2.14",
        py_version="py310", db=tmp_path / "amtune.db", notices=False,
    )  # fmt: skip
    assert json.loads(est.hyperparameters()["model_dir"]) == "/opt/ml/model"
    est.fit(job_name="tf-job", logs=False)
    model = Path(est.describe()["ModelArtifacts"]["S3ModelArtifacts"])
    assert (model / "saved.txt").read_text() == "ok"
    mine = tmp_path / "ckpt"
    est2 = amtune.TensorFlow(
        entry_point="tf_train.py", source_dir=str(tmp_path), model_dir=str(mine),
        db=tmp_path / "amtune.db", notices=False,
    )  # fmt: skip
    est2.fit(job_name="tf-job-2", logs=False)
    assert (mine / "saved.txt").read_text() == "ok"


def test_container_entry_point_is_the_command_of_a_custom_image(tmp_path):
    import amtune

    (tmp_path / "entry.py").write_text(
        "import sys\nprint('args:', ' '.join(sys.argv[1:]))\nprint('loss: 2.5')\n"
    )
    est = amtune.Estimator(
        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1",
        container_entry_point=[sys.executable, str(tmp_path / "entry.py")],
        container_arguments=["--epochs", "3"],
        metric_definitions=[{"Name": "loss", "Regex": r"loss: (\S+)"}],
        db=tmp_path / "amtune.db", notices=False,
    )  # fmt: skip
    est.fit(job_name="entry", logs=False)
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed"
    assert [m["Value"] for m in d["FinalMetricDataList"]] == [2.5]
    with pytest.raises(ValueError, match="container_arguments: needs container_entry_point"):
        amtune.Estimator(image_uri="x:1", container_arguments=["--a"], notices=False)

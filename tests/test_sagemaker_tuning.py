"""The SDK's tuner call, verbatim, on AWS-example-style estimators and scripts (Python API)."""

import json
import os
import sys

import pytest
from aws_examples import (
    FEATURES,
    SKLEARN_METRICS,
    XGBOOST_METRICS,
    write_sklearn_example,
    write_xgboost_example,
)

import amtune
from amtune import HyperparameterTuner, IntegerParameter, SKLearn, UnexpectedStatusException


def _sklearn(tmp_path, **kw):
    return SKLearn(
        entry_point="script.py",
        source_dir=str(tmp_path),
        framework_version="1.2-1",
        instance_type="ml.m5.large",
        role="SageMakerRole",
        hyperparameters={"n-estimators": 100, "features": FEATURES, "target": "target"},
        metric_definitions=SKLEARN_METRICS,
        db=tmp_path / "amtune.db",
        notices=False,
        **kw,
    )


def test_the_notebook_estimator_fit_then_tuner_fit(tmp_path):
    ch = write_sklearn_example(tmp_path)
    inputs = {"train": str(ch["train"]), "test": str(ch["test"])}
    est = _sklearn(tmp_path)
    est.fit(inputs, logs=False)  # the documented prerequisite: one training job first
    assert est.describe()["TrainingJobStatus"] == "Completed"
    tuner = HyperparameterTuner(
        est,
        "median-AE",
        {"n-estimators": IntegerParameter(20, 100), "min-samples-leaf": IntegerParameter(1, 6)},
        metric_definitions=SKLEARN_METRICS,
        objective_type="Minimize",
        max_jobs=4,
        max_parallel_jobs=2,
        random_seed=0,
        quiet=True,
    )
    # the estimator's hyperparameters are the static ones, minus the tuned ones, JSON-encoded
    static = tuner.space.static
    assert "n-estimators" not in static and static["target"] == '"target"'
    assert static["sagemaker_estimator_class_name"] == '"SKLearn"'
    tuner.fit(inputs, job_name="rf-tune")
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 4
    best = tuner.best_training_job()
    df = tuner.analytics().dataframe()
    assert len(df) == 4 and best in set(df["TrainingJobName"])
    assert df["FinalObjectiveValue"].min() == pytest.approx(
        d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    )
    # each job's strict parse_args() got decoded values and no sagemaker_* argument
    for row in tuner.store.training_jobs("rf-tune"):
        with open(os.path.join(row["job_dir"], "model", "args.json")) as f:
            args = json.load(f)
        assert args["n_estimators"] == row["hyperparameters"]["n-estimators"]
        assert args["target"] == "target" and args["features"] == FEATURES
    again = HyperparameterTuner.attach("rf-tune", db=tmp_path / "amtune.db")
    assert again.best_training_job() == best


def test_xgboost_script_mode_tuning_with_the_images_regexes(tmp_path):
    pytest.importorskip("xgboost")
    ch = write_xgboost_example(tmp_path)
    est = amtune.XGBoost(
        entry_point="train.py",
        framework_version="1.7-1",
        source_dir=str(tmp_path),
        hyperparameters={
            "max_depth": 3,
            "eta": 0.3,
            "objective": "reg:squarederror",
            "num_round": 6,
            "verbosity": 0,
        },
        metric_definitions=XGBOOST_METRICS,
        db=tmp_path / "amtune.db",
        notices=False,
    )
    tuner = HyperparameterTuner(
        est,
        "validation:rmse",
        {"eta": amtune.ContinuousParameter(0.05, 0.5), "max_depth": IntegerParameter(2, 5)},
        objective_type="Minimize",
        max_jobs=3,
        max_parallel_jobs=1,
        random_seed=1,
        quiet=True,
    )
    assert tuner.metric_definitions == XGBOOST_METRICS  # the estimator's, as in the SDK
    # single files as channels (what upload_data returns)
    tuner.fit({"train": str(ch["train"]), "validation": str(ch["validation"])}, job_name="xgb")
    d = tuner.describe()
    assert d["ObjectiveStatusCounters"]["Succeeded"] == 3, d.get("FailureReason")
    series = tuner.metrics()
    assert sum(m["name"] == "validation:rmse" for m in series) == 3 * 6  # one per round


def test_a_script_mode_xgboost_estimator_has_the_images_metric_definitions(tmp_path):
    # AWS's spot-training notebook tunes XGBoost(entry_point=...) on "validation:rmse" with no
    # metric definitions: SageMaker applies the XGBoost image's predefined ones
    pytest.importorskip("xgboost")
    from amtune.builtin.algorithms import predefined_metric_definitions

    ch = write_xgboost_example(tmp_path)
    est = amtune.XGBoost(
        entry_point="train.py",
        framework_version="1.7-1",
        source_dir=str(tmp_path),
        hyperparameters={"objective": "reg:squarederror", "num_round": 4, "verbosity": 0},
        db=tmp_path / "amtune.db",
        notices=False,
    )
    assert est.metric_definitions == predefined_metric_definitions("xgboost")
    tuner = HyperparameterTuner(
        est,
        "validation:rmse",
        {"eta": amtune.ContinuousParameter(0.05, 0.5)},
        objective_type="Minimize",
        max_jobs=2,
        random_seed=1,
        quiet=True,
    )
    tuner.fit({"train": str(ch["train"]), "validation": str(ch["validation"])}, job_name="xgb-pre")
    assert tuner.describe()["ObjectiveStatusCounters"]["Succeeded"] == 2


def test_wait_false_returns_at_once_and_a_failed_tuning_job_raises(tmp_path):
    write_sklearn_example(tmp_path)
    est = _sklearn(tmp_path)
    est.set_hyperparameters(target="no-such-column")
    tuner = HyperparameterTuner(
        est,
        "median-AE",
        {"n-estimators": IntegerParameter(5, 10)},
        objective_type="Minimize",
        max_jobs=2,
        max_parallel_jobs=2,
        quiet=True,
    )
    tuner.fit(
        {"train": str(tmp_path / "data" / "train"), "test": str(tmp_path / "data" / "test")},
        job_name="bad",
        wait=False,
    )
    with pytest.raises(
        UnexpectedStatusException, match=r"Error for Tuning job bad: Failed\. Reason: .*KeyError"
    ):
        tuner.wait()


def test_the_earlier_forms_keep_working(tmp_path):
    def train(hp, reporter):
        return -((hp["x"] - 0.5) ** 2)

    # (objective, ranges) with the code given to fit
    t = HyperparameterTuner(
        "score",
        {"x": amtune.ContinuousParameter(0, 1)},
        max_jobs=3,
        strategy="Random",
        runner="thread",
        quiet=True,
        db=tmp_path / "a.db",
    )
    t.fit(train, job_name="old")
    # a command as the SDK's estimator argument, channels by fit(inputs)
    (tmp_path / "d").mkdir()
    script = tmp_path / "s.py"
    script.write_text(
        "import os, sys\nassert os.listdir(os.environ['SM_CHANNEL_TRAIN']) == []\n"
        "print('score=' + sys.argv[sys.argv.index('--x') + 1])\n"
    )
    t2 = HyperparameterTuner(
        [sys.executable, str(script)],
        "score",
        {"x": amtune.ContinuousParameter(0, 1)},
        [{"Name": "score", "Regex": r"score=([0-9.]+)"}],
        "Random",
        max_jobs=2,
        quiet=True,
        db=tmp_path / "a.db",
    )
    t2.fit({"train": str(tmp_path / "d")}, job_name="cmd")
    assert t2.describe()["ObjectiveStatusCounters"]["Succeeded"] == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"channels": {"train": "no/such/dir"}},
            ValueError,
            r"channels.train: the channel's data must exist",
        ),
        ({"autotune": True}, ValueError, "autotune: not supported"),
    ],
)
def test_tuner_arguments_are_checked_at_construction(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        HyperparameterTuner(
            "score", {"x": amtune.ContinuousParameter(0, 1)}, db=tmp_path / "a.db", **kwargs
        )


def test_a_framework_estimators_categorical_strings_reach_the_script_unchanged(tmp_path):
    # the SDK JSON-encodes a framework estimator's categorical values ('"true"'), so a string
    # that looks like JSON ("true", "1e-3") reaches the script as that string
    (tmp_path / "s.py").write_text(
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--flag', type=str)\n"
        "p.add_argument('--lr', type=str)\na = p.parse_args()\n"
        "assert a.flag in ('true', 'false') and a.lr in ('1e-3', '0.1'), vars(a)\n"
        "print('score: 1')\n"
    )
    est = amtune.PyTorch(
        entry_point="s.py",
        source_dir=str(tmp_path),
        db=tmp_path / "a.db",
        metric_definitions=[{"Name": "score", "Regex": r"score: (\d)"}],
        notices=False,
    )
    tuner = HyperparameterTuner(
        est,
        "score",
        {
            "flag": amtune.CategoricalParameter(["true", "false"]),
            "lr": amtune.CategoricalParameter(["1e-3", "0.1"]),
        },
        strategy="Grid",
        max_parallel_jobs=2,
        quiet=True,
    )
    tuner.fit(job_name="cats")
    assert tuner.describe()["ObjectiveStatusCounters"]["Succeeded"] == 4

"""Tuning jobs on built-in algorithms: predefined metrics, early stopping, Hyperband, errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from builtin_helpers import classification, regression, write_csv

import amtune
from amtune.builtin import BuiltinTuner, HyperparameterError

pytest.importorskip("xgboost")
# SageMaker's XGBoost regexes are written against CloudWatch's rendering ("#011" for a TAB); the
# metric parser matches that rendering once amtune.sagemaker.cloudwatch is in (issue 11).
try:
    _RENDERING = importlib.util.find_spec("amtune.sagemaker.cloudwatch") is not None
except ModuleNotFoundError:
    _RENDERING = False
pytestmark = pytest.mark.skipif(
    not _RENDERING,
    reason="needs the CloudWatch-rendered metric matching of amtune.sagemaker.cloudwatch",
)


@pytest.fixture(scope="module")
def binary_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("binary")
    X, y = classification(600, seed=4)
    write_csv(root / "train" / "train.csv", X[:400], y[:400])
    write_csv(root / "validation" / "validation.csv", X[400:500], y[400:500])
    write_csv(root / "test" / "test.csv", X[500:], y[500:])
    return {k: str(root / k) for k in ("train", "validation", "test")}


def _db(tmp_path: Path) -> str:
    return str(tmp_path / "amtune.db")


def test_xgboost_tuning_job_with_early_stopping(
    tmp_path: Path, binary_data: dict[str, str]
) -> None:
    tuner = BuiltinTuner(
        "xgboost",
        "validation:auc",
        {"eta": amtune.ContinuousParameter(0.05, 0.5), "max_depth": amtune.IntegerParameter(1, 6)},
        static_hyperparameters={"objective": "binary:logistic", "num_round": 30},
        channels={"train": binary_data["train"], "validation": binary_data["validation"]},
        max_jobs=4,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        random_seed=0,
        quiet=True,
        db=_db(tmp_path),
    )
    tuner.fit(job_name="xgb-auc")
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed", d
    assert (
        d["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["Type"] == "Maximize"
    )
    best = d["BestTrainingJob"]
    assert 0.5 < best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1.0
    assert len(tuner.analytics()) == 4
    series = tuner.metrics(best["TrainingJobName"])
    names = {m["name"] for m in series}
    assert {"validation:auc", "train:auc"} <= names  # added by _tuning_objective_metric
    assert sum(m["name"] == "validation:auc" for m in series) >= 2  # one per round
    # the best model through its own inference module: evaluate and transform
    import numpy as np
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score

    from amtune.cli import main

    name = best["TrainingJobName"]
    model_dir = Path(tuner.store.jobs_root) / "xgb-auc" / name / "model"
    booster = xgb.Booster()
    booster.load_model(bytearray((model_dir / "xgboost-model").read_bytes()))
    test = np.loadtxt(Path(binary_data["test"]) / "test.csv", delimiter=",")
    want = roc_auc_score(test[:, 0], booster.predict(xgb.DMatrix(test[:, 1:])))
    db = _db(tmp_path)
    assert (
        main(["evaluate", name, "--test", binary_data["test"], "--metric", "auc", "--db", db]) == 0
    )
    stored = tuner.store.metrics("xgb-auc", None, "evaluation:auc")
    assert stored[-1]["value"] == pytest.approx(want, abs=1e-9)
    np.savetxt(tmp_path / "features.csv", test[:, 1:], delimiter=",")
    out = tmp_path / "pred"
    assert (
        main(
            [
                "transform",
                name,
                "--input",
                str(tmp_path / "features.csv"),
                "--output",
                str(out),
                "--db",
                db,
            ]
        )
        == 0
    )
    np.testing.assert_allclose(
        np.loadtxt(out / "features.csv.out"), booster.predict(xgb.DMatrix(test[:, 1:])), rtol=1e-6
    )


def test_xgboost_hyperband_uses_num_round(tmp_path: Path, binary_data: dict[str, str]) -> None:
    tuner = BuiltinTuner(
        "xgboost",
        "validation:logloss",
        {"eta": amtune.ContinuousParameter(0.01, 0.5, "Logarithmic")},
        static_hyperparameters={"objective": "binary:logistic", "num_round": 27},
        channels={"train": binary_data["train"], "validation": binary_data["validation"]},
        strategy="Hyperband",
        max_jobs=6,
        max_parallel_jobs=2,
        random_seed=1,
        quiet=True,
        db=_db(tmp_path),
    )
    assert tuner.strategy_config["max_resource"] == 27
    tuner.fit(job_name="xgb-hb")
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert (
        d["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["Type"] == "Minimize"
    )


def test_linear_learner_and_knn_tuning_jobs(tmp_path: Path, binary_data: dict[str, str]) -> None:
    ll = BuiltinTuner(
        "linear-learner",
        "validation:binary_classification_accuracy",
        {"learning_rate": amtune.ContinuousParameter(1e-3, 0.5)},
        static_hyperparameters={"predictor_type": "binary_classifier", "epochs": 5},
        channels=binary_data,
        max_jobs=2,
        max_parallel_jobs=2,
        random_seed=0,
        quiet=True,
        db=_db(tmp_path),
    )
    ll.fit(job_name="ll")
    assert ll.describe()["HyperParameterTuningJobStatus"] == "Completed"
    knn = BuiltinTuner(
        "knn",
        "test:accuracy",
        {"k": amtune.IntegerParameter(1, 30)},
        static_hyperparameters={
            "predictor_type": "classifier",
            "feature_dim": 5,
            "sample_size": 400,
        },
        channels={"train": binary_data["train"], "test": binary_data["test"]},
        max_jobs=3,
        max_parallel_jobs=2,
        random_seed=0,
        quiet=True,
        db=_db(tmp_path),
    )
    knn.fit(job_name="knn")
    d = knn.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 3


def test_a_failing_job_does_not_stop_the_tuning_job(
    tmp_path: Path, binary_data: dict[str, str]
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "b.csv").write_text("1,2,3,4,5,6\n0,1,2\n")
    tuner = BuiltinTuner(
        "xgboost",
        "train:rmse",
        {"eta": amtune.ContinuousParameter(0.1, 0.5)},
        channels={"train": str(bad)},
        max_jobs=2,
        quiet=True,
        db=_db(tmp_path),
    )
    try:
        tuner.fit(job_name="bad-data", wait=True)
    except Exception as exc:  # with the SDK's behaviour: a Failed tuning job raises
        assert type(exc).__name__ == "UnexpectedStatusException", exc
        assert "malformed row" in str(exc)
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert d["TrainingJobStatusCounters"]["NonRetryableError"] == 2
    reason = tuner.store.training_jobs("bad-data")[0]["failure_reason"]
    assert "b.csv, line 2: malformed row: 3 columns, but line 1 has 6" in reason


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (
            {"objective_metric_name": "validation:accuracy", "algorithm_name": "knn"},
            ValueError,
            "it emits: test:accuracy, test:mse",
        ),
        (
            {"static_hyperparameters": {"gamma": -1}},
            HyperparameterError,
            r"'gamma': must be a number >= 0, got -1",
        ),
        (
            {"hyperparameter_ranges": {"etta": amtune.ContinuousParameter(0.1, 0.2)}},
            HyperparameterError,
            "'etta'.*not a hyperparameter of xgboost",
        ),
        (
            {"hyperparameter_ranges": {"subsample": amtune.ContinuousParameter(0.5, 2.0)}},
            HyperparameterError,
            r"subsample.*must be a number in \(0, 1\]",
        ),
        (
            {"metric_definitions": [{"Name": "x", "Regex": "x=(.*)"}]},
            ValueError,
            "emits its predefined metrics",
        ),
        ({"channels": {"validation": "."}}, ValueError, "needs a 'train' channel"),
    ],
)
def test_config_errors_before_any_job(tmp_path: Path, kwargs: dict, exc: type, match: str) -> None:
    args = {
        "algorithm_name": "xgboost",
        "objective_metric_name": "validation:rmse",
        "channels": {"train": "."},
        "db": _db(tmp_path),
        **kwargs,
    }
    with pytest.raises(exc, match=match):
        BuiltinTuner(**args)
    assert not (tmp_path / "amtune.db").exists()


def test_regression_recommended_ranges_quick_start(tmp_path: Path) -> None:
    X, y = regression(300)
    write_csv(tmp_path / "tr" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "va" / "v.csv", X[200:], y[200:])
    tuner = BuiltinTuner(
        "xgboost",
        "validation:rmse",
        channels={"train": tmp_path / "tr", "validation": tmp_path / "va"},
        static_hyperparameters={"num_round": 10},
        max_jobs=2,
        max_parallel_jobs=2,
        random_seed=0,
        quiet=True,
        db=_db(tmp_path),
    )
    tuner.fit(job_name="quick")
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert set(d["BestTrainingJob"]["TunedHyperParameters"]) == {
        "alpha",
        "eta",
        "max_depth",
        "min_child_weight",
        "subsample",
    }

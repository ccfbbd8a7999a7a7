"""Linear Learner and k-NN: metrics by SageMaker's names, results against scikit-learn, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builtin_helpers import classification, regression, run_inprocess, write_csv

from amtune.builtin import algorithm
from amtune.builtin import knn as knn_mod
from amtune.builtin import linear_learner as ll_mod


def _emitted(out: str, algo: str) -> dict[str, list[float]]:
    """Every predefined metric's emissions, matched as the tuner's parser matches them."""
    defs = algorithm(algo).metric_definitions()
    got: dict[str, list[float]] = {}
    for line in out.splitlines():
        for d in defs:
            m = re.search(d["Regex"], line)
            if m:
                got.setdefault(d["Name"], []).append(float(m.group(1)))
    return got


def _split(tmp: Path, X: np.ndarray, y: np.ndarray, parts: dict[str, slice]) -> dict[str, Path]:
    out = {}
    for name, sl in parts.items():
        write_csv(tmp / name / f"{name}.csv", X[sl], y[sl])
        out[name] = tmp / name
    return out


def test_linear_learner_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(900, 4))
    y = (X @ np.array([1.5, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=900) > 0).astype(float)
    ch = _split(
        tmp_path,
        X,
        y,
        {"train": slice(0, 600), "validation": slice(600, 750), "test": slice(750, 900)},
    )
    hps = {"predictor_type": "binary_classifier", "epochs": "10", "mini_batch_size": "64"}
    assert run_inprocess(ll_mod.train, hps, ch, tmp_path / "job") == 0
    out = capsys.readouterr().out
    got = _emitted(out, "linear-learner")
    assert len(got["validation:objective_loss"]) >= 3  # one per epoch
    assert len(got["train:objective_loss"]) == len(got["validation:objective_loss"])
    assert got["validation:objective_loss"][-1] < got["validation:objective_loss"][0]
    for name in (
        "test:binary_classification_accuracy",
        "validation:binary_classification_accuracy",
        "test:roc_auc_score",
        "test:binary_f_beta",
        "test:precision",
        "test:recall",
        "test:objective_loss",
        "validation:objective_loss:final",
    ):
        assert len(got[name]) == 1, name
    from sklearn.linear_model import LogisticRegression

    ref = LogisticRegression().fit(X[:600], y[:600]).score(X[750:], y[750:])
    assert got["test:binary_classification_accuracy"][0] >= ref - 0.03
    assert (tmp_path / "job" / "model" / "linear-learner-model.npz").is_file()


def test_linear_learner_regression_and_multiclass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = regression(800)
    ch = _split(tmp_path / "r", X, y, {"train": slice(0, 600), "test": slice(600, 800)})
    assert (
        run_inprocess(
            ll_mod.train,
            {"predictor_type": "regressor", "epochs": 20, "mini_batch_size": 50},
            ch,
            tmp_path / "j1",
        )
        == 0
    )
    got = _emitted(capsys.readouterr().out, "linear-learner")
    from sklearn.linear_model import LinearRegression

    ref = np.mean((LinearRegression().fit(X[:600], y[:600]).predict(X[600:]) - y[600:]) ** 2)
    assert got["test:mse"][0] == pytest.approx(ref, rel=0.1)
    rng = np.random.default_rng(1)
    Xm = rng.normal(size=(600, 3))
    ym = np.digitize(Xm[:, 0] + Xm[:, 1], [-0.7, 0.7]).astype(float)
    ch = _split(tmp_path / "m", Xm, ym, {"train": slice(0, 400), "validation": slice(400, 600)})
    hps = {
        "predictor_type": "multiclass_classifier",
        "num_classes": 3,
        "epochs": 15,
        "mini_batch_size": 32,
    }
    assert run_inprocess(ll_mod.train, hps, ch, tmp_path / "j2") == 0
    got = _emitted(capsys.readouterr().out, "linear-learner")
    assert got["validation:multiclass_accuracy"][0] > 0.8
    assert 0 < got["validation:dcg"][0] <= 1
    assert got["validation:multiclass_top_k_accuracy"][0] == 1.0  # top 3 of 3 classes


@pytest.mark.parametrize(
    ("hps", "content", "match"),
    [
        ({"predictor_type": "binary_classifier"}, "2,1,1\n", r"row 1: label 2\.0 must be 0 or 1"),
        ({"predictor_type": "multiclass_classifier"}, "1,1,1\n", "'num_classes': required"),
        (
            {"predictor_type": "regressor", "loss": "logistic"},
            "1,1,1\n",
            "'loss': 'logistic' does not apply to predictor_type 'regressor'",
        ),
        (
            {"predictor_type": "regressor", "feature_dim": 5},
            "1,1,1\n",
            "'feature_dim': 5 does not match the 2 feature columns",
        ),
        ({"predictor_type": "regressor"}, "1,,1\n", "line 1: column 2 is empty"),
        ({"predictor_type": "regressor"}, "1 0:1\n", "libsvm data is not supported"),
    ],
)
def test_linear_learner_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hps: dict, content: str, match: str
) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "t").write_text(content)
    assert run_inprocess(ll_mod.train, hps, {"train": tmp_path / "train"}, tmp_path / "job") == 1
    assert re.search(match, capsys.readouterr().err)


@pytest.mark.parametrize("metric", ["L2", "COSINE", "INNER_PRODUCT"])
def test_knn_classifier_matches_scikit_learn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], metric: str
) -> None:
    X, y = classification(700, d=4, seed=5)
    ch = _split(tmp_path, X, y, {"train": slice(0, 500), "test": slice(500, 700)})
    hps = {
        "feature_dim": 4,
        "k": 7,
        "predictor_type": "classifier",
        "sample_size": 1000,
        "index_metric": metric,
    }
    assert run_inprocess(knn_mod.train, hps, ch, tmp_path / "job") == 0
    out = capsys.readouterr().out
    got = _emitted(out, "knn")
    assert list(got) == ["test:accuracy"]
    assert re.search(r"#test_score \(algo-1\) : \('accuracy', [0-9.]+\)", out)
    if metric != "INNER_PRODUCT":
        from sklearn.neighbors import KNeighborsClassifier

        ref = KNeighborsClassifier(
            7, algorithm="brute", metric="euclidean" if metric == "L2" else "cosine"
        )
        want = ref.fit(X[:500], y[:500]).score(X[500:], y[500:])
        assert got["test:accuracy"][0] == pytest.approx(want, abs=1e-12)


def test_knn_regressor_sample_and_reduction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = regression(600, d=6)
    ch = _split(tmp_path, X, y, {"train": slice(0, 500), "test": slice(500, 600)})
    hps = {
        "feature_dim": 6,
        "k": 5,
        "predictor_type": "regressor",
        "sample_size": 300,
        "dimension_reduction_type": "fjlt",
        "dimension_reduction_target": 4,
    }
    assert run_inprocess(knn_mod.train, hps, ch, tmp_path / "job") == 0
    got = _emitted(capsys.readouterr().out, "knn")
    assert list(got) == ["test:mse"] and got["test:mse"][0] < np.var(y[500:])
    model = knn_mod.KnnModel.load(tmp_path / "job" / "model" / "knn-model.npz")
    assert model.X.shape == (300, 4)
    hps["dimension_reduction_target"] = 6
    assert run_inprocess(knn_mod.train, hps, ch, tmp_path / "job2") == 1
    assert (
        "'dimension_reduction_target': must be less than feature_dim=6" in capsys.readouterr().err
    )


def test_a_command_tuning_job_on_a_builtin_gets_the_tuning_objective(tmp_path: Path) -> None:
    import amtune

    X, y = classification(300, d=4, seed=6)
    ch = _split(tmp_path, X, y, {"train": slice(0, 200), "test": slice(200, 300)})
    algo = algorithm("knn")
    tuner = amtune.HyperparameterTuner(
        "test:accuracy",
        {"k": amtune.IntegerParameter(1, 15)},
        "Maximize",
        algo.metric_definitions(),
        strategy="Random",
        max_jobs=2,
        max_parallel_jobs=2,
        static_hyperparameters={
            "feature_dim": 4,
            "predictor_type": "classifier",
            "sample_size": 200,
        },
        channels={k: str(v) for k, v in ch.items()},
        quiet=True,
        db=str(tmp_path / "a.db"),
    )
    tuner.fit(algo.command, job_name="knn-cmd")
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert (
        d["TrainingJobDefinition"]["StaticHyperParameters"]["_tuning_objective_metric"]
        == "test:accuracy"
    )
    assert 0.5 < d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1
    bad = amtune.HyperparameterTuner(
        "validation:accuracy",
        {"k": amtune.IntegerParameter(1, 15)},
        "Maximize",
        [{"Name": "validation:accuracy", "Regex": "x=(.*)"}],
        quiet=True,
        db=str(tmp_path / "a.db"),
    )
    with pytest.raises(
        ValueError,
        match="not emitted by the built-in k-NN algorithm; it emits: test:accuracy, test:mse",
    ):
        bad.fit(algo.command, job_name="bad")

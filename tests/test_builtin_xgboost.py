"""The built-in XGBoost algorithm: same metrics as a direct ``xgboost.train``, data rules, model."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builtin_helpers import (
    classification,
    logged_metrics,
    regression,
    run_inprocess,
    run_program,
    write_csv,
    write_libsvm,
)

xgb = pytest.importorskip("xgboost")

from amtune.builtin.xgboost import train  # noqa: E402

MODULE = "amtune.builtin.xgboost"


def _direct(
    params: dict, X: np.ndarray, y: np.ndarray, Xv: np.ndarray, yv: np.ndarray, rounds: int, **kw
) -> dict:
    dtrain = xgb.DMatrix(X, label=y)
    dval = xgb.DMatrix(Xv, label=yv)
    result: dict = {}
    xgb.train(
        params,
        dtrain,
        rounds,
        evals=[(dtrain, "train"), (dval, "validation")],
        evals_result=result,
        verbose_eval=False,
        **kw,
    )
    return {f"{data}-{m}": v for data, ms in result.items() for m, v in ms.items()}


@pytest.mark.parametrize("fmt", ["csv", "libsvm"])
def test_metrics_match_a_direct_xgboost_train(tmp_path: Path, fmt: str) -> None:
    X, y = classification(500, seed=1)
    Xt, yt, Xv, yv = X[:350], y[:350], X[350:], y[350:]
    if fmt == "csv":
        write_csv(tmp_path / "train" / "part-0.csv", Xt, yt)
        write_csv(tmp_path / "validation" / "v.csv", Xv, yv)
    else:
        write_libsvm(tmp_path / "train" / "train.libsvm", Xt, yt)
        write_libsvm(tmp_path / "validation" / "v.libsvm", Xv, yv)
    hps = {
        "num_round": "12",
        "eta": "0.2",
        "max_depth": "3",
        "subsample": "0.8",
        "objective": "binary:logistic",
        "eval_metric": "auc,logloss",
        "seed": "7",
    }
    res = run_program(
        MODULE,
        hps,
        {"train": tmp_path / "train", "validation": tmp_path / "validation"},
        tmp_path / "job",
    )
    assert res.returncode == 0, res.stderr
    got = logged_metrics(res.stdout)
    want = _direct(
        {
            "eta": 0.2,
            "max_depth": 3,
            "subsample": 0.8,
            "objective": "binary:logistic",
            "eval_metric": ["auc", "logloss"],
            "seed": 7,
        },
        Xt,
        yt,
        Xv,
        yv,
        12,
    )
    assert (
        set(got)
        == set(want)
        == {"train-auc", "train-logloss", "validation-auc", "validation-logloss"}
    )
    for k in want:
        assert len(got[k]) == 12
        np.testing.assert_allclose(got[k], want[k], rtol=0, atol=1e-6)
    booster = xgb.Booster()
    booster.load_model(bytearray((tmp_path / "job" / "model" / "xgboost-model").read_bytes()))
    assert booster.num_boosted_rounds() == 12


def test_regression_defaults_and_tuning_objective_metric(tmp_path: Path) -> None:
    X, y = regression(400)
    write_csv(tmp_path / "train.csv", X[:300], y[:300])  # a single-file channel
    write_csv(tmp_path / "val" / "v.csv", X[300:], y[300:])
    hps = {"num_round": 8, "max_depth": 4, "_tuning_objective_metric": "validation:mae"}
    res = run_program(
        MODULE,
        hps,
        {"train": tmp_path / "train.csv", "validation": tmp_path / "val"},
        tmp_path / "job",
    )
    assert res.returncode == 0, res.stderr
    got = logged_metrics(res.stdout)
    # the tuning objective's metric replaces the default (as eval_metric), as SageMaker does
    want = _direct({"max_depth": 4, "eval_metric": ["mae"]}, X[:300], y[:300], X[300:], y[300:], 8)
    assert set(got) == {"train-mae", "validation-mae"}
    np.testing.assert_allclose(got["validation-mae"], want["validation-mae"], atol=1e-6)


def test_sagemaker_only_metrics_accuracy_f1_mse(tmp_path: Path) -> None:
    X, y = classification(300, seed=2)
    write_csv(tmp_path / "t" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "v" / "v.csv", X[200:], y[200:])
    hps = {"num_round": 3, "objective": "binary:logistic", "eval_metric": "accuracy,f1,mse,error"}
    res = run_program(
        MODULE, hps, {"train": tmp_path / "t", "validation": tmp_path / "v"}, tmp_path / "job"
    )
    assert res.returncode == 0, res.stderr
    got = logged_metrics(res.stdout)
    booster = xgb.train(
        {"objective": "binary:logistic", "eval_metric": ["error"]},
        xgb.DMatrix(X[:200], label=y[:200]),
        3,
    )
    p = booster.predict(xgb.DMatrix(X[200:]))
    assert got["validation-accuracy"][-1] == pytest.approx(np.mean((p > 0.5) == y[200:]), abs=1e-6)
    assert got["validation-error"][-1] == pytest.approx(
        1 - got["validation-accuracy"][-1], abs=1e-6
    )
    assert got["validation-mse"][-1] == pytest.approx(np.mean((p - y[200:]) ** 2), abs=1e-6)
    from sklearn.metrics import f1_score

    assert got["validation-f1"][-1] == pytest.approx(f1_score(y[200:], p > 0.5), abs=1e-6)


def test_multiclass_and_early_stopping(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = np.digitize(X[:, 0], [-0.5, 0.5]).astype(float)
    write_csv(tmp_path / "t" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "v" / "v.csv", X[200:], y[200:])
    hps = {
        "num_round": 200,
        "objective": "multi:softprob",
        "num_class": 3,
        "eval_metric": "mlogloss,merror",
        "early_stopping_rounds": 3,
        "eta": 0.9,
    }
    res = run_program(
        MODULE, hps, {"train": tmp_path / "t", "validation": tmp_path / "v"}, tmp_path / "job"
    )
    assert res.returncode == 0, res.stderr
    got = logged_metrics(res.stdout)
    assert 3 < len(got["validation-merror"]) < 200  # stopped early


BAD_CASES = [
    # (file name, content, extra hyperparameters, expected message part)
    ("t.csv", "1,2,3\n0,1\n", {}, r"t\.csv, line 2: malformed row: 2 columns, but line 1 has 3"),
    (
        "t.csv",
        "1,2,3\nyes,1,2\n",
        {},
        r"t\.csv, line 2: the label \(column 1\) is not a number: 'yes'",
    ),
    (
        "t.csv",
        "label,a,b\n1,2,3\n",
        {},
        r"line 1: the label \(column 1\) is not a number: 'label' \(CSV channels have no header row\)",
    ),
    ("t.csv", "1,2,x\n", {}, r"t\.csv, line 1: column 3 is not a number: 'x'"),
    # pandas >= 2 writes get_dummies' bool columns as True/False, which pandas' own reader takes
    # for 1/0 and SageMaker's XGBoost for 0 (notebook sweep 13): refused, saying so
    (
        "t.csv",
        "0,66,3\n1,70,True\n",
        {},
        r"t\.csv, line 2: column 3 is not a number: 'True' \(a boolean: write it as 1/0",
    ),
    (
        "t.csv",
        "False,66,3\n",
        {},
        r"line 1: the label \(column 1\) is not a number: 'False' \(a boolean",
    ),
    ("t.libsvm", "1 0:1 3:2\n0 -1:2\n", {}, r"t\.libsvm, line 2: feature index -1 is out of range"),
    (
        "t.libsvm",
        "1 0:1 3:2\n0 a:2\n",
        {},
        r"t\.libsvm, line 2: feature index 'a' is not an integer",
    ),
    ("t.libsvm", "1 0:1 3:2\n0 1:2 1:3\n", {}, r"line 2: feature index 1 appears twice"),
    (
        "t.csv",
        "2,1,1\n",
        {"objective": "binary:logistic"},
        r"row 1: label 2\.0 must be in \[0, 1\]",
    ),
    (
        "t.csv",
        "1,1,1\n",
        {"eta": "2"},
        r"hyperparameter 'eta': must be a number in \[0, 1\], got '2'",
    ),
    ("t.csv", "1,1,1\n", {"objective": "multi:softmax"}, "hyperparameter 'num_class': required"),
]


@pytest.mark.parametrize(("fname", "content", "extra", "match"), BAD_CASES)
def test_bad_input_fails_with_file_line_and_rule(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fname: str,
    content: str,
    extra: dict,
    match: str,
) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / fname).write_text(content)
    code = run_inprocess(
        train, {"num_round": "2", **extra}, {"train": tmp_path / "train"}, tmp_path / "job"
    )
    assert code == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("AlgorithmError: ")
    assert re.search(match, last), last
    assert (tmp_path / "job" / "output" / "failure").read_text().strip() == last[
        len("AlgorithmError: ") :
    ]
    assert "Traceback" not in err


def test_a_failed_job_exits_1_with_the_reason_last(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "t.csv").write_text("1,2,3\n0,1\n")
    res = run_program(MODULE, {"num_round": "2"}, {"train": tmp_path / "train"}, tmp_path / "job")
    assert res.returncode == 1
    assert re.search(
        r"^AlgorithmError: channel 'train': .*t\.csv, line 2: malformed row",
        res.stderr.strip().splitlines()[-1],
    )


def test_validation_index_beyond_the_train_features_and_empty_channels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(channels: dict, job: str) -> str:
        assert run_inprocess(train, {"num_round": 2}, channels, tmp_path / job) == 1
        return capsys.readouterr().err

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.libsvm").write_text("1 0:1 2:2\n0 1:1\n")
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "b.libsvm").write_text("1 0:1\n0 7:1\n")
    err = run({"train": tmp_path / "t", "validation": tmp_path / "v"}, "j1")
    assert (
        "b.libsvm, line 2: feature index 7 is out of range: the train channel has 3 features" in err
    )
    (tmp_path / "empty").mkdir()
    assert "channel 'train': empty channel: no data files" in run(
        {"train": tmp_path / "empty"}, "j2"
    )
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "x.csv").write_text("\n\n")
    assert "channel 'train': empty channel: no records" in run({"train": tmp_path / "blank"}, "j3")
    assert "channel 'train': required" in run({}, "j4")

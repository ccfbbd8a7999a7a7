"""Inference modules of the built-in algorithms, ``amtune transform`` and ``amtune evaluate``."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from builtin_helpers import classification, regression, run_inprocess, write_csv

from amtune.builtin import knn as knn_mod
from amtune.builtin import knn_inference, linear_learner_inference, xgboost_inference
from amtune.builtin import linear_learner as ll_mod
from amtune.builtin.inference_io import BadRequest
from amtune.cli import main


def _serve(
    module, model_dir: Path, body: str, content_type: str = "text/csv", accept: str = "text/csv"
):
    model = module.model_fn(str(model_dir))
    return module.output_fn(module.predict_fn(module.input_fn(body, content_type), model), accept)


def test_xgboost_inference_matches_the_booster(tmp_path: Path) -> None:
    xgb = pytest.importorskip("xgboost")
    from amtune.builtin.xgboost import save_model

    X, y = classification(200, seed=1)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3}, xgb.DMatrix(X, label=y), 10
    )
    save_model(booster, tmp_path)
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in X[:7])
    out, ctype = _serve(xgboost_inference, tmp_path, body)
    assert ctype == "text/csv"
    np.testing.assert_allclose(
        [float(v) for v in out.split()], booster.predict(xgb.DMatrix(X[:7])), rtol=1e-6
    )
    js, ctype = _serve(
        xgboost_inference,
        tmp_path,
        json.dumps({"instances": [{"features": list(X[0])}]}),
        "application/json",
        "application/json",
    )
    assert ctype == "application/json" and json.loads(js)["predictions"][0][
        "score"
    ] == pytest.approx(float(out.split()[0]))
    libsvm = " ".join(f"{j}:{float(v)!r}" for j, v in enumerate(X[0]))
    assert float(_serve(xgboost_inference, tmp_path, libsvm, "text/libsvm")[0]) == pytest.approx(
        float(out.split()[0]), rel=1e-6
    )
    with pytest.raises(BadRequest, match="records have 3 features, the model was trained on 5"):
        _serve(xgboost_inference, tmp_path, "1,2,3")
    # one value fewer is the image's rule too (a model trained on 1-based LibSVM data has an
    # unused feature 0); XGBoost reads the columns by position (nbcheck16 F2)
    four = _serve(xgboost_inference, tmp_path, ",".join(map(repr, X[0, :4].tolist())))[0]
    assert float(four) == pytest.approx(float(booster.predict(xgb.DMatrix(X[:1, :4]))[0]), rel=1e-6)
    with pytest.raises(BadRequest, match="record 2: column 2 is not a number: 'x'"):
        _serve(xgboost_inference, tmp_path, "1,2,3,4,5\n1,x,3,4,5")
    with pytest.raises(BadRequest, match="feature index 9 is out of range"):
        _serve(xgboost_inference, tmp_path, "0:1 9:1", "text/libsvm")


def test_linear_learner_and_knn_inference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = classification(400, d=4, seed=2)
    write_csv(tmp_path / "train" / "t.csv", X, y)
    hps = {"predictor_type": "binary_classifier", "epochs": 5, "mini_batch_size": 50}
    assert run_inprocess(ll_mod.train, hps, {"train": tmp_path / "train"}, tmp_path / "ll") == 0
    body = "\n".join(",".join(repr(float(v)) for v in r) for r in X[:5])
    js, ctype = _serve(
        linear_learner_inference, tmp_path / "ll" / "model", body, accept="application/json"
    )
    preds = json.loads(js)["predictions"]
    assert ctype == "application/json" and len(preds) == 5
    assert all(set(p) == {"score", "predicted_label"} and 0 <= p["score"] <= 1 for p in preds)
    hps = {"feature_dim": 4, "k": 3, "predictor_type": "classifier", "sample_size": 400}
    assert run_inprocess(knn_mod.train, hps, {"train": tmp_path / "train"}, tmp_path / "knn") == 0
    out, _ = _serve(knn_inference, tmp_path / "knn" / "model", body)
    from sklearn.neighbors import KNeighborsClassifier

    want = KNeighborsClassifier(3, algorithm="brute").fit(X, y).predict(X[:5])
    assert [float(v) for v in out.split()] == list(want)
    capsys.readouterr()


SCRIPT = textwrap.dedent(
    """
    import os, shutil, numpy as np
    d = os.environ["SM_CHANNEL_TRAIN"]
    data = np.loadtxt(os.path.join(d, os.listdir(d)[0]), delimiter=",", ndmin=2)
    w, *_ = np.linalg.lstsq(np.c_[data[:, 1:], np.ones(len(data))], data[:, 0], rcond=None)
    model = os.environ["SM_MODEL_DIR"]
    np.save(os.path.join(model, "w.npy"), w)
    os.makedirs(os.path.join(model, "code"), exist_ok=True)
    shutil.copy(os.environ["INFERENCE_SRC"], os.path.join(model, "code", "inference.py"))
    print("train:rmse=%r" % float(np.sqrt(np.mean((np.c_[data[:, 1:], np.ones(len(data))] @ w - data[:, 0]) ** 2))))
    """
)
INFERENCE = textwrap.dedent(
    """
    import os, numpy as np
    def model_fn(model_dir):
        return np.load(os.path.join(model_dir, "w.npy"))
    def input_fn(body, content_type):
        assert content_type == "text/csv", content_type
        return np.loadtxt(body.splitlines(), delimiter=",", ndmin=2)
    def predict_fn(data, w):
        return np.c_[data, np.ones(len(data))] @ w
    def output_fn(prediction, accept):
        return "".join(f"{float(v)!r}\\n" for v in prediction), "text/csv"
    """
)


def test_script_mode_transform_and_evaluate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import amtune

    X, y = regression(300)
    write_csv(tmp_path / "train" / "t.csv", X[:200], y[:200])
    write_csv(tmp_path / "test" / "t.csv", X[200:], y[200:])
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "inference.py").write_text(INFERENCE)
    db = str(tmp_path / "a.db")
    tuner = amtune.HyperparameterTuner(
        "train:rmse",
        {"x": amtune.IntegerParameter(1, 2)},
        "Minimize",
        [{"Name": "train:rmse", "Regex": r"train:rmse=([0-9.e+-]+)"}],
        strategy="Grid",
        max_jobs=1,
        channels={"train": str(tmp_path / "train")},
        env={"INFERENCE_SRC": str(tmp_path / "inference.py")},
        quiet=True,
        db=db,
    )
    tuner.fit([sys.executable, str(tmp_path / "train.py")], job_name="lsq")
    job = tuner.best_training_job()
    assert job is not None
    # transform: features only, one answer per record, files mirrored with .out
    inp = tmp_path / "new"
    inp.mkdir()
    np.savetxt(inp / "a.csv", X[200:250], delimiter=",")
    (inp / "sub").mkdir()
    np.savetxt(inp / "sub" / "b.csv", X[250:], delimiter=",")
    assert (
        main(
            [
                "transform",
                job,
                "--input",
                str(inp),
                "--output",
                str(tmp_path / "out"),
                "--db",
                db,
                "--max-records",
                "7",
            ]
        )
        == 0
    )
    a = np.loadtxt(tmp_path / "out" / "a.csv.out")
    b = np.loadtxt(tmp_path / "out" / "sub" / "b.csv.out")
    w = np.load(tuner.store.jobs_root / "lsq" / job / "model" / "w.npy")
    np.testing.assert_allclose(np.r_[a, b], np.c_[X[200:], np.ones(100)] @ w)
    assert "Transformed 100 records of 2 file(s)" in capsys.readouterr().out
    # evaluate: the labelled test channel; the result is stored with the training job
    assert (
        main(
            [
                "evaluate",
                job,
                "--test",
                str(tmp_path / "test"),
                "--metric",
                "rmse",
                "--db",
                db,
                "--json",
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["MetricName"] == "evaluation:rmse" and printed["Records"] == 100
    stored = tuner.store.metrics("lsq", None, "evaluation:rmse")
    want = float(np.sqrt(np.mean((np.c_[X[200:], np.ones(100)] @ w - y[200:]) ** 2)))
    assert len(stored) == 1 and stored[0]["value"] == pytest.approx(want)
    history = json.loads(
        (tuner.store.jobs_root / "lsq" / job / "output" / "evaluations.json").read_text()
    )
    assert history[0]["MetricName"] == "evaluation:rmse" and history[0]["Records"] == 100
    # errors: an unknown job, a metric the CLI does not know
    assert (
        main(["evaluate", "nope", "--test", str(tmp_path / "test"), "--metric", "rmse", "--db", db])
        == 1
    )
    with pytest.raises(SystemExit):
        main(["evaluate", job, "--test", str(tmp_path / "test"), "--metric", "bogus", "--db", db])


def test_builtin_inference_modules_behind_the_endpoint_handler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from amtune.serve.handler import Handler

    X, y = classification(200, d=3, seed=4)
    write_csv(tmp_path / "train" / "t.csv", X, y)
    hps = {"feature_dim": 3, "k": 5, "predictor_type": "classifier", "sample_size": 200}
    assert run_inprocess(knn_mod.train, hps, {"train": tmp_path / "train"}, tmp_path / "knn") == 0
    capsys.readouterr()
    h = Handler.load(tmp_path / "knn" / "model", "amtune.builtin.knn_inference")
    r = h.invoke(b"0.1,0.2,0.3\n1,2,3\n", content_type="text/csv")
    assert r.status == 200 and r.content_type == "application/json"
    assert len(json.loads(r.body)["predictions"]) == 2
    bad = h.invoke(b"1,2\n", content_type="text/csv")
    assert (
        bad.status == 400
        and "records have 2 features, the model was trained on 3" in bad.body.decode()
    )

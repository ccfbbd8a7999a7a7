"""The built-in algorithms' model servers answer as SageMaker's containers do: the XGBoost image's
default accept type, model files and content types (``algorithm_mode/serve.py``,
``serve_utils.py``), the status codes of refused requests, and batch transform finding a framework
estimator's entry point as endpoints do."""

from __future__ import annotations

import json
import os
import pickle
import textwrap
from pathlib import Path

import numpy as np
import pytest

from amtune.builtin import knn_inference, linear_learner_inference
from amtune.builtin.inference_io import NotAcceptable, UnsupportedMediaType
from amtune.serve.handler import DEFAULT_ACCEPT_ENV, Handler

xgb = pytest.importorskip("xgboost")

XGB_MODULE = "amtune.builtin.xgboost_inference"
ROWS = b"0.1,0.2,0.3\n0.9,0.2,0.3"


def _booster(objective: str = "binary:logistic") -> object:
    rng = np.random.default_rng(0)
    X = rng.random((60, 3))
    if objective.startswith("multi"):
        y = np.floor(X[:, 0] * 3)
        params = {"objective": objective, "num_class": 3}
    else:
        y = (X[:, 0] > 0.5).astype(float)
        params = {"objective": objective}
    return xgb.train(params, xgb.DMatrix(X, label=y), 3)


def _model_dir(tmp_path: Path, files: dict[str, bytes]) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    for name, blob in files.items():
        (d / name).write_bytes(blob)
    return d


@pytest.fixture
def ubj(tmp_path: Path) -> Handler:
    b = _booster()
    return Handler.load(
        _model_dir(tmp_path, {"xgboost-model": bytes(b.save_raw("ubj"))}), XGB_MODULE
    )


def _expected(b: object, body: bytes = ROWS) -> list[float]:
    X = np.array([[float(v) for v in line.split(b",")] for line in body.splitlines()])
    return [float(v) for v in b.predict(xgb.DMatrix(X))]  # type: ignore[attr-defined]


# ====================================================================== default accept
@pytest.mark.parametrize("accept", [None, "*/*"])
def test_xgboost_answers_csv_without_accept(ubj: Handler, accept: str | None) -> None:
    r = ubj.invoke(ROWS, "text/csv", accept)
    assert (r.status, r.content_type) == (200, "text/csv")
    values = [float(v) for v in r.body.decode().splitlines()]  # one value per line
    assert values == pytest.approx(_expected(ubj.model))


def test_default_accept_env_still_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEFAULT_ACCEPT_ENV, "application/json")
    b = _booster()
    h = Handler.load(_model_dir(tmp_path, {"xgboost-model": bytes(b.save_raw("ubj"))}), XGB_MODULE)
    r = h.invoke(ROWS, "text/csv")
    assert r.content_type == "application/json"
    assert len(json.loads(r.body)["predictions"]) == 2


def test_linear_learner_and_knn_keep_json_default() -> None:
    assert linear_learner_inference.DEFAULT_ACCEPT == "application/json"
    assert knn_inference.DEFAULT_ACCEPT == "application/json"


def test_xgboost_csv_rows_of_class_probabilities(tmp_path: Path) -> None:
    b = _booster("multi:softprob")
    h = Handler.load(_model_dir(tmp_path, {"xgboost-model": bytes(b.save_raw("ubj"))}), XGB_MODULE)
    r = h.invoke(ROWS, "text/csv")
    lines = r.body.decode().splitlines()
    assert len(lines) == 2 and all(len(line.split(",")) == 3 for line in lines)
    got = np.array([[float(v) for v in line.split(",")] for line in lines])
    assert np.allclose(got, b.predict(xgb.DMatrix(np.array([[0.1, 0.2, 0.3], [0.9, 0.2, 0.3]]))))


# ====================================================================== model files
def test_xgboost_loads_a_pickled_booster(tmp_path: Path) -> None:
    b = _booster()
    h = Handler.load(_model_dir(tmp_path, {"xgboost-model": pickle.dumps(b)}), XGB_MODULE)
    r = h.invoke(ROWS, "text/csv", "text/csv")
    assert r.status == 200
    assert [float(v) for v in r.body.split()] == pytest.approx(_expected(b))


def test_xgboost_loads_the_first_file_of_any_name(tmp_path: Path) -> None:
    b = _booster()
    files = {".DS_Store": b"junk", "DEMO-local-xgboost-model": bytes(b.save_raw("ubj"))}
    d = _model_dir(tmp_path, files)
    (d / "code").mkdir()  # directories are skipped
    h = Handler.load(d, XGB_MODULE)
    assert h.invoke(ROWS, "text/csv").status == 200


def test_xgboost_model_is_preferred_to_other_files(tmp_path: Path) -> None:
    b = _booster()
    d = _model_dir(tmp_path, {"aaa-notes.txt": b"not a model", "xgboost-model": pickle.dumps(b)})
    assert Handler.load(d, XGB_MODULE).invoke(ROWS, "text/csv").status == 200


def test_unloadable_model_names_the_file_and_both_errors(tmp_path: Path) -> None:
    d = _model_dir(tmp_path, {"broken-model": b"garbage, not a model"})
    with pytest.raises(RuntimeError) as e:
        Handler.load(d, XGB_MODULE)
    msg = str(e.value)
    assert str(d / "broken-model") in msg
    assert "Pickle load error=" in msg and "XGB load model error=" in msg
    assert "[bt]" not in msg and "Stack trace" not in msg
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_an_empty_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no model file in"):
        Handler.load(_model_dir(tmp_path, {}), XGB_MODULE)


# ====================================================================== content types
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/x-libsvm", b"0 0:0.1 1:0.2 2:0.3\n1 0:0.9 1:0.2 2:0.3"),
        ("text/libsvm; charset=utf-8", b"0:0.1 1:0.2 2:0.3\n0:0.9 1:0.2 2:0.3"),
        ("libsvm", b"0:0.1 1:0.2 2:0.3\n0:0.9 1:0.2 2:0.3"),
        ("text/csv; charset=utf-8", ROWS),
        ("text/csv; label_size=1", ROWS),
        ("csv", ROWS),
    ],
)
def test_xgboost_content_types(ubj: Handler, content_type: str, body: bytes) -> None:
    r = ubj.invoke(body, content_type)
    assert r.status == 200, r.body
    assert [float(v) for v in r.body.split()] == pytest.approx(_expected(ubj.model))


@pytest.mark.parametrize(
    "content_type, message",
    [
        ("application/x-recordio-protobuf", "does not read RecordIO-protobuf"),
        ("image/png", "is not supported by XGBoost"),
        ("text/csv; label_size=0", "label_size must be 1"),
    ],
)
def test_xgboost_unsupported_content_type_is_415(
    ubj: Handler, content_type: str, message: str
) -> None:
    r = ubj.invoke(ROWS, content_type)
    assert (r.status, r.phrase) == (415, "Unsupported Media Type")
    assert message in r.body.decode()


def test_xgboost_unsupported_accept_is_406(ubj: Handler) -> None:
    r = ubj.invoke(ROWS, "text/csv", "text/html")
    assert (r.status, r.phrase) == (406, "Not Acceptable")


@pytest.mark.parametrize("module", [knn_inference, linear_learner_inference])
def test_linear_learner_and_knn_refuse_with_415_and_406(module: object) -> None:
    with pytest.raises(UnsupportedMediaType) as e:
        module.input_fn(b"1 0:1", "text/libsvm")  # type: ignore[attr-defined]
    assert e.value.status_code == 415
    pred = {"score": np.array([0.5]), "predicted_label": np.array([1.0])}
    with pytest.raises(NotAcceptable) as a:
        module.output_fn(pred, "text/html")  # type: ignore[attr-defined]
    assert a.value.status_code == 406


# ====================================================================== batch transform
ENTRY = textwrap.dedent(
    """
    import argparse, json, os

    class Scaler:
        def __init__(self, k):
            self.k = k
        def predict(self, x):
            return x * self.k

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return Scaler(json.load(f)["scale"])

    if __name__ == "__main__":
        p = argparse.ArgumentParser()
        p.add_argument("--scale", type=float, default=1.0)
        a, _ = p.parse_known_args()
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
            json.dump({"scale": a.scale}, f)
    """
)


def test_transform_serves_a_framework_entry_point_as_deploy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amtune
    from amtune.evaluation.models import find_model
    from amtune.evaluation.transform import transform
    from amtune.store import Store

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(ENTRY)
    db = tmp_path / "amtune.db"
    sk = amtune.SKLearn(
        "train.py", source_dir=str(src), hyperparameters={"scale": 3.0}, db=db, notices=False
    )
    sk.fit(job_name="sk", logs=False)
    data = tmp_path / "in.csv"
    data.write_text("1,2\n3,4\n")
    with Store(db) as store:
        # a training job run on its own does not record its estimator class: as deploy, the
        # entry point serves it when the framework is named
        assert find_model(store, "sk").program is None
        trained = find_model(store, "sk", framework="SKLearn")
        assert trained.program == str((src / "train.py").resolve())
        res = transform(trained, data, tmp_path / "out")
    assert res.records == 2
    assert (tmp_path / "out" / "in.csv.out").read_text().split() == ["3.0,6.0", "9.0,12.0"]
    assert os.path.basename(str(trained.program)) == "train.py"

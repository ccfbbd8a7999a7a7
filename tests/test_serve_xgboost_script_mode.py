"""An XGBoost script-mode model is served with the XGBoost framework container's defaults, not the
built-in algorithm's (nbcheck8 F7, the sagemaker-script-mode notebook's XGBoost part): a Booster
trained on a pandas DataFrame predicts from unnamed CSV records (``validate_features=False``), and
the JSON answer is the predictions' list (``[0.5]``), not ``{"predictions": [{"score": 0.5}]}``;
CSV is one line per prediction and NPY ``numpy.save``; the request is CSV or LibSVM. A model
without a user module (the built-in algorithm) answers as before."""

from __future__ import annotations

import io
import json
import pickle
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import amtune
from amtune.serve.handler import Handler

xgb = pytest.importorskip("xgboost")
pd = pytest.importorskip("pandas")

# the notebook's train_deploy_xgboost_with_dependencies.py, shortened: model_fn only, and the
# Booster trained on a DataFrame read with header=None (feature names "1", "2", "3")
SCRIPT = textwrap.dedent(
    """
    import argparse, os, pickle
    import pandas as pd
    import xgboost as xgb

    def model_fn(model_dir):
        return pickle.load(open(os.path.join(model_dir, "xgboost-model"), "rb"))

    if __name__ == "__main__":
        p = argparse.ArgumentParser()
        p.add_argument("--num_round", type=int, default=5)
        a, _ = p.parse_known_args()
        df = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), header=None)
        dtrain = xgb.DMatrix(data=df.iloc[:, 1:], label=df.iloc[:, :1])
        booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3}, dtrain,
                            a.num_round, evals=[(dtrain, "train")])
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "xgboost-model"), "wb") as f:
            pickle.dump(booster, f)
    """
)
MODEL_FN_ONLY = textwrap.dedent(
    """
    import os, pickle

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "xgboost-model"), "rb") as f:
            return pickle.load(f)
    """
)


def _data(n: int = 80) -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = 2.0 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=n)
    return X, y


def _named_booster(objective: str = "reg:squarederror", **params: Any) -> Any:
    """A Booster trained on a DataFrame, so it has feature names."""
    X, y = _data()
    if objective == "multi:softprob":
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
        params["num_class"] = 3
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    booster = xgb.train({"objective": objective, **params}, xgb.DMatrix(df, label=y), 5)
    assert booster.feature_names == ["a", "b", "c"]
    return booster


def _handler(tmp_path: Path, booster: Any, module: str = MODEL_FN_ONLY) -> Handler:
    (tmp_path / "xgboost-model").write_bytes(pickle.dumps(booster))
    (tmp_path / "serve.py").write_text(module)
    return Handler.load(tmp_path, "serve.py", tmp_path)


def _expected(booster: Any, rows: Any) -> Any:
    return booster.predict(xgb.DMatrix(np.asarray(rows, float)), validate_features=False)


ROWS = [[0.5, -1.0, 2.0], [-1.5, 0.25, 0.0]]
CSV_BODY = b"0.5,-1.0,2.0\n-1.5,0.25,0.0"


def test_a_booster_with_feature_names_predicts_from_csv(tmp_path: Path) -> None:
    booster = _named_booster()
    h = _handler(tmp_path, booster)
    r = h.invoke(CSV_BODY, "text/csv", "application/json")
    assert r.status == 200, r.body  # was: "data did not contain feature names"
    assert r.content_type == "application/json"
    answer = json.loads(r.body)
    assert isinstance(answer, list)  # was {"predictions": [{"score": ...}, ...]}
    np.testing.assert_allclose(answer, _expected(booster, ROWS), rtol=1e-6)


def test_the_containers_answers(tmp_path: Path) -> None:
    booster = _named_booster()
    h = _handler(tmp_path, booster)
    want = _expected(booster, ROWS)
    # no Accept (or */*): JSON, the container's default
    for accept in (None, "*/*"):
        r = h.invoke(CSV_BODY, "text/csv", accept)
        assert (r.status, r.content_type) == (200, "application/json")
        np.testing.assert_allclose(json.loads(r.body), want, rtol=1e-6)
    r = h.invoke(CSV_BODY, "text/csv", "text/csv")
    assert (r.status, r.content_type) == (200, "text/csv")
    lines = r.body.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 3  # one line per prediction
    np.testing.assert_allclose([float(v) for v in lines[:2]], want, rtol=1e-6)
    r = h.invoke(CSV_BODY, "text/csv", "application/x-npy")
    assert (r.status, r.content_type) == (200, "application/x-npy")
    np.testing.assert_array_equal(np.load(io.BytesIO(r.body)), want)
    # the first type it writes of an Accept list
    r = h.invoke(CSV_BODY, "text/csv", "text/html, text/csv")
    assert (r.status, r.content_type) == (200, "text/csv")


def test_class_probabilities_are_rows(tmp_path: Path) -> None:
    booster = _named_booster("multi:softprob")
    h = _handler(tmp_path, booster)
    want = _expected(booster, ROWS)
    assert want.shape == (2, 3)
    r = h.invoke(CSV_BODY, "text/csv", "application/json")
    np.testing.assert_allclose(json.loads(r.body), want, rtol=1e-6)
    r = h.invoke(CSV_BODY, "text/csv", "text/csv")
    rows = [[float(v) for v in line.split(",")] for line in r.body.decode().splitlines()]
    np.testing.assert_allclose(rows, want, rtol=1e-6)


def test_the_requests_it_reads(tmp_path: Path) -> None:
    booster = _named_booster()
    h = _handler(tmp_path, booster)
    want = _expected(booster, ROWS)

    def answer(body: bytes, content_type: str) -> Any:
        r = h.invoke(body, content_type, "application/json")
        assert r.status == 200, r.body
        return json.loads(r.body)

    np.testing.assert_allclose(answer(CSV_BODY, "text/csv; charset=utf-8"), want, rtol=1e-6)
    # a trailing line break (amtune's AutoSerializer writes one) and a sniffed delimiter
    np.testing.assert_allclose(answer(CSV_BODY + b"\n", "text/csv"), want, rtol=1e-6)
    np.testing.assert_allclose(answer(CSV_BODY.replace(b",", b"\t"), "text/csv"), want, rtol=1e-6)
    # an empty field is a missing value
    np.testing.assert_allclose(
        answer(b"0.5,,2.0", "text/csv"),
        booster.predict(xgb.DMatrix(np.array([[0.5, np.nan, 2.0]])), validate_features=False),
        rtol=1e-6,
    )
    libsvm = b"1 0:0.5 1:-1.0 2:2.0\n0 0:-1.5 1:0.25"
    for ct in ("text/libsvm", "text/x-libsvm"):
        np.testing.assert_allclose(answer(libsvm, ct), want, rtol=1e-6)


def test_what_the_defaults_refuse_names_the_way_out(tmp_path: Path) -> None:
    h = _handler(tmp_path, _named_booster())
    for body, ct in ((b"[[0.5, -1.0, 2.0]]", "application/json"), (b"x", None)):
        r = h.invoke(body, ct, "application/json")
        assert r.status == 500
        assert b"define input_fn in the inference script" in r.body
    r = h.invoke(CSV_BODY, "text/csv", "text/html")
    assert r.status == 500 and b"define output_fn in the inference script" in r.body
    r = h.invoke(b"0.5,-1.0\n1.0", "text/csv", "application/json")
    assert r.status == 500 and b"record 2 has 1 values" in r.body


def test_the_scripts_own_functions_win(tmp_path: Path) -> None:
    module = MODEL_FN_ONLY + textwrap.dedent(
        """
        import json

        def output_fn(prediction, accept):
            return json.dumps({"mine": prediction.tolist()}), "application/json"
        """
    )
    booster = _named_booster()
    h = _handler(tmp_path, booster, module)
    r = h.invoke(CSV_BODY, "text/csv", "application/json")
    assert r.status == 200, r.body
    np.testing.assert_allclose(json.loads(r.body)["mine"], _expected(booster, ROWS), rtol=1e-6)


def test_the_built_in_algorithm_answers_as_before(tmp_path: Path) -> None:
    X, y = _data()
    booster = xgb.train({"objective": "reg:squarederror"}, xgb.DMatrix(X, label=y), 5)
    (tmp_path / "xgboost-model").write_bytes(pickle.dumps(booster))
    h = Handler.load(tmp_path, "amtune.builtin.xgboost_inference")
    r = h.invoke(CSV_BODY, "text/csv", "application/json")
    assert r.status == 200, r.body
    scores = [p["score"] for p in json.loads(r.body)["predictions"]]
    np.testing.assert_allclose(scores, _expected(booster, ROWS), rtol=1e-6)
    assert h.invoke(CSV_BODY, "text/csv", None).content_type == "text/csv"


# ====================================================================== the notebook, end to end
@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any, Any]]:
    """The notebook's XGBoost estimator, fitted, and a running endpoint service."""
    pytest.importorskip("uvicorn")
    from amtune.serve.service import EndpointService
    from amtune.xgboost import XGBoost

    root = tmp_path_factory.mktemp("nb-xgb-script")
    src = root / "xgboost_script"
    src.mkdir()
    (src / "train_deploy_xgboost.py").write_text(SCRIPT)
    X, y = _data()
    train = root / "train"
    train.mkdir()
    np.savetxt(train / "train.csv", np.c_[y, X], delimiter=",")
    est = XGBoost(
        entry_point="train_deploy_xgboost.py", source_dir=str(src), framework_version="1.7-1",
        role="r", instance_count=1, instance_type="ml.m5.xlarge",
        hyperparameters={"num_round": 5}, db=root / "amtune.db", notices=False,
    )  # fmt: skip
    est.fit({"train": str(train)}, logs=False)
    svc = EndpointService(root / "amtune.db", seed=0).start()
    try:
        yield root, est, svc
    finally:
        svc.stop()


def test_the_notebooks_xgboost_endpoint_answers(fitted: tuple[Path, Any, Any]) -> None:
    from amtune.deserializers import JSONDeserializer
    from amtune.serializers import CSVSerializer

    root, est, svc = fitted
    booster = pickle.loads((Path(est.model_data) / "xgboost-model").read_bytes())
    assert booster.feature_names == ["1", "2", "3"]  # pd.read_csv(header=None)'s columns
    x_test = _data()[0][:1]
    want = _expected(booster, x_test)[0]
    predictor = est.deploy(1, "ml.m5.xlarge", endpoint_name="xgboost-endpoint", url=svc.url)
    try:
        # cell 44
        predictor.serializer = CSVSerializer()
        predictor.deserializer = JSONDeserializer()
        assert predictor.predict(x_test[0])[0] == pytest.approx(float(want), rel=1e-6)
    finally:
        predictor.delete_endpoint()
    # XGBoostModel(entry_point=...) of the same model serves the same way
    from amtune.xgboost import XGBoostModel

    model = XGBoostModel(
        model_data=est.model_data, role="r", entry_point="train_deploy_xgboost.py",
        source_dir=str(root / "xgboost_script"), framework_version="1.7-1",
        sagemaker_session=amtune.Session(db=root / "amtune.db", url=svc.url),
    )  # fmt: skip
    p = model.deploy(1, "ml.m5.xlarge", endpoint_name="xgboost-model-endpoint")
    try:
        p.serializer = CSVSerializer()
        p.deserializer = JSONDeserializer()
        assert p.predict(x_test)[0] == pytest.approx(float(want), rel=1e-6)
    finally:
        p.delete_endpoint()

"""Deploying what SageMaker notebooks train: built-in algorithms through ``Estimator(image_uri)``
(alone and tuned), framework estimators' entry points with their predictors' serializers, the
PyTorch serving container's default handlers, and ``ModelError`` as boto3 raises it. Endpoints run
on 127.0.0.1 and are stopped by the tests."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from service_helpers import running_service

from amtune.serve.handler import Handler
from amtune.serve.serializers import (
    AutoSerializer,
    CSVDeserializer,
    CSVSerializer,
    JSONDeserializer,
    NumpyDeserializer,
    NumpySerializer,
)

# a scikit-learn-style training script: the model has predict(); model_fn is in the script
SCRIPT = textwrap.dedent(
    """
    import argparse, json, os

    class Scaler:
        def __init__(self, k):
            self.k = k
        def predict(self, x):
            if (x < 0).any():
                raise ValueError("negative input")
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
        print(f"loss={abs(a.scale - 2.0)}")
    """
)
LOSS = [{"Name": "loss", "Regex": r"loss=(\S+)"}]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    d.mkdir()
    (d / "train.py").write_text(SCRIPT)
    return d


# ====================================================================== serializers (no server)
def test_numpy_serializer_round_trips_any_shape() -> None:
    x = np.arange(24, dtype=np.float32).reshape(2, 1, 3, 4)
    body = NumpySerializer().serialize(x)
    y = NumpyDeserializer().deserialize(io.BytesIO(body), "application/x-npy")
    assert y.dtype == np.float32 and np.array_equal(x, y)
    assert NumpyDeserializer().deserialize(io.BytesIO(b"[[1, 2]]"), "application/json").shape == (
        1,
        2,
    )
    assert CSVSerializer().serialize(np.array([[1.5, 2.0]])) == "1.5,2.0"
    assert CSVDeserializer().deserialize(io.BytesIO(b"1,2\n3,4"), "text/csv") == [
        ["1", "2"],
        ["3", "4"],
    ]
    with pytest.raises(ValueError, match="NumpySerializer"):
        AutoSerializer().serialize(x)  # the plain Predictor's CSV rows: 1-D or 2-D only


# ====================================================================== gap 2: built-in images
def _builtin_data(tmp_path: Path) -> dict[str, str]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    chans = {}
    for name, rows in (("train", slice(0, 80)), ("validation", slice(80, 120))):
        d = tmp_path / name
        d.mkdir()
        np.savetxt(d / "d.csv", np.c_[y[rows], X[rows]], delimiter=",")
        chans[name] = str(d)
    return chans


def test_builtin_estimator_and_its_tuner_resolve_to_the_algorithm(tmp_path: Path) -> None:
    pytest.importorskip("xgboost")
    import amtune
    from amtune.serve.deployment import resolve_model
    from amtune.serve.state import ServeState

    chans = _builtin_data(tmp_path)
    db = tmp_path / "amtune.db"
    est = amtune.Estimator(
        amtune.image_uris.retrieve("xgboost", None, "1.7-1"), db=db, notices=False
    )
    est.set_hyperparameters(objective="binary:logistic", num_round=3)
    est.fit(chans, job_name="xgb-alone", logs=False)
    tuner = amtune.HyperparameterTuner(
        est, "validation:auc", {"eta": amtune.ContinuousParameter(0.1, 0.5)}, max_jobs=1, quiet=True
    )
    tuner.fit(chans, job_name="xgb-tuned")
    knn = amtune.Estimator(amtune.image_uris.retrieve("knn", None, "1"), db=db, notices=False)
    knn.set_hyperparameters(k=3, sample_size=80, predictor_type="classifier", feature_dim=3)
    ktuner = amtune.HyperparameterTuner(
        knn, "test:accuracy", {"k": amtune.IntegerParameter(1, 5)}, max_jobs=1, quiet=True
    )
    ktuner.fit({"train": chans["train"], "test": chans["validation"]}, job_name="knn-tuned")
    st = ServeState(db)
    try:
        alone = resolve_model(st, "xgb-alone")
        tuned = resolve_model(st, "xgb-tuned")
        knn_model = resolve_model(st, "knn-tuned")
    finally:
        st.close()
    # no user code: the image names the algorithm (the tuning job records only the command)
    for m, word in ((alone, "xgboost"), (tuned, "xgboost"), (knn_model, "knn")):
        assert m.program is None and m.submit_dir is None and word in m.image, m


def test_builtin_estimator_deploy_serves_and_predicts(tmp_path: Path) -> None:
    pytest.importorskip("xgboost")
    import amtune

    chans = _builtin_data(tmp_path)
    db = tmp_path / "amtune.db"
    est = amtune.Estimator(
        amtune.image_uris.retrieve("xgboost", None, "1.7-1"), db=db, notices=False
    )
    est.set_hyperparameters(objective="binary:logistic", num_round=3)
    est.fit(chans, logs=False)
    with running_service(db) as svc:
        p = est.deploy(endpoint_name="xgb", url=svc.url)  # type: ignore[attr-defined]
        out = p.predict([[2.0, 0.0, 0.0], [-2.0, 0.0, 0.0]])
        # the SDK's plain Predictor: Accept */*, so the image's default answer (CSV), as bytes
        scores = [float(v) for v in out.decode("utf-8").split()]
        assert scores[0] > 0.5 > scores[1]
        p.delete_endpoint()


# ====================================================================== gap 3: entry points
def test_framework_entry_point_serves_without_inference_py(tmp_path: Path, src: Path) -> None:
    import amtune
    from amtune.serve.deployment import resolve_model
    from amtune.serve.state import ServeState

    db = tmp_path / "amtune.db"
    sk = amtune.SKLearn(
        "train.py", source_dir=str(src), hyperparameters={"scale": 3.0},
        metric_definitions=LOSS, db=db, notices=False,
    )  # fmt: skip
    sk.fit(job_name="sk", logs=False)
    tuner = amtune.HyperparameterTuner(
        sk, "loss", {"scale": amtune.ContinuousParameter(1.0, 3.0)}, objective_type="Minimize",
        max_jobs=1, quiet=True,
    )  # fmt: skip
    tuner.fit(job_name="sk-tuned")
    generic = amtune.Estimator(
        entry_point="train.py", source_dir=str(src), hyperparameters={"scale": 3.0},
        metric_definitions=LOSS, db=db, notices=False,
    )  # fmt: skip
    generic.fit(job_name="generic", logs=False)
    st = ServeState(db)
    try:
        m = resolve_model(st, "sk", framework="SKLearn")  # what SKLearn.deploy passes
        assert (m.program, m.submit_dir, m.framework) == ("train.py", str(src.resolve()), "SKLearn")
        # a tuner's training jobs record the estimator class (sagemaker_estimator_class_name)
        t = resolve_model(st, "sk-tuned")
        assert (t.program, t.framework) == ("train.py", "SKLearn")
        # a generic Estimator's model serves its image, not the training script (as the SDK)
        with pytest.raises(ValueError, match=r"no inference\.py found"):
            resolve_model(st, "generic")
        (src / "inference.py").write_text(SCRIPT)  # a dedicated inference script still wins
        assert resolve_model(st, "sk", framework="SKLearn").program == "inference.py"
    finally:
        st.close()


def test_sklearn_deploy_uses_numpy_serializers_and_raises_model_error(
    tmp_path: Path, src: Path
) -> None:
    import amtune
    from amtune.serve.deployment import InvokeEndpointError, ModelError, SKLearnPredictor

    db = tmp_path / "amtune.db"
    sk = amtune.SKLearn(
        "train.py", source_dir=str(src), hyperparameters={"scale": 3.0},
        metric_definitions=LOSS, db=db, notices=False,
    )  # fmt: skip
    sk.fit(job_name="sk", logs=False)
    with running_service(db) as svc:
        p = sk.deploy(endpoint_name="sk", url=svc.url)  # type: ignore[attr-defined]
        assert isinstance(p, SKLearnPredictor)
        assert p.content_type == "application/x-npy" and p.accept == ("application/x-npy",)
        x = np.ones((2, 1, 2, 2), np.float32)
        y = p.predict(x)  # any shape, NumPy in and out
        assert isinstance(y, np.ndarray) and y.shape == x.shape and np.allclose(y, 3.0)
        # the SDK's serializer= / deserializer= arguments
        j = amtune.serve.deploy(
            "sk", endpoint_name="sk-json", url=svc.url, db=db, framework="SKLearn",
            serializer=CSVSerializer(), deserializer=JSONDeserializer(),
        )  # fmt: skip
        assert j.predict([[1.0, 2.0], [0.0, 1.0]]) == [[3.0, 6.0], [0.0, 3.0]]
        with pytest.raises(ModelError) as info:
            p.predict(-x)
        err = info.value
        assert err.response["Error"]["Code"] == "ModelError"
        assert err.response["OriginalStatusCode"] == 500
        assert "negative input" in err.response["OriginalMessage"]
        assert str(err).startswith("An error occurred (ModelError) when calling the InvokeEndpoint")
        assert isinstance(err, ValueError)
        botocore = pytest.importorskip("botocore.exceptions")
        assert isinstance(err, botocore.ClientError)
        with pytest.raises(InvokeEndpointError, match=r"ValidationError|not found"):
            amtune.serve.Predictor("nope", svc.url).predict(b"1")
        j.delete_endpoint()
        p.delete_endpoint()


# ====================================================================== PyTorch defaults
TORCH_MODULE = textwrap.dedent(
    """
    import torch

    def model_fn(model_dir):
        torch.manual_seed(0)
        return torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.Dropout(0.9), torch.nn.Softmax(1)
        )
    """
)


def test_pytorch_model_gets_the_serving_containers_default_handlers(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    (tmp_path / "net.py").write_text(TORCH_MODULE)
    h = Handler.load(tmp_path, "net.py", tmp_path)
    x = np.random.default_rng(0).normal(size=(5, 1, 2, 2)).astype(np.float32)
    body = NumpySerializer().serialize(x)
    r = h.invoke(body, "application/x-npy", "application/x-npy")
    assert r.status == 200, r.body
    y = np.load(io.BytesIO(r.body))
    h.model.eval()
    with torch.no_grad():
        expected = h.model(torch.from_numpy(x)).numpy()
    assert y.shape == (5, 3) and np.allclose(y, expected, atol=1e-6)  # eval(): no dropout
    r = h.invoke(json.dumps(x.tolist()).encode(), "application/json", "application/json")
    assert r.status == 200 and np.allclose(json.loads(r.body), expected, atol=1e-6)


XGB_MODULE = textwrap.dedent(
    """
    import os, xgboost as xgb

    def model_fn(model_dir):
        booster = xgb.Booster()
        booster.load_model(os.path.join(model_dir, "model.json"))
        return booster
    """
)


def test_an_xgboost_booster_gets_the_containers_default_handlers(tmp_path: Path) -> None:
    # a script-mode XGBoost entry point that defines only model_fn, as AWS's examples do: the
    # request becomes a DMatrix (Booster.predict takes no array) from CSV or LibSVM, and the
    # XGBoost framework container's JSON answer is the predictions' list
    xgb = pytest.importorskip("xgboost")
    X = np.arange(40.0).reshape(20, 2)
    y = (X[:, 0] > 19).astype(float)
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 5)
    booster.save_model(str(tmp_path / "model.json"))
    (tmp_path / "serve.py").write_text(XGB_MODULE)
    h = Handler.load(tmp_path, "serve.py", tmp_path)
    expected = booster.predict(xgb.DMatrix(np.array([[0.0, 1.0], [38.0, 39.0]])))
    r = h.invoke(b"0,1\n38,39", "text/csv", "text/csv")
    assert r.status == 200, r.body
    assert np.allclose(np.array(r.body.decode().split(), dtype=float), expected, atol=1e-6)
    r = h.invoke(b"0:0 1:1\n0:38 1:39", "text/libsvm", "application/json")
    assert r.status == 200, r.body
    assert np.allclose(json.loads(r.body), expected, atol=1e-6)


TORCH_TRAIN = textwrap.dedent(
    """
    import os, torch

    def model_fn(model_dir):
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
        net.load_state_dict(torch.load(os.path.join(model_dir, "model.pth")))
        return net

    if __name__ == "__main__":
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
        torch.save(net.state_dict(), os.path.join(os.environ["SM_MODEL_DIR"], "model.pth"))
        print("loss=0.5")
    """
)


def test_pytorch_estimator_deploy_serves_its_entry_point(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    import amtune
    from amtune.serve.deployment import PyTorchPredictor

    (tmp_path / "mnist.py").write_text(TORCH_TRAIN)
    db = tmp_path / "amtune.db"
    est = amtune.PyTorch(
        entry_point="mnist.py", source_dir=str(tmp_path), metric_definitions=LOSS, db=db,
        notices=False,
    )  # fmt: skip
    est.fit(logs=False)
    with running_service(db) as svc:
        p = est.deploy(endpoint_name="torch", url=svc.url)  # type: ignore[attr-defined]
        assert isinstance(p, PyTorchPredictor)
        x = np.ones((3, 1, 2, 2), np.float32)
        y = p.predict(x)
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
        net.load_state_dict(torch.load(Path(est.model_data) / "model.pth"))
        with torch.no_grad():
            assert np.allclose(y, net(torch.from_numpy(x)).numpy(), atol=1e-6)
        p.delete_endpoint()

"""Reconnecting to an endpoint that exists with the SDK's predictor signatures (nbcheck8 F6, the
sagemaker-script-mode notebook's re-run path): ``Predictor(endpoint_name, sagemaker_session=None,
serializer, deserializer, component_name=None)``, the framework predictors, and
``TensorFlowPredictor``'s ``model_name``/``model_version``, on a real endpoint service
(127.0.0.1). Built with the SDK's signature a plain ``Predictor`` has the SDK's defaults (bytes in,
bytes out); amtune's ``Predictor(endpoint_name, url)`` keeps amtune's."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("uvicorn")
import amtune
from amtune.deserializers import BytesDeserializer, JSONDeserializer, NumpyDeserializer
from amtune.huggingface import HuggingFacePredictor
from amtune.predictor import Predictor
from amtune.pytorch import PyTorchPredictor
from amtune.serializers import (
    CSVSerializer,
    IdentitySerializer,
    JSONSerializer,
    LibSVMSerializer,
    NumpySerializer,
)
from amtune.serve.deployment import ServiceClient
from amtune.serve.serializers import AutoDeserializer, AutoSerializer, CSVDeserializer
from amtune.serve.service import EndpointService
from amtune.sklearn import SKLearnPredictor
from amtune.tensorflow import TensorFlowPredictor
from amtune.xgboost import XGBoostPredictor

ENDPOINT = "doubler"
# doubles its input; with custom attributes it answers them too (TensorFlowPredictor's)
INFERENCE = textwrap.dedent(
    """
    def model_fn(model_dir):
        return 2.0

    def predict_fn(data, model, context):
        if context.custom_attributes:
            return {"attributes": context.custom_attributes, "y": (data * model).tolist()}
        return data * model
    """
)


class Env:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.db = root / "amtune.db"
        self.url = url


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("nb-predictor")
    code = root / "code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    svc = EndpointService(root / "amtune.db", seed=0).start()
    client = ServiceClient(svc.url)
    try:
        env = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
        client.call(
            "CreateModel",
            ModelName=ENDPOINT,
            PrimaryContainer={"Image": "amtune/script-mode:local", "Environment": env},
            ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        )
        client.call(
            "CreateEndpointConfig",
            EndpointConfigName=ENDPOINT,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": ENDPOINT,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        client.call("CreateEndpoint", EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT)
        client.wait(ENDPOINT)
        yield Env(root, svc.url)
    finally:
        client.close()
        svc.stop()


def test_the_notebooks_reconnect_with_a_session(env: Env) -> None:
    # sagemaker-script-mode cells 27, 34 and 41: the endpoint exists, reconnect to it
    sess = amtune.Session(db=env.db)  # its URL: the store's running service
    p = Predictor(
        endpoint_name=ENDPOINT,
        sagemaker_session=sess,
        serializer=CSVSerializer(),
        deserializer=JSONDeserializer(),
    )
    assert p.url == env.url and p.sagemaker_session is sess and p.component_name is None
    assert p.predict(np.array([1.0, 2.5])) == [2.0, 5.0]
    # positionally too, as the SDK's signature orders them
    p = Predictor(ENDPOINT, sess, CSVSerializer(), JSONDeserializer(), None)
    assert p.predict([3, 4]) == [6.0, 8.0]


def test_the_sdk_signature_gives_the_sdks_defaults(env: Env) -> None:
    p = Predictor(ENDPOINT, amtune.Session(db=env.db))
    assert isinstance(p.serializer, IdentitySerializer)
    assert isinstance(p.deserializer, BytesDeserializer)
    assert p.content_type == "application/octet-stream" and p.accept == ("*/*",)
    # bytes in as they are, the answer's bytes out
    assert p.predict(b"1,2", initial_args={"ContentType": "text/csv"}) == b"[2.0, 4.0]"


def test_without_a_session_the_default_sessions_service_answers(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(env.root)  # the default Session's store: ./amtune.db
    p = Predictor(ENDPOINT, serializer=CSVSerializer())
    assert p.url == env.url and p.sagemaker_session is None
    assert p.predict([1, 2]) == b"[2.0, 4.0]"


def test_amtunes_url_form_keeps_amtunes_defaults(env: Env) -> None:
    for p in (Predictor(ENDPOINT, env.url), Predictor(ENDPOINT, url=env.url)):
        assert isinstance(p.serializer, AutoSerializer)
        assert isinstance(p.deserializer, AutoDeserializer)
        assert p.predict([[1, 2]]) == [2.0, 4.0]  # a CSV row out, the JSON answer decoded
        assert p.sagemaker_session is None


def test_the_framework_predictors_take_the_sdks_signature(env: Env) -> None:
    sess = amtune.Session(db=env.db)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    for cls in (SKLearnPredictor, PyTorchPredictor):
        p = cls(ENDPOINT, sagemaker_session=sess)
        assert isinstance(p.serializer, NumpySerializer)
        assert isinstance(p.deserializer, NumpyDeserializer)
        np.testing.assert_allclose(p.predict(x), 2 * x)
        p = cls(ENDPOINT, sess, NumpySerializer(), NumpyDeserializer(), component_name=None)
        np.testing.assert_allclose(p.predict(x), 2 * x)
    xp = XGBoostPredictor(ENDPOINT, sess)
    assert isinstance(xp.serializer, LibSVMSerializer)
    assert isinstance(xp.deserializer, CSVDeserializer)
    xp = XGBoostPredictor(ENDPOINT, sess, CSVSerializer(), JSONDeserializer())
    assert xp.predict([1, 2]) == [2.0, 4.0]
    hp = HuggingFacePredictor(ENDPOINT, sess, JSONSerializer(), JSONDeserializer(), None)
    assert hp.predict([1, 2]) == [2.0, 4.0]
    assert HuggingFacePredictor(ENDPOINT, env.url).predict([1, 2]) == [2.0, 4.0]


def test_tensorflow_predictor_sends_its_model_name_and_version(env: Env) -> None:
    sess = amtune.Session(db=env.db)
    tp = TensorFlowPredictor(ENDPOINT, sess)
    assert tp.predict([1, 2]) == [2.0, 4.0]  # JSON in and out; no attributes
    tp = TensorFlowPredictor(ENDPOINT, sess, JSONSerializer(), JSONDeserializer(), "half", "2")
    want = "tfs-model-name=half,tfs-model-version=2"
    assert tp.predict([1, 2]) == {"attributes": want, "y": [2.0, 4.0]}
    # after the caller's own, as the SDK appends them
    answer = tp.predict([1], initial_args={"CustomAttributes": "trace=7"})
    assert answer["attributes"] == f"trace=7,{want}"
    assert tp.predict([1], custom_attributes="trace=8")["attributes"] == f"trace=8,{want}"


def test_the_sdks_keyword_leftovers(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    sess = amtune.Session(db=env.db)
    with pytest.warns(DeprecationWarning, match="content_type is a no-op"):
        p = Predictor(ENDPOINT, sess, content_type="text/csv")
    assert p.content_type == "application/octet-stream"
    with pytest.warns(DeprecationWarning, match="endpoint has been renamed"):
        p = Predictor("old-name", sess, endpoint=ENDPOINT)
    assert p.endpoint_name == ENDPOINT
    Predictor(ENDPOINT, sess, sagemaker_runtime_client="unused")
    assert "no local meaning, ignored: sagemaker_runtime_client" in capsys.readouterr().err


def test_what_the_predictor_cannot_take(env: Env) -> None:
    sess = amtune.Session(db=env.db)
    with pytest.raises(ValueError, match="inference components are not supported"):
        Predictor(ENDPOINT, sess, component_name="ic-1")
    with pytest.raises(TypeError, match="sagemaker_session or url, not both"):
        Predictor(ENDPOINT, sess, url=env.url)
    other: Any = object()
    with pytest.raises(TypeError, match="must be an amtune Session"):
        Predictor(ENDPOINT, other)

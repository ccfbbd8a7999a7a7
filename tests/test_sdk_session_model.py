"""The SDK's session and model layer (``amtune.Session``, ``production_variant``, ``Model`` and the
framework models, ``DataCaptureConfig``, ``Predictor.delete_model``, ``amtune.image_uris``)
against a real endpoint service and model servers on 127.0.0.1."""

from __future__ import annotations

import tarfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("uvicorn")
import amtune
from amtune.serve.deployment import Predictor, SKLearnPredictor
from amtune.serve.service import EndpointService

INFERENCE = textwrap.dedent(
    """
    import json, os
    import numpy as np

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["threshold"]

    def predict_fn(data, model):
        return (np.asarray(data, dtype=float).reshape(-1) > model).astype(int)
    """
)


def _model(root: Path, name: str, threshold: float) -> Path:
    d = root / name
    d.mkdir()
    (d / "model.json").write_text(f'{{"threshold": {threshold}}}')
    tar = root / f"{name}.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        t.add(d / "model.json", "model.json")
    return tar


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, amtune.Session]]:
    root = tmp_path_factory.mktemp("sdk")
    (root / "code").mkdir()
    (root / "code" / "inference.py").write_text(INFERENCE)
    _model(root, "low", 0.2)
    _model(root, "high", 0.8)
    svc = EndpointService(root / "amtune.db", seed=0).start()
    try:
        yield root, amtune.Session(db=root / "amtune.db", url=svc.url)
    finally:
        svc.stop()


def test_production_variant_is_the_sdks_dict() -> None:
    from amtune.session import production_variant

    assert production_variant("m", "ml.c5.4xlarge", 1, "Variant1", 1) == {
        "VariantName": "Variant1",
        "ModelName": "m",
        "InitialVariantWeight": 1,
        "InitialInstanceCount": 1,
        "InstanceType": "ml.c5.4xlarge",
    }
    assert amtune.production_variant("m", serverless_inference_config={"MemorySizeInMB": 2048}) == {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InitialVariantWeight": 1,
        "ServerlessConfig": {"MemorySizeInMB": 2048},
    }


def test_session_ab_flow_as_the_ab_testing_notebook(
    env: tuple[Path, amtune.Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, s = env
    monkeypatch.chdir(root)  # relative model paths, as a notebook writes them
    from amtune.session import production_variant

    code = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "code"}
    for name, data in (("m-low", "low.tar.gz"), ("m-high", "high.tar.gz")):
        s.create_model(name, "role", {"Image": "img", "ModelDataUrl": data, "Environment": code})
    assert s.create_model("m-low", "role", {"Image": "img"}) == "m-low"  # existing: reused
    v1 = production_variant("m-low", "ml.c5.4xlarge", 1, "Variant1", 1)
    v2 = production_variant("m-high", "ml.c5.4xlarge", 1, "Variant2", 1)
    assert s.endpoint_from_production_variants("ab", [v1, v2]) == "ab"
    d = s.describe_endpoint("ab")
    assert d["EndpointStatus"] == "InService"
    assert {v["VariantName"]: v["CurrentWeight"] for v in d["ProductionVariants"]} == {
        "Variant1": 1.0,
        "Variant2": 1.0,
    }
    p = SKLearnPredictor("ab", s.url)
    assert list(p.predict(np.array([0.5]), target_variant="Variant1")) == [1]
    assert list(p.predict(np.array([0.5]), target_variant="Variant2")) == [0]
    # a second config, and UpdateEndpoint to it
    s.create_endpoint_config("ab-2", "m-high", 1, "ml.m5.large")
    s.update_endpoint("ab", "ab-2")
    assert s.describe_endpoint("ab")["EndpointConfigName"] == "ab-2"
    with pytest.raises(ValueError, match="Endpoint with name 'nope' does not exist"):
        s.update_endpoint("nope", "ab-2")
    s.delete_endpoint("ab")
    for c in ("ab", "ab-2"):
        s.delete_endpoint_config(c)
    for m in ("m-low", "m-high"):
        s.delete_model(m)
    assert s.call("ListModels")["Models"] == []


def test_sklearn_model_deploy_capture_and_delete_model(
    env: tuple[Path, amtune.Session], capsys: pytest.CaptureFixture[str]
) -> None:
    root, s = env
    model = amtune.SKLearnModel(
        str(root / "low.tar.gz"),
        role="role",
        entry_point="inference.py",
        source_dir=str(root / "code"),
        framework_version="1.0-1",
        sagemaker_session=s,
    )
    capture = amtune.DataCaptureConfig(True, sampling_percentage=100, sagemaker_session=s)
    p = model.deploy(
        initial_instance_count=1, instance_type="ml.m5.xlarge", data_capture_config=capture
    )
    assert isinstance(p, SKLearnPredictor)
    assert list(p.predict(np.array([[0.1], [0.9]]))) == [0, 1]
    assert "data capture is not done locally" in capsys.readouterr().err
    d = s.describe_endpoint(model.endpoint_name)
    assert "DataCaptureConfig" not in d  # nothing is captured
    config = s.describe_endpoint_config(d["EndpointConfigName"])
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 100
    image = s.describe_model(model.name)["PrimaryContainer"]["Image"]
    assert image.endswith("/sagemaker-scikit-learn:1.0-1-cpu-py3")
    p.delete_model()
    assert s.call("ListModels")["Models"] == []
    p.delete_endpoint()
    with pytest.raises(ValueError, match="Could not find endpoint"):
        p.delete_model()  # the endpoint is gone
    assert isinstance(p, Predictor)


def test_model_arguments_are_checked(env: tuple[Path, amtune.Session]) -> None:
    root, s = env
    with pytest.raises(ValueError, match="model_data: amtune serves local files"):
        amtune.Model("img", "s3://bucket/model.tar.gz", sagemaker_session=s)
    with pytest.raises(ValueError, match="entry_point: must be a local file"):
        amtune.PyTorchModel(str(root / "low"), "role", "missing.py", sagemaker_session=s)
    with pytest.raises(ValueError, match="initial_instance_count, instance_type"):
        amtune.Model("img", str(root / "low"), sagemaker_session=s).deploy()
    with pytest.raises(ValueError, match="delete"):
        amtune.XGBoostModel(str(root / "low"), sagemaker_session=s).delete_model()
    with pytest.raises(ValueError, match="sampling_percentage"):
        amtune.DataCaptureConfig(True, 101, "x")


def test_session_clients_and_local_bucket(env: tuple[Path, amtune.Session], tmp_path: Path) -> None:
    pytest.importorskip("boto3")
    _, s = env
    assert isinstance(s.sagemaker_client.list_endpoints()["Endpoints"], list)
    assert s.boto_region_name
    lonely = amtune.Session(db=tmp_path / "amtune.db")
    # a notebook's `sess.boto_session.region_name` (a boto3 session of the Session's region)
    assert lonely.boto_session.region_name == lonely.boto_region_name
    assert lonely.default_bucket() == str((tmp_path / "amtune-bucket").resolve())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("1\n")
    out = lonely.upload_data(str(tmp_path / "data"), key_prefix="p/q")
    assert Path(out, "a.csv").read_text() == "1\n"


def test_image_uris_is_an_attribute_and_knows_framework_images() -> None:
    import amtune as sagemaker

    uri = sagemaker.image_uris.retrieve("sklearn", "us-east-1", version="1.0-1")
    assert (
        uri == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3"
    )
    assert sagemaker.image_uris.retrieve(
        "tensorflow", "eu-west-1", "2.13", image_scope="inference"
    ).endswith("/tensorflow-inference:2.13.0-cpu")
    assert "huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu" in (
        sagemaker.image_uris.retrieve(
            "huggingface",
            "us-east-1",
            "4.37",
            base_framework_version="pytorch2.1.0",
            instance_type="ml.g5.xlarge",
            image_scope="inference",
        )
    )
    assert sagemaker.image_uris.retrieve("xgboost", "us-east-1", "0.90-1").endswith(
        "/sagemaker-xgboost:0.90-1"
    )
    with pytest.raises(ValueError, match="version: required"):
        sagemaker.image_uris.retrieve("pytorch", "us-east-1")


def test_session_clients_start_the_service_on_demand(tmp_path: Path) -> None:
    """``Session().sagemaker_client`` of a store with no running service starts one (detached,
    as ``deploy()`` does), so a notebook's first boto3 call works."""
    pytest.importorskip("boto3")
    import os
    import signal

    from amtune.serve.state import ServeState

    s = amtune.Session(db=tmp_path / "amtune.db")
    try:
        assert s.sagemaker_client.list_training_jobs()["TrainingJobSummaries"] == []
        assert isinstance(s.sagemaker_runtime_client.meta.endpoint_url, str)
    finally:
        state = ServeState(tmp_path / "amtune.db")
        row = state.service()
        state.close()
        if row is not None:
            os.kill(int(row["pid"]), signal.SIGTERM)
    assert row is not None

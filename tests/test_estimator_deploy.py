"""``Estimator.deploy()``: a script-mode training job served at a local endpoint and invoked with
boto3's sagemaker-runtime client against the local endpoint service (127.0.0.1, bounded)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from deploy_scripts import INFERENCE, TRAIN  # noqa: E402

from amtune.sagemaker.estimator import Estimator  # noqa: E402
from amtune.serve.service import EndpointService  # noqa: E402


@pytest.fixture
def fitted(tmp_path: Path) -> Estimator:
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "serving.py").write_text(INFERENCE)
    est = Estimator(
        entry_point="train.py",
        source_dir=str(src),
        hyperparameters={"scale": 3.0},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        db=tmp_path / "amtune.db",
    )
    est.fit(job_name="scaler", logs=False)
    return est


@pytest.fixture
def service(fitted: Estimator) -> Iterator[EndpointService]:
    svc = EndpointService(fitted.store.path, seed=0).start()
    try:
        yield svc
    finally:
        svc.stop()


def test_estimator_deploy_serves_its_training_job_to_boto3(
    fitted: Estimator, service: EndpointService
) -> None:
    model_dir = Path(fitted.model_data)
    assert (model_dir / "model.json").is_file() and (model_dir / "code" / "inference.py").is_file()
    predictor = fitted.deploy(initial_instance_count=1, endpoint_name="scaler-ep", url=service.url)
    kw = {
        "endpoint_url": service.url,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
    }
    sm = boto3.client("sagemaker", **kw)
    rt = boto3.client("sagemaker-runtime", **kw)
    d = sm.describe_endpoint(EndpointName="scaler-ep")
    assert d["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=d["EndpointConfigName"])
    (variant,) = config["ProductionVariants"]
    assert variant["InitialInstanceCount"] == 1
    model = sm.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["ModelDataUrl"] == model_dir.as_uri()
    r = rt.invoke_endpoint(
        EndpointName="scaler-ep", Body=b"1\n2.5", ContentType="text/csv", Accept="application/json"
    )
    # the model of the fitted job (scale 3.0), not of any other
    assert json.loads(r["Body"].read()) == [3.0, 7.5]
    assert r["InvokedProductionVariant"] == variant["VariantName"]
    predictor.delete_endpoint()
    with pytest.raises(ClientError, match=r"scaler-ep .*not found"):
        rt.invoke_endpoint(EndpointName="scaler-ep", Body=b"1", ContentType="text/csv")
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName=d["EndpointConfigName"])


def test_estimator_deploy_before_fit_is_one_clear_error(tmp_path: Path) -> None:
    est = Estimator(command=[sys.executable, "-c", "pass"], db=tmp_path / "amtune.db")
    with pytest.raises(ValueError, match="call fit\\(\\) first"):
        est.deploy()

"""Boosters pickled by XGBoost before 1.0 (the 0.72 and 0.90 images; sm-a_b_testing's
models): their pickle keeps the model's bytes in ``state["handle"]``, which today's
``Booster.__setstate__`` rejects. ``model_fn`` loads those bytes itself; with xgboost 3.1 or later,
which no longer reads XGBoost's old binary format, the endpoint fails with a reason that says so.
"""

from __future__ import annotations

import base64
import pickle
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")

from amtune.builtin import xgboost_inference as inf  # noqa: E402

# a 1-tree binary:logistic model in XGBoost's old binary format, written by xgboost 2.1.4's
# Booster.save_raw("deprecated") (X = [[0, 1], [1, 0], [2, 3], [3, 2]], y = [0, 0, 1, 1])
OLD_BINARY = base64.b64decode(
    "YmluZgAAAD8CAAAAAAAAAAEAAAAAAAAAAgAAAAEAAAABAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAPAAAAAAAAAGJpbmFyeTpsb2dpc3RpYwYAAAAAAAAAZ2J0cmVlAQAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAADAAAA"
    "AAAAAAAAAAACAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAD/////AQAAAAIAAAAAAAAAAAAAQAAAAID//////////wAAAACrqiq/AAAAAP//////////AAAAAKuqKj+rqqo/AACA"
    "PwAAAIAAAAAAAAAAAAAAAD+rqiq/AAAAAAAAAAAAAAA/q6oqPwAAAAAAAAAAAQAAAAAAAAAJAAAAAAAAAG9iamVjdGl2"
    "ZUQAAAAAAAAAeyJuYW1lIjoiYmluYXJ5OmxvZ2lzdGljIiwicmVnX2xvc3NfcGFyYW0iOnsic2NhbGVfcG9zX3dlaWdo"
    "dCI6IjEifX0="
)
X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 3.0], [3.0, 2.0]])
P0, P1 = 0.339243620634079, 0.6607563495635986
OLD_BINARY_PREDICTIONS = [P0, P0, P1, P1]
INSTALLED = tuple(int(p) for p in xgb.__version__.split(".")[:2])
READS_OLD_BINARY = INSTALLED < (3, 1)


def legacy_pickle(handle: bytes, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A pickle as XGBoost 0.90 wrote a Booster (protocol 3, ``xgboost.core.Booster`` rebuilt
    from a state dict whose ``handle`` is the model's bytes), as in sm-a_b_testing's models."""

    class Booster:
        def __getstate__(self) -> dict[str, Any]:
            return {
                "feature_names": ["f0", "f1"],
                "feature_types": None,
                "handle": bytearray(handle),
                "booster": "gbtree",
                "best_iteration": 0,
                "best_ntree_limit": 1,
            }

    Booster.__module__, Booster.__qualname__ = "xgboost.core", "Booster"
    with monkeypatch.context() as m:  # pickle finds the class by its module and name
        m.setattr(xgb.core, "Booster", Booster)
        blob = pickle.dumps(Booster(), protocol=3)
    assert blob.startswith(b"\x80\x03cxgboost.core\nBooster\n")
    return blob


def _model_dir(tmp_path: Path, blob: bytes) -> Path:
    d = tmp_path / "model"
    d.mkdir(exist_ok=True)
    (d / "xgboost-model").write_bytes(blob)
    return d


def _booster() -> Any:
    y = np.array([0.0, 0.0, 1.0, 1.0])
    params = {"objective": "binary:logistic", "max_depth": 1, "min_child_weight": 0, "eta": 1}
    return xgb.train(params, xgb.DMatrix(X, label=y), 1)


def test_the_state_of_a_pickled_booster_is_read_without_xgboost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = legacy_pickle(b"\x00\x00\x00\x80E\x00\x00\x00model bytes", monkeypatch)
    state = inf.pickled_booster_state(blob)
    assert state is not None
    assert state["handle"] == bytearray(b"\x00\x00\x00\x80E\x00\x00\x00model bytes")
    assert state["feature_names"] == ["f0", "f1"]
    assert inf.pickled_booster_state(pickle.dumps({"handle": b"x"})) is None
    assert inf.pickled_booster_state(b"not a pickle") is None


def test_a_pre_1_0_pickle_loads_from_its_model_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    booster = _booster()
    # model bytes the installed xgboost reads: the extraction path, whatever the version
    blob = legacy_pickle(bytes(booster.save_raw("ubj")), monkeypatch)
    if INSTALLED >= (3, 2):  # xgboost 3.2 refuses such a pickle (2.1 accepted UBJSON bytes)
        with pytest.raises(xgb.core.XGBoostError):
            pickle.loads(blob)
    model = inf.model_fn(str(_model_dir(tmp_path, blob)))
    np.testing.assert_allclose(
        model.predict(xgb.DMatrix(X)), booster.predict(xgb.DMatrix(X)), rtol=1e-6
    )
    # no feature names: the records of a request (no names) are predicted as before
    assert model.feature_names is None


@pytest.mark.skipif(not READS_OLD_BINARY, reason="xgboost >= 3.1 does not read the binary format")
def test_an_old_binary_pickle_loads_with_xgboost_before_3_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = inf.model_fn(str(_model_dir(tmp_path, legacy_pickle(OLD_BINARY, monkeypatch))))
    np.testing.assert_allclose(model.predict(xgb.DMatrix(X)), OLD_BINARY_PREDICTIONS, rtol=1e-6)


def _says_old_binary(message: str) -> None:
    assert "old binary model format" in message
    assert f"the installed xgboost {xgb.__version__} does not read" in message
    assert "removed that format in 3.1" in message
    assert "xgboost<3.1" in message and "xgboost 2.x" in message and "JSON" in message
    assert "Stack trace" not in message


@pytest.mark.skipif(READS_OLD_BINARY, reason="xgboost < 3.1 reads the binary format")
def test_an_old_binary_pickle_fails_with_a_reason_that_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _model_dir(tmp_path, legacy_pickle(OLD_BINARY, monkeypatch))
    with pytest.raises(inf.OldBinaryFormatError) as info:
        inf.model_fn(str(d))
    msg = str(info.value)
    assert msg.startswith(f"Model {d / 'xgboost-model'} cannot be loaded: it is an xgboost.Booster")
    _says_old_binary(msg)
    assert "\n" not in msg  # one line: the endpoint's FailureReason quotes the log's last lines


@pytest.mark.skipif(READS_OLD_BINARY, reason="xgboost < 3.1 reads the binary format")
def test_an_old_binary_model_file_fails_with_a_reason_that_says_why(tmp_path: Path) -> None:
    with pytest.raises(inf.OldBinaryFormatError) as info:
        inf.model_fn(str(_model_dir(tmp_path, OLD_BINARY)))
    assert "it is a model file in XGBoost's old binary model format" in str(info.value)
    _says_old_binary(str(info.value))


def test_a_file_that_is_no_model_still_gives_both_errors(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as info:
        inf.model_fn(str(_model_dir(tmp_path, b"\x00\x01 not a model")))
    assert not isinstance(info.value, inf.OldBinaryFormatError)
    assert "Pickle load error=" in str(info.value) and "XGB load model error=" in str(info.value)


def test_create_endpoint_of_an_old_pickle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sm-a_b_testing: CreateModel on the 0.90-2 image with the notebook's kind of model."""
    pytest.importorskip("boto3")
    pytest.importorskip("uvicorn")
    import boto3
    from botocore.config import Config

    from amtune import image_uris
    from amtune.serve.service import EndpointService

    model = tmp_path / "xgboost-model"
    model.write_bytes(legacy_pickle(OLD_BINARY, monkeypatch))
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        t.add(model, arcname="xgboost-model")
    with EndpointService(tmp_path / "amtune.db", invocation_timeout=30.0) as svc:
        sm = boto3.client(
            "sagemaker",
            endpoint_url=svc.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=Config(retries={"max_attempts": 1}),
        )
        image = image_uris.retrieve("xgboost", "us-east-1", "0.90-2")
        sm.create_model(
            ModelName="churn",
            PrimaryContainer={"Image": image, "ModelDataUrl": str(archive)},
            ExecutionRoleArn="arn:aws:iam::1:role/r",
        )
        sm.create_endpoint_config(
            EndpointConfigName="churn",
            ProductionVariants=[
                {
                    "VariantName": "A",
                    "ModelName": "churn",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        sm.create_endpoint(EndpointName="churn", EndpointConfigName="churn")
        deadline = time.monotonic() + 90
        while (d := sm.describe_endpoint(EndpointName="churn"))["EndpointStatus"] == "Creating":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        if READS_OLD_BINARY:
            assert d["EndpointStatus"] == "InService"
            rt = boto3.client(
                "sagemaker-runtime",
                endpoint_url=svc.url,
                region_name="us-east-1",
                aws_access_key_id="x",
                aws_secret_access_key="x",
            )
            r = rt.invoke_endpoint(EndpointName="churn", Body=b"0,1\n3,2", ContentType="text/csv")
            got = [float(v) for v in r["Body"].read().decode().split(",")]
            np.testing.assert_allclose(got, [OLD_BINARY_PREDICTIONS[0], OLD_BINARY_PREDICTIONS[3]])
        else:
            assert d["EndpointStatus"] == "Failed"
            _says_old_binary(d["FailureReason"])

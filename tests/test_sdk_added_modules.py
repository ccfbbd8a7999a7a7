"""SageMaker SDK v2 names AWS notebooks import that amtune lacked (notebook sweeps 6 and 7):
``sagemaker.parameter``, ``sagemaker.amazon.amazon_estimator``, ``sagemaker.serverless``,
``sagemaker.async_inference``, ``sagemaker.model_monitor``, ``sagemaker.session.s3_input``;
``Session._region_name`` / ``account_id()`` and the one account of amtune's ARNs; the region and
the SDK module a framework job records (``sagemaker_region``, ``sagemaker_estimator_module``);
the ``Accept`` of amtune's default deserializer. No endpoint service is started here."""

from __future__ import annotations

import importlib
import inspect
import io
import json
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

import amtune
import amtune as sagemaker  # a notebook's `import sagemaker`, with the import changed


# ====================================================================== modules and names
@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("parameter", "ContinuousParameter"),
        ("parameter", "IntegerParameter"),
        ("parameter", "CategoricalParameter"),
        ("amazon.amazon_estimator", "get_image_uri"),
        ("serverless", "ServerlessInferenceConfig"),
        ("async_inference", "AsyncInferenceConfig"),
        ("model_monitor", "DataCaptureConfig"),
        ("model_monitor.data_capture_config", "DataCaptureConfig"),
        ("session", "s3_input"),
    ],
)
def test_the_sdk_names_are_reachable_both_ways(module: str, name: str) -> None:
    # `sagemaker.parameter.ContinuousParameter` after `import sagemaker` (the R notebook's
    # sagemaker$parameter$...), and `from sagemaker.parameter import ContinuousParameter`
    parent = sagemaker
    for part in module.split("."):
        parent = getattr(parent, part)
    attr = getattr(parent, name)
    assert getattr(importlib.import_module(f"amtune.{module}"), name) is attr
    assert attr.__name__ == name


def test_parameter_ranges_are_the_tuners() -> None:
    from amtune.parameter import (
        CategoricalParameter,
        ContinuousParameter,
        IntegerParameter,
        ParameterRange,
    )

    assert ContinuousParameter is amtune.tuner.ContinuousParameter is amtune.ContinuousParameter
    assert IntegerParameter is amtune.IntegerParameter
    assert CategoricalParameter is amtune.CategoricalParameter
    ranges = [ContinuousParameter(0, 1), IntegerParameter(1, 4), CategoricalParameter(["a", "b"])]
    assert all(isinstance(r, ParameterRange) for r in ranges)
    assert not isinstance(0.5, ParameterRange)


def test_get_image_uri_is_the_deprecated_image_uris_retrieve() -> None:
    from amtune.amazon.amazon_estimator import get_image_uri, image_uris

    assert image_uris is amtune.image_uris
    with pytest.warns(DeprecationWarning, match=r"get_image_uri .*image_uris\.retrieve"):
        uri = get_image_uri("us-west-2", "xgboost", "1.7-1")
    assert uri == image_uris.retrieve("xgboost", "us-west-2", "1.7-1")
    with pytest.warns(DeprecationWarning):  # the SDK's default version "1": the legacy image
        assert get_image_uri("us-east-1", "xgboost").endswith("/xgboost:1")
    with pytest.warns(DeprecationWarning):
        assert get_image_uri("us-east-1", "linear-learner") == image_uris.retrieve(
            "linear-learner", "us-east-1", "1"
        )


def test_amazon_common_is_out_of_scope_and_says_so() -> None:
    sys.modules.pop("amtune.amazon.common", None)
    with pytest.raises(ModuleNotFoundError, match=r"RecordIO-protobuf .* not provided by amtune"):
        importlib.import_module("amtune.amazon.common")
    with pytest.raises(ImportError, match=r"sagemaker\.amazon\.common"):
        exec("from amtune.amazon.common import write_numpy_to_dense_tensor", {})
    with pytest.raises(AttributeError, match="RecordIO"):
        _ = sagemaker.amazon.common
    # a first-party algorithm's module says what to use (tests/test_sdk_sweep17.py); any other
    # missing module is the ordinary error
    with pytest.raises(ModuleNotFoundError, match=r"KMeans|kmeans.*not provided"):
        importlib.import_module("amtune.amazon.kmeans")
    with pytest.raises(ModuleNotFoundError, match=r"^No module named 'amtune\.amazon\.other'$"):
        importlib.import_module("amtune.amazon.other")


def test_serverless_inference_config_has_the_sdks_arguments() -> None:
    from amtune.serverless import ServerlessInferenceConfig

    c = ServerlessInferenceConfig()
    assert (c.memory_size_in_mb, c.max_concurrency, c.provisioned_concurrency) == (2048, 5, None)
    assert c._to_request_dict() == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    c = ServerlessInferenceConfig(1024, 10, 2)
    assert c._to_request_dict() == {
        "MemorySizeInMB": 1024,
        "MaxConcurrency": 10,
        "ProvisionedConcurrency": 2,
    }


def test_async_inference_config_has_the_sdks_arguments(tmp_path: Path) -> None:
    from amtune.async_inference import AsyncInferenceConfig, default_paths

    c = AsyncInferenceConfig(
        "out/", 4, "key", {"SuccessTopic": "arn:ok", "ErrorTopic": "arn:err"}, "fail/"
    )
    assert c._to_request_dict() == {
        "OutputConfig": {
            "S3OutputPath": "out/",
            "S3FailurePath": "fail/",
            "KmsKeyId": "key",
            "NotificationConfig": {"SuccessTopic": "arn:ok", "ErrorTopic": "arn:err"},
        },
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
    }
    empty = AsyncInferenceConfig()
    assert empty._to_request_dict() == {
        "OutputConfig": {"S3OutputPath": None, "S3FailurePath": None}
    }
    # deploy fills the paths left out, as the SDK's deploy does (under the local bucket)
    default_paths(empty, tmp_path, "m-1")
    assert empty.output_path == str(tmp_path / "async-endpoint-outputs" / "m-1")
    assert empty.failure_path == str(tmp_path / "async-endpoint-failures" / "m-1")
    default_paths(c, tmp_path, "m-1")
    assert (c.output_path, c.failure_path) == ("out/", "fail/")


def test_model_monitor_gives_data_capture_config_only() -> None:
    from amtune.model_monitor import DataCaptureConfig

    assert DataCaptureConfig is amtune.DataCaptureConfig is amtune.model.DataCaptureConfig
    with pytest.raises(AttributeError, match="Model Monitor itself is not run locally"):
        _ = sagemaker.model_monitor.DefaultModelMonitor
    with pytest.raises(ImportError):
        exec("from amtune.model_monitor import DefaultModelMonitor", {})


def test_s3_input_is_the_deprecated_training_input(tmp_path: Path) -> None:
    from amtune.sagemaker.inputs import resolve_inputs_with_types

    with pytest.warns(DeprecationWarning, match=r"s3_input .*TrainingInput"):
        channel = sagemaker.session.s3_input(s3_data=str(tmp_path), content_type="csv")
    assert isinstance(channel, amtune.TrainingInput)
    assert resolve_inputs_with_types({"train": channel}) == {"train": (str(tmp_path), "csv")}


# ====================================================================== session: region, account
def test_session_region_name_and_account_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    s = amtune.Session(db=tmp_path / "amtune.db")
    assert s._region_name == s.boto_region_name == "eu-west-1"
    given = amtune.Session(SimpleNamespace(region_name="ap-south-1"), db=tmp_path / "amtune.db")
    assert given._region_name == "ap-south-1"
    assert s.account_id() == "123456789012"


def test_one_account_in_every_arn_amtune_makes(tmp_path: Path) -> None:
    account = amtune.Session(db=tmp_path / "amtune.db").account_id()
    role = amtune.get_execution_role()
    assert role == f"arn:aws:iam::{account}:role/amtune-local"
    # the endpoint service's ARNs (models, endpoints, jobs)
    from amtune.serve.controlplane import ControlPlane

    assert inspect.signature(ControlPlane).parameters["account"].default == account
    pytest.importorskip("uvicorn")
    from amtune.serve.service import EndpointService

    assert inspect.signature(EndpointService).parameters["account"].default == account


# ====================================================================== framework job metadata
TRAIN = textwrap.dedent(
    """
    import argparse, os
    p = argparse.ArgumentParser()
    p.add_argument("--alpha", type=float, default=0.5)
    a, _ = p.parse_known_args()
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "region.txt"), "w") as f:
        f.write(os.environ["SAGEMAKER_REGION"])
    print(f"loss={abs(a.alpha - 0.3)}")
    """
)
LOSS = [{"Name": "loss", "Regex": r"loss=(\S+)"}]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    d.mkdir()
    (d / "train.py").write_text(TRAIN)
    return d


def test_a_framework_job_records_the_sessions_region(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = amtune.Session(SimpleNamespace(region_name="eu-central-1"), db=tmp_path / "x.db")
    est = amtune.SKLearn(
        "train.py", source_dir=str(src), hyperparameters={"alpha": 0.25},
        metric_definitions=LOSS, sagemaker_session=session, db=tmp_path / "amtune.db",
        notices=False,
    )  # fmt: skip
    est.fit(job_name="regional", logs=False)
    assert est.describe()["HyperParameters"]["sagemaker_region"] == '"eu-central-1"'
    # the script sees it as SAGEMAKER_REGION, as in a SageMaker container
    assert (Path(est.model_data) / "region.txt").read_text() == "eu-central-1"
    # without a session: amtune's default region (AWS_REGION, AWS_DEFAULT_REGION, us-east-1)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    plain = amtune.SKLearn("train.py", source_dir=str(src), notices=False)
    assert plain.container_hyperparameters("j")["sagemaker_region"] == '"us-east-1"'
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert plain.container_hyperparameters("j")["sagemaker_region"] == '"us-west-2"'


class MySKLearn(amtune.SKLearn):
    """A user's subclass: the SDK records its own module."""


@pytest.mark.parametrize(
    ("cls", "module"),
    [
        (amtune.SKLearn, "sagemaker.sklearn.estimator"),
        (amtune.XGBoost, "sagemaker.xgboost.estimator"),
        (amtune.PyTorch, "sagemaker.pytorch.estimator"),
        (amtune.TensorFlow, "sagemaker.tensorflow.estimator"),
        (amtune.HuggingFace, "sagemaker.huggingface.estimator"),
        (MySKLearn, __name__),
    ],
)
def test_a_tuner_records_the_sdk_module_of_the_estimator(
    cls: type, module: str, src: Path, tmp_path: Path
) -> None:
    est = cls(
        entry_point="train.py", source_dir=str(src), metric_definitions=LOSS,
        db=tmp_path / "amtune.db", notices=False,
    )  # fmt: skip
    tuner = amtune.HyperparameterTuner(
        est, "loss", {"alpha": amtune.ContinuousParameter(0.0, 1.0)}, objective_type="Minimize"
    )
    static = tuner.space.static
    assert static["sagemaker_estimator_module"] == json.dumps(module)
    assert static["sagemaker_estimator_class_name"] == json.dumps(cls.__name__)


def test_the_sdk_module_reads_back(src: Path, tmp_path: Path) -> None:
    from amtune.serve.inference_code import framework_name

    db = tmp_path / "amtune.db"
    est = amtune.SKLearn(
        "train.py", source_dir=str(src), metric_definitions=LOSS, db=db, notices=False
    )
    tuner = amtune.HyperparameterTuner(
        est, "loss", {"alpha": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize", max_jobs=1, quiet=True,
    )  # fmt: skip
    tuner.fit(job_name="readback")
    best = tuner.describe()["BestTrainingJob"]["TrainingJobName"]
    attached = amtune.HyperparameterTuner.attach("readback", db=db)
    assert type(attached.estimator) is amtune.SKLearn
    assert type(tuner.best_estimator()) is amtune.SKLearn
    assert best
    # both spellings of the module name a framework (jobs stored before this change too)
    for module in ("sagemaker.sklearn.estimator", "amtune.sagemaker.estimator"):
        assert framework_name("SKLearn", module) == "SKLearn"


# ====================================================================== amtune's own Accept
def test_amtunes_default_deserializer_lets_the_model_choose(tmp_path: Path) -> None:
    """``Accept: */*``: a model server answers in its default type (the built-in XGBoost CSV, a
    script's inference.py JSON); a list with JSON first would make the built-in algorithms
    answer JSON (or refuse the list)."""
    from amtune.serve.handler import Handler
    from amtune.serve.serializers import AutoDeserializer, accept_of

    assert accept_of(AutoDeserializer()) == "*/*"
    (tmp_path / "inference.py").write_text(
        "def model_fn(model_dir):\n    return 0.5\n"
        "def predict_fn(data, model):\n    return [int(x > model) for x in data.reshape(-1)]\n"
    )
    h = Handler.load(tmp_path, "inference.py", tmp_path)
    r = h.invoke(b"0.2\n0.9", "text/csv", accept_of(AutoDeserializer()))
    assert (r.content_type, r.body) == ("application/json", b"[0, 1]")
    assert AutoDeserializer().deserialize(io.BytesIO(r.body), r.content_type) == [0, 1]

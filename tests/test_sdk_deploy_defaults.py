"""What the SDK's deploy paths return and create, on a real endpoint service (127.0.0.1), as AWS
notebooks use them (notebook sweeps 6 and 7):

- ``Estimator(image_uri=<XGBoost 1.2-2 or later>).deploy(serializer=CSVSerializer())``, the tuner
  built on it and ``Model.deploy()`` return a ``Predictor`` with the SDK's defaults: ``Accept:
  */*``, so the image answers its default CSV, returned as bytes (``.decode("utf-8")`` works);
- ``tuner.deploy()`` names the endpoint after the best training job;
- ``data_capture_config`` (and the serverless and async configs) of ``Estimator.deploy`` and
  ``tuner.deploy`` are kept in the endpoint config, as ``Model.deploy`` keeps them;
- amtune's own ``amtune.serve.deploy`` and the tuner of a command still decode JSON answers, and no
  longer ask a CSV-answering model for JSON.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("xgboost")
import amtune
from amtune.serializers import CSVSerializer
from amtune.serve.deployment import Predictor
from amtune.serve.serializers import JSONDeserializer
from amtune.serve.service import EndpointService

ROWS = np.array([[2.0, 0.0, 0.0], [-2.0, 0.0, 0.0]])

# the README's "Deploy and test online" model: a threshold, served by inference.py
TRAIN = textwrap.dedent(
    """
    import argparse, json, os
    p = argparse.ArgumentParser()
    p.add_argument("--threshold", type=float)
    t = p.parse_args().threshold
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"threshold": t}, f)
    print(f"score: {-abs(t - 0.5)}")
    """
)
INFERENCE = textwrap.dedent(
    """
    import json, os

    def model_fn(model_dir):
        return json.load(open(os.path.join(model_dir, "model.json")))["threshold"]

    def predict_fn(data, model):
        return [int(x > model) for x in data.reshape(-1)]
    """
)


class Env:
    def __init__(self, root: Path, svc: Any) -> None:
        self.root = root
        self.db = root / "amtune.db"
        self.url: str = svc.url
        self.session = amtune.Session(db=self.db, url=svc.url)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("nb-deploy")
    svc = EndpointService(root / "amtune.db", seed=0).start()
    try:
        yield Env(root, svc)
    finally:
        svc.stop()


@pytest.fixture(scope="module")
def xgb(env: Env) -> tuple[Any, Any]:
    """An XGBoost 1.7-1 estimator fitted once and a tuner of it (2 training jobs)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    chans = {}
    for name, rows in (("train", slice(0, 80)), ("validation", slice(80, 120))):
        d = env.root / name
        d.mkdir()
        np.savetxt(d / "d.csv", np.c_[y[rows], X[rows]], delimiter=",")
        chans[name] = amtune.TrainingInput(str(d), content_type="text/csv")
    image = amtune.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    est = amtune.Estimator(image, "role", 1, "ml.m5.xlarge", db=env.db, notices=False)
    est.set_hyperparameters(objective="binary:logistic", num_round=5)
    est.fit(chans, job_name="xgb-alone", logs=False)
    tuner = amtune.HyperparameterTuner(
        est, "validation:auc", {"eta": amtune.ContinuousParameter(0.1, 0.5)},
        max_jobs=2, quiet=True, random_seed=0,
    )  # fmt: skip
    tuner.fit(chans, job_name="xgb-tuned")
    return est, tuner


def _scores(answer: Any) -> list[float]:
    """The notebooks' helper: ``predictor.predict(x).decode("utf-8")``, one score per line."""
    assert isinstance(answer, bytes), answer
    return [float(v) for v in answer.decode("utf-8").split()]


def _config(env: Env, endpoint: str) -> dict[str, Any]:
    d = env.session.describe_endpoint(endpoint)
    return env.session.describe_endpoint_config(d["EndpointConfigName"])


def test_estimator_deploy_returns_the_images_csv_as_bytes(
    env: Env, xgb: tuple[Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    est, _ = xgb
    p = est.deploy(1, "ml.m5.large", serializer=CSVSerializer(), endpoint_name="xgb-est",
                   url=env.url)  # fmt: skip
    try:
        assert type(p) is Predictor and p.accept == ("*/*",)
        scores = _scores(p.predict(ROWS))
        assert len(scores) == 2 and scores[0] > 0.5 > scores[1]
        # a bytes or str body goes out unchanged, as the SDK's IdentitySerializer sends it
        assert _scores(p.predict(b"2,0,0")) == scores[:1]
        assert _scores(p.predict("-2,0,0")) == scores[1:]
        # a deserializer given wins, as in the SDK
        j = Predictor("xgb-est", env.url, deserializer=JSONDeserializer())
        assert [r["score"] for r in j.predict(ROWS)["predictions"]] == pytest.approx(scores)
    finally:
        p.delete_endpoint()


def test_tuner_deploy_names_the_endpoint_after_the_best_training_job(
    env: Env, xgb: tuple[Any, Any]
) -> None:
    _, tuner = xgb
    best = tuner.best_training_job()
    p = tuner.deploy(1, "ml.m5.large", serializer=CSVSerializer(), url=env.url)
    try:
        assert p.endpoint_name == best != tuner.latest_tuning_job
        assert env.session.describe_endpoint(best)["EndpointStatus"] == "InService"
        scores = _scores(p.predict(ROWS))  # the SDK's Predictor, as for the estimator
        assert scores[0] > 0.5 > scores[1]
    finally:
        p.delete_endpoint()
    # attached to the tuning job (the estimator rebuilt): the same predictor
    attached = amtune.HyperparameterTuner.attach("xgb-tuned", db=env.db)
    p = attached.deploy(1, "ml.m5.large", endpoint_name="xgb-attached", url=env.url)
    try:
        assert _scores(p.predict("2,0,0\n-2,0,0")) == pytest.approx(scores)
    finally:
        p.delete_endpoint()


def test_estimator_and_tuner_deploy_keep_data_capture_config(
    env: Env, xgb: tuple[Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from amtune.model_monitor import DataCaptureConfig

    est, tuner = xgb
    capture = DataCaptureConfig(True, 100, sagemaker_session=env.session)
    capsys.readouterr()
    p = est.deploy(1, "ml.m5.large", endpoint_name="xgb-capture", data_capture_config=capture,
                   url=env.url)  # fmt: skip
    try:
        err = capsys.readouterr().err
        assert "data capture is not done locally" in err
        assert "ignored" not in err
        kept = _config(env, "xgb-capture")["DataCaptureConfig"]
        assert kept == capture._to_request_dict()
        assert kept["InitialSamplingPercentage"] == 100
    finally:
        p.delete_endpoint()
    # the tuner passes it on too (a request dict is accepted as well)
    p = tuner.deploy(1, "ml.m5.large", endpoint_name="tuned-capture", url=env.url,
                     data_capture_config={"EnableCapture": False, "InitialSamplingPercentage": 5,
                                          "DestinationS3Uri": "captures",
                                          "CaptureOptions": [{"CaptureMode": "Input"}]})  # fmt: skip
    try:
        assert "ignored" not in capsys.readouterr().err
        assert _config(env, "tuned-capture")["DataCaptureConfig"]["InitialSamplingPercentage"] == 5
    finally:
        p.delete_endpoint()


def test_model_deploy_serverless_and_async_configs(env: Env, xgb: tuple[Any, Any]) -> None:
    from amtune.async_inference import AsyncInferenceConfig
    from amtune.serverless import ServerlessInferenceConfig

    est, _ = xgb
    image = amtune.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    model = amtune.Model(image, est.model_data, "role", sagemaker_session=env.session)
    p = model.deploy(serializer=CSVSerializer(),
                     serverless_inference_config=ServerlessInferenceConfig(1024, 2))  # fmt: skip
    try:
        assert type(p) is Predictor  # the SDK returns None here; amtune a Predictor, bytes out
        assert _scores(p.predict(ROWS))[0] > 0.5
        (variant,) = _config(env, model.endpoint_name)["ProductionVariants"]
        assert variant["ServerlessConfig"] == {"MemorySizeInMB": 1024, "MaxConcurrency": 2}
    finally:
        p.delete_endpoint()
    asynchronous = AsyncInferenceConfig(max_concurrent_invocations_per_instance=2)
    model = amtune.Model(image, est.model_data, "role", sagemaker_session=env.session)
    p = model.deploy(1, "ml.m5.large", async_inference_config=asynchronous)
    try:
        kept = _config(env, model.endpoint_name)["AsyncInferenceConfig"]
        bucket = env.session.default_bucket()
        assert kept["OutputConfig"]["S3OutputPath"].startswith(
            str(Path(bucket) / "async-endpoint-outputs")
        )
        assert kept["OutputConfig"]["S3FailurePath"] == asynchronous.failure_path
        assert kept["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 2}
        assert isinstance(p.predict("2,0,0"), bytes)
    finally:
        p.delete_endpoint()
    # and the estimator's deploy keeps a serverless config too
    p = est.deploy(endpoint_name="xgb-serverless", url=env.url,
                   serverless_inference_config=ServerlessInferenceConfig())  # fmt: skip
    try:
        (variant,) = _config(env, "xgb-serverless")["ProductionVariants"]
        assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        assert "InstanceType" not in variant
    finally:
        p.delete_endpoint()


def test_the_models_arn_is_in_the_sessions_account(env: Env, xgb: tuple[Any, Any]) -> None:
    est, _ = xgb
    env.session.create_model("arn-check", amtune.get_execution_role(), {
        "Image": amtune.image_uris.retrieve("xgboost", "us-east-1", "1.7-1"),
        "ModelDataUrl": est.model_data})  # fmt: skip
    arn = env.session.describe_model("arn-check")["ModelArn"]
    assert arn.split(":")[4] == env.session.account_id()
    assert amtune.get_execution_role().split(":")[4] == env.session.account_id()
    env.session.delete_model("arn-check")


# ====================================================================== amtune's own API
def test_amtunes_deploy_lets_a_csv_model_answer_csv(env: Env, xgb: tuple[Any, Any]) -> None:
    """``amtune.serve.deploy`` keeps decoding JSON answers, but asks with ``Accept: */*``: the
    XGBoost image answers its default CSV, which comes back as bytes (not a JSON dict)."""
    p = amtune.serve.deploy("xgb-alone", endpoint_name="xgb-native", db=env.db, url=env.url)
    try:
        assert type(p) is Predictor and p.accept == ("*/*",)
        assert _scores(p.predict(ROWS))[0] > 0.5
        assert p.predict(ROWS, accept="application/json")["predictions"][0]["score"] > 0.5
    finally:
        p.delete_endpoint()


def test_the_tuner_of_a_command_decodes_json_as_the_readme_shows(env: Env) -> None:
    src = env.root / "threshold"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "inference.py").write_text(INFERENCE)
    tuner = amtune.HyperparameterTuner(
        "score", {"threshold": amtune.CategoricalParameter([0.5, 0.7])},
        metric_definitions=[{"Name": "score", "Regex": r"score: (\S+)"}],
        strategy="Grid", max_jobs=2, quiet=True, db=env.db, working_dir=src,
    )  # fmt: skip
    tuner.fit([sys.executable, "train.py"], job_name="threshold")
    p = tuner.deploy(url=env.url)
    try:
        assert p.endpoint_name == tuner.best_training_job()
        assert p.predict([[0.2], [0.9]]) == [0, 1]  # decoded JSON, as README's example prints
    finally:
        p.delete_endpoint()

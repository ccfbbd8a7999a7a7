"""Describe answers of a script-mode (SDK) tuning job as SageMaker shapes them: the
``_tuning_objective_metric`` static hyperparameter on every tuning job (the script does not get
it), ``MaxRuntimeInSeconds`` an integer, and channels as ``S3DataSource`` (boto3 keeps them and
a describe -> create round trip works)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import amtune
from amtune import HyperparameterTuner

SCRIPT = """import argparse, json, os
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--opt", type=str)
p.add_argument("--depth", type=int, default=3)
a = p.parse_args()  # strict: an unknown argument fails the job
rows = os.listdir(os.environ["SM_CHANNEL_TRAIN"])
os.makedirs(os.environ["SM_MODEL_DIR"], exist_ok=True)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
    json.dump({"args": vars(a), "hps": json.loads(os.environ["SM_HPS"])}, f)
print(f"loss: {(a.lr - 0.3) ** 2 + (a.opt == 'sgd') + a.depth / 100 + len(rows) * 0}")
"""
METRICS = [{"Name": "loss", "Regex": r"loss: (\S+)"}]


@pytest.fixture
def tuned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[HyperparameterTuner, Path]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("1\n")
    est = amtune.SKLearn(
        "train.py",
        source_dir=str(tmp_path),
        hyperparameters={"depth": 4},
        metric_definitions=METRICS,
        notices=False,
    )
    t = HyperparameterTuner(
        est,
        "loss",
        {
            "lr": amtune.ContinuousParameter(0.0, 1.0),
            "opt": amtune.CategoricalParameter(["adam", "sgd"]),
        },
        objective_type="Minimize",
        strategy="Random",
        max_jobs=2,
        max_parallel_jobs=2,
        random_seed=5,
        quiet=True,
    )
    t.fit({"train": str(tmp_path / "data")}, job_name="shapes")
    return t, tmp_path


def _jobs(t: HyperparameterTuner) -> list[str]:
    return [s["TrainingJobName"] for s in t.analytics().training_job_summaries()]


def test_every_tuning_job_has_the_objective_metric_the_script_does_not(
    tuned: tuple[HyperparameterTuner, Path],
) -> None:
    t, _ = tuned
    d = t.describe()
    assert d["TrainingJobDefinition"]["StaticHyperParameters"]["_tuning_objective_metric"] == "loss"
    from amtune.sagemaker.training import describe_training_job

    for name in _jobs(t):
        job = describe_training_job(t.store, name)
        assert job["TrainingJobStatus"] == "Completed"  # argparse saw no extra argument
        assert job["HyperParameters"]["_tuning_objective_metric"] == "loss"
        got = json.loads(Path(job["ModelArtifacts"]["S3ModelArtifacts"], "model.json").read_text())
        assert "_tuning_objective_metric" not in got["hps"]  # SM_HPS: the toolkit drops it
        assert set(got["args"]) == {"lr", "opt", "depth"}
    # amtune's attach still rebuilds the estimator without it
    e = HyperparameterTuner.attach("shapes").estimator
    assert e is not None and e.hyperparameters() == {"depth": "4"}


def test_max_runtime_is_an_integer_and_channels_are_s3_data_sources(
    tuned: tuple[HyperparameterTuner, Path],
) -> None:
    t, tmp = tuned
    from amtune.sagemaker.training import describe_training_job

    tjd = t.describe()["TrainingJobDefinition"]
    docs = [tjd, *(describe_training_job(t.store, n) for n in _jobs(t))]
    for doc in docs:
        runtime = doc["StoppingCondition"]["MaxRuntimeInSeconds"]
        assert runtime == 86400 and type(runtime) is int
        assert doc["InputDataConfig"][0]["DataSource"] == {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "file://" + str(tmp / "data"),
                "S3DataDistributionType": "FullyReplicated",
            }
        }


def _wait(get: Callable[[], str], timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while (status := get()) not in ("Completed", "Failed", "Stopped"):
        assert time.monotonic() < deadline, f"still {status}"
        time.sleep(0.2)
    return status


def test_describe_then_create_round_trips_through_boto3(
    tuned: tuple[HyperparameterTuner, Path],
) -> None:
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("uvicorn")
    from botocore.config import Config

    from amtune.serve.service import EndpointService

    t, tmp = tuned
    svc = EndpointService(tmp / t.store.path.name, serve_models=False).start()
    try:
        sm = boto3.client(
            "sagemaker",
            endpoint_url=svc.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        tj = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shapes")
        tjd: dict[str, Any] = tj["TrainingJobDefinition"]
        assert tjd["StaticHyperParameters"]["_tuning_objective_metric"] == "loss"
        assert "S3DataSource" in tjd["InputDataConfig"][0]["DataSource"]
        assert tjd["StoppingCondition"]["MaxRuntimeInSeconds"] == 86400
        src = sm.describe_training_job(TrainingJobName=_jobs(t)[0])
        assert src["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"].endswith("/data")
        keys = ("AlgorithmSpecification", "HyperParameters", "InputDataConfig")
        req = {k: src[k] for k in keys}
        req["StoppingCondition"] = src["StoppingCondition"]  # an int: botocore accepts it
        sm.create_training_job(
            TrainingJobName="again",
            RoleArn="arn:aws:iam::123456789012:role/amtune-local",
            OutputDataConfig={"S3OutputPath": str(tmp / "out")},
            ResourceConfig={"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5},
            **req,
        )
        status = _wait(
            lambda: sm.describe_training_job(TrainingJobName="again")["TrainingJobStatus"]
        )
        assert status == "Completed", sm.describe_training_job(TrainingJobName="again").get(
            "FailureReason"
        )
    finally:
        svc.stop()

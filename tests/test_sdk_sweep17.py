"""Notebook re-check 17: what the SageMaker SDK v2 (2.257.6) and the API do and amtune now does too.

- F1 ``attach`` to a job whose ``sagemaker_submit_directory`` is an S3 URI (a request the SDK
  generated, sent through boto3) rebuilds the estimator instead of failing on the URI;
- F2 the SDK's first-party algorithm estimators (``sagemaker.LinearLearner``, ``KNN``,
  ``RecordSet``, ``sagemaker.amazon.linear_learner``, ...) are errors that say what to use;
- F3 DescribeTrainingJob reports ``RoleArn`` (SageMaker always does; the SDK's ``attach`` reads it);
- F4 ``HyperparameterTuner.attach`` takes ``base_tuning_job_name`` from the job's name
  (``base_from_name``), not from the estimator's image;
- F5 ``RandomSeed`` is an ``integer`` shape (0 to 2**31 - 1): a drawn seed lies in it and a larger
  one is refused, so a described tuning job config can be sent back;
- F6 estimators have the SDK's ``training_image_uri()`` and ``input_mode``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from service_helpers import running_service

import amtune
from amtune.errors import FieldError
from amtune.sagemaker.estimator import Estimator, SKLearn
from amtune.sagemaker.rebuild import estimator_arguments
from amtune.tuning.tuner import HyperparameterTuner


def test_attach_arguments_of_a_job_whose_code_is_on_s3() -> None:
    hps = {
        "sagemaker_program": '"script.py"',
        "sagemaker_submit_directory": '"s3://bucket/project/source.tar.gz"',
        "n-estimators": '"10"',
    }
    args = estimator_arguments({}, hps, json_hyperparameters=True)
    assert args["entry_point"] == "script.py"
    assert "source_dir" not in args  # the S3 URI has no local meaning
    assert args["hyperparameters"] == {"n-estimators": "10"}
    local = dict(hps, sagemaker_submit_directory='"/code"')
    assert estimator_arguments({}, local, json_hyperparameters=True)["source_dir"] == "/code"


@pytest.mark.parametrize(
    "name", ["LinearLearner", "KNN", "KMeans", "PCA", "RandomCutForest", "LinearLearnerPredictor"]
)
def test_first_party_estimators_say_what_to_use(name: str) -> None:
    with pytest.raises(AttributeError, match=f"{name}.*not provided.*text/csv"):
        getattr(amtune, name)
    assert not hasattr(amtune, name)


def test_first_party_modules_and_record_set_say_what_to_use() -> None:
    with pytest.raises(ImportError, match=r"RecordSet.*not provided"):
        from amtune.amazon.amazon_estimator import RecordSet  # noqa: F401
    with pytest.raises(ModuleNotFoundError, match=r"linear_learner.*linear-learner"):
        importlib.import_module("amtune.amazon.linear_learner")
    with pytest.raises(ModuleNotFoundError, match=r"No module named 'amtune.amazon.nosuch'$"):
        importlib.import_module("amtune.amazon.nosuch")  # any other name: the usual error


def _sklearn(tmp_path: Path, **kw: object) -> SKLearn:
    (tmp_path / "train.py").write_text("pass\n")
    return SKLearn(
        entry_point=str(tmp_path / "train.py"),
        framework_version="1.2-1",
        db=tmp_path / "amtune.db",
        notices=False,
        **kw,
    )


def test_describe_training_job_reports_the_role(tmp_path: Path) -> None:
    role = "arn:aws:iam::123456789012:role/SageMakerRole"
    est = _sklearn(tmp_path, role=role)
    est.fit(job_name="with-role")
    assert est.latest_training_job.describe()["RoleArn"] == role
    attached = SKLearn.attach("with-role", db=tmp_path / "amtune.db")
    assert attached.describe()["RoleArn"] == role
    bare = _sklearn(tmp_path)
    bare.fit(job_name="no-role")
    # SageMaker requires a role; without one the local placeholder is reported
    assert bare.latest_training_job.describe()["RoleArn"].startswith("arn:aws:iam::")


def _objective(hp: dict, reporter: object) -> float:
    return float(hp["x"])


def test_attached_tuner_is_named_after_its_job(tmp_path: Path) -> None:
    tuner = HyperparameterTuner(
        _objective,
        objective_metric_name="loss",
        hyperparameter_ranges={"x": amtune.ContinuousParameter(0, 1)},
        objective_type="Minimize",
        max_jobs=2,
        base_tuning_job_name="my-base",
        db=tmp_path / "amtune.db",
        quiet=True,
        runner="thread",
    )
    tuner.fit()
    name = tuner.latest_tuning_job.name
    assert name.startswith("my-base-")
    attached = HyperparameterTuner.attach(name, db=tmp_path / "amtune.db")
    assert attached.base_tuning_job_name == "my-base"


def test_random_seed_is_an_integer_shape(tmp_path: Path) -> None:
    kw = dict(
        objective_metric_name="loss",
        hyperparameter_ranges={"x": amtune.ContinuousParameter(0, 1)},
        objective_type="Minimize",
        max_jobs=1,
        db=tmp_path / "amtune.db",
        quiet=True,
        runner="thread",
    )
    with pytest.raises(FieldError, match=r"random_seed.*0 to 2147483647"):
        HyperparameterTuner(_objective, random_seed=2**31, **kw)
    HyperparameterTuner(_objective, random_seed=2**31 - 1, **kw)  # the largest is accepted
    seeds = []
    for _ in range(20):
        tuner = HyperparameterTuner(_objective, **kw)
        tuner.fit()
        seeds.append(tuner.describe()["HyperParameterTuningJobConfig"]["RandomSeed"])
    assert all(0 <= s <= 2**31 - 1 for s in seeds)
    assert len(set(seeds)) > 1  # drawn, not fixed


def test_random_seed_over_the_integer_range_is_refused_in_a_request() -> None:
    from pydantic import ValidationError

    from amtune.config.models import TuningJobConfig

    cfg = {
        "Strategy": "Random",
        "HyperParameterTuningJobObjective": {"MetricName": "m", "Type": "Minimize"},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
    }
    TuningJobConfig.model_validate({**cfg, "RandomSeed": 2**31 - 1})
    with pytest.raises(ValidationError, match="RandomSeed"):
        TuningJobConfig.model_validate({**cfg, "RandomSeed": 2**31})


def test_training_image_uri_and_input_mode(tmp_path: Path) -> None:
    est = _sklearn(tmp_path, input_mode="File")
    assert est.input_mode == "File"
    assert est.training_image_uri().endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    image = amtune.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    gen = Estimator(image_uri=image, db=tmp_path / "amtune.db", notices=False)
    assert gen.training_image_uri() == image
    assert gen.input_mode == "File"
    cmd = Estimator(command=["python", "-c", "pass"], db=tmp_path / "amtune.db", notices=False)
    assert cmd.training_image_uri() is None  # a local command has no image


def test_framework_jobs_record_their_training_image(tmp_path: Path) -> None:
    # the SDK sends a framework's image as TrainingImage, and reads it back in
    # create_model_from_job / endpoint_from_job (nbcheck18 F1)
    from amtune.sagemaker.session import Session

    est = _sklearn(tmp_path)
    (tmp_path / "train.py").write_text("print('score: 0.5')\n")
    image = est.training_image_uri()
    assert image is not None and image.endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    est.fit(job_name="framework-job")
    d = est.latest_training_job.describe()
    assert d["AlgorithmSpecification"]["TrainingImage"] == image
    tuner = HyperparameterTuner(
        est,
        objective_metric_name="score",
        hyperparameter_ranges={"x": amtune.ContinuousParameter(0, 1)},
        metric_definitions=[{"Name": "score", "Regex": r"score: (\S+)"}],
        max_jobs=1,
        quiet=True,
        db=tmp_path / "amtune.db",
    )
    tuner.fit()
    tjd = tuner.describe()["TrainingJobDefinition"]
    assert tjd["AlgorithmSpecification"]["TrainingImage"] == image
    # a service the test stops (a Session without one would start a detached service)
    with running_service(tmp_path / "amtune.db") as svc:
        session = Session(db=tmp_path / "amtune.db", url=svc.url)
        assert session.create_model_from_job("framework-job") == "framework-job"
        assert session.describe_model("framework-job")["PrimaryContainer"]["Image"] == image

"""Notebook re-check 16: what the SageMaker SDK v2 (2.257.6) does and amtune now does too.

- F1 ``Estimator.attach`` waits for a running job (``latest_training_job.wait(logs="None")``)
  and raises for a failed one;
- F3 ``register()`` (the Model Registry) raises a ``NotImplementedError`` that says it is not run;
- F5 DescribeTrainingJob reports ``EnableNetworkIsolation``, ``EnableManagedSpotTraining`` and
  ``EnableInterContainerTrafficEncryption`` as the estimator set them, ``attach`` reads them back
  and estimators have ``enable_network_isolation()``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from amtune.sagemaker.estimator import SKLearn
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.model import Model

SLOW = "import os, time\ntime.sleep(2)\nopen(os.path.join(os.environ['SM_MODEL_DIR'], 'm'), 'w')\n"


def _estimator(tmp_path: Path, script: str, **kw: object) -> SKLearn:
    (tmp_path / "train.py").write_text(script)
    return SKLearn(
        entry_point=str(tmp_path / "train.py"),
        framework_version="1.2-1",
        db=tmp_path / "amtune.db",
        notices=False,
        **kw,
    )


def test_attach_waits_for_a_running_job_and_raises_for_a_failed_one(tmp_path: Path) -> None:
    est = _estimator(tmp_path, SLOW)
    est.fit(wait=False, job_name="slow")
    attached = SKLearn.attach("slow", db=tmp_path / "amtune.db")
    # the job sleeps 2 s after its start: Completed here means attach waited for it
    assert attached.describe()["TrainingJobStatus"] == "Completed"
    bad = _estimator(tmp_path, "raise SystemExit(3)\n")
    with pytest.raises(UnexpectedStatusException):
        bad.fit(job_name="bad")
    with pytest.raises(UnexpectedStatusException):
        SKLearn.attach("bad", db=tmp_path / "amtune.db")


def test_register_says_the_model_registry_is_not_run(tmp_path: Path) -> None:
    est = _estimator(tmp_path, "pass\n")
    with pytest.raises(NotImplementedError, match="Model Registry"):
        est.register(content_types=["text/csv"], response_types=["text/csv"])
    with pytest.raises(NotImplementedError, match="Model Registry"):
        Model(model_data=str(tmp_path), image_uri="img").register()


def test_describe_reports_the_flags_the_estimator_set(tmp_path: Path) -> None:
    est = _estimator(tmp_path, "pass\n", enable_network_isolation=True, use_spot_instances=True)
    assert est.enable_network_isolation() is True
    est.fit(job_name="flags")
    d = est.latest_training_job.describe()
    assert d["EnableNetworkIsolation"] is True
    assert d["EnableManagedSpotTraining"] is True
    assert d["EnableInterContainerTrafficEncryption"] is False
    attached = SKLearn.attach("flags", db=tmp_path / "amtune.db")
    assert attached.enable_network_isolation() is True
    assert _estimator(tmp_path, "pass\n").enable_network_isolation() is False


def test_stop_tuning_job_returns_at_once_and_describe_says_stopping(tmp_path: Path) -> None:
    # SageMaker's StopHyperParameterTuningJob returns at once and the job is Stopping until its
    # training jobs have stopped (the SDK's integ test_stop_tuning_job asserts "Stopping";
    # nbcheck15 C1)
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    def slow(hp: dict, reporter: object) -> float:
        time.sleep(1.5)
        return hp["x"]

    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        strategy="Random",
        max_jobs=4,
        max_parallel_jobs=2,
        runner="thread",
        db=tmp_path / "a.db",
        quiet=True,
    )
    t.fit(slow, job_name="stopme", wait=False)
    deadline = time.monotonic() + 30
    while t.describe()["TrainingJobStatusCounters"]["InProgress"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    t.stop_tuning_job()
    assert t.describe()["HyperParameterTuningJobStatus"] == "Stopping"
    t.wait()
    assert t.describe()["HyperParameterTuningJobStatus"] == "Stopped"

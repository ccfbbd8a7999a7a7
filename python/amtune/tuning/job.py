"""``tuner.latest_tuning_job``: the tuning job's name, with the SageMaker SDK's job API.

It is a ``str`` (the name: ``==``, f-strings, JSON and older code that used the name keep
working) with ``name`` and ``job_name``, ``sagemaker_session``, ``describe()``, ``wait()`` and
``stop()``.

>>> import amtune, tempfile, os
>>> tuner = amtune.HyperparameterTuner("score", {"x": amtune.ContinuousParameter(0.0, 1.0)},
...     strategy="Random", max_jobs=1, runner="thread", quiet=True,
...     db=os.path.join(tempfile.mkdtemp(), "amtune.db"))
>>> tuner.fit(lambda hp, reporter: hp["x"], job_name="job-doc")
>>> job = tuner.latest_tuning_job
>>> job == "job-doc", job.name, job.job_name, job.describe()["HyperParameterTuningJobStatus"]
(True, 'job-doc', 'job-doc', 'Completed')
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from amtune.analytics import describe
from amtune.enums import TuningJobStatus
from amtune.store import Store
from amtune.tuning.liveness import stop_tuning_job


class _Tuner(Protocol):
    """What a tuning job reads of its tuner."""

    @property
    def store(self) -> Store: ...

    latest_tuning_job: Any

    @property
    def sagemaker_session(self) -> Any: ...

    def wait(self) -> None: ...

    def stop(self) -> None: ...


class TuningJob(str):
    """A tuning job of a tuner: its name, ``sagemaker_session``, ``describe()``, ``wait()`` and
    ``stop()``."""

    _tuner: _Tuner

    def __new__(cls, name: str, tuner: _Tuner) -> TuningJob:
        job = super().__new__(cls, name)
        job._tuner = tuner
        return job

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))  # pickles as its name

    @property
    def name(self) -> str:
        """The tuning job's name."""
        return str(self)

    @property
    def job_name(self) -> str:
        """The tuning job's name (the SDK's ``_Job.job_name``)."""
        return str(self)

    @property
    def sagemaker_session(self) -> Any:
        """The tuner's session (``HyperparameterTuner.sagemaker_session``), as the SDK's
        ``_Job.sagemaker_session``."""
        return self._tuner.sagemaker_session

    def _is_current(self) -> bool:
        return self._tuner.latest_tuning_job is self

    def describe(self) -> dict[str, Any]:
        """The DescribeHyperParameterTuningJob document."""
        return describe(self._tuner.store, str(self))

    def wait(self) -> None:
        """Block until the tuning job ends (raises if it ended Failed, as ``tuner.wait()``)."""
        if self._is_current():
            self._tuner.wait()
            return
        while TuningJobStatus(self.describe()["HyperParameterTuningJobStatus"]).is_active:
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the tuning job (its running training jobs are stopped; it ends Stopped)."""
        if self._is_current():
            self._tuner.stop()
        else:
            stop_tuning_job(self._tuner.store, str(self))

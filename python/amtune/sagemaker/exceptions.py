"""The error the SageMaker SDK raises when a job ends in a status it did not expect."""

from __future__ import annotations

from collections.abc import Sequence


class UnexpectedStatusException(ValueError):
    """A training or tuning job ended Failed (or Stopped where that was not allowed).

    Named, shaped and worded like ``sagemaker.exceptions.UnexpectedStatusException``, so that
    notebooks catching it keep working: ``actual_status`` and ``allowed_statuses`` are attributes,
    and the message names the job, its status and the reason.

    >>> e = UnexpectedStatusException.for_job("Training job", "j-1", "Failed", "exit code 2")
    >>> str(e)
    'Error for Training job j-1: Failed. Reason: exit code 2'
    >>> isinstance(e, ValueError), e.actual_status
    (True, 'Failed')
    """

    def __init__(self, message: str, allowed_statuses: Sequence[str], actual_status: str) -> None:
        self.allowed_statuses = list(allowed_statuses)
        self.actual_status = actual_status
        super().__init__(message)

    @classmethod
    def for_job(
        cls, kind: str, name: str, status: str, reason: str | None
    ) -> UnexpectedStatusException:
        return cls(
            f"Error for {kind} {name}: {status}. Reason: {reason or '(No reason provided)'}",
            ["Completed", "Stopped"],
            status,
        )


class NoTuningJobError(ValueError, RuntimeError):
    """A tuner method that needs a tuning job (``wait``, ``stop_tuning_job``, ``describe``,
    ``best_training_job``, ``deploy``, ...) called before ``fit()`` or ``attach``.

    The SDK raises ``ValueError("No tuning job available")`` there; this is that ``ValueError``,
    and also the ``RuntimeError`` amtune raised before.

    >>> e = NoTuningJobError()
    >>> str(e).startswith("No tuning job available"), isinstance(e, ValueError)
    (True, True)
    """

    def __init__(self) -> None:
        super().__init__(
            "No tuning job available: call fit() first (or HyperparameterTuner.attach)"
        )


class NoBestTrainingJobError(ValueError):
    """``tuner.best_training_job()`` (or ``tuner.deploy()``) of a tuning job none of whose
    training jobs has reported its objective yet: the SDK raises an ``Exception`` worded so.

    >>> str(NoBestTrainingJobError("tj-1")).split(" (")[0]
    'Best training job not available for tuning job: tj-1'
    """

    def __init__(self, tuning_job: str) -> None:
        super().__init__(
            f"Best training job not available for tuning job: {tuning_job} (no training job's "
            f"objective has succeeded yet)"
        )

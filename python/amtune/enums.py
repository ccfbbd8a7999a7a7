"""The vocabulary of tuning jobs as types: statuses, the objective's direction, rule decisions.

Every enum is a ``str`` whose value is SageMaker's spelling, so a member compares equal to the
string SageMaker writes and the store, JSON documents and f-strings show that string:

>>> TrainingJobStatus.COMPLETED == "Completed", f"{TrainingJobStatus.COMPLETED}"
(True, 'Completed')
>>> ObjectiveType("Maximize").better(2.0, 1.0)
True
"""

from __future__ import annotations

import enum


class _SageMakerName(str, enum.Enum):
    """A ``str`` enum that prints as its value (what ``enum.StrEnum`` does from Python 3.11)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class TrainingJobStatus(_SageMakerName):
    """``TrainingJobStatus`` of a training job."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPED = "Stopped"

    @property
    def is_finished(self) -> bool:
        """Whether the training job has ended.

        >>> TrainingJobStatus.IN_PROGRESS.is_finished
        False
        """
        return self is not TrainingJobStatus.IN_PROGRESS


class ObjectiveStatus(_SageMakerName):
    """``ObjectiveStatus`` of a training job: whether its objective metric is usable."""

    PENDING = "Pending"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class TuningJobStatus(_SageMakerName):
    """``HyperParameterTuningJobStatus``."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPING = "Stopping"
    STOPPED = "Stopped"

    @property
    def is_active(self) -> bool:
        """Whether a driver may still be running it (``InProgress`` or ``Stopping``).

        >>> TuningJobStatus.STOPPING.is_active, TuningJobStatus.STOPPED.is_active
        (True, False)
        """
        return self in (TuningJobStatus.IN_PROGRESS, TuningJobStatus.STOPPING)


class ObjectiveType(_SageMakerName):
    """``HyperParameterTuningJobObjective.Type``: the direction of the objective metric.

    >>> ObjectiveType.MINIMIZE.better(0.1, 0.2), ObjectiveType.MINIMIZE.sign
    (True, 1.0)
    """

    MAXIMIZE = "Maximize"
    MINIMIZE = "Minimize"

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` is strictly better than ``b``."""
        return a > b if self is ObjectiveType.MAXIMIZE else a < b

    @property
    def sign(self) -> float:
        """``+1`` when minimizing, ``-1`` when maximizing: ``sign * value`` is to be minimized."""
        return 1.0 if self is ObjectiveType.MINIMIZE else -1.0


class TrialState(_SageMakerName):
    """The state of an :class:`amtune.Trial` of the ask/tell optimizer (shown as its string, as
    ``Trial``'s repr always has).

    >>> TrialState.PENDING
    'Pending'
    """

    PENDING = "Pending"
    COMPLETED = "Completed"
    FAILED = "Failed"

    def __repr__(self) -> str:
        return repr(self.value)


class JobAction(_SageMakerName):
    """What a rule decides about a running training job."""

    #: stop it: status ``Stopped``, its series and last values kept (early stopping, a rung)
    STOP = "Stop"
    #: end it as ``Completed``: it has used its whole budget (Hyperband's MaxResource)
    COMPLETE = "Complete"


class CompletionCriterion(_SageMakerName):
    """Which of a tuning job's ``TuningJobCompletionCriteria`` ended it."""

    #: the best objective reached ``TargetObjectiveMetricValue``
    TARGET_OBJECTIVE_METRIC_VALUE = "TargetObjectiveMetricValue"
    #: ``MaxNumberOfTrainingJobsNotImproving`` jobs in a row did not improve the best
    BEST_OBJECTIVE_NOT_IMPROVING = "BestObjectiveNotImproving"
    #: ``CompleteOnConvergence``: the bound on the remaining improvement is small
    CONVERGENCE_DETECTED = "ConvergenceDetected"


class StopCause(_SageMakerName):
    """Why the driver asked a training job to stop (it decides the job's status)."""

    #: ``stop()`` or ``amtune stop``, or the tuning job ended by a limit or a completion criterion
    TUNING_JOB_STOPPING = "TuningJobStopping"
    #: the job's own ``MaxRuntimeInSeconds``: it ends ``Failed``
    TIMEOUT = "Timeout"
    #: a rule stopped it (early stopping, a Hyperband rung): it ends ``Stopped``
    RULE_STOP = "RuleStop"
    #: a rule ended it with its budget used up: it ends ``Completed``
    RULE_COMPLETE = "RuleComplete"

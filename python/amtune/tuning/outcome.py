"""The status rules of tuning jobs as pure functions: no processes, no store, no clock.

* A training job ends ``Completed`` (its code finished, or a rule ended it with its budget used
  up), ``Failed`` (an error, a non-zero exit, a missing command, a dead worker process, or its own
  ``MaxRuntimeInSeconds``) or ``Stopped`` (the tuning job stopped it, or a rule did). Its objective
  status is ``Succeeded`` when it is Completed or Stopped and emitted the objective metric (the
  last emission is the final value), else ``Failed``.
* A job whose process died by a signal or failed to start is run again (same hyperparameters)
  while it has retries left, unless it was asked to stop or the tuning job is ending.
* The strategy observes every Succeeded job's final value and every Failed objective as a failed
  trial; a job Stopped before it emitted the objective is dropped (a cancelled trial).
* The tuning job ends ``Stopped`` after a stop request, ``Completed`` when at least one objective
  succeeded, else ``Failed`` with a reason.

>>> from amtune.runners.events import Outcome
>>> end = job_end(Outcome(ok=True), None, {"loss": 0.5}, "loss")
>>> end.status, end.objective_status, end.final_objective
(<TrainingJobStatus.COMPLETED: 'Completed'>, <ObjectiveStatus.SUCCEEDED: 'Succeeded'>, 0.5)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from amtune.enums import ObjectiveStatus, StopCause, TrainingJobStatus, TuningJobStatus
from amtune.runners.events import Outcome


@dataclass(frozen=True)
class StopRequest:
    """Why the driver asked a running training job to stop (``reason`` becomes its
    ``FailureReason`` when the job ends Stopped or Failed)."""

    cause: StopCause
    reason: str


@dataclass(frozen=True)
class JobEnd:
    """The statuses a finished training job gets."""

    status: TrainingJobStatus
    objective_status: ObjectiveStatus
    failure_reason: str | None
    final_objective: float | None


def job_end(
    outcome: Outcome,
    stop: StopRequest | None,
    final_metrics: Mapping[str, float],
    objective_metric_name: str,
) -> JobEnd:
    """The statuses of a training job from how its code ended (``outcome``), why the driver asked
    it to stop (``stop``, None if it did not) and its final metric values.

    >>> timeout = StopRequest(StopCause.TIMEOUT, "it ran too long")
    >>> job_end(Outcome(ok=False, stopped=True), timeout, {"loss": 1.0}, "loss").status
    <TrainingJobStatus.FAILED: 'Failed'>
    """
    status: TrainingJobStatus
    reason: str | None
    if stop is not None and stop.cause is StopCause.TIMEOUT:
        status, reason = TrainingJobStatus.FAILED, stop.reason
    elif stop is not None and stop.cause is StopCause.RULE_COMPLETE:
        status, reason = TrainingJobStatus.COMPLETED, None  # its budget is used up
    elif stop is None and outcome.ok and not outcome.stopped:
        status, reason = TrainingJobStatus.COMPLETED, None  # it ended by itself
    elif stop is not None or outcome.stopped:
        status, reason = TrainingJobStatus.STOPPED, None if stop is None else stop.reason
    else:
        status, reason = TrainingJobStatus.FAILED, outcome.failure_reason
    objective = final_metrics.get(objective_metric_name)
    if status in (TrainingJobStatus.COMPLETED, TrainingJobStatus.STOPPED) and objective is not None:
        objective_status = ObjectiveStatus.SUCCEEDED
    else:
        objective_status = ObjectiveStatus.FAILED
        if status is TrainingJobStatus.COMPLETED:
            reason = f"the objective metric {objective_metric_name!r} was never emitted"
    return JobEnd(status, objective_status, reason, objective)


def should_retry(
    outcome: Outcome,
    stop: StopRequest | None,
    attempts: int,
    max_retry_attempts: int,
    tuning_job_ending: bool,
) -> bool:
    """Whether a training job is run again: its process died by a signal or failed to start (not
    an error of its code), nobody asked it to stop, the tuning job is not ending, and it has made
    at most ``max_retry_attempts`` attempts so far.

    >>> should_retry(Outcome(ok=False, retryable=True), None, 1, 1, False)
    True
    >>> should_retry(Outcome(ok=False, retryable=True), None, 2, 1, False)
    False
    """
    return (
        not outcome.ok
        and outcome.retryable
        and stop is None
        and attempts <= max_retry_attempts
        and not tuning_job_ending
    )


class ObservationKind(enum.Enum):
    """What the strategy learns from a finished training job."""

    VALUE = "value"  # its final objective value
    FAILED = "failed"  # a failed trial
    DROPPED = "dropped"  # nothing: a cancelled trial


@dataclass(frozen=True)
class Observation:
    kind: ObservationKind
    value: float | None = None


def observation(
    status: TrainingJobStatus, objective_status: ObjectiveStatus, value: float | None
) -> Observation:
    """What the strategy learns from a finished job.

    >>> observation(TrainingJobStatus.STOPPED, ObjectiveStatus.FAILED, None).kind
    <ObservationKind.DROPPED: 'dropped'>
    """
    if objective_status is ObjectiveStatus.SUCCEEDED and value is not None:
        if math.isnan(value):
            return Observation(ObservationKind.FAILED)
        return Observation(ObservationKind.VALUE, float(value))
    if status is TrainingJobStatus.STOPPED:
        return Observation(ObservationKind.DROPPED)
    return Observation(ObservationKind.FAILED)


@dataclass(frozen=True)
class TuningJobStop:
    """Why the driver is ending the tuning job early: ``status`` is ``Stopped`` (a stop request)
    or ``Completed`` (a limit or a completion criterion)."""

    status: TuningJobStatus
    reason: str


class EndedJob(Protocol):
    @property
    def status(self) -> TrainingJobStatus: ...
    @property
    def objective_status(self) -> ObjectiveStatus: ...
    @property
    def failure_reason(self) -> str | None: ...


def tuning_job_end(
    stop: TuningJobStop | None, jobs: Sequence[EndedJob]
) -> tuple[TuningJobStatus, str | None]:
    """The status of a tuning job whose loop has ended, and its ``FailureReason``.

    >>> tuning_job_end(None, [])
    (<TuningJobStatus.FAILED: 'Failed'>, 'No training job succeeded: 0 training job(s), 0 failed')
    """
    if stop is not None and stop.status is TuningJobStatus.STOPPED:
        return TuningJobStatus.STOPPED, None
    if any(j.objective_status is ObjectiveStatus.SUCCEEDED for j in jobs):
        return TuningJobStatus.COMPLETED, None
    failed = [j for j in jobs if j.status is TrainingJobStatus.FAILED]
    # Completed jobs whose objective was never emitted: say how many, and why
    silent = [j for j in jobs if j.status is TrainingJobStatus.COMPLETED]
    sample = failed[0] if failed else (silent[0] if silent else None)
    reason = f"No training job succeeded: {len(jobs)} training job(s), {len(failed)} failed"
    if silent:
        reason += f", {len(silent)} never emitted the objective metric"
    if sample is not None and sample.failure_reason:
        reason += f"; {'first failure' if failed else 'e.g.'}: {sample.failure_reason}"
    if stop is not None:
        reason += f"; ended because {stop.reason}"
    return TuningJobStatus.FAILED, reason

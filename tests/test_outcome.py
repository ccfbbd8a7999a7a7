"""The status rules of training and tuning jobs as pure functions: no process, no store."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from amtune.enums import ObjectiveStatus, StopCause, TrainingJobStatus, TuningJobStatus
from amtune.runners.events import Outcome
from amtune.tuning.outcome import (
    ObservationKind,
    StopRequest,
    TuningJobStop,
    job_end,
    observation,
    should_retry,
    tuning_job_end,
)

C, F, S = TrainingJobStatus.COMPLETED, TrainingJobStatus.FAILED, TrainingJobStatus.STOPPED
OK, NO = ObjectiveStatus.SUCCEEDED, ObjectiveStatus.FAILED

USER = StopRequest(StopCause.TUNING_JOB_STOPPING, "stop requested")
TIMEOUT = StopRequest(StopCause.TIMEOUT, "the training job exceeded its MaxRuntimeInSeconds")
RULE = StopRequest(StopCause.RULE_STOP, "early stopping: worse than the median")
BUDGET = StopRequest(StopCause.RULE_COMPLETE, "Hyperband: reached MaxResource")

ENDED = Outcome(ok=True)
STOPPED = Outcome(ok=True, stopped=True)  # it noticed the stop request and returned
KILLED = Outcome(ok=False, failure_reason="killed by SIGTERM", stopped=True)
ERROR = Outcome(ok=False, failure_reason="AlgorithmError: exit code 1")
SIGNAL = Outcome(ok=False, failure_reason="killed by SIGKILL", retryable=True)


@pytest.mark.parametrize(
    ("outcome", "stop", "metrics", "expected"),
    [
        # it ended by itself
        (ENDED, None, {"loss": 0.5}, (C, OK, None, 0.5)),
        (ENDED, None, {}, (C, NO, "the objective metric 'loss' was never emitted", None)),
        (ENDED, None, {"acc": 1.0}, (C, NO, "the objective metric 'loss' was never emitted", None)),
        # its code failed
        (ERROR, None, {"loss": 0.5}, (F, NO, "AlgorithmError: exit code 1", 0.5)),
        (SIGNAL, None, {}, (F, NO, "killed by SIGKILL", None)),
        # the tuning job stopped it: Stopped, with its last objective if it emitted one
        (STOPPED, USER, {"loss": 0.5}, (S, OK, "stop requested", 0.5)),
        (KILLED, USER, {}, (S, NO, "stop requested", None)),
        (ENDED, USER, {"loss": 0.5}, (S, OK, "stop requested", 0.5)),  # ended in the meantime
        # a rule stopped it
        (KILLED, RULE, {"loss": 2.0}, (S, OK, RULE.reason, 2.0)),
        # a rule ended it with its budget used up: Completed
        (KILLED, BUDGET, {"loss": 0.1}, (C, OK, None, 0.1)),
        (STOPPED, BUDGET, {}, (C, NO, "the objective metric 'loss' was never emitted", None)),
        # its own time limit: Failed, whatever it emitted
        (KILLED, TIMEOUT, {"loss": 0.1}, (F, NO, TIMEOUT.reason, 0.1)),
        (ENDED, TIMEOUT, {}, (F, NO, TIMEOUT.reason, None)),
        # stopped without the driver asking (a thread job told to stop by a previous request)
        (STOPPED, None, {"loss": 0.3}, (S, OK, None, 0.3)),
    ],
)
def test_job_end(outcome, stop, metrics, expected):
    end = job_end(outcome, stop, metrics, "loss")
    assert (end.status, end.objective_status, end.failure_reason, end.final_objective) == expected
    assert isinstance(end.status, TrainingJobStatus)
    assert isinstance(end.objective_status, ObjectiveStatus)


@pytest.mark.parametrize(
    ("outcome", "stop", "attempts", "ending", "expected"),
    [
        (SIGNAL, None, 1, False, True),
        (SIGNAL, None, 2, False, True),  # the second attempt of two allowed retries
        (SIGNAL, None, 3, False, False),  # retries used up
        (SIGNAL, USER, 1, False, False),  # it was asked to stop
        (SIGNAL, None, 1, True, False),  # the tuning job is ending
        (ERROR, None, 1, False, False),  # an error of the training code is not retried
        (ENDED, None, 1, False, False),
    ],
)
def test_should_retry(outcome, stop, attempts, ending, expected):
    assert should_retry(outcome, stop, attempts, 2, ending) is expected


def test_no_retry_without_retry_attempts():
    assert not should_retry(SIGNAL, None, 1, 0, False)


@pytest.mark.parametrize(
    ("status", "objective_status", "value", "kind", "observed"),
    [
        (C, OK, 0.5, ObservationKind.VALUE, 0.5),
        (S, OK, 0.7, ObservationKind.VALUE, 0.7),  # a stopped job with its last value
        (C, NO, None, ObservationKind.FAILED, None),
        (F, NO, 0.5, ObservationKind.FAILED, None),  # a failed job's value is not learned
        (S, NO, None, ObservationKind.DROPPED, None),  # stopped before any objective
        (C, OK, math.nan, ObservationKind.FAILED, None),
    ],
)
def test_observation(status, objective_status, value, kind, observed):
    obs = observation(status, objective_status, value)
    assert obs.kind is kind and obs.value == observed


@dataclass
class Job:
    status: TrainingJobStatus
    objective_status: ObjectiveStatus
    failure_reason: str | None = None


def test_a_tuning_job_completes_when_one_objective_succeeded():
    jobs = [Job(F, NO, "boom"), Job(C, OK)]
    assert tuning_job_end(None, jobs) == (TuningJobStatus.COMPLETED, None)
    limit = TuningJobStop(TuningJobStatus.COMPLETED, "the tuning job reached MaxRuntimeInSeconds")
    assert tuning_job_end(limit, jobs) == (TuningJobStatus.COMPLETED, None)


def test_a_stop_request_wins():
    stop = TuningJobStop(TuningJobStatus.STOPPED, "stop requested")
    assert tuning_job_end(stop, [Job(C, OK)]) == (TuningJobStatus.STOPPED, None)
    assert tuning_job_end(stop, []) == (TuningJobStatus.STOPPED, None)


def test_a_tuning_job_without_a_succeeded_objective_fails_with_the_first_failure():
    jobs = [Job(S, NO, "stopped"), Job(F, NO, "first"), Job(F, NO, "second")]
    status, reason = tuning_job_end(None, jobs)
    assert status is TuningJobStatus.FAILED
    assert reason == "No training job succeeded: 3 training job(s), 2 failed; first failure: first"
    criteria = TuningJobStop(TuningJobStatus.COMPLETED, "the best objective reached the target")
    assert tuning_job_end(criteria, [Job(S, NO)]) == (
        TuningJobStatus.FAILED,
        "No training job succeeded: 1 training job(s), 0 failed; "
        "ended because the best objective reached the target",
    )

"""What rules decide, as values: a decision about a running training job, or to complete the
tuning job."""

from __future__ import annotations

from dataclasses import dataclass

from amtune.enums import CompletionCriterion, JobAction


@dataclass(frozen=True)
class JobDecision:
    """A rule's decision to end a running training job.

    ``rule`` names the rule, ``reason`` becomes the job's ``FailureReason`` when it is stopped,
    ``resource`` is the resource (epochs) at which a Hyperband rung decided, if any.
    ``one_step_later``: a stop reaches the job one step after the emission that decided it (the
    driver's ``_decide``), as SageMaker's early stopping, which reads the metrics from the logs.

    >>> JobDecision("Hyperband", JobAction.COMPLETE, "it reached MaxResource", resource=9).action
    <JobAction.COMPLETE: 'Complete'>
    """

    rule: str
    action: JobAction
    reason: str
    resource: int | None = None
    one_step_later: bool = False


@dataclass(frozen=True)
class CompletionDecision:
    """A rule's decision to end the whole tuning job as ``Completed`` (a completion criterion met).

    ``reason`` is shown to the user and kept in the tuning job's ``TuningJobCompletionDetails``.

    >>> d = CompletionDecision(CompletionCriterion.TARGET_OBJECTIVE_METRIC_VALUE, "target reached")
    >>> f"{d.criterion}"
    'TargetObjectiveMetricValue'
    """

    criterion: CompletionCriterion
    reason: str

"""Extension points of the tuning-job loop: the rule (hook) protocol.

The loop in :mod:`amtune.tuning.driver` calls a list of :class:`TuningJobHook` objects:

* ``on_start(run)`` once, before the first proposal (and again on resume), after the history
  of the job is loaded; warm start adds its parents' observations here.
* ``on_metric(run, job, name, step, value)`` after every metric emission of a running training job;
  returning a :class:`JobDecision` ends that job: ``JobAction.STOP`` stops it (status Stopped,
  series and last value kept, the job counts as an observation for the strategy),
  ``JobAction.COMPLETE`` ends it as Completed (its budget is used up). The driver records the
  decision in the store, so a resumed job's rules see it (``job.decision``). Early stopping and
  Hyperband live here.
* ``after_job(run, job)`` after every finished training job (its final state is recorded); returning
  a :class:`CompletionDecision` ends the tuning job (status Completed, running jobs stopped).
  Completion criteria live here; they may set ``run.completion_details``
  (``TuningJobCompletionDetails``).

``run`` is the :class:`amtune.tuning.state.TuningRun` (its ``jobs`` hold every training job's
state and series, ``best`` the best finished job). Retries (``max_retry_attempts``) are handled by
the loop itself: a job whose process died by a signal or failed to start is run again with the
same hyperparameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amtune.rules.decisions import CompletionDecision, JobDecision

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.state import TrainingJobState, TuningRun


class TuningJobHook:
    """Base class: override what you need; every method is optional."""

    def on_start(self, run: TuningRun) -> None:
        pass

    def on_metric(
        self, run: TuningRun, job: TrainingJobState, name: str, step: int | None, value: float
    ) -> JobDecision | None:
        return None

    def after_job(self, run: TuningRun, job: TrainingJobState) -> CompletionDecision | None:
        return None

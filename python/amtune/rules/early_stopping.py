"""Early stopping of training jobs (``early_stopping_type="Auto"``): the median stopping rule.

SageMaker's rule ("Stop Training Jobs Early"), made exact:

* A training job's objective metric is emitted repeatedly (one emission per epoch: a line matched
  by the metric definition, or ``reporter.report(name, value, step)``). Each emission has a *step*:
  the ``step`` given to ``reporter.report``, else the number of earlier emissions of that metric
  in the job (0, 1, 2, ...), which is always the case for commands.
* For an earlier training job ``j`` (any training job of this tuning job that has *ended*, whatever
  its status) and a step ``s``, ``j`` *reached* ``s`` when it emitted the objective at some step
  ``>= s``; its *running average* at ``s`` is the mean of its objective emissions at steps ``<= s``.
* After every emission ``(s, v)`` of a running training job, let ``M`` be the median of the running
  averages at ``s`` of the earlier training jobs that reached ``s``. If there are at least
  ``MIN_EARLIER_JOBS = 3`` of them and ``v`` is worse than ``M`` (``v > M`` when minimizing,
  ``v < M`` when maximizing; a tie is not worse), the training job is stopped.
* A stopped training job has status ``Stopped`` and the reason in its ``FailureReason``; it keeps
  its metric series, its final objective is its last emission, its objective status is
  ``Succeeded``, and the strategy observes that value like any other result (it is a finished
  observation). It counts in ``max_jobs``.
* Stopping: a command gets SIGTERM, then SIGKILL after ``stop_grace_seconds``; a Python callable is
  told through its reporter (``reporter.should_stop()`` becomes true and the next
  ``reporter.report`` raises ``amtune.runners.StopTraining``), and a worker process that does not
  end within the grace period is terminated. Emissions that arrive after the decision are kept.

Only the tuning job's own training jobs are compared (a warm start's parents are not). The rule is
not available with the Hyperband strategy, which stops training jobs itself (as in SageMaker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from amtune.enums import JobAction, ObjectiveType, TrainingJobStatus
from amtune.errors import FieldError
from amtune.rules.base import TuningJobHook
from amtune.rules.decisions import CompletionDecision, JobDecision

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.settings import TuningJobSettings
    from amtune.tuning.state import TrainingJobState, TuningRun

#: The name of this rule in its decisions (``JobDecision.rule``, the store's ``rule_decisions``).
RULE = "EarlyStopping"
MIN_EARLIER_JOBS = 3

__all__ = ["MIN_EARLIER_JOBS", "MedianStoppingRule", "make_early_stopping_hook", "running_averages"]


def running_averages(
    series: list[tuple[int | None, float, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """(steps, running average up to each step) of one job's emissions ``(step, time, value)``.

    Emissions are ordered by step (stable); a ``None`` step is the emission's index. When a step
    occurs more than once, the running average at that step includes all of its emissions.
    """
    steps = np.array([i if s is None else s for i, (s, _, _) in enumerate(series)], dtype=np.int64)
    values = np.array([v for _, _, v in series], dtype=np.float64)
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    avg = np.cumsum(values) / np.arange(1, len(values) + 1)
    # keep the last entry of each step: the average over every emission at steps <= s
    last = np.r_[steps[1:] != steps[:-1], True] if len(steps) else np.zeros(0, dtype=bool)
    return steps[last], avg[last]


class MedianStoppingRule(TuningJobHook):
    """The median stopping rule as a tuning-job hook (see the module docstring)."""

    def __init__(
        self,
        objective_metric_name: str,
        objective_type: str,
        min_earlier_jobs: int = MIN_EARLIER_JOBS,
    ) -> None:
        self.metric = objective_metric_name
        self.maximize = ObjectiveType(objective_type) is ObjectiveType.MAXIMIZE
        self.min_earlier_jobs = min_earlier_jobs
        self._curves: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._version = 0
        self._medians: dict[int, tuple[int, float | None, int]] = {}

    # -- bookkeeping of ended jobs
    def _ingest(self, job: TrainingJobState) -> None:
        series = job.series.get(self.metric)
        if job.status is TrainingJobStatus.IN_PROGRESS or not series:
            return
        self._curves[job.seq] = running_averages(series)
        self._version += 1

    def on_start(self, run: TuningRun) -> None:
        for job in run.jobs.values():
            self._ingest(job)

    def after_job(self, run: TuningRun, job: TrainingJobState) -> CompletionDecision | None:
        self._ingest(job)
        return None

    # -- the rule
    def median_at(self, step: int) -> tuple[float | None, int]:
        """(median of the running averages at ``step`` of the ended jobs that reached it, count)."""
        hit = self._medians.get(step)
        if hit is not None and hit[0] == self._version:
            return hit[1], hit[2]
        vals = []
        for steps, avg in self._curves.values():
            if not len(steps) or steps[-1] < step:
                continue  # did not reach this step
            i = int(np.searchsorted(steps, step, side="right")) - 1
            if i >= 0:
                vals.append(avg[i])
        med = float(np.median(vals)) if vals else None
        self._medians[step] = (self._version, med, len(vals))
        return med, len(vals)

    def on_metric(
        self, run: TuningRun, job: TrainingJobState, name: str, step: int | None, value: float
    ) -> JobDecision | None:
        if name != self.metric:
            return None
        if step is None:
            step = len(job.series.get(name, [])) - 1
        med, count = self.median_at(int(step))
        if med is None or count < self.min_earlier_jobs:
            return None
        worse = value < med if self.maximize else value > med
        if not worse:
            return None
        return JobDecision(
            RULE,
            JobAction.STOP,
            f"early stopping: objective {value:g} at step {step} is worse than the median "
            f"{med:g} of the running averages of {count} earlier training jobs at that step",
            one_step_later=True,
        )


def make_early_stopping_hook(tuner: TuningJobSettings) -> MedianStoppingRule:
    """The median stopping rule for ``tuner`` (``early_stopping_type="Auto"``)."""
    if tuner.strategy == "Hyperband":
        raise FieldError(
            "early_stopping_type",
            'must be "Off" with the Hyperband strategy, which '
            "stops training jobs itself (as in SageMaker)",
        )
    return MedianStoppingRule(tuner.objective_metric_name, tuner.objective_type)

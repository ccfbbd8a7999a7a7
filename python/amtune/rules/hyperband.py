"""The ``Hyperband`` strategy of tuning jobs: asynchronous successive halving across brackets.

SageMaker's Hyperband (``Strategy="Hyperband"``, ``StrategyConfig.HyperbandStrategyConfig``
``{MinResource, MaxResource}``) uses the intermediate values of the objective metric, emitted by a
training job once per epoch, to stop under-performing training jobs early and leave the parallel
slots to promising ones. amtune implements it as ASHA (asynchronous successive halving, Li et al.
2020, "A System for Massively Parallel Hyperparameter Tuning") run in the brackets of Hyperband
(Li et al. 2018), with ``ETA = 3``. The exact rule:

* **Resource.** Each emission of the objective has a step (as for early stopping): the ``step``
  given to ``reporter.report(name, value, step)``, else the number of earlier emissions of the
  objective in the job (0, 1, 2, ...; always the case for commands, whose objective is matched once
  per epoch in their output). Its *resource* is ``step + 1``: the number of epochs done when the
  step counts epochs from 0 (``reporter.report("loss", v, step=epoch)`` for ``epoch`` in
  ``range(epochs)``), or the emission's 1-based position.
* **Brackets.** With ``r = MinResource`` and ``R = MaxResource``, ``s_max`` is the largest ``s``
  with ``r * 3**s <= R``. Bracket ``s`` (``0 <= s <= s_max``) has the *rungs*
  ``r * 3**k`` for ``k = s, s+1, ...`` below ``R``: bracket 0 is the most aggressive (its first
  rung is ``MinResource``), bracket ``s_max`` stops little or nothing. Training jobs are assigned
  to brackets in Hyperband's proportions: bracket ``s`` gets weight
  ``n_s = ceil((s_max + 1) / (s_max - s + 1) * 3**(s_max - s))`` (the number of configurations
  Hyperband starts in it), and the ``i``-th training job (``i = seq - 1``) goes to the bracket with
  the largest deficit ``(i + 1) * n_s / sum(n) - (jobs already in s)``, the lowest ``s`` on a tie
  (a smooth weighted round-robin: deterministic, interleaved, resumable).
* **Rungs.** The first emission of a training job whose resource is at least a rung of its
  bracket records its value at that rung (an emission that jumps several rungs is recorded at each,
  in order). The job continues only if its value is in the top ``1/3`` of the values recorded at
  that rung so far, its own included: with ``n`` values recorded of which ``b`` are strictly better
  (larger when maximizing, smaller when minimizing), it continues iff ``3 * b < n``; ties favour
  continuing, and the first job to reach a rung always continues. Otherwise it is stopped. Values
  recorded by every training job of the tuning job count (running, ended and stopped ones alike);
  each bracket has its own rungs. A NaN value stops the job and is not recorded.
* **MaxResource.** A training job that emits the objective at a resource ``>= R`` has used its
  budget and ends with status ``Completed``. It is left to end by itself (a script whose loop
  ends there saves its model after its last emission) for the time of one more resource unit
  (its mean so far), at least ``stop_grace_seconds`` and at most 120 s; one still running then
  trains beyond the budget and is stopped.
* **Stopped jobs** (as with early stopping) have status ``Stopped`` and the reason in
  ``FailureReason``; they keep their metric series, their final objective is their last emission,
  their objective status is ``Succeeded`` and the strategy observes that value (a finished
  observation). They count in ``max_jobs``.
* **Proposals** are Random search (uniform on each range's scale, no repeats on finite spaces), as
  SageMaker's Hyperband samples configurations itself; ``Optimizer(space, "Hyperband", ...)`` alone
  is Random search (the rung rule needs a tuning job's per-epoch metrics).
* **Budget of a job.** A training job is not told its resource budget: amtune stops it at a rung
  or at ``MaxResource``. Set the static hyperparameter of its epochs to at least ``MaxResource``;
  when ``MaxResource`` is not given it is read from the static hyperparameter ``epochs``,
  ``numepochs``, ``n-epochs``, ``n_epochs`` or ``num_epochs`` (SageMaker's keys). ``MinResource``
  defaults to 1. Both are integers with ``1 <= MinResource <= MaxResource <= 20000``.
* ``early_stopping_type`` must be ``"Off"`` (Hyperband stops training jobs itself, as in SageMaker);
  warm start is not available with Hyperband (it needs Bayesian or Random).
  A training job that emits the objective only once (e.g. a callable that only returns its final
  value) is never stopped by Hyperband.

On resume the rung records are rebuilt from the ended training jobs' series (every rung each of
them crossed, up to the decision for the jobs the rule stopped); training jobs that are re-run
start from scratch.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

from amtune.enums import JobAction, ObjectiveType, TrainingJobStatus
from amtune.rules.base import TuningJobHook
from amtune.rules.decisions import JobDecision
from amtune.strategies.hyperband import EPOCH_KEYS, ETA

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.settings import TuningJobSettings
    from amtune.tuning.state import TrainingJobState, TuningRun

#: The name of this rule in its decisions.
RULE = "Hyperband"

__all__ = [
    "EPOCH_KEYS",
    "ETA",
    "HyperbandHook",
    "SuccessiveHalving",
    "make_hyperband_hook",
]


# ====================================================================== the rung rule
class SuccessiveHalving:
    """The rung logic of asynchronous successive halving in Hyperband brackets (no processes).

    Jobs are identified by their ``seq`` (1, 2, ...), which fixes their bracket. ``report(seq,
    resource, value)`` returns None (continue) or a :class:`amtune.rules.base.JobDecision`.

    >>> sh = SuccessiveHalving(1, 9, maximize=False)
    >>> sh.rungs(0), sh.rungs(1), sh.rungs(2)
    ((1, 3), (3,), ())
    >>> sh.report(1, 1, 0.5) is None  # the first value at a rung continues
    True
    >>> sh.bracket(2), sh.bracket(3)
    (1, 0)
    >>> sh.report(3, 1, 0.9).action  # worse than 0.5: 1 of 2 values better, 3 * 1 >= 2
    <JobAction.STOP: 'Stop'>
    """

    def __init__(
        self, min_resource: int, max_resource: int, maximize: bool, eta: int = ETA
    ) -> None:
        if not 1 <= min_resource <= max_resource:
            raise ValueError(
                f"need 1 <= min_resource <= max_resource, got {min_resource}, {max_resource}"
            )
        if eta < 2:
            raise ValueError(f"eta: must be an integer >= 2, got {eta}")
        self.min_resource = int(min_resource)
        self.max_resource = int(max_resource)
        self.maximize = bool(maximize)
        self.eta = int(eta)
        s_max = 0
        while self.min_resource * self.eta ** (s_max + 1) <= self.max_resource:
            s_max += 1
        self.s_max = s_max
        self._rungs: list[tuple[int, ...]] = []
        for s in range(s_max + 1):
            rs, k = [], s
            while self.min_resource * self.eta**k < self.max_resource:
                rs.append(self.min_resource * self.eta**k)
                k += 1
            self._rungs.append(tuple(rs))
        self.weights = [
            math.ceil((s_max + 1) * self.eta ** (s_max - s) / (s_max - s + 1))
            for s in range(s_max + 1)
        ]
        self._assigned: list[int] = []  # bracket of job i (seq i + 1)
        self._counts = [0] * (s_max + 1)
        #: (bracket, rung index) -> sorted values recorded there
        self.records: dict[tuple[int, int], list[float]] = {}
        self._next: dict[int, int] = {}  # seq -> index of its next rung
        self._done: set[int] = set()  # seqs with a decision (stopped or completed)

    # -- brackets
    def rungs(self, bracket: int) -> tuple[int, ...]:
        """The rung resources of ``bracket`` (ascending, all below MaxResource)."""
        return self._rungs[bracket]

    def bracket(self, seq: int) -> int:
        """The bracket of training job ``seq`` (1-based), by smooth weighted round-robin."""
        if seq < 1:
            raise ValueError(f"seq: must be >= 1, got {seq}")
        total = sum(self.weights)
        while len(self._assigned) < seq:
            i = len(self._assigned)
            # deficits scaled by sum(n): exact integers, so ties are exact
            deficits = [
                (i + 1) * w - c * total for w, c in zip(self.weights, self._counts, strict=True)
            ]
            s = max(range(len(deficits)), key=lambda j: (deficits[j], -j))
            self._assigned.append(s)
            self._counts[s] += 1
        return self._assigned[seq - 1]

    # -- the rule
    def n_better(self, values: list[float], v: float) -> int:
        """How many of the sorted ``values`` are strictly better than ``v``."""
        if self.maximize:
            return len(values) - bisect.bisect_right(values, v)
        return bisect.bisect_left(values, v)

    def report(
        self, seq: int, resource: int, value: float, record_only: bool = False
    ) -> JobDecision | None:
        """Record an emission of job ``seq``; the decision (None: the job continues).

        ``record_only`` (rebuilding from ended jobs) records every rung crossed and decides
        nothing.
        """
        if seq in self._done:
            return None
        s = self.bracket(seq)
        rungs = self._rungs[s]
        k = self._next.get(seq, 0)
        nan = isinstance(value, float) and math.isnan(value)
        while k < len(rungs) and resource >= rungs[k]:
            if nan:
                if record_only:
                    k = len(rungs)
                    break
                self._done.add(seq)
                return JobDecision(
                    RULE,
                    JobAction.STOP,
                    f"Hyperband: objective NaN at resource {resource} (bracket {s}, "
                    f"rung {rungs[k]})",
                    resource,
                )
            vals = self.records.setdefault((s, k), [])
            bisect.insort(vals, float(value))
            k += 1
            self._next[seq] = k
            if record_only:
                continue
            n, b = len(vals), self.n_better(vals, float(value))
            if self.eta * b >= n:
                self._done.add(seq)
                return JobDecision(
                    RULE,
                    JobAction.STOP,
                    f"Hyperband: objective {value:g} at resource {resource} is not in the top "
                    f"1/{self.eta} of the {n} values at rung {rungs[k - 1]} of bracket {s} "
                    f"({b} better)",
                    resource,
                )
        self._next[seq] = k
        if resource >= self.max_resource and not record_only:
            self._done.add(seq)
            return JobDecision(
                RULE,
                JobAction.COMPLETE,
                f"Hyperband: reached MaxResource ({self.max_resource}) at resource {resource}",
                resource,
            )
        return None


# ====================================================================== the tuning-job hook
class HyperbandHook(TuningJobHook):
    """Applies :class:`SuccessiveHalving` to the objective emissions of a tuning job."""

    def __init__(
        self,
        objective_metric_name: str,
        objective_type: str,
        min_resource: int,
        max_resource: int,
    ) -> None:
        self.metric = objective_metric_name
        maximize = ObjectiveType(objective_type) is ObjectiveType.MAXIMIZE
        self.rule = SuccessiveHalving(min_resource, max_resource, maximize)

    @staticmethod
    def resources(series: list[tuple[int | None, float, float]]) -> list[tuple[int, float]]:
        """(resource, value) of each emission: its step + 1 (a None step is its index)."""
        return [((i if s is None else int(s)) + 1, v) for i, (s, _, v) in enumerate(series)]

    def on_start(self, run: TuningRun) -> None:
        for job in sorted(run.jobs.values(), key=lambda j: j.seq):
            if job.status is TrainingJobStatus.IN_PROGRESS:
                continue  # re-run from scratch
            # a job this rule stopped recorded nothing after the decision; emissions that arrived
            # after it are not recorded again
            d = job.decision
            limit = d.resource if d is not None and d.rule == RULE else None
            for r, v in self.resources(job.series.get(self.metric, [])):
                if limit is not None and r > limit:
                    break
                self.rule.report(job.seq, r, v, record_only=True)

    def on_metric(
        self, run: TuningRun, job: TrainingJobState, name: str, step: int | None, value: float
    ) -> JobDecision | None:
        if name != self.metric:
            return None
        if step is None:
            step = len(job.series.get(name, [])) - 1  # this emission's index
        resource = int(step) + 1
        d = self.rule.report(job.seq, resource, float(value))
        if d is None:
            return None
        return d


def make_hyperband_hook(tuner: TuningJobSettings) -> HyperbandHook:
    """The Hyperband rule for a tuner with ``strategy="Hyperband"`` (resolved strategy_config)."""
    sc = tuner.strategy_config
    return HyperbandHook(
        tuner.objective_metric_name,
        tuner.objective_type,
        int(sc["min_resource"]),
        int(sc["max_resource"]),
    )

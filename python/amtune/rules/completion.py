"""Completion criteria of a tuning job (SageMaker's ``TuningJobCompletionCriteria``).

``TuningJobCompletionCriteriaConfig(max_number_of_training_jobs_not_improving=None,
complete_on_convergence=None, target_objective_metric_value=None)`` (the SageMaker SDK's
arguments; ``best_objective_not_improving=BestObjectiveNotImproving(n)`` and
``convergence_detected=ConvergenceDetected("Enabled")`` are accepted too). The criteria are checked,
in this order, after every training job that ends; the first one met completes the tuning job:
its status is ``Completed``, ``describe()["TuningJobCompletionReason"]`` says why, training jobs
still running are stopped (status ``Stopped``), and no new training job starts.

Rules
-----
Values are the training jobs' final objective values; "better" means higher when maximizing,
lower when minimizing. Only this tuning job's own training jobs count (not a warm start's parents).

**Target value** (``target_objective_metric_value = t``): met when the best objective is at least
``t`` (maximizing) or at most ``t`` (minimizing).

**Best objective not improving** (``max_number_of_training_jobs_not_improving = N``, ``N >= 3``):
training jobs are taken in the order they ended (ties by start order). A training job *improves*
when its objective succeeded and its value ``v`` beats the reference ``r`` by at least 1% of
``|r|``: ``v - r >= 0.01 |r|`` when maximizing, ``r - v >= 0.01 |r|`` when minimizing. When ``r ==
0`` any strictly better value improves: that is the limit of the relative rule (the relative
improvement over 0 of any better value is infinite), and an absolute threshold would need a scale
that amtune cannot know. The reference is the value of the last improving training job (the first
job with a succeeded objective starts it), so a run of small improvements that adds up to 1% counts
as an improvement. Every later training job that does not improve (a worse or marginally better
value, a Failed job, a Failed objective) adds one to the count; a training job Stopped before it
emitted the objective is not an observation and does not count; jobs that ended before the first
succeeded objective do not count. The criterion is met when the count reaches ``N``. ``describe()``
reports the current count as
``TuningJobCompletionDetails.NumberOfTrainingJobsObjectiveNotImproving`` (it can exceed ``N`` by
the jobs that were running when the tuning job completed).

**Convergence** (``complete_on_convergence=True`` / ``"Enabled"``), after Makarova et al. 2022,
"Automatic termination for hyperparameter optimization" (AutoML-Conf): the Bayesian strategy's
Gaussian process (:class:`amtune.strategies.surrogate.Surrogate`: the compiled engine's model with
MAP hyperparameters, outputs standardized) is fitted to every observation with a value in the
strategy's history (minimization sense; a warm start's IdenticalDataAndAlgorithm parents included;
hyperparameters fitted on at most 128 of them, warm-started from the previous check's fit and
refitted from several starts whenever the history grew by half; beyond 256 observations the
posterior uses the big-history bound of the strategy). With
``t`` observations in ``d`` dimensions and ``beta_t = 0.2 * 2 log(d t^2 pi^2 / (6 delta))``,
``delta = 0.1`` (the GP-UCB schedule of Srinivas et al. 2010 scaled by 1/5, as is usual in
practice):

* ``UCB* = min over the observed configurations of mu(x) + sqrt(beta_t) sigma(x)``, a pessimistic
  estimate of the best configuration found;
* ``LCB* = min over the search space of mu(x) - sqrt(beta_t) sigma(x)``, an optimistic estimate of
  the best reachable value (512 scrambled Halton points, 16 perturbations of each of the 8
  configurations with the lowest posterior mean, the observed configurations, then L-BFGS from the
  4 best candidates);
* the remaining regret is bounded by ``R = UCB* - LCB*``.

The tuning job has converged when ``R < epsilon`` with ``epsilon = max(sigma_noise, 0.01 |best|)``:
``sigma_noise`` is the GP's estimate of the evaluation noise (the standard deviation of repeated
evaluations, which is what Makarova et al. compare with: optimizing further is below the statistical
error of the objective), and ``0.01 |best|`` is the "improvement" threshold of the rule above (no
further improvement that the not-improving rule would count is plausible). The rule is checked once
there are at least ``max(20, 4 d)`` such observations. ``describe()`` reports
``TuningJobCompletionDetails.ConvergenceDetectedTime``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from amtune.enums import CompletionCriterion, ObjectiveStatus, ObjectiveType, TrainingJobStatus
from amtune.rules.base import TuningJobHook
from amtune.rules.decisions import CompletionDecision
from amtune.sagemaker.config import (
    BestObjectiveNotImproving,
    ConvergenceDetected,
    TuningJobCompletionCriteriaConfig,
)
from amtune.space import SearchSpace
from amtune.strategies.surrogate import Surrogate, candidate_points, minimize_encoded

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.settings import TuningJobSettings
    from amtune.tuning.state import TrainingJobState, TuningRun

__all__ = [
    "BestObjectiveNotImproving",
    "ConvergenceDetected",
    "RegretBound",
    "TuningJobCompletionCriteriaConfig",
    "improves",
    "make_completion_hook",
    "min_observations_for_convergence",
    "not_improving_count",
    "regret_bound",
]

IMPROVEMENT_FRACTION = 0.01
CONVERGENCE_DELTA = 0.1
CONVERGENCE_BETA_SCALE = 0.2


# ====================================================================== not improving
def improves(value: float, reference: float, objective_type: str) -> bool:
    """True when ``value`` improves on ``reference`` by at least 1% of ``|reference|``
    (any strict improvement when ``reference == 0``).

    >>> improves(0.99, 1.0, "Minimize"), improves(0.995, 1.0, "Minimize")
    (True, False)
    >>> improves(-1e-9, 0.0, "Minimize")
    True
    """
    gain = value - reference if objective_type == ObjectiveType.MAXIMIZE else reference - value
    if reference == 0:
        return gain > 0
    return gain >= IMPROVEMENT_FRACTION * abs(reference)


def _fields(job: Any) -> tuple[str, str, float | None, float, int]:
    if isinstance(job, dict):
        return (
            job["status"],
            job["objective_status"],
            job["final_objective"],
            job["end_time"] or 0.0,
            job["seq"],
        )
    return job.status, job.objective_status, job.final_objective, job.end_time or 0.0, job.seq


def not_improving_count(jobs: Iterable[Any], objective_type: str) -> int:
    """Training jobs since the last improving one (the rule of this module's docstring).

    ``jobs`` are store rows (dicts) or :class:`amtune.tuning.state.TrainingJobState`; unfinished
    ones are ignored, the others taken in end order.
    """
    done = []
    for j in jobs:
        status, obj_status, value, end, seq = _fields(j)
        if status == TrainingJobStatus.IN_PROGRESS:
            continue
        if status == TrainingJobStatus.STOPPED and obj_status != ObjectiveStatus.SUCCEEDED:
            continue  # cancelled: not an observation
        ok = obj_status == ObjectiveStatus.SUCCEEDED and value is not None and math.isfinite(value)
        done.append((end, seq, ok, value))
    done.sort(key=lambda r: (r[0], r[1]))
    ref: float | None = None
    count = 0
    for _, _, ok, value in done:
        if ref is None:
            if ok:
                ref, count = value, 0
            continue
        if ok and improves(value, ref, objective_type):  # type: ignore[arg-type]
            ref, count = value, 0
        else:
            count += 1
    return count


# ====================================================================== convergence
def min_observations_for_convergence(dim: int) -> int:
    """Observations needed before the convergence rule is checked: ``max(20, 4 d)``."""
    return max(20, 4 * dim)


def beta(t: int, dim: int, delta: float = CONVERGENCE_DELTA) -> float:
    """``0.2 * 2 log(d t^2 pi^2 / (6 delta))`` (Srinivas et al. 2010, Theorem 1, scaled by 1/5)."""
    return CONVERGENCE_BETA_SCALE * 2.0 * math.log(max(dim, 1) * t * t * math.pi**2 / (6.0 * delta))


@dataclass
class RegretBound:
    """The quantities of the convergence rule (minimization sense)."""

    ucb_min: float
    lcb_min: float
    noise_sd: float
    threshold: float
    n: int
    sqrt_beta: float
    model: Surrogate | None = None  # the fitted GP (refitted warm at the next check)

    @property
    def bound(self) -> float:
        return self.ucb_min - self.lcb_min

    @property
    def converged(self) -> bool:
        return self.bound < self.threshold


def regret_bound(
    space: SearchSpace,
    X: np.ndarray,
    y: np.ndarray,
    seed: int = 0,
    model: Surrogate | None = None,
) -> RegretBound:
    """Fit the GP to ``(X, y)`` (encoded points, values to minimize, NaN rows ignored) and return
    the regret bound of the convergence rule with its threshold. ``model``, the model of an
    earlier check, is refitted (warm) instead of starting a new one."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, space.dim)
    y = np.asarray(y, dtype=np.float64).ravel()
    ok = np.isfinite(y)
    X, y = X[ok], y[ok]
    n = int(y.shape[0])
    if n < 2:
        raise ValueError("regret_bound: at least 2 observations with a value are needed")
    gp = model if model is not None else Surrogate(space, seed=seed, max_fit_points=128)
    gp.fit_encoded(X, y, seed=seed)
    sb = math.sqrt(beta(n, space.dim))
    mu, sd = gp.predict_encoded(X)
    ucb_min = float(np.min(mu + sb * sd))
    around = X[np.argsort(mu)[:8]]
    C = candidate_points(space, X, 512, seed, around=around)
    cm, csd = gp.predict_encoded(C)
    lcb = cm - sb * csd
    lcb_min = float(np.min(lcb))

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        m, v, dm, dv = gp.predict_grad(x)
        s = math.sqrt(max(v, 1e-300))
        return m - sb * s, dm - sb * dv / (2.0 * s)

    for i in np.argsort(lcb)[:4]:
        _, val = minimize_encoded(space, fun, C[i])
        lcb_min = min(lcb_min, val)
    best = float(np.min(y))
    threshold = max(gp.noise_sd, IMPROVEMENT_FRACTION * abs(best))
    return RegretBound(ucb_min, lcb_min, gp.noise_sd, threshold, n, sb, gp)


# ====================================================================== the hook
class CompletionHook(TuningJobHook):
    """Checks the completion criteria after every finished training job."""

    def __init__(self, config: TuningJobCompletionCriteriaConfig) -> None:
        self.config = config
        self.last_bound: RegretBound | None = None
        self.checks = 0

    def after_job(self, run: TuningRun, job: TrainingJobState) -> CompletionDecision | None:
        c = self.config
        if c.target_objective_metric_value is not None and run.best is not None:
            t = float(c.target_objective_metric_value)
            v = run.best.final_objective
            assert v is not None
            if v == t or run.objective_type.better(v, t):
                return CompletionDecision(
                    CompletionCriterion.TARGET_OBJECTIVE_METRIC_VALUE,
                    f"the best objective {v:g} reached the target value {t:g}",
                )
        n = c.max_number_of_training_jobs_not_improving
        if n is not None:
            count = not_improving_count(run.jobs.values(), run.objective_type)
            if count >= n:
                return CompletionDecision(
                    CompletionCriterion.BEST_OBJECTIVE_NOT_IMPROVING,
                    f"{count} training jobs in a row did not improve the best objective by "
                    f"at least 1% (BestObjectiveNotImproving: {n})",
                )
        if c.complete_on_convergence:
            return self._convergence(run)
        return None

    def _convergence(self, run: TuningRun) -> CompletionDecision | None:
        space = run.optimizer.space
        h = run.optimizer.history()
        n = int(np.isfinite(h.y).sum())
        if n < min_observations_for_convergence(space.dim):
            return None
        seed = (int(run.random_seed) + 7919 * n) % (2**63)
        try:
            # the model of the last check refits warm (and in full when the history grew by half)
            last = self.last_bound
            self.checks += 1
            rb = regret_bound(space, h.X, h.y, seed, None if last is None else last.model)
        except (RuntimeError, ValueError):
            return None
        self.last_bound = rb
        if not rb.converged:
            return None
        run.completion_details["ConvergenceDetectedTime"] = time.time()
        return CompletionDecision(
            CompletionCriterion.CONVERGENCE_DETECTED,
            f"convergence detected: the bound on the remaining improvement {rb.bound:.4g} is "
            f"below {rb.threshold:.4g} (max of the noise estimate {rb.noise_sd:.4g} and 1% of "
            f"the best objective)",
        )


def make_completion_hook(tuner: TuningJobSettings) -> CompletionHook:
    """The completion hook for ``tuner.completion_criteria_config``."""
    assert tuner.completion_criteria_config is not None
    return CompletionHook(tuner.completion_criteria_config)

"""amtune inside Optuna: ``AmtuneSampler`` and ``to_study`` (extra ``amtune[optuna]``).

``AmtuneSampler`` is an ``optuna.samplers.BaseSampler`` whose relative sampling is amtune's
Bayesian strategy (the compiled Gaussian-process core); ``to_study`` turns an amtune tuning job
into an in-memory Optuna study for ``optuna.visualization`` and optuna-dashboard.
"""

from __future__ import annotations

import logging
import math
import numbers
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.search_space import IntersectionSearchSpace
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from amtune.integrations._optuna_space import Codec, unsupported_reason
from amtune.integrations._optuna_study import to_study
from amtune.optimizer import Optimizer
from amtune.strategies import SearchSpaceExhausted, make_strategy

if TYPE_CHECKING:
    from optuna.study import Study

__all__ = ["AmtuneSampler", "to_study"]

_logger = logging.getLogger(__name__)


class AmtuneSampler(BaseSampler):
    """Optuna sampler backed by amtune's Bayesian strategy (Gaussian process, log EI).

    Relative sampling works on the intersection search space of the study (Optuna's
    ``IntersectionSearchSpace``, single-value distributions excluded); the other parameters, and
    every parameter during the first ``n_startup_trials`` completed trials, come from the
    ``independent_sampler`` (a ``RandomSampler`` with the same seed by default). A parameter that
    falls back to it after the start-up logs a warning once.

    Every proposal is computed from the study's trials alone, so the sampler works with
    ``n_jobs > 1``, several processes on one RDB storage, and pickling (Ray). Within one process
    it keeps the ``amtune.Optimizer`` of its last proposal and, when the study's finished trials
    extend the ones it holds (the usual case), adds only the new trials: the Gaussian process is
    then refitted from its previous hyperparameters (a warm start) instead of from scratch, and
    the trust region carries over. Any other change (another study, a different search space)
    rebuilds it from the trials; the cache is dropped on pickling. Trials enter as

    * ``COMPLETE``: their value (a non-finite value counts as failed);
    * ``PRUNED``: their last intermediate value (as SageMaker treats an early-stopped training
      job), failed when they reported none;
    * ``FAIL``: failed, imputed with the worst value observed (amtune's rule), when they have
      every parameter of the search space;
    * ``RUNNING`` (other trials): pending points, so parallel workers get diverse proposals
      (with this sampler's own proposal for parameters not suggested yet; a trial running in
      another process counts once its objective has suggested every parameter). A trial of
      another process with no parameter yet, created before this one and after the last result,
      is a worker proposing from the same history at the same moment: this trial takes the next
      point of a batch after its point (``_unknown_running_ahead``), not the same point.

    ``deterministic_objective=True`` (as for Optuna's ``GPSampler``) fixes the model's noise
    variance near zero; by default the model chooses between a learned noise and none by evidence.

    ``seed`` reproduces the suggestions; ``reseed_rng()`` changes the stream. Single-objective
    studies only (a ``ValueError`` otherwise). Keyword ``options`` go to the Bayesian strategy
    (``acquisition``, ``max_fit_points``, ``num_threads``, ... see
    ``amtune.strategies.bayesian.BayesianSearch``).

    >>> import optuna
    >>> from amtune.integrations.optuna import AmtuneSampler
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -5.0, 5.0)
    ...     n = trial.suggest_int("n", 1, 8)
    ...     act = trial.suggest_categorical("act", ["relu", "tanh"])
    ...     return (x - 1.0) ** 2 + abs(n - 3) + (act == "tanh")
    >>> study = optuna.create_study(sampler=AmtuneSampler(seed=0))
    >>> study.optimize(objective, n_trials=25)
    >>> study.best_value < 1.0
    True
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        warn_independent_sampling: bool = True,
        **options: Any,
    ) -> None:
        if seed is not None and (
            not isinstance(seed, numbers.Integral) or isinstance(seed, (bool, np.bool_))
        ):
            raise TypeError(f"seed must be an integer or None, got {seed!r}")
        if seed is not None and not 0 <= seed < 2**32:  # numpy's RandomState, as Optuna's samplers
            raise ValueError(f"seed must be from 0 to 2**32 - 1, got {seed}")
        if not isinstance(deterministic_objective, (bool, np.bool_)):
            raise TypeError(
                f"deterministic_objective must be a bool, got {deterministic_objective!r}"
            )
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise TypeError(
                "independent_sampler must be an optuna.samplers.BaseSampler, got "
                f"{type(independent_sampler).__name__}"
            )
        if (
            not isinstance(n_startup_trials, numbers.Integral)
            or isinstance(n_startup_trials, bool)
            or n_startup_trials < 0
        ):
            raise ValueError(f"n_startup_trials must be an integer >= 0, got {n_startup_trials!r}")
        if "n_initial" in options:
            raise ValueError(
                "n_initial: the start-up design of AmtuneSampler is n_startup_trials trials of "
                "the independent sampler"
            )
        options = {
            **options,
            "deterministic": True if deterministic_objective else None,
            "n_initial": 1,
        }
        make_strategy("Bayesian", **options)  # validates the options now, not at the first trial
        self._options: dict[str, Any] = options
        self._rng: np.random.RandomState = np.random.RandomState(seed)
        self._independent_sampler: BaseSampler = independent_sampler or RandomSampler(seed=seed)
        self._n_startup_trials: int = int(n_startup_trials)
        self._warn_independent_sampling: bool = bool(warn_independent_sampling)
        self._search_space: IntersectionSearchSpace = IntersectionSearchSpace()
        self._warned: set[str] = set()
        self._lock: threading.Lock = threading.Lock()
        self._cache: _Cache | None = None
        # this process's relative proposals by (study, trial number): a running trial is a
        # pending point with all of them before its objective has suggested every parameter
        self._proposed: dict[tuple[str, int], dict[str, float]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None
        state["_proposed"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng.seed()
        self._independent_sampler.reseed_rng()

    # ------------------------------------------------------------------ relative sampling
    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        _check_single_objective(study)
        space: dict[str, BaseDistribution] = {}
        for name, dist in self._search_space.calculate(study).items():
            if dist.single() or unsupported_reason(dist) is not None:
                continue
            space[name] = dist
        return space

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        _check_single_objective(study)
        single = {n: _single_value(d) for n, d in search_space.items() if d.single()}
        modelled = {
            n: d
            for n, d in search_space.items()
            if not d.single() and unsupported_reason(d) is None
        }
        if not modelled:
            return single
        states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)
        trials = study.get_trials(deepcopy=False, states=states)
        if sum(t.state == TrialState.COMPLETE for t in trials) < self._n_startup_trials:
            return {}
        codec = Codec(modelled)
        finished: dict[int, tuple[dict[str, Any], float | None]] = {}
        pending: list[dict[str, Any]] = []
        for t in trials:
            if t.number == trial.number:
                continue
            config = codec.to_config(self._internal_params(study, t))
            if config is None:
                continue
            if t.state == TrialState.RUNNING:
                pending.append(config)
            else:
                finished[t.number] = (config, _observed_value(t))
        ahead = _unknown_running_ahead(trials, trial, self._proposed, study.study_name)
        seed = int(self._rng.randint(0, 2**31 - 1))
        key = (study.study_name, id(study), str(study.direction), repr(modelled))
        with self._lock:
            proposal = self._propose(study, codec, key, finished, pending, seed, ahead)
        if proposal is None:
            return single
        params = codec.to_params(proposal)
        internal = {n: modelled[n].to_internal_repr(v) for n, v in params.items()}
        with self._lock:
            self._proposed[(study.study_name, trial.number)] = internal
        return {**params, **single}

    def _propose(
        self,
        study: Study,
        codec: Codec,
        key: tuple[Any, ...],
        finished: dict[int, tuple[dict[str, Any], float | None]],
        pending: list[dict[str, Any]],
        seed: int,
        ahead: int = 0,
    ) -> dict[str, Any] | None:
        """The next proposal. ``ahead`` workers are choosing theirs from the same trials (see
        :func:`_unknown_running_ahead`): this one takes the next point of the batch after theirs."""
        cache = self._cache
        if cache is None or cache.key != key or not cache.numbers <= finished.keys():
            direction = "Maximize" if study.direction == StudyDirection.MAXIMIZE else "Minimize"
            opt = Optimizer(codec.space, "Bayesian", direction, random_seed=seed, **self._options)
            cache = self._cache = _Cache(key, opt)
        opt = cache.opt
        new = sorted(finished.keys() - cache.numbers)
        if new:
            opt.add_many([finished[n][0] for n in new], [finished[n][1] for n in new])
            cache.numbers.update(new)
        for trial_id in cache.pending:
            opt.forget(trial_id)
        cache.pending = [opt.add_pending(config).id for config in pending]
        try:
            try:
                batch = opt.ask(ahead + 1)
            except SearchSpaceExhausted:
                if not ahead:
                    raise
                batch = opt.ask(1)  # fewer unused configurations than workers: share one
            for other in batch[:-1]:
                opt.forget(other.id)
            asked = batch[-1]
        except SearchSpaceExhausted:
            # every unused configuration of a finite space is pending: let pending ones repeat
            for trial_id in cache.pending:
                opt.forget(trial_id)
            cache.pending = []
            try:
                asked = opt.ask(1)[0]
            except SearchSpaceExhausted:  # all evaluated: the independent sampler decides
                return None
        opt.forget(asked.id)  # it comes back as a running or finished trial of the study
        return asked.params

    def _internal_params(self, study: Study, t: FrozenTrial) -> dict[str, float]:
        """The trial's parameters as internal representations; for a running trial this sampler
        proposed, its relative proposal fills in the parameters not suggested yet."""
        internal: dict[str, float] = {}
        if t.state == TrialState.RUNNING:
            internal.update(self._proposed.get((study.study_name, t.number), {}))
        elif (study.study_name, t.number) in self._proposed:
            with self._lock:
                self._proposed.pop((study.study_name, t.number), None)
        for name, value in t.params.items():
            internal[name] = t.distributions[name].to_internal_repr(value)
        return internal

    # ------------------------------------------------------------------ independent sampling
    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        _check_single_objective(study)
        if param_distribution.single():
            return _single_value(param_distribution)
        if self._warn_independent_sampling and param_name not in self._warned:
            n_complete = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
            if n_complete >= max(self._n_startup_trials, 1):
                self._warned.add(param_name)
                reason = unsupported_reason(param_distribution) or (
                    "it is not in the intersection search space (a conditional or dynamic "
                    "parameter)"
                )
                _logger.warning(
                    "AmtuneSampler: parameter %r of trial %d is sampled by %s because %s; "
                    "this warning is shown once per parameter.",
                    param_name,
                    trial.number,
                    type(self._independent_sampler).__name__,
                    reason,
                )
        return self._independent_sampler.sample_independent(
            study, trial, param_name, param_distribution
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._independent_sampler.after_trial(study, trial, state, values)


@dataclass
class _Cache:
    """The optimizer of the last proposal and which of the study's trials it holds."""

    key: tuple[Any, ...]
    opt: Optimizer
    numbers: set[int] = field(default_factory=set)  # finished trials added (by number)
    pending: list[int] = field(default_factory=list)  # optimizer ids of the pending points


def _check_single_objective(study: Study) -> None:
    if len(study.directions) > 1:
        raise ValueError(
            "AmtuneSampler supports single-objective studies only; this study has "
            f"{len(study.directions)} objectives"
        )


def _single_value(dist: BaseDistribution) -> Any:
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[0]
    return dist.to_external_repr(dist.low)  # type: ignore[attr-defined]


def _observed_value(t: FrozenTrial) -> float | None:
    if t.state == TrialState.COMPLETE:
        v = t.value
    elif t.state == TrialState.PRUNED and t.intermediate_values:
        v = t.intermediate_values[max(t.intermediate_values)]
    else:
        return None
    return float(v) if v is not None and math.isfinite(v) else None


def _unknown_running_ahead(
    trials: list[FrozenTrial],
    trial: FrozenTrial,
    proposed: dict[tuple[str, int], dict[str, float]],
    study_name: str,
) -> int:
    """How many other workers are choosing a point from the same trials as ``trial``, ahead of
    it: running trials of other processes, numbered before ``trial``, with no parameter yet and
    started after the last trial finished. Optuna's storage creates a trial before its sampler
    proposes, so such a trial's point is being chosen from the history this one sees; the
    model would give them the same point. Each takes its place in one batch instead (the first
    worker the batch's first point, and so on), as ``ask(q)`` spreads the points of a batch. A
    trial that started before the last result (a worker that died between creating its trial
    and suggesting) is not counted."""
    last = max(
        (t.datetime_complete for t in trials if t.datetime_complete is not None), default=None
    )
    return sum(
        1
        for t in trials
        if t.state == TrialState.RUNNING
        and t.number < trial.number
        and not t.params
        and (study_name, t.number) not in proposed
        and (last is None or (t.datetime_start is not None and t.datetime_start >= last))
    )

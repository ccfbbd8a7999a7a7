"""amtune inside Ray Tune: ``AmtuneSearch``, a ``ray.tune.search.Searcher`` (extra
``amtune[ray]``)."""

from __future__ import annotations

import math
import numbers
import pickle
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from ray.tune.search import (
    UNDEFINED_METRIC_MODE,
    UNDEFINED_SEARCH_SPACE,
    Searcher,
)
from ray.tune.utils.util import (  # type: ignore[attr-defined]
    flatten_dict,
    unflatten_dict,
)

from amtune.enums import TrialState
from amtune.integrations._ray_space import RaySpace
from amtune.optimizer import Optimizer
from amtune.strategies import SearchSpaceExhausted, make_strategy

__all__ = ["AmtuneSearch"]

_STATE_VERSION = 1


class AmtuneSearch(Searcher):
    """Ray Tune searcher backed by an ``amtune.Optimizer`` (Bayesian by default).

    ``space`` is a Tune search space (``tune.uniform``, ``tune.loguniform``, ``tune.quniform``,
    ``tune.randint``, ``tune.lograndint``, ``tune.qrandint``, ``tune.choice``; nested dicts),
    amtune ranges, an ``amtune.SearchSpace`` or a SageMaker ``ParameterRanges`` document; or
    ``None`` to take Tune's ``param_space``. Live trials are pending points of the optimizer
    (batch fantasies), so proposals stay diverse under concurrency; ``max_concurrent`` (or a
    ``ConcurrencyLimiter`` around it) caps the trials in flight. Errored trials, and trials whose
    metric is missing, NaN or infinite, are failed trials: they never become the best and the
    Bayesian model imputes the worst value there. ``points_to_evaluate`` run first;
    with ``evaluated_rewards`` they are recorded as already evaluated instead.
    ``save``/``restore`` round-trip everything (history, live trials, space, metric, mode) into
    a fresh ``AmtuneSearch()``.

    >>> from ray import tune
    >>> from amtune.integrations.ray import AmtuneSearch
    >>> searcher = AmtuneSearch(
    ...     {"lr": tune.loguniform(1e-4, 1e-1), "model": {"layers": tune.randint(1, 5)}},
    ...     metric="loss", mode="min", random_state_seed=0)
    >>> config = searcher.suggest("trial-1")
    >>> sorted(config), 1 <= config["model"]["layers"] <= 4
    (['lr', 'model'], True)
    >>> searcher.on_trial_complete("trial-1", {"loss": 0.25})
    >>> searcher.best_result
    0.25
    """

    def __init__(
        self,
        space: Any = None,
        metric: str | None = None,
        mode: str | None = None,
        points_to_evaluate: Sequence[Mapping[str, Any]] | None = None,
        evaluated_rewards: Sequence[float] | None = None,
        strategy: str = "Bayesian",
        random_state_seed: int | None = None,
        max_concurrent: int | None = None,
        **options: Any,
    ) -> None:
        if mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if metric is not None and not isinstance(metric, str):
            raise TypeError(
                f"metric must be a string (AmtuneSearch is single-objective), got {metric!r}"
            )
        if random_state_seed is not None and (
            not isinstance(random_state_seed, numbers.Integral)
            or isinstance(random_state_seed, bool)
            or random_state_seed < 0
        ):
            raise ValueError(
                f"random_state_seed must be an integer >= 0 or None, got {random_state_seed!r}"
            )
        if max_concurrent is not None and (
            not isinstance(max_concurrent, numbers.Integral) or max_concurrent < 1
        ):
            raise ValueError(f"max_concurrent must be a positive integer, got {max_concurrent!r}")
        make_strategy(strategy, **options)  # validates the options now
        super().__init__(metric=metric, mode=mode)
        self._strategy = strategy
        self._options = dict(options)
        self._seed = (
            int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
            if random_state_seed is None
            else int(random_state_seed)
        )
        self._max_concurrent: int | None = max_concurrent
        self._points = [dict(p) for p in points_to_evaluate or []]
        self._rewards = None if evaluated_rewards is None else list(evaluated_rewards)
        if self._rewards is not None and len(self._rewards) != len(self._points):
            raise ValueError(
                f"evaluated_rewards has {len(self._rewards)} values for "
                f"{len(self._points)} points_to_evaluate"
            )
        self._space: RaySpace | None = None
        self._opt: Optimizer | None = None
        self._live: dict[str, int] = {}  # Tune trial id -> amtune trial id
        self._n_asked = 0
        if space is not None:
            self._space = RaySpace(space)
            if self._metric is not None and self._mode is not None:
                self._setup()

    # ------------------------------------------------------------------ set-up
    def set_search_properties(
        self, metric: str | None, mode: str | None, config: dict[str, Any], **spec: Any
    ) -> bool:
        if self._opt is not None:  # set up already (space, metric and mode given)
            return False
        if self._space is None:
            self._space = RaySpace(config)
        self._metric = self._metric or metric
        self._mode = self._mode or mode
        if self._mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {self._mode!r}")
        if self._metric and self._mode:
            self._setup()
        return True

    def set_max_concurrency(self, max_concurrent: int) -> bool:
        self._max_concurrent = int(max_concurrent)
        return True

    def _setup(self, seed: int | None = None) -> None:
        assert self._space is not None
        self._opt = Optimizer(
            self._space.space,
            self._strategy,
            "Maximize" if self._mode == "max" else "Minimize",
            random_seed=self._seed if seed is None else seed,
            **self._options,
        )
        if self._rewards is not None:
            for point, reward in zip(self._points, self._rewards, strict=True):
                self.add_evaluated_point(point, reward)
            self._points, self._rewards = [], None

    # ------------------------------------------------------------------ proposals
    def suggest(self, trial_id: str) -> dict[str, Any] | None:
        if self._space is None:
            raise RuntimeError(
                UNDEFINED_SEARCH_SPACE.format(cls=type(self).__name__, space="space")
            )
        if self._opt is None or not self._metric or not self._mode:
            raise RuntimeError(
                UNDEFINED_METRIC_MODE.format(
                    cls=type(self).__name__, metric=self._metric, mode=self._mode
                )
            )
        if self._max_concurrent is not None and len(self._live) >= self._max_concurrent:
            return None
        if self._points:
            point = self._points.pop(0)
            trial = self._opt.add_pending(self._space.to_params(flatten_dict(point)))
        else:
            try:
                trial = self._opt.ask(1)[0]
            except SearchSpaceExhausted:
                return Searcher.FINISHED  # type: ignore[return-value] # Tune's end marker
        self._n_asked += 1
        self._live[trial_id] = trial.id
        return unflatten_dict(self._space.to_config(trial.params))

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        """Intermediate results are not used (the final result is what the model learns)."""

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        if self._opt is None or trial_id not in self._live:
            return
        amtune_id = self._live.pop(trial_id)
        self._opt.tell(amtune_id, None if error else _value(result, self._metric))

    def add_evaluated_point(
        self,
        parameters: dict[str, Any],
        value: float,
        error: bool = False,
        pruned: bool = False,
        intermediate_values: list[float] | None = None,
    ) -> None:
        """Record a configuration evaluated elsewhere (a warm start). A pruned point counts with
        its last intermediate value when ``value`` is missing; an errored one as failed."""
        if self._space is None or self._opt is None:
            raise RuntimeError(
                UNDEFINED_SEARCH_SPACE.format(cls=type(self).__name__, space="space")
            )
        v = None if error else _finite(value)
        if v is None and pruned and intermediate_values:
            v = _finite(intermediate_values[-1])
        self._opt.add(self._space.to_params(flatten_dict(dict(parameters))), v)

    # ------------------------------------------------------------------ results
    @property
    def best_result(self) -> float | None:
        """The best finished value so far (in the metric's own sense), or None."""
        best = None if self._opt is None else self._opt.best
        return None if best is None else best.value

    @property
    def best_config(self) -> dict[str, Any] | None:
        """The configuration of the best finished trial, or None."""
        best = None if self._opt is None else self._opt.best
        if best is None or self._space is None:
            return None
        return unflatten_dict(self._space.to_config(best.params))

    @property
    def n_finished(self) -> int:
        """Finished trials the optimizer has seen (failed ones included)."""
        return 0 if self._opt is None else self._opt.n_finished

    # ------------------------------------------------------------------ checkpoints
    def get_state(self) -> dict[str, Any]:
        opt = self._opt
        finished = []
        pending: dict[str, dict[str, Any]] = {}
        if opt is not None:
            live = {v: k for k, v in self._live.items()}
            for t in opt.trials:
                if t.state == TrialState.PENDING:
                    if t.id in live:
                        pending[live[t.id]] = t.params
                else:
                    finished.append((t.params, t.value))
        return {
            "version": _STATE_VERSION,
            "space": self._space,
            "metric": self._metric,
            "mode": self._mode,
            "strategy": self._strategy,
            "options": self._options,
            "seed": self._seed,
            "max_concurrent": self._max_concurrent,
            "points": self._points,
            "rewards": self._rewards,
            "finished": finished,
            "live": pending,
            "n_asked": self._n_asked,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"AmtuneSearch: unknown checkpoint version {state.get('version')!r}")
        self._space = state["space"]
        self._metric, self._mode = state["metric"], state["mode"]
        self._strategy, self._options = state["strategy"], state["options"]
        self._max_concurrent = state["max_concurrent"]
        self._points, self._rewards = state["points"], state["rewards"]
        self._n_asked = state["n_asked"]
        self._live = {}
        self._opt = None
        self._seed = state["seed"]
        if self._space is None or self._metric is None or self._mode is None:
            return
        # a continuing stream: the restored searcher does not repeat the proposals it made
        self._setup(
            seed=int(np.random.SeedSequence([self._seed, self._n_asked]).generate_state(1)[0])
        )
        assert self._opt is not None
        if state["finished"]:
            params, values = zip(*state["finished"], strict=True)
            self._opt.add_many(list(params), list(values))
        for trial_id, params in state["live"].items():
            self._live[trial_id] = self._opt.add_pending(params).id

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "wb") as f:
            pickle.dump(self.get_state(), f)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as f:
            self.set_state(pickle.load(f))

    def __getstate__(self) -> dict[str, Any]:
        return self.get_state()

    def __setstate__(self, state: dict[str, Any]) -> None:
        Searcher.__init__(self, metric=state["metric"], mode=state["mode"])
        self._seed = state["seed"]
        self.set_state(state)


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _value(result: Mapping[str, Any] | None, metric: str | None) -> float | None:
    if not result or metric is None or metric not in result:
        return None
    return _finite(result[metric])

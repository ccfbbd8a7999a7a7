"""The ask/tell optimizer: the embedding API behind tuning jobs and integrations."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from amtune.enums import ObjectiveType, TrialState
from amtune.space.parameters import gc_paused
from amtune.space.search_space import SearchSpace
from amtune.strategies import History, Strategy, make_strategy

OBJECTIVE_TYPES = (ObjectiveType.MINIMIZE, ObjectiveType.MAXIMIZE)
#: the most configurations one ``ask`` proposes: a bound on one call's time and memory (the
#: README's big-history figures reach 50,000 trials), not on the history
MAX_ASK = 100_000


@dataclass(slots=True)
class Trial:
    """One proposed or recorded configuration.

    ``id`` is what ``tell`` takes; ``params`` the full configuration (static hyperparameters
    included); ``value`` the objective as told (in the user's sense, never negated), None while
    pending or when failed; ``state`` is ``"Pending"``, ``"Completed"`` or ``"Failed"``.

    >>> import amtune
    >>> space = amtune.SearchSpace({"k": amtune.IntegerParameter(1, 3)}, static={"epochs": 5})
    >>> opt = amtune.Optimizer(space, strategy="Grid")
    >>> trial = opt.ask()[0]
    >>> trial
    Trial(id=0, params={'k': 1, 'epochs': 5}, state='Pending', value=None)
    >>> opt.tell(trial.id, 0.25)
    Trial(id=0, params={'k': 1, 'epochs': 5}, state='Completed', value=0.25)
    >>> opt.tell(opt.ask()[0].id, None).state
    'Failed'
    """

    id: int
    params: dict[str, Any]
    state: TrialState = TrialState.PENDING
    value: float | None = None


class Optimizer:
    """Ask for configurations, tell their objective values.

    >>> import amtune
    >>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(-5.0, 5.0),
    ...                             "n": amtune.IntegerParameter(1, 10)})
    >>> opt = amtune.Optimizer(space, strategy="Random", objective_type="Minimize", random_seed=7)
    >>> for _ in range(20):
    ...     for trial in opt.ask(2):
    ...         _ = opt.tell(trial.id, (trial.params["x"] - 1) ** 2 + trial.params["n"])
    >>> opt.best.value < 10
    True

    ``tell(id, None)`` (or NaN) records a failed trial; it is never the best. ``add`` and
    ``add_many`` record configurations evaluated elsewhere.
    """

    def __init__(
        self,
        space: SearchSpace,
        strategy: str | Strategy = "Bayesian",
        objective_type: str = "Minimize",
        random_seed: int | None = None,
        **options: Any,
    ) -> None:
        if not isinstance(space, SearchSpace):
            raise TypeError(f"space must be an amtune.SearchSpace, got {type(space).__name__}")
        if objective_type not in OBJECTIVE_TYPES:
            raise ValueError(
                f"objective_type must be 'Minimize' or 'Maximize', got {objective_type!r}"
            )
        if random_seed is None:
            random_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        elif not isinstance(random_seed, numbers.Integral) or isinstance(
            random_seed, (bool, np.bool_)
        ):
            raise TypeError(f"random_seed must be an integer, got {random_seed!r}")
        elif random_seed < 0:
            raise ValueError(f"random_seed must be >= 0, got {random_seed}")
        self.space = space
        self.objective_type = objective_type
        self.random_seed = int(random_seed)
        self.strategy = make_strategy(strategy, **options)
        self.strategy.bind(space, self.random_seed)
        self._sign = ObjectiveType(objective_type).sign
        self._trials: dict[int, Trial] = {}
        self._pending: dict[int, np.ndarray] = {}
        self._pending_keys: dict[bytes, int] = {}  # canonical row bytes -> number pending
        self._X = np.empty((64, space.dim))
        self._y = np.empty(64)
        self._ids = np.empty(64, dtype=np.int64)  # trial id of each history row
        self._n = 0
        self._best_row: int | None = None
        self._next_id = 0

    # ------------------------------------------------------------------ state
    @property
    def trials(self) -> list[Trial]:
        """All trials in the order they were created."""
        return list(self._trials.values())

    @property
    def n_finished(self) -> int:
        return self._n

    @property
    def best(self) -> Trial | None:
        """The finished trial with the best value, or None when no trial succeeded."""
        return None if self._best_row is None else self._trials[int(self._ids[self._best_row])]

    def history(self) -> History:
        """The encoded history the strategy sees (values in the minimization sense)."""
        pend = (
            np.array(list(self._pending.values()))
            if self._pending
            else np.empty((0, self.space.dim))
        )
        X = self._X[: self._n]
        y = self._y[: self._n]
        X.flags.writeable = False
        y.flags.writeable = False
        return History(X=X, y=y, pending=pend)

    # ------------------------------------------------------------------ ask/tell
    def ask(self, n: int = 1) -> list[Trial]:
        """Propose ``n`` configurations; they stay pending until told.

        If the strategy raises (e.g. ``SearchSpaceExhausted`` on a finite space), nothing is
        recorded.
        """
        if not isinstance(n, numbers.Integral) or isinstance(n, (bool, np.bool_)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if n > MAX_ASK:
            raise ValueError(f"n must be at most {MAX_ASK:,} (ask in several calls), got {n}")
        n = int(n)
        X = np.asarray(self.strategy.ask(n, self.history()), dtype=np.float64)
        if X.shape != (n, self.space.dim) or not np.isfinite(X).all():
            raise RuntimeError(
                f"strategy {self.strategy.name!r} returned an invalid proposal of shape {X.shape}"
                f" (expected ({n}, {self.space.dim}), finite)"
            )
        X = self.space.canonicalize(np.clip(X, 0.0, 1.0))
        keys = [row.tobytes() for row in X]
        if self.space.is_finite and (
            len(set(keys)) < n or not self._pending_keys.keys().isdisjoint(keys)
        ):
            raise RuntimeError(
                f"strategy {self.strategy.name!r} proposed a configuration twice in a batch or one "
                "that is still pending"
            )
        return self._new_pending(X, keys, self.space.decode(X))

    def add_pending(self, params: Mapping[str, Any]) -> Trial:
        """Record a configuration being evaluated elsewhere (e.g. a training job re-run after a
        resume): it is pending, so proposals avoid it, until ``tell``.

        >>> import amtune
        >>> space = amtune.SearchSpace({"k": amtune.IntegerParameter(1, 2)})
        >>> opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
        >>> running = opt.add_pending({"k": 1})
        >>> [t.params for t in opt.ask()]
        [{'k': 2}]
        """
        X = self.space.encode([params])  # validates before any state changes
        return self._new_pending(X, [X[0].tobytes()], self.space.decode(X))[0]

    def _new_pending(
        self, X: np.ndarray, keys: list[bytes], configs: list[dict[str, Any]]
    ) -> list[Trial]:
        out = []
        for row, key, params in zip(X, keys, configs, strict=True):
            trial = Trial(self._next_id, params)
            self._next_id += 1
            self._trials[trial.id] = trial
            self._pending[trial.id] = row
            self._pending_keys[key] = self._pending_keys.get(key, 0) + 1
            out.append(trial)
        return out

    def tell(self, trial_id: int, value: float | None) -> Trial:
        """Record the objective value of a pending trial; ``None`` or NaN marks it failed."""
        if not isinstance(trial_id, numbers.Integral) or isinstance(trial_id, (bool, np.bool_)):
            raise TypeError(f"trial_id must be an integer id from ask(), got {trial_id!r}")
        if trial_id not in self._trials:
            raise ValueError(f"unknown trial id {trial_id!r}: tell() takes ids returned by ask()")
        if trial_id not in self._pending:
            raise ValueError(f"trial {trial_id} was already told ({self._trials[trial_id].state})")
        v = _check_value(value)
        row = self._pending.pop(trial_id)
        self._unpend(row)
        trial = self._trials[trial_id]
        self._record(trial, row, v)
        return trial

    def forget(self, trial_id: int) -> None:
        """Drop a pending trial that will never be told (e.g. it was cancelled before it ran)."""
        if trial_id not in self._pending:
            raise ValueError(f"trial {trial_id!r} is not pending")
        self._unpend(self._pending.pop(trial_id))
        del self._trials[trial_id]

    def add(self, params: Mapping[str, Any], value: float | None) -> Trial:
        """Record a configuration evaluated elsewhere (validated like any configuration)."""
        return self.add_many([params], [value])[0]

    def add_many(
        self, params_list: Sequence[Mapping[str, Any]], values: Sequence[float | None]
    ) -> list[Trial]:
        """Record many evaluated configurations at once (e.g. an imported history).

        Everything is validated first: one invalid configuration or value records nothing.
        The trials keep the parameters as given (integers as ``int``, statics added).
        """
        if isinstance(params_list, Mapping):
            raise TypeError("params_list must be a list of dicts; use add() for one configuration")
        params_list = list(params_list)
        vals = _check_values(values)
        if len(params_list) != len(vals):
            raise ValueError(f"add_many: {len(params_list)} configurations but {len(vals)} values")
        raw = self.space.to_raw(params_list)  # validates everything before any state changes
        X = np.asarray(self.space.engine.encode(raw))
        configs = self.space.from_raw(raw)
        m, k = self._n, len(vals)
        self._grow(k)
        first = self._next_id
        self._X[m : m + k] = X
        self._y[m : m + k] = self._sign * vals
        self._ids[m : m + k] = np.arange(first, first + k)
        failed = np.isnan(vals)
        states = [TrialState.FAILED if f else TrialState.COMPLETED for f in failed.tolist()]
        told: list[float | None] = vals.tolist()
        if failed.any():
            for i in np.flatnonzero(failed).tolist():
                told[i] = None
        with gc_paused():
            trials = list(map(Trial, range(first, first + k), configs, states, told))
            self._trials.update(zip(range(first, first + k), trials, strict=True))
        self._next_id += k
        self._n += k
        self._update_best(m)
        return trials

    # ------------------------------------------------------------------ internals
    def _unpend(self, row: np.ndarray) -> None:
        key = row.tobytes()
        left = self._pending_keys[key] - 1
        if left:
            self._pending_keys[key] = left
        else:
            del self._pending_keys[key]

    def _record(self, trial: Trial, row: np.ndarray, v: float) -> None:
        self._grow(1)
        self._X[self._n] = row
        self._y[self._n] = self._sign * v
        self._n += 1
        failed = math.isnan(v)
        trial.state = TrialState.FAILED if failed else TrialState.COMPLETED
        trial.value = None if failed else v
        self._ids[self._n - 1] = trial.id
        self._update_best(self._n - 1)

    def _update_best(self, start: int) -> None:
        y = self._y[start : self._n]
        if not np.isfinite(y).any():
            return
        k = start + int(np.nanargmin(y))
        if self._best_row is None or self._y[k] < self._y[self._best_row]:
            self._best_row = k

    def _grow(self, extra: int) -> None:
        need = self._n + extra
        if need <= self._X.shape[0]:
            return
        cap = max(need, 2 * self._X.shape[0])
        X = np.empty((cap, self.space.dim))
        X[: self._n] = self._X[: self._n]
        y = np.empty(cap)
        y[: self._n] = self._y[: self._n]
        ids = np.empty(cap, dtype=np.int64)
        ids[: self._n] = self._ids[: self._n]
        self._X, self._y, self._ids = X, y, ids


def _check_value(value: Any, index: int | None = None) -> float:
    where = "value" if index is None else f"values[{index}]"
    if value is None:
        return math.nan
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} must be a number or None, got {type(value).__name__} {value!r}")
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if math.isinf(v):
        raise ValueError(f"{where} must be finite, or None/NaN for a failed trial; got {value!r}")
    return v


_PLAIN_VALUES = frozenset({float, int, type(None), np.float64})


def _check_values(values: Any) -> np.ndarray:
    """Objective values as a float array (NaN for failed), every one checked as ``tell`` does."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(f"values must be a list of numbers or None, got {type(values).__name__}")
    values = list(values)
    if set(map(type, values)) <= _PLAIN_VALUES:
        try:
            arr = np.array(values, dtype=np.float64)
        except OverflowError:
            pass
        else:
            if arr.shape == (len(values),) and not np.isinf(arr).any():
                return arr
    return np.array([_check_value(v, i) for i, v in enumerate(values)], dtype=np.float64)

"""``AmtuneSearchCV``: scikit-learn hyperparameter search with amtune's strategies (extra
``amtune[sklearn]``).

A ``BaseSearchCV`` like ``GridSearchCV`` and ``RandomizedSearchCV``: same ``cv_results_``,
``best_params_``, ``best_score_``, ``best_estimator_``, ``refit``, scorers and metadata routing;
the candidates come from an ``amtune.Optimizer`` (``strategy="Bayesian"`` by default), asked
``n_points`` at a time and evaluated in parallel (joblib, ``n_jobs``) until ``n_iter`` are done.

Offline evaluation of a candidate, two approaches:

* **k-fold** (``cv=k``, default 5, or any splitter): every sample is used for both training and
  validation; the score is the mean over the k folds. Use it when data are small or scores are
  noisy: it costs k fits per candidate.
* **holdout** (``cv="holdout"`` with ``validation_fraction``, default 0.2, or any single split
  such as ``ShuffleSplit(n_splits=1)`` or ``PredefinedSplit``): one fit per candidate on
  ``1 - validation_fraction`` of the data, scored on the rest (stratified for classifiers). Use
  it when data are large or fits are expensive; the split is drawn once per ``fit`` (from
  ``random_state``), so every candidate sees the same validation set.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target

from amtune.optimizer import Optimizer
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)

__all__ = ["AmtuneSearchCV"]

_PRIORS = {"uniform": "Linear", "log-uniform": "Logarithmic"}


class AmtuneSearchCV(BaseSearchCV):  # type: ignore[misc]
    """Hyperparameter search over ``search_spaces`` with amtune's Bayesian optimization.

    ``search_spaces`` maps parameter names (``"clf__C"`` for pipelines) to

    * an amtune range: ``ContinuousParameter``, ``IntegerParameter``, ``CategoricalParameter``
      (scaling types as in SageMaker), or a whole ``amtune.SearchSpace``;
    * a tuple ``(low, high)`` or ``(low, high, "uniform" | "log-uniform")``: integers if both
      bounds are ints, else reals (scikit-optimize's spelling);
    * a list of candidate values of any type (estimators, ``None``, ...), searched as a
      categorical.

    ``n_iter`` candidates in total, ``n_points`` proposed per round and evaluated in parallel.
    ``strategy`` is ``"Bayesian"``, ``"Random"`` or ``"Grid"``; ``strategy_options`` go to it
    (e.g. ``{"acquisition": "UCB"}``; the Bayesian strategy also gets ``budget=n_iter``, which
    sizes its initial design). An int ``random_state`` is the optimizer's seed (a loop of
    ``amtune.Optimizer(space, strategy, "Maximize", random_state, budget=n_iter)`` reproduces the
    candidates).
    ``cv`` is a k-fold (an int, a splitter, an iterable of splits) or ``"holdout"`` with
    ``validation_fraction`` (see the module docstring). Failed fits score ``error_score`` and
    count as failed trials (the Bayesian model imputes the worst score there). The other
    parameters and attributes are ``GridSearchCV``'s.

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from amtune.sklearn import AmtuneSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = AmtuneSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]},
    ...     n_iter=12, cv=3, random_state=0)
    >>> bool(search.fit(X, y).best_score_ > 0.95)
    True
    >>> sorted(search.best_params_)
    ['C', 'kernel']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        # BaseSearchCV's own parameters, declared as GridSearchCV declares them
        "estimator": [HasMethods(["fit"])],
        "scoring": [StrOptions(set(get_scorer_names())), callable, list, tuple, dict, None],
        "n_jobs": [numbers.Integral, None],
        "refit": ["boolean", str, callable],
        "verbose": ["verbose"],
        "pre_dispatch": [numbers.Integral, str],
        "error_score": [StrOptions({"raise"}), numbers.Real],
        "return_train_score": ["boolean"],
        # AmtuneSearchCV's
        "search_spaces": [dict, SearchSpace],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"Bayesian", "Random", "Grid"})],
        "n_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "cv": ["cv_object", StrOptions({"holdout"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "strategy_options": [dict, None],
    }

    cv: Any

    def __init__(
        self,
        estimator: Any,
        search_spaces: Mapping[str, Any] | SearchSpace,
        *,
        n_iter: int = 50,
        strategy: str = "Bayesian",
        scoring: Any = None,
        cv: Any = None,
        n_jobs: int | None = None,
        n_points: int = 1,
        refit: bool | str | Callable[..., Any] = True,
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        validation_fraction: float = 0.2,
        strategy_options: dict[str, Any] | None = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
    ) -> None:
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.strategy = strategy
        self.n_points = n_points
        self.random_state = random_state
        self.validation_fraction = validation_fraction
        self.strategy_options = strategy_options
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    def fit(self, X: Any, y: Any = None, **params: Any) -> AmtuneSearchCV:
        """Run the search (``params`` are routed to the estimator, scorer and splitter as in
        ``GridSearchCV.fit``)."""
        self._validate_params()
        self._space, self._choices = _to_space(self.search_spaces)
        rng = check_random_state(self.random_state)
        self._seed = (
            int(self.random_state)
            if isinstance(self.random_state, numbers.Integral)
            else int(rng.randint(0, 2**31 - 1))
        )
        holdout = self.cv == "holdout" if isinstance(self.cv, str) else False
        if holdout:
            self.cv = _holdout(self, y, self._seed)  # the resolved splitter; restored below
        try:
            super().fit(X, y, **params)
        finally:
            if holdout:
                self.cv = "holdout"
        return self

    def _run_search(self, evaluate_candidates: Callable[..., dict[str, Any]]) -> None:
        options = dict(self.strategy_options or {})
        if self.strategy == "Bayesian":  # the strategy may size its design by the budget
            options.setdefault("budget", int(self.n_iter))
        opt = Optimizer(self._space, self.strategy, "Maximize", random_seed=self._seed, **options)
        total = self.n_iter
        size = self._space.size
        if size is not None and size < total:
            warnings.warn(
                f"The search space has {size} distinct candidates, fewer than n_iter={total}: "
                f"running {size} iterations.",
                UserWarning,
                stacklevel=3,
            )
            total = size
        done = 0
        key: str | None = None
        # scikit-learn raises when every fit of one evaluate_candidates call fails; a sequential
        # search calls it once per round, so such a round is told to the optimizer as failed and
        # its candidates are evaluated again with the next round (so they reach cv_results_).
        carried: list[dict[str, Any]] = []
        succeeded = False
        while done < total:
            trials = opt.ask(min(self.n_points, total - done))
            batch = carried + [_decode(t.params, self._choices) for t in trials]
            done += len(trials)
            try:
                results = evaluate_candidates(batch)
            except ValueError as exc:
                all_failed = str(exc).lstrip().startswith("All the")
                if not all_failed or (done >= total and not succeeded):
                    raise
                for trial in trials:
                    opt.tell(trial.id, None)
                carried = batch
                warnings.warn(str(exc), FitFailedWarning, stacklevel=2)
                continue
            succeeded = True
            key = key or _score_key(results, self.refit)
            scores = results[key][-len(trials) :]
            for trial, score in zip(trials, scores, strict=True):
                v = float(score)
                opt.tell(trial.id, v if math.isfinite(v) else None)
            carried = []
        if carried:
            warnings.warn(
                f"{len(carried)} candidate(s) of the last round(s), whose every fit failed, are "
                "not in cv_results_ (scikit-learn records a round only if one of its fits "
                "succeeded)",
                FitFailedWarning,
                stacklevel=2,
            )


def _score_key(results: Mapping[str, Any], refit: Any) -> str:
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    raise ValueError(
        "refit: with several scorers AmtuneSearchCV needs refit=<scorer name> to know which "
        "score to optimize"
    )


def _holdout(search: AmtuneSearchCV, y: Any, seed: int) -> ShuffleSplit:
    """One stratified (classifiers) or shuffled split, drawn once per fit."""
    frac = float(search.validation_fraction)
    if (
        y is not None
        and is_classifier(search.estimator)
        and type_of_target(y) in ("binary", "multiclass")
    ):
        return StratifiedShuffleSplit(n_splits=1, test_size=frac, random_state=seed)
    return ShuffleSplit(n_splits=1, test_size=frac, random_state=seed)


def _decode(config: Mapping[str, Any], choices: Mapping[str, list[Any]]) -> dict[str, Any]:
    """Estimator parameters from an amtune configuration (list candidates by index)."""
    return {k: (choices[k][v] if k in choices else v) for k, v in config.items()}


def _to_space(spaces: Mapping[str, Any] | SearchSpace) -> tuple[SearchSpace, dict[str, list[Any]]]:
    """The amtune search space, and the candidate values of the list-given parameters."""
    if isinstance(spaces, SearchSpace):
        return spaces, {}
    if not isinstance(spaces, Mapping):
        raise TypeError(
            f"search_spaces must be a dict or an amtune.SearchSpace, got {type(spaces).__name__}"
        )
    ranges: dict[str, Parameter] = {}
    choices: dict[str, list[Any]] = {}
    for name, spec in spaces.items():
        if not isinstance(name, str):
            raise TypeError(f"search_spaces: parameter names must be strings, got {name!r}")
        ranges[name] = _to_range(name, spec, choices)
    return SearchSpace(ranges), choices


def _to_range(name: str, spec: Any, choices: dict[str, list[Any]]) -> Parameter:
    where = f"search_spaces[{name!r}]"
    if isinstance(spec, Parameter):
        return spec
    if isinstance(spec, tuple):
        if len(spec) not in (2, 3):
            raise ValueError(f"{where}: a tuple is (low, high) or (low, high, prior), got {spec!r}")
        low, high = spec[0], spec[1]
        prior = spec[2] if len(spec) == 3 else "uniform"
        if prior not in _PRIORS:
            raise ValueError(f"{where}: prior must be 'uniform' or 'log-uniform', got {prior!r}")
        ints = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (low, high))
        if ints:
            return IntegerParameter(low, high, _PRIORS[prior])
        return ContinuousParameter(low, high, _PRIORS[prior])
    if isinstance(spec, (str, bytes, Mapping)) or not isinstance(spec, Sequence):
        raise TypeError(
            f"{where}: expected an amtune range, a (low, high[, prior]) tuple or a list of "
            f"values, got {type(spec).__name__} {spec!r}"
        )
    values = list(spec)
    if not values:
        raise ValueError(f"{where}: a list of candidate values must not be empty")
    choices[name] = values
    return CategoricalParameter(list(range(len(values))))

"""The GP posterior mean of a tuning job's history, for the contour of the two most important
ranges.

The model is the Bayesian strategy's, fitted by the compiled engine
(:class:`amtune.strategies.surrogate.Surrogate`: Matern-5/2, one lengthscale per range, MAP
hyperparameters, input warping of ``Auto``-scaled ranges). With more than ``MAX_POINTS``
succeeded training jobs it is fitted to the best quarter of them plus an even selection by job
order of the rest, so that the contour rests on points spread over the whole space and a
10,000-job report stays fast; the contour says so.
"""

from __future__ import annotations

import numpy as np

from amtune.report.importance import subset
from amtune.space import SearchSpace
from amtune.strategies.surrogate import Surrogate

MAX_POINTS = 600


class ContourModel:
    """The posterior mean of the GP fitted to ``(X, loss)`` (encoded points, smaller is better)."""

    def __init__(self, space: SearchSpace, X: np.ndarray, loss: np.ndarray, seed: int = 0) -> None:
        rows = subset(loss, MAX_POINTS)
        self.n_used = len(rows)
        self.n_total = len(loss)
        self._model = Surrogate(space, seed=seed, big_history_threshold=None).fit_encoded(
            X[rows], loss[rows]
        )

    def mean(self, X: np.ndarray) -> np.ndarray:
        """Posterior mean at the encoded points ``X`` (the units of ``loss``)."""
        mu, _ = self._model.predict_encoded(X)
        return np.asarray(mu)

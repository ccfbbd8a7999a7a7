"""The GP posterior mean of a tuning job's history, for the contour of the two most important
ranges.

The model is the compiled core's Gaussian process (Matern-5/2, one lengthscale per range, MAP
hyperparameters under the core's priors). With more than ``MAX_POINTS`` succeeded training jobs it
is conditioned on the best quarter of them plus an even selection by job order of the rest, so a
10,000-job report stays fast; the contour says so.
"""

from __future__ import annotations

import numpy as np

from amtune._gpfit import GPModel
from amtune.report.importance import subset
from amtune.space import SearchSpace

MAX_POINTS = 600


class Surrogate:
    """The posterior mean of the GP fitted to ``(X, loss)`` (encoded points, smaller is better)."""

    def __init__(self, space: SearchSpace, X: np.ndarray, loss: np.ndarray, seed: int = 0) -> None:
        rows = subset(loss, MAX_POINTS)
        self.n_used = len(rows)
        self.n_total = len(loss)
        self._model = GPModel(space, X[rows], loss[rows], seed=seed, restarts=1)

    def mean(self, X: np.ndarray) -> np.ndarray:
        """Posterior mean at the encoded points ``X`` (the units of ``loss``)."""
        mu, _ = self._model.predict(X)
        return np.asarray(mu)

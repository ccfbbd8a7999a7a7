"""A small Gaussian-process fit built from the compiled core's bound pieces.

Used by the convergence rule (:mod:`amtune.completion`) and the transfer-learning warm start
(:mod:`amtune.warm_start`), which need a GP model of a tuning job's history outside the Bayesian
strategy (any strategy can be checked for convergence; transfer learning adds a prior mean).

The model is the core's: Matern-5/2 kernel with one lengthscale per range (Hamming distance for
categorical ranges), constant mean, Gaussian noise above a floor of ``1e-6``; hyperparameters by
maximum a posteriori under the core's priors (``core.gp_neg_log_posterior``), box-constrained
L-BFGS (``core.minimize_box``) from the prior's centre and ``restarts`` random starts. No input
warping and no output power transform: predictions are in the (standardized) units of ``y``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from amtune._ext import core
from amtune.space import SearchSpace
from amtune.strategies.surrogate import input_spec


class GPModel:
    """A fitted GP on ``(X, y)``; ``predict`` answers in the units of ``y``.

    With ``standardize=True`` the targets are z-scored before the fit (the usual case); with
    ``False`` they are used as given (a residual whose scale matters, as in transfer learning), less
    their mean when ``center=True``. ``theta0`` (the ``theta`` of an earlier fit) replaces the
    starts by one local run from it (a warm start when the data grew a little).
    """

    def __init__(
        self,
        space: SearchSpace,
        X: np.ndarray,
        y: np.ndarray,
        *,
        seed: int = 0,
        restarts: int = 2,
        standardize: bool = True,
        max_iter: int = 150,
        max_fit_points: int = 256,
        theta0: np.ndarray | None = None,
        center: bool = False,
    ) -> None:
        X = np.ascontiguousarray(X, dtype=np.float64).reshape(-1, space.dim)
        y = np.asarray(y, dtype=np.float64).ravel()
        if X.shape[0] != y.shape[0] or X.shape[0] < 1:
            raise ValueError("GPModel: X and y must have the same, non-zero number of rows")
        self.space = space
        self.spec = input_spec(space, warping=False)
        if standardize:
            self.loc = float(np.mean(y))
            sd = float(np.std(y))
            self.scale = sd if sd > 1e-12 else 1.0
        else:
            self.loc, self.scale = (float(np.mean(y)) if center else 0.0), 1.0
        yt = np.ascontiguousarray((y - self.loc) / self.scale)
        self.X, self.yt = X, yt
        if X.shape[0] > max_fit_points:  # hyperparameters from a subset; the posterior uses all
            sub = np.asarray(core.fit_subset(X, yt, max_fit_points), dtype=np.int64)
            Xf, yf = np.ascontiguousarray(X[sub]), np.ascontiguousarray(yt[sub])
        else:
            Xf, yf = X, yt
        d = space.dim
        lo = np.concatenate([np.full(d, math.log(5e-3)), [math.log(1e-3), -5.0, math.log(1e-9)]])
        hi = np.concatenate([np.full(d, math.log(1e3)), [math.log(50.0), 5.0, math.log(1.0)]])
        centre = math.sqrt(2.0) + 0.5 * math.log(max(d, 1))
        x0 = np.concatenate([np.full(d, centre), [0.0, float(np.clip(np.mean(yf), -5, 5)), -4.0]])
        rng = np.random.default_rng(seed)
        starts = [x0] + [
            np.clip(x0 + rng.normal(0.0, [1.0] * d + [0.5, 0.2, 1.0]), lo, hi)
            for _ in range(restarts)
        ]
        if theta0 is not None and np.shape(theta0) == x0.shape:  # warm start: one local run
            starts = [np.clip(np.asarray(theta0, dtype=np.float64), lo, hi)]

        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            try:
                v, g = core.gp_neg_log_posterior(
                    self.spec, Xf, yf, np.ascontiguousarray(theta), True
                )
            except RuntimeError:
                return 1e300, np.zeros_like(theta)
            if not math.isfinite(v):
                return 1e300, np.zeros_like(theta)
            return float(v), np.asarray(g)

        best: tuple[float, np.ndarray] | None = None
        for s in starts:
            theta, f, _, _ = core.minimize_box(fun, s, lo, hi, max_iter)
            if best is None or f < best[0]:
                best = (float(f), np.asarray(theta))
        assert best is not None
        self.neg_log_posterior, self.theta = best
        self.gp = self._conditioned(X, yt)

    def _conditioned(self, X: np.ndarray, yt: np.ndarray) -> Any:
        """A GP with the fitted hyperparameters, conditioned on ``(X, yt)`` (standardized)."""
        d, t = self.space.dim, self.theta
        gp = core.GP(
            self.spec,
            t[:d],
            log_sf2=float(t[d]),
            log_noise=float(t[d + 2]),
            mean=float(t[d + 1]),
        )
        gp.fit(X, yt)
        return gp

    def with_data(self, X: np.ndarray, y: np.ndarray) -> GPModel:
        """The same hyperparameters conditioned on other data (e.g. with fantasized points)."""
        other = object.__new__(GPModel)
        other.__dict__.update(self.__dict__)
        other.X = np.ascontiguousarray(X, dtype=np.float64).reshape(-1, self.space.dim)
        other.yt = np.ascontiguousarray((np.asarray(y, dtype=np.float64) - self.loc) / self.scale)
        other.gp = self._conditioned(other.X, other.yt)
        return other

    @property
    def noise_sd(self) -> float:
        """Standard deviation of the observation noise, in the units of ``y``."""
        return math.sqrt(1e-6 + math.exp(float(self.theta[-1]))) * self.scale

    def predict(self, Xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance of the latent function at rows ``Xc`` (units of ``y``)."""
        Xc = np.ascontiguousarray(Xc, dtype=np.float64).reshape(-1, self.space.dim)
        mu, var = self.gp.predict(Xc)
        return (
            np.asarray(mu) * self.scale + self.loc,
            np.maximum(np.asarray(var), 0.0) * self.scale**2,
        )

    def predict_grad(self, x: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """Mean, variance and their gradients at one point (zero for categorical coordinates)."""
        mu, var, dmu, dvar = self.gp.predict_grad(np.ascontiguousarray(x, dtype=np.float64))
        s = self.scale
        return (
            float(mu) * s + self.loc,
            max(float(var), 0.0) * s * s,
            np.asarray(dmu) * s,
            np.asarray(dvar) * s * s,
        )


def candidate_points(
    space: SearchSpace,
    X: np.ndarray,
    n: int,
    seed: int,
    around: np.ndarray | None = None,
    sd: float = 0.05,
) -> np.ndarray:
    """Canonical candidate points: ``n`` scrambled Halton points plus Gaussian perturbations
    (``sd`` in the encoded space) of the rows of ``around``, plus the rows of ``X``."""
    d = space.dim
    parts = [np.asarray(core.halton(n, d, seed, 0))]
    if around is not None and len(around):
        rng = np.random.default_rng(seed)
        rep = np.repeat(np.asarray(around).reshape(-1, d), 16, axis=0)
        parts.append(np.clip(rep + rng.normal(0.0, sd, rep.shape), 0.0, 1.0))
    if len(X):
        parts.append(np.asarray(X).reshape(-1, d))
    return np.ascontiguousarray(space.canonicalize(np.vstack(parts)))


def refine_min(
    space: SearchSpace, fun: Any, x0: np.ndarray, max_iter: int = 50
) -> tuple[np.ndarray, float]:
    """Minimize ``fun(x) -> (value, gradient)`` from ``x0`` over the continuous and integer
    coordinates (categorical coordinates stay fixed), then canonicalize; returns (x, value)."""
    kinds = space.kinds()
    lo = np.zeros(space.dim)
    hi = np.ones(space.dim)
    for i, k in enumerate(kinds):
        if k == "Categorical":
            lo[i] = hi[i] = x0[i]
    x, _, _, _ = core.minimize_box(
        fun, np.ascontiguousarray(x0, dtype=np.float64), lo, hi, max_iter
    )
    xc = space.canonicalize(np.asarray(x).reshape(1, -1))[0]
    return xc, float(fun(xc)[0])

"""``TransferLearningSearch``: the Bayesian strategy's initial design from a prior mean learned on
related tuning jobs (warm start ``TransferLearning``; the rule and its evidence test are described
in :mod:`amtune.rules.warm_start`, which loads the parents and installs this strategy).
"""

from __future__ import annotations

import math

import numpy as np

from amtune._ext import core
from amtune.space import SearchSpace
from amtune.strategies.base import History, Strategy
from amtune.strategies.surrogate import Surrogate, candidate_points, minimize_encoded

MAX_PRIOR_POINTS = 512
MIN_DESIGN_DISTANCE = 0.05
LOG_EI = core.Acquisition.LogEI


def _loc_scale(y: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of finite values ``y`` of any magnitude (1 when constant)."""
    m = float(np.max(np.abs(y))) if len(y) else 0.0
    if not m:
        return 0.0, 1.0
    u = y / m  # nothing is squared at the magnitude of y
    sd = float(np.std(u)) * m
    return float(np.mean(u)) * m, (sd if sd > 1e-12 * m else 1.0)


class TransferLearningSearch(Strategy):
    """The Bayesian strategy's initial design from a prior mean learned on related tuning jobs.

    ``inner`` is the bound ``BayesianSearch`` (used as is when the evidence says the tasks are
    unrelated); ``parents`` is a list of ``(X, y)`` per parent: encoded configurations in this
    space and values in the minimization sense (NaN for failed). See the module docstring.
    """

    name = "Bayesian"

    def __init__(self, inner: Strategy, parents: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.inner = inner
        self.n_transfer = int(getattr(inner, "initial_design_size", 0))
        self.space = inner.space
        self.seed = inner.seed
        self.rng = inner.rng
        Xs, ys = [], []
        for X, y in parents:
            y = np.asarray(y, dtype=np.float64)
            if np.isfinite(y).any():
                Xs.append(np.asarray(X, dtype=np.float64).reshape(-1, self.space.dim))
                ys.append(np.where(np.isnan(y), np.nanmax(y), y))  # failed: the parent's worst
        self.has_prior = bool(Xs)
        if self.has_prior:
            X = np.vstack(Xs)
            y = np.concatenate(ys)
            self.loc, self.scale = _loc_scale(y)
            z = (y - self.loc) / self.scale
            if X.shape[0] > MAX_PRIOR_POINTS:
                sub = np.asarray(core.fit_subset(np.ascontiguousarray(X), z, MAX_PRIOR_POINTS))
                X, z = X[sub], z[sub]
            # the posterior on all (at most MAX_PRIOR_POINTS) points: a prior mean over the space
            self.prior = Surrogate(
                self.space, seed=self.seed % (2**32), big_history_threshold=MAX_PRIOR_POINTS
            ).fit_encoded(X, z)
            pm, _ = self.prior.predict_encoded(X)
            self.prior_best = X[np.argsort(pm)[:5]]

    def bind(self, space: SearchSpace, seed: int) -> None:  # pragma: no cover - bound via inner
        raise RuntimeError("TransferLearningSearch is created around a bound strategy")

    def prior_mean(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the parents' model at encoded points ``X``."""
        return self.prior.predict_encoded(X)

    def ask(self, n: int, history: History) -> np.ndarray:
        if not self.has_prior:
            return self.inner.ask(n, history)
        d = self.space.dim
        pending = np.asarray(history.pending, dtype=np.float64).reshape(-1, d)
        used = history.n + len(pending)
        # the parents' model takes the place of the space-filling initial design
        n_tr = max(0, min(n, self.n_transfer - used))
        out: list[np.ndarray] = []
        if n_tr:
            out.append(self._transfer(n_tr, history, pending))
        rest = n - n_tr
        if rest:
            pend = np.vstack([pending, *out])
            out.append(self.inner.ask(rest, History(X=history.X, y=history.y, pending=pend)))
        return np.vstack(out).reshape(n, d)

    def _transfer(self, n: int, history: History, pending: np.ndarray) -> np.ndarray:
        """``n`` proposals from the parents' prior mean plus a residual GP on this job's values."""
        from amtune.strategies.random_search import config_keys

        space = self.space
        d = space.dim
        y = np.asarray(history.y, dtype=np.float64)
        X = np.asarray(history.X, dtype=np.float64).reshape(-1, d)
        z = (y - self.loc) / self.scale
        if len(y) and not np.isfinite(z).all():  # failed: the worst value seen in this job
            z = np.where(np.isnan(z), np.nanmax(z) if np.isfinite(z).any() else 0.0, z)
        m_X = self.prior_mean(X)[0] if len(y) else np.zeros(0)
        seed = self.next_seed()
        model: Surrogate | None = None
        if len(y):  # the residual of this job's values on the parents' prior mean
            model = Surrogate(space, seed=seed % (2**32)).fit_encoded(X, z - m_X)
        best = float(np.min(z)) if len(y) else math.inf
        seen = (
            set(config_keys(space.canonicalize(np.vstack([X, pending]))))
            if (space.is_finite and (len(X) or len(pending)))
            else set()
        )
        # Kriging believer: pending points get the model's mean as their value
        fx = X
        if len(pending):
            if model is not None:
                model.fantasize(pending)
                fx = np.vstack([fx, pending])
            else:
                fx = pending
        min_dist = MIN_DESIGN_DISTANCE * math.sqrt(d)
        out: list[np.ndarray] = []
        for _ in range(n):
            around = [self.prior_best]
            if len(y):
                around.append(X[np.argsort(z)[:5]])
            C = candidate_points(space, fx, 1024, seed + len(out), around=np.vstack(around))
            C = np.vstack([C, space.canonicalize(self.prior_best)])
            if space.is_finite:
                keep = [i for i, k in enumerate(config_keys(C)) if k not in seen]
                C = C[keep]
            elif len(fx):  # keep MIN_DESIGN_DISTANCE * sqrt(d) away from the other points
                dist = np.sqrt(((C[:, None, :] - fx[None, :, :]) ** 2).sum(-1)).min(1)
                if (dist >= min_dist).any():
                    C = C[dist >= min_dist]
            if not len(C):
                break
            pm, _ = self.prior_mean(C)
            if model is None:
                mu, var = pm, np.ones(len(C))
            else:
                rm, rsd = model.predict_encoded(C)
                mu, var = pm + rm, rsd**2
            if not math.isfinite(best):  # no value yet: the prior's minimizer
                acq = -mu
            else:
                acq = np.array(
                    [
                        core.acquisition_value(LOG_EI, best, 0.0, float(m), float(v))[0]
                        for m, v in zip(mu, var, strict=False)
                    ]
                )
            cand = [(float(acq[i]), C[i]) for i in np.argsort(-acq)[:3]]
            if model is not None and math.isfinite(best):

                def neg_acq(x: np.ndarray, mdl: Surrogate = model) -> tuple[float, np.ndarray]:
                    m1, _, dm1, _ = self.prior.predict_grad(x)
                    m2, v2, dm2, dv2 = mdl.predict_grad(x)
                    val, da_dm, da_dv = core.acquisition_value(LOG_EI, best, 0.0, m1 + m2, v2)
                    return -val, -(da_dm * (dm1 + dm2) + da_dv * dv2)

                for _, x0 in list(cand):
                    xr, v = minimize_encoded(space, neg_acq, x0, 30)
                    if space.is_finite:
                        ok = config_keys(xr[None, :])[0] not in seen
                    else:
                        ok = (
                            not len(fx) or float(np.sqrt(((fx - xr) ** 2).sum(1)).min()) >= min_dist
                        )
                    if ok:
                        cand.append((-v, xr))
            cand.sort(key=lambda t: -t[0])
            x = cand[0][1]
            out.append(x)
            if space.is_finite:
                seen.add(config_keys(x[None, :])[0])
            if model is not None:  # fantasize x for the next point of the batch
                model.fantasize(x[None, :])
            fx = np.vstack([fx, x[None, :]]) if len(fx) else x[None, :]
        if len(out) < n:  # a nearly exhausted finite space
            sub = History(
                X=history.X, y=history.y, pending=np.vstack([pending, *[o[None, :] for o in out]])
            )
            out.extend(self.inner.ask(n - len(out), sub))
        return np.array(out).reshape(n, d)

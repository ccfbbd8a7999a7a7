"""Hyperparameter importances of a tuning job's history: model-free (PED-ANOVA) and from the GP.

Both work on the encoded space ``[0, 1]^d`` of :class:`amtune.SearchSpace`, where each range's
scaling type is already applied (a ``Logarithmic`` range is uniform in ``log(value)``), and both are
normalized to sum to 1 over the tuned ranges.

**PED-ANOVA** (model-free; Watanabe, Bansal & Hutter, "PED-ANOVA: Efficiently Quantifying
Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023, arXiv:2304.10255). Let ``D_g`` be
the training jobs whose objective is in the best ``g`` quantile. The importance of range ``d`` for
reaching the best ``g' < g`` quantile is (their Theorem 1, the local variance of the indicator of
the ``g'`` set in ANOVA's sense, in closed form)

    v_d = (g'/g)^2 * E_{x ~ p(x_d | D_g)} [ (p(x_d | D_g') / p(x_d | D_g) - 1)^2 ],

the Pearson divergence between the one-dimensional densities of ``x_d`` in the two sets. The
constant factor cancels in the normalization. Here ``g = 1`` (every succeeded training job: the
importance *during this tuning job*, like Optuna's ``evaluate_on_local=True``) and ``g' = 0.1``;
the densities are Gaussian kernel estimates on a 50-point grid with Scott's bandwidth (discrete
ranges with at most 50 values: a histogram over their values), each with the weight of one
observation on the uniform density as a prior (as in the paper's implementation), so that a set of
a few points gives a smooth density. No model is fitted; it needs at least 20 succeeded jobs.

**GP** (``gp_importances``): the compiled engine fits its Gaussian process
(:class:`amtune.strategies.surrogate.Surrogate`: Matern-5/2 with one lengthscale per range, MAP
hyperparameters, the Bayesian strategy's priors and fit) to the
succeeded jobs (at most ``MAX_GP_POINTS``: the best quarter and an even spread of the
rest), with input warping off so that the lengthscales ``l_d`` are in the encoded
coordinates; the importance is the normalized inverse lengthscale (automatic relevance
determination, Rasmussen & Williams 2006, sec. 5.1)

    imp_d = (1 / l_d) / sum_j (1 / l_j).

A short lengthscale means the objective changes over a small part of the range. For a categorical
range the kernel compares values (Hamming distance), so ``1 / l_d`` measures how different the
objective is between two of its values.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from amtune.space import SearchSpace
from amtune.strategies.surrogate import Surrogate


def subset(loss: np.ndarray, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` rows: the best quarter, then evenly spaced others."""
    n = len(loss)
    if n <= limit:
        return np.arange(n)
    best = np.argsort(loss, kind="stable")[: limit // 4]
    rest = np.setdiff1d(np.arange(n), best)
    pick = rest[np.linspace(0, len(rest) - 1, limit - len(best)).round().astype(np.int64)]
    return np.sort(np.concatenate([best, pick]))


#: PED-ANOVA's quantiles: the importance of reaching the best 10% within all succeeded jobs.
TARGET_QUANTILE = 0.1
REGION_QUANTILE = 1.0
GRID_POINTS = 50
PRIOR_WEIGHT = 1.0
MIN_PED_ANOVA_JOBS = 20
#: The GP is fitted to at most this many jobs (the best quarter and an even spread of the rest).
MAX_GP_POINTS = 512


class ImportanceMethod(enum.Enum):
    """How an importance was computed."""

    PED_ANOVA = "PED-ANOVA"
    GP_LENGTHSCALE = "GP inverse lengthscale"


@dataclass(frozen=True)
class Importances:
    """Normalized importances (they sum to 1), in the search space's order.

    >>> imp = Importances(ImportanceMethod.PED_ANOVA, {"a": 0.2, "b": 0.8}, n_jobs=50)
    >>> imp.ranked()
    [('b', 0.8), ('a', 0.2)]
    """

    method: ImportanceMethod
    values: dict[str, float]
    n_jobs: int  # succeeded training jobs used

    def ranked(self) -> list[tuple[str, float]]:
        """(name, importance), most important first (ties keep the space's order)."""
        return sorted(self.values.items(), key=lambda kv: -kv[1])


def _normalized(space: SearchSpace, raw: np.ndarray) -> dict[str, float]:
    total = float(np.sum(raw))
    names = list(space.ranges)
    if not math.isfinite(total) or total <= 0.0:
        return dict.fromkeys(names, 1.0 / len(names))
    return {n: float(v) / total for n, v in zip(names, raw, strict=True)}


def _top_quantile(y: np.ndarray, quantile: float) -> np.ndarray:
    """Mask of the rows whose (smaller-is-better) value is within the best ``quantile``
    (ties at the cut-off included; the cut-off is the inverted-CDF quantile)."""
    if quantile >= 1.0:
        return np.ones(len(y), dtype=bool)
    k = max(math.ceil(quantile * len(y)) - 1, 0)
    cutoff = np.partition(y, k)[k]
    return np.asarray(y <= cutoff)


def _density(x: np.ndarray, cells: int | None) -> np.ndarray:
    """A discrete density over the grid of one encoded coordinate, with a uniform prior.

    ``cells`` is the number of values of a discrete range (a histogram), None for a continuous
    one (Gaussian kernels with Scott's bandwidth on ``GRID_POINTS`` points).
    """
    n = len(x)
    if cells is not None:
        idx = np.clip((x * cells).astype(np.int64), 0, cells - 1)
        counts = np.bincount(idx, minlength=cells).astype(np.float64)
        p = counts + PRIOR_WEIGHT / cells
    else:
        grid = (np.arange(GRID_POINTS) + 0.5) / GRID_POINTS
        sd = float(np.std(x)) if n > 1 else 1.0
        h = float(np.clip(1.059 * sd * n ** (-0.2), 1.0 / GRID_POINTS, 1.0))
        k = np.exp(-0.5 * ((grid[None, :] - x[:, None]) / h) ** 2)
        k /= k.sum(axis=1, keepdims=True)  # each observation spreads unit mass on the grid
        p = k.sum(axis=0) + PRIOR_WEIGHT / GRID_POINTS
    return np.asarray(p / p.sum())


def ped_anova_importances(
    space: SearchSpace,
    X: np.ndarray,
    loss: np.ndarray,
    target_quantile: float = TARGET_QUANTILE,
) -> Importances | None:
    """PED-ANOVA importances of the encoded points ``X`` with objective ``loss`` (smaller is
    better); None with fewer than ``MIN_PED_ANOVA_JOBS`` finite values.

    >>> import amtune, numpy as np
    >>> space = amtune.SearchSpace({"a": amtune.ContinuousParameter(0.0, 1.0),
    ...                             "b": amtune.ContinuousParameter(0.0, 1.0)})
    >>> X = np.random.default_rng(0).random((200, 2))
    >>> imp = ped_anova_importances(space, X, (X[:, 0] - 0.3) ** 2)
    >>> imp.ranked()[0][0]
    'a'
    """
    if not 0.0 < target_quantile < REGION_QUANTILE:
        raise ValueError(f"target_quantile: must be in (0, 1), got {target_quantile!r}")
    X = np.asarray(X, dtype=np.float64).reshape(-1, space.dim)
    loss = np.asarray(loss, dtype=np.float64)
    ok = np.isfinite(loss)
    X, loss = X[ok], loss[ok]
    if len(loss) < MIN_PED_ANOVA_JOBS:
        return None
    top = _top_quantile(loss, target_quantile)
    region = _top_quantile(loss, REGION_QUANTILE)
    raw = np.zeros(space.dim)
    for d, (kind, card) in enumerate(zip(space.kinds(), space.cardinalities(), strict=True)):
        discrete = kind == "Categorical" or (kind == "Integer" and card <= GRID_POINTS)
        cells = card if discrete else None
        p_top = _density(X[top, d], cells)
        p_region = _density(X[region, d], cells)
        # (eq. in Theorem 1) Pearson divergence of p(x_d | D_g') from p(x_d | D_g)
        raw[d] = float(p_region @ (p_top / p_region - 1.0) ** 2)
    return Importances(ImportanceMethod.PED_ANOVA, _normalized(space, raw), len(loss))


def gp_lengthscales(
    space: SearchSpace, X: np.ndarray, loss: np.ndarray, seed: int = 0
) -> np.ndarray:
    """The lengthscales (encoded coordinates, the space's order) of the compiled engine's GP
    fitted to ``X, loss``, input warping off."""
    model = Surrogate(space, seed=seed, input_warping=False).fit_encoded(X, loss)
    ls = model.lengthscales
    return np.array([ls[name] for name in space.ranges], dtype=np.float64)


def gp_importances(
    space: SearchSpace, X: np.ndarray, loss: np.ndarray, seed: int = 0
) -> Importances | None:
    """Normalized inverse ARD lengthscales of the engine's GP on the finite rows of ``X, loss``;
    None with fewer than ``max(5, d + 1)`` of them.

    >>> import amtune, numpy as np
    >>> space = amtune.SearchSpace({"a": amtune.ContinuousParameter(0.0, 1.0),
    ...                             "b": amtune.ContinuousParameter(0.0, 1.0)})
    >>> X = np.random.default_rng(0).random((40, 2))
    >>> gp_importances(space, X, np.sin(6 * X[:, 1])).ranked()[0][0]
    'b'
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1, space.dim)
    loss = np.asarray(loss, dtype=np.float64)
    ok = np.isfinite(loss)
    if int(ok.sum()) < max(5, space.dim + 1):
        return None
    X, loss = X[ok], loss[ok]
    rows = subset(loss, MAX_GP_POINTS)
    ls = gp_lengthscales(space, X[rows], loss[rows], seed)
    return Importances(ImportanceMethod.GP_LENGTHSCALE, _normalized(space, 1.0 / ls), len(rows))

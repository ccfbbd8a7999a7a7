"""Half-rank output warping (``half_rank``, the default; Song et al. 2024, Google Vizier's GP bandit).

Values worse than the median count by rank only, so a diverging training job's huge loss cannot
flatten the differences between the good values. The tests check the warping's definition, that
the proposals then do not depend on how bad the bad half is, and the effect it exists for.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

import amtune
from amtune import _core as core


def test_normal_quantile_matches_scipy():
    ps = np.concatenate([np.logspace(-300, -1, 120), np.linspace(0.01, 0.99, 99)])
    got = np.array([core.normal_quantile(p) for p in ps])
    np.testing.assert_allclose(got, norm.ppf(ps), rtol=1e-12, atol=1e-12)
    assert core.normal_quantile(0.5) == 0.0
    assert core.normal_quantile(0.0) == -math.inf and core.normal_quantile(1.0) == math.inf


def reference_warp(y: np.ndarray) -> np.ndarray:
    """The definition in cpp/include/amtune/warping.hpp, written out in NumPy."""
    m = float(np.sort(y)[(len(y) - 1) // 2])  # the lower median
    u = np.unique(y)
    good = u[u <= m]
    sd = math.sqrt(np.mean((good - m) ** 2))
    if sd == 0:
        sd = math.sqrt(np.mean((u - m) ** 2))
    k = int((u > m).sum())
    denom = 2 * k + (1 if m in u else 0)
    out = y.astype(float).copy()
    for i, v in enumerate(y):
        if v > m:
            r = int((u >= v).sum())  # dense rank from the worst
            out[i] = m - sd * norm.ppf((r - 0.5) / denom)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_warp_matches_its_definition_and_keeps_ranks(seed):
    rng = np.random.default_rng(seed)
    y = np.round(np.exp(rng.normal(0, 2, 31 + seed)), 1)  # heavy tail, with ties
    w = core.half_rank_warp(y)
    np.testing.assert_allclose(w, reference_warp(y), rtol=1e-12)
    m = np.sort(y)[(len(y) - 1) // 2]
    np.testing.assert_array_equal(w[y <= m], y[y <= m])  # the good half is untouched
    assert np.all(w[y > m] > m)
    # order kept (ties stay ties)
    assert np.array_equal(np.sign(np.subtract.outer(w, w)), np.sign(np.subtract.outer(y, y)))


def test_bad_half_counts_by_rank_only():
    y = np.array([0.30, 0.31, 0.29, 0.50, 0.28, 0.70, 0.33, 0.90, 0.35])
    huge = y.copy()
    huge[y > np.median(y)] *= 1e300  # the bad half becomes astronomically bad, ranks unchanged
    np.testing.assert_array_equal(core.half_rank_warp(huge), core.half_rank_warp(y))
    # the worst value lands within a few of the good half's spreads of the median
    w = core.half_rank_warp(huge)
    assert w.max() < np.median(y) + 3 * 0.05


def test_degenerate_inputs_are_returned_unchanged():
    for y in (np.array([1.0]), np.array([1.0, 5.0]), np.full(6, 2.0)):
        np.testing.assert_array_equal(core.half_rank_warp(y), y)


def _space():
    return amtune.SearchSpace(
        {"x": amtune.ContinuousParameter(0, 1), "y": amtune.ContinuousParameter(0, 1)}
    )


def _bowl(c, big):
    # a diverging region (x > 0.5) next to a bowl with its minimum at (0.2, 0.7)
    return big if c["x"] > 0.5 else (c["x"] - 0.2) ** 2 + (c["y"] - 0.7) ** 2


def _run(big, n=30, seed=0, **options):
    opt = amtune.Optimizer(_space(), strategy="Bayesian", random_seed=seed, **options)
    points, best = [], math.inf
    for _ in range(n):
        t = opt.ask(1)[0]
        v = _bowl(t.params, big)
        opt.tell(t.id, v)
        points.append((t.params["x"], t.params["y"]))
        best = min(best, v)
    return points, best


def test_proposals_do_not_depend_on_how_bad_the_bad_half_is():
    # with half_rank, 10 and 1e300 for a diverged job are the same information: the same proposals
    a, _ = _run(10.0, n=20)  # the default
    b, _ = _run(1e300, n=20)
    assert a == b
    # without it they differ (what the warping removes)
    c, _ = _run(10.0, n=20, half_rank=False)
    d, _ = _run(1e300, n=20, half_rank=False)
    assert c != d


def test_diverging_region_no_longer_flattens_the_bowl():
    seeds = range(3)
    with_hr = [_run(1e6, seed=s)[1] for s in seeds]
    without = [_run(1e6, seed=s, half_rank=False)[1] for s in seeds]
    no_step = [_run(0.5, seed=s)[1] for s in seeds]  # a mild bad region: the reference
    assert np.median(with_hr) < 1e-5
    assert np.median(with_hr) < np.median(without) / 100
    assert np.median(with_hr) < 100 * np.median(no_step) + 1e-7


def test_half_rank_waits_for_half_rank_from_trials():
    # a 5-point design: the fits on 5-9 trials use the values as they are, then the warping starts
    late, _ = _run(1e6, n=20, n_initial=5, half_rank_from=10)
    never, _ = _run(1e6, n=20, n_initial=5, half_rank=False)
    always, _ = _run(1e6, n=20, n_initial=5, half_rank_from=3)
    assert late[:10] == never[:10]
    assert late[:10] != always[:10]
    assert late[10:] != never[10:]


def test_half_rank_is_validated():
    with pytest.raises(TypeError, match="half_rank must be a bool"):
        amtune.Optimizer(_space(), strategy="Bayesian", half_rank="yes")
    for bad in (-1, 2.5, "10"):
        with pytest.raises(ValueError, match="half_rank_from must be an integer >= 0"):
            amtune.Optimizer(_space(), strategy="Bayesian", half_rank_from=bad)


def test_any_finite_magnitude():
    # the spread is computed on power-of-two-scaled distances: no overflow at 1e300, no underflow at
    # 1e-300, and 2^k y warps to exactly 2^k times the warped y
    y = np.array([0.30, 0.31, 0.29, 0.50, 0.28, 0.70, 0.33, 0.90, 0.35])
    w = core.half_rank_warp(y)
    for k in (900, -900):
        np.testing.assert_array_equal(core.half_rank_warp(np.ldexp(y, k)), np.ldexp(w, k))
    near_max = np.array([1.0, 2.0, 3.0, 1e308, 1.5e308, 1.7e308])
    assert np.all(np.isfinite(core.half_rank_warp(near_max)))

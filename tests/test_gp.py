"""The Gaussian-process core: values against references, every gradient against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from amtune._ext import core

scipy_special = pytest.importorskip("scipy.special")

LOGEI, UCB, PI = core.Acquisition.LogEI, core.Acquisition.UCB, core.Acquisition.PI


def spec(kinds, cards, warp):
    """The core's InputSpec from kind codes 0/1/2 (continuous/integer/categorical)."""
    return core.InputSpec([core.Kind(k) for k in kinds], cards, [bool(w) for w in warp])


def fd_grad(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps * max(1.0, abs(x[i]))
        g[i] = (f(x + e) - f(x - e)) / (2 * e[i])
    return g


# ---------------------------------------------------------------------------- special functions
@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 0.3, 1.0, 4.99, 5.0, 5.01, 12.0, 40.0, 1e4])
def test_erfcx_matches_scipy(x):
    assert core.erfcx(x) == pytest.approx(scipy_special.erfcx(x), rel=1e-13)


@pytest.mark.parametrize(
    "z", [3.0, 0.5, 0.0, -0.99, -1.0, -1.01, -4.0, -20.0, -300.0, -5e4, -1e6, -1e9]
)
def test_log_h_value_and_derivative(z):
    v, d = core.log_h(z)
    # reference: log(phi + z Phi) via the scaled form, exact for every z (mpmath-free)
    if z > -5:
        ref = math.log(scipy_special.ndtr(z) * z + math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
        assert v == pytest.approx(ref, rel=1e-10, abs=1e-12)
    else:
        # asymptotic series: log h = -z^2/2 - log(2 pi)/2 - 2 log|z| + log(1 - 3/z^2 + 15/z^4 - ...)
        ref = (
            -z * z / 2
            - 0.5 * math.log(2 * math.pi)
            - 2 * math.log(-z)
            + math.log1p(-3 / z**2 + 15 / z**4 - 105 / z**6)
        )
        assert v == pytest.approx(ref, rel=1e-9 if z < -15 else 1e-4)
    eps = 1e-6 * max(1.0, abs(z))
    fd = (core.log_h(z + eps)[0] - core.log_h(z - eps)[0]) / (2 * eps)
    assert d == pytest.approx(fd, rel=1e-5)
    assert np.isfinite(v) and np.isfinite(d)


def test_log_h_is_continuous_at_branch_points():
    tail = -1.0 / math.sqrt(np.finfo(float).eps)
    for z0 in (-1.0, tail):
        lo, hi = core.log_h(z0 * (1 + 1e-12))[0], core.log_h(z0 * (1 - 1e-12))[0]
        assert lo == pytest.approx(hi, rel=1e-8)


@pytest.mark.parametrize("z", [2.0, 0.0, -4.9, -5.1, -40.0])
def test_log_ndtr(z):
    v, d = core.log_ndtr(z)
    assert v == pytest.approx(scipy_special.log_ndtr(z), rel=1e-12)
    eps = 1e-6
    assert d == pytest.approx(
        (core.log_ndtr(z + eps)[0] - core.log_ndtr(z - eps)[0]) / (2 * eps), rel=1e-5
    )


@pytest.mark.parametrize("kind", [LOGEI, UCB, PI])
@pytest.mark.parametrize(("mu", "var"), [(0.3, 0.5), (-1.0, 1e-3), (2.0, 1e-2), (10.0, 0.04)])
def test_acquisition_partials(kind, mu, var):
    best, kappa = -0.2, 1.96
    a, dmu, dvar = core.acquisition_value(kind, best, kappa, mu, var)
    assert np.isfinite(a)
    g = fd_grad(lambda p: core.acquisition_value(kind, best, kappa, p[0], p[1])[0], [mu, var], 1e-7)
    np.testing.assert_allclose([dmu, dvar], g, rtol=1e-5, atol=1e-7)


def test_logei_far_from_incumbent_is_finite_and_ordered():
    # plain EI underflows to 0 here; its log must stay finite and decrease with the mean
    vals = [core.acquisition_value(LOGEI, 0.0, 1.96, mu, 1e-4)[0] for mu in (1.0, 5.0, 50.0)]
    assert all(np.isfinite(vals)) and vals[0] > vals[1] > vals[2]


# ---------------------------------------------------------------------------- warpings
@pytest.mark.parametrize(
    ("x", "a", "b"), [(0.3, 1.0, 1.0), (0.01, 0.4, 2.5), (0.97, 3.0, 0.5), (0.5, 0.7, 0.7)]
)
def test_kumaraswamy_derivatives(x, a, b):
    w, dx, dla, dlb = core.kumaraswamy(x, a, b)
    assert 0.0 <= w <= 1.0
    f = lambda p: core.kumaraswamy(p[0], math.exp(p[1]), math.exp(p[2]))[0]  # noqa: E731
    np.testing.assert_allclose(
        [dx, dla, dlb], fd_grad(f, [x, math.log(a), math.log(b)], 1e-7), rtol=1e-5, atol=1e-9
    )


def test_kumaraswamy_identity_at_one():
    for x in (0.0, 0.25, 0.5, 1.0):
        assert core.kumaraswamy(x, 1.0, 1.0)[0] == pytest.approx(x, abs=1e-5)


def test_output_transform_preserves_ranks_and_handles_scales():
    rng = np.random.default_rng(0)
    y = np.exp(rng.normal(0, 3, 50))  # heavy right tail
    ot = core.OutputTransform()
    t = ot.fit(y)
    assert np.array_equal(np.argsort(t), np.argsort(y))
    assert ot.lam <= 1.0
    assert abs(t.mean()) < 1e-9 and t.std() == pytest.approx(1.0)
    for scale in (1e12, 1e-12):
        ts = core.OutputTransform().fit(y * scale)
        np.testing.assert_allclose(ts, t, rtol=1e-6, atol=1e-8)
    c = core.OutputTransform().fit(np.full(5, 3.0))
    np.testing.assert_array_equal(c, np.zeros(5))


# ---------------------------------------------------------------------------- likelihood
SPECS = {
    "continuous": ([0, 0, 0], [0, 0, 0], [0, 0, 0]),
    "warped-mixed": ([0, 1, 2, 0], [0, 5, 3, 0], [1, 1, 0, 0]),
    "categorical-only": ([2, 2], [3, 4], [0, 0]),
    "integer-only": ([1, 1], [4, 7], [1, 0]),
}


def theta_size(kinds, warp, learn_noise=True):
    w = sum(1 for k, f in zip(kinds, warp, strict=True) if f and k != 2)
    return len(kinds) + 2 + int(learn_noise) + 2 * w


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("learn_noise", [True, False])
def test_neg_log_posterior_gradient(name, learn_noise):
    kinds, cards, warp = SPECS[name]
    rng = np.random.default_rng(1)
    X = rng.random((25, len(kinds)))
    if all(k != 0 for k in kinds):
        # distinct cells only: with tiny fixed noise, repeated cells would need jitter, which is
        # not differentiable
        grid = np.stack(np.meshgrid(*[(np.arange(c) + 0.5) / c for c in cards]), -1).reshape(
            -1, len(cards)
        )
        X = grid[rng.permutation(len(grid))[: min(25, len(grid))]]
    y = np.sin(6 * X[:, 0]) + 0.1 * rng.standard_normal(len(X))
    theta = rng.normal(0.0, 0.4, theta_size(kinds, warp, learn_noise))
    if learn_noise:
        theta[len(kinds) + 2] = -3.0
    v, g = core.gp_neg_log_posterior(spec(kinds, cards, warp), X, y, theta, learn_noise)
    assert np.isfinite(v)
    f = lambda t: core.gp_neg_log_posterior(spec(kinds, cards, warp), X, y, t, learn_noise)[0]  # noqa: E731
    np.testing.assert_allclose(g, fd_grad(f, theta, 1e-6), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("log_noise", [-6.0, -3.0, 0.5])
def test_neg_log_posterior_gradient_with_the_gamma_noise_prior(log_noise):
    # Gamma(1.1, 30) on the noise variance (Optuna GPSampler's prior): the gradient in log_noise
    # carries (alpha - 1) - beta e^t, and the value differs from the log-normal prior's
    kinds, cards, warp = SPECS[sorted(SPECS)[0]]
    rng = np.random.default_rng(2)
    X = rng.random((20, len(kinds)))
    y = np.cos(5 * X[:, 0]) + 0.05 * rng.standard_normal(len(X))
    theta = rng.normal(0.0, 0.4, theta_size(kinds, warp))
    theta[len(kinds) + 2] = log_noise
    s = spec(kinds, cards, warp)
    v, g = core.gp_neg_log_posterior(s, X, y, theta, True, True)
    f = lambda t: core.gp_neg_log_posterior(s, X, y, t, True, True)[0]  # noqa: E731
    np.testing.assert_allclose(g, fd_grad(f, theta, 1e-6), rtol=1e-4, atol=1e-5)
    v_lognormal = core.gp_neg_log_posterior(s, X, y, theta, True, False)[0]
    # the two priors' log densities differ by exactly their difference at log_noise
    gamma = 0.1 * log_noise - 30.0 * np.exp(log_noise)
    lognormal = -0.5 * (log_noise + 4.0) ** 2
    assert v - v_lognormal == pytest.approx(lognormal - gamma, rel=1e-9, abs=1e-9)


def test_neg_log_posterior_rejects_wrong_theta():
    with pytest.raises(ValueError, match="theta"):
        core.gp_neg_log_posterior(
            spec([0], [0], [0]), np.zeros((2, 1)), np.zeros(2), np.zeros(2), True
        )


# ---------------------------------------------------------------------------- posterior
def make_gp(kinds, cards, warp, seed=0, noise=-9.0):
    rng = np.random.default_rng(seed)
    w = sum(1 for k, f in zip(kinds, warp, strict=True) if f and k != 2)
    return core.GP(
        spec(kinds, cards, warp),
        rng.normal(-1.0, 0.3, len(kinds)),
        0.2,
        noise,
        0.1,
        rng.normal(0, 0.3, w),
        rng.normal(0, 0.3, w),
        1e-6,
    )


@pytest.mark.parametrize("name", sorted(SPECS))
def test_predict_grad_matches_predict_and_finite_differences(name):
    kinds, cards, warp = SPECS[name]
    gp = make_gp(kinds, cards, warp)
    rng = np.random.default_rng(2)
    X = rng.random((30, len(kinds)))
    gp.fit(X, np.cos(5 * X.sum(axis=1)))
    x = rng.random(len(kinds)) * 0.8 + 0.1
    mu, var, dmu, dvar = gp.predict_grad(x)
    m2, v2 = gp.predict(x[None, :])
    assert mu == pytest.approx(m2[0], rel=1e-10) and var == pytest.approx(
        v2[0], rel=1e-8, abs=1e-14
    )
    cont = [j for j, k in enumerate(kinds) if k != 2]
    fmu = lambda z: gp.predict_grad(z)[0]  # noqa: E731
    fvar = lambda z: gp.predict_grad(z)[1]  # noqa: E731
    np.testing.assert_allclose(dmu[cont], fd_grad(fmu, x, 1e-6)[cont], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(dvar[cont], fd_grad(fvar, x, 1e-6)[cont], rtol=1e-4, atol=1e-6)
    assert np.all(dmu[[j for j, k in enumerate(kinds) if k == 2]] == 0)


@pytest.mark.parametrize("kind", [LOGEI, UCB, PI])
def test_acquisition_gradient_in_x(kind):
    kinds, cards, warp = SPECS["warped-mixed"]
    gp = make_gp(kinds, cards, warp, noise=-6.0)
    rng = np.random.default_rng(3)
    X = rng.random((40, 4))
    y = (X[:, 0] - 0.3) ** 2 + X[:, 3]
    gp.fit(X, (y - y.mean()) / y.std())
    best = float(((y - y.mean()) / y.std()).min())
    for _ in range(3):
        x = rng.random(4) * 0.9 + 0.05
        _, g = gp.acquisition_grad(kind, best, 1.96, x)
        f = lambda z: gp.acquisition_grad(kind, best, 1.96, z)[0]  # noqa: E731
        fd = fd_grad(f, x, 1e-6)
        np.testing.assert_allclose(g[[0, 1, 3]], fd[[0, 1, 3]], rtol=1e-4, atol=1e-6)


def test_append_equals_refit_and_truncate_restores():
    kinds, cards, warp = SPECS["warped-mixed"]
    rng = np.random.default_rng(4)
    X = rng.random((20, 4))
    y = rng.standard_normal(20)
    full = make_gp(kinds, cards, warp)
    full.fit(X, y)
    inc = make_gp(kinds, cards, warp)
    inc.fit(X[:12], y[:12])
    inc.append(X[12:], y[12:])
    np.testing.assert_allclose(inc.L, full.L, rtol=1e-9, atol=1e-10)
    Xt = rng.random((7, 4))
    np.testing.assert_allclose(inc.predict(Xt)[0], full.predict(Xt)[0], rtol=1e-8, atol=1e-10)
    inc.truncate(12)
    part = make_gp(kinds, cards, warp)
    part.fit(X[:12], y[:12])
    np.testing.assert_allclose(inc.predict(Xt)[1], part.predict(Xt)[1], rtol=1e-8, atol=1e-12)


def test_duplicates_and_degenerate_data_factorize():
    gp = make_gp([0, 0], [0, 0], [0, 0], noise=-40.0)  # noise at its floor
    X = np.tile([[0.5, 0.5]], (10, 1))
    gp.fit(X, np.ones(10))
    mu, var = gp.predict(np.array([[0.5, 0.5], [0.1, 0.9]]))
    assert np.isfinite(mu).all() and np.isfinite(var).all() and (var >= 0).all()
    gp.append(X[:3], np.ones(3))  # more duplicates, incrementally
    assert gp.n == 13 and np.isfinite(gp.predict(X[:1])[0]).all()


def test_single_observation_posterior():
    gp = make_gp([0], [0], [0])
    gp.fit(np.array([[0.3]]), np.array([2.0]))
    mu, var = gp.predict(np.array([[0.3], [1.0]]))
    assert mu[0] == pytest.approx(2.0, abs=1e-3) and var[0] < 1e-3 < var[1]


# ---------------------------------------------------------------------------- optimizers and sequences
def test_minimize_box_rosenbrock_and_bounds():
    def rosen(x):
        f = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        g = np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])
        return f, g

    x, _, _, _ = core.minimize_box(
        rosen, np.array([-1.2, 1.0]), np.array([-2.0, -2.0]), np.array([2.0, 2.0])
    )
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-4)
    # the unconstrained minimum is outside the box: the solution sits on the bound
    x, _, _, _ = core.minimize_box(
        rosen, np.array([0.0, 0.0]), np.array([-2.0, -2.0]), np.array([0.5, 2.0])
    )
    assert x[0] == 0.5 and x[1] == pytest.approx(0.25, abs=1e-4)


def test_minimize_box_survives_infinite_values():
    def f(x):
        if x[0] > 0.7:
            return math.inf, np.zeros(1)
        return (x[0] - 0.6) ** 2, np.array([2 * (x[0] - 0.6)])

    x, _, _, _ = core.minimize_box(f, np.array([0.0]), np.array([0.0]), np.array([1.0]))
    assert x[0] == pytest.approx(0.6, abs=1e-5)


def test_halton_is_reproducible_stratified_and_extensible():
    a = core.halton(64, 5, 7)
    assert a.shape == (64, 5) and (a >= 0).all() and (a < 1).all()
    np.testing.assert_array_equal(a, core.halton(64, 5, 7))
    np.testing.assert_array_equal(a[10:20], core.halton(10, 5, 7, 10))
    assert not np.array_equal(a, core.halton(64, 5, 8))
    # base 2 coordinate: the first 2^k points fill the 2^k dyadic intervals once each
    assert sorted(np.floor(a[:16, 0] * 16).astype(int)) == list(range(16))
    assert sorted(np.floor(a[:9, 1] * 9).astype(int)) == list(range(9))


def test_fit_subset_keeps_the_best_and_spreads():
    rng = np.random.default_rng(5)
    X = rng.random((500, 3))
    y = rng.standard_normal(500)
    idx = np.asarray(core.fit_subset(X, y, 64))
    assert len(idx) == len(set(idx.tolist())) == 64
    assert set(np.argsort(y)[:16]) <= set(idx.tolist())
    assert list(core.fit_subset(X[:10], y[:10], 64)) == list(range(10))


def test_believer_fantasy_keeps_the_mean_and_collapses_the_variance():
    gp = make_gp([0, 0], [0, 0], [0, 0], noise=-3.0)  # a noisy model
    rng = np.random.default_rng(6)
    X = rng.random((15, 2))
    gp.fit(X, np.sin(4 * X[:, 0]))
    x = np.array([[0.37, 0.61]])
    grid = rng.random((20, 2))
    mu0, var0 = gp.predict(grid)
    m, v = gp.predict(x)
    gp.append(x, m, 1e-9)
    mu1, var1 = gp.predict(grid)
    np.testing.assert_allclose(mu1, mu0, atol=1e-9)
    assert (var1 <= var0 + 1e-12).all() and gp.predict(x)[1][0] < 1e-6 < v[0]


def test_fit_rows_equals_fit_on_the_subset():
    rng = np.random.default_rng(7)
    X = rng.random((30, 3))
    y = rng.standard_normal(30)
    rows = [3, 7, 8, 20, 29]
    a, b = make_gp([0, 0, 0], [0] * 3, [0] * 3), make_gp([0, 0, 0], [0] * 3, [0] * 3)
    a.fit_rows(X, y, rows)
    b.fit(X[rows], y[rows])
    np.testing.assert_allclose(a.L, b.L)
    with pytest.raises(ValueError, match="row indices"):
        a.fit_rows(X, y, [30])

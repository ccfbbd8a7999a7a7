"""The engine's fitted model exposed to Python (amtune.strategies.surrogate.Surrogate)."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.surrogate import Surrogate, candidate_points, minimize_encoded

C = amtune.ContinuousParameter


def space3():
    return amtune.SearchSpace(
        {
            "x": C(0.0, 1.0),
            "k": amtune.IntegerParameter(1, 20),
            "c": amtune.CategoricalParameter(["a", "b", "c"]),
        }
    )


def f3(p):
    return (p["x"] - 0.3) ** 2 + 0.3 * (p["c"] == "b")


def fitted(n=40, seed=0, scale=1.0, **kw):
    space = space3()
    configs = space.sample(n, seed=seed)
    return space, configs, Surrogate(space, configs, [scale * f3(p) for p in configs], **kw)


def test_lengthscales_rank_the_ranges_by_relevance():
    space, _, model = fitted()
    ls = model.lengthscales
    assert list(ls) == space.names
    assert all(v > 0 for v in ls.values())
    # f ignores k: its lengthscale is the longest
    assert ls["k"] > ls["x"] and ls["k"] > ls["c"]


def test_predictions_reproduce_the_data_in_its_units():
    space, configs, model = fitted(deterministic=True)
    mean, sd = model.predict(configs[:10])
    np.testing.assert_allclose(mean, [f3(p) for p in configs[:10]], atol=1e-3)
    assert (sd < 1e-2).all() and (sd >= 0).all()
    mean2, sd2 = model.predict_encoded(space.encode(configs[:10]))
    np.testing.assert_array_equal(mean, mean2)
    np.testing.assert_array_equal(sd, sd2)


@pytest.mark.parametrize("scale", [2.0**-600, 2.0**40, 2.0**700])
def test_the_model_is_invariant_to_the_units_of_the_values(scale):
    # a power of two scales exactly: every quantity scales, nothing else changes
    _, _, ref = fitted()
    _, _, big = fitted(scale=scale)
    probe = space3().sample(7, seed=3)
    (m0, s0), (m1, s1) = ref.predict(probe), big.predict(probe)
    np.testing.assert_allclose(m1, m0 * scale, rtol=1e-9)
    np.testing.assert_allclose(s1, s0 * scale, rtol=1e-9)
    assert big.noise_sd == pytest.approx(ref.noise_sd * scale, rel=1e-9)
    assert big.lengthscales == pytest.approx(ref.lengthscales, rel=1e-9)


def test_values_of_any_finite_magnitude():
    space = amtune.SearchSpace({"x": C(0.0, 1.0)})
    configs = space.sample(15, seed=1)
    for scale in (1e200, 1e-200, 1e300):
        model = Surrogate(space, configs, [scale * (p["x"] - 0.5) ** 2 for p in configs])
        mean, sd = model.predict([{"x": 0.5}, {"x": 0.0}])
        assert np.isfinite(mean).all() and np.isfinite(sd).all()
        assert mean[0] < mean[1] and mean[1] == pytest.approx(0.25 * scale, rel=0.1)


def test_noise_is_estimated_in_the_units_of_the_values():
    space = amtune.SearchSpace({"x": C(0.0, 1.0)})
    rng = np.random.default_rng(0)
    configs = space.sample(80, seed=2)
    y = [10 * np.sin(6 * p["x"]) + rng.normal(0, 0.5) for p in configs]
    model = Surrogate(space, configs, y)
    assert 0.25 < model.noise_sd < 1.0
    assert model.signal_sd > 2.0
    assert np.isfinite(model.neg_log_posterior)


@pytest.mark.parametrize("deterministic", [False, None])
def test_predict_grad_matches_finite_differences(deterministic):
    # deterministic=None selects the noiseless (interpolating) model here: its mean is a difference
    # of larger terms, so the near-zero derivative along the irrelevant k is checked to 1e-7
    space, _, model = fitted(deterministic=deterministic)
    x = np.array([0.41, space.encode([{"x": 0.0, "k": 7, "c": "a"}])[0, 1], 0.1])
    m, v, dm, dv = model.predict_grad(x)
    pm, psd = model.predict_encoded(x[None, :])
    assert m == pytest.approx(pm[0], rel=1e-9) and v == pytest.approx(psd[0] ** 2, rel=1e-6)
    eps = 1e-4  # the mean is a difference of large terms: a smaller step is rounding noise
    for j in (0, 1):
        e = np.zeros(3)
        e[j] = eps
        (mp, sp), (mm, sm) = (
            model.predict_encoded((x + e)[None]),
            model.predict_encoded((x - e)[None]),
        )
        assert dm[j] == pytest.approx((mp[0] - mm[0]) / (2 * eps), rel=1e-3, abs=1e-7)
        assert dv[j] == pytest.approx((sp[0] ** 2 - sm[0] ** 2) / (2 * eps), rel=1e-3, abs=1e-9)
    assert dm[2] == 0.0 and dv[2] == 0.0  # categorical


def test_fantasies_keep_the_mean_and_shrink_the_uncertainty():
    space, _, model = fitted()
    X = space.encode(space.sample(5, seed=9))
    m0, s0 = model.predict_encoded(X)
    model.fantasize(X)
    m1, s1 = model.predict_encoded(X)
    np.testing.assert_allclose(m1, m0, rtol=1e-6, atol=1e-9)
    assert (s1 < s0).all()


def test_failures_are_the_worst_value_and_the_fit_is_reproducible():
    space = space3()
    configs = space.sample(30, seed=4)
    values = [None if p["x"] > 0.8 else f3(p) for p in configs]
    a = Surrogate(space, configs, values, seed=5)
    b = Surrogate(space, configs, values, seed=5)
    assert a.hyperparameters().keys() == b.hyperparameters().keys()
    np.testing.assert_array_equal(a.hyperparameters()["log_ls"], b.hyperparameters()["log_ls"])
    mean, _ = a.predict([{"x": 0.95, "k": 3, "c": "a"}])
    assert mean[0] >= max(v for v in values if v is not None) * 0.5


def test_the_big_history_bound_applies():
    space = amtune.SearchSpace({f"x{i}": C(0.0, 1.0) for i in range(3)})
    rng = np.random.default_rng(1)
    X = rng.random((600, 3))
    y = ((X - 0.4) ** 2).sum(1)
    model = Surrogate(space, big_history_threshold=100, local_points=64).fit_encoded(X, y)
    assert model.n_observations == 600 and model.model_points < 300
    mean, _ = model.predict_encoded(X[np.argsort(y)[:5]])
    assert np.isfinite(mean).all() and (np.abs(mean - np.sort(y)[:5]) < 0.05).all()
    exact = Surrogate(space, big_history_threshold=None).fit_encoded(X[:200], y[:200])
    assert exact.model_points == 200


def test_refits_on_a_grown_history_and_refitting_drops_fantasies():
    space, configs, model = fitted(n=20)
    more = space.sample(10, seed=8)
    model.fit(configs + more, [f3(p) for p in configs + more])
    assert model.n_observations == 30
    model.fantasize(space.encode(more))
    model.fit(configs + more, [f3(p) for p in configs + more])
    assert model.model_points == 30


def test_bad_input_is_a_clear_error():
    space = space3()
    configs = space.sample(5, seed=0)
    with pytest.raises(ValueError, match="at least one value must be finite"):
        Surrogate(space, configs, [None] * 5)
    with pytest.raises(ValueError, match="5 configurations but 4 values"):
        Surrogate(space, configs, [1.0] * 4)
    with pytest.raises(ValueError, match="finite"):
        Surrogate(space, configs, [1.0, 2.0, float("inf"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="not fitted"):
        _ = Surrogate(space).lengthscales
    model = Surrogate(space, configs, [1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        model.predict_encoded(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.predict_encoded(np.full((1, 3), 2.0))
    with pytest.raises(ValueError, match="configs need values"):
        Surrogate(space, configs)


def test_search_helpers():
    space = space3()
    X = space.encode(space.sample(4, seed=0))
    C_ = candidate_points(space, X, 32, seed=1, around=X[:1])
    assert C_.shape == (32 + 16 + 4, 3) and ((C_ >= 0) & (C_ <= 1)).all()
    np.testing.assert_array_equal(C_, space.canonicalize(C_))

    def bowl(x):
        return float(((x - 0.25) ** 2).sum()), 2 * (x - 0.25)

    x, v = minimize_encoded(space, bowl, np.array([0.9, 0.9, 0.9]))
    assert (
        x[0] == pytest.approx(0.25, abs=1e-4)
        and x[2] == space.canonicalize(np.full((1, 3), 0.9))[0, 2]
    )
    assert v == pytest.approx(bowl(x)[0])

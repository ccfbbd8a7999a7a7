"""Choosing the noise model by leave-one-out predictive density (``noise_selection="loo"``) or
by a draw from the models' BIC posterior probabilities (``"sample"``)."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune._ext import core
from amtune.strategies.bayesian import BayesianSearch


def gp_with(log_noise, d=2, n=25, seed=0, categorical=False):
    rng = np.random.default_rng(seed)
    kinds = [core.Kind.Continuous] * d
    if categorical:
        kinds[-1] = core.Kind.Categorical
    cards = [4 if k == core.Kind.Categorical else 0 for k in kinds]
    spec = core.InputSpec(kinds, cards, [False] * d)
    X = rng.random((n, d))
    if categorical:
        X[:, -1] = (rng.integers(0, 4, n) + 0.5) / 4
    y = np.sin(4 * X).sum(1) + 0.1 * rng.standard_normal(n)
    hyper = dict(log_sf2=0.2, log_noise=log_noise, mean=0.3)
    return spec, hyper, X, y


@pytest.mark.parametrize("log_noise", [-2.0, -5.0, -12.0])
@pytest.mark.parametrize("categorical", [False, True])
def test_leave_one_out_density_matches_refitting_without_each_row(log_noise, categorical):
    spec, hyper, X, y = gp_with(log_noise, d=3, categorical=categorical)
    ls = np.log(np.full(3, 0.3))
    gp = core.GP(spec, ls, **hyper)
    gp.fit(X, y)
    brute = 0.0
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        g = core.GP(spec, ls, **hyper)
        g.fit(X[keep], y[keep])
        mu, var = g.predict(X[i : i + 1])
        var = var[0] + g.hyper.noise  # the prediction of an observation carries its noise
        brute += -0.5 * np.log(2 * np.pi * var) - 0.5 * (y[i] - mu[0]) ** 2 / var
    assert gp.loo_log_density() == pytest.approx(brute, rel=1e-6, abs=1e-6)


def test_leave_one_out_needs_two_rows():
    spec, hyper, X, y = gp_with(-4.0)
    gp = core.GP(spec, np.zeros(2), **hyper)
    gp.fit(X[:1], y[:1])
    assert gp.loo_log_density() == -np.inf


def fitted_after(n, noise_sd, selection, seed=0):
    """The fitted hyperparameters after n random trials of a 3-d function. The model sees the
    values themselves (``half_rank=False``): the rules are checked on exact values of a smooth
    function, and the half-rank warping replaces the worse half by quantiles of ranks, which are
    not a smooth function of x."""
    space = amtune.SearchSpace({f"x{i}": amtune.ContinuousParameter(0.0, 1.0) for i in range(3)})
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2 + noise_sd * rng.standard_normal(n)
    opt = amtune.Optimizer(
        space, strategy="Bayesian", random_seed=seed, noise_selection=selection, half_rank=False
    )
    opt.add_many([{f"x{i}": float(v) for i, v in enumerate(r)} for r in X], y.tolist())
    opt.ask()
    return opt.strategy.hyperparameters()


def learns_noise_after(n, noise_sd, selection, seed=0):
    """Whether the model learns a noise variance after n random trials of a 3-d function."""
    return fitted_after(n, noise_sd, selection, seed)["learns_noise"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leave_one_out_keeps_a_deterministic_objective_noiseless(seed):
    assert not learns_noise_after(30, 0.0, "loo", seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leave_one_out_learns_the_noise_of_a_noisy_objective(seed):
    assert learns_noise_after(30, 0.3, "loo", seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampling_keeps_a_deterministic_objective_noiseless(seed):
    # 30 exact values of a smooth function: the noiseless model's posterior is far better, so the
    # learned noise has a negligible probability and is not drawn
    h = fitted_after(30, 0.0, "sample", seed)
    assert h["noise_probability"] < 1e-3
    assert not h["learns_noise"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampling_learns_the_noise_of_a_noisy_objective(seed):
    h = fitted_after(80, 0.3, "sample", seed)
    assert h["noise_probability"] > 0.99
    assert h["learns_noise"]


def test_sampled_draws_follow_the_probability_and_the_seed():
    # where the evidence is ambiguous (few noisy points) the draw varies with the seed, in
    # proportion to the probability, and repeats with the same seed
    draws, probs = [], []
    for seed in range(24):
        h = fitted_after(12, 0.3, "sample", seed)
        assert fitted_after(12, 0.3, "sample", seed)["learns_noise"] == h["learns_noise"]
        draws.append(h["learns_noise"])
        probs.append(h["noise_probability"])
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert any(0.05 < p < 0.95 for p in probs)
    # the number of noisy draws is a sum of Bernoulli(p_i): within 3 standard deviations of its mean
    mean, sd = sum(probs), np.sqrt(sum(p * (1 - p) for p in probs))
    assert abs(sum(draws) - mean) <= 3 * sd + 1


def test_noise_probability_only_with_sampling():
    assert "noise_probability" not in fitted_after(12, 0.3, "bic")


@pytest.mark.parametrize("bad", ["BIC", "", None, 1])
def test_bad_noise_selection_is_refused(bad):
    with pytest.raises(ValueError, match="noise_selection"):
        BayesianSearch(noise_selection=bad)

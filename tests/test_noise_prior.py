"""How the learned noise variance's MAP reads BoTorch's log-normal likelihood prior (``noise_map``)."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.bayesian import BayesianSearch


def fitted_log_noise(seed, **opts):
    """The fitted log noise variance on one noisy data set (15 random points, noise sd 0.1)."""
    space = amtune.SearchSpace({f"x{i}": amtune.ContinuousParameter(-1.0, 1.0) for i in range(2)})
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(15, 2))
    y = np.sum(X**2, axis=1) + 0.1 * rng.standard_normal(15)
    opt = amtune.Optimizer(
        space, strategy="Bayesian", random_seed=seed, deterministic=False, **opts
    )
    opt.add_many([{f"x{i}": float(v) for i, v in enumerate(row)} for row in X], y.tolist())
    opt.ask()  # the model is fitted when it proposes
    hyper = opt.strategy.hyperparameters()
    assert hyper["learns_noise"]
    return float(hyper["log_noise"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_density_of_the_variance_gives_less_noise(seed):
    # on the same data the -log sigma^2 term of the density of sigma^2 pulls the MAP down (the
    # prior's mode moves from -4 to -5 in log sigma^2)
    assert fitted_log_noise(seed, noise_map="variance") < fitted_log_noise(seed) - 0.05


def test_the_density_of_log_variance_is_the_default():
    assert BayesianSearch().noise_map == "log"
    assert fitted_log_noise(3) == fitted_log_noise(3, noise_map="log")


@pytest.mark.parametrize("bad", ["length", "", None, 1])
def test_bad_noise_map_is_refused(bad):
    with pytest.raises(ValueError, match="noise_map"):
        BayesianSearch(noise_map=bad)

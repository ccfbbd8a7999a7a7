"""How the lengthscales' MAP reads the dimension-scaled log-normal prior (``lengthscale_map``)."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.bayesian import BayesianSearch


def fitted_log_ls(seed, **opts):
    """The fitted log-lengthscales on one fixed data set (12 random points of a smooth function)."""
    space = amtune.SearchSpace({f"x{i}": amtune.ContinuousParameter(-1.0, 1.0) for i in range(3)})
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(12, 3))
    y = np.sum(X**2, axis=1) + np.sin(3 * X[:, 0])
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=seed, **opts)
    opt.add_many([{f"x{i}": float(v) for i, v in enumerate(row)} for row in X], y.tolist())
    opt.ask()  # the model is fitted when it proposes
    return np.asarray(opt.strategy.hyperparameters()["log_ls"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_density_of_the_length_gives_shorter_lengthscales(seed):
    # on the same data the -log l term of the density of l pulls the lengthscales' MAP down (the
    # prior's mode moves from mu to mu - 3 in log l)
    log_map, length_map = fitted_log_ls(seed, lengthscale_map="log"), fitted_log_ls(seed)
    assert length_map.mean() < log_map.mean() - 0.1


def test_the_density_of_the_length_is_the_default():
    assert BayesianSearch().lengthscale_map == "length"
    np.testing.assert_array_equal(fitted_log_ls(4), fitted_log_ls(4, lengthscale_map="length"))


@pytest.mark.parametrize("bad", ["value", "", None, 1])
def test_bad_lengthscale_map_is_refused(bad):
    with pytest.raises(ValueError, match="lengthscale_map"):
        BayesianSearch(lengthscale_map=bad)


def test_the_surrogate_keeps_the_density_of_log_l():
    # the convergence rule of the completion criteria was calibrated with it (Surrogate docstring)
    from amtune.strategies.surrogate import Surrogate

    space = amtune.SearchSpace({f"x{i}": amtune.ContinuousParameter(-1.0, 1.0) for i in range(3)})
    rng = np.random.default_rng(0)
    configs = [
        {f"x{i}": float(v) for i, v in enumerate(row)} for row in rng.uniform(-1, 1, (12, 3))
    ]
    values = [sum(c.values()) ** 2 for c in configs]

    def log_ls(**opts):
        return np.log(list(Surrogate(space, configs, values, **opts).lengthscales.values()))

    np.testing.assert_allclose(log_ls(), log_ls(lengthscale_map="log"))
    assert log_ls(lengthscale_map="length").mean() < log_ls().mean() - 0.1
    with pytest.raises(ValueError, match="lengthscale_map"):
        Surrogate(space, lengthscale_map="value")

"""The Bayesian strategy's noise model: learned, fixed (``deterministic=True``) or chosen by evidence
(the default, ``deterministic=None``)."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.bayesian import BayesianSearch

C = amtune.ContinuousParameter


def box(d):
    return amtune.SearchSpace({f"x{i}": C(-5.0, 5.0) for i in range(d)})


def _x(params):
    return np.array([params[f"x{i}"] for i in range(len(params))])


# BBOB's rotated ellipsoid (f10) in 2-D: condition number 1e6 along a rotated axis pair.
_R = np.array([[np.cos(0.6), -np.sin(0.6)], [np.sin(0.6), np.cos(0.6)]])
_XOPT = np.array([1.3, -2.1])


def ellipsoid(params):
    z = _R @ (_x(params) - _XOPT)
    return float(z[0] ** 2 + 1e6 * z[1] ** 2)


def run(f, n, seed, noise_sd=0.0, **opts):
    opt = amtune.Optimizer(box(2), strategy="Bayesian", random_seed=seed, **opts)
    rng = np.random.default_rng(seed + 100)
    while opt.n_finished < n:
        t = opt.ask()[0]
        opt.tell(t.id, f(t.params) + noise_sd * rng.normal())
    return opt


def test_deterministic_objective_selects_the_noiseless_model():
    h = run(ellipsoid, 25, 0).strategy.hyperparameters()
    assert h["learns_noise"] is False
    assert h["noise"] == pytest.approx(1e-8)


def test_noisy_objective_keeps_a_learned_noise():
    def noisy_sphere(p):
        return float(np.sum(_x(p) ** 2))

    # noise of sd 3 on values that span ~0-50: a noiseless model cannot interpolate that
    h = run(noisy_sphere, 25, 0, noise_sd=3.0).strategy.hyperparameters()
    assert h["learns_noise"] is True
    assert h["noise"] > 1e-3


def test_repeated_configurations_with_different_values_learn_noise():
    space = box(2)
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0)
    rng = np.random.default_rng(0)
    configs = space.sample(8, seed=3)
    values = [float(np.sum(_x(c) ** 2)) for c in configs]
    # each configuration measured three times with noise: only a noisy model explains the spread
    opt.add_many(configs * 3, [v + rng.normal() for v in values * 3])
    opt.ask()
    assert opt.strategy.hyperparameters()["learns_noise"] is True


def test_forced_noise_models():
    learned = run(ellipsoid, 20, 0, deterministic=False).strategy.hyperparameters()
    fixed = run(ellipsoid, 20, 0, deterministic=True).strategy.hyperparameters()
    assert learned["learns_noise"] is True and learned["noise"] >= 1e-6
    assert fixed["learns_noise"] is False and fixed["noise"] == pytest.approx(1e-8)


@pytest.mark.parametrize("bad", ["yes", 1, 0.5])
def test_deterministic_must_be_a_bool_or_none(bad):
    with pytest.raises(TypeError, match="deterministic must be a bool or None"):
        BayesianSearch(deterministic=bad)


def test_selection_is_reproducible():
    a = run(ellipsoid, 18, 4)
    b = run(ellipsoid, 18, 4)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_evidence_selection_beats_a_learned_noise_on_an_ill_conditioned_function():
    """Issue 12's finding in miniature: on BBOB f10-like ellipsoids a learned noise variance
    smooths the narrow valley away; the evidence-selected model does not (same seeds, 40 trials)."""

    def best(opt):
        return min(t.value for t in opt.trials if t.value is not None)

    seeds = range(5)
    selected = np.median([best(run(ellipsoid, 40, s)) for s in seeds])
    learned = np.median([best(run(ellipsoid, 40, s, deterministic=False)) for s in seeds])
    assert selected < 0.5 * learned, (selected, learned)


def _distance_to_optimum(plugin, seed):
    """Mean distance to the optimum of 4 proposals after 40 noisy evaluations of a 1-D parabola."""
    rng = np.random.default_rng(seed)
    xs = rng.uniform(size=40)
    ys = (xs - 0.7) ** 2 + 0.05 * rng.normal(size=40)
    space = amtune.SearchSpace({"x": C(0.0, 1.0)})
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, plugin_incumbent=plugin)
    opt.add_many([{"x": float(x)} for x in xs], [float(y) for y in ys])
    proposals = []
    for _ in range(4):
        t = opt.ask()[0]
        proposals.append(t.params["x"])
        opt.tell(t.id, (t.params["x"] - 0.7) ** 2 + 0.05 * rng.normal())
    assert opt.strategy.hyperparameters()["learns_noise"] is True
    return float(np.mean(np.abs(np.array(proposals) - 0.7)))


def test_plugin_incumbent_searches_nearer_the_optimum_under_noise():
    """With noise of sd 0.05 the lowest observed value often lies off the optimum (x = 0.7); the
    plug-in rule centres the search on the lowest posterior mean instead (12 histories)."""
    plugin = np.median([_distance_to_optimum(True, s) for s in range(12)])
    observed = np.median([_distance_to_optimum(False, s) for s in range(12)])
    assert plugin < 0.6 * observed, (plugin, observed)


def test_plugin_incumbent_must_be_a_bool():
    with pytest.raises(TypeError, match="plugin_incumbent must be a bool"):
        BayesianSearch(plugin_incumbent="yes")

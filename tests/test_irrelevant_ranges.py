"""Ranges the model found irrelevant (fitted lengthscale >= ``irrelevant_lengthscale``): the
Bayesian strategy does not propose a configuration that differs from an evaluated one only there."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.bayesian import DEFAULT_IRRELEVANT_LENGTHSCALE, BayesianSearch


def space():
    # `leaf` does not enter the objective (like a k-NN leaf size)
    return amtune.SearchSpace(
        {
            "x": amtune.ContinuousParameter(0.0, 1.0),
            "n": amtune.IntegerParameter(1, 5),
            "leaf": amtune.IntegerParameter(10, 100),
        }
    )


def objective(p):
    return (p["x"] - 0.3) ** 2 + 0.1 * abs(p["n"] - 2)


def repeats(seed, n=40, **opts):
    """Model-based proposals whose relevant part (x, n) repeats an earlier trial's although the
    model that made them had found `leaf` irrelevant, the proposals made by such a model, the
    fitted log-lengthscale of `leaf` and the best value."""
    opt = amtune.Optimizer(space(), strategy="Bayesian", random_seed=seed, **opts)
    cut = np.log(DEFAULT_IRRELEVANT_LENGTHSCALE)
    seen: set[tuple[float, int]] = set()
    count = informed = 0
    for i in range(n):
        t = opt.ask()[0]
        key = (t.params["x"], t.params["n"])
        if i >= opt.strategy.initial_design_size:
            # the hyperparameters of the fit this proposal was made with
            if opt.strategy.hyperparameters()["log_ls"][2] >= cut:
                informed += 1
                count += key in seen
        seen.add(key)
        opt.tell(t.id, objective(t.params))
    log_ls = opt.strategy.hyperparameters()["log_ls"]
    return count, informed, float(log_ls[2]), opt.best.value


@pytest.mark.parametrize("seed", [0, 1])
def test_moves_of_an_irrelevant_range_alone_are_not_proposed(seed):
    count, informed, log_leaf, best = repeats(seed)
    assert log_leaf >= np.log(DEFAULT_IRRELEVANT_LENGTHSCALE)  # the model found `leaf` irrelevant
    assert informed >= 10  # and most proposals were made knowing it
    assert count == 0
    assert best < 1e-4


def test_without_the_rule_the_trust_region_repeats_the_best_configuration():
    # the behaviour the rule removes: the region's perturbations that move only `leaf`
    count, informed, _, _ = repeats(0, irrelevant_lengthscale=None)
    assert informed >= 10 and count >= 5


def test_batches_do_not_repeat_relevant_parts_either():
    # a run whose model has found `leaf` irrelevant after 30 trials (the precondition; with the
    # half-rank output warping 5 of 8 seeds get there by 30 trials, 8 of 8 without it)
    opt = amtune.Optimizer(space(), strategy="Bayesian", random_seed=1)
    for _ in range(30):
        t = opt.ask()[0]
        opt.tell(t.id, objective(t.params))
    assert opt.strategy.hyperparameters()["log_ls"][2] >= np.log(DEFAULT_IRRELEVANT_LENGTHSCALE)
    done = {(t.params["x"], t.params["n"]) for t in opt.trials}
    batch = opt.ask(8)
    keys = [(t.params["x"], t.params["n"]) for t in batch]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & done


def test_when_only_irrelevant_ranges_are_left_the_space_filling_design_answers():
    # a finite space whose relevant range is used up: the model has nothing new to propose, and
    # the strategy still answers (with unused configurations of the space-filling design)
    sp = amtune.SearchSpace(
        {"n": amtune.IntegerParameter(1, 3), "leaf": amtune.IntegerParameter(1, 40)}
    )
    opt = amtune.Optimizer(sp, strategy="Bayesian", random_seed=0)
    for _ in range(25):
        t = opt.ask()[0]
        opt.tell(t.id, float((t.params["n"] - 2) ** 2))
    configs = [tuple(t.params.values()) for t in opt.trials]
    assert len(set(configs)) == len(configs)  # never the same configuration twice


@pytest.mark.parametrize("bad", [0, 1.0, -5, float("inf"), float("nan"), True, "100"])
def test_bad_irrelevant_lengthscale_is_refused(bad):
    with pytest.raises(ValueError, match="irrelevant_lengthscale"):
        BayesianSearch(irrelevant_lengthscale=bad)


def test_none_turns_the_rule_off():
    # lengthscales are bounded by 1e3, so a cut above it never applies: the same proposals as None
    def proposals(**opts):
        opt = amtune.Optimizer(space(), random_seed=5, **opts)
        for _ in range(20):
            t = opt.ask()[0]
            opt.tell(t.id, objective(t.params))
        return [t.params for t in opt.trials]

    assert proposals(irrelevant_lengthscale=None) == proposals(irrelevant_lengthscale=1e6)
    assert proposals(irrelevant_lengthscale=None) != proposals()

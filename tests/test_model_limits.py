"""The Bayesian strategy at the limits of its inputs (issue 10, items 5 and 14): integer ranges with
2^31 or more values (bounds within +-2^40) and objective values of any finite magnitude.

pytest turns warnings into errors, so a strategy that fell back to space-filling proposals (it
says so with a RuntimeWarning) fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

import amtune

Int, C = amtune.IntegerParameter, amtune.ContinuousParameter


def run(space, f, n, seed=0, **options):
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=seed, **options)
    params = []
    for _ in range(n):
        t = opt.ask()[0]
        params.append(t.params)
        opt.tell(t.id, f(t.params))
    return opt, params


@pytest.mark.parametrize(
    "rng",
    [
        Int(0, 2**31),  # 2^31 + 1 values: one more than a C int can count
        Int(-(2**40), 2**40),  # the widest range the README allows
        Int(1, 2**40, "Logarithmic"),
    ],
    ids=["2^31", "+-2^40", "log-2^40"],
)
def test_integer_ranges_with_2_31_or_more_values(rng):
    space = amtune.SearchSpace({"n": rng, "x": C(0.0, 1.0)})
    target = rng.min_value + (rng.max_value - rng.min_value) // 3

    def f(p):
        return abs(p["n"] - target) / (rng.max_value - rng.min_value) + (p["x"] - 0.5) ** 2

    opt, params = run(space, f, 16)
    assert opt.strategy.model_info()["model_points"] >= 10  # the model made the later proposals
    for p in params:
        assert isinstance(p["n"], int) and rng.min_value <= p["n"] <= rng.max_value
    assert space.size is None and space.cardinalities()[0] == rng.max_value - rng.min_value + 1
    ends = [{"n": rng.min_value, "x": 0.0}, {"n": rng.max_value, "x": 1.0}]
    assert space.decode(space.encode(ends)) == ends


def test_a_finite_space_larger_than_2_63_configurations():
    space = amtune.SearchSpace({f"n{i}": Int(0, 2**40) for i in range(2)})
    _, params = run(space, lambda p: abs(p["n0"] - 2**39) + abs(p["n1"] - 7), 12)
    assert space.is_finite and space.size == (2**40 + 1) ** 2
    assert len({tuple(p.values()) for p in params}) == 12


def f_mixed(p):
    return (p["x"] - 0.3) ** 2 + abs(p["k"] - 4) / 10 + 0.5 * (p["c"] != "b")


MIXED = {
    "x": C(-1.0, 1.0),
    "k": Int(1, 10),
    "c": amtune.CategoricalParameter(["a", "b", "c"]),
}


@pytest.mark.parametrize("scale", [2.0**700, 2.0**-700], ids=["2^700", "2^-700"])
def test_values_of_any_magnitude_give_the_same_proposals(scale):
    # Scaling by a power of two is exact, and the model standardizes its outputs before squaring
    # anything, so the proposals are exactly those for the unscaled values (before the fix the
    # variance overflowed to infinity, or underflowed to 0, and the model was given up).
    space = amtune.SearchSpace(MIXED)
    _, ref = run(space, f_mixed, 16, seed=3)
    opt, scaled = run(space, lambda p: scale * f_mixed(p), 16, seed=3)
    assert scaled == ref
    assert opt.best.value == pytest.approx(scale * min(f_mixed(p) for p in ref), rel=1e-12)


@pytest.mark.parametrize("scale", [1e200, 1e-200, -1e300])
def test_values_of_any_magnitude_keep_the_model_working(scale):
    space = amtune.SearchSpace({"x": C(-2.0, 2.0), "y": C(-2.0, 2.0)})

    def f(p):
        return scale * ((p["x"] - 0.5) ** 2 + (p["y"] + 0.25) ** 2 + 1.0)

    opt = amtune.Optimizer(
        space,
        strategy="Bayesian",
        random_seed=1,
        objective_type="Minimize" if scale > 0 else "Maximize",
    )
    for _ in range(25):
        t = opt.ask()[0]
        opt.tell(t.id, f(t.params))
    best = opt.best.params
    assert abs(best["x"] - 0.5) < 0.25 and abs(best["y"] + 0.25) < 0.25
    h = opt.strategy.hyperparameters()
    assert np.isfinite(h["log_ls"]).all() and np.isfinite(h["noise"])

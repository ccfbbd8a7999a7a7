"""Random and Grid strategies (SageMaker semantics)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import amtune
from amtune.strategies import GridSearch, RandomSearch, SearchSpaceExhausted, make_strategy

Cont, Int, Cat = amtune.ContinuousParameter, amtune.IntegerParameter, amtune.CategoricalParameter


def key(params: dict) -> tuple:
    return tuple((k, type(v).__name__, v) for k, v in params.items())


# --------------------------------------------------------------------------- registry
def test_make_strategy():
    assert isinstance(make_strategy("Random"), RandomSearch)
    assert isinstance(make_strategy("Grid"), GridSearch)
    g = GridSearch()
    assert make_strategy(g) is g
    with pytest.raises(ValueError, match="given with a Strategy instance"):
        make_strategy(g, foo=1)
    with pytest.raises(ValueError, match="strategy: must be one of"):
        make_strategy("grid")


# --------------------------------------------------------------------------- Random
def test_random_is_uniform_in_the_encoded_space():
    space = amtune.SearchSpace(
        {
            "lin": Cont(-1.0, 3.0, "Linear"),
            "log": Cont(1e-4, 1.0, "Logarithmic"),
            "rev": Cont(0.0, 0.99, "ReverseLogarithmic"),
        }
    )
    opt = amtune.Optimizer(space, strategy="Random", random_seed=5)
    trials = opt.ask(4000)
    X = space.encode([t.params for t in trials])
    for j in range(3):
        hist = np.histogram(X[:, j], bins=8, range=(0, 1))[0]
        assert np.all(np.abs(hist - 500) < 5 * math.sqrt(500)), (j, hist)
    log_values = np.array([t.params["log"] for t in trials])
    assert np.mean(log_values < 1e-2) == pytest.approx(0.5, abs=0.04)  # log-uniform


def test_random_on_a_finite_space_does_not_repeat_until_exhausted():
    space = amtune.SearchSpace({"a": Int(1, 5), "b": Cat(["x", 1, "1", True]), "c": Int(10, 12)})
    assert space.size == 60
    opt = amtune.Optimizer(space, strategy="Random", random_seed=1)
    seen = set()
    for k, batch in enumerate([1, 7, 1, 20, 3, 28]):
        trials = opt.ask(batch)
        for t in trials:
            seen.add(key(t.params))
            if k % 2:
                opt.tell(t.id, None if t.id % 3 == 0 else float(t.id))  # failures count as used
    assert len(seen) == 60
    with pytest.raises(
        SearchSpaceExhausted,
        match="60 distinct configurations and 60 are already evaluated or pending: "
        "cannot propose 1 more",
    ):
        opt.ask(1)
    assert isinstance(SearchSpaceExhausted("x"), ValueError)


def test_random_asking_more_than_exist_is_a_clear_error():
    space = amtune.SearchSpace({"a": Int(1, 3)})
    opt = amtune.Optimizer(space, strategy="Random", random_seed=1)
    with pytest.raises(
        SearchSpaceExhausted, match=r"has 3 distinct configurations.*cannot propose 4"
    ):
        opt.ask(4)
    assert opt.trials == []
    assert sorted(t.params["a"] for t in opt.ask(3)) == [1, 2, 3]


def test_random_draws_follow_the_scale():
    space = amtune.SearchSpace({"k": Int(1, 10**6, "Logarithmic")})
    opt = amtune.Optimizer(space, strategy="Random", random_seed=2)
    values = np.array([t.params["k"] for t in opt.ask(300)])
    assert len(set(values.tolist())) == 300
    # values above 1000 own log(1e6 / 1000.5) / log(1e6 / 0.5) = 48% of the log-scaled interval
    # (99.9% under Linear); re-drawing the few repeated small values raises that a little
    assert 0.35 < np.mean(values > 1000) < 0.8


def test_random_last_draws_are_weighted_by_cell_size():
    space = amtune.SearchSpace({"k": Int(1, 30, "Logarithmic")})
    done = [{"k": k} for k in range(2, 30)]  # leaves 1 (a wide cell) and 30 (a narrow one)
    picks = []
    for seed in range(200):
        opt = amtune.Optimizer(space, strategy="Random", random_seed=seed)
        opt.add_many(done, [0.0] * len(done))
        picks.append(opt.ask(1)[0].params["k"])
    w1, w30 = math.log(1.5 / 0.5), math.log(30.5 / 29.5)
    assert picks.count(1) / len(picks) == pytest.approx(w1 / (w1 + w30), abs=0.06)
    assert picks.count(30) > 0


def test_random_seeds_differ_and_repeat():
    space = amtune.SearchSpace({"x": Cont(0, 1), "k": Int(0, 100)})
    a = [t.params for t in amtune.Optimizer(space, "Random", random_seed=3).ask(10)]
    b = [t.params for t in amtune.Optimizer(space, "Random", random_seed=3).ask(10)]
    c = [t.params for t in amtune.Optimizer(space, "Random", random_seed=4).ask(10)]
    assert a == b and a != c


def test_random_on_a_huge_finite_space():
    space = amtune.SearchSpace({f"x{i}": Int(0, 999) for i in range(15)})  # 1e45 configurations
    opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
    assert len({key(t.params) for t in opt.ask(50)}) == 50


# --------------------------------------------------------------------------- Grid
def test_grid_order_and_count():
    space = amtune.SearchSpace(
        {"a": Int(1, 3), "b": Cat(["x", "y"]), "c": Cat([True, 0, "0"])}, static={"s": 1}
    )
    opt = amtune.Optimizer(space, strategy="Grid", random_seed=0)
    got = [opt.ask(1)[0].params for _ in range(5)] + [t.params for t in opt.ask(13)]
    expected = [
        {"a": a, "b": b, "c": c, "s": 1}
        for a, b, c in itertools.product([1, 2, 3], ["x", "y"], [True, 0, "0"])
    ]
    assert [key(g) for g in got] == [key(e) for e in expected]
    assert opt.strategy.max_trials() == 18
    with pytest.raises(SearchSpaceExhausted, match="the grid has 18 combinations"):
        opt.ask(1)


def test_grid_order_ignores_the_seed_and_the_scale():
    space = amtune.SearchSpace({"k": Int(1, 200, "Logarithmic")})
    for seed in (0, 1):
        opt = amtune.Optimizer(space, strategy="Grid", random_seed=seed)
        assert [t.params["k"] for t in opt.ask(200)] == list(range(1, 201))


@pytest.mark.parametrize("ranges", [{"x": Cont(0, 1)}, {"a": Int(0, 1), "x": Cont(0, 1, "Linear")}])
def test_grid_rejects_continuous_ranges(ranges):
    with pytest.raises(
        ValueError,
        match=r"Grid strategy needs integer or categorical ranges only"
        r".*continuous range\(s\): \['x'\]",
    ):
        amtune.Optimizer(amtune.SearchSpace(ranges), strategy="Grid")


def test_grid_ask_past_the_end_changes_nothing():
    space = amtune.SearchSpace({"a": Int(0, 4)})
    opt = amtune.Optimizer(space, strategy="Grid")
    assert [t.params["a"] for t in opt.ask(3)] == [0, 1, 2]
    with pytest.raises(SearchSpaceExhausted, match="cannot propose 3 more"):
        opt.ask(3)
    assert [t.params["a"] for t in opt.ask(2)] == [3, 4]


def test_grid_offers_a_forgotten_combination_again():
    space = amtune.SearchSpace({"a": Int(0, 3)})
    opt = amtune.Optimizer(space, strategy="Grid")
    trials = opt.ask(3)
    opt.forget(trials[1].id)
    assert [t.params["a"] for t in opt.ask(2)] == [1, 3]
    with pytest.raises(SearchSpaceExhausted):
        opt.ask(1)


def test_grid_skips_pending_and_finished_configurations_of_a_resumed_history():
    space = amtune.SearchSpace({"a": Int(0, 5)})
    opt = amtune.Optimizer(space, strategy="Grid")
    opt.add_many([{"a": 0}, {"a": 3}], [1.0, None])
    assert [t.params["a"] for t in opt.ask(4)] == [1, 2, 4, 5]


def test_grid_never_materializes_a_huge_grid():
    space = amtune.SearchSpace({f"x{i}": Int(0, 999) for i in range(15)})
    opt = amtune.Optimizer(space, strategy="Grid")
    trials = opt.ask(3)
    assert [t.params["x14"] for t in trials] == [0, 1, 2]
    assert all(t.params["x0"] == 0 for t in trials)
    assert opt.strategy.max_trials() == 1000**15


def test_grid_on_a_space_without_ranges():
    opt = amtune.Optimizer(amtune.SearchSpace({}, static={"s": 2}), strategy="Grid")
    assert [t.params for t in opt.ask(1)] == [{"s": 2}]
    with pytest.raises(SearchSpaceExhausted):
        opt.ask(1)

"""strategy="Bayesian" through the public Optimizer API."""

from __future__ import annotations

import math

import numpy as np
import pytest

import amtune
from amtune.strategies.base import SearchSpaceExhausted
from amtune.strategies.bayesian import BayesianSearch, default_n_initial, local_step_next

C = amtune.ContinuousParameter
I = amtune.IntegerParameter  # noqa: E741
K = amtune.CategoricalParameter


def box(d, lo=-1.0, hi=1.0, scaling="Linear"):
    return amtune.SearchSpace({f"x{i}": C(lo, hi, scaling) for i in range(d)})


def xs(params):
    return np.array([params[k] for k in sorted(params, key=lambda s: int(s[1:]))])


def sphere(params, shift=0.3):
    return float(np.sum((xs(params) - shift) ** 2))


def run(space, f, n, seed, strategy="Bayesian", batch=1, **opts):
    opt = amtune.Optimizer(space, strategy=strategy, random_seed=seed, **opts)
    while opt.n_finished < n:
        for t in opt.ask(min(batch, n - opt.n_finished)):
            opt.tell(t.id, f(t.params))
    return opt


def test_registered_and_default_design_size():
    opt = amtune.Optimizer(box(2), random_seed=0)
    assert isinstance(opt.strategy, BayesianSearch) and opt.strategy.name == "Bayesian"
    assert [default_n_initial(d) for d in (1, 4, 6, 9, 30)] == [10] * 5
    assert opt.strategy.initial_design_size == 10


@pytest.mark.parametrize(
    ("budget", "size"), [(4, 5), (12, 5), (20, 5), (24, 6), (30, 8), (40, 10), (500, 10)]
)
def test_a_known_budget_caps_the_design_at_a_quarter_never_below_5(budget, size):
    opt = amtune.Optimizer(box(3), random_seed=0, budget=budget)
    assert opt.strategy.initial_design_size == size
    # an explicit n_initial wins over the budget
    assert (
        amtune.Optimizer(
            box(3), random_seed=0, budget=budget, n_initial=7
        ).strategy.initial_design_size
        == 7
    )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"acquisition": "EI"}, "acquisition"),
        ({"n_initial": 0}, "n_initial"),
        ({"budget": 0}, "budget"),
        ({"budget": 2.5}, "budget"),
        ({"ucb_kappa": -1.0}, "ucb_kappa"),
        ({"num_threads": 0}, "num_threads"),
        ({"max_fit_points": 4}, "max_fit_points"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_invalid_options_raise_value_error(options, match):
    with pytest.raises(ValueError, match=match):
        amtune.Optimizer(box(2), strategy="Bayesian", **options)


def test_beats_random_search_on_a_sphere():
    space = box(4)
    bo = [run(space, sphere, 30, s).best.value for s in range(3)]
    rs = [run(space, sphere, 30, s, strategy="Random").best.value for s in range(3)]
    assert max(bo) < 0.05 < min(rs)


def test_same_seed_gives_bit_identical_proposals_across_thread_counts():
    space = amtune.SearchSpace({"x": C(0.0, 1.0), "n": I(1, 50), "c": K(["a", "b", "c"])})

    def f(p):
        return (p["x"] - 0.2) ** 2 + abs(p["n"] - 17) / 50 + (p["c"] != "b")

    runs = []
    for threads in (1, 2, 1):
        opt = run(space, f, 18, 11, batch=3, num_threads=threads)
        runs.append([t.params for t in opt.trials])
    assert runs[0] == runs[1] == runs[2]
    other = run(space, f, 18, 12, batch=3)
    assert [t.params for t in other.trials] != runs[0]


def test_batch_of_ten_is_diverse_and_better_than_random():
    space = box(3)
    bo, rs = [], []
    for seed in range(3):
        opt = run(space, sphere, 10, seed)
        batch = opt.ask(10)
        X = space.encode([t.params for t in batch])
        dist = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))[np.triu_indices(10, 1)]
        assert dist.min() > 1e-3  # ten distinct points, not one point ten times
        for t in batch:
            opt.tell(t.id, sphere(t.params))
        opt2 = opt
        while opt2.n_finished < 40:
            for t in opt2.ask(10):
                opt2.tell(t.id, sphere(t.params))
        bo.append(opt2.best.value)
        rs.append(run(space, sphere, 40, seed, strategy="Random").best.value)
    assert np.median(bo) < 0.25 * np.median(rs)


def test_finite_space_never_repeats_and_exhausts_exactly():
    space = amtune.SearchSpace({"a": I(1, 3), "b": K(["x", "y", "z", "w"])})
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=3)
    seen = set()
    for step in range(12):
        trials = opt.ask(2 if step % 3 == 0 and len(seen) < 10 else 1)
        for t in trials:
            key = (t.params["a"], t.params["b"])
            assert key not in seen
            seen.add(key)
            opt.tell(t.id, t.params["a"] + (t.params["b"] == "y"))
        if len(seen) == 12:
            break
    assert len(seen) == 12
    with pytest.raises(SearchSpaceExhausted, match="distinct configurations"):
        opt.ask()


def test_pending_trials_are_not_proposed_again_in_a_discrete_space():
    space = amtune.SearchSpace({"a": I(0, 9), "b": I(0, 4)})
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=5)
    for t in opt.ask(8):
        opt.tell(t.id, (t.params["a"] - 4) ** 2 + t.params["b"])
    pending = opt.ask(6)
    more = opt.ask(6)
    keys = [(t.params["a"], t.params["b"]) for t in pending + more]
    assert len(set(keys)) == 12


@pytest.mark.parametrize(
    "space",
    [
        amtune.SearchSpace({"c": K(list("abcdefgh")), "d": K([1, 2, 3])}),
        amtune.SearchSpace({"i": I(1, 1000), "j": I(-5, 5, "Linear")}),
        amtune.SearchSpace({"x": C(1e-6, 1.0), "c": K(["u", "v"]), "i": I(0, 3)}),
    ],
    ids=["categorical-only", "integer-only", "mixed"],
)
def test_discrete_and_mixed_spaces_find_the_optimum_region(space):
    target = space.sample(1, seed=4)[0]
    enc_t = space.encode([target])[0]

    def f(p):
        return float(np.sum((space.encode([p])[0] - enc_t) ** 2))

    opt = run(space, f, min(16, space.size or 16), 0)
    assert opt.best.value <= np.quantile([f(p) for p in space.sample(200, seed=1)], 0.05)


@pytest.mark.parametrize("scale", [1e12, 1e-12])
def test_extreme_objective_scales(scale):
    space = box(2)
    opt = run(space, lambda p: scale * (sphere(p) + 1.0), 20, 2)
    assert opt.best.value < scale * 1.05


def test_constant_objective_and_single_observation():
    space = box(3)
    opt = run(space, lambda p: 7.0, 12, 0)
    X = space.encode([t.params for t in opt.trials])
    assert len({tuple(r) for r in X.round(12)}) == 12
    one = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, n_initial=1)
    t = one.ask()[0]
    one.tell(t.id, 1.0)
    nxt = one.ask(3)
    assert len(nxt) == 3 and all(np.isfinite(xs(p.params)).all() for p in nxt)


def test_failed_trials_are_avoided():
    space = box(2, 0.0, 1.0)

    def f(p):
        return None if p["x0"] > 0.5 else (p["x0"] - 0.4) ** 2 + (p["x1"] - 0.5) ** 2

    opt = run(space, f, 30, 1)
    late = [t for t in opt.trials[-15:]]
    assert sum(t.state == "Failed" for t in late) <= 5
    assert opt.best.value < 0.01


def test_all_failed_keeps_proposing_space_filling_points():
    space = box(2)
    opt = run(space, lambda p: None, 8, 0)
    X = space.encode([t.params for t in opt.trials])
    assert np.isfinite(X).all() and len({tuple(r) for r in X}) == 8


def test_fifty_dimensions():
    space = box(50, 0.0, 1.0, "Auto")
    opt = run(space, lambda p: sphere(p, 0.5), 14, 0, batch=2)
    assert opt.n_finished == 14 and opt.best is not None


@pytest.mark.parametrize("acq", ["UCB", "PI"])
def test_other_acquisitions(acq):
    opt = run(box(2), sphere, 20, 0, acquisition=acq, deterministic=True)
    assert opt.best.value < 0.05


def test_fit_failure_falls_back_with_a_warning(monkeypatch):
    space = box(2)
    opt = run(space, sphere, 6, 0, n_initial=5)

    class Broken:
        def propose(self, *args, **kwargs):
            raise RuntimeError("covariance matrix not positive definite")

    monkeypatch.setattr(opt.strategy, "_engine", Broken())
    with pytest.warns(RuntimeWarning, match="space-filling"):
        trials = opt.ask(2)
    assert len(trials) == 2 and all(-1 <= v <= 1 for t in trials for v in t.params.values())


def test_hyperparameters_are_exposed():
    opt = run(box(3, scaling="Auto"), sphere, 12, 0)
    h = opt.strategy.hyperparameters()
    assert len(h["log_ls"]) == 3 and isinstance(h["warping"], bool)
    # a smooth noiseless sphere: the evidence picks the noiseless model (tests/test_noise_model.py)
    assert h["learns_noise"] is False and h["noise"] == pytest.approx(1e-8)
    assert math.isfinite(h["output_lambda"])


@pytest.mark.parametrize("deterministic", [False, True])
def test_duplicated_history_is_handled(deterministic):
    space = amtune.SearchSpace({"i": I(0, 4, "Linear"), "x": C(0.0, 1.0)})
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, deterministic=deterministic)
    configs = [{"i": 2, "x": 0.5}] * 6 + [{"i": 1, "x": 0.25}] * 4 + [{"i": 4, "x": 0.9}]
    opt.add_many(configs, [1.0] * 6 + [0.5] * 4 + [2.0])
    trials = opt.ask(4)
    X = space.encode([t.params for t in trials])
    assert np.isfinite(X).all() and len({tuple(r) for r in X}) == 4


def test_imported_history_with_failures_and_one_dimension():
    space = amtune.SearchSpace({"x": C(-3.0, 3.0)})
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=4)
    xs_ = np.linspace(-3, 3, 13)
    opt.add_many([{"x": float(x)} for x in xs_], [None if x > 2 else (x - 0.7) ** 2 for x in xs_])
    t = opt.ask()[0]
    assert -3 <= t.params["x"] <= 2.5


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"local_fraction": -0.1}, "local_fraction"),
        ({"local_fraction": 1.5}, "local_fraction"),
        ({"trust_region_after": -1}, "trust_region_after"),
        ({"categorical_region": "ball"}, "categorical_region"),
        ({"integer_region": "cells"}, "integer_region"),
        ({"region_ties": "ignore"}, "region_ties"),
        ({"region_counting": "batches"}, "region_counting"),
        ({"region_counting": None}, "region_counting"),
        ({"region_schedule": "trego"}, "region_schedule"),
    ],
)
def test_invalid_trust_region_options_raise(options, match):
    with pytest.raises(ValueError, match=match):
        amtune.Optimizer(box(2), strategy="Bayesian", **options)


MIXED = amtune.SearchSpace(
    {"k": I(1, 60), "c": K(["a", "b", "c", "d", "e"]), "x": C(0.0, 1.0), "flat": C(0.0, 1.0)}
)


def mixed_objective(p):
    return abs(p["k"] - 37) / 10 + (p["c"] != "d") + (p["x"] - 0.3) ** 2


@pytest.mark.parametrize(
    "options",
    [
        {"local_fraction": 0.0},
        {"trust_region_after": 15},
        {"categorical_region": "free", "integer_region": "neighbours"},
        {"region_ties": "neutral"},
        {"region_ties": "expand"},
        {"region_counting": "trial"},
        {"region_schedule": "alternate"},
        {"region_schedule": "adaptive"},
        {"region_schedule": "fixed"},
    ],
)
def test_trust_region_schedules_are_reproducible_and_find_the_optimum(options):
    a = run(MIXED, mixed_objective, 40, seed=5, **options)
    b = run(MIXED, mixed_objective, 40, seed=5, **options)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    best = a.best.params
    assert best["c"] == "d" and abs(best["k"] - 37) <= 2


def test_integer_neighbours_mode_finds_an_integer_optimum_beside_a_flat_range():
    # k alone matters; "flat" has no effect (the region keeps k's neighbours reachable)
    space = amtune.SearchSpace({"k": I(1, 200), "flat": C(0.0, 1.0)})
    f = lambda p: abs(p["k"] - 137)  # noqa: E731
    opt = run(space, f, 60, seed=2, categorical_region="free", integer_region="neighbours")
    assert opt.best.value == 0


def test_ties_neutral_finds_the_corner_below_a_plateau():
    # f is flat (0.8) on most of the space and lower only in a corner (x0 < 0.15, x1 < 0.15)
    space = amtune.SearchSpace({f"x{i}": C(0.0, 1.0) for i in range(3)})

    def f(p):
        x0, x1 = p["x0"], p["x1"]
        return 0.8 if x0 >= 0.15 or x1 >= 0.15 else 0.2 + x0 + x1

    opt = run(space, f, 60, seed=1, region_ties="neutral")
    assert opt.best.value < 0.8


@pytest.mark.parametrize(("ties", "grows"), [("expand", True), ("neutral", None), ("fail", False)])
def test_tie_rule_moves_the_trust_region_on_a_plateau(ties, grows):
    # f is 1 everywhere: every model-based trial ties the incumbent, so the region doubles every 3
    # ties (expand, up to its maximum 1.6), keeps its initial side 0.8 (neutral) or halves every
    # max(4, d) ties (fail; restarting at 0.8 below 2^-7)
    opt = run(box(2), lambda p: 1.0, 30, seed=3, region_ties=ties)
    region = opt.strategy._engine.trust_region
    if grows is None:
        assert region.length == 0.8
        assert region.successes == region.failures == 0
    elif grows:
        assert region.length == 1.6 and region.failures == 0
    else:
        assert region.length < 0.8 and region.successes == 0


def noisy_plateau(seed):
    """1 everywhere, measured with normal noise of sd 0.01 (a new draw per evaluation)."""
    rng = np.random.default_rng(seed)
    return lambda p: 1.0 + 0.01 * float(rng.standard_normal())


@pytest.mark.parametrize(("noise_ties", "grows"), [(True, True), (False, False)])
def test_noise_ties_grow_the_trust_region_on_a_noisy_plateau(noise_ties, grows):
    # no trial ties exactly and only luck improves: the region halves around the luckiest draw,
    # unless trials within the learned noise of the incumbent tie it (and expand the region)
    opt = run(
        box(2), noisy_plateau(0), 40, seed=3, deterministic=False, region_noise_ties=noise_ties
    )
    opt.ask()  # the region counts the trials told before a proposal
    region = opt.strategy.model_info()["trust_region"]
    if grows:
        assert region["length"] == 1.6
    else:
        assert region["length"] < 0.1 and region["successes"] == 0


def test_noise_ties_change_nothing_with_a_noiseless_model():
    a = run(box(2), sphere, 25, seed=4, deterministic=True, region_noise_ties=True)
    b = run(box(2), sphere, 25, seed=4, deterministic=True)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_noise_ties_must_be_a_bool():
    with pytest.raises(TypeError, match="region_noise_ties"):
        amtune.Optimizer(box(2), strategy="Bayesian", region_noise_ties="yes")


def region_after_batches(counting, batches, d=2, seed=0):
    """The trust region after the initial design and then batches of told values: each batch is a
    list of offsets from the best value so far (negative: an improvement)."""
    opt = run(box(d), sphere, 10, seed=seed, region_counting=counting)
    for offsets in batches:
        trials = opt.ask(len(offsets))  # proposing updates the region with the trials told since
        best = opt.best.value
        for t, off in zip(trials, offsets, strict=True):
            opt.tell(t.id, best + off)
    opt.ask()
    return opt.strategy._engine.trust_region


def test_batch_counting_is_turbos_batch_rule():
    # d = 2: fail tolerance max(4, d) = 4 trials. A batch of 4 whose best trial improves is one
    # success (TuRBO); trial by trial, its 3 other trials are 3 failures and reset the successes
    one_better = [-1.0, 5.0, 5.0, 5.0]
    batch = region_after_batches("batch", [one_better])
    assert (batch.length, batch.successes, batch.failures) == (0.8, 1, 0)
    trial = region_after_batches("trial", [one_better])
    assert (trial.length, trial.successes, trial.failures) == (0.8, 0, 3)
    # three such batches double the region; trial by trial it never grows (each improvement
    # follows 3 failures)
    assert region_after_batches("batch", [one_better] * 3).length == 1.6
    trial = region_after_batches("trial", [one_better] * 3)
    assert (trial.length, trial.successes, trial.failures) == (0.8, 0, 3)
    # failed batches of q = 2 halve the region after ceil(4 / 2) = 2 of them (TuRBO's tolerance)
    once = region_after_batches("batch", [[5.0, 6.0]])
    assert (once.length, once.failures) == (0.8, 2)
    assert region_after_batches("batch", [[5.0, 6.0]] * 2).length == 0.4
    # a failed batch of 4 halves it at once, under both rules
    for counting in ("batch", "trial"):
        assert region_after_batches(counting, [[5.0] * 4]).length == 0.4


def test_batch_counting_is_trial_counting_for_sequential_search():
    # one trial learnt per proposal: the rules are the same, proposal for proposal
    a = run(MIXED, mixed_objective, 40, seed=7, region_counting="batch")
    b = run(MIXED, mixed_objective, 40, seed=7, region_counting="trial")
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    # with batches they differ
    a = run(MIXED, mixed_objective, 40, seed=7, batch=4, region_counting="batch")
    b = run(MIXED, mixed_objective, 40, seed=7, batch=4, region_counting="trial")
    assert [t.params for t in a.trials] != [t.params for t in b.trials]


def test_default_frees_categoricals_in_the_trust_region():
    # the default equals categorical_region="free" proposal for proposal; "box" differs
    a = run(MIXED, mixed_objective, 30, seed=4, n_initial=5)
    b = run(MIXED, mixed_objective, 30, seed=4, n_initial=5, categorical_region="free")
    c = run(MIXED, mixed_objective, 30, seed=4, n_initial=5, categorical_region="box")
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]


@pytest.mark.parametrize(
    ("schedule", "last_local", "y", "local"),
    [
        # TREGO: global steps; one local step after a global one that did not improve
        ("alternate", False, [3.0, 2.0], False),
        ("alternate", False, [3.0, 3.5], True),
        ("alternate", True, [3.0, 3.5], False),
        ("alternate", True, [3.0, 2.0], False),
        # adaptive: keep the kind of step that improved, switch after one that did not
        ("adaptive", True, [3.0, 2.0], True),
        ("adaptive", True, [3.0, 3.5], False),
        ("adaptive", False, [3.0, 2.0], False),
        ("adaptive", False, [3.0, 3.5], True),
        # a tie, an improvement below TuRBO's margin and a failed trial are no improvement
        ("adaptive", True, [3.0, 3.0], False),
        ("adaptive", True, [3.0, 2.9995], False),
        ("adaptive", True, [3.0, float("nan")], False),
        ("adaptive", True, [float("nan"), 1.0], False),
    ],
)
def test_region_schedule_step_rule(schedule, last_local, y, local):
    assert local_step_next(schedule, last_local, np.array(y)) is local


def test_default_design_is_ten_halton_points():
    # the default equals n_initial=10 proposal for proposal (the option set run as the ablation
    # in benchmarks/results/quality.md); the first ten proposals are the design, whatever d
    a = run(MIXED, mixed_objective, 14, seed=3)
    b = run(MIXED, mixed_objective, 14, seed=3, n_initial=10)
    c = run(MIXED, mixed_objective, 14, seed=3, n_initial=5)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials][:5] == [t.params for t in c.trials][:5]
    assert [t.params for t in a.trials][5:] != [t.params for t in c.trials][5:]


def test_stall_rule_changes_nothing_while_the_region_improves_or_shrinks():
    # on the sphere no trial ties, so the region never stalls: proposal for proposal the same
    base = run(box(2), sphere, 30, seed=5)
    for rule in ("global", "design"):
        other = run(box(2), sphere, 30, seed=5, region_stall=rule)
        assert [t.params for t in other.trials] == [t.params for t in base.trials]


def test_a_stalled_region_goes_on_with_the_design():
    # f is 1 everywhere: after the 10-point design every trial ties, so the region doubles after 3
    # ties (to its maximum 1.6) and is stalled once max(4, d) = 4 trials did not improve; from
    # then on the proposals are the next points of the scrambled Halton design
    d = 2
    opt = run(box(d), lambda p: 1.0, 14, seed=3, region_stall="design")
    assert opt.strategy.model_info()["trust_region"]["length"] == 1.6
    nxt = opt.ask(3)
    region = opt.strategy.model_info()["trust_region"]
    assert region["stale"] == 4 and region["length"] == 1.6
    strategy = opt.strategy
    want = [
        np.asarray(amtune._core.halton(1, d, strategy._design_seed, i))[0]
        for i in range(strategy._design_index - 3, strategy._design_index)
    ]
    np.testing.assert_allclose(opt.space.encode([t.params for t in nxt]), want, atol=1e-12)
    assert strategy._design_index == 13  # the design's 10 points, then 3 more
    # the default stays in the region: its proposals are not the design's
    stay = run(box(d), lambda p: 1.0, 14, seed=3)
    assert [t.params for t in stay.ask(3)] != [t.params for t in nxt]


def test_a_stalled_region_leaves_the_design_after_an_improvement():
    opt = run(box(2), lambda p: 1.0, 14, seed=3, region_stall="design")
    t = opt.ask()[0]
    opt.tell(t.id, 0.5)  # the design point improved: the region takes over again
    index = opt.strategy._design_index
    opt.ask()
    assert opt.strategy._design_index == index
    assert opt.strategy.model_info()["trust_region"]["stale"] == 0


def test_global_stall_rule_proposes_over_the_whole_space():
    # after the stall, the proposals of "global" differ from those of the region
    a = run(box(2), lambda p: 1.0, 20, seed=3, region_stall="global")
    b = run(box(2), lambda p: 1.0, 20, seed=3)
    assert [t.params for t in a.trials[:15]] == [t.params for t in b.trials[:15]]
    assert [t.params for t in a.trials[15:]] != [t.params for t in b.trials[15:]]


def test_stall_rule_is_checked():
    with pytest.raises(ValueError, match="region_stall"):
        amtune.Optimizer(box(2), strategy="Bayesian", region_stall="restart")

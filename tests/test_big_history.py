"""Big-history mode of the Bayesian strategy (issue 4): bounded local model beyond a threshold."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune._ext import core
from amtune.strategies.big_history import DEFAULT_BIG_HISTORY_THRESHOLD, DEFAULT_LOCAL_POINTS

C = amtune.ContinuousParameter
I = amtune.IntegerParameter  # noqa: E741
K = amtune.CategoricalParameter


def box(d, lo=-1.0, hi=1.0):
    return amtune.SearchSpace({f"x{i}": C(lo, hi, "Linear") for i in range(d)})


def mixed():
    return amtune.SearchSpace(
        {"x": C(-2.0, 2.0, "Linear"), "n": I(0, 9, "Linear"), "c": K(["a", "b", "c", "d"])}
    )


def f_mixed(p):
    return (
        (p["x"] - 0.5) ** 2
        + 0.1 * (p["n"] - 6) ** 2
        + {"a": 0.3, "b": 0.0, "c": 0.6, "d": 1.0}[p["c"]]
    )


def sphere(p):
    return float(sum((v - 0.3) ** 2 for v in p.values()))


def loaded(space, f, n, seed=0, **opts):
    """An optimizer resumed from n random finished trials (add_many, as a resumed job)."""
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=seed, **opts)
    configs = space.decode(space.sample_unit(n, seed + 1))
    opt.add_many(configs, [f(c) for c in configs])
    return opt


def info(opt):
    return opt.strategy.model_info()


def test_mode_switches_at_the_threshold():
    opts = {"big_history_threshold": 40, "local_points": 16, "max_fit_points": 8}
    opt = loaded(box(3), sphere, 40, **opts)
    t = opt.ask()[0]
    exact = {k: v for k, v in info(opt).items() if k != "trust_region"}
    assert exact == {
        "mode": "exact",
        "model_points": 40,
        "pending_fantasies": 0,
        "structured": True,
    }
    assert set(info(opt)["trust_region"]) == {
        "length",
        "successes",
        "failures",
        "restarts",
        "stale",
    }
    opt.tell(t.id, sphere(t.params))  # 41 finished trials: beyond the threshold
    t = opt.ask()[0]
    assert info(opt)["mode"] == "big-history"
    assert 16 <= info(opt)["model_points"] <= 16 + 8


def test_default_threshold_and_exact_option():
    assert DEFAULT_BIG_HISTORY_THRESHOLD == 256 and DEFAULT_LOCAL_POINTS == 256
    n = DEFAULT_BIG_HISTORY_THRESHOLD + 1
    assert info_after_ask(loaded(box(2), sphere, n))["mode"] == "big-history"
    exact = loaded(box(2), sphere, n, big_history_threshold=None)
    got = {k: v for k, v in info_after_ask(exact).items() if k != "trust_region"}
    assert got == {"mode": "exact", "model_points": n, "pending_fantasies": 0, "structured": True}


def info_after_ask(opt):
    opt.ask()
    return info(opt)


def test_model_never_holds_more_than_its_bound():
    opts = {"big_history_threshold": 30, "local_points": 20, "max_fit_points": 10}
    opt = loaded(box(4), sphere, 30, seed=3, **opts)
    sizes = []
    for _ in range(25):
        for t in opt.ask(2):
            opt.tell(t.id, sphere(t.params))
        sizes.append(info(opt)["model_points"])
    assert max(sizes) <= 20 + 10
    assert min(sizes) >= 20


def test_proposals_valid_not_repeated_with_pending_and_discrete_dims():
    space = mixed()  # 2-dim discrete part: 40 cells for each x
    opt = loaded(
        space, f_mixed, 80, seed=5, big_history_threshold=50, local_points=24, max_fit_points=16
    )
    pending = []
    for _ in range(3):  # batches while earlier ones are still pending
        pending += opt.ask(4)
    assert info(opt)["mode"] == "big-history"
    X = space.encode([t.params for t in pending])
    keys = {row.tobytes() for row in space.canonicalize(X)}
    assert len(keys) == len(pending)
    done = {row.tobytes() for row in space.canonicalize(opt.history().X)}
    assert keys.isdisjoint(done)
    for t in pending:
        assert -2.0 <= t.params["x"] <= 2.0
        assert isinstance(t.params["n"], int) and 0 <= t.params["n"] <= 9
        assert t.params["c"] in ("a", "b", "c", "d")


def test_finite_space_never_repeats_a_configuration():
    space = amtune.SearchSpace(
        {"n": I(0, 9, "Linear"), "c": K(["a", "b", "c", "d"]), "m": I(0, 4, "Linear")}
    )

    def f(p):
        return (p["n"] - 3) ** 2 + (p["m"] - 1) ** 2 + "abcd".index(p["c"])

    opt = loaded(
        space, f, 120, seed=2, big_history_threshold=100, local_points=32, max_fit_points=16
    )
    seen = {row.tobytes() for row in space.canonicalize(opt.history().X)}
    for _ in range(6):
        trials = opt.ask(3)
        for t in trials:
            key = space.canonicalize(space.encode([t.params]))[0].tobytes()
            assert key not in seen
            seen.add(key)
            opt.tell(t.id, f(t.params))
    assert info(opt)["mode"] == "big-history"


def test_same_seed_same_proposals():
    def proposals(seed):
        opt = loaded(mixed(), f_mixed, 70, seed=seed, big_history_threshold=50, local_points=24)
        out = []
        for _ in range(3):
            trials = opt.ask(2)
            out += [t.params for t in trials]
            for t in trials:
                opt.tell(t.id, f_mixed(t.params))
        return out

    assert proposals(7) == proposals(7)


def test_incremental_cholesky_equals_fresh_factorization():
    rng = np.random.default_rng(0)
    K = core.Kind
    spec = core.InputSpec([K.Continuous, K.Integer, K.Categorical], [0, 10, 3], [False] * 3)
    X = rng.uniform(size=(80, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1]
    ls = np.log([0.3, 0.5, 1.0])
    inc = core.GP(spec, ls, log_noise=-6.0)
    inc.fit(X[:50], y[:50])
    for i in range(50, 80, 10):
        inc.append(X[i : i + 10], y[i : i + 10])
    fresh = core.GP(spec, ls, log_noise=-6.0)
    fresh.fit(X, y)
    assert inc.n == fresh.n == 80
    np.testing.assert_allclose(inc.L, fresh.L, rtol=1e-7, atol=1e-9)
    Xt = rng.uniform(size=(20, 3))
    for a, b in zip(inc.predict(Xt), fresh.predict(Xt), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_local_rows_are_the_nearest_in_the_kernel_metric():
    rng = np.random.default_rng(1)
    K = core.Kind
    spec = core.InputSpec([K.Continuous, K.Continuous, K.Categorical], [0, 0, 4], [False] * 3)
    X = rng.uniform(size=(300, 3))
    ls = np.array([0.1, 2.0, 0.5])
    rows = core.local_model_rows(spec, np.log(ls), X, 7, 25, [0, 1, 299])
    cell = np.floor(X[:, 2] * 4)
    d2 = ((X[:, 0] - X[7, 0]) / ls[0]) ** 2 + ((X[:, 1] - X[7, 1]) / ls[1]) ** 2
    d2 += ((cell != cell[7]) / ls[2]) ** 2
    near = set(np.argsort(d2, kind="stable")[:25].tolist())
    assert rows == sorted(near | {0, 1, 299})
    assert 7 in rows
    # k >= n: every row
    assert core.local_model_rows(spec, np.log(ls), X[:10], 0, 50) == list(range(10))
    with pytest.raises(ValueError):
        core.local_model_rows(spec, np.log(ls), X, 300, 5)


def test_resumed_history_of_20000_gives_a_proposal():
    space = box(20, -5.0, 5.0)
    opt = loaded(space, sphere, 20_000, seed=11)
    trials = opt.ask(2)
    assert len(trials) == 2
    assert info(opt)["mode"] == "big-history"
    # bounded model: the nearest local_points plus the fit subset (max_fit_points = 128)
    assert DEFAULT_LOCAL_POINTS <= info(opt)["model_points"] <= DEFAULT_LOCAL_POINTS + 128
    for t in trials:
        assert all(-5.0 <= v <= 5.0 for v in t.params.values())
    opt.tell(trials[0].id, sphere(trials[0].params))
    assert len(opt.ask()) == 1


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("big_history_threshold", 0),
        ("big_history_threshold", True),
        ("big_history_threshold", 2.5),
        ("local_points", 8),
        ("local_points", "256"),
    ],
)
def test_bad_options(key, value):
    with pytest.raises(ValueError, match=key):
        amtune.Optimizer(box(2), strategy="Bayesian", **{key: value})


def test_trust_region_halves_after_failures_and_grows_after_successes():
    # d = 2: the region halves after max(4, d) = 4 non-improving trials, doubles after 3 improving ones
    opt = loaded(
        box(2), sphere, 40, seed=4, big_history_threshold=30, local_points=16, max_fit_points=8
    )
    opt.ask(4)  # entering the mode starts a region
    tr = info(opt)["trust_region"]
    assert tr == {"length": 0.8, "successes": 0, "failures": 0, "restarts": 0, "stale": 0}
    for t in list(opt.trials)[-4:]:
        opt.tell(t.id, 100.0)  # worse than every value so far
    opt.ask()
    assert info(opt)["trust_region"]["length"] == pytest.approx(0.4)
    assert info(opt)["trust_region"]["stale"] == 4
    best = opt.best.value
    for k in range(3):
        t = opt.ask()[0]
        opt.tell(t.id, best - 1.0 - k)  # improving
    opt.ask()
    assert info(opt)["trust_region"]["length"] == pytest.approx(0.8)
    assert info(opt)["trust_region"]["stale"] == 0

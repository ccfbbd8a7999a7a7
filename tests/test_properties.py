"""Property tests (hypothesis): random spaces round-trip, decode stays in bounds, seeds determine
sequences, and any sequence of ask/tell/add/forget keeps ``best`` right."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import amtune
from amtune.space.parameters import category_key as _cat_key
from amtune.strategies import SearchSpaceExhausted

Cont, Int, Cat = amtune.ContinuousParameter, amtune.IntegerParameter, amtune.CategoricalParameter

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def continuous(draw: st.DrawFn) -> amtune.ContinuousParameter:
    scale = draw(st.sampled_from(["Linear", "Logarithmic", "ReverseLogarithmic", "Auto"]))
    if scale == "Logarithmic":
        lo = draw(st.floats(1e-12, 1e6))
        hi = lo * draw(st.floats(1.001, 1e8))
    elif scale == "ReverseLogarithmic":
        lo = draw(st.floats(0.0, 0.99))
        hi = draw(st.floats(lo + 1e-3, 1 - 1e-12).filter(lambda h: lo < h < 1))
    else:
        lo = draw(st.floats(-1e9, 1e9))
        hi = lo + draw(st.floats(1e-6, 1e9)) * max(1.0, abs(lo)) * 1e-3
    return Cont(lo, hi, scale)


@st.composite
def integer(draw: st.DrawFn) -> amtune.IntegerParameter:
    scale = draw(st.sampled_from(["Linear", "Logarithmic", "Auto"]))
    lo = draw(st.integers(1 if scale == "Logarithmic" else -(10**6), 10**6))
    hi = lo + draw(st.one_of(st.integers(1, 20), st.integers(1, 10**9)))
    return Int(lo, hi, scale)


categorical_value = st.one_of(
    st.text(max_size=5), st.integers(-(2**70), 2**70), finite_floats, st.booleans()
)


@st.composite
def categorical(draw: st.DrawFn) -> amtune.CategoricalParameter:
    values = draw(st.lists(categorical_value, min_size=1, max_size=8, unique_by=_cat_key))
    return Cat(values)


@st.composite
def spaces(draw: st.DrawFn, finite: bool = False) -> amtune.SearchSpace:
    kinds = (
        st.one_of(integer(), categorical())
        if finite
        else st.one_of(continuous(), integer(), categorical())
    )
    params = draw(st.lists(kinds, min_size=1, max_size=6))
    static = draw(st.dictionaries(st.sampled_from(["s1", "s2"]), st.integers(), max_size=2))
    return amtune.SearchSpace({f"p{i}": p for i, p in enumerate(params)}, static=static)


def draw_config(draw: st.DrawFn, space: amtune.SearchSpace) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name, p in space.ranges.items():
        if isinstance(p, amtune.CategoricalParameter):
            config[name] = draw(st.sampled_from(p.values))
        elif isinstance(p, amtune.IntegerParameter):
            config[name] = draw(st.integers(p.min_value, p.max_value))
        else:
            assert isinstance(p, amtune.ContinuousParameter)
            config[name] = draw(st.floats(p.min_value, p.max_value))
    return config


@st.composite
def space_and_configs(draw: st.DrawFn) -> tuple[amtune.SearchSpace, list[dict[str, Any]]]:
    space = draw(spaces())
    n = draw(st.integers(1, 5))
    return space, [draw_config(draw, space) for _ in range(n)]


def magnitude(p: amtune.ContinuousParameter, x: float) -> float:
    return max(abs(x), abs(p.min_value), abs(p.max_value))


# --------------------------------------------------------------------------- space properties
@given(space_and_configs())
def test_round_trip(case):
    space, configs = case
    X = space.encode(configs)
    assert X.shape == (len(configs), space.dim)
    assert ((X >= 0) & (X <= 1)).all()
    back = space.decode(X)
    for c, b in zip(configs, back, strict=True):
        assert set(b) == set(space.names) | set(space.static)
        for name, p in space.ranges.items():
            if isinstance(p, amtune.ContinuousParameter):
                assert type(b[name]) is float
                assert abs(b[name] - c[name]) <= 1e-12 * magnitude(p, c[name]), (name, p)
            else:
                assert type(b[name]) is type(c[name])
                assert _cat_key(b[name]) == _cat_key(c[name])
    # encoding the decoded configurations gives the same points for discrete coordinates
    X2 = space.encode(back)
    disc = [j for j, k in enumerate(space.kinds()) if k != "Continuous"]
    np.testing.assert_array_equal(X2[:, disc], X[:, disc])


@given(
    spaces(),
    st.lists(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6), min_size=1, max_size=10),
)
def test_decode_any_point_is_valid(space, rows):
    X = np.array(rows)[:, : space.dim]
    X[0] = 0.0
    if len(X) > 1:
        X[1] = 1.0
    configs = space.decode(X)
    for c in configs:
        for name, p in space.ranges.items():
            if isinstance(p, amtune.CategoricalParameter):
                assert any(_cat_key(c[name]) == _cat_key(v) for v in p.values)
            else:
                assert isinstance(p, (amtune.ContinuousParameter, amtune.IntegerParameter))
                assert p.min_value <= c[name] <= p.max_value
                if isinstance(p, amtune.IntegerParameter):
                    assert type(c[name]) is int
    space.encode(configs)  # valid configurations, so no error
    canon = space.canonicalize(X)
    np.testing.assert_array_equal(space.canonicalize(canon), canon)
    assert space.decode(canon) == configs


@given(spaces(), st.integers(0, 2**64 - 1), st.integers(0, 20))
def test_sample_is_determined_by_the_seed(space, seed, n):
    a = space.sample(n, seed=seed)
    assert a == space.sample(n, seed=seed)
    assert len(a) == n
    space.encode(a)


# --------------------------------------------------------------------------- optimizer fuzzing
ops = st.lists(
    st.one_of(
        st.tuples(st.just("ask"), st.integers(1, 3)),
        st.tuples(
            st.just("tell"),
            st.integers(0, 50),
            st.one_of(st.none(), st.just(math.nan), st.floats(-1e6, 1e6)),
        ),
        st.tuples(
            st.just("add"), st.integers(0, 2**32), st.one_of(st.none(), st.floats(-1e6, 1e6))
        ),
        st.tuples(st.just("forget"), st.integers(0, 50)),
    ),
    max_size=30,
)


@pytest.mark.parametrize("objective", ["Minimize", "Maximize"])
@given(space=spaces(), seed=st.integers(0, 2**32), operations=ops)
def test_ask_tell_fuzz_keeps_best_right(objective, space, seed, operations):
    opt = amtune.Optimizer(space, strategy="Random", objective_type=objective, random_seed=seed)
    pending: list[int] = []
    values: dict[int, float | None] = {}
    proposals: dict[int, tuple] = {}  # trial id -> configuration, forgotten ones dropped
    for op in operations:
        note(repr(op))
        if op[0] == "ask":
            try:
                trials = opt.ask(op[1])
            except SearchSpaceExhausted:
                assert space.size is not None
                continue
            pending += [t.id for t in trials]
            for t in trials:
                proposals[t.id] = tuple(sorted((k, repr(v)) for k, v in t.params.items()))
        elif op[0] == "tell" and pending:
            tid = pending.pop(op[1] % len(pending))
            v = op[2]
            opt.tell(tid, v)
            values[tid] = None if v is None or math.isnan(v) else v
        elif op[0] == "add":
            config = space.sample(1, seed=op[1])[0]
            t = opt.add(config, op[2])
            values[t.id] = op[2]
        elif op[0] == "forget" and pending:
            tid = pending.pop(op[1] % len(pending))
            opt.forget(tid)
            del proposals[tid]  # a forgotten configuration may be proposed again
        ok = {i: v for i, v in values.items() if v is not None}
        if not ok:
            assert opt.best is None
        else:
            pick = min if objective == "Minimize" else max
            assert opt.best is not None
            assert opt.best.value == pick(ok.values())
            assert opt.best.state == "Completed"
        assert opt.history().pending.shape[0] == len(pending)
        assert opt.n_finished == len(values)
    if space.is_finite:  # Random never proposed a configuration twice in a finite space
        assert len(set(proposals.values())) == len(proposals)


@given(
    space=spaces(finite=True),
    seed=st.integers(0, 2**32),
    batches=st.lists(st.integers(1, 6), min_size=1, max_size=8),
)
def test_finite_space_random_exhausts_without_repeats(space, seed, batches):
    opt = amtune.Optimizer(space, strategy="Random", random_seed=seed)
    size = space.size
    assert size is not None
    seen: set[tuple] = set()
    for b in batches:
        if b > size - len(seen):
            with pytest.raises(SearchSpaceExhausted):
                opt.ask(b)
            continue
        for t in opt.ask(b):
            k = tuple((n, type(v).__name__, repr(v)) for n, v in t.params.items())
            assert k not in seen
            seen.add(k)


@given(space=spaces(finite=True), seed=st.integers(0, 2**32))
def test_same_seed_same_sequence(space, seed):
    def run() -> list[dict[str, Any]]:
        opt = amtune.Optimizer(space, strategy="Random", random_seed=seed)
        out = []
        for _ in range(3):
            try:
                trials = opt.ask(2)
            except SearchSpaceExhausted:
                break
            out += [t.params for t in trials]
            opt.tell(trials[0].id, 1.0)
        return out

    assert run() == run()

"""SearchSpace: validation, scaling types, encoding cells, exact round trips."""

from __future__ import annotations

import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

import amtune
from amtune.space.parameters import MAX_CATEGORICAL_VALUES, MAX_INTEGER_MAGNITUDE
from amtune.space.search_space import MAX_RANGES, MAX_STATIC

Cont, Int, Cat = amtune.ContinuousParameter, amtune.IntegerParameter, amtune.CategoricalParameter


def space1(p: amtune.Parameter, name: str = "p") -> amtune.SearchSpace:
    return amtune.SearchSpace({name: p})


# --------------------------------------------------------------------------- range validation
@pytest.mark.parametrize(
    ("param", "exc", "match"),
    [
        (lambda: Cont(2.0, 1.0), ValueError, r"min_value \(2.0\) must be at most max_value"),
        (lambda: Int(5, 3), ValueError, r"must be at most max_value"),
        (
            lambda: Cont(0.0, 1.0, "Logarithmic"),
            ValueError,
            r"Logarithmic scaling needs min_value > 0",
        ),
        (
            lambda: Cont(-1.0, 1.0, "Logarithmic"),
            ValueError,
            r"Logarithmic scaling needs min_value > 0",
        ),
        (lambda: Int(0, 10, "Logarithmic"), ValueError, r"Logarithmic scaling needs min_value > 0"),
        (
            lambda: Int(0, 1, "ReverseLogarithmic"),
            ValueError,
            r"ReverseLogarithmic.*only valid for "
            r"continuous",
        ),
        (
            lambda: Cont(0.0, 1.0, "ReverseLogarithmic"),
            ValueError,
            r"ReverseLogarithmic.*within \[0, 1\)",
        ),
        (lambda: Cont(-0.1, 0.5, "ReverseLogarithmic"), ValueError, r"ReverseLogarithmic.*within"),
        (lambda: Cont(0.5, 1.5, "ReverseLogarithmic"), ValueError, r"ReverseLogarithmic.*within"),
        (lambda: Cont(0.0, 1.0, "linear"), ValueError, r"scaling_type must be one of.*'linear'"),
        (lambda: Cont(0.0, 1.0, "LINEAR"), ValueError, r"scaling_type must be one of"),
        (lambda: Cont(0.0, 1.0, "Log"), ValueError, r"scaling_type must be one of"),
        (lambda: Int(0, 1, "auto"), ValueError, r"scaling_type must be one of"),
        (lambda: Cont(0.0, 1.0, None), TypeError, r"scaling_type must be a string"),  # type: ignore[arg-type]
        (lambda: Cont(math.nan, 1.0), ValueError, r"min_value must be finite"),
        (lambda: Cont(0.0, math.inf), ValueError, r"max_value must be finite"),
        (lambda: Cont(-math.inf, 0.0), ValueError, r"min_value must be finite"),
        (lambda: Cont(np.float64("nan"), 1.0), ValueError, r"min_value must be finite"),
        (lambda: Cont("nan", 1.0), ValueError, r"min_value must be finite"),
        (lambda: Cont(0.0, 10**400), ValueError, r"max_value must be finite"),
        (lambda: Cont(-1e308, 1e308), ValueError, r"max_value - min_value must be finite"),
        (lambda: Cont("a", 1.0), TypeError, r"min_value must be a number"),
        (lambda: Cont(None, 1.0), TypeError, r"min_value must be a number"),
        (lambda: Cont(0.0, [1.0]), TypeError, r"max_value must be a number"),
        (lambda: Cont(False, True), TypeError, r"min_value must be a number"),
        (lambda: Int(np.bool_(False), 3), TypeError, r"min_value must be a number"),
        (lambda: Int(0.5, 3), ValueError, r"min_value must be an integer"),
        (lambda: Int(0, 2.5), ValueError, r"max_value must be an integer"),
        (lambda: Int(0, 2**41), ValueError, r"max_value must be within \+-2\*\*40"),
        (lambda: Int(-(2**41), 0), ValueError, r"min_value must be within"),
        (lambda: Int(0, 1e13), ValueError, r"max_value must be within"),
        (lambda: Cat([]), ValueError, r"needs at least one value"),
        (lambda: Cat(["a", "b", "a"]), ValueError, r"value 'a' is duplicated"),
        (lambda: Cat([1, 1.0]), ValueError, r"value 1.0 is duplicated"),
        (lambda: Cat([True, np.bool_(True)]), ValueError, r"duplicated"),
        (lambda: Cat([1, np.int64(1)]), ValueError, r"duplicated"),
        (lambda: Cat([1.5, math.nan]), ValueError, r"categorical values must be finite"),
        (
            lambda: Cat(["a", None]),
            TypeError,
            r"categorical values must be str, int, float or bool",
        ),
        (lambda: Cat(["a", [1]]), TypeError, r"categorical values must be"),
        (lambda: Cat(["a", b"b"]), TypeError, r"categorical values must be"),
        (
            lambda: Cat(list(range(MAX_CATEGORICAL_VALUES + 1))),
            ValueError,
            rf"at most {MAX_CATEGORICAL_VALUES} categorical values",
        ),
    ],
)
def test_invalid_range_names_parameter_and_rule(param, exc, match):
    # the constructor validates at once (issue 11: a typo must not wait for the tuner)
    with pytest.raises(exc, match=match):
        param()


def test_validation_leaves_callers_objects_unchanged():
    p = Cont("1e-3", "1", "Auto")
    s = space1(p)
    assert (p.min_value, p.max_value) == ("1e-3", "1")  # the space validated a copy
    assert s.ranges["p"] == Cont(1e-3, 1.0)


def test_categorical_values_must_be_a_list():
    with pytest.raises(TypeError, match="values must be a list"):
        Cat("abc")
    with pytest.raises(TypeError, match="values must be a list"):
        Cat(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="values must be a list"):
        Cat({"a": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: amtune.SearchSpace([("a", Cont(0, 1))]), TypeError, "ranges must be a dict"),
        (
            lambda: amtune.SearchSpace({"a": (0, 1)}),
            TypeError,
            r"'a'.*ContinuousParameter, IntegerParameter or CategoricalParameter",
        ),
        (lambda: amtune.SearchSpace({1: Cont(0, 1)}), TypeError, "names must be strings"),
        (lambda: amtune.SearchSpace({"": Cont(0, 1)}), ValueError, "non-empty"),
        (
            lambda: amtune.SearchSpace({"a": Cont(0, 1)}, static={"a": 1}),
            ValueError,
            r"'a' is also a tunable range",
        ),
        (
            lambda: amtune.SearchSpace({"a": Cont(0, 1)}, static=[1]),
            TypeError,
            "static must be a dict",
        ),
        (
            lambda: amtune.SearchSpace({f"x{i}": Cont(0, 1) for i in range(MAX_RANGES + 1)}),
            ValueError,
            rf"at most {MAX_RANGES} tunable ranges, got {MAX_RANGES + 1}",
        ),
        (
            lambda: amtune.SearchSpace({}, static={f"s{i}": i for i in range(MAX_STATIC + 1)}),
            ValueError,
            rf"at most {MAX_STATIC} static",
        ),
    ],
)
def test_invalid_space(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_limits_themselves_are_allowed():
    s = amtune.SearchSpace({f"x{i}": Cont(0, 1) for i in range(MAX_RANGES)})
    assert s.dim == MAX_RANGES
    s = space1(Cat(list(range(MAX_CATEGORICAL_VALUES))))
    assert s.cardinalities() == [MAX_CATEGORICAL_VALUES]
    s = space1(Int(-MAX_INTEGER_MAGNITUDE, MAX_INTEGER_MAGNITUDE, "Linear"))
    assert s.size == 2 * MAX_INTEGER_MAGNITUDE + 1


def test_numbers_of_any_numeric_type_are_accepted_as_bounds():
    s = amtune.SearchSpace(
        {
            "a": Cont(np.float32(0.5), np.int64(3)),
            "b": Int(np.int32(1), np.uint8(9)),
            "c": Cont(Fraction(1, 4), "0.75"),
            "d": Int(2.0, "7"),
        }
    )
    assert s.ranges["a"] == Cont(0.5, 3.0, "Auto")
    b = s.ranges["b"]
    assert isinstance(b, amtune.IntegerParameter)
    assert (b.min_value, b.max_value) == (1, 9)
    assert type(b.min_value) is int
    assert s.ranges["c"] == Cont(0.25, 0.75)
    assert s.ranges["d"] == Int(2, 7)


# --------------------------------------------------------------------------- Auto rule
@pytest.mark.parametrize(
    ("param", "scale"),
    [
        (Cont(1e-3, 1e-1), "Logarithmic"),  # ratio exactly 100
        (Cont(1e-3, 0.0999), "Linear"),  # ratio just under 100
        (Cont(0.0, 1000.0), "Linear"),  # min not > 0
        (Cont(-5.0, 5.0), "Linear"),
        (Int(1, 100), "Logarithmic"),
        (Int(1, 99), "Linear"),
        (Int(0, 1000), "Linear"),
        (Cont(1e-3, 1e-1, "Linear"), "Linear"),  # explicit types are kept
        (Cont(0.0, 0.9, "ReverseLogarithmic"), "ReverseLogarithmic"),
    ],
)
def test_auto_rule(param, scale):
    s = space1(param)
    p = s.ranges["p"]
    assert isinstance(p, (amtune.ContinuousParameter, amtune.IntegerParameter))
    assert p.scale == scale


def test_auto_logarithmic_is_uniform_in_log():
    s = space1(Cont(1e-4, 1.0))
    X = s.encode([{"p": 1e-4}, {"p": 1e-2}, {"p": 1.0}])
    np.testing.assert_allclose(X[:, 0], [0.0, 0.5, 1.0], atol=1e-12)


# --------------------------------------------------------------------------- encoding and cells
def test_linear_and_log_encodings():
    s = amtune.SearchSpace({"lin": Cont(-2.0, 2.0, "Linear"), "log": Cont(1.0, 1e4, "Logarithmic")})
    X = s.encode([{"lin": -2.0, "log": 1.0}, {"lin": 1.0, "log": 100.0}, {"lin": 2.0, "log": 1e4}])
    np.testing.assert_allclose(X, [[0.0, 0.0], [0.75, 0.5], [1.0, 1.0]], atol=1e-12)


def test_reverse_logarithmic_is_dense_near_one():
    s = space1(Cont(0.0, 0.999, "ReverseLogarithmic"))
    # -log(1 - x) is uniform: x = 0.9 sits at log(10) / log(1000) = 1/3 of the encoded interval
    X = s.encode([{"p": 0.0}, {"p": 0.9}, {"p": 0.99}, {"p": 0.999}])
    np.testing.assert_allclose(X[:, 0], [0.0, 1 / 3, 2 / 3, 1.0], atol=1e-12)
    values = np.array([c["p"] for c in s.sample(20_000, seed=4)])
    # more mass near 1: a third of the samples above 0.99 (vs 0.9% under Linear)
    assert np.mean(values > 0.99) == pytest.approx(1 / 3, abs=0.02)
    assert np.mean(values > 0.5) > 0.85
    assert np.mean(values < 0.1) < 0.03
    assert values.min() >= 0.0 and values.max() <= 0.999


def test_linear_integers_get_equal_shares():
    lo, hi = 3, 9
    s = space1(Int(lo, hi, "Linear"))
    n = 70_000
    counts = np.bincount(np.array([c["p"] for c in s.sample(n, seed=11)]) - lo)
    assert len(counts) == hi - lo + 1
    # the end values get a full share too (not half, as rounding a uniform [lo, hi] would give)
    expected = n / (hi - lo + 1)
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected))
    centres = s.encode([{"p": v} for v in range(lo, hi + 1)])[:, 0]
    np.testing.assert_allclose(centres, (np.arange(hi - lo + 1) + 0.5) / (hi - lo + 1), atol=1e-12)


def test_log_integers_get_their_log_width_share():
    lo, hi = 1, 20
    s = space1(Int(lo, hi, "Logarithmic"))
    n = 80_000
    counts = np.bincount(np.array([c["p"] for c in s.sample(n, seed=5)]), minlength=hi + 1)[lo:]
    edges = np.log(np.arange(lo, hi + 2) - 0.5)
    share = np.diff(edges) / (edges[-1] - edges[0])  # value v owns log(v-1/2) .. log(v+1/2)
    expected = n * share
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected) + 1)
    assert counts[0] > counts[1] > counts[5] > counts[-1]  # denser at small values


def test_categorical_cells():
    s = space1(Cat(["a", "b", "c", "d"]))
    X = s.encode([{"p": v} for v in "abcd"])
    np.testing.assert_allclose(X[:, 0], [0.125, 0.375, 0.625, 0.875])
    got = [c["p"] for c in s.decode(np.array([[0.0], [0.2499], [0.25], [0.75], [1.0]]))]
    assert got == ["a", "a", "b", "d", "d"]


def test_integer_cell_edges_decode_to_neighbours():
    s = space1(Int(0, 3, "Linear"))
    got = [c["p"] for c in s.decode(np.array([[0.0], [0.2499], [0.2501], [0.7501], [1.0]]))]
    assert got == [0, 0, 1, 3, 3]


def test_canonicalize_snaps_discrete_coordinates(mixed_space):
    X = mixed_space.sample_unit(5000, seed=2)
    C_ = mixed_space.canonicalize(X)
    kinds = mixed_space.kinds()
    cont = [j for j, k in enumerate(kinds) if k == "Continuous"]
    np.testing.assert_array_equal(C_[:, cont], X[:, cont])
    disc = [j for j, k in enumerate(kinds) if k != "Continuous"]
    # bit-identical: repeats are found by comparing canonical points exactly
    np.testing.assert_array_equal(C_[:, disc], mixed_space.encode(mixed_space.decode(X))[:, disc])


# --------------------------------------------------------------------------- round trips
def test_exact_round_trip_keeps_types(mixed_space):
    configs = [
        {"lr": 3e-4, "momentum": 0.9, "dropout": 0.1, "layers": 1, "batch": 16, "opt": "adam"},
        {"lr": 1.0, "momentum": 0.999, "dropout": 0.5, "layers": 8, "batch": 4096, "opt": 1},
        {"lr": 1e-5, "momentum": 0.0, "dropout": 0.0, "layers": 5, "batch": 100, "opt": True},
        {
            "lr": 0.01,
            "momentum": 0.5,
            "dropout": 0.25,
            "layers": 2,
            "batch": 17,
            "opt": "sgd",
            "epochs": 10,
        },
    ]
    back = mixed_space.decode(mixed_space.encode(configs))
    for c, b in zip(configs, back, strict=True):
        assert b["epochs"] == 10
        for name in ("layers", "batch"):
            assert b[name] == c[name] and type(b[name]) is int
        assert b["opt"] == c["opt"] and type(b["opt"]) is type(c["opt"])
        for name in ("lr", "momentum", "dropout"):
            assert type(b[name]) is float
            assert b[name] == pytest.approx(c[name], rel=1e-12, abs=1e-12)


def test_one_and_string_one_and_true_are_distinct_values():
    s = space1(Cat([1, "1", True, 1.5, False, 0]))
    configs = [{"p": v} for v in (1, "1", True, 1.5, False, 0)]
    back = s.decode(s.encode(configs))
    assert [(type(b["p"]), b["p"]) for b in back] == [
        (int, 1),
        (str, "1"),
        (bool, True),
        (float, 1.5),
        (bool, False),
        (int, 0),
    ]
    # equal numbers select the same value: 1.0 is the value 1; numpy scalars are accepted
    assert s.decode(s.encode([{"p": 1.0}, {"p": np.int64(0)}, {"p": np.bool_(True)}])) == [
        {"p": 1},
        {"p": 0},
        {"p": True},
    ]


def test_large_integers_round_trip_exactly_at_the_limit():
    for scale in ("Linear", "Logarithmic"):
        s = space1(Int(1, MAX_INTEGER_MAGNITUDE, scale))
        top = MAX_INTEGER_MAGNITUDE
        values = [1, 2, 3, top // 2, top // 2 + 1, top - 2, top - 1, top]
        back = s.decode(s.encode([{"p": v} for v in values]))
        assert [b["p"] for b in back] == values
    big = space1(Cat([2**60, 2**60 + 1]))  # no float conversion of categorical numbers
    assert big.decode(big.encode([{"p": 2**60 + 1}])) == [{"p": 2**60 + 1}]


def test_continuous_round_trip_relative_to_range_magnitude():
    s = space1(Cont(-1e6, 1e6, "Linear"))
    back = s.decode(s.encode([{"p": 1.0}, {"p": -999_999.5}]))
    assert abs(back[0]["p"] - 1.0) <= 1e-12 * 1e6
    assert back[1]["p"] == pytest.approx(-999_999.5, rel=1e-12)


def test_decode_of_corners_and_random_points_is_valid(mixed_space):
    d = mixed_space.dim
    corners = np.array([[0.0] * d, [1.0] * d, [0.5] * d])
    points = np.vstack([corners, np.random.default_rng(0).random((500, d))])
    configs = mixed_space.decode(points)
    X = mixed_space.encode(configs)  # encode validates every value against its range
    assert X.shape == (503, d)
    assert ((X >= 0) & (X <= 1)).all()


def test_static_values_pass_through(mixed_space):
    configs = mixed_space.sample(5, seed=0)
    assert all(c["epochs"] == 10 for c in configs)
    mixed_space.encode(configs)  # statics may be given back with their static value
    bad = dict(configs[0], epochs=11)
    with pytest.raises(ValueError, match=r"configuration 0: 'epochs' is static with value 10"):
        mixed_space.encode([bad])


# --------------------------------------------------------------------------- configuration errors
@pytest.fixture
def small() -> amtune.SearchSpace:
    return amtune.SearchSpace(
        {"x": Cont(0.0, 1.0), "n": Int(1, 5), "c": Cat(["a", "b"])}, static={"s": "fixed"}
    )


@pytest.mark.parametrize(
    ("config", "exc", "match"),
    [
        ({"x": 0.5, "n": 1}, ValueError, r"configuration 1: missing hyperparameter\(s\) \['c'\]"),
        (
            {"x": 0.5, "n": 1, "c": "a", "zz": 3},
            ValueError,
            r"configuration 1: unknown hyperparameter 'zz'",
        ),
        ({"x": 0.5, "n": 1, "C": "a"}, ValueError, r"missing hyperparameter\(s\) \['c'\]"),
        (
            {"x": 1.5, "n": 1, "c": "a"},
            ValueError,
            r"configuration 1: parameter 'x': value 1.5 is "
            r"outside \[0.0, 1.0\]",
        ),
        ({"x": math.nan, "n": 1, "c": "a"}, ValueError, r"'x': value nan is outside"),
        ({"x": math.inf, "n": 1, "c": "a"}, ValueError, r"'x': value inf is outside"),
        ({"x": 10**400, "n": 1, "c": "a"}, ValueError, r"'x': value .* is outside"),
        ({"x": "0.5", "n": 1, "c": "a"}, TypeError, r"'x': value must be a number, got str"),
        ({"x": True, "n": 1, "c": "a"}, TypeError, r"'x': value must be a number, got bool"),
        ({"x": None, "n": 1, "c": "a"}, TypeError, r"'x': value must be a number"),
        ({"x": 0.5, "n": np.bool_(True), "c": "a"}, TypeError, r"'n': value must be a number"),
        ({"x": 0.5, "n": 2.5, "c": "a"}, ValueError, r"'n': value 2.5 is not an integer"),
        ({"x": 0.5, "n": 6, "c": "a"}, ValueError, r"'n': value 6 is outside \[1, 5\]"),
        ({"x": 0.5, "n": 0, "c": "a"}, ValueError, r"'n': value 0 is outside"),
        (
            {"x": 0.5, "n": 1, "c": "A"},
            ValueError,
            r"'c': 'A' is not one of the values \['a', 'b'\]",
        ),
        ({"x": 0.5, "n": 1, "c": ["a"]}, ValueError, r"'c': \['a'\] is not one of the values"),
        ({"x": 0.5, "n": 1, "c": "a", "s": "other"}, ValueError, r"'s' is static"),
    ],
)
def test_invalid_configuration(small, config, exc, match):
    good = {"x": 0.5, "n": 3, "c": "b"}
    with pytest.raises(exc, match=match):
        small.encode([good, config])


def test_numpy_scalars_are_numbers(small):
    X = small.encode([{"x": np.float32(0.25), "n": np.int64(3), "c": np.str_("b")}])
    assert small.decode(X) == [{"x": 0.25, "n": 3, "c": "b", "s": "fixed"}]
    assert small.decode(small.encode([{"x": 1, "n": 3.0, "c": "a"}]))[0]["n"] == 3


def test_configs_must_be_a_list_of_dicts(small):
    with pytest.raises(TypeError, match="wrap a single configuration in a list"):
        small.encode({"x": 0.5, "n": 1, "c": "a"})
    with pytest.raises(TypeError, match="configuration 0 must be a dict"):
        small.encode([("x", 0.5)])
    assert small.encode([]).shape == (0, 3)


# --------------------------------------------------------------------------- decode errors
@pytest.mark.parametrize(
    ("X", "exc", "match"),
    [
        (np.zeros((2, 2)), ValueError, r"X must have shape \(n, 3\), got \(2, 2\)"),
        (np.zeros((2, 3, 1)), ValueError, r"shape \(n, 3\)"),
        (np.zeros(4), ValueError, r"shape \(n, 3\)"),
        (np.full((1, 3), 1.0 + 1e-12), ValueError, r"X must lie in \[0, 1\]"),
        (np.array([[0.5, -1e-300, 0.5]]), ValueError, r"must lie in \[0, 1\]"),
        (np.array([[0.5, 2.0, 0.5]]), ValueError, r"must lie in \[0, 1\].*2.0"),
        (np.array([[0.5, np.nan, 0.5]]), ValueError, r"not be NaN"),
        (np.array([[0.5, np.inf, 0.5]]), ValueError, r"must lie in \[0, 1\]"),
        (np.array([["a", "b", "c"]]), TypeError, r"X must be a numeric array"),
        (np.array([[True, False, True]]), TypeError, r"numeric array"),
        ([[0.5, 0.5], [0.5]], ValueError, r"shape"),
    ],
)
def test_decode_rejects_bad_arrays(small, X, exc, match):
    with pytest.raises(exc, match=match):
        small.decode(X)


def test_decode_accepts_one_point_and_integer_arrays(small):
    assert small.decode([0.5, 0.5, 0.5]) == small.decode(np.array([[0.5, 0.5, 0.5]]))
    assert small.decode(np.array([[0, 1, 1]]))[0] == {"x": 0.0, "n": 5, "c": "b", "s": "fixed"}


# --------------------------------------------------------------------------- sampling
def test_sample_is_seeded_and_validated(mixed_space):
    assert mixed_space.sample(20, seed=3) == mixed_space.sample(20, seed=3)
    assert mixed_space.sample(20, seed=3) != mixed_space.sample(20, seed=4)
    assert mixed_space.sample(0, seed=1) == []
    assert len(mixed_space.sample(3)) == 3
    with pytest.raises(ValueError, match="n must be >= 0"):
        mixed_space.sample(-1, seed=0)
    with pytest.raises(TypeError, match="n must be an integer"):
        mixed_space.sample(2.0, seed=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed must be an integer"):
        mixed_space.sample(2, seed=1.5)  # type: ignore[arg-type]
    # any integer seed works (reduced mod 2**64)
    assert mixed_space.sample(2, seed=-1) == mixed_space.sample(2, seed=2**64 - 1)


def test_sample_unit_is_uniform():
    s = amtune.SearchSpace({"a": Cont(0, 1), "b": Cont(0, 1)})
    U = s.sample_unit(40_000, seed=9)
    assert U.shape == (40_000, 2)
    assert ((U >= 0) & (U < 1)).all()
    hist = np.histogram(U[:, 1], bins=10, range=(0, 1))[0]
    assert np.all(np.abs(hist - 4000) < 5 * math.sqrt(4000))
    assert abs(np.corrcoef(U.T)[0, 1]) < 0.03


# --------------------------------------------------------------------------- properties of the space
def test_kinds_cardinalities_size(mixed_space, finite_space):
    assert mixed_space.kinds() == ["Continuous"] * 3 + ["Integer"] * 2 + ["Categorical"]
    assert mixed_space.cardinalities() == [0, 0, 0, 8, 4081, 4]
    assert not mixed_space.is_finite and mixed_space.size is None
    assert finite_space.is_finite and finite_space.size == 12
    empty = amtune.SearchSpace({}, static={"a": 1})
    assert empty.dim == 0 and empty.size == 1
    assert empty.decode(np.empty((2, 0))) == [{"a": 1}, {"a": 1}]


def test_pickle_and_equality(mixed_space):
    clone = pickle.loads(pickle.dumps(mixed_space))
    assert clone == mixed_space
    X = mixed_space.sample_unit(10, seed=1)
    assert clone.decode(X) == mixed_space.decode(X)
    other = amtune.SearchSpace(dict(mixed_space.ranges), static={"epochs": 11})
    assert other != mixed_space
    assert space1(Cat([1, 2])) != space1(Cat([1.0, True]))


def test_sagemaker_round_trip():
    doc = {
        "ContinuousParameterRanges": [
            {"Name": "lr", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}
        ],
        "IntegerParameterRanges": [{"Name": "depth", "MinValue": "2", "MaxValue": "9"}],
        "CategoricalParameterRanges": [{"Name": "opt", "Values": ["adam", "sgd"]}],
    }
    s = amtune.SearchSpace.from_sagemaker(doc)
    assert s.names == ["lr", "depth", "opt"]
    assert s.ranges["depth"] == Int(2, 9, "Auto")
    assert amtune.SearchSpace.from_sagemaker(s.to_sagemaker()) == s


@pytest.mark.parametrize(
    ("doc", "exc", "match"),
    [
        ({"Bogus": []}, ValueError, r"unknown field\(s\) \['Bogus'\]"),
        (
            {"IntegerParameterRanges": [{"Name": "a", "MinValue": "1.5", "MaxValue": "3"}]},
            ValueError,
            r"IntegerParameterRanges\[0\].MinValue: must be an integer",
        ),
        (
            {"IntegerParameterRanges": [{"Name": "a", "MinValue": "1"}]},
            ValueError,
            "needs Name, MinValue and MaxValue",
        ),
        (
            {
                "ContinuousParameterRanges": [
                    {"Name": "a", "MinValue": "1", "MaxValue": "2", "Scaling": "Linear"}
                ]
            },
            ValueError,
            r"unknown field\(s\) \['Scaling'\]",
        ),
        (
            {
                "ContinuousParameterRanges": [
                    {"Name": "a", "MinValue": "1", "MaxValue": "2", "ScalingType": "linear"}
                ]
            },
            ValueError,
            "scaling_type must be one of",
        ),
        (
            {
                "CategoricalParameterRanges": [{"Name": "a", "Values": ["x"]}],
                "IntegerParameterRanges": [{"Name": "a", "MinValue": "1", "MaxValue": "2"}],
            },
            ValueError,
            "'a' is defined twice",
        ),
        (
            {"CategoricalParameterRanges": [{"Name": "a"}]},
            ValueError,
            "needs exactly Name and Values",
        ),
        ({"CategoricalParameterRanges": {"Name": "a"}}, TypeError, "must be a list"),
        ({"AutoParameters": [{"Name": "a"}]}, ValueError, "AutoParameters"),
        ([], TypeError, "ParameterRanges: must be a dict"),
    ],
)
def test_sagemaker_errors(doc, exc, match):
    with pytest.raises(exc, match=match):
        amtune.SearchSpace.from_sagemaker(doc)


@pytest.mark.parametrize(
    ("param", "lo", "hi"),
    [
        (amtune.ContinuousParameter(1e-6, 1.0, "Logarithmic"), 1e-6, 1.0),
        (amtune.ContinuousParameter(0.3, 0.999, "ReverseLogarithmic"), 0.3, 0.999),
        (amtune.ContinuousParameter(-1.7, 2.9), -1.7, 2.9),
    ],
)
def test_the_ends_of_the_unit_interval_decode_to_the_exact_bounds(param, lo, hi):
    # a proposal on a face of the box must show the user's bound, not exp(log(bound)) off by an ulp
    space = amtune.SearchSpace({"p": param})
    for X in (np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]] * 20)):  # scalar and block paths
        values = [c["p"] for c in space.decode(X)]
        assert values[0] == lo and values[1] == hi
        assert values[-2] == lo and values[-1] == hi


# --------------------------------------------------------------------------- equal bounds
@pytest.mark.parametrize("strategy", ["Random", "Bayesian"])
def test_equal_bounds_fix_the_value(strategy):
    # SageMaker's rule is MinValue <= MaxValue: a range with equal bounds holds one value, on
    # every scale (inputcheck2 F7: it was refused)
    space = amtune.SearchSpace(
        {
            "a": Cont(0.5, 0.5),
            "b": Int(3, 3),
            "c": Cont(1e-3, 1e-3, "Logarithmic"),
            "r": Cont(0.3, 0.3, "ReverseLogarithmic"),
            "x": Cont(0.0, 1.0),
        }
    )
    opt = amtune.Optimizer(space, strategy=strategy, random_seed=0)
    for _ in range(14):
        (t,) = opt.ask(1)
        assert (t.params["a"], t.params["b"], t.params["c"], t.params["r"]) == (0.5, 3, 1e-3, 0.3)
        opt.tell(t.id, (t.params["x"] - 0.3) ** 2)
    assert opt.best is not None and opt.best.value < 0.01

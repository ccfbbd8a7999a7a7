"""Search-space transforms: the compiled core against a straightforward NumPy implementation.

Run on demand (outside ``testpaths``; benchmarks are disabled by default in pyproject):

    python -m pytest benchmarks/bench_space.py --benchmark-enable \\
        --benchmark-columns=min,median,iqr,rounds --benchmark-sort=name

Groups ``encode-<n>``, ``decode-<n>`` and ``sample-<n>`` time the array transforms over ``(n, 6)``
arrays (raw values <-> the unit cube; ``sample`` = draw uniform points and decode them), once
through amtune's core and once through ``NumpySpace`` below. Groups ``api-*`` time the public
``SearchSpace.encode/decode/sample`` with Python dicts (validation and dict building included),
for scale. ``test_numpy_baseline_matches_amtune`` checks the baseline computes the same thing.
"""

from __future__ import annotations

import numpy as np
import pytest

import amtune

SIZES = [1_000, 100_000]


def make_space() -> amtune.SearchSpace:
    """Six ranges covering every kind and scale."""
    return amtune.SearchSpace(
        {
            "lr": amtune.ContinuousParameter(1e-5, 1.0, "Logarithmic"),
            "momentum": amtune.ContinuousParameter(0.0, 0.999, "ReverseLogarithmic"),
            "dropout": amtune.ContinuousParameter(0.0, 0.5, "Linear"),
            "layers": amtune.IntegerParameter(1, 8, "Linear"),
            "batch": amtune.IntegerParameter(16, 4096, "Logarithmic"),
            "opt": amtune.CategoricalParameter(["adam", "sgd", "rmsprop", "adagrad"]),
        },
        static={"epochs": 10},
    )


class NumpySpace:
    """The same transforms written column by column with NumPy (the baseline)."""

    def __init__(self, space: amtune.SearchSpace) -> None:
        self.cols = []
        for p in space.ranges.values():
            if p.kind == "Categorical":
                self.cols.append(("Categorical", "Linear", 0.0, float(len(p.values))))  # type: ignore[attr-defined]
            else:
                self.cols.append((p.kind, p.scale, float(p.min_value), float(p.max_value)))  # type: ignore[attr-defined]

    @staticmethod
    def _to(scale: str, x: np.ndarray | float) -> np.ndarray:
        if scale == "Logarithmic":
            return np.log(x)
        if scale == "ReverseLogarithmic":
            return -np.log1p(-np.asarray(x))
        return np.asarray(x, dtype=np.float64)

    @staticmethod
    def _from(scale: str, s: np.ndarray) -> np.ndarray:
        if scale == "Logarithmic":
            return np.exp(s)
        if scale == "ReverseLogarithmic":
            return -np.expm1(-s)
        return s

    def _edges(self, kind: str, scale: str, a: float, b: float) -> tuple[float, float]:
        if kind == "Integer":
            a, b = a - 0.5, b + 0.5
        return float(self._to(scale, a)), float(self._to(scale, b))

    def encode(self, raw: np.ndarray) -> np.ndarray:
        out = np.empty_like(raw)
        for j, (kind, scale, a, b) in enumerate(self.cols):
            x = raw[:, j]
            if kind == "Categorical":
                out[:, j] = (x + 0.5) / b
                continue
            lo, hi = self._edges(kind, scale, a, b)
            if kind == "Integer":
                u = 0.5 * (self._to(scale, x - 0.5) + self._to(scale, x + 0.5))
            else:
                u = self._to(scale, x)
            out[:, j] = np.clip((u - lo) / (hi - lo), 0.0, 1.0)
        return out

    def decode(self, unit: np.ndarray) -> np.ndarray:
        out = np.empty_like(unit)
        for j, (kind, scale, a, b) in enumerate(self.cols):
            u = np.clip(unit[:, j], 0.0, 1.0)
            if kind == "Categorical":
                out[:, j] = np.minimum(np.floor(u * b), b - 1)
                continue
            lo, hi = self._edges(kind, scale, a, b)
            x = self._from(scale, lo + u * (hi - lo))
            if kind == "Integer":
                x = np.floor(x + 0.5)
            out[:, j] = np.clip(x, a, b)
        return out

    def sample(self, n: int, seed: int) -> np.ndarray:
        return self.decode(np.random.default_rng(seed).random((n, len(self.cols))))


SPACE = make_space()
BASE = NumpySpace(SPACE)
_DATA: dict[int, tuple[list[dict], np.ndarray, np.ndarray]] = {}


def data(n: int) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """(configurations, their raw matrix, their encoded matrix), cached per size."""
    if n not in _DATA:
        configs = SPACE.sample(n, seed=1)
        raw = SPACE.to_raw(configs)
        _DATA[n] = (configs, raw, SPACE.encode(configs))
    return _DATA[n]


def test_numpy_baseline_matches_amtune():
    _, raw, unit = data(10_000)
    np.testing.assert_allclose(BASE.encode(raw), unit, rtol=0, atol=1e-12)
    U = SPACE.sample_unit(10_000, seed=3)
    dec_core = np.asarray(SPACE.engine.decode(U))
    dec_np = BASE.decode(U)
    disc = [3, 4, 5]
    np.testing.assert_array_equal(dec_np[:, disc], dec_core[:, disc])
    np.testing.assert_allclose(dec_np[:, :3], dec_core[:, :3], rtol=1e-12)


IMPLS = ["amtune", "numpy"]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", IMPLS)
def test_encode(benchmark, impl, n):
    benchmark.group = f"encode-{n}"
    _, raw, _ = data(n)
    f = SPACE.engine.encode if impl == "amtune" else BASE.encode
    out = benchmark(f, raw)
    assert np.asarray(out).shape == (n, SPACE.dim)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", IMPLS)
def test_decode(benchmark, impl, n):
    benchmark.group = f"decode-{n}"
    _, _, unit = data(n)
    f = SPACE.engine.decode if impl == "amtune" else BASE.decode
    out = benchmark(f, unit)
    assert np.asarray(out).shape == (n, SPACE.dim)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", IMPLS)
def test_sample(benchmark, impl, n):
    benchmark.group = f"sample-{n}"
    if impl == "amtune":
        out = benchmark(lambda: SPACE.engine.decode(SPACE.engine.sample_unit(n, 7)))
    else:
        out = benchmark(BASE.sample, n, 7)
    assert np.asarray(out).shape == (n, SPACE.dim)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op", ["encode", "decode", "sample"])
def test_api(benchmark, op, n):
    """The public dict-level API: validation and Python dicts dominate; for scale only."""
    benchmark.group = f"api-{op}-{n}"
    configs, _, unit = data(n)
    if op == "encode":
        benchmark(SPACE.encode, configs)
    elif op == "decode":
        benchmark(SPACE.decode, unit)
    else:
        benchmark(SPACE.sample, n, 7)

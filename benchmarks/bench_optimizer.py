"""Ask/tell bookkeeping costs of the Optimizer (Random and Grid; the Bayesian ask is bench_ask.py).

Run on demand (outside ``testpaths``; benchmarks are disabled by default in pyproject):

    python -m pytest benchmarks/bench_optimizer.py --benchmark-enable \\
        --benchmark-columns=min,median,iqr,rounds --benchmark-sort=name

* ``add_many-<n>``: recording an imported history of n results (validation, encoding, trials) into
  a fresh optimizer; the issue asks for well under a second at n = 100,000.
* ``ask_tell``: 200 ask(1)/tell rounds on a continuous space, and on a finite space where Random
  must avoid every configuration already used.
* ``grid``: proposing 1,000 grid points one ask at a time.
"""

from __future__ import annotations

import numpy as np
import pytest

import amtune

Cont, Int, Cat = amtune.ContinuousParameter, amtune.IntegerParameter, amtune.CategoricalParameter


def make_space() -> amtune.SearchSpace:
    return amtune.SearchSpace(
        {
            "lr": Cont(1e-5, 1.0, "Logarithmic"),
            "dropout": Cont(0.0, 0.5),
            "layers": Int(1, 8),
            "batch": Int(16, 4096, "Logarithmic"),
            "opt": Cat(["adam", "sgd", "rmsprop"]),
        },
        static={"epochs": 10},
    )


SPACE = make_space()
_HISTORY: dict[int, tuple[list[dict], list[float | None]]] = {}


def history(n: int) -> tuple[list[dict], list[float | None]]:
    if n not in _HISTORY:
        configs = SPACE.sample(n, seed=1)
        values: list[float | None] = np.random.default_rng(0).normal(size=n).tolist()
        for i in range(0, n, 50):
            values[i] = None  # 2% failed trials
        _HISTORY[n] = (configs, values)
    return _HISTORY[n]


@pytest.mark.parametrize("n", [1_000, 100_000])
def test_add_many(benchmark, n):
    benchmark.group = f"add_many-{n}"
    configs, values = history(n)

    def run() -> amtune.Optimizer:
        opt = amtune.Optimizer(SPACE, strategy="Random", random_seed=0)
        opt.add_many(configs, values)
        return opt

    opt = benchmark.pedantic(run, rounds=5 if n >= 100_000 else 50, warmup_rounds=1)
    assert opt.n_finished == n


@pytest.mark.parametrize("kind", ["continuous", "finite"])
def test_ask_tell(benchmark, kind):
    benchmark.group = "ask_tell-200"
    space = (
        SPACE
        if kind == "continuous"
        else amtune.SearchSpace(
            {"a": Int(1, 50), "b": Int(1, 40, "Logarithmic"), "c": Cat(["x", "y", "z"])}
        )
    )

    def run() -> None:
        opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
        for k in range(200):
            t = opt.ask()[0]
            opt.tell(t.id, float(k))

    benchmark(run)


def test_grid(benchmark):
    benchmark.group = "grid-1000"
    space = amtune.SearchSpace({"a": Int(0, 99), "b": Cat(list("abcdefghij"))})

    def run() -> None:
        opt = amtune.Optimizer(space, strategy="Grid")
        for _ in range(1000):
            opt.tell(opt.ask()[0].id, 0.0)

    benchmark(run)

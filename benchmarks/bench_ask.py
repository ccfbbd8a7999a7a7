"""Time of one ``ask()`` given n finished trials, amtune Bayesian against Optuna TPE and GPSampler.

Run on demand (it is outside ``testpaths``; benchmarks are disabled by default in pyproject):

    pytest benchmarks/bench_ask.py --benchmark-enable --benchmark-group-by=param:n,param:d \\
        --benchmark-columns=median,iqr,min,rounds --benchmark-sort=name

    # only amtune, or a quick subset
    pytest benchmarks/bench_ask.py --benchmark-enable -k "amtune and 1000"

The history is n random points of Styblinski-Tang in d dimensions (see ``_speed.py``). Two phases:

* ``warm``: one untimed ask/tell first, then every round tells the previous proposal and times the
  next ``ask()`` -- the steady state of a running job;
* ``cold``: every round builds a fresh optimizer from the n trials (untimed) and times its first
  ``ask()`` -- a resumed job.

A peer is skipped at a size where its first proposal took longer than ``AMTUNE_BENCH_MAX_S``
(default 60 s). Threads are capped at 1 (``benchmarks/_threads.py``, torch too).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from benchmarks._speed import amtune_has_bayesian, make_session

MAX_SECONDS = float(os.environ.get("AMTUNE_BENCH_MAX_S", "60"))
ROUNDS = {"amtune-bayes": 10, "optuna-tpe": 10, "optuna-gp": 3}
_first_ask: dict[tuple[str, int, int], float] = {}


def _rounds(method: str) -> int:
    return int(os.environ.get("AMTUNE_BENCH_ROUNDS", ROUNDS[method]))


def _check_available(method: str) -> None:
    if method == "amtune-bayes":
        if not amtune_has_bayesian():
            pytest.skip("amtune has no Bayesian strategy yet")
    else:
        pytest.importorskip("optuna")
        if method == "optuna-gp":
            pytest.importorskip("torch")


def _guard(method: str, n: int, d: int) -> None:
    for (m, n2, d2), t in _first_ask.items():
        if m == method and n2 <= n and d2 <= d and t > MAX_SECONDS:
            pytest.skip(f"{method}: a proposal took {t:.0f} s at n={n2}, d={d2}")


@pytest.mark.parametrize("phase", ["warm", "cold"])
@pytest.mark.parametrize("method", ["amtune-bayes", "optuna-tpe", "optuna-gp"])
@pytest.mark.parametrize("d", [10, 20])
@pytest.mark.parametrize("n", [50, 200, 500, 1000])
def test_ask(benchmark: Any, n: int, d: int, method: str, phase: str) -> None:
    _check_available(method)
    _guard(method, n, d)
    benchmark.group = f"ask n={n} d={d}"
    benchmark.extra_info.update(n=n, d=d, method=method, phase=phase)
    if phase == "warm":
        session = make_session(method, n, d)
        t0 = time.perf_counter()
        session.ask()
        _first_ask[(method, n, d)] = time.perf_counter() - t0
        _guard(method, n, d)

        def setup() -> None:
            if session._last is not None:
                session.tell()

        benchmark.pedantic(session.ask, setup=setup, rounds=_rounds(method), iterations=1)
    else:

        def fresh() -> tuple[tuple[Any, ...], dict[str, Any]]:
            return (make_session(method, n, d),), {}

        benchmark.pedantic(lambda s: s.ask(), setup=fresh, rounds=_rounds(method), iterations=1)

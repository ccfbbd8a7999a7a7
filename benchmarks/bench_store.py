"""Overhead of a tuning job: ask/tell + the durable store, per training job, against Optuna's RDB storage.

The objective is trivial and runs in the driver process (``runner="thread"``), the strategy is Random,
so what is timed is amtune's loop: propose, record the training job (SQLite, WAL,
``synchronous=NORMAL``, one transaction per loop turn), run, record the result and its metric
series, tell the strategy. Optuna runs the same objective with ``RandomSampler`` and
``storage="sqlite:///..."`` (its RDB storage), one trial at a time. The issue's bar: amtune sustains at
least 500 training jobs per second.

Run as a script (prints jobs/s and the ratio, same run, same machine)::

    python benchmarks/bench_store.py [--jobs 2000] [--optuna-trials 300]

or with pytest-benchmark::

    python -m pytest benchmarks/bench_store.py --benchmark-enable --benchmark-columns=min,median,rounds

Optuna is imported lazily; without it (``pip install -e .[bench]``) its rows are skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._threads import limit_threads

limit_threads()

import pytest  # noqa: E402

import amtune  # noqa: E402
from amtune.tuning.tuner import HyperparameterTuner  # noqa: E402

RANGES = {
    "x": amtune.ContinuousParameter(-5.0, 5.0),
    "y": amtune.ContinuousParameter(1e-3, 1.0, "Logarithmic"),
    "n": amtune.IntegerParameter(1, 10),
    "c": amtune.CategoricalParameter(["a", "b", "c"]),
}


def objective(hp: dict, reporter: object) -> float:
    return (hp["x"] - 1.0) ** 2 + hp["y"] + hp["n"] + (hp["c"] == "b")


def run_amtune(n_jobs: int, parallel: int, db: Path, name: str) -> float:
    """Training jobs per second of one tuning job."""
    tuner = HyperparameterTuner(
        "loss",
        RANGES,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=n_jobs,
        max_parallel_jobs=parallel,
        runner="thread",
        random_seed=0,
        quiet=True,
        db=db,
    )
    t0 = time.perf_counter()
    tuner.fit(objective, job_name=name)
    dt = time.perf_counter() - t0
    d = tuner.describe()
    assert d["ObjectiveStatusCounters"]["Succeeded"] == n_jobs, d["ObjectiveStatusCounters"]
    tuner.store.close()
    return n_jobs / dt


def _optuna():
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def run_optuna(n_trials: int, db: Path | None) -> float | None:
    """Trials per second of an Optuna study on SQLite RDB storage (in memory when ``db`` is None),
    or None without Optuna."""
    optuna = _optuna()
    if optuna is None:
        return None

    def obj(trial: object) -> float:
        hp = {
            "x": trial.suggest_float("x", -5.0, 5.0),  # type: ignore[attr-defined]
            "y": trial.suggest_float("y", 1e-3, 1.0, log=True),  # type: ignore[attr-defined]
            "n": trial.suggest_int("n", 1, 10),  # type: ignore[attr-defined]
            "c": trial.suggest_categorical("c", ["a", "b", "c"]),  # type: ignore[attr-defined]
        }
        return objective(hp, None)

    study = optuna.create_study(
        storage=None if db is None else f"sqlite:///{db}",
        sampler=optuna.samplers.RandomSampler(seed=0),
        study_name="bench",
        direction="minimize",
    )
    t0 = time.perf_counter()
    study.optimize(obj, n_trials=n_trials)
    return n_trials / (time.perf_counter() - t0)


# ---------------------------------------------------------------------------- pytest-benchmark
@pytest.mark.parametrize("parallel", [1, 4])
def test_amtune_store(benchmark, tmp_path, parallel):
    counter = iter(range(10**6))
    n = 500

    def once() -> float:
        return run_amtune(n, parallel, tmp_path / "amtune.db", f"bench-{next(counter)}")

    rate = benchmark.pedantic(once, rounds=3, iterations=1)
    benchmark.extra_info["jobs_per_second"] = rate


def test_optuna_rdb(benchmark, tmp_path):
    if _optuna() is None:
        pytest.skip("optuna is not installed (pip install -e .[bench])")
    counter = iter(range(10**6))

    def once() -> float | None:
        return run_optuna(100, tmp_path / f"optuna-{next(counter)}.db")

    rate = benchmark.pedantic(once, rounds=3, iterations=1)
    benchmark.extra_info["trials_per_second"] = rate


# ---------------------------------------------------------------------------- script
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2000)
    ap.add_argument("--optuna-trials", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for parallel in (1, 4):
            rates = [
                run_amtune(a.jobs, parallel, Path(tmp) / "amtune.db", f"bench-{parallel}-{r}")
                for r in range(a.repeats)
            ]
            rows.append(
                (f"amtune, max_parallel_jobs={parallel}", a.jobs, sorted(rates)[len(rates) // 2])
            )
        orates = [
            run_optuna(a.optuna_trials, Path(tmp) / f"optuna-{r}.db") for r in range(a.repeats)
        ]
        mem = [run_optuna(a.optuna_trials, None) for r in range(a.repeats)]
        optuna = _optuna()
    print(
        f"python {sys.version.split()[0]}, amtune {amtune.__version__}, "
        f"optuna {getattr(optuna, '__version__', 'not installed')}, {os.cpu_count()} CPUs"
    )
    print(f"{'store path':<40} {'jobs':>6} {f'jobs/s (median of {a.repeats})':>22}")
    for label, n, rate in rows:
        print(f"{label:<40} {n:>6} {rate:>22.0f}")
    if orates[0] is not None:
        orate = sorted(orates)[len(orates) // 2]  # type: ignore[type-var]
        print(f"{'optuna RandomSampler, sqlite RDB':<40} {a.optuna_trials:>6} {orate:>22.0f}")
        mrate = sorted(mem)[len(mem) // 2]  # type: ignore[type-var]
        print(f"{'optuna RandomSampler, in memory':<40} {a.optuna_trials:>6} {mrate:>22.0f}")
        print(f"amtune (1 parallel) / optuna sqlite: {rows[0][2] / orate:.1f}x")
    else:
        print("optuna: not installed; comparison skipped")
    ok = rows[0][2] >= 500
    print(f"bar (>= 500 training jobs/s with 1 parallel job): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

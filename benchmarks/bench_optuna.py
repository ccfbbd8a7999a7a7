"""AmtuneSampler against Optuna's GPSampler (and TPE) inside ``study.optimize``, in one run.

    python -m benchmarks.bench_optuna [--seeds 0-4] [--trials 200] [--methods amtune,gp,tpe]

Problem: Levy in 10 dimensions on [-10, 10]^10 (minimum 0). For each method and seed, a fresh
study with the method's defaults runs ``--trials`` trials; reported: the total time spent inside
the sampler (every ``infer_relative_search_space``, ``sample_relative`` and
``sample_independent`` call, timed by a transparent wrapper) and the final best value. Then the
time of one relative proposal given 1,000 finished trials: the first (the sampler builds its model
from the study's trials) and the next ones, each after one more trial finished. Writes
``benchmarks/results/integrations_optuna.md``. Threads are capped at 1 for every library
(``benchmarks/_threads.py``). GPSampler needs torch (``pip install torch``; a CPU build is enough).
"""

from __future__ import annotations

from benchmarks._args import int_list
from benchmarks._threads import limit_threads

limit_threads(1)

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402
from optuna.samplers import BaseSampler  # noqa: E402

from amtune.integrations.optuna import AmtuneSampler  # noqa: E402

DIM = 10
OUT = Path(__file__).parent / "results" / "integrations_optuna.md"


def levy(x: np.ndarray) -> float:
    """Levy function (Laguna & Marti 2005), minimum 0 at x = 1."""
    w = 1 + (x - 1) / 4
    term1 = math.sin(math.pi * w[0]) ** 2
    wi = w[:-1]
    term2 = float(np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2)))
    term3 = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(term1 + term2 + term3)


def objective(trial: optuna.Trial) -> float:
    x = np.array([trial.suggest_float(f"x{i}", -10.0, 10.0) for i in range(DIM)])
    return levy(x)


class Timed(BaseSampler):
    """Forwards every call to ``inner`` and adds up the time spent in it."""

    def __init__(self, inner: BaseSampler) -> None:
        self.inner = inner
        self.seconds = 0.0

    def _timed(self, name: str, *args: Any) -> Any:
        t = time.perf_counter()
        try:
            return getattr(self.inner, name)(*args)
        finally:
            self.seconds += time.perf_counter() - t

    def infer_relative_search_space(self, study: Any, trial: Any) -> Any:
        return self._timed("infer_relative_search_space", study, trial)

    def sample_relative(self, study: Any, trial: Any, space: Any) -> Any:
        return self._timed("sample_relative", study, trial, space)

    def sample_independent(self, study: Any, trial: Any, name: str, dist: Any) -> Any:
        return self._timed("sample_independent", study, trial, name, dist)

    def before_trial(self, study: Any, trial: Any) -> None:
        self._timed("before_trial", study, trial)

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self._timed("after_trial", study, trial, state, values)

    def reseed_rng(self) -> None:
        self.inner.reseed_rng()


def make(method: str, seed: int) -> BaseSampler:
    if method == "amtune":
        return AmtuneSampler(seed=seed)
    if method == "gp":
        import torch

        torch.set_num_threads(1)
        return optuna.samplers.GPSampler(seed=seed)
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    raise ValueError(method)


LABEL = {"amtune": "AmtuneSampler", "gp": "Optuna GPSampler", "tpe": "Optuna TPESampler"}


def run(method: str, seed: int, trials: int) -> tuple[float, float]:
    sampler = Timed(make(method, seed))
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=trials)
    return sampler.seconds, float(study.best_value)


def at_history(method: str, n: int, calls: int) -> tuple[float, float]:
    """Seconds of one relative proposal with ``n`` finished random trials: the first one (a
    sampler that has seen none of them) and the median of the next ones, each after one more
    trial finished (a running study)."""
    rng = np.random.default_rng(0)
    dists = {f"x{i}": optuna.distributions.FloatDistribution(-10.0, 10.0) for i in range(DIM)}
    sampler = make(method, 0)
    study = optuna.create_study(sampler=sampler)

    def done(row: np.ndarray) -> optuna.trial.FrozenTrial:
        params = {f"x{i}": float(v) for i, v in enumerate(row)}
        return optuna.trial.create_trial(params=params, distributions=dists, value=levy(row))

    study.add_trials([done(row) for row in rng.uniform(-10, 10, size=(n, DIM))])
    times = []
    for _ in range(calls + 1):
        trial = study.ask()
        frozen = study._storage.get_trial(trial._trial_id)
        t = time.perf_counter()
        space = sampler.infer_relative_search_space(study, frozen)
        params = sampler.sample_relative(study, frozen, space)
        times.append(time.perf_counter() - t)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)  # no params: ignored by samplers
        study.add_trial(done(np.array([params[f"x{i}"] for i in range(DIM)])))
    return times[0], statistics.median(times[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int_list, default=int_list("0-4"))
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--methods", default="amtune,gp,tpe")
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--history-only", action="store_true", help="only the 1,000-trial timing")
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    methods = args.methods.split(",")
    rows: dict[str, list[tuple[float, float]]] = {m: [] for m in methods}
    for seed in [] if args.history_only else args.seeds:
        for m in methods:
            secs, best = run(m, seed, args.trials)
            rows[m].append((secs, best))
            print(f"{m:7s} seed {seed}: sampler {secs:7.1f} s, best {best:.4g}", flush=True)
    hist = {}
    for m in methods:
        hist[m] = at_history(m, args.history, 3 if m == "gp" else 10)
        print(
            f"{m:7s} one proposal at {args.history} trials: first {hist[m][0] * 1e3:.0f} ms, "
            f"then {hist[m][1] * 1e3:.0f} ms",
            flush=True,
        )
    if args.history_only:
        return
    lines = [
        "# AmtuneSampler vs Optuna's samplers in `study.optimize`",
        "",
        f"Levy-{DIM} on [-10, 10]^{DIM}, {args.trials} trials, seeds {args.seeds}, each sampler "
        "with its defaults, 1 thread per library; "
        f"optuna {optuna.__version__}, Python {platform.python_version()}. "
        "`python -m benchmarks.bench_optuna` reproduces it.",
        "",
        "| sampler | total sampler time, median [min, max] | per trial | final best, median "
        "[min, max] | one proposal at " + f"{args.history:,} trials: first, then per trial |",
        "|---|---|---|---|---|",
    ]
    for m in methods:
        secs = [s for s, _ in rows[m]]
        best = [b for _, b in rows[m]]
        lines.append(
            f"| {LABEL[m]} | {statistics.median(secs):.1f} s [{min(secs):.1f}, {max(secs):.1f}] "
            f"| {1e3 * statistics.median(secs) / args.trials:.0f} ms "
            f"| {statistics.median(best):.3g} [{min(best):.3g}, {max(best):.3g}] "
            f"| {1e3 * hist[m][0]:.0f} ms, {1e3 * hist[m][1]:.0f} ms |"
        )
    if "amtune" in methods and "gp" in methods:
        ratio = statistics.median(s for s, _ in rows["gp"]) / statistics.median(
            s for s, _ in rows["amtune"]
        )
        lines += ["", f"GPSampler / AmtuneSampler total sampler time: {ratio:.1f}x."]
    lines += ["", "Per seed (sampler seconds, best):", ""]
    for m in methods:
        lines.append(f"- {LABEL[m]}: " + ", ".join(f"{s:.1f} s / {b:.3g}" for s, b in rows[m]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

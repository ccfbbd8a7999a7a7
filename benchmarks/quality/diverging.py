"""A bowl with a diverging half: what a diverging training job does to a GP's search.

    python -m benchmarks.quality.diverging [--seeds 5] [--evals 30]

The loss is ``(x - 0.2)^2 + (y - 0.7)^2`` on the unit square, and ``BAD`` where ``x > 0.5`` (a
learning rate so large that training diverges). With ``BAD = 0.5`` the bad region is mild; with
``1e6`` it is what a diverged job reports. Each method's median best value over the seeds after
``--evals`` evaluations is printed, for both; amtune runs with its default (the half-rank output
warping) and with ``half_rank=False`` (the default before issue 12's output-warping round).
Optuna's samplers run when Optuna is installed (``pip install ".[bench]"``).
"""

from __future__ import annotations

import argparse
import math
import warnings
from collections.abc import Callable

import numpy as np

import amtune

BADS = (0.5, 1e6)


def bowl(x: float, y: float, bad: float) -> float:
    return bad if x > 0.5 else (x - 0.2) ** 2 + (y - 0.7) ** 2


def run_amtune(seed: int, bad: float, evals: int, **options: object) -> float:
    space = amtune.SearchSpace(
        {"x": amtune.ContinuousParameter(0, 1), "y": amtune.ContinuousParameter(0, 1)}
    )
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=seed, **options)
    best = math.inf
    for _ in range(evals):
        t = opt.ask(1)[0]
        v = bowl(t.params["x"], t.params["y"], bad)
        opt.tell(t.id, v)
        best = min(best, v)
    return best


def optuna_runner(kind: str) -> Callable[[int, float, int], float] | None:
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    samplers = {
        "Optuna GPSampler": optuna.samplers.GPSampler,
        "Optuna TPE": optuna.samplers.TPESampler,
        "Random": optuna.samplers.RandomSampler,
    }

    def run(seed: int, bad: float, evals: int) -> float:
        study = optuna.create_study(sampler=samplers[kind](seed=seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study.optimize(
                lambda t: bowl(t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1), bad),
                n_trials=evals,
            )
        return float(study.best_value)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--evals", type=int, default=30)
    args = ap.parse_args()
    methods: dict[str, Callable[[int, float, int], float]] = {
        "amtune (default: half-rank)": run_amtune,
        "amtune half_rank=False": lambda s, b, n: run_amtune(s, b, n, half_rank=False),
    }
    for kind in ("Optuna GPSampler", "Optuna TPE", "Random"):
        runner = optuna_runner(kind)
        if runner is not None:
            methods[kind] = runner
    print(f"median best after {args.evals} evaluations, seeds 0-{args.seeds - 1}")
    print("| method | " + " | ".join(f"bad region {b:g}" for b in BADS) + " |")
    print("|---|" + "---|" * len(BADS))
    for name, fn in methods.items():
        cells = [
            f"{np.median([fn(s, bad, args.evals) for s in range(args.seeds)]):.2g}" for bad in BADS
        ]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()

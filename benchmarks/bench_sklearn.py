"""AmtuneSearchCV against scikit-optimize's BayesSearchCV and RandomizedSearchCV, in one run.

    python -m benchmarks.bench_sklearn [--seeds 0-2] [--n-iter 30]

Five problems (scikit-learn's bundled data sets, 3-fold CV, ``n_jobs=1``), the same budget of
``--n-iter`` candidates for every method; reported per problem: the best CV score (median over
seeds) and the total wall time of ``fit`` (the searcher plus the model fits). Writes
``benchmarks/results/integrations_sklearn.md``.
"""

from __future__ import annotations

from benchmarks._args import int_list
from benchmarks._threads import limit_threads

limit_threads(1)

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from scipy.stats import loguniform, randint, uniform  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
)
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.kernel_ridge import KernelRidge  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from amtune.sklearn import AmtuneSearchCV  # noqa: E402

OUT = Path(__file__).parent / "results" / "integrations_sklearn.md"


def _std(data: Any) -> tuple[np.ndarray, np.ndarray]:
    X, y = data
    return StandardScaler().fit_transform(X), y


# name -> (data, estimator, amtune/skopt spaces as (low, high, prior) | list, scoring)
Problem = tuple[Callable[[], Any], Callable[[], Any], dict[str, Any], str]
PROBLEMS: dict[str, Problem] = {
    "SVC / breast cancer": (
        lambda: _std(load_breast_cancer(return_X_y=True)),
        lambda: SVC(),
        {"C": (1e-3, 1e3, "log-uniform"), "gamma": (1e-5, 1e1, "log-uniform")},
        "accuracy",
    ),
    "SVC / digits": (
        lambda: _std(load_digits(return_X_y=True)),
        lambda: SVC(),
        {
            "C": (1e-2, 1e3, "log-uniform"),
            "gamma": (1e-5, 1e0, "log-uniform"),
            "kernel": ["rbf", "sigmoid"],
        },
        "accuracy",
    ),
    "HistGradientBoosting / wine": (
        lambda: load_wine(return_X_y=True),
        lambda: HistGradientBoostingClassifier(max_iter=50, random_state=0),
        {
            "learning_rate": (1e-3, 1.0, "log-uniform"),
            "max_leaf_nodes": (2, 64, "log-uniform"),
            "min_samples_leaf": (1, 40),
            "l2_regularization": (1e-6, 10.0, "log-uniform"),
        },
        "accuracy",
    ),
    "KernelRidge / diabetes": (
        lambda: _std(load_diabetes(return_X_y=True)),
        lambda: KernelRidge(),
        {
            "alpha": (1e-4, 1e2, "log-uniform"),
            "gamma": (1e-4, 1e0, "log-uniform"),
            "kernel": ["rbf", "laplacian", "linear"],
        },
        "r2",
    ),
    "kNN / wine": (
        lambda: load_wine(return_X_y=True),
        lambda: make_pipeline(StandardScaler(), KNeighborsClassifier()),
        {
            "kneighborsclassifier__n_neighbors": (1, 50),
            "kneighborsclassifier__weights": ["uniform", "distance"],
            "kneighborsclassifier__p": (1, 3),
        },
        "accuracy",
    ),
}


def skopt_space(space: dict[str, Any]) -> dict[str, Any]:
    from skopt.space import Categorical, Integer, Real

    out: dict[str, Any] = {}
    for k, v in space.items():
        if isinstance(v, list):
            out[k] = Categorical(v)
        else:
            prior = v[2] if len(v) == 3 else "uniform"
            ints = all(isinstance(b, int) for b in v[:2])
            out[k] = (Integer if ints else Real)(v[0], v[1], prior=prior)
    return out


def scipy_space(space: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in space.items():
        if isinstance(v, list):
            out[k] = v
            continue
        lo, hi = v[0], v[1]
        log = len(v) == 3 and v[2] == "log-uniform"
        if all(isinstance(b, int) for b in (lo, hi)):
            if log:
                out[k] = [int(x) for x in np.unique(np.round(np.geomspace(lo, hi, 64)))]
            else:
                out[k] = randint(lo, hi + 1)
        else:
            out[k] = loguniform(lo, hi) if log else uniform(lo, hi - lo)
    return out


def make_search(method: str, problem: Problem, seed: int, n_iter: int) -> Any:
    _, estimator, space, scoring = problem
    common = {"n_iter": n_iter, "cv": 3, "scoring": scoring, "random_state": seed, "n_jobs": 1}
    if method == "amtune":
        return AmtuneSearchCV(estimator(), space, **common)
    if method == "skopt":
        from skopt import BayesSearchCV

        return BayesSearchCV(estimator(), skopt_space(space), **common)
    return RandomizedSearchCV(estimator(), scipy_space(space), **common)


LABEL = {
    "amtune": "AmtuneSearchCV",
    "skopt": "skopt BayesSearchCV",
    "random": "RandomizedSearchCV",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int_list, default=int_list("0-2"))
    ap.add_argument("--n-iter", type=int, default=30)
    ap.add_argument("--methods", default="amtune,skopt,random")
    ap.add_argument("--problems", default="", help="comma-separated indices (default: all)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    names = list(PROBLEMS)
    chosen = [names[int(i)] for i in args.problems.split(",")] if args.problems else names
    methods = args.methods.split(",")
    warnings.simplefilter("ignore")  # convergence and failed-fit warnings of the models
    table: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    load_start = os.getloadavg()[0]
    for name in chosen:
        problem = PROBLEMS[name]
        X, y = problem[0]()
        table[name] = {}
        for m in methods:
            scores, times = [], []
            for seed in args.seeds:
                search = make_search(m, problem, seed, args.n_iter)
                t = time.perf_counter()
                search.fit(X, y)
                times.append(time.perf_counter() - t)
                scores.append(float(search.best_score_))
            table[name][m] = (scores, times)
            print(
                f"{name:30s} {m:7s} best {statistics.median(scores):.4f} "
                f"time {statistics.median(times):.1f} s",
                flush=True,
            )
    import skopt

    lines = [
        "# AmtuneSearchCV vs BayesSearchCV and RandomizedSearchCV",
        "",
        f"{args.n_iter} candidates, 3-fold CV, seeds {args.seeds}, n_jobs=1, 1 thread per "
        f"library; scikit-learn {sklearn.__version__}, scikit-optimize {skopt.__version__}, "
        f"Python {platform.python_version()}. `python -m benchmarks.bench_sklearn` reproduces it.",
        "",
        "Best CV score (median over seeds; higher is better) and wall time of `fit` (median):",
        "",
        "| problem | " + " | ".join(LABEL[m] for m in methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for name in chosen:
        cells = []
        for m in methods:
            scores, times = table[name][m]
            cells.append(f"{statistics.median(scores):.4f} ({statistics.median(times):.1f} s)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = {m: sum(statistics.median(table[n][m][1]) for n in chosen) for m in methods}
    lines += ["", f"Total wall time over the {len(chosen)} problems (sum of medians): "]
    lines += [f"- {LABEL[m]}: {totals[m]:.1f} s" for m in methods]
    lines += [
        "",
        f"One run on a {os.cpu_count()}-core machine, 1-minute load average {load_start:.1f} at "
        f"the start and {os.getloadavg()[0]:.1f} at the end; wall times include the model fits, "
        "which depend on the candidates each method picks (larger `max_leaf_nodes` or `C` fit "
        "slower), so the searcher's own overhead is best seen against scikit-optimize.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

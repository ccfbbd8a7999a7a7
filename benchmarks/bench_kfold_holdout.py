"""K-fold (K=5) vs holdout (ValidationFraction=0.2) as the evaluation of a tuning job.

For each of three small data sets (scikit-learn's bundled breast cancer, diabetes and wine), a
fixed 30 % test set is set aside; on the remaining 70 % a random-search tuning job over six of
XGBoost's tunable hyperparameters (the same candidate configurations for both methods) picks the configuration
with the best validation objective, evaluated either on a holdout split or as the mean over 5
folds. The split is amtune's (``amtune.evaluation.splits.assign``) with the seed varied from 0 to
9. The chosen configuration is retrained on the whole 70 % and scored on the test set. Reported
per data set and method: the spread (standard deviation and range) of the chosen configuration's
test score over the 10 seeds, its mean, and the training runs a tuning job costs.

The models are trained in process with ``xgboost.train`` (the same library and parameters as the
built-in algorithm, without a process per training run), so the comparison isolates the
evaluation method: the candidates do not depend on the seed.

    python benchmarks/bench_kfold_holdout.py [--seeds 10] [--candidates 12] [--rounds 50]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from amtune.builtin import recommended_ranges
from amtune.evaluation.config import Holdout, KFold
from amtune.evaluation.splits import assign
from amtune.space import ContinuousParameter, IntegerParameter, SearchSpace


@dataclass
class Problem:
    name: str
    X: np.ndarray
    y: np.ndarray
    params: dict[str, Any]
    metric: str  # the xgboost eval metric, also the test metric
    maximize: bool


def problems() -> list[Problem]:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

    bc, db, wi = load_breast_cancer(), load_diabetes(), load_wine()
    return [
        Problem(
            "breast cancer (569 x 30, AUC)",
            bc.data,
            bc.target.astype(float),
            {"objective": "binary:logistic", "eval_metric": "auc"},
            "auc",
            True,
        ),
        Problem(
            "diabetes (442 x 10, RMSE)",
            db.data,
            db.target.astype(float),
            {"objective": "reg:squarederror", "eval_metric": "rmse"},
            "rmse",
            False,
        ),
        Problem(
            "wine (178 x 13, multi-class log loss)",
            wi.data,
            wi.target.astype(float),
            {"objective": "multi:softprob", "num_class": 3, "eval_metric": "mlogloss"},
            "mlogloss",
            False,
        ),
    ]


def fit_score(
    p: Problem,
    cfg: dict[str, Any],
    rounds: int,
    Xtr: np.ndarray,
    ytr: np.ndarray,
    Xev: np.ndarray,
    yev: np.ndarray,
) -> float:
    import xgboost as xgb

    dtr, dev = xgb.DMatrix(Xtr, label=ytr), xgb.DMatrix(Xev, label=yev)
    res: dict[str, Any] = {}
    xgb.train(
        {**p.params, **cfg, "nthread": 1, "seed": 0},
        dtr,
        rounds,
        evals=[(dev, "ev")],
        evals_result=res,
        verbose_eval=False,
    )
    return float(res["ev"][p.metric][-1])


def choose(
    p: Problem,
    cands: list[dict[str, Any]],
    rounds: int,
    X: np.ndarray,
    y: np.ndarray,
    method: Holdout | KFold,
) -> tuple[dict[str, Any], int]:
    parts = assign(method, len(y))
    runs = 0
    best, best_v = cands[0], -math.inf
    for cfg in cands:
        vals = []
        for val in parts:
            mask = np.zeros(len(y), dtype=bool)
            mask[val] = True
            vals.append(fit_score(p, cfg, rounds, X[~mask], y[~mask], X[mask], y[mask]))
            runs += 1
        v = float(np.mean(vals)) * (1 if p.maximize else -1)
        if v > best_v:
            best, best_v = cfg, v
    return best, runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--candidates", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=50)
    a = ap.parse_args()
    # SageMaker's recommended ranges of eta, subsample and gamma; max_depth, min_child_weight and
    # alpha narrowed for data sets of a few hundred rows (min_child_weight up to 120 and alpha up
    # to 1000 leave most random candidates without a single split there).
    ranges = {
        **recommended_ranges("xgboost", ["eta", "subsample", "gamma"]),
        "max_depth": IntegerParameter(1, 8),
        "min_child_weight": ContinuousParameter(0.1, 20.0, "Logarithmic"),
        "alpha": ContinuousParameter(1e-3, 10.0, "Logarithmic"),
    }
    t0 = time.time()
    print(
        f"k-fold (K=5) vs holdout (0.2); {a.candidates} candidate configurations, "
        f"{a.seeds} seeds, XGBoost {a.rounds} rounds\n"
    )
    print(
        "| data set | method | test score: mean | std over seeds | min - max | training runs per tuning job |"
    )
    print("|---|---|---|---|---|---|")
    for p in problems():
        rng = np.random.default_rng(12345)
        test = rng.permutation(len(p.y))[: int(0.3 * len(p.y))]
        is_test = np.zeros(len(p.y), dtype=bool)
        is_test[test] = True
        X, y, Xt, yt = p.X[~is_test], p.y[~is_test], p.X[is_test], p.y[is_test]
        cands = SearchSpace(ranges).sample(a.candidates, seed=7)
        methods: list[tuple[str, Callable[[int], Holdout | KFold]]] = [
            ("holdout 0.2", lambda s: Holdout(0.2, s)),
            ("k-fold 5", lambda s: KFold(5, s)),
        ]
        for label, make in methods:
            scores, runs = [], 0
            for seed in range(a.seeds):
                cfg, runs = choose(p, cands, a.rounds, X, y, make(seed))
                scores.append(fit_score(p, cfg, a.rounds, X, y, Xt, yt))
            s = np.array(scores)
            print(
                f"| {p.name} | {label} | {s.mean():.4f} | {s.std():.4f} | "
                f"{s.min():.4f} - {s.max():.4f} | {runs} (+1 final) |"
            )
    print(f"\n({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()

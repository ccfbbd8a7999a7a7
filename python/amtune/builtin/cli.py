"""``amtune tune-builtin``: a quick-start tuning job on a built-in algorithm, and
``amtune demo --builtin``.

    amtune tune-builtin xgboost --train data/train --validation data/validation \\
        --objective validation:auc --hyperparameter objective=binary:logistic
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from amtune.builtin.algorithms import ALGORITHMS

__all__ = ["register"]


def _err(msg: str) -> None:
    print(f"amtune: error: {msg}", file=sys.stderr)


def _pairs(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k:
            raise ValueError(f"--hyperparameter: expected NAME=VALUE, got {it!r}")
        out[k.strip()] = v.strip()
    return out


def cmd_tune_builtin(a: argparse.Namespace) -> int:
    from amtune.builtin.algorithms import algorithm
    from amtune.builtin.hyperparameters import HyperparameterError
    from amtune.builtin.tuning import BuiltinTuner
    from amtune.progress import report_end as _report_end

    try:
        algo = algorithm(a.algorithm)
        static = _pairs(a.hyperparameter)
        ranges = algo.recommended_ranges(a.tune) if a.tune else None
        channels = {"train": a.train}
        for ch in ("validation", "test"):
            if getattr(a, ch):
                channels[ch] = getattr(a, ch)
        kwargs: dict[str, Any] = {}
        if a.evaluation:
            from amtune.evaluation.config import parse_cli_evaluation

            kwargs["evaluation"] = parse_cli_evaluation(a.evaluation)
        tuner = BuiltinTuner(
            algo,
            a.objective,
            ranges,
            a.objective_type,
            static_hyperparameters=static,
            channels=channels,
            strategy=a.strategy,
            max_jobs=a.max_jobs,
            max_parallel_jobs=a.max_parallel_jobs,
            early_stopping_type=a.early_stopping,
            random_seed=a.seed,
            db=a.db,
            quiet=a.quiet,
            **kwargs,
        )
    except (HyperparameterError, ValueError, TypeError) as exc:
        _err(str(exc))
        return 2
    print(
        f"amtune: tuning {algo.title} ({algo.image_uri()}) for {a.objective} "
        f"({tuner.objective_type}); tuned: {', '.join(sorted(tuner.space.ranges))}",
        file=sys.stderr,
    )
    try:
        tuner.fit(job_name=a.name)
    except ValueError as exc:
        if tuner.latest_tuning_job is not None:
            raise
        _err(str(exc))
        return 2
    return _report_end(tuner.store, tuner.latest_tuning_job)  # type: ignore[arg-type]


def _demo_with_builtin(original: Any) -> Any:
    def run(a: argparse.Namespace) -> int:
        if getattr(a, "builtin", False):
            from amtune.builtin.demo import run_builtin_demo

            return run_builtin_demo(a.max_jobs, a.max_parallel_jobs, a.db, a.quiet, a.name)
        return int(original(a))

    return run


def register(subparsers: Any) -> None:
    """Add ``tune-builtin`` (and ``demo --builtin``) to the ``amtune`` command."""
    t = subparsers.add_parser(
        "tune-builtin",
        help="tune a built-in algorithm (XGBoost, Linear Learner, k-NN) on CSV/libsvm channels",
        description=(
            "Tune a built-in algorithm with SageMaker's recommended ranges: no training script "
            "and no metric definitions needed."
        ),
    )
    t.add_argument("algorithm", choices=sorted(ALGORITHMS), help="the built-in algorithm")
    t.add_argument("--train", required=True, metavar="PATH", help="train channel (dir or file)")
    t.add_argument("--validation", metavar="PATH", help="validation channel (dir or file)")
    t.add_argument("--test", metavar="PATH", help="test channel (dir or file)")
    t.add_argument(
        "--objective",
        required=True,
        help="the objective metric, one the algorithm emits (e.g. validation:auc)",
    )
    t.add_argument(
        "--objective-type",
        choices=("Maximize", "Minimize"),
        default=None,
        help="default: the metric's documented direction",
    )
    t.add_argument(
        "--hyperparameter",
        "-p",
        action="append",
        metavar="NAME=VALUE",
        help="a static hyperparameter (repeatable), e.g. -p objective=binary:logistic",
    )
    t.add_argument(
        "--tune",
        nargs="+",
        metavar="NAME",
        help="the hyperparameters to tune over SageMaker's recommended ranges "
        "(default: the algorithm's quick-start set)",
    )
    t.add_argument(
        "--strategy",
        default="Bayesian",
        choices=("Bayesian", "Random", "Grid", "Hyperband"),
        help="search strategy (default Bayesian; Hyperband uses num_round / epochs as resource)",
    )
    t.add_argument("--max-jobs", type=int, default=10, help="training jobs (default 10)")
    t.add_argument("--max-parallel-jobs", type=int, default=2, help="in parallel (default 2)")
    t.add_argument(
        "--early-stopping",
        choices=("Off", "Auto"),
        default="Off",
        help="stop training jobs that do worse than the median (default Off)",
    )
    t.add_argument(
        "--evaluation",
        metavar="SPEC",
        help="offline evaluation of every configuration: holdout[:FRACTION] or kfold[:K]",
    )
    t.add_argument("--seed", type=int, default=None, help="random seed of the strategy")
    t.add_argument("--name", default=None, help="tuning job name")
    t.add_argument("--db", default=None, metavar="PATH", help="the store (SQLite file)")
    t.add_argument("--quiet", action="store_true", help="no progress display")
    t.set_defaults(func=cmd_tune_builtin)
    demo = subparsers.choices.get("demo")
    if demo is not None:
        demo.add_argument(
            "--builtin",
            action="store_true",
            help="tune the built-in XGBoost algorithm on generated tabular data instead",
        )
        demo.set_defaults(func=_demo_with_builtin(demo.get_default("func")))

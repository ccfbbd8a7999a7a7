"""``amtune transform`` and ``amtune evaluate`` (batch inference on historical data).

amtune transform TRAINING_JOB --input data/new --output predictions/
amtune evaluate TRAINING_JOB --test data/test --metric auc
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register"]


def _err(msg: str) -> None:
    print(f"amtune: error: {msg}", file=sys.stderr)


def _model(a: argparse.Namespace) -> Any:
    from amtune.evaluation.models import find_model
    from amtune.store import NotFoundError, Store, resolve_db_path

    path = resolve_db_path(a.db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")
    store = Store(path)
    return store, find_model(store, a.training_job, a.fold, a.inference, a.framework)


def cmd_transform(a: argparse.Namespace) -> int:
    from amtune.evaluation.transform import transform

    if a.fold == "all":
        _err("--fold all: only for evaluate; transform writes one model's predictions: --fold N")
        return 2
    try:
        _, trained = _model(a)
        res = transform(
            trained, a.input, a.output, a.content_type, a.accept, max_records=a.max_records
        )
    except ValueError as exc:
        _err(str(exc))
        return 2
    print(
        f"Transformed {res.records} records of {len(res.files)} file(s) with {trained.name} "
        f"({trained.algorithm.title if trained.algorithm else trained.program}) into {a.output}"
    )
    return 0


def _fold(text: str) -> int | str:
    """``--fold``: a fold number, or ``all`` (evaluate only)."""
    if text == "all":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a fold number or 'all', got {text!r}") from None


def cmd_evaluate(a: argparse.Namespace) -> int:
    from amtune.evaluation.evaluate import evaluate, evaluate_folds

    if a.fold == "all":
        return _evaluate_folds(a, evaluate_folds)
    try:
        store, trained = _model(a)
        res = evaluate(trained, a.test, a.metric, store)
    except ValueError as exc:
        _err(str(exc))
        return 2
    if a.json:
        print(json.dumps(res.to_dict(), indent=2))
    else:
        model = "" if res.fold is None else f" (fold {res.fold}'s model)"
        print(
            f"{res.training_job}{model}: {a.metric} = {res.value:.6g} on {res.records} records "
            f"of {a.test}"
        )
        print(f"  stored as metric {res.metric_name} of the training job")
    return 0


def _evaluate_folds(a: argparse.Namespace, evaluate_folds: Any) -> int:
    from amtune.store import NotFoundError, Store, resolve_db_path

    path = resolve_db_path(a.db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")
    try:
        res = evaluate_folds(
            Store(path), a.training_job, a.test, a.metric, a.inference, a.framework
        )
    except ValueError as exc:
        _err(str(exc).replace("--fold: training job", "--fold all: training job"))
        return 2
    d = res.to_dict()
    if a.json:
        print(json.dumps(d, indent=2))
        return 0
    print(
        f"{res.training_job}: {a.metric} = {d['Value']:.6g} (mean of {len(res.folds)} fold "
        f"models; std {d['Std']:.3g}, min {d['Min']:.6g}, max {d['Max']:.6g}) on "
        f"{d['Records']} records of {a.test}"
    )
    print("  folds: " + " ".join(f"{v:.6g}" for v in res.values))
    print(
        f"  stored as metrics evaluation:{a.metric} (the mean) and "
        f"evaluation:{a.metric}:fold-1..{len(res.folds)} of the training job"
    )
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("training_job", help="the training job whose model to use")
    p.add_argument(
        "--fold",
        type=_fold,
        default=None,
        metavar="N",
        help="k-fold training jobs (one model per fold): use fold N's model (1..K); required "
        "for them (evaluate also takes 'all': every fold's model, and their mean)",
    )
    p.add_argument(
        "--inference",
        metavar="PROGRAM",
        help="inference code (inference.py or a module) for script-mode models",
    )
    p.add_argument(
        "--framework",
        choices=("PyTorch", "SKLearn", "XGBoost"),
        default=None,
        help="the estimator's class of a training job run on its own (a tuning job records "
        "it): its entry point serves the model when no inference.py is found, as on endpoints",
    )
    p.add_argument("--db", default=None, metavar="PATH", help="the store (SQLite file)")


def register(subparsers: Any) -> None:
    """Add ``transform`` and ``evaluate`` to the ``amtune`` command."""
    t = subparsers.add_parser(
        "transform",
        help="batch inference: run a training job's model on every record of a file or directory",
        description="Batch inference (SageMaker batch transform, SplitType=Line): one output "
        "file <input file>.out per input file, one answer per record.",
    )
    _common(t)
    t.add_argument("--input", required=True, metavar="DIR_OR_FILE", help="records to predict")
    t.add_argument("--output", required=True, metavar="DIR", help="where the .out files go")
    t.add_argument("--content-type", default="text/csv", help="of the records (default text/csv)")
    t.add_argument("--accept", default="text/csv", help="of the answers (default text/csv)")
    t.add_argument("--max-records", type=int, default=1000, help="records per request")
    t.set_defaults(func=cmd_transform)
    e = subparsers.add_parser(
        "evaluate",
        help="score a training job's model on labelled test data and store the result",
        description="Compare a training job's predictions on a test channel (label first) with "
        "its labels; the result is stored with the training job.",
    )
    _common(e)
    e.add_argument("--test", required=True, metavar="DIR_OR_FILE", help="labelled test data")
    e.add_argument(
        "--metric",
        required=True,
        choices=("accuracy", "auc", "error", "f1", "logloss", "mae", "mse", "r2", "rmse"),
        help="how to compare predictions with the labels",
    )
    e.add_argument("--json", action="store_true", help="print the result as JSON")
    e.set_defaults(func=cmd_evaluate)

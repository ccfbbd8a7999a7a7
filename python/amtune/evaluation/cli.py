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
    return store, find_model(store, a.training_job, a.fold, a.inference)


def cmd_transform(a: argparse.Namespace) -> int:
    from amtune.evaluation.transform import transform

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


def cmd_evaluate(a: argparse.Namespace) -> int:
    from amtune.evaluation.evaluate import evaluate

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


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("training_job", help="the training job whose model to use")
    p.add_argument(
        "--fold",
        type=int,
        default=None,
        metavar="N",
        help="k-fold training jobs (one model per fold): use fold N's model (1..K); required "
        "for them",
    )
    p.add_argument(
        "--inference",
        metavar="PROGRAM",
        help="inference code (inference.py or a module) for script-mode models",
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

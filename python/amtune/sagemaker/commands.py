"""The ``amtune train`` subcommand (one training job from a CreateTrainingJob request) and the
training-job side of ``amtune describe``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from amtune.store import DEFAULT_DB, NotFoundError, Store, resolve_db_path


def register(sub: Any) -> None:
    """Add ``train`` to the CLI's subparsers."""
    t = sub.add_parser(
        "train",
        help="run one training job from a CreateTrainingJob request (YAML or JSON)",
        description="Run one training job from a CreateTrainingJob request (the SageMaker SDK's "
        "shape; AlgorithmSpecification.TrainingCommand, or HyperParameters.sagemaker_program "
        "with the code next to the config file).",
    )
    t.add_argument("config", help="the CreateTrainingJob request (YAML or JSON file)")
    t.add_argument("--name", help="training job name (overrides TrainingJobName)")
    t.add_argument(
        "--base",
        default=None,
        metavar="DIR",
        help="the directory that relative paths and the script-mode code resolve against "
        "(default: the config file's directory)",
    )
    t.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help=f"the store (SQLite file; default ./{DEFAULT_DB})",
    )
    t.add_argument("--quiet", action="store_true", help="do not print the job's output")
    t.set_defaults(func=cmd_train)


def cmd_train(a: argparse.Namespace) -> int:
    from amtune.config.loader import ConfigError, load_document
    from amtune.errors import FieldError
    from amtune.evaluation.apply import evaluated_runner
    from amtune.runners.command import CommandRunner
    from amtune.runners.spec import Runner
    from amtune.sagemaker.estimator import TRAINING_JOB_NAME_RE
    from amtune.sagemaker.requests import RequestError
    from amtune.sagemaker.train_request import parse_training_request
    from amtune.sagemaker.training import TrainingJobRun, describe_training_job, standalone_job_dir

    try:
        doc = load_document(a.config)
        base = Path(a.base).resolve() if a.base else Path(a.config).resolve().parent
        req = parse_training_request(doc, base)
        name = a.name or req.name
        if name is None:
            import time

            name = "amtune-training-" + time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
        if not isinstance(name, str) or not TRAINING_JOB_NAME_RE.match(name):
            raise RequestError(
                "TrainingJobName",
                f"1-63 letters, digits and hyphens, starting and ending with a letter or digit "
                f"(SageMaker's rule), got {name!r}",
            )
        runner: Runner = CommandRunner(
            req.command,
            req.metric_definitions,
            req.working_dir,
            req.environment,
            instance_type=req.instance_type,
        )
        store = Store(resolve_db_path(a.db))
        if req.evaluation is not None:  # split the train channel (once), wrap the runner
            try:
                runner, _ = evaluated_runner(
                    req.evaluation,
                    {k: p for k, (p, _) in req.channels.items()},
                    runner,
                    store.jobs_root,
                    os.cpu_count() or 1,
                    "InputDataConfig",
                    "Evaluation",
                )
            except FieldError as exc:
                raise RequestError(exc.path, exc.rule) from None
    except (ConfigError, RequestError, ValueError) as exc:
        print(f"amtune: error: {exc}", file=sys.stderr)
        return 2
    for n in req.notices:
        print(f"amtune: notice: {n}", file=sys.stderr)
    request = {**req.request, "TrainingJobName": name}
    request.setdefault("AlgorithmSpecification", {})
    request["AlgorithmSpecification"] = {
        **request["AlgorithmSpecification"],
        "TrainingCommand": req.command,
    }
    run = TrainingJobRun(
        store,
        name,
        runner,
        request,
        {k: p for k, (p, _) in req.channels.items()},
        standalone_job_dir(store, name, None),
        max_run=req.max_run,
        logs=not a.quiet,
    )
    try:
        run.start(wait=True)
    except ValueError as exc:  # the name is taken
        print(f"amtune: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("amtune: error: interrupted; the training job was stopped", file=sys.stderr)
        return 130
    d = describe_training_job(store, name)
    print_training_job(d, sys.stdout if a.quiet else sys.stderr)
    return 1 if d["TrainingJobStatus"] == "Failed" else 0


def print_training_job(d: dict[str, Any], out: Any = None) -> None:
    """A short readable form of a DescribeTrainingJob document."""
    out = out or sys.stdout
    secs = d.get("TrainingTimeInSeconds")
    print(
        f"Training job {d['TrainingJobName']}: {d['TrainingJobStatus']}"
        + (f" ({secs} s)" if secs is not None else ""),
        file=out,
    )
    if d.get("FailureReason"):
        print(f"  reason: {d['FailureReason']}", file=out)
    ev = d.get("Evaluation") or {}
    summaries = {m["MetricName"]: m for m in ev.get("MetricSummaries") or []}
    folds = ev.get("Folds") or []
    if ev:
        shown_cfg = ", ".join(
            f"{k}={v}" for k, v in ev.items() if k not in ("Type", "MetricSummaries", "Folds")
        )
        print(f"  evaluation: {ev.get('Type')} ({shown_cfg})", file=out)
    for m in d.get("FinalMetricDataList") or []:
        name = m["MetricName"]
        base, _, tail = name.rpartition(":")
        if base in summaries and (tail in ("std", "min", "max") or tail.startswith("fold-")):
            continue  # shown with the mean
        line = f"  {name} = {m['Value']:.6g}"
        if name in summaries:
            sm = summaries[name]
            per = [
                f"{x['Value']:.6g}"
                for f in folds
                for x in f["FinalMetricDataList"]
                if x["MetricName"] == name
            ]
            line += (
                f" (mean of {len(per)} folds; std {sm['Std']:.3g}, min {sm['Min']:.6g}, "
                f"max {sm['Max']:.6g}; folds: {' '.join(per)})"
            )
        print(line, file=out)
    hps = d.get("HyperParameters") or {}
    shown = {k: v for k, v in hps.items() if not k.startswith("sagemaker_")}
    if shown:
        print("  hyperparameters:", file=out)
        for k, v in shown.items():
            print(f"    {k} = {v}", file=out)
    if folds:
        models = [f.get("ModelArtifacts", {}).get("S3ModelArtifacts") for f in folds]
        print(f"  models: one per fold: {', '.join(str(m) for m in models)}", file=out)
    elif d.get("ModelArtifacts"):
        print(f"  model: {d['ModelArtifacts']['S3ModelArtifacts']}", file=out)


def describe_training(store: Store, name: str, as_json: bool) -> int:
    """``amtune describe NAME`` for a training job."""
    from amtune.sagemaker.training import describe_training_job

    d = describe_training_job(store, name)
    if as_json:
        print(json.dumps(d, indent=2, default=_json_default))
    else:
        print_training_job(d)
    return 0


def _json_default(o: Any) -> Any:
    return o.isoformat() if isinstance(o, datetime) else str(o)


def has_training_job(store: Store, name: str) -> bool:
    try:
        store.get_training_job(name)
    except NotFoundError:
        return False
    return True

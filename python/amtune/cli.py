"""The ``amtune`` command: run, describe, list, jobs, resume, stop, demo.

Exit codes: 0 success; 1 the tuning job ended Failed (or a named job does not exist); 2 a bad
config or bad usage (nothing is written to the store).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime
from typing import Any

from amtune.config import cli as config_cli
from amtune.enums import ObjectiveType
from amtune.progress import report_end
from amtune.report.cli import register as register_report
from amtune.sagemaker.document import StoredConfig
from amtune.store import DEFAULT_DB, NotFoundError, Store, resolve_db_path
from amtune.text import printable


def _json_default(o: Any) -> Any:
    if isinstance(o, datetime):
        return o.isoformat()
    if isinstance(o, float) and math.isnan(o):
        return None
    return str(o)


def _err(msg: str) -> None:
    print(printable(f"amtune: error: {msg}"), file=sys.stderr)


def _print(text: str) -> None:
    """Human-readable output: control characters escaped (see :mod:`amtune.text`)."""
    print(printable(text))


def _open_existing(db: str | None, readonly: bool = True) -> Store:
    """The existing store at ``db``; read-only (``mode=ro``) unless the command writes, so a
    user without write access can read it."""
    path = resolve_db_path(db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")
    return Store(path, readonly=readonly)


# ====================================================================== subcommands
def cmd_run(a: argparse.Namespace) -> int:
    from amtune.config.loader import ConfigError, load_config
    from amtune.errors import FieldError
    from amtune.tuning.tuner import HyperparameterTuner

    try:
        cfg = load_config(a.config, base=a.base)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    for n in cfg.notices:
        print(printable(f"amtune: notice: {n}"), file=sys.stderr)
    name = a.name or cfg.name
    kwargs = dict(cfg.tuner_kwargs)
    if a.cluster is not None:  # --cluster overrides the config's cluster
        kwargs["cluster"] = a.cluster
    try:
        tuner = HyperparameterTuner(**kwargs, db=a.db, quiet=a.quiet)
    except FieldError as exc:
        if exc.path != "cluster":
            raise
        _err(f"--cluster: {exc.rule}")
        return 2
    tuner.content_types = dict(cfg.content_types)
    tuner.training_image = cfg.training_image
    tuner.cloud_fields = dict(cfg.cloud_fields)
    from amtune.sagemaker.exceptions import UnexpectedStatusException

    try:
        tuner.fit(cfg.command, job_name=name)
    except UnexpectedStatusException:  # the tuning job ended Failed: report it, exit 1
        return report_end(tuner.store, tuner.latest_tuning_job)  # type: ignore[arg-type]
    except FieldError as exc:
        if tuner.latest_tuning_job is not None:  # the job had started: not a config error
            raise
        _err(str(cfg.field_of(exc)))  # checks that need the store (name taken, parents)
        return 2
    except KeyboardInterrupt as exc:
        if tuner.latest_tuning_job is None:
            raise
        return _interrupted(exc, tuner.store, tuner.latest_tuning_job)
    return report_end(tuner.store, tuner.latest_tuning_job)  # type: ignore[arg-type]


def _interrupted(exc: KeyboardInterrupt, store: Store, name: str) -> int:
    """Ctrl-C or SIGTERM ended the driver (the tuning job is Stopped): say so; 130 or 143."""
    term = exc.args == ("SIGTERM",)
    why = "terminated (SIGTERM)" if term else "interrupted"
    _err(f"{why}; the running training jobs were stopped and every result is kept")
    report_end(store, name, sys.stderr)
    return 143 if term else 130


def cmd_describe(a: argparse.Namespace) -> int:
    from amtune.analytics import describe
    from amtune.sagemaker import commands as sm_commands

    store = _open_existing(a.db)
    if not store.has_tuning_job(a.name) and sm_commands.has_training_job(store, a.name):
        return sm_commands.describe_training(store, a.name, a.json)
    d = describe(store, a.name)
    if a.json:
        print(json.dumps(d, indent=2, default=_json_default))
        return 0
    _print(f"{d['HyperParameterTuningJobName']}: {d['HyperParameterTuningJobStatus']}")
    if d.get("FailureReason"):
        _print(f"  FailureReason: {d['FailureReason']}")
    htc = d["HyperParameterTuningJobConfig"]
    o = htc["HyperParameterTuningJobObjective"]
    _print(f"  Objective: {o['Type']} {o['MetricName']}   Strategy: {htc['Strategy']}")
    rl = htc["ResourceLimits"]
    _print(
        f"  Limits: {rl['MaxNumberOfTrainingJobs']} jobs, "
        f"{rl['MaxParallelTrainingJobs']} in parallel"
        + (f", {rl['MaxRuntimeInSeconds']} s" if "MaxRuntimeInSeconds" in rl else "")
    )
    for label, counts in (
        ("Training jobs:", d["TrainingJobStatusCounters"]),
        ("Objectives:   ", d["ObjectiveStatusCounters"]),
    ):
        _print(f"  {label} " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    _print(
        f"  Created {d['CreationTime']:%Y-%m-%d %H:%M:%S} UTC, runtime "
        f"{d['ConsumedResources']['RuntimeInSeconds']} s"
    )
    best = d.get("BestTrainingJob")
    if best:
        m = best["FinalHyperParameterTuningJobObjectiveMetric"]
        _print(f"  Best: {best['TrainingJobName']}  {m['MetricName']} = {m['Value']:.6g}")
        for k, v in best["TunedHyperParameters"].items():
            _print(f"    {k} = {v}")
    overall = d.get("OverallBestTrainingJob")
    if overall:
        m = overall["FinalHyperParameterTuningJobObjectiveMetric"]
        _print(
            f"  Overall best (with the warm start parents): {overall['TrainingJobName']} "
            f"({overall['TuningJobName']})  {m['MetricName']} = {m['Value']:.6g}"
        )
    cd = d.get("TuningJobCompletionDetails") or {}
    _print(
        f"  Jobs not improving: {cd.get('NumberOfTrainingJobsObjectiveNotImproving')}"
        + (
            f"   Convergence detected: {cd['ConvergenceDetectedTime']:%Y-%m-%d %H:%M:%S} UTC"
            if cd.get("ConvergenceDetectedTime")
            else ""
        )
    )
    if d.get("TuningJobCompletionReason"):
        _print(f"  Completed because: {d['TuningJobCompletionReason']}")
    return 0


def cmd_list(a: argparse.Namespace) -> int:
    store = _open_existing(a.db)
    jobs = store.list_tuning_jobs()
    if a.json:
        from amtune.analytics import ts

        print(
            json.dumps(
                [
                    {
                        "HyperParameterTuningJobName": j["name"],
                        "HyperParameterTuningJobStatus": j["status"],
                        "CreationTime": ts(j["creation_time"]),
                        "HyperParameterTuningEndTime": ts(j["end_time"]),
                    }
                    for j in jobs
                ],
                indent=2,
                default=_json_default,
            )
        )
        return 0
    if not jobs:
        _print(f"no tuning jobs in {store.path}")
        return 0
    w = max(len(j["name"]) for j in jobs)
    for j in jobs:
        n = len(store.training_jobs(j["name"]))
        created = datetime.fromtimestamp(j["creation_time"]).strftime("%Y-%m-%d %H:%M:%S")
        _print(f"{j['name']:<{w}}  {j['status']:<10}  {n:>5} training jobs  created {created}")
    return 0


def cmd_jobs(a: argparse.Namespace) -> int:
    from amtune.analytics import analytics

    store = _open_existing(a.db)
    job = store.get_tuning_job(a.name)
    df = analytics(store, a.name).dataframe()
    if a.sort_by:
        if a.sort_by not in df.columns:
            _err(f"--sort-by: no column {a.sort_by!r} (columns: {', '.join(df.columns)})")
            return 2
        if a.sort_by == "FinalObjectiveValue":
            maximize = StoredConfig(job["config"]).objective_type is ObjectiveType.MAXIMIZE
            asc = not maximize if a.order is None else a.order == "asc"
        else:
            asc = a.order != "desc"
        df = df.sort_values(a.sort_by, ascending=asc, na_position="last", kind="stable")
    if a.columns:
        cols = [c.strip() for c in a.columns.split(",") if c.strip()]
        bad = [c for c in cols if c not in df.columns]
        if bad:
            _err(f"--columns: no column {bad[0]!r} (columns: {', '.join(df.columns)})")
            return 2
        df = df[cols]
    if a.limit is not None:
        if a.limit < 1:
            _err(f"--limit: must be an integer >= 1, got {a.limit}")
            return 2
        df = df.head(a.limit)
    if a.format == "csv":
        df.to_csv(sys.stdout, index=False)
    elif a.format == "json":
        print(json.dumps(json.loads(df.to_json(orient="records", date_format="iso")), indent=2))
    else:
        import pandas as pd

        with pd.option_context(
            "display.max_rows",
            None,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            df = df.drop(
                columns=[c for c in ("TrainingStartTime", "TrainingEndTime") if c in df.columns]
            )
            if "FailureReason" in df.columns:
                reason = df["FailureReason"]
                df["FailureReason"] = reason.where(reason.notna(), "")  # no None/NaN mix
            if "TrainingElapsedTimeSeconds" in df.columns:
                df["TrainingElapsedTimeSeconds"] = df["TrainingElapsedTimeSeconds"].round(1)
            df = df.map(lambda v: printable(v, newlines=False) if isinstance(v, str) else v)
            df.columns = [printable(str(c), newlines=False) for c in df.columns]
            print(printable(df.to_string(index=False)))
    return 0


def cmd_resume(a: argparse.Namespace) -> int:
    from amtune.tuning.tuner import HyperparameterTuner

    _open_existing(a.db).close()  # a missing store is an error, not a new empty one
    try:
        tuner = HyperparameterTuner.resume(a.name, db=str(resolve_db_path(a.db)), quiet=a.quiet)
    except (ValueError, RuntimeError) as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt as exc:
        return _interrupted(exc, Store(resolve_db_path(a.db), readonly=True), a.name)
    return report_end(tuner.store, a.name)


def cmd_stop(a: argparse.Namespace) -> int:
    from amtune.tuning.liveness import stop_tuning_job

    store = _open_existing(a.db, readonly=False)
    status = stop_tuning_job(store, a.name)
    _print(f"{a.name}: {status}")
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from amtune.demo.main import run_demo

    return run_demo(
        max_jobs=a.max_jobs,
        max_parallel_jobs=a.max_parallel_jobs,
        db=a.db,
        quiet=a.quiet,
        name=a.name,
    )


# ====================================================================== parser
def build_parser() -> argparse.ArgumentParser:
    from amtune.version import VERSION

    p = argparse.ArgumentParser(
        prog="amtune", description="Automatic model tuning, SageMaker style, on this machine."
    )
    p.add_argument("--version", action="version", version=f"amtune {VERSION}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.add_argument(
            "--db",
            default=None,
            metavar="PATH",
            help=f"the store (SQLite file; default ./{DEFAULT_DB})",
        )
        return sp

    r = add("run", "run a tuning job from a config file (amtune or SageMaker shape, YAML or JSON)")
    r.add_argument("config", help="the config file (YAML or JSON)")
    r.add_argument("--name", help="tuning job name (overrides the config)")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    r.add_argument(
        "--base",
        default=None,
        metavar="DIR",
        help="the directory that relative paths and the script-mode code resolve against "
        "(default: the config file's directory)",
    )
    r.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="run the training jobs on Dask workers: a scheduler address (tcp://host:8786) or "
        "local:N (a local cluster of N worker processes); needs amtune[dask]",
    )
    r.set_defaults(func=cmd_run)

    d = add("describe", "describe a tuning job or a training job")
    d.add_argument("name", help="a tuning job or a training job")
    d.add_argument(
        "--json",
        action="store_true",
        help="print the DescribeHyperParameterTuningJob (or DescribeTrainingJob) document",
    )
    d.set_defaults(func=cmd_describe)

    ls = add("list", "list tuning jobs")
    ls.add_argument("--json", action="store_true", help="print the list as JSON")
    ls.set_defaults(func=cmd_list)

    j = add("jobs", "list the training jobs of a tuning job")
    j.add_argument("name", help="the tuning job")
    j.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    j.add_argument(
        "--columns",
        default=None,
        metavar="A,B,...",
        help="the columns to show, comma-separated (e.g. TrainingJobName,FinalObjectiveValue)",
    )
    j.add_argument("--limit", type=int, default=None, metavar="N", help="show the first N rows")
    j.add_argument(
        "--sort-by",
        default=None,
        help="a column, e.g. FinalObjectiveValue (best first) or TrainingStartTime",
    )
    j.add_argument("--order", choices=("asc", "desc"), default=None, help="sort order of --sort-by")
    j.set_defaults(func=cmd_jobs)

    rs = add("resume", "continue a tuning job whose driver died, or that was stopped")
    rs.add_argument("name", help="the tuning job")
    rs.add_argument("--quiet", action="store_true", help="no progress display")
    rs.set_defaults(func=cmd_resume)

    st = add("stop", "stop a running tuning job")
    st.add_argument("name", help="the tuning job")
    st.set_defaults(func=cmd_stop)

    from amtune.sagemaker.commands import register as register_train

    register_train(sub)
    from amtune.logs import register as register_logs

    register_logs(sub)

    dm = add("demo", "generate data and tune the bundled script-mode training script")
    dm.add_argument("--max-jobs", type=int, default=20, help="training jobs (default 20)")
    dm.add_argument(
        "--max-parallel-jobs", type=int, default=2, help="training jobs at once (default 2)"
    )
    dm.add_argument("--name", default=None, help="tuning job name (default: generated)")
    dm.add_argument("--quiet", action="store_true", help="no progress display")
    dm.set_defaults(func=cmd_demo)

    config_cli.register(sub)
    __import__("amtune.builtin.cli").builtin.cli.register(sub)  # tune-builtin, demo --builtin
    __import__("amtune.evaluation.cli").evaluation.cli.register(sub)  # transform, evaluate
    from amtune.serve.cli import register as register_serve  # deploy, endpoint (amtune[serve])

    register_serve(sub)
    register_report(sub)  # amtune report NAME
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        return int(a.func(a))
    except NotFoundError as exc:
        _err(str(exc))
        return 1
    except ValueError as exc:  # e.g. --db is not a store
        _err(str(exc))
        return 2
    except KeyboardInterrupt as exc:
        _err("terminated (SIGTERM)" if exc.args == ("SIGTERM",) else "interrupted")
        return 143 if exc.args == ("SIGTERM",) else 130
    except BrokenPipeError:  # e.g. `amtune jobs NAME | head` (before the catch-all below)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the endpoint service cannot be reached: one line, no traceback
        from amtune.serve.cli import unreachable

        msg = unreachable(exc, a)
        if msg is None:
            raise
        _err(msg)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

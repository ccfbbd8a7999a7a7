"""``amtune logs TUNING_JOB [TRAINING_JOB]``: a job's output and its metric curves in the terminal.

Without a training job: one line per training job (status, final objective, the objective's curve
as a sparkline). With one: its log (``train.log``) and a curve per metric. A training job run on
its own (``amtune train``) is named directly: ``amtune logs TRAINING_JOB``.

>>> sparkline([3.0, 2.0, 1.0, 1.5])
'█▅▁▃'
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from amtune.store import DEFAULT_DB, NotFoundError, Store, resolve_db_path
from amtune.text import printable

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 60) -> str:
    """``values`` as a line of block characters (resampled to at most ``width``)."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return ""
    if len(vals) > width:
        step = len(vals) / width
        vals = [vals[int(i * step)] for i in range(width - 1)] + [vals[-1]]
    lo, hi = min(vals), max(vals)
    span = hi - lo
    if span == 0:
        return _BARS[0] * len(vals)
    return "".join(_BARS[min(7, int((v - lo) / span * 8))] for v in vals)


def _print(text: str) -> None:
    """Print text that carries names, reasons or output from training jobs (escaped)."""
    print(printable(text))


def register(sub: Any) -> None:
    """Add ``logs`` to the CLI's subparsers."""
    p = sub.add_parser(
        "logs",
        help="a tuning job's training jobs with their objective curves, or one job's log",
        description="Show the training jobs of a tuning job with their objective curves, or "
        "the log and metric curves of one training job.",
    )
    p.add_argument("name", help="a tuning job (or a training job run on its own)")
    p.add_argument("training_job", nargs="?", help="a training job of that tuning job")
    p.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help=f"the store (SQLite file; default ./{DEFAULT_DB})",
    )
    p.add_argument("--no-log", action="store_true", help="curves only, not the log text")
    p.set_defaults(func=cmd_logs)


def cmd_logs(a: argparse.Namespace) -> int:
    path = resolve_db_path(a.db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")
    store = Store(path)
    if not store.has_tuning_job(a.name):
        row = store.get_training_job(a.name)  # NotFoundError names it
        _show_job(store, row, not a.no_log)
        return 0
    rows = store.training_jobs(a.name)
    if a.training_job is None:
        cfg = store.get_tuning_job(a.name)["config"]
        objective = cfg["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
        metric = objective["MetricName"]
        series: dict[int, list[float]] = {}
        for m in store.metrics(a.name, name=metric):
            series.setdefault(m["seq"], []).append(m["value"])
        w = max((len(r["name"]) for r in rows), default=0)
        _print(f"{a.name}: {len(rows)} training jobs; {objective['Type']} {metric}")
        for r in rows:
            v = r["final_objective"]
            val = "-" if v is None else f"{v:.6g}"
            curve = sparkline(series.get(r["seq"], []))
            _print(f"  {r['name']:<{w}}  {r['status']:<10} {val:>12}  {curve}")
        return 0
    match = [r for r in rows if r["name"] == a.training_job]
    if not match:
        raise NotFoundError(f"no training job {a.training_job!r} in tuning job {a.name!r}")
    _show_job(store, match[0], not a.no_log)
    return 0


def _show_job(store: Store, row: dict[str, Any], show_log: bool) -> None:
    _print(
        f"{row['name']}: {row['status']}"
        + (f"  ({row['failure_reason']})" if row["failure_reason"] else "")
    )
    by_name: dict[str, list[float]] = {}
    for m in store.metrics(row["tuning_job"], row["seq"]):
        by_name.setdefault(m["name"], []).append(m["value"])
    for name, vals in by_name.items():
        _print(
            f"  {name}: {len(vals)} values, first {vals[0]:.6g}, min {min(vals):.6g}, "
            f"max {max(vals):.6g}, last {vals[-1]:.6g}"
        )
        print(f"    {sparkline(vals)}")
    if show_log and row["job_dir"]:
        log = Path(row["job_dir"]) / "train.log"
        if log.exists():
            _print(f"--- {log}")
            # the job's output as text: its escape sequences (colours, \r progress bars, a
            # clear-screen) are shown escaped, not run by the terminal
            sys.stdout.write(printable(log.read_text(errors="replace")))

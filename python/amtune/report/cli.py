"""``amtune report NAME [--db PATH] [-o report.html]``: write a tuning job's HTML report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from amtune.store import DEFAULT_DB, NotFoundError, Store, resolve_db_path


def cmd_report(a: argparse.Namespace) -> int:
    path = resolve_db_path(a.db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")
    try:
        from amtune.report.page import write_report
    except ImportError as exc:  # pragma: no cover - depends on the environment
        print(f"amtune: error: {exc}", file=sys.stderr)
        return 2
    with Store(path) as store:
        out = write_report(store, a.name, a.output, seed=a.seed)
    size = out.stat().st_size / 1e6
    print(f"{a.name}: report written to {out} ({size:.1f} MB)")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand to the ``amtune`` command's subparsers."""
    help = "write a tuning job's report: one self-contained HTML file (works offline)"
    sp = subparsers.add_parser("report", help=help, description=help)
    sp.add_argument("name", help="the tuning job")
    sp.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help=f"the store (SQLite file; default ./{DEFAULT_DB})",
    )
    sp.add_argument(
        "-o", "--output", default="report.html", metavar="FILE",
        help="the HTML file to write (default report.html)",
    )  # fmt: skip
    sp.add_argument("--seed", type=int, default=0, help="seed of the report's GP fits (default 0)")
    sp.set_defaults(func=cmd_report)

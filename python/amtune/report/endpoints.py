"""Endpoint metrics for the report's last section, read from the store when endpoints exist.

The endpoints (``amtune.serve``) were being written at the same time as the report, so the report
reads them through this one function and an explicitly assumed layout; when the store has no
endpoint tables (every store without a deployment), there is no section.

Assumed layout (one row per endpoint variant and 1-minute bucket, CloudWatch's metric names):

``endpoint_metrics``
    ``endpoint`` (text), ``variant`` (text), ``training_job`` (text: the training job the variant
    serves), ``timestamp`` (bucket start, epoch seconds), ``invocations``,
    ``invocation_4xx_errors``,
    ``invocation_5xx_errors`` (counts), ``model_latency_p50``, ``model_latency_p90``,
    ``model_latency_p99``, ``overhead_latency_p50``, ``overhead_latency_p99`` (microseconds, as
    CloudWatch's ``ModelLatency`` and ``OverheadLatency``; NULL in a bucket without invocations).

The rows of a tuning job are those whose ``training_job`` is one of its training jobs. A store with
an ``endpoint_metrics`` table of another layout is reported (a :class:`EndpointLayoutError`), never
silently skipped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from amtune.store import Store

TABLE = "endpoint_metrics"
COUNT_COLUMNS = ("invocations", "invocation_4xx_errors", "invocation_5xx_errors")
LATENCY_COLUMNS = (
    "model_latency_p50",
    "model_latency_p90",
    "model_latency_p99",
    "overhead_latency_p50",
    "overhead_latency_p99",
)
KEY_COLUMNS = ("endpoint", "variant", "training_job", "timestamp")


class EndpointLayoutError(RuntimeError):
    """The store has endpoint tables, but not in the layout this report reads."""


@dataclass(frozen=True)
class VariantMetrics:
    """One production variant's metrics in 1-minute buckets (arrays of equal length)."""

    endpoint: str
    variant: str
    training_job: str
    timestamp: np.ndarray  # bucket starts, epoch seconds
    counts: dict[str, np.ndarray]  # COUNT_COLUMNS -> counts per bucket
    latency_us: dict[str, np.ndarray]  # LATENCY_COLUMNS -> microseconds (NaN: no invocations)


def has_endpoint_tables(path: str) -> bool:
    """Whether the store file has the endpoint metrics table."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
        ).fetchone()
    return row is not None


def read_endpoint_metrics(store: Store, tuning_job: str) -> list[VariantMetrics]:
    """The metrics of the endpoint variants serving training jobs of ``tuning_job``.

    An empty list when the store has no endpoint tables or no variant serves one of its jobs.
    """
    path = str(store.path)
    if not has_endpoint_tables(path):
        return []
    wanted = (*KEY_COLUMNS, *COUNT_COLUMNS, *LATENCY_COLUMNS)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})")}
        missing = [c for c in wanted if c not in cols]
        if missing:
            raise EndpointLayoutError(
                f"{path}: table {TABLE} lacks the column(s) {', '.join(missing)} that the report "
                f"reads (see amtune.report.endpoints)"
            )
        rows = conn.execute(
            f"SELECT {', '.join(wanted)} FROM {TABLE} WHERE training_job IN "
            "(SELECT name FROM training_jobs WHERE tuning_job = ?) "
            "ORDER BY endpoint, variant, timestamp",
            (tuning_job,),
        ).fetchall()
    groups: dict[tuple[str, str, str], list[tuple[object, ...]]] = {}
    for r in rows:
        groups.setdefault((str(r[0]), str(r[1]), str(r[2])), []).append(tuple(r))
    out = []
    for (endpoint, variant, job), rs in groups.items():
        a = np.array([[np.nan if v is None else float(v) for v in r[3:]] for r in rs])  # type: ignore[arg-type]
        n = len(COUNT_COLUMNS)
        out.append(
            VariantMetrics(
                endpoint=endpoint,
                variant=variant,
                training_job=job,
                timestamp=a[:, 0],
                counts={c: np.nan_to_num(a[:, 1 + i]) for i, c in enumerate(COUNT_COLUMNS)},
                latency_us={c: a[:, 1 + n + i] for i, c in enumerate(LATENCY_COLUMNS)},
            )
        )
    return out

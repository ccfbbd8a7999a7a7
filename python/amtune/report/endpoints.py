"""Endpoint metrics for the report's last section, read from the store when endpoints exist.

The endpoints (``amtune.serve``) were written at the same time as the report, so the report reads
them through this one function, from the ``serve_*`` tables of the store file as the endpoint
service lays them out (assumed from that work in progress, and checked: a table without the
columns read here is an :class:`EndpointLayoutError`, never skipped silently):

``serve_endpoints``         ``name``, ``config_name``;
``serve_endpoint_configs``  ``name``, ``request``: the CreateEndpointConfig request (JSON) whose
                            ``ProductionVariants`` (and ``ShadowProductionVariants``) name a model;
``serve_models``            ``name``, ``request``: the CreateModel request (JSON) whose
                            ``PrimaryContainer.ModelDataUrl`` is the ``file://`` URL of the
                            training job's ``model`` folder (``<job_dir>/model``);
``serve_metrics``           ``endpoint``, ``variant``, ``metric`` (CloudWatch's name), ``minute``
                            (epoch minutes), ``count``, ``sum``, ``hist``: a JSON histogram of
                            latencies, bin ``b`` holding values in ``[10^(b/50), 10^((b+1)/50))``.

A variant belongs to the tuning job when its model's folder is one of its training jobs'. A store
without the ``serve_*`` tables (no deployment) has no endpoint section.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from amtune.store import Store

#: The columns read, per table.
LAYOUT = {
    "serve_endpoints": ("name", "config_name"),
    "serve_endpoint_configs": ("name", "request"),
    "serve_models": ("name", "request"),
    "serve_metrics": ("endpoint", "variant", "metric", "minute", "count", "sum", "hist"),
}
COUNTS = ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors")
LATENCIES = ("ModelLatency", "OverheadLatency")
PERCENTILES = (50.0, 90.0, 99.0)
#: Bins per decade of the latency histograms.
BINS_PER_DECADE = 50


class EndpointLayoutError(RuntimeError):
    """The store has endpoint tables, but not in the layout this report reads."""


@dataclass(frozen=True)
class VariantMetrics:
    """One variant's metrics in 1-minute buckets (arrays of equal length)."""

    endpoint: str
    variant: str
    training_job: str
    shadow: bool
    timestamp: np.ndarray  # bucket starts, epoch seconds
    counts: dict[str, np.ndarray]  # COUNTS -> per minute
    latency_us: dict[str, np.ndarray]  # "ModelLatency p50", ... -> microseconds (NaN: none)


def percentile(hist: dict[int, float], q: float) -> float:
    """The ``q``-th percentile (0-100) of a log-binned histogram: the geometric middle of the bin
    that holds it (values <= 0 are bin -1, read as 0); NaN for an empty histogram."""
    n = sum(hist.values())
    if n <= 0:
        return math.nan
    rank, seen = q / 100.0 * n, 0.0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            break
    return 0.0 if b < 0 else float(10 ** ((b + 0.5) / BINS_PER_DECADE))


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _model_dir(request: dict[str, Any]) -> str | None:
    url = ((request.get("PrimaryContainer") or {}).get("ModelDataUrl")) or ""
    parsed = urlparse(str(url))
    if parsed.scheme not in ("file", ""):
        return None
    return str(Path(unquote(parsed.path)).resolve()) if parsed.path else None


def read_endpoint_metrics(store: Store, tuning_job: str) -> list[VariantMetrics]:
    """The metrics of the endpoint variants serving training jobs of ``tuning_job``.

    An empty list when the store has no endpoint tables or no variant serves one of its jobs.
    """
    path = str(store.path)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        present = _tables(conn)
        if not any(t in present for t in LAYOUT):
            return []
        for table, columns in LAYOUT.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            missing = [c for c in columns if c not in have]
            if missing:
                raise EndpointLayoutError(
                    f"{path}: table {table} lacks the column(s) {', '.join(missing)} that the "
                    f"report reads (see amtune.report.endpoints)"
                )
        jobs = {
            str((Path(d) / "model").resolve()): n
            for n, d in conn.execute(
                "SELECT name, job_dir FROM training_jobs WHERE tuning_job = ? AND job_dir IS NOT "
                "NULL",
                (tuning_job,),
            )
        }
        models = {
            n: json.loads(r) for n, r in conn.execute("SELECT name, request FROM serve_models")
        }
        configs = {
            n: json.loads(r)
            for n, r in conn.execute("SELECT name, request FROM serve_endpoint_configs")
        }
        served: list[tuple[str, str, str, bool]] = []
        for endpoint, config_name in conn.execute(
            "SELECT name, config_name FROM serve_endpoints ORDER BY name"
        ):
            config = configs.get(config_name) or {}
            for key, shadow in (("ProductionVariants", False), ("ShadowProductionVariants", True)):
                for pv in config.get(key) or []:
                    model = models.get(pv.get("ModelName"))
                    where = _model_dir(model) if model else None
                    if where is not None and where in jobs:
                        served.append((endpoint, str(pv["VariantName"]), jobs[where], shadow))
        out = []
        for endpoint, variant, job, shadow in served:
            rows = conn.execute(
                "SELECT metric, minute, count, sum, hist FROM serve_metrics WHERE endpoint = ? "
                "AND variant = ? ORDER BY minute",
                (endpoint, variant),
            ).fetchall()
            out.append(_variant(endpoint, variant, job, shadow, rows))
    return out


def _variant(
    endpoint: str, variant: str, job: str, shadow: bool, rows: list[tuple[Any, ...]]
) -> VariantMetrics:
    minutes = sorted({int(r[1]) for r in rows})
    index = {m: i for i, m in enumerate(minutes)}
    counts = {c: np.zeros(len(minutes)) for c in COUNTS}
    latency = {f"{m} p{q:g}": np.full(len(minutes), np.nan) for m in LATENCIES for q in PERCENTILES}
    for metric, minute, _count, total, hist in rows:
        i = index[int(minute)]
        if metric in counts:
            counts[metric][i] = float(total)
        elif metric in LATENCIES and hist:
            h = {int(k): float(v) for k, v in json.loads(hist).items()}
            for q in PERCENTILES:
                latency[f"{metric} p{q:g}"][i] = percentile(h, q)
    return VariantMetrics(
        endpoint=endpoint,
        variant=variant,
        training_job=job,
        shadow=shadow,
        timestamp=np.array(minutes, dtype=np.float64) * 60.0,
        counts=counts,
        latency_us=latency,
    )

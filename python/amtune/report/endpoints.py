"""Endpoint metrics for the report's last section, read from the store when endpoints exist.

The report reads the endpoints through this one function, from the ``serve_*`` tables that the
endpoint service (:mod:`amtune.serve.state`, :mod:`amtune.serve.cwmetrics`) writes into the store
file; a table without the columns read here is an :class:`EndpointLayoutError`, never skipped
silently:

``serve_endpoints``         ``name``, ``config_name``;
``serve_endpoint_configs``  ``name``, ``request``: the CreateEndpointConfig request (JSON) whose
                            ``ProductionVariants`` (and ``ShadowProductionVariants``) name a model;
``serve_models``            ``name``, ``request``: the CreateModel request (JSON) whose
                            ``PrimaryContainer.ModelDataUrl`` is a ``file://`` URL (or path) in a
                            training job's folder (``<job_dir>/model`` when ``amtune deploy``
                            made it);
``serve_metrics``           ``endpoint``, ``variant``, ``metric`` (CloudWatch's name), ``minute``
                            (epoch minutes), ``count``, ``sum``, ``hist``: a JSON log-binned
                            histogram of latencies, read with the service's own
                            :func:`amtune.serve.cwmetrics.percentile`.

A variant belongs to the tuning job when its model lies in one of its training jobs' folders. A
store without the ``serve_*`` tables (no deployment) has no endpoint section.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from amtune._file_urls import file_url_path
from amtune.serve.cwmetrics import percentile as serve_percentile

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


def percentile(hist: dict[int, int], q: float) -> float:
    """The ``q``-th percentile (0-100) of one of the service's latency histograms, as
    GetMetricStatistics answers it; NaN for an empty histogram."""
    value = serve_percentile(hist, q)
    return math.nan if value is None else float(value)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _model_path(request: dict[str, Any]) -> Path | None:
    url = ((request.get("PrimaryContainer") or {}).get("ModelDataUrl")) or ""
    parsed = urlparse(str(url))
    if parsed.scheme not in ("file", "") or not (parsed.netloc or parsed.path):
        return None
    return Path(file_url_path(str(url))).resolve()


def _owner(path: Path | None, jobs: dict[Path, str]) -> str | None:
    """The training job whose folder holds ``path`` (the folder itself included)."""
    if path is None:
        return None
    for p in (path, *path.parents):
        if p in jobs:
            return jobs[p]
    return None


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
            Path(d).resolve(): n
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
                    job = _owner(_model_path(model), jobs) if model else None
                    if job is not None:
                        served.append((endpoint, str(pv["VariantName"]), job, shadow))
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
            h = {int(k): int(v) for k, v in json.loads(hist).items()}
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

"""Per-variant endpoint metrics with CloudWatch's names and units, in 1-minute buckets.

The router records every invocation (:meth:`MetricsRecorder.record`); buckets live in memory and
are merged into the ``serve_metrics`` table every :data:`FLUSH_SECONDS`. Each bucket keeps
SampleCount, Sum, Minimum, Maximum and a log-binned histogram (:data:`BINS_PER_DECADE` bins per
decade, so a percentile is known within ~5 %). :func:`get_metric_statistics` answers like
CloudWatch's GetMetricStatistics (namespace ``AWS/SageMaker``, dimensions ``EndpointName`` and
``VariantName``, ``Statistics`` and ``ExtendedStatistics`` such as ``p99``). boto3's
``cloudwatch`` client is answered by :mod:`amtune.serve.cloudwatch_api`, which also serves the
training jobs' metrics.

As SageMaker publishes them: ``Invocations`` (1 per request), ``InvocationsPerInstance``
(1 / instance count), ``Invocation4XXErrors`` and ``Invocation5XXErrors`` (1 or 0 per request, so
the Average is the error rate), ``ModelLatency`` and ``OverheadLatency`` (microseconds).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from amtune.serve.state import ServeState

NAMESPACE = "AWS/SageMaker"
#: the namespace of training-job metrics (dimension ``TrainingJobName``; unit ``None``)
TRAINING_NAMESPACE = "/aws/sagemaker/TrainingJobs"
TRAINING_UNIT = "None"
UNITS = {
    "Invocations": "None",
    "InvocationsPerInstance": "None",
    "Invocation4XXErrors": "None",
    "Invocation5XXErrors": "None",
    "ModelLatency": "Microseconds",
    "OverheadLatency": "Microseconds",
}
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
BINS_PER_DECADE = 50
FLUSH_SECONDS = 2.0


def _bin(value: float) -> int:
    return -1 if value <= 0 else math.floor(math.log10(value) * BINS_PER_DECADE)


def _bin_value(b: int) -> float:
    """The geometric middle of bin ``b``."""
    return 0.0 if b < 0 else float(10 ** ((b + 0.5) / BINS_PER_DECADE))


class _Bucket:
    __slots__ = ("count", "hist", "max", "min", "sum")

    def __init__(self) -> None:
        self.count = 0.0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf
        self.hist: dict[int, int] = {}

    def add(self, v: float, histogram: bool) -> None:
        self.count += 1
        self.sum += v
        if v < self.min:
            self.min = v
        if v > self.max:
            self.max = v
        if histogram:
            b = _bin(v)
            self.hist[b] = self.hist.get(b, 0) + 1


class MetricsRecorder:
    """In-memory 1-minute buckets, merged into the store by :meth:`flush` (thread-safe)."""

    def __init__(self, state: ServeState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str, int], _Bucket] = {}

    def record(self, endpoint: str, variant: str, now: float, values: Mapping[str, float]) -> None:
        minute = int(now // 60)
        with self._lock:
            for metric, v in values.items():
                key = (endpoint, variant, metric, minute)
                b = self._buckets.get(key)
                if b is None:
                    b = self._buckets[key] = _Bucket()
                b.add(v, metric.endswith("Latency"))

    def flush(self) -> None:
        with self._lock:
            buckets, self._buckets = self._buckets, {}
        if not buckets:
            return
        with self.state.transaction():
            for (ep, var, metric, minute), b in buckets.items():
                old = self.state.one(
                    "SELECT count, sum, min, max, hist FROM serve_metrics WHERE endpoint = ? "
                    "AND variant = ? AND metric = ? AND minute = ?",
                    (ep, var, metric, minute),
                )
                hist = dict(b.hist)
                count, total, lo, hi = b.count, b.sum, b.min, b.max
                if old is not None:
                    count += old["count"]
                    total += old["sum"]
                    lo, hi = min(lo, old["min"]), max(hi, old["max"])
                    for k, n in json.loads(old["hist"] or "{}").items():
                        hist[int(k)] = hist.get(int(k), 0) + n
                self.state.execute(
                    "INSERT OR REPLACE INTO serve_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ep, var, metric, minute, count, total, lo, hi, json.dumps(hist)),
                )


def percentile(hist: Mapping[int, int], q: float) -> float | None:
    """The ``q``-th percentile (0-100) of a log-binned histogram (middle of its bin)."""
    n = sum(hist.values())
    if n == 0:
        return None
    rank = q / 100.0 * n
    seen = 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return _bin_value(b)
    return _bin_value(max(hist))


def to_epoch(t: Any) -> float:
    if isinstance(t, datetime):
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
    return float(t)


def get_metric_statistics(
    state: ServeState,
    *,
    MetricName: str,
    Dimensions: Sequence[Mapping[str, str]],
    StartTime: Any,
    EndTime: Any,
    Period: int = 60,
    Statistics: Sequence[str] = (),
    ExtendedStatistics: Sequence[str] = (),
    Namespace: str = NAMESPACE,
    Unit: str | None = None,
) -> dict[str, Any]:
    """CloudWatch's GetMetricStatistics over the endpoint metrics (argument names as boto3's).

    >>> import tempfile, os, time
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> rec = MetricsRecorder(st)
    >>> rec.record("ep", "A", 120.0, {"Invocations": 1, "ModelLatency": 900.0})
    >>> rec.flush()
    >>> r = get_metric_statistics(st, MetricName="Invocations", StartTime=0, EndTime=600,
    ...     Dimensions=[{"Name": "EndpointName", "Value": "ep"},
    ...                 {"Name": "VariantName", "Value": "A"}], Statistics=["Sum"])
    >>> [(d["Timestamp"].minute, d["Sum"]) for d in r["Datapoints"]]
    [(2, 1.0)]
    """
    if Namespace != NAMESPACE:
        raise ValueError(f"Namespace: only {NAMESPACE!r} is kept, got {Namespace!r}")
    if MetricName not in UNITS:
        raise ValueError(f"MetricName: must be one of {sorted(UNITS)}, got {MetricName!r}")
    if not isinstance(Period, int) or Period < 60 or Period % 60:
        raise ValueError(f"Period: must be a multiple of 60 seconds, got {Period!r}")
    bad = [s for s in Statistics if s not in STATISTICS]
    if bad:
        raise ValueError(f"Statistics: must be among {list(STATISTICS)}, got {bad}")
    qs: list[tuple[str, float]] = []
    for e in ExtendedStatistics:
        try:
            q = float(e[1:]) if e.startswith("p") else math.nan
        except ValueError:
            q = math.nan
        if not 0 <= q <= 100:
            raise ValueError(f"ExtendedStatistics: percentiles are p0 to p100, got {e!r}")
        qs.append((e, q))
    if not Statistics and not qs:
        raise ValueError("Statistics: give Statistics or ExtendedStatistics")
    dims = {d["Name"]: d["Value"] for d in Dimensions}
    unknown = set(dims) - {"EndpointName", "VariantName"}
    if unknown or "EndpointName" not in dims:
        raise ValueError(
            f"Dimensions: EndpointName (and optionally VariantName) are required, got {dims}"
        )
    start, end = to_epoch(StartTime), to_epoch(EndTime)
    sql = (
        "SELECT minute, count, sum, min, max, hist FROM serve_metrics WHERE endpoint = ? "
        "AND metric = ? AND minute >= ? AND minute < ?"
    )
    args: list[Any] = [
        dims["EndpointName"],
        MetricName,
        math.floor(start / 60),
        math.ceil(end / 60),
    ]
    if "VariantName" in dims:
        sql += " AND variant = ?"
        args.append(dims["VariantName"])
    groups: dict[int, list[dict[str, Any]]] = {}
    per = Period // 60
    for r in state.all(sql, args):
        groups.setdefault(r["minute"] // per * per, []).append(r)
    unit = UNITS[MetricName]
    points = []
    for m in sorted(groups):
        rows = groups[m]
        count = sum(r["count"] for r in rows)
        total = sum(r["sum"] for r in rows)
        p: dict[str, Any] = {
            "Timestamp": datetime.fromtimestamp(m * 60, tz=timezone.utc),
            "Unit": unit,
        }
        full = {
            "SampleCount": count,
            "Sum": total,
            "Average": total / count if count else 0.0,
            "Minimum": min(r["min"] for r in rows),
            "Maximum": max(r["max"] for r in rows),
        }
        for s in Statistics:
            p[s] = float(full[s])
        if qs:
            hist: dict[int, int] = {}
            for r in rows:
                for k, n in json.loads(r["hist"] or "{}").items():
                    hist[int(k)] = hist.get(int(k), 0) + n
            p["ExtendedStatistics"] = {
                name: (percentile(hist, q) if hist else math.nan) for name, q in qs
            }
        points.append(p)
    return {"Label": MetricName, "Datapoints": points}

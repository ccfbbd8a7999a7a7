"""Per-variant endpoint metrics with CloudWatch's names and units, in 1-minute buckets.

The router records every invocation (:meth:`MetricsRecorder.record`); buckets live in memory and
are merged into the ``serve_metrics`` table every :data:`FLUSH_SECONDS`. Each bucket keeps
SampleCount, Sum, Minimum, Maximum and a log-binned histogram (:data:`BINS_PER_DECADE` bins per
decade, so a percentile is known within ~5 %). :func:`get_metric_statistics` answers like
CloudWatch's GetMetricStatistics (namespace ``AWS/SageMaker``, dimensions ``EndpointName`` and
``VariantName``, ``Statistics`` and ``ExtendedStatistics`` such as ``p99``);
:func:`cloudwatch_call` answers boto3's ``cloudwatch`` client (GetMetricStatistics, ListMetrics)
with CloudWatch's error codes, through the endpoint service.

As SageMaker publishes them: ``Invocations`` (1 per request), ``InvocationsPerInstance``
(1 / instance count), ``Invocation4XXErrors`` and ``Invocation5XXErrors`` (1 or 0 per request, so
the Average is the error rate), ``ModelLatency`` and ``OverheadLatency`` (microseconds).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from amtune.serve.state import ServeState

NAMESPACE = "AWS/SageMaker"
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


def _to_epoch(t: Any) -> float:
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
    start, end = _to_epoch(StartTime), _to_epoch(EndTime)
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


# ====================================================================== CloudWatch's own API
#: CloudWatch's JSON target prefix (``X-Amz-Target: GraniteServiceVersion20100801.<Action>``).
CLOUDWATCH_TARGET = "GraniteServiceVersion20100801"
#: CloudWatch's limit of data points in one GetMetricStatistics answer.
MAX_DATAPOINTS = 1440
#: ListMetrics' page size, as CloudWatch's.
LIST_PAGE = 500
_GET_ARGS = (
    "MetricName",
    "Dimensions",
    "StartTime",
    "EndTime",
    "Period",
    "Statistics",
    "ExtendedStatistics",
    "Namespace",
    "Unit",
)


class CloudWatchError(Exception):
    """A CloudWatch error: its query-protocol ``code`` (``InvalidParameterValue``, ...), message
    and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def cloudwatch_call(state: ServeState, action: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """CloudWatch's ``GetMetricStatistics`` or ``ListMetrics`` as boto3's ``cloudwatch`` client
    calls them (the endpoint service routes them here): :class:`CloudWatchError` with
    CloudWatch's error codes, and, as CloudWatch, no error for a namespace, metric or dimension
    that has no data (an empty answer).

    >>> import tempfile, os
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> cloudwatch_call(st, "GetMetricStatistics", {"Namespace": "AWS/EC2",
    ...     "MetricName": "CPUUtilization", "StartTime": 0, "EndTime": 600, "Period": 60,
    ...     "Statistics": ["Average"]})
    {'Label': 'CPUUtilization', 'Datapoints': []}
    """
    if action == "GetMetricStatistics":
        return _cloudwatch_statistics(state, request)
    if action == "ListMetrics":
        return list_metrics(state, **{k: v for k, v in request.items() if k in _LIST_ARGS})
    raise CloudWatchError(
        "UnknownOperationException",
        f"The action {action} is not supported by amtune's endpoint service; supported "
        f"CloudWatch actions: GetMetricStatistics, ListMetrics",
    )


def _cloudwatch_statistics(state: ServeState, req: Mapping[str, Any]) -> dict[str, Any]:
    for key in ("Namespace", "MetricName", "StartTime", "EndTime", "Period"):
        if req.get(key) in (None, ""):
            raise CloudWatchError("MissingParameter", f"The parameter {key} is required.")
    args = {k: req[k] for k in _GET_ARGS if req.get(k) is not None}
    name = str(args["MetricName"])
    dims = {d.get("Name"): d.get("Value") for d in args.get("Dimensions") or []}
    try:
        start, end = _to_epoch(args["StartTime"]), _to_epoch(args["EndTime"])
        period = int(args["Period"])
    except (TypeError, ValueError) as exc:
        raise CloudWatchError("InvalidParameterValue", str(exc)) from None
    if start >= end:
        raise CloudWatchError(
            "InvalidParameterValue",
            "The parameter StartTime must be less than the parameter EndTime.",
        )
    if period > 0 and math.ceil((end - start) / period) > MAX_DATAPOINTS:
        raise CloudWatchError(
            "InvalidParameterCombination",
            f"You have requested up to {math.ceil((end - start) / period)} datapoints, which "
            f"exceeds the limit of {MAX_DATAPOINTS}. You may reduce the datapoints requested by "
            f"increasing Period, or decreasing the time range.",
        )
    if not args.get("Statistics") and not args.get("ExtendedStatistics"):
        raise CloudWatchError(
            "MissingParameter", "The parameter Statistics or ExtendedStatistics is required."
        )
    if args.get("Statistics") and args.get("ExtendedStatistics"):
        raise CloudWatchError(
            "InvalidParameterCombination",
            "The parameters Statistics and ExtendedStatistics are mutually exclusive.",
        )
    unit = args.get("Unit")
    empty = {"Label": name, "Datapoints": []}
    # metrics, dimensions and units amtune does not record have no data, as in CloudWatch
    if (
        args.get("Namespace") != NAMESPACE
        or name not in UNITS
        or "EndpointName" not in dims
        or set(dims) - {"EndpointName", "VariantName"}
        or (unit is not None and unit != UNITS[name])
    ):
        _check_statistics(args)
        return empty
    try:
        return get_metric_statistics(state, **args)
    except ValueError as exc:
        raise CloudWatchError("InvalidParameterValue", str(exc)) from None


def _check_statistics(args: Mapping[str, Any]) -> None:
    bad = [s for s in args.get("Statistics") or () if s not in STATISTICS]
    if bad:
        raise CloudWatchError(
            "InvalidParameterValue", f"Statistics: must be among {list(STATISTICS)}, got {bad}"
        )


_LIST_ARGS = ("Namespace", "MetricName", "Dimensions", "NextToken", "RecentlyActive")


def list_metrics(
    state: ServeState,
    *,
    Namespace: str | None = None,
    MetricName: str | None = None,
    Dimensions: Sequence[Mapping[str, str]] = (),
    NextToken: str | None = None,
    RecentlyActive: str | None = None,
) -> dict[str, Any]:
    """CloudWatch's ListMetrics over the endpoint metrics that have data (argument names as
    boto3's): each metric of each endpoint variant, with dimensions ``EndpointName`` and
    ``VariantName``; ``RecentlyActive="PT3H"`` keeps those with data in the past 3 hours.

    >>> import tempfile, os
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> rec = MetricsRecorder(st)
    >>> rec.record("ep", "A", 120.0, {"Invocations": 1})
    >>> rec.flush()
    >>> list_metrics(st, MetricName="Invocations")["Metrics"][0]["Dimensions"]
    [{'Name': 'EndpointName', 'Value': 'ep'}, {'Name': 'VariantName', 'Value': 'A'}]
    """
    if RecentlyActive not in (None, "PT3H"):
        raise CloudWatchError(
            "InvalidParameterValue",
            f"RecentlyActive: the only value is PT3H, got {RecentlyActive!r}",
        )
    try:
        offset = int(NextToken or 0)
    except ValueError:
        raise CloudWatchError("InvalidParameterValue", f"NextToken: {NextToken!r}") from None
    if Namespace not in (None, NAMESPACE):
        return {"Metrics": []}
    sql = "SELECT DISTINCT endpoint, variant, metric FROM serve_metrics WHERE minute >= ?"
    args: list[Any] = [0 if RecentlyActive is None else math.floor((time.time() - 3 * 3600) / 60)]
    if MetricName is not None:
        sql += " AND metric = ?"
        args.append(MetricName)
    metrics = []
    for r in state.all(sql + " ORDER BY endpoint, variant, metric", args):
        dims = [
            {"Name": "EndpointName", "Value": r["endpoint"]},
            {"Name": "VariantName", "Value": r["variant"]},
        ]
        have = {d["Name"]: d["Value"] for d in dims}
        if all(
            f.get("Name") in have and f.get("Value") in (None, have[f.get("Name")])
            for f in Dimensions
        ):
            metrics.append({"Namespace": NAMESPACE, "MetricName": r["metric"], "Dimensions": dims})
    out: dict[str, Any] = {"Metrics": metrics[offset : offset + LIST_PAGE]}
    if offset + LIST_PAGE < len(metrics):
        out["NextToken"] = str(offset + LIST_PAGE)
    return out


# ---------------------------------------------------------------------- the query protocol
#: CloudWatch's XML namespace (the query protocol, which botocore used for CloudWatch before its
#: JSON protocol)
XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/"
_MAPS = ("ExtendedStatistics",)  # structures that are maps (entry/key/value) in XML


def query_request(body: bytes) -> tuple[str, dict[str, Any]]:
    """The action and request of a query-protocol body (``Action=GetMetricStatistics&
    Dimensions.member.1.Name=...``): lists from ``.member.N``, ISO 8601 times as epoch seconds,
    ``Period`` as an integer.

    >>> query_request(b"Action=ListMetrics&Version=2010-08-01&Dimensions.member.1.Name=A")
    ('ListMetrics', {'Dimensions': [{'Name': 'A'}]})
    """
    from urllib.parse import parse_qsl

    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    action = fields.pop("Action", "")
    fields.pop("Version", None)
    req: dict[str, Any] = {}
    lists: dict[str, dict[int, Any]] = {}
    for key, value in fields.items():  # "X" or "X.member.N" or "X.member.N.Field"
        name, _, rest = key.partition(".member.")
        if not rest:
            req[name] = value
            continue
        index, _, field = rest.partition(".")
        if not index.isdigit():
            raise CloudWatchError("InvalidParameterValue", f"not a list member: {key!r}")
        items = lists.setdefault(name, {})
        if field:
            items.setdefault(int(index), {})[field] = value
        else:
            items[int(index)] = value
    req.update({name: [items[i] for i in sorted(items)] for name, items in lists.items()})
    for key in ("StartTime", "EndTime"):
        if isinstance(req.get(key), str):
            req[key] = _iso_epoch(req[key])
    if isinstance(req.get("Period"), str):
        try:
            req["Period"] = int(req["Period"])
        except ValueError:
            raise CloudWatchError("InvalidParameterValue", f"Period: {req['Period']!r}") from None
    return action, req


def _iso_epoch(text: str) -> float:
    try:
        t = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise CloudWatchError("InvalidParameterValue", f"not an ISO 8601 time: {text!r}") from None
    return _to_epoch(t)


def _xml(tag: str, value: Any) -> str:
    from xml.sax.saxutils import escape

    if value is None:
        return ""
    if isinstance(value, list):
        inner = "".join(_xml("member", v) for v in value)
    elif isinstance(value, dict) and tag in _MAPS:
        inner = "".join(
            f"<entry><key>{escape(str(k))}</key>{_xml('value', v)}</entry>"
            for k, v in value.items()
            if v is not None
        )
    elif isinstance(value, dict):
        inner = "".join(_xml(k, v) for k, v in value.items())
    elif isinstance(value, datetime):
        inner = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        inner = escape(str(value))
    return f"<{tag}>{inner}</{tag}>"


def query_response(action: str, doc: Mapping[str, Any], request_id: str) -> bytes:
    """An action's answer in the query protocol's XML."""
    meta = f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    return (
        f'<{action}Response xmlns="{XML_NAMESPACE}">{_xml(f"{action}Result", dict(doc))}'
        f"{meta}</{action}Response>"
    ).encode()


def query_error(exc: CloudWatchError, request_id: str) -> bytes:
    """An error in the query protocol's XML (botocore reads its ``Code`` and ``Message``)."""
    from xml.sax.saxutils import escape

    return (
        f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>Sender</Type>'
        f"<Code>{escape(exc.code)}</Code><Message>{escape(exc.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()

"""CloudWatch's own API for boto3's ``cloudwatch`` client, served by the endpoint service:
GetMetricStatistics, GetMetricData and ListMetrics (:func:`cloudwatch_call`), in the JSON protocol
of current botocore and the query protocol of older ones (:func:`query_request`,
:func:`query_response`), with CloudWatch's error codes.

Two namespaces have data. ``AWS/SageMaker``: the endpoint metrics of
:mod:`amtune.serve.cwmetrics`. ``/aws/sagemaker/TrainingJobs``, dimension ``TrainingJobName``:
every metric of a job's ``MetricDefinitions`` that the job emitted, read from the store's metric
series (:meth:`amtune.store.Store.metrics`: each emission with its time), unit ``None``; the
statistics are computed from the emissions of each period. SageMaker's per-instance metrics
(``Host=<job>/algo-1``: ``CPUUtilization``, ``MemoryUtilization``, ...) are not recorded: they
have no data (ListMetrics lists none, GetMetricData answers no data points), as in CloudWatch for
a metric without data.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from amtune.serve.cwmetrics import (
    NAMESPACE,
    STATISTICS,
    TRAINING_NAMESPACE,
    TRAINING_UNIT,
    UNITS,
    get_metric_statistics,
    to_epoch,
)
from amtune.serve.request_shapes import ShapeError, check_request
from amtune.serve.state import ServeState
from amtune.store import STANDALONE, NotFoundError, Store

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


def cloudwatch_call(
    state: ServeState,
    action: str,
    request: Mapping[str, Any],
    store: Store | None = None,
) -> dict[str, Any]:
    """CloudWatch's ``GetMetricStatistics``, ``GetMetricData`` or ``ListMetrics`` as boto3's
    ``cloudwatch`` client calls them (the endpoint service routes them here), over the endpoint
    metrics (``AWS/SageMaker``) and the training-job metrics (``/aws/sagemaker/TrainingJobs``,
    read from ``store``; by default from the store file of ``state``, opened read-only for the
    call): :class:`CloudWatchError` with CloudWatch's error codes, and, as CloudWatch, no error
    for a namespace, metric or dimension that has no data (an empty answer).

    >>> import tempfile, os
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> cloudwatch_call(st, "GetMetricStatistics", {"Namespace": "AWS/EC2",
    ...     "MetricName": "CPUUtilization", "StartTime": 0, "EndTime": 600, "Period": 60,
    ...     "Statistics": ["Average"]})
    {'Label': 'CPUUtilization', 'Datapoints': []}
    """
    if action not in ("GetMetricStatistics", "GetMetricData", "ListMetrics"):
        raise CloudWatchError(
            "UnknownOperationException",
            f"The action {action} is not supported by amtune's endpoint service; supported "
            f"CloudWatch actions: GetMetricStatistics, GetMetricData, ListMetrics",
        )
    _check_shape(action, request)
    with _training_store(state, store) as training:
        if action == "GetMetricStatistics":
            return _cloudwatch_statistics(state, training, request)
        if action == "GetMetricData":
            return get_metric_data(state, request, training)
        args = {k: v for k, v in request.items() if k in _LIST_ARGS}
        return list_metrics(state, store=training, **args)


def _check_shape(action: str, request: Mapping[str, Any]) -> None:
    """``request`` against ``action``'s input shape in botocore's ``cloudwatch`` model (types,
    required members, lengths such as 5 ``Statistics`` and 30 ``Dimensions``, the ``Unit`` enum,
    the ``Namespace`` pattern ``[^:].*``, 32-bit ``Period``): a missing member is CloudWatch's
    ``MissingParameter``, any other broken rule its ``InvalidParameterValue``, naming the
    member. The ``Statistics`` and ``ScanBy`` enums are left to the actions' own checks (their
    messages list the values amtune computes)."""
    relax = {"Statistic": frozenset({"enum"}), "ScanBy": frozenset({"enum"})}
    try:
        check_request(action, request, relax, service="cloudwatch")
    except ShapeError as exc:
        if exc.missing:
            raise CloudWatchError(
                "MissingParameter", f"The parameter {exc.path} is required."
            ) from None
        raise CloudWatchError("InvalidParameterValue", str(exc)) from None


@contextmanager
def _training_store(state: ServeState, store: Store | None) -> Iterator[Store | None]:
    """``store``, or the store file of ``state`` opened read-only (None when it has no tuning
    tables yet: no training job ever ran there)."""
    if store is not None:
        yield store
        return
    try:
        opened: Store | None = Store(state.path, readonly=True)
    except (ValueError, NotFoundError):
        opened = None
    try:
        yield opened
    finally:
        if opened is not None:
            opened.close()


def _cloudwatch_statistics(
    state: ServeState, store: Store | None, req: Mapping[str, Any]
) -> dict[str, Any]:
    for key in ("Namespace", "MetricName", "StartTime", "EndTime", "Period"):
        if req.get(key) in (None, ""):
            raise CloudWatchError("MissingParameter", f"The parameter {key} is required.")
    args = {k: req[k] for k in _GET_ARGS if req.get(k) is not None}
    name = str(args["MetricName"])
    dims = _dims(args.get("Dimensions"))
    try:
        start, end = to_epoch(args["StartTime"]), to_epoch(args["EndTime"])
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
    if args.get("Namespace") == TRAINING_NAMESPACE:
        return _training_statistics(store, args, dims, start, end, period)
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


def _dims(dimensions: Any) -> dict[str, Any]:
    return {str(d.get("Name")): d.get("Value") for d in dimensions or () if isinstance(d, Mapping)}


# ---------------------------------------------------------------------- training-job metrics
#: Periods CloudWatch accepts (high resolution below a minute); amtune keeps every emission of a
#: training job, so any of them has data.
_SUB_MINUTE = (1, 5, 10, 20, 30)
_PERCENTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")


def _valid_period(period: int) -> bool:
    return period in _SUB_MINUTE or (period > 0 and period % 60 == 0)


def _percentile_of(stat: str) -> float | None:
    """``q`` of a percentile statistic ``pq`` (0 to 100), None for anything else."""
    m = _PERCENTILE.match(stat)
    if m is None or not 0 <= float(m.group(1)) <= 100:
        return None
    return float(m.group(1))


def _statistic(values: Sequence[float], stat: str) -> float:
    """One statistic of the emissions of a period: SampleCount, Sum, Average, Minimum, Maximum or
    a percentile ``pq`` (nearest rank).

    >>> [_statistic([3.0, 1.0, 2.0], s) for s in ("Average", "Minimum", "p50", "p100")]
    [2.0, 1.0, 2.0, 3.0]
    """
    if stat == "SampleCount":
        return float(len(values))
    if stat == "Sum":
        return float(sum(values))
    if stat == "Average":
        return float(sum(values)) / len(values)
    if stat == "Minimum":
        return float(min(values))
    if stat == "Maximum":
        return float(max(values))
    q = _percentile_of(stat)
    if q is None:
        raise ValueError(f"not a statistic: {stat!r}")
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1])


def _job_series(store: Store | None, job: str) -> dict[str, list[tuple[float, float]]]:
    """The emissions ``(time, value)`` of training job ``job`` by metric name (none for a job the
    store does not have)."""
    if store is None:
        return {}
    try:
        row = store.get_training_job(job)
    except NotFoundError:
        return {}
    series: dict[str, list[tuple[float, float]]] = {}
    for m in store.metrics(row["tuning_job"], row["seq"]):
        series.setdefault(m["name"], []).append((float(m["time"]), float(m["value"])))
    return series


def _training_metrics(store: Store | None, job: str | None) -> list[tuple[str, str, float]]:
    """``(training job, metric, time of its last emission)`` of every metric that a training job
    (``job``, or any) emitted, sorted by job and metric."""
    if store is None:
        return []
    if job is not None:
        return sorted((job, n, max(t for t, _ in s)) for n, s in _job_series(store, job).items())
    last: dict[tuple[str, str], float] = {}
    for tuning in (STANDALONE, *(t["name"] for t in store.list_tuning_jobs())):
        names = {r["seq"]: r["name"] for r in store.training_jobs(tuning)}
        for m in store.metrics(tuning):
            if m["seq"] in names:
                key = (names[m["seq"]], m["name"])
                last[key] = max(last.get(key, -math.inf), float(m["time"]))
    return sorted((j, n, t) for (j, n), t in last.items())


def _training_buckets(
    store: Store | None,
    name: str,
    dims: Mapping[str, Any],
    unit: Any,
    start: float,
    end: float,
    period: int,
) -> dict[int, list[float]]:
    """The emissions of a training-job metric in ``[start, end)`` (``start`` rounded down to the
    minute, as CloudWatch does) by period (periods start at multiples of ``period`` since the
    epoch); none for dimensions or a unit amtune does not record."""
    if set(dims) != {"TrainingJobName"} or unit not in (None, TRAINING_UNIT):
        return {}
    step = min(period, 60)
    lo = math.floor(start / step) * step
    buckets: dict[int, list[float]] = {}
    for t, v in _job_series(store, str(dims["TrainingJobName"])).get(name, []):
        if lo <= t < end:
            buckets.setdefault(math.floor(t / period) * period, []).append(v)
    return buckets


def _training_statistics(
    store: Store | None,
    args: Mapping[str, Any],
    dims: Mapping[str, Any],
    start: float,
    end: float,
    period: int,
) -> dict[str, Any]:
    """GetMetricStatistics over a training-job metric."""
    if not _valid_period(period):
        raise CloudWatchError(
            "InvalidParameterValue",
            f"Period: must be 1, 5, 10, 20, 30 or a multiple of 60 seconds, got {period}",
        )
    _check_statistics(args)
    extended = list(args.get("ExtendedStatistics") or ())
    bad = [e for e in extended if _percentile_of(str(e)) is None]
    if bad:
        raise CloudWatchError(
            "InvalidParameterValue", f"ExtendedStatistics: percentiles are p0 to p100, got {bad}"
        )
    name = str(args["MetricName"])
    buckets = _training_buckets(store, name, dims, args.get("Unit"), start, end, period)
    points = []
    for b in sorted(buckets):
        p: dict[str, Any] = {
            "Timestamp": datetime.fromtimestamp(b, tz=timezone.utc),
            "Unit": TRAINING_UNIT,
        }
        for s in args.get("Statistics") or ():
            p[s] = _statistic(buckets[b], s)
        if extended:
            p["ExtendedStatistics"] = {e: _statistic(buckets[b], e) for e in extended}
        points.append(p)
    return {"Label": name, "Datapoints": points}


# ---------------------------------------------------------------------- GetMetricData
#: CloudWatch's limit of data points in one GetMetricData answer (MaxDatapoints' default) and of
#: queries in one request.
MAX_METRIC_DATA_POINTS = 100_800
MAX_QUERIES = 500
_QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_SCAN_BY = ("TimestampDescending", "TimestampAscending")


def _validation(message: str) -> CloudWatchError:
    """GetMetricData's errors in a query: CloudWatch answers them as ``ValidationError``."""
    return CloudWatchError("ValidationError", message)


def get_metric_data(
    state: ServeState, request: Mapping[str, Any], store: Store | None = None
) -> dict[str, Any]:
    """CloudWatch's GetMetricData (the request as boto3's ``get_metric_data`` arguments):
    ``MetricStat`` queries over the endpoint metrics and the training-job metrics, each answered
    with its ``Id``, ``Label`` (default: the metric name), ``Timestamps`` and ``Values`` (newest
    first unless ``ScanBy="TimestampAscending"``) and ``StatusCode``; ``MaxDatapoints`` and
    ``NextToken`` page the data points. An ``Expression`` may only name another query's ``Id``
    (amtune does not evaluate metric math or Metrics Insights). A metric without data (a
    namespace, dimension or unit amtune does not record, or SageMaker's per-instance ``Host``
    metrics of a training job) answers no data points, as in CloudWatch.

    >>> import tempfile, os
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> from amtune.serve.cwmetrics import MetricsRecorder
    >>> rec = MetricsRecorder(st)
    >>> rec.record("ep", "A", 120.0, {"Invocations": 1})
    >>> rec.flush()
    >>> r = get_metric_data(st, {"StartTime": 0, "EndTime": 600, "MetricDataQueries": [
    ...     {"Id": "m1", "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {
    ...         "Namespace": "AWS/SageMaker", "MetricName": "Invocations",
    ...         "Dimensions": [{"Name": "EndpointName", "Value": "ep"}]}}}]})
    >>> res = r["MetricDataResults"][0]
    >>> res["Label"], [t.minute for t in res["Timestamps"]], res["Values"], res["StatusCode"]
    ('Invocations', [2], [1.0], 'Complete')
    """
    for key in ("MetricDataQueries", "StartTime", "EndTime"):
        if request.get(key) in (None, "", []):
            raise CloudWatchError("MissingParameter", f"The parameter {key} is required.")
    try:
        start, end = to_epoch(request["StartTime"]), to_epoch(request["EndTime"])
    except (TypeError, ValueError) as exc:
        raise CloudWatchError("InvalidParameterValue", str(exc)) from None
    if start >= end:
        raise CloudWatchError(
            "InvalidParameterValue",
            "The parameter StartTime must be less than the parameter EndTime.",
        )
    scan = request.get("ScanBy") or "TimestampDescending"
    if scan not in _SCAN_BY:
        raise CloudWatchError(
            "InvalidParameterValue", f"ScanBy: must be one of {list(_SCAN_BY)}, got {scan!r}"
        )
    limit = request.get("MaxDatapoints")
    try:
        limit = MAX_METRIC_DATA_POINTS if limit is None else int(limit)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1:
        raise CloudWatchError(
            "InvalidParameterValue",
            f"MaxDatapoints: must be a positive integer, got {request.get('MaxDatapoints')!r}",
        )
    queries = request["MetricDataQueries"]
    if not isinstance(queries, list) or len(queries) > MAX_QUERIES:
        raise _validation(f"MetricDataQueries: from 1 to {MAX_QUERIES} queries are allowed.")
    stats = {q.get("Id") for q in queries if isinstance(q, Mapping) and q.get("MetricStat")}
    seen: set[str] = set()
    series: list[tuple[Mapping[str, Any], list[tuple[float, float]]]] = []
    by_id: dict[str, list[tuple[float, float]]] = {}
    for i, q in enumerate(queries, 1):
        where = f"MetricDataQueries.member.{i}"
        if not isinstance(q, Mapping):
            raise _validation(f"The parameter {where} must be a structure.")
        qid = q.get("Id")
        if not qid:
            raise _validation(f"The parameter {where}.Id is required.")
        if not isinstance(qid, str) or not _QUERY_ID.match(qid):
            raise _validation(
                f"The value {qid} for parameter {where}.Id is invalid: it starts with a "
                f"lowercase letter and has only letters, numbers and underscores."
            )
        if qid in seen:
            raise _validation(f"The value {qid} for parameter {where}.Id is not unique.")
        seen.add(qid)
        stat, expr = q.get("MetricStat"), q.get("Expression")
        if stat and expr:
            raise _validation(
                f"The parameters {where}.MetricStat and {where}.Expression are mutually exclusive."
            )
        if expr:
            if str(expr).strip() not in stats or str(expr).strip() == qid:
                raise _validation(
                    f"The value {expr} for parameter {where}.Expression is not supported by "
                    f"amtune's endpoint service: it evaluates no metric math and no Metrics "
                    f"Insights query; an Expression may only be the Id of a MetricStat query of "
                    f"the same request (compute other expressions from the MetricStat results)."
                )
            series.append((q, []))  # filled in below, from the query it names
            continue
        if not stat:
            raise _validation(f"The parameter {where}.MetricStat is required.")
        points = _metric_stat_points(state, store, stat, f"{where}.MetricStat", start, end)
        by_id[qid] = points
        series.append((q, points))
    results = []
    for q, points in series:
        if q.get("Expression"):
            points = by_id[str(q["Expression"]).strip()]
        if q.get("ReturnData") is False:
            continue
        metric = (q.get("MetricStat") or {}).get("Metric") or {}
        label = q.get("Label") or metric.get("MetricName") or q["Id"]
        ordered = sorted(points, reverse=scan == "TimestampDescending")
        results.append((q["Id"], label, ordered))
    return _page(results, limit, request.get("NextToken"))


def _metric_stat_points(
    state: ServeState,
    store: Store | None,
    stat: Any,
    where: str,
    start: float,
    end: float,
) -> list[tuple[float, float]]:
    """``(period start, value)`` of one ``MetricStat``, oldest first."""
    if not isinstance(stat, Mapping):
        raise _validation(f"The parameter {where} must be a structure.")
    for key in ("Metric", "Period", "Stat"):
        if stat.get(key) in (None, ""):
            raise _validation(f"The parameter {where}.{key} is required.")
    try:
        period = int(stat["Period"])
    except (TypeError, ValueError):
        period = 0
    if not _valid_period(period):
        raise _validation(
            f"The value {stat['Period']} for parameter {where}.Period is invalid: it is 1, 5, "
            f"10, 20, 30 or a multiple of 60 seconds."
        )
    name = str(stat["Stat"])
    q = _percentile_of(name)
    if name not in STATISTICS and q is None:
        raise _validation(
            f"The value {name} for parameter {where}.Stat is not a valid statistic (amtune "
            f"computes {', '.join(STATISTICS)} and percentiles p0 to p100)."
        )
    metric = stat["Metric"] if isinstance(stat["Metric"], Mapping) else {}
    metric_name, dims, unit = (
        metric.get("MetricName"),
        _dims(metric.get("Dimensions")),
        stat.get("Unit"),
    )
    if metric.get("Namespace") == TRAINING_NAMESPACE and metric_name:
        buckets = _training_buckets(store, str(metric_name), dims, unit, start, end, period)
        return [(float(b), _statistic(buckets[b], name)) for b in sorted(buckets)]
    if (
        metric.get("Namespace") != NAMESPACE
        or metric_name not in UNITS
        or "EndpointName" not in dims
        or set(dims) - {"EndpointName", "VariantName"}
        or (unit is not None and unit != UNITS[str(metric_name)])
    ):
        return []  # not recorded by amtune: no data, as in CloudWatch
    if period % 60:
        raise _validation(
            f"The value {period} for parameter {where}.Period is invalid for {metric_name}: "
            f"amtune keeps endpoint metrics in 1-minute buckets (a multiple of 60 seconds)."
        )
    kw: dict[str, Any] = {"ExtendedStatistics": [name]} if q is not None else {"Statistics": [name]}
    r = get_metric_statistics(
        state,
        MetricName=str(metric_name),
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=start,
        EndTime=end,
        Period=period,
        **kw,
    )
    points = []
    for p in r["Datapoints"]:
        v = p["ExtendedStatistics"][name] if q is not None else p[name]
        if v is not None and not math.isnan(v):
            points.append((p["Timestamp"].timestamp(), float(v)))
    return points


def _page(
    results: Sequence[tuple[str, str, list[tuple[float, float]]]], limit: int, token: Any
) -> dict[str, Any]:
    """One page of at most ``limit`` data points over the results in order; ``NextToken`` (the
    number of data points given before) when more remain."""
    total = sum(len(p) for _, _, p in results)
    try:
        offset = int(token or 0)
    except (TypeError, ValueError):
        offset = -1
    if not 0 <= offset <= total:
        raise CloudWatchError("InvalidNextToken", f"The NextToken {token!r} is not valid.")
    out = []
    skip, room = offset, limit
    for qid, label, points in results:
        first = min(skip, len(points))
        skip -= first
        given = points[first : first + room]
        room -= len(given)
        out.append(
            {
                "Id": qid,
                "Label": label,
                "Timestamps": [datetime.fromtimestamp(t, tz=timezone.utc) for t, _ in given],
                "Values": [v for _, v in given],
                "StatusCode": "Complete" if first + len(given) == len(points) else "PartialData",
            }
        )
    doc: dict[str, Any] = {"MetricDataResults": out, "Messages": []}
    if offset + limit < total:
        doc["NextToken"] = str(offset + limit)
    return doc


_LIST_ARGS = ("Namespace", "MetricName", "Dimensions", "NextToken", "RecentlyActive")


def list_metrics(
    state: ServeState,
    *,
    Namespace: str | None = None,
    MetricName: str | None = None,
    Dimensions: Sequence[Mapping[str, str]] = (),
    NextToken: str | None = None,
    RecentlyActive: str | None = None,
    store: Store | None = None,
) -> dict[str, Any]:
    """CloudWatch's ListMetrics over the metrics that have data (argument names as boto3's):
    each endpoint metric of each endpoint variant (dimensions ``EndpointName`` and
    ``VariantName``), then each metric each training job emitted (namespace
    ``/aws/sagemaker/TrainingJobs``, dimension ``TrainingJobName``, read from ``store``, by
    default the store file of ``state``); ``RecentlyActive="PT3H"`` keeps those with data in the
    past 3 hours. SageMaker's per-instance metrics (``Host``) are not recorded: none is listed.

    >>> import tempfile, os
    >>> st = ServeState(os.path.join(tempfile.mkdtemp(), "s.db"))
    >>> from amtune.serve.cwmetrics import MetricsRecorder
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
    since = -math.inf if RecentlyActive is None else time.time() - 3 * 3600

    def matches(have: Mapping[str, str]) -> bool:
        return all(
            f.get("Name") in have and f.get("Value") in (None, have.get(str(f.get("Name"))))
            for f in Dimensions
        )

    metrics: list[dict[str, Any]] = []
    if Namespace in (None, NAMESPACE):
        sql = "SELECT DISTINCT endpoint, variant, metric FROM serve_metrics WHERE minute >= ?"
        args: list[Any] = [0 if RecentlyActive is None else math.floor(since / 60)]
        if MetricName is not None:
            sql += " AND metric = ?"
            args.append(MetricName)
        for r in state.all(sql + " ORDER BY endpoint, variant, metric", args):
            dims = [
                {"Name": "EndpointName", "Value": r["endpoint"]},
                {"Name": "VariantName", "Value": r["variant"]},
            ]
            if matches({d["Name"]: d["Value"] for d in dims}):
                metrics.append(
                    {"Namespace": NAMESPACE, "MetricName": r["metric"], "Dimensions": dims}
                )
    if Namespace in (None, TRAINING_NAMESPACE):
        job = _dims(Dimensions).get("TrainingJobName")
        with _training_store(state, store) as training:
            found = _training_metrics(training, job if isinstance(job, str) else None)
        for job_name, metric, last in found:
            if (MetricName is None or metric == MetricName) and last >= since:
                if matches({"TrainingJobName": job_name}):
                    metrics.append(
                        {
                            "Namespace": TRAINING_NAMESPACE,
                            "MetricName": metric,
                            "Dimensions": [{"Name": "TrainingJobName", "Value": job_name}],
                        }
                    )
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
    Dimensions.member.1.Name=...``): structures from ``A.B``, lists from ``.member.N`` (at any
    depth, as GetMetricData's ``MetricDataQueries.member.1.MetricStat.Metric.Dimensions...``),
    ISO 8601 times as epoch seconds, ``Period``, ``MaxDatapoints`` as integers and ``ReturnData``
    as a boolean.

    >>> query_request(b"Action=ListMetrics&Version=2010-08-01&Dimensions.member.1.Name=A")
    ('ListMetrics', {'Dimensions': [{'Name': 'A'}]})
    """
    from urllib.parse import parse_qsl

    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    action = fields.pop("Action", "")
    fields.pop("Version", None)
    tree: dict[str, Any] = {}
    for key, value in fields.items():
        *path, last = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise CloudWatchError("InvalidParameterValue", f"not a structure: {key!r}")
        if isinstance(node.get(last), dict):
            raise CloudWatchError("InvalidParameterValue", f"not a value: {key!r}")
        node[last] = value
    req = _query_lists(tree, "")
    for key in _QUERY_LISTS:  # the query protocol sends an empty list as "Key="
        if req.get(key) == "":
            req[key] = []
    for key in ("StartTime", "EndTime"):
        if isinstance(req.get(key), str):
            req[key] = _iso_epoch(req[key])
    _query_ints(req, "Period", "MaxDatapoints")
    for q in req.get("MetricDataQueries") or ():
        if isinstance(q, dict):
            _query_ints(q, "Period")
            if isinstance(q.get("MetricStat"), dict):
                _query_ints(q["MetricStat"], "Period")
            if isinstance(q.get("ReturnData"), str):
                q["ReturnData"] = q["ReturnData"].lower() != "false"
    return action, req


#: list members of the three actions' requests (an empty one comes as ``Dimensions=``)
_QUERY_LISTS = ("Dimensions", "Statistics", "ExtendedStatistics", "MetricDataQueries")


def _query_lists(node: Any, where: str) -> Any:
    """``{"member": {"1": a, "2": b}}`` as ``[a, b]``, at any depth."""
    if not isinstance(node, dict):
        return node
    if set(node) == {"member"} and isinstance(node["member"], dict):
        items = node["member"]
        bad = [k for k in items if not k.isdigit()]
        if bad:
            raise CloudWatchError(
                "InvalidParameterValue", f"not a list member: {where}member.{bad[0]}"
            )
        return [_query_lists(items[k], f"{where}member.{k}.") for k in sorted(items, key=int)]
    return {k: _query_lists(v, f"{where}{k}.") for k, v in node.items()}


def _query_ints(doc: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if isinstance(doc.get(key), str):
            try:
                doc[key] = int(doc[key])
            except ValueError:
                raise CloudWatchError(
                    "InvalidParameterValue",
                    f"The parameter {key} must be an integer, got {doc[key]!r}.",
                ) from None


def _iso_epoch(text: str) -> float:
    try:
        t = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise CloudWatchError("InvalidParameterValue", f"not an ISO 8601 time: {text!r}") from None
    return to_epoch(t)


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

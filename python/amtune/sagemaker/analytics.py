"""The SageMaker SDK's analytics classes, reading the store: ``HyperparameterTuningJobAnalytics``
(a tuning job's training jobs as a table, its ranges, description and training job summaries) and
``TrainingJobAnalytics`` (a training job's metric series).

The store is found as ``HyperparameterTuner.attach`` finds it: ``db=`` (a path or
``sqlite:///path``), else the store of ``sagemaker_session`` when it is an ``amtune.Session``,
else ``amtune.db`` in the current directory, so a notebook that ran its tuning job in its own
directory names the job and nothing else.

>>> import amtune, tempfile, os
>>> db = os.path.join(tempfile.mkdtemp(), "amtune.db")
>>> def train(hp, reporter):
...     reporter.report("loss", hp["x"] ** 2)
>>> tuner = amtune.HyperparameterTuner("loss", {"x": amtune.ContinuousParameter(-1.0, 1.0)},
...     objective_type="Minimize", strategy="Random", max_jobs=3, random_seed=1,
...     runner="thread", quiet=True, db=db)
>>> tuner.fit(train, job_name="analytics-doc")
>>> a = amtune.HyperparameterTuningJobAnalytics("analytics-doc", db=db)
>>> a.name, len(a.dataframe()), list(a.tuning_ranges)
('analytics-doc', 3, ['x'])
>>> job = a.dataframe()["TrainingJobName"][0]
>>> amtune.TrainingJobAnalytics(job, db=db).dataframe().columns.tolist()
['timestamp', 'metric_name', 'value']
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from amtune.analytics import AnalyticsFrame, describe, table, training_job_summary
from amtune.sagemaker.document import StoredConfig
from amtune.sagemaker.session import store_of_session
from amtune.sagemaker.training import describe_training_job
from amtune.store import NotFoundError, Store, resolve_db_path

logger = logging.getLogger(__name__)


def open_store(db: str | os.PathLike[str] | None, what: str, name: str) -> Store:
    """The store holding ``name`` (see the module docstring); a missing store is one
    :class:`~amtune.store.NotFoundError` naming the job and where it looked."""
    path = resolve_db_path(db)
    if not path.exists():
        raise NotFoundError(
            f"no {what} named {name!r}: no amtune store at {path} (run in the directory of the "
            f"job's amtune.db, or pass db=)"
        )
    return Store(path)


class HyperparameterTuningJobAnalytics(AnalyticsFrame):
    """A tuning job's results, as the SageMaker SDK's ``HyperparameterTuningJobAnalytics``.

    ``HyperparameterTuningJobAnalytics(hyperparameter_tuning_job_name, sagemaker_session=None,
    db=None)``: ``name``; ``dataframe(force_refresh=False)``: one row per training job, the SDK's
    columns (a column per tuned hyperparameter, as the SDK types it: a float when the value reads
    as a number, else the string; ``TrainingJobName``, ``TrainingJobStatus``,
    ``FinalObjectiveValue``, ``TrainingStartTime``, ``TrainingEndTime``,
    ``TrainingElapsedTimeSeconds``) plus amtune's ``ObjectiveStatus``, ``Attempts`` and
    ``FailureReason`` (NaN when none); ``export_csv(filename)`` (with the index column, as the
    SDK writes it);
    ``tuning_ranges``: hyperparameter name -> its range in ``ParameterRanges``;
    ``description(force_refresh=False)``: the DescribeHyperParameterTuningJob document;
    ``training_job_summaries(force_refresh=False)``: the ``TrainingJobSummary`` list of
    ListTrainingJobsForHyperParameterTuningJob; ``clear_cache()``. Results are read once and kept
    until ``clear_cache()`` or ``force_refresh=True``.

    The object is also the table itself as read when it was made (a DataFrame: ``len(a)``,
    ``a["FinalObjectiveValue"]``, what ``tuner.analytics()`` returned before); a tuned
    hyperparameter called ``name`` is read as ``a["name"]``.

    >>> import amtune, tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "amtune.db")
    >>> tuner = amtune.HyperparameterTuner("score",
    ...     {"n": amtune.IntegerParameter(1, 4), "c": amtune.CategoricalParameter(["a", "b"])},
    ...     strategy="Random", max_jobs=2, random_seed=0, runner="thread", quiet=True, db=db)
    >>> tuner.fit(lambda hp, reporter: float(hp["n"]), job_name="htja-doc")
    >>> a = amtune.HyperparameterTuningJobAnalytics("htja-doc", db=db)
    >>> a.dataframe()["n"].dtype, a.tuning_ranges["c"]
    (dtype('float64'), {'Name': 'c', 'Values': ['a', 'b']})
    >>> a.training_job_summaries()[0]["TuningJobName"]
    'htja-doc'
    """

    _metadata = ["tuning_job_name", "db_path"]  # noqa: RUF012 - pandas subclassing protocol
    db_path: str | None = None
    _store: Store | None = None
    _cached_frame: pd.DataFrame | None = None
    _cached_description: dict[str, Any] | None = None
    _cached_summaries: list[dict[str, Any]] | None = None

    def __init__(
        self,
        hyperparameter_tuning_job_name: str,
        sagemaker_session: Any = None,
        *,
        db: str | os.PathLike[str] | None = None,
        store: Store | None = None,
    ) -> None:
        name = hyperparameter_tuning_job_name
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"hyperparameter_tuning_job_name: must be a tuning job name, got {name!r}"
            )
        db = store_of_session(sagemaker_session, db)
        st = store if store is not None else open_store(db, "tuning job", name)
        frame = table(st, name, sdk_types=True)  # NotFoundError names the job and the store
        super().__init__(frame)  # type: ignore[call-arg]  # pandas-stubs type __new__ only
        self.tuning_job_name = str(name)
        self.db_path = str(st.path)
        self._store = st
        self._cached_frame = pd.DataFrame(frame)

    @property
    def name(self) -> str:
        """Name of the tuning job."""
        return str(self.tuning_job_name)

    def __repr__(self) -> str:
        return f"<amtune.HyperparameterTuningJobAnalytics for {self.name}>\n{super().__repr__()}"

    # ------------------------------------------------------------------ the SDK's methods
    def _reader(self) -> Store:
        if self._store is None:  # an unpickled object: the store by its path
            self._store = Store(self.db_path)
        return self._store

    def clear_cache(self) -> None:
        """Forget what was read: the next call reads the store again."""
        self._cached_frame = None
        self._cached_description = None
        self._cached_summaries = None

    def dataframe(self, force_refresh: bool = False) -> pd.DataFrame:
        if force_refresh:
            self.clear_cache()
        if self._cached_frame is None:
            self._cached_frame = table(self._reader(), self.name, sdk_types=True)
        return self._cached_frame

    def export_csv(self, filename: str | os.PathLike[str]) -> None:
        self.dataframe().to_csv(filename)  # with the index column, as the SDK writes it

    def description(self, force_refresh: bool = False) -> dict[str, Any]:
        """The DescribeHyperParameterTuningJob document."""
        if force_refresh:
            self.clear_cache()
        if self._cached_description is None:
            self._cached_description = describe(self._reader(), self.name)
        return self._cached_description

    def training_job_summaries(self, force_refresh: bool = False) -> list[dict[str, Any]]:
        """Every training job's ``TrainingJobSummary``, in the order they were created."""
        if force_refresh:
            self.clear_cache()
        if self._cached_summaries is None:
            st = self._reader()
            objective = StoredConfig(st.get_tuning_job(self.name)["config"]).objective
            self._cached_summaries = [
                training_job_summary(r, objective, self.name) for r in st.training_jobs(self.name)
            ]
        return self._cached_summaries

    @property
    def tuning_ranges(self) -> dict[str, dict[str, Any]]:
        """Hyperparameter name -> its range in ``ParameterRanges`` (``{"Name", "MinValue",
        "MaxValue", "ScalingType"}`` or ``{"Name", "Values"}``)."""
        ranges = self.description()["HyperParameterTuningJobConfig"]["ParameterRanges"]
        return {r["Name"]: r for kind in ranges.values() for r in kind}


def _epoch(t: Any, field: str) -> float | None:
    """A time bound as epoch seconds: a datetime (naive means UTC, as boto3's) or a number."""
    if t is None:
        return None
    if isinstance(t, datetime):
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(t, (int, float)) and not isinstance(t, bool):
        return float(t)
    raise TypeError(f"{field}: must be a datetime or epoch seconds, got {t!r}")


class TrainingJobAnalytics:
    """A training job's metric series, as the SageMaker SDK's ``TrainingJobAnalytics``.

    ``TrainingJobAnalytics(training_job_name, metric_names=None, sagemaker_session=None,
    start_time=None, end_time=None, period=None, db=None)``: ``dataframe(force_refresh=False)``
    has the columns ``timestamp`` (seconds since the metric's first point, as the SDK computes it
    from CloudWatch), ``metric_name`` and ``value``, metric after metric in ``metric_names``
    order. ``metric_names=None`` means the job's metric definitions (a job of a training function,
    which has none: every metric it reported). Without ``period`` every emission is a point (the
    store keeps them all); with ``period`` (seconds), a point is the average of a period, as
    CloudWatch's ``Average`` statistic. ``start_time``/``end_time`` (datetimes or epoch seconds)
    keep the emissions between them. A metric with no point is skipped (a log warning), as in the
    SDK. Works for a job run by ``Estimator.fit`` and for a tuning job's training job.

    >>> import amtune, tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "amtune.db")
    >>> def train(hp, reporter):
    ...     for epoch in range(3):
    ...         reporter.report("loss", 1.0 / (epoch + 1))
    >>> tuner = amtune.HyperparameterTuner("loss", {"x": amtune.ContinuousParameter(0.0, 1.0)},
    ...     objective_type="Minimize", strategy="Random", max_jobs=1, runner="thread",
    ...     quiet=True, db=db)
    >>> tuner.fit(train, job_name="tja-doc")
    >>> df = amtune.TrainingJobAnalytics(tuner.best_training_job(), db=db).dataframe()
    >>> df["metric_name"].tolist(), df["value"].round(3).tolist()
    (['loss', 'loss', 'loss'], [1.0, 0.5, 0.333])
    """

    def __init__(
        self,
        training_job_name: str,
        metric_names: list[str] | None = None,
        sagemaker_session: Any = None,
        start_time: Any = None,
        end_time: Any = None,
        period: float | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
    ) -> None:
        if not isinstance(training_job_name, str) or not training_job_name:
            raise TypeError(f"training_job_name: must be a job name, got {training_job_name!r}")
        if period is not None and (
            isinstance(period, bool) or not isinstance(period, (int, float)) or not period > 0
        ):
            raise ValueError(f"period: must be a number of seconds > 0, got {period!r}")
        if metric_names is not None and (
            isinstance(metric_names, str) or not all(isinstance(m, str) for m in metric_names)
        ):
            raise TypeError(f"metric_names: must be a list of metric names, got {metric_names!r}")
        self._name = training_job_name
        self._store = open_store(
            store_of_session(sagemaker_session, db), "training job", training_job_name
        )
        self._row = self._store.get_training_job(training_job_name)  # NotFoundError: names both
        self._start = _epoch(start_time, "start_time")
        self._end = _epoch(end_time, "end_time")
        self._period = None if period is None else float(period)
        self._metric_names = list(metric_names) if metric_names else self._defined_names()
        self._frame: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """Name of the training job."""
        return self._name

    def __repr__(self) -> str:
        return f"<amtune.TrainingJobAnalytics for {self.name}>"

    def _defined_names(self) -> list[str]:
        d = describe_training_job(self._store, self._name)
        names = [m["Name"] for m in d["AlgorithmSpecification"].get("MetricDefinitions") or []]
        if names:
            return names
        seen: dict[str, None] = {}
        for m in self._store.metrics(self._row["tuning_job"], self._row["seq"]):
            seen.setdefault(m["name"], None)
        return list(seen)

    def clear_cache(self) -> None:
        """Forget what was read: the next ``dataframe()`` reads the store again."""
        self._frame = None

    def dataframe(self, force_refresh: bool = False) -> pd.DataFrame:
        if force_refresh:
            self.clear_cache()
        if self._frame is None:
            self._frame = self._fetch()
        return self._frame

    def export_csv(self, filename: str | os.PathLike[str]) -> None:
        self.dataframe().to_csv(filename)  # with the index column, as the SDK writes it

    def _fetch(self) -> pd.DataFrame:
        by_name: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for m in self._store.metrics(self._row["tuning_job"], self._row["seq"]):
            t = float(m["time"])
            if (self._start is not None and t < self._start) or (
                self._end is not None and t > self._end
            ):
                continue
            by_name[m["name"]].append((t, float(m["value"])))
        data: dict[str, list[Any]] = {"timestamp": [], "metric_name": [], "value": []}
        for metric in self._metric_names:
            points = self._points(by_name.get(metric, []))
            if not points:
                logger.warning("no metric named %s found for training job %s", metric, self._name)
                continue
            base = points[0][0]
            for t, v in points:
                data["timestamp"].append(t - base)
                data["metric_name"].append(metric)
                data["value"].append(v)
        frame: pd.DataFrame = pd.DataFrame(data)
        return frame

    def _points(self, series: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """The series sorted by time, or its averages per period (the period's start time)."""
        series = sorted(series, key=lambda p: p[0])
        if self._period is None or not series:
            return series
        origin = self._start if self._start is not None else series[0][0]
        buckets: dict[int, list[float]] = defaultdict(list)
        for t, v in series:
            buckets[math.floor((t - origin) / self._period)].append(v)
        return [(origin + k * self._period, sum(vs) / len(vs)) for k, vs in sorted(buckets.items())]

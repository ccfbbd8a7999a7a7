"""Results read from the store: the DescribeHyperParameterTuningJob document, the analytics table.

Everything here reads the store only, so it works the same for a job running in this process, in
another process (``amtune describe``) or finished long ago.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from amtune._lazy import lazy_attributes
from amtune.enums import ObjectiveStatus, ObjectiveType, TrainingJobStatus, TuningJobStatus
from amtune.evaluation.report import spread, spread_columns
from amtune.sagemaker.document import StoredConfig, hp_strings
from amtune.store import Store

TRAINING_JOB_STATUSES = tuple(TrainingJobStatus)
OBJECTIVE_STATUSES = tuple(ObjectiveStatus)
#: The columns of a training job after its tuned hyperparameters (``dataframe()``, the report's
#: table).
TRAINING_JOB_COLUMNS = (
    "TrainingJobName",
    "TrainingJobStatus",
    "FinalObjectiveValue",
    "TrainingStartTime",
    "TrainingEndTime",
    "TrainingElapsedTimeSeconds",
    "ObjectiveStatus",
    "Attempts",
    "FailureReason",
)


def ts(t: float | None) -> datetime | None:
    """A store time (epoch seconds) as an aware UTC datetime, as boto3 returns times."""
    return None if t is None else datetime.fromtimestamp(t, tz=timezone.utc)


def best_row(rows: list[dict[str, Any]], objective_type: str) -> dict[str, Any] | None:
    """The training job with the best final objective (first one on ties), or None."""
    best = None
    sign = ObjectiveType(objective_type).sign
    for r in rows:
        v = r["final_objective"]
        if r["objective_status"] != ObjectiveStatus.SUCCEEDED or v is None or math.isnan(v):
            continue
        if best is None or sign * v < sign * best["final_objective"]:
            best = r
    return best


def training_job_summary(
    row: dict[str, Any], objective: Mapping[str, Any], tuning_job: str
) -> dict[str, Any]:
    """One ``TrainingJobSummary`` (as in ListTrainingJobsForHyperParameterTuningJob)."""
    out: dict[str, Any] = {
        "TrainingJobName": row["name"],
        "TuningJobName": tuning_job,
        "CreationTime": ts(row["creation_time"]),
        "TrainingStartTime": ts(row["start_time"]),
        "TrainingEndTime": ts(row["end_time"]),
        "TrainingJobStatus": row["status"],
        "TunedHyperParameters": hp_strings(row["hyperparameters"]),
        "ObjectiveStatus": row["objective_status"],
    }
    if row["failure_reason"]:
        out["FailureReason"] = row["failure_reason"]
    if row["final_objective"] is not None and row["objective_status"] == ObjectiveStatus.SUCCEEDED:
        out["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": objective["Type"],
            "MetricName": objective["MetricName"],
            "Value": float(row["final_objective"]),
        }
    return out


class TuningJobDescription(dict):  # type: ignore[type-arg]
    """The DescribeHyperParameterTuningJob document: a plain ``dict`` (``==``, ``json.dumps``
    and pickling as a dict) that a notebook displays as a compact summary with the history."""

    history: list[float | None]

    def _repr_html_(self) -> str:
        from amtune.report.notebook import summary_html

        return summary_html(self, getattr(self, "history", None))


def _status(job: dict[str, Any]) -> str:
    """A tuning job's status as SageMaker reports it: ``Stopping`` from the moment a stop is
    requested (StopHyperParameterTuningJob returns at once) until its driver has stopped it."""
    if job["status"] == TuningJobStatus.IN_PROGRESS and job.get("stop_requested"):
        return str(TuningJobStatus.STOPPING)
    return str(job["status"])


def describe(store: Store, name: str) -> dict[str, Any]:
    """The DescribeHyperParameterTuningJob document of tuning job ``name``."""
    job = store.get_tuning_job(name)
    rows = store.training_jobs(name)
    cfg = StoredConfig(job["config"])
    objective = cfg.objective
    # TrainingJobStatusCounters and ObjectiveStatusCounters, spelled as SageMaker does
    counters = {
        "Completed": 0,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    objc = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    for r in rows:
        s = r["status"]
        if s == TrainingJobStatus.FAILED:
            counters["RetryableError" if r["retryable"] else "NonRetryableError"] += 1
        else:
            counters[s] += 1
        objc[r["objective_status"]] += 1
    doc: dict[str, Any] = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": (
            f"arn:amtune:local:{store.path}:hyper-parameter-tuning-job/{name}"
        ),
        "HyperParameterTuningJobConfig": cfg.tuning_job_config,
        "TrainingJobDefinition": cfg.training_job_definition,
        "HyperParameterTuningJobStatus": _status(job),
        "CreationTime": ts(job["creation_time"]),
        "LastModifiedTime": ts(job["last_modified_time"]),
        "TrainingJobStatusCounters": counters,
        "ObjectiveStatusCounters": objc,
        "ConsumedResources": {"RuntimeInSeconds": round(job["consumed_runtime"] or 0)},
    }
    if job["end_time"] is not None:
        doc["HyperParameterTuningEndTime"] = ts(job["end_time"])
    if cfg.warm_start_document is not None:
        doc["WarmStartConfig"] = cfg.warm_start_document
    if job["failure_reason"]:
        doc["FailureReason"] = job["failure_reason"]
    best = best_row(rows, objective["Type"])
    if cfg.config.get("Evaluation"):  # holdout / k-fold (amtune.evaluation)
        doc["Evaluation"] = cfg.config["Evaluation"]
    if best is not None:
        doc["BestTrainingJob"] = training_job_summary(best, objective, name)
        doc["BestTrainingJob"].update(spread(cfg.config, best))
    if cfg.warm_start_type == "IdenticalDataAndAlgorithm":
        overall = overall_best(store, name)
        if overall is not None:
            doc["OverallBestTrainingJob"] = overall
    details = dict(job["completion_details"] or {})
    doc["TuningJobCompletionDetails"] = {
        "NumberOfTrainingJobsObjectiveNotImproving": _not_improving(rows, objective["Type"]),
        **{k: v for k, v in details.items() if k != "Reason"},
    }
    if details.get("ConvergenceDetectedTime") is not None:
        doc["TuningJobCompletionDetails"]["ConvergenceDetectedTime"] = ts(
            details["ConvergenceDetectedTime"]
        )
    if details.get("Reason"):
        doc["TuningJobCompletionReason"] = details["Reason"]
    out = TuningJobDescription(doc)
    out.history = [
        r["final_objective"] if r["objective_status"] == "Succeeded" else None for r in rows
    ]
    return out


def _not_improving(rows: list[dict[str, Any]], objective_type: str) -> int:
    """Training jobs since the last one improving the best objective by 1%
    (:mod:`amtune.rules.completion`)."""
    from amtune.rules.completion import not_improving_count

    return not_improving_count(rows, objective_type)


class AnalyticsFrame(pd.DataFrame):
    """The analytics table: a DataFrame that also answers the SageMaker SDK's analytics calls.

    ``frame.dataframe()`` returns the plain DataFrame and ``frame.export_csv(path)`` writes it, as
    ``HyperparameterTuningJobAnalytics`` does.
    """

    _metadata = ["tuning_job_name"]  # noqa: RUF012 - pandas subclassing protocol
    tuning_job_name: str | None = None

    @property
    def _constructor(self) -> type[AnalyticsFrame]:
        return AnalyticsFrame

    def dataframe(self, force_refresh: bool = False) -> pd.DataFrame:
        plain: pd.DataFrame = pd.DataFrame(self)
        return plain

    def export_csv(self, filename: str | os.PathLike[str]) -> None:
        pd.DataFrame(self).to_csv(filename)  # with the index column, as the SDK writes it


def sdk_value(text: str) -> float | str:
    """A tuned hyperparameter as the SageMaker SDK's ``dataframe()`` shows it: the value of
    ``TunedHyperParameters`` (a string) as a float when it parses as one, else the string.

    >>> sdk_value("3"), sdk_value("0.5"), sdk_value("adam"), sdk_value("True")
    (3.0, 0.5, 'adam', 'True')
    """
    try:
        return float(text)
    except ValueError:
        return text


def table(store: Store, name: str, sdk_types: bool = False) -> pd.DataFrame:
    """The rows of :func:`analytics`. ``sdk_types``: tuned hyperparameters as the SageMaker SDK
    types them (:func:`sdk_value`: floats, or strings), else as tuned (int, float, the category).
    ``FailureReason`` is NaN when a job has none, whatever the other rows hold."""
    job = store.get_tuning_job(name)
    names = list(StoredConfig(job["config"]).ranges)
    rows = []
    for r in store.training_jobs(name):
        hps = r["hyperparameters"]
        if sdk_types:
            hps = {k: sdk_value(v) for k, v in hp_strings(hps).items()}
        d: dict[str, Any] = {k: hps.get(k) for k in names}
        start, end = r["start_time"], r["end_time"]
        d.update(
            {
                "TrainingJobName": r["name"],
                "TrainingJobStatus": r["status"],
                "FinalObjectiveValue": (
                    r["final_objective"]
                    if r["objective_status"] == ObjectiveStatus.SUCCEEDED
                    else math.nan
                ),
                "TrainingStartTime": ts(start),
                "TrainingEndTime": ts(end),
                "TrainingElapsedTimeSeconds": (end - start) if (start and end) else math.nan,
                "ObjectiveStatus": r["objective_status"],
                "FailureReason": r["failure_reason"] or math.nan,
                "Attempts": r["attempts"],
            }
        )
        d.update(spread(job["config"], r))  # k-fold evaluation: the objective over the folds
        rows.append(d)
    cols = [*names, *TRAINING_JOB_COLUMNS, *spread_columns(job["config"])]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=cols)
    if not frame["FailureReason"].map(lambda v: isinstance(v, str)).any():
        # no reason at all: a column of text all the same (not float NaN, nor None)
        frame["FailureReason"] = pd.Series([math.nan] * len(frame), index=frame.index, dtype=object)
    return frame


def analytics(store: Store, name: str) -> AnalyticsFrame:
    """One row per training job with the SageMaker SDK's columns (one per tuned hyperparameter,
    TrainingJobName, TrainingJobStatus, FinalObjectiveValue, TrainingStartTime, TrainingEndTime,
    TrainingElapsedTimeSeconds), plus ObjectiveStatus, FailureReason and Attempts (runs of the
    training job: 1 plus its retries, see ``max_retry_attempts``). Tuned hyperparameters keep
    their types here (the command line's table); ``HyperparameterTuningJobAnalytics`` types them
    as the SDK does."""
    frame: AnalyticsFrame = AnalyticsFrame(table(store, name))
    frame.tuning_job_name = name
    return frame


def overall_best(store: Store, name: str) -> dict[str, Any] | None:
    """``OverallBestTrainingJob`` of an IdenticalDataAndAlgorithm warm start: the best training job
    among the tuning job's and its parents' (None otherwise)."""
    cfg = StoredConfig(store.get_tuning_job(name)["config"])
    if cfg.warm_start_type != "IdenticalDataAndAlgorithm":
        return None
    objective = cfg.objective
    cands = []
    for tj in [name, *cfg.parents]:
        if not store.has_tuning_job(tj):
            continue
        b = best_row(store.training_jobs(tj), objective["Type"])
        if b is not None:
            cands.append((b, tj))
    best = best_row([b for b, _ in cands], objective["Type"])
    if best is None:
        return None
    tj = next(t for b, t in cands if b is best)
    return training_job_summary(best, objective, tj)


# ``sagemaker.analytics``' classes (amtune.sagemaker.analytics), imported when first used:
# ``from amtune.analytics import TrainingJobAnalytics``
__getattr__ = lazy_attributes(
    __name__,
    {
        "HyperparameterTuningJobAnalytics": "amtune.sagemaker.analytics",
        "TrainingJobAnalytics": "amtune.sagemaker.analytics",
    },
)

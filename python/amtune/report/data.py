"""What a report shows, read once from the store.

:class:`ReportData` holds one tuning job: its DescribeHyperParameterTuningJob document, its search
space, one row per training job (status, times, final objective, tuned hyperparameters), one row per
attempt (retries), and the emissions of the objective metric (the learning curves). Every figure and
the HTML page are built from it, so a report reads the store once and never writes it.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from amtune.analytics import describe
from amtune.enums import ObjectiveStatus, ObjectiveType, StopCause, TrainingJobStatus
from amtune.report.endpoints import VariantMetrics, read_endpoint_metrics
from amtune.rules.early_stopping import RULE as EARLY_STOPPING_RULE
from amtune.rules.hyperband import RULE as HYPERBAND_RULE
from amtune.space import SearchSpace
from amtune.space.serialization import ranges_from_json

if TYPE_CHECKING:  # pragma: no cover
    from amtune.store import Store


class StopKind(enum.Enum):
    """Why a training job ended before its code finished (for marking it in the figures)."""

    NONE = "none"
    EARLY_STOPPING = "early stopping"  # the median stopping rule (early_stopping_type="Auto")
    HYPERBAND = "Hyperband"  # a Hyperband rung decision (or its MaxResource)
    TUNING_JOB = "tuning job"  # the tuning job stopped or completed while the job ran
    TIMEOUT = "time limit"  # the training job's own MaxRuntimeInSeconds (it ends Failed)


def stop_kind(status: str, decision: Mapping[str, Any] | None) -> StopKind:
    """The :class:`StopKind` of a training job from its status and the decision that ended it.

    ``decision`` is the job's row of the store's ``rule_decisions`` (``Store.rule_decisions``):
    the rule that stopped it (early stopping, a Hyperband rung) or the driver's own
    :class:`~amtune.enums.StopCause` (a time limit, the tuning job ending). A job with no recorded
    decision (one that ended by itself, or a store written before decisions were recorded) is
    not labelled.

    >>> stop_kind("Stopped", {"rule": "EarlyStopping", "action": "Stop"})
    <StopKind.EARLY_STOPPING: 'early stopping'>
    >>> stop_kind("Completed", {"rule": "Hyperband", "action": "Complete"})
    <StopKind.HYPERBAND: 'Hyperband'>
    >>> stop_kind("Stopped", None)
    <StopKind.NONE: 'none'>
    """
    if decision is None:
        return StopKind.NONE
    kind = _RULE_KINDS.get(str(decision["rule"]), StopKind.NONE)
    # the status the decision gives (tuning/outcome.py); another status means it did not apply
    return kind if status == _KIND_STATUS.get(kind, status) else StopKind.NONE


_RULE_KINDS = {
    EARLY_STOPPING_RULE: StopKind.EARLY_STOPPING,
    HYPERBAND_RULE: StopKind.HYPERBAND,
    StopCause.TIMEOUT.value: StopKind.TIMEOUT,
    StopCause.TUNING_JOB_STOPPING.value: StopKind.TUNING_JOB,
}
_KIND_STATUS = {
    StopKind.EARLY_STOPPING: TrainingJobStatus.STOPPED,
    StopKind.TIMEOUT: TrainingJobStatus.FAILED,
    StopKind.TUNING_JOB: TrainingJobStatus.STOPPED,
}


def _final(row: dict[str, Any]) -> float:
    """A training job's final objective; NaN unless its objective succeeded."""
    value = row["final_objective"]
    ok = row["objective_status"] == ObjectiveStatus.SUCCEEDED and value is not None
    return float(value) if ok else math.nan


def space_from_config(config: dict[str, Any]) -> SearchSpace:
    """The search space a tuning job's stored configuration describes."""
    am = config["amtune"]
    return SearchSpace(ranges_from_json(am["ranges"]), am.get("static") or {})


@dataclass
class ReportData:
    """One tuning job as the report sees it (see :meth:`load`).

    ``jobs`` has one row per training job, ordered by ``seq``: ``seq``, ``name``, ``status``,
    ``objective_status``, ``failure_reason``, ``creation_time``, ``start_time``, ``end_time`` (epoch
    seconds), ``final_objective``, ``attempts``, ``restarts``, ``stop_kind`` (a
    :class:`StopKind` value). ``params`` has the same index and one column per tuned range.
    ``attempts`` has one row per finished attempt (``seq``, ``attempt``, ``status``,
    ``retryable``, ``start_time``, ``end_time``). ``curves`` holds the objective metric's emissions
    (``seq``, ``step``, ``time``, ``value``), ``step`` being the reported step or the emission's
    index in its job.

    >>> import amtune, os, tempfile
    >>> tuner = amtune.HyperparameterTuner(
    ...     "score", {"x": amtune.ContinuousParameter(0.0, 1.0)}, strategy="Random", max_jobs=3,
    ...     random_seed=0, runner="thread", quiet=True,
    ...     db=os.path.join(tempfile.mkdtemp(), "a.db"))
    >>> tuner.fit(lambda hp, reporter: hp["x"], job_name="rd")
    >>> data = ReportData.load(tuner.store, "rd")
    >>> len(data.jobs), data.objective, data.direction, list(data.params.columns)
    (3, 'score', 'Maximize', ['x'])
    >>> data.encoded().shape
    (3, 1)
    """

    name: str
    description: dict[str, Any]
    config: dict[str, Any]
    space: SearchSpace
    objective: str
    maximize: bool
    jobs: pd.DataFrame
    params: pd.DataFrame
    attempts: pd.DataFrame
    curves: pd.DataFrame
    store_path: str
    generated_at: float = field(default_factory=time.time)
    endpoints: list[VariantMetrics] = field(default_factory=list)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, store: Store, name: str) -> ReportData:
        """Read tuning job ``name`` from ``store`` (a NotFoundError when there is none)."""
        doc = dict(describe(store, name))
        job = store.get_tuning_job(name)
        config = job["config"]
        space = space_from_config(config)
        htc = config["HyperParameterTuningJobConfig"]
        objective = str(htc["HyperParameterTuningJobObjective"]["MetricName"])
        maximize = htc["HyperParameterTuningJobObjective"]["Type"] == ObjectiveType.MAXIMIZE
        rows = store.training_jobs(name)
        decisions = store.rule_decisions(name)
        names = list(space.ranges)
        jobs = pd.DataFrame(
            {
                "seq": [r["seq"] for r in rows],
                "name": [r["name"] for r in rows],
                "status": [r["status"] for r in rows],
                "objective_status": [r["objective_status"] for r in rows],
                "failure_reason": [r["failure_reason"] for r in rows],
                "creation_time": [r["creation_time"] for r in rows],
                "start_time": [r["start_time"] for r in rows],
                "end_time": [r["end_time"] for r in rows],
                "final_objective": [_final(r) for r in rows],
                "attempts": [r["attempts"] for r in rows],
                "restarts": [r["restarts"] for r in rows],
                "stop_kind": [
                    stop_kind(r["status"], decisions.get(r["seq"])).value for r in rows
                ],
            },
            columns=[
                "seq", "name", "status", "objective_status", "failure_reason", "creation_time",
                "start_time", "end_time", "final_objective", "attempts", "restarts", "stop_kind",
            ],
        )  # fmt: skip
        jobs = jobs.astype({"start_time": float, "end_time": float, "final_objective": float})
        params = pd.DataFrame(
            [[r["hyperparameters"].get(k) for k in names] for r in rows],
            columns=names,
            dtype=object,
        )
        attempts = pd.DataFrame(
            store.attempts(name),
            columns=[
                "tuning_job", "seq", "attempt", "status", "failure_reason", "retryable",
                "start_time", "end_time",
            ],
        ).drop(columns=["tuning_job"])  # fmt: skip
        series = store.metrics(name, name=objective)
        curves = pd.DataFrame(series, columns=["seq", "name", "step", "time", "value"])
        curves = curves.drop(columns=["name"])
        if len(curves):
            index_in_job = curves.groupby("seq").cumcount()
            curves["step"] = curves["step"].astype(float).fillna(index_in_job).astype(np.int64)
        else:
            curves["step"] = curves["step"].astype(np.int64)
        curves = curves.astype({"value": float, "time": float})
        return cls(
            name=name,
            description=doc,
            config=config,
            space=space,
            objective=objective,
            maximize=maximize,
            jobs=jobs,
            params=params,
            attempts=attempts,
            curves=curves,
            store_path=str(store.path),
            endpoints=read_endpoint_metrics(store, name),
        )

    # ------------------------------------------------------------------ views
    @property
    def strategy(self) -> str:
        return str(self.config["HyperParameterTuningJobConfig"]["Strategy"])

    @property
    def direction(self) -> str:
        return str((ObjectiveType.MAXIMIZE if self.maximize else ObjectiveType.MINIMIZE).value)

    @property
    def now(self) -> float:
        """The end of the tuning job or, while it runs, its last sign of life (the driver's
        heartbeat updates it every few seconds)."""
        end = self.description.get("HyperParameterTuningEndTime")
        if end is not None:
            return float(end.timestamp())
        last = self.description.get("LastModifiedTime")
        return float(last.timestamp()) if last is not None else self.generated_at

    def succeeded_mask(self) -> np.ndarray:
        """Training jobs whose objective succeeded with a finite value."""
        v = self.jobs["final_objective"].to_numpy(dtype=float)
        return np.asarray(
            (self.jobs["objective_status"] == ObjectiveStatus.SUCCEEDED).to_numpy() & np.isfinite(v)
        )

    def encoded(self, mask: np.ndarray | None = None) -> np.ndarray:
        """The tuned hyperparameters of the (selected) training jobs in ``[0, 1]^d``."""
        p = self.params if mask is None else self.params[mask]
        if not len(p):
            return np.empty((0, self.space.dim))
        configs = [dict(zip(p.columns, row, strict=True)) for row in p.itertuples(index=False)]
        return np.asarray(self.space.encode(configs), dtype=np.float64)

    def loss(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Final objectives with the sign that makes smaller better (as the strategies see them)."""
        v = self.jobs["final_objective"].to_numpy(dtype=float)
        v = v if mask is None else v[mask]
        return -v if self.maximize else v

    def best_so_far(self) -> np.ndarray:
        """The best final objective among training jobs ``1..i``, per job (NaN before the first)."""
        v = self.jobs["final_objective"].to_numpy(dtype=float)
        s = np.where(np.isfinite(v), -v if self.maximize else v, np.inf)
        best = np.minimum.accumulate(s) if len(s) else s
        out = np.where(np.isfinite(best), best, np.nan)
        return -out if self.maximize else out

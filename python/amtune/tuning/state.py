"""The state of a tuning job while its loop runs: what the driver keeps and the rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amtune.enums import ObjectiveStatus, ObjectiveType, TrainingJobStatus
from amtune.optimizer import Optimizer
from amtune.rules.decisions import JobDecision
from amtune.runners.spec import Handle
from amtune.store import Store
from amtune.tuning.outcome import StopRequest


@dataclass
class TrainingJobState:
    """A training job as the loop sees it (hooks read this)."""

    seq: int
    name: str
    hyperparameters: dict[str, Any]  # tuned ranges only
    status: TrainingJobStatus = TrainingJobStatus.IN_PROGRESS
    objective_status: ObjectiveStatus = ObjectiveStatus.PENDING
    failure_reason: str | None = None
    creation_time: float = 0.0
    start_time: float | None = None
    end_time: float | None = None
    final_objective: float | None = None
    final_metrics: dict[str, float] = field(default_factory=dict)
    attempts: int = 1
    restarts: int = 0
    retryable: bool = False
    job_dir: Path | None = None
    #: metric name -> list of (step, time, value), in emission order
    series: dict[str, list[tuple[int | None, float, float]]] = field(default_factory=dict)
    #: metric name -> emissions so far, and the last one (kept or not: see tuning/series.py)
    emitted: dict[str, int] = field(default_factory=dict)
    last_emission: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    trial_id: int | None = None
    handle: Handle | None = None
    deadline: float | None = None
    #: a rule decided to end it (a stop, or Hyperband's MaxResource): stopped with this request
    #: at ``deferred_at`` unless it ends by itself first (``TuningDriver._decide``)
    deferred_at: float | None = None
    deferred: StopRequest | None = None
    stop: StopRequest | None = None  # why the loop asked it to stop
    decision: JobDecision | None = None  # a rule's decision that ended it (kept in the store)

    def __post_init__(self) -> None:
        self.status = TrainingJobStatus(self.status)
        self.objective_status = ObjectiveStatus(self.objective_status)


class TuningRun:
    """The state of a tuning job while its loop runs (what hooks see).

    ``jobs`` holds every training job by ``seq``, ``running`` the ones in progress, ``best`` the
    best finished one.
    """

    def __init__(
        self,
        name: str,
        store: Store,
        optimizer: Optimizer,
        objective_metric_name: str,
        objective_type: ObjectiveType | str,
        random_seed: int,
    ) -> None:
        self.name = name
        self.store = store
        self.optimizer = optimizer
        self.objective_metric_name = objective_metric_name
        self.objective_type = ObjectiveType(objective_type)
        self.random_seed = random_seed
        self.jobs: dict[int, TrainingJobState] = {}
        self._running: dict[int, TrainingJobState] = {}
        self.best: TrainingJobState | None = None
        self.completion_details: dict[str, Any] = {}

    @property
    def running(self) -> list[TrainingJobState]:
        return list(self._running.values())

    @property
    def finished(self) -> list[TrainingJobState]:
        return [j for j in self.jobs.values() if j.status.is_finished]

    def running_job(self, seq: int) -> TrainingJobState | None:
        """The running training job ``seq``, if it is running."""
        return self._running.get(seq)

    def mark_running(self, job: TrainingJobState) -> None:
        self._running[job.seq] = job

    def mark_ended(self, job: TrainingJobState) -> None:
        self._running.pop(job.seq, None)

    def better(self, a: float, b: float) -> bool:
        return self.objective_type.better(a, b)

    def update_best(self, job: TrainingJobState) -> None:
        """Make ``job`` the best one if its objective succeeded and beats the best so far."""
        if job.objective_status is not ObjectiveStatus.SUCCEEDED or job.final_objective is None:
            return
        if self.best is None or self.best.final_objective is None:
            self.best = job
        elif self.better(job.final_objective, self.best.final_objective):
            self.best = job

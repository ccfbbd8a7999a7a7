"""One training job on its own (``Estimator.fit``, ``amtune train``), kept in the store.

It runs through the same command runner, job directory layout and store as the training jobs of a
tuning job; it is recorded under the tuning job name ``""`` with its CreateTrainingJob request.
:func:`describe_training_job` returns the DescribeTrainingJob document of any training job; a
job under offline evaluation (``Evaluation``, amtune's extension) also gets an ``Evaluation``
section: the config and, for k-fold, every fold's final metrics and model and each metric's
mean, standard deviation, minimum and maximum over the folds.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from amtune._threads import join_or_stop
from amtune.analytics import ts
from amtune.enums import TrainingJobStatus
from amtune.evaluation.report import training_job_evaluation
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome, RunnerEvent
from amtune.runners.spec import DEFAULT_STOP_GRACE, JobSpec, Runner
from amtune.sagemaker.document import (
    ECHOED_FLAGS,
    StoredConfig,
    cloud_fields,
    definition_document,
)
from amtune.sagemaker.names import LOCAL_ROLE
from amtune.sagemaker.toolkit import request_content_types
from amtune.store import STANDALONE, Store

TRAINING_JOB_NAME_MAX = 63
_POLL = 0.2


def standalone_job_dir(store: Store, name: str, output_path: str | os.PathLike[str] | None) -> Path:
    """``<jobs root>/_training/<name>`` (``_`` cannot start a tuning job's name)."""
    root = Path(output_path) if output_path is not None else store.jobs_root
    return root / "_training" / name


def job_logs(job_dir: Path) -> list[tuple[str, Path]]:
    """``(prefix, path)`` of a training job's logs: ``train.log``, and each fold's of a k-fold
    job (prefixed ``[fold i] ``), in fold order."""
    logs = [("", job_dir / "train.log")]
    folds = [p for p in job_dir.glob("fold-*") if p.is_dir() and p.name[5:].isdigit()]
    for d in sorted(folds, key=lambda p: int(p.name[5:])):
        logs.append((f"[fold {d.name[5:]}] ", d / "train.log"))
    return [(prefix, p) for prefix, p in logs if p.is_file()]


def new_log_lines(job_dir: Path, positions: dict[Path, int]) -> str:
    """The complete lines the job's logs (:func:`job_logs`, each with its prefix) gained since
    ``positions`` (file -> bytes already read), which this advances: a log followed while the
    job writes it."""
    out: list[str] = []
    for prefix, path in job_logs(job_dir):
        with open(path, "rb") as f:
            f.seek(positions.get(path, 0))
            data = f.read()
        end = data.rfind(b"\n") + 1
        if end:
            text = data[:end].decode("utf-8", "replace")
            out.append("".join(prefix + ln for ln in text.splitlines(keepends=True)))
            positions[path] = positions.get(path, 0) + end
    return "".join(out)


#: the training jobs this process runs, by (store file, job name): ``Session.stop_training_job``
#: stops one of them here (the control plane stops only the jobs that it started)
_RUNS: weakref.WeakValueDictionary[tuple[str, str], TrainingJobRun] = weakref.WeakValueDictionary()


def running_in_process(db: str | os.PathLike[str], name: str) -> TrainingJobRun | None:
    """Training job ``name`` of store ``db`` if this process runs it on a thread
    (``fit(wait=False)``) and it has not ended."""
    run = _RUNS.get((str(Path(db).resolve()), name))
    return run if run is not None and run.running else None


class TrainingJobRun:
    """A running training job: start it, follow its events, record its end."""

    def __init__(
        self,
        store: Store,
        name: str,
        runner: Runner,
        request: Mapping[str, Any],
        channels: Mapping[str, str],
        job_dir: Path,
        max_run: float | None = None,
        logs: bool | TextIO = False,
        stop_grace_seconds: float = DEFAULT_STOP_GRACE,
    ) -> None:
        self.store = store
        self.name = name
        self.runner = runner
        self.request = dict(request)
        self.channels = dict(channels)
        self.job_dir = job_dir
        self.max_run = max_run
        self.logs: TextIO | None = sys.stdout if logs is True else (None if logs is False else logs)
        self.stop_grace_seconds = stop_grace_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.seq = 0

    def start(self, wait: bool = True) -> None:
        """Record the job and start it; with ``wait`` return when it has ended."""
        now = time.time()
        self.job_dir.mkdir(parents=True, exist_ok=True)
        self.seq = self.store.create_training_job(self.name, self.request, now, str(self.job_dir))
        _RUNS[(str(Path(self.store.path).resolve()), self.name)] = self
        if wait:
            self._run()
        else:
            self._thread = threading.Thread(
                target=self._run_catching, name=f"amtune-train-{self.name}", daemon=True
            )
            self._thread.start()

    def wait(self) -> None:
        """Block until the job ends (Ctrl-C stops it)."""
        if self._thread is None:
            return
        join_or_stop(self._thread, self._stop)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        """Whether the job runs on its thread (``start(wait=False)``) and has not ended."""
        return self._thread is not None and self._thread.is_alive()

    def _run_catching(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # re-raised by wait()
            self._error = exc

    def _run(self) -> None:
        events = EventQueue()
        hps = dict(self.request.get("HyperParameters") or {})
        spec = JobSpec(
            STANDALONE,
            self.seq,
            self.name,
            hps,
            self.job_dir,
            self.channels,
            content_types=request_content_types(self.request.get("InputDataConfig")),
        )
        start = time.time()
        handle = self.runner.start(spec, events)
        if handle.pid is not None:
            self.store.update_training_job(STANDALONE, self.seq, pid=handle.pid)
        deadline = None if self.max_run is None else start + self.max_run
        log_pos: dict[Path, int] = {}
        series: dict[str, float] = {}
        times: dict[str, float] = {}
        out: Outcome | None = None
        timed_out = stopped = False
        try:
            while out is None:
                ev: RunnerEvent | None
                try:
                    ev = events.get(timeout=_POLL)
                except queue.Empty:
                    ev = None
                if isinstance(ev, MetricEmitted):
                    series[ev.name] = ev.value
                    times[ev.name] = ev.time
                    self.store.add_metrics(
                        [(STANDALONE, self.seq, ev.name, ev.step, ev.time, ev.value)]
                    )
                elif isinstance(ev, JobEnded):
                    out = ev.outcome
                log_pos = self._echo(log_pos)
                if deadline is not None and time.time() > deadline and not timed_out:
                    timed_out = True
                    handle.stop(self.stop_grace_seconds)
                if self._stop.is_set() and not stopped:
                    stopped = True
                    handle.stop(self.stop_grace_seconds)
        except KeyboardInterrupt:
            handle.stop(min(self.stop_grace_seconds, 2.0))
            self._end("Stopped", "the training job was interrupted", series, start)
            raise
        self._echo(log_pos)
        if timed_out:
            status, reason = (
                "Failed",
                (
                    f"the training job exceeded its MaxRuntimeInSeconds ({self.max_run:g} s) "
                    f"and was stopped"
                ),
            )
        elif stopped or out.stopped:
            status, reason = "Stopped", "stopped"
        elif out.ok:
            status, reason = "Completed", None
        else:
            status, reason = "Failed", out.failure_reason
        # the runner's own final values win (a k-fold job's: the means over the folds, spread)
        self._end(status, reason, {**series, **out.final_metrics}, start)

    def _end(self, status: str, reason: str | None, final: dict[str, float], start: float) -> None:
        now = time.time()
        self.store.update_training_job(
            STANDALONE,
            self.seq,
            status=status,
            objective_status="Succeeded" if status == "Completed" else "Failed",
            failure_reason=reason,
            start_time=start,
            end_time=now,
            final_metrics=final,
        )

    def _echo(self, pos: dict[Path, int]) -> dict[Path, int]:
        """Print the job's new log output (``logs=True``; the folds' of a k-fold job, each line
        prefixed ``[fold i]``); return the new file positions."""
        if self.logs is None:
            return pos
        for prefix, path in job_logs(self.job_dir):
            try:
                with open(path, "rb") as f:
                    f.seek(pos.get(path, 0))
                    data = f.read()
            except FileNotFoundError:
                continue
            end = data.rfind(b"\n") + 1
            if end:
                text = data[:end].decode("utf-8", "replace")
                if prefix:
                    text = "".join(prefix + line for line in text.splitlines(keepends=True))
                self.logs.write(text)
                self.logs.flush()
            pos[path] = pos.get(path, 0) + end
        return pos


def print_job_logs(
    store: Store,
    name: str,
    wait: bool = False,
    run: TrainingJobRun | None = None,
    out: TextIO | None = None,
    poll: float = _POLL,
) -> None:
    """Print training job ``name``'s log from its start (each fold's of a k-fold job, prefixed
    ``[fold i]``), as the SDK's ``logs_for_job`` replays a job's CloudWatch log; with ``wait``,
    follow it until the job ends (``run``: the job when this process runs it; Ctrl-C then stops
    it, as ``wait()`` does)."""
    stream = out if out is not None else sys.stdout
    pos: dict[Path, int] = {}
    job_dir = Path(describe_training_job(store, name)["ModelArtifacts"]["S3ModelArtifacts"]).parent

    def echo() -> None:
        text = new_log_lines(job_dir, pos)
        if text:
            stream.write(text)
            stream.flush()

    def running() -> bool:
        if run is not None:
            return run.running
        return bool(describe_training_job(store, name)["TrainingJobStatus"] == "InProgress")

    try:
        while True:
            done = not wait or not running()
            echo()
            if done:
                break
            time.sleep(poll)
    except KeyboardInterrupt:
        if run is not None:
            run.stop()
            run.wait()
        raise


def describe_training_job(store: Store, name: str) -> dict[str, Any]:
    """The DescribeTrainingJob document of training job ``name`` (on its own or of a tuning job).

    ``ModelArtifacts.S3ModelArtifacts`` is the local model directory; ``OutputDataConfig`` is
    the request's (the estimator's ``output_path`` as given), else the job's output directory.
    """
    row = store.get_training_job(name)
    definition = row["definition"]
    tuning = row["tuning_job"]
    if definition is None:  # a training job of a tuning job: its definition is the tuning job's
        cfg = store.get_tuning_job(tuning)["config"]
        tjd = StoredConfig(cfg).training_job_definition
        hps = {**(tjd.get("StaticHyperParameters") or {})}
        hps.update({k: _hp_string(v) for k, v in row["hyperparameters"].items()})
        definition = {
            "AlgorithmSpecification": tjd.get("AlgorithmSpecification", {}),
            "HyperParameters": hps,
            "InputDataConfig": tjd.get("InputDataConfig", []),
            "StoppingCondition": tjd.get("StoppingCondition", {}),
        }
        if tjd.get("Environment"):
            definition["Environment"] = tjd["Environment"]
        # as SageMaker reports them for each training job: the definition's role, instances,
        # output path, checkpoints and flags (no local meaning)
        definition.update({k: v for k, v in cloud_fields(tjd).items() if k != "StoppingCondition"})
        if cfg.get("Evaluation"):
            definition["Evaluation"] = cfg["Evaluation"]
    definition = definition_document(definition)
    job_dir = row["job_dir"]
    doc: dict[str, Any] = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:amtune:local:{store.path}:training-job/{name}",
        "TrainingJobStatus": row["status"],
        "SecondaryStatus": _secondary(row["status"]),
        "HyperParameters": {
            k: _hp_string(v) for k, v in (definition.get("HyperParameters") or {}).items()
        },
        "AlgorithmSpecification": definition.get("AlgorithmSpecification", {}),
        "InputDataConfig": definition.get("InputDataConfig", []),
        "StoppingCondition": definition.get("StoppingCondition", {}),
        # SageMaker requires a role and always reports it; without one (an estimator built
        # without ``role``), the local placeholder the service's models get
        "RoleArn": definition.get("RoleArn") or LOCAL_ROLE,
        "CreationTime": ts(row["creation_time"]),
        "TrainingStartTime": ts(row["start_time"]),
        "LastModifiedTime": ts(row["end_time"] or row["start_time"]),
    }
    if tuning != STANDALONE:
        doc["TuningJobArn"] = f"arn:amtune:local:{store.path}:hyper-parameter-tuning-job/{tuning}"
    for k in ("Environment", "ResourceConfig", "OutputDataConfig", "CheckpointConfig", "VpcConfig"):
        if definition.get(k):
            doc[k] = definition[k]
    for k in ECHOED_FLAGS:  # no local meaning; reported as the request set them
        doc[k] = bool(definition.get(k, False))
    if job_dir:
        doc["ModelArtifacts"] = {"S3ModelArtifacts": str(Path(job_dir) / "model")}
        # the output_path the request gave, unchanged, as SageMaker reports it; without one,
        # the job's output directory
        doc.setdefault("OutputDataConfig", {"S3OutputPath": str(Path(job_dir) / "output")})
    if row["end_time"] is not None:
        doc["TrainingEndTime"] = ts(row["end_time"])
        secs = max(0, round(row["end_time"] - (row["start_time"] or row["creation_time"])))
        doc["TrainingTimeInSeconds"] = secs
        doc["BillableTimeInSeconds"] = secs
    if row["failure_reason"] and row["status"] in ("Failed", "Stopped"):
        doc["FailureReason"] = row["failure_reason"]
    doc["SecondaryStatusTransitions"] = secondary_status_transitions(
        TrainingJobStatus(row["status"]),
        row["creation_time"],
        row["start_time"],
        row["end_time"],
        row["failure_reason"],
    )
    last = _last_metric_times(store, tuning, row["seq"])
    doc["FinalMetricDataList"] = [
        {"MetricName": k, "Value": float(v), "Timestamp": ts(last.get(k))}
        for k, v in (row["final_metrics"] or {}).items()
    ]
    evaluation = definition.get("Evaluation")
    if evaluation:  # amtune's offline evaluation (holdout or k-fold)
        doc["Evaluation"] = training_job_evaluation(
            evaluation, row["final_metrics"] or {}, Path(job_dir) if job_dir else None
        )
    return doc


def _hp_string(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def secondary_status_transitions(
    status: TrainingJobStatus,
    created: float,
    started: float | None,
    ended: float | None,
    failure_reason: str | None = None,
) -> list[dict[str, Any]]:
    """DescribeTrainingJob's ``SecondaryStatusTransitions``: ``Starting`` (created to
    started), ``Training`` (started to ended) and the final status, each with its times (the
    current one without ``EndTime``) and a message, as the SDK's ``logs_for_job`` prints them.

    >>> [t["Status"] for t in secondary_status_transitions(
    ...     TrainingJobStatus.COMPLETED, 10.0, 11.0, 20.0)]
    ['Starting', 'Training', 'Completed']
    >>> now = secondary_status_transitions(TrainingJobStatus.IN_PROGRESS, 10.0, 11.0, None)[-1]
    >>> now["Status"], "EndTime" in now
    ('Training', False)
    """

    def step(name: str, t0: float, t1: float | None, message: str) -> dict[str, Any]:
        out: dict[str, Any] = {"Status": name, "StartTime": ts(t0)}
        if t1 is not None:
            out["EndTime"] = ts(t1)
        out["StatusMessage"] = message
        return out

    if started is None:  # not started yet (or stopped before it started)
        first_end = ended if status.is_finished else None
        steps = [step("Starting", created, first_end, "Starting the training job")]
    else:
        steps = [
            step("Starting", created, started, "Starting the training job"),
            step("Training", started, ended, "Training in progress"),
        ]
    if status.is_finished:
        end = ended if ended is not None else (started or created)
        message = {
            TrainingJobStatus.COMPLETED: "Training job completed",
            TrainingJobStatus.STOPPED: "Training job stopped",
        }.get(status, f"Training job failed. Reason: {failure_reason or 'unknown'}")
        steps.append(step(status.value, end, end, message))
    return steps


def _secondary(status: str) -> str:
    return {"InProgress": "Training", "Completed": "Completed", "Failed": "Failed"}.get(
        status, status
    )


def _last_metric_times(store: Store, tuning: str, seq: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in store.metrics(tuning, seq):
        out[m["name"]] = m["time"]
    return out

"""The loop of one tuning job (one run of ``fit`` or ``resume``): propose, launch, watch, record.

The driver is the only writer of the store while it runs. It admits training jobs up to the limits,
hands their events to the rules (:mod:`amtune.rules`), turns each ending into statuses
(:mod:`amtune.tuning.outcome`) and tells the strategy what it learned.
"""

from __future__ import annotations

import hashlib
import math
import os
import queue
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amtune.optimizer import Optimizer
from amtune.progress import Progress, format_status
from amtune.rules.base import CompleteJob, TuningJobHook
from amtune.rules.build import build_hooks
from amtune.runners.command import CommandRunner
from amtune.runners.spec import JobSpec, Outcome, Runner
from amtune.runners.thread import ThreadRunner
from amtune.tuning.liveness import kill_survivor
from amtune.tuning.outcome import observation
from amtune.tuning.settings import TuningJobSettings
from amtune.tuning.state import TrainingJobState, TuningRun

#: Seconds between the driver's polls of the store (stop requests, heartbeat).
POLL = 0.5


class Driver:
    """The loop of one tuning job (one run of fit or resume)."""

    def __init__(
        self,
        tuner: TuningJobSettings,
        name: str,
        runner: Runner,
        resumed: bool,
        show: bool,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.t = tuner
        self.stop_event = stop_event or threading.Event()
        self.state: TuningRun | None = None
        self.name = name
        self.runner = runner
        self.resumed = resumed
        self.store = tuner.store
        self.events: queue.Queue[Any] = queue.Queue()
        self.progress = Progress(show)
        self.hooks: list[TuningJobHook] = build_hooks(tuner)
        self.metric_buf: list[tuple[str, int, str, int | None, float, float]] = []
        self.stop_status: str | None = None  # "Stopped" (user) or "Completed" (limit/criteria)
        self.stop_reason: str | None = None
        self.n_started = 0
        root = Path(tuner.output_path) if tuner.output_path else self.store.jobs_root
        self.jobs_dir = root / name
        self.is_command = isinstance(runner, CommandRunner)

    # ---------------------------------------------------------------- setup
    def _load(self) -> TuningRun:
        job = self.store.get_tuning_job(self.name)
        resumes = int(job["resumes"]) + (1 if self.resumed else 0)
        seed = int(self.t.random_seed or 0)
        if resumes:
            seed = int(hashlib.sha256(f"{seed}:{resumes}".encode()).hexdigest()[:8], 16)
        opt = Optimizer(
            self.t.space, self.t.strategy, self.t.objective_type, seed, **self.t.strategy_config
        )
        run = TuningRun(
            self.name,
            self.store,
            opt,
            self.t.objective_metric_name,
            self.t.objective_type,
            int(self.t.random_seed or 0),
        )
        self.state = run
        self.consumed_before = float(job["consumed_runtime"] or 0.0)
        rows = self.store.training_jobs(self.name)
        series: dict[int, dict[str, list[tuple[int | None, float, float]]]] = {}
        if rows:
            for m in self.store.metrics(self.name):
                series.setdefault(m["seq"], {}).setdefault(m["name"], []).append(
                    (m["step"], m["time"], m["value"])
                )
        params: list[dict[str, Any]] = []
        values: list[float | None] = []
        self.rerun: list[TrainingJobState] = []
        for r in rows:
            js = TrainingJobState(
                r["seq"],
                r["name"],
                r["hyperparameters"],
                r["status"],
                r["objective_status"],
                r["failure_reason"],
                r["creation_time"],
                r["start_time"],
                r["end_time"],
                r["final_objective"],
                r["final_metrics"] or {},
                r["attempts"],
                r["restarts"],
                bool(r["retryable"]),
                Path(r["job_dir"]) if r["job_dir"] else None,
                series.get(r["seq"], {}),
            )
            run.jobs[js.seq] = js
            if js.status == "InProgress":
                self.rerun.append(js)
                continue
            obs = observation(js.status, js.objective_status, js.final_objective)
            if obs != "skip":
                params.append({**js.hyperparameters, **self.t.space.static})
                assert isinstance(obs, float)
                values.append(None if math.isnan(obs) else obs)
            run.update_best(js)
        if params:
            opt.add_many(params, values)
        self.n_started = len(rows)
        with self.store.transaction():
            self.store.update_tuning_job(
                self.name,
                status="InProgress" if job["status"] == "InProgress" else job["status"],
                resumes=resumes,
                driver_pid=os.getpid(),
                driver_host=socket.gethostname(),
                heartbeat=time.time(),
            )
        if job["stop_requested"]:
            self._request_stop("Stopped", "stop requested")
        return run

    # ---------------------------------------------------------------- main loop
    def run(self) -> None:
        self.start_clock = time.time()
        run = self._load()
        try:
            for h in self.hooks:
                h.on_start(run)
            self._loop(run)
        except BaseException as exc:
            self._abort(run, exc)
            raise
        finally:
            self.runner.close()

    def _elapsed(self) -> float:
        return self.consumed_before + (time.time() - self.start_clock)

    def _loop(self, run: TuningRun) -> None:
        t = self.t
        next_poll = 0.0
        exhausted = False
        with self.store.transaction():
            for js in self.rerun:
                if self.stop_status is None:
                    self._restart(run, js)
                else:  # a stop was requested while the driver was down: do not re-run
                    js.status, js.objective_status = "Stopped", "Failed"
                    js.failure_reason, js.end_time = "the driver was interrupted", time.time()
                    self.store.update_training_job(
                        self.name,
                        js.seq,
                        status=js.status,
                        objective_status=js.objective_status,
                        failure_reason=js.failure_reason,
                        end_time=js.end_time,
                    )
        while True:
            now = time.time()
            with self.store.transaction():
                if now >= next_poll:
                    next_poll = now + POLL
                    if self.stop_event.is_set() or self.store.stop_requested(self.name):
                        self._request_stop("Stopped", "stop requested")
                    self.store.update_tuning_job(
                        self.name, heartbeat=now, consumed_runtime=self._elapsed()
                    )
                if (
                    t.max_runtime_in_seconds is not None
                    and self.stop_status is None
                    and self._elapsed() >= t.max_runtime_in_seconds
                ):
                    self._request_stop(
                        "Completed",
                        "the tuning job reached MaxRuntimeInSeconds "
                        f"({t.max_runtime_in_seconds:g} s)",
                    )
                for js in run.running:
                    if js.deadline is not None and now >= js.deadline and js.stop_reason is None:
                        self._stop_job(js, "timeout", "Failed")
                # admit new training jobs
                free = t.max_parallel_jobs - len(run.running)
                todo = t.max_jobs - self.n_started
                if self.stop_status is None and not exhausted and free > 0 and todo > 0:
                    if t.strategy == "Grid" or t.space.is_finite:  # one at a time: few may be left
                        trials = []
                        for _ in range(min(free, todo)):
                            try:
                                trials += run.optimizer.ask(1)
                            except ValueError:
                                exhausted = True  # every grid point is evaluated or running
                                break
                    else:
                        trials = run.optimizer.ask(min(free, todo))
                    for trial in trials:
                        self._launch(run, trial.id, trial.params)
                if self.metric_buf:
                    self.store.add_metrics(self.metric_buf)
                    self.metric_buf.clear()
            self._show(run)
            if not run.running:
                break
            timeout = max(0.0, min(next_poll - time.time(), POLL))
            deadlines = [j.deadline for j in run.running if j.deadline and j.stop_reason is None]
            if deadlines:
                timeout = max(0.0, min(timeout, min(deadlines) - time.time()))
            try:
                ev = self.events.get(timeout=timeout)
            except queue.Empty:
                continue
            batch = [ev]
            while len(batch) < 10000:
                try:
                    batch.append(self.events.get_nowait())
                except queue.Empty:
                    break
            with self.store.transaction():
                for ev in batch:
                    self._handle(run, ev)
        self._finish(run)

    def _show(self, run: TuningRun) -> None:
        if not self.progress.enabled:
            return
        counts: dict[str, int] = {}
        for j in run.jobs.values():
            counts[j.status] = counts.get(j.status, 0) + 1
        best = None if run.best is None else run.best.final_objective
        self.progress.update(
            format_status(self.name, counts, best, self._elapsed(), self.t.max_jobs)
        )

    # ---------------------------------------------------------------- jobs
    def _job_name(self, seq: int, params: Mapping[str, Any]) -> str:
        h = hashlib.sha256(f"{self.name}:{seq}:{sorted(params.items())}".encode()).hexdigest()[:8]
        return f"{self.name}-{seq:03d}-{h}"

    def _launch(self, run: TuningRun, trial_id: int, params: Mapping[str, Any]) -> None:
        seq = self.n_started + 1
        self.n_started += 1
        tuned = {k: params[k] for k in self.t.space.names}
        name = self._job_name(seq, tuned)
        now = time.time()
        job_dir = None if isinstance(self.runner, ThreadRunner) else self.jobs_dir / name
        js = TrainingJobState(
            seq, name, tuned, creation_time=now, start_time=now, job_dir=job_dir, trial_id=trial_id
        )
        run.jobs[seq] = js
        self.store.insert_training_job(
            self.name, seq, name, tuned, now, None if job_dir is None else str(job_dir)
        )
        self._run_attempt(js)

    def _run_attempt(self, js: TrainingJobState) -> None:
        spec = JobSpec(
            self.name,
            js.seq,
            js.name,
            {**js.hyperparameters, **self.t.space.static},
            js.job_dir,
            dict(self.t.channels),
            js.attempts,
        )
        lim = self.t.max_runtime_per_training_job
        js.deadline = None if lim is None else time.time() + lim
        js.stop_reason = js.stop_status = None
        assert self.state is not None
        self.state.mark_running(js)
        js.handle = self.runner.start(spec, self.events)
        if js.handle.pid is not None:
            self.store.update_training_job(self.name, js.seq, pid=js.handle.pid)

    def _restart(self, run: TuningRun, js: TrainingJobState) -> None:
        """Re-run a training job that was InProgress when the previous driver died."""
        kill_survivor(self.store, self.name, js.seq)
        js.restarts += 1
        js.series = {}
        js.start_time = time.time()
        self.store.delete_metrics(self.name, js.seq)
        self.store.update_training_job(
            self.name, js.seq, restarts=js.restarts, start_time=js.start_time
        )
        if js.job_dir is not None and js.job_dir.exists():
            with open(js.job_dir / "train.log", "a") as f:
                f.write("[amtune] the driver was interrupted; re-running this training job\n")
        # pending in the strategy while it runs, so no proposal lands on it
        js.trial_id = run.optimizer.add_pending({**js.hyperparameters, **self.t.space.static}).id
        self._run_attempt(js)

    def _stop_job(self, js: TrainingJobState, reason: str, status: str) -> None:
        if js.stop_reason is not None or js.handle is None:
            return
        js.stop_reason = reason
        js.stop_status = status
        js.handle.stop(self.t.stop_grace_seconds)

    def _request_stop(self, status: str, reason: str) -> None:
        if self.stop_status is not None:
            return
        self.stop_status = status
        self.stop_reason = reason
        run = self.state
        if status == "Stopped":
            self.store.update_tuning_job(self.name, status="Stopping")
        if run is not None:
            for js in run.running:
                self._stop_job(js, reason, "Stopped")

    def _handle(self, run: TuningRun, ev: tuple[Any, ...]) -> None:
        kind, seq = ev[0], ev[1]
        js = run.jobs.get(seq)
        if js is None or js.status != "InProgress":
            return
        if kind == "metric":
            _, _, name, value, step, when = ev
            js.series.setdefault(name, []).append((step, when, value))
            self.metric_buf.append((self.name, seq, name, step, when, value))
            for h in self.hooks:
                why = h.on_metric(run, js, name, step, value)
                if why:
                    self._stop_job(
                        js, why, "Completed" if isinstance(why, CompleteJob) else "Stopped"
                    )
                    break
        elif kind == "done":
            self._finish_job(run, js, ev[2])

    def _finish_job(self, run: TuningRun, js: TrainingJobState, out: Outcome) -> None:
        now = time.time()
        if self.metric_buf:
            self.store.add_metrics(self.metric_buf)
            self.metric_buf.clear()
        # Retries: a process killed by a signal (that we did not stop) or that failed to start.
        if (
            not out.ok
            and out.retryable
            and js.stop_reason is None
            and js.attempts <= self.t.max_retry_attempts
            and self.stop_status is None
        ):
            self.store.add_attempt(
                self.name,
                js.seq,
                js.attempts,
                "Failed",
                out.failure_reason,
                True,
                js.start_time,
                now,
            )
            js.attempts += 1
            js.series = {}
            self.store.delete_metrics(self.name, js.seq)
            self.store.update_training_job(self.name, js.seq, attempts=js.attempts)
            self._run_attempt(js)
            return
        extra: list[tuple[str, float]] = []
        if out.final_value is not None:
            extra.append((self.t.objective_metric_name, out.final_value))
        extra += list(out.final_metrics.items())
        for name, value in extra:
            k = len(js.series.get(name, []))
            js.series.setdefault(name, []).append((k, now, value))
            self.metric_buf.append((self.name, js.seq, name, k, now, value))
        if self.metric_buf:
            self.store.add_metrics(self.metric_buf)
            self.metric_buf.clear()
        js.final_metrics = {k: v[-1][2] for k, v in js.series.items() if v}
        if js.stop_reason == "timeout":
            status = "Failed"
            reason: str | None = (
                f"the training job exceeded its MaxRuntimeInSeconds "
                f"({self.t.max_runtime_per_training_job:g} s) and was stopped"
            )
        elif (out.ok and not out.stopped and js.stop_reason is None) or (
            js.stop_status == "Completed" and js.stop_reason is not None
        ):  # it ended by itself, or a hook ended it with its budget used up (CompleteJob)
            status, reason = "Completed", None
        elif js.stop_reason is not None or out.stopped:
            status, reason = "Stopped", js.stop_reason
        else:
            status, reason = "Failed", out.failure_reason
        obj = js.final_metrics.get(self.t.objective_metric_name)
        if status in ("Completed", "Stopped") and obj is not None:
            obj_status = "Succeeded"
        else:
            obj_status = "Failed"
            if status == "Completed":
                reason = f"the objective metric {self.t.objective_metric_name!r} was never emitted"
        js.status, js.objective_status, js.failure_reason = status, obj_status, reason
        run.mark_ended(js)
        js.end_time = now
        js.final_objective = obj
        js.retryable = bool(out.retryable) and status == "Failed"
        js.handle = None
        self.store.add_attempt(
            self.name, js.seq, js.attempts, status, reason, js.retryable, js.start_time, now
        )
        self.store.update_training_job(
            self.name,
            js.seq,
            status=status,
            objective_status=obj_status,
            failure_reason=reason,
            end_time=now,
            final_objective=obj,
            final_metrics=js.final_metrics,
            retryable=int(js.retryable),
        )
        obs = observation(status, obj_status, obj)
        opt = run.optimizer
        if js.trial_id is not None:
            if obs == "skip":
                opt.forget(js.trial_id)
            else:
                opt.tell(js.trial_id, obs)  # type: ignore[arg-type]
        run.update_best(js)
        for h in self.hooks:
            why = h.after_job(run, js)
            if why:
                self._request_stop("Completed", why)
                run.completion_details.setdefault("Reason", why)
                break

    # ---------------------------------------------------------------- end
    def _finish(self, run: TuningRun) -> None:
        now = time.time()
        rows = run.jobs.values()
        if self.stop_status == "Stopped":
            status, reason = "Stopped", None
        elif any(j.objective_status == "Succeeded" for j in rows):
            status, reason = "Completed", None
        else:
            failed = [j for j in rows if j.status == "Failed"]
            first = failed[0].failure_reason if failed else None
            status = "Failed"
            reason = (
                f"No training job succeeded: {len(rows)} training job(s), {len(failed)} failed"
                + (f"; first failure: {first}" if first else "")
            )
            if self.stop_reason and self.stop_status == "Completed":
                reason += f"; ended because {self.stop_reason}"
        details = dict(run.completion_details)
        if self.stop_status == "Completed" and self.stop_reason and "Reason" not in details:
            details["Reason"] = self.stop_reason
        with self.store.transaction():
            self.store.update_tuning_job(
                self.name,
                status=status,
                failure_reason=reason,
                end_time=now,
                consumed_runtime=self._elapsed(),
                heartbeat=now,
                completion_details=details or None,
            )
        best = run.best
        self.progress.close(
            f"{self.name}: {status}; best {best.name} = {best.final_objective:.6g}"
            if best
            else f"{self.name}: {status}"
        )

    def _abort(self, run: TuningRun, exc: BaseException) -> None:
        """The loop itself failed (or was interrupted): stop the jobs, record why."""
        grace = min(self.t.stop_grace_seconds, 2.0)
        handles = [js.handle for js in run.running if js.handle is not None]
        for h in handles:
            h.stop(grace)
        # The driver is about to return: do not leave processes behind.
        deadline = time.time() + grace
        while any(h.alive() for h in handles) and time.time() < deadline:
            time.sleep(0.05)
        for h in handles:
            if h.alive():
                h.kill()
        interrupted = isinstance(exc, KeyboardInterrupt)
        # Keep what the jobs emitted before they stopped: metrics still queued, then buffered.
        while True:
            try:
                ev = self.events.get_nowait()
            except queue.Empty:
                break
            js = run.running_job(ev[1])
            if ev[0] == "metric" and js is not None:
                _, seq, mname, value, step, when = ev
                js.series.setdefault(mname, []).append((step, when, value))
                self.metric_buf.append((self.name, seq, mname, step, when, value))
        now = time.time()
        try:
            with self.store.transaction():
                if self.metric_buf:
                    self.store.add_metrics(self.metric_buf)
                    self.metric_buf.clear()
                for js in run.running:
                    # as a stopped job: its last emission of the objective is its final value
                    final = {k: v[-1][2] for k, v in js.series.items() if v}
                    obj = final.get(self.t.objective_metric_name)
                    self.store.update_training_job(
                        self.name,
                        js.seq,
                        status="Stopped",
                        objective_status="Failed" if obj is None else "Succeeded",
                        failure_reason="the tuning job was interrupted"
                        if interrupted
                        else "the tuning job failed (internal error)",
                        end_time=now,
                        final_objective=obj,
                        final_metrics=final,
                    )
                self.store.update_tuning_job(
                    self.name,
                    status="Stopped" if interrupted else "Failed",
                    failure_reason=None
                    if interrupted
                    else f"internal error: {type(exc).__name__}: {exc}",
                    end_time=now,
                    consumed_runtime=self._elapsed(),
                )
        finally:
            self.progress.close()

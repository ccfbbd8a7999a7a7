"""The loop of one tuning job (one run of ``fit`` or ``resume``): propose, launch, watch, record.

The driver is the only writer of the store while it runs. Each turn of its loop is one store
transaction: poll for a stop request and write the heartbeat, apply the time limits, admit new
training jobs up to the limits, then handle the runners' events (:mod:`amtune.runners.events`):
a metric emission goes to the rules (:mod:`amtune.rules`), whose :class:`JobDecision` may end the
job; a job's end becomes its statuses by the pure rules of :mod:`amtune.tuning.outcome`, and the
strategy learns from it.
"""

from __future__ import annotations

import hashlib
import queue
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from amtune.enums import (
    JobAction,
    ObjectiveStatus,
    StopCause,
    TrainingJobStatus,
    TuningJobStatus,
)
from amtune.optimizer import Optimizer, Trial
from amtune.progress import Progress, format_status
from amtune.rules.base import TuningJobHook
from amtune.rules.build import build_hooks
from amtune.rules.decisions import JobDecision
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome, RunnerEvent
from amtune.runners.spec import JobSpec, NullHandle, Runner
from amtune.runners.thread import ThreadRunner
from amtune.tuning.liveness import Lease, LeaseLost, kill_survivor
from amtune.tuning.outcome import (
    ObservationKind,
    StopRequest,
    TuningJobStop,
    job_end,
    observation,
    should_retry,
    tuning_job_end,
)
from amtune.tuning.series import keep as keep_emission
from amtune.tuning.settings import TuningJobSettings
from amtune.tuning.state import TrainingJobState, TuningRun

#: Seconds between the driver's polls of the store (stop requests, heartbeat).
POLL = 0.5
#: Events handled in one transaction at most.
MAX_BATCH = 10000

#: the longest a training job that used its whole budget is left to end by itself (SageMaker's
#: StopTrainingJob leaves a job 120 s between SIGTERM and SIGKILL to save its model)
COMPLETE_WAIT_MAX = 120.0
_STOP_CAUSE = {JobAction.STOP: StopCause.RULE_STOP, JobAction.COMPLETE: StopCause.RULE_COMPLETE}

MetricRow = tuple[str, int, str, int | None, float, float]


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the tuning job as Ctrl-C does (running jobs stopped, results kept, the tuning
    job Stopped), when the driver runs in the main thread (where Python delivers signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Driver:
    """The loop of one tuning job (one run of fit or resume).

    ``state`` is the run's :class:`TuningRun` once :meth:`load` has read the store.
    """

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
        self.name = name
        self.runner = runner
        self.resumed = resumed
        self.stop_event = stop_event or threading.Event()
        self.store = tuner.store
        self.events = EventQueue()
        self.progress = Progress(show)
        self.hooks: list[TuningJobHook] = build_hooks(tuner)
        self.metric_buf: list[MetricRow] = []
        self.stop: TuningJobStop | None = None  # set once the tuning job is ending early
        self.state: TuningRun | None = None
        self.rerun: list[TrainingJobState] = []
        self.n_started = 0
        self.exhausted = False  # the strategy has nothing left to propose (a finite space)
        self.consumed_before = 0.0
        self.start_clock = time.time()
        root = Path(tuner.output_path) if tuner.output_path else self.store.jobs_root
        self.jobs_root = root
        self.jobs_dir = root / name
        self.lease = Lease(self.store, name)

    # ---------------------------------------------------------------- setup
    def load(self) -> TuningRun:
        """Read the tuning job from the store: its training jobs, their series and the rules'
        decisions; rebuild the strategy from the finished ones. Reads only: :meth:`run` takes
        the driver's lease first."""
        job = self.store.get_tuning_job(self.name)
        claimed = job.get("driver_token") == self.lease.token
        # the lease claim counted this resume already
        resumes = int(job["resumes"]) + (1 if self.resumed and not claimed else 0)
        seed = int(self.t.random_seed or 0)
        if resumes:  # a resumed job does not repeat the proposals of the first run
            seed = int(hashlib.sha256(f"{seed}:{resumes}".encode()).hexdigest()[:8], 16)
        options = dict(self.t.strategy_config)
        if self.t.strategy == "Bayesian":  # the strategy may size its design by the budget
            options.setdefault("budget", int(self.t.max_jobs))
        opt = Optimizer(self.t.space, self.t.strategy, self.t.objective_type, seed, **options)
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
        decisions = self.store.rule_decisions(self.name) if rows else {}
        params: list[dict[str, Any]] = []
        values: list[float | None] = []
        for r in rows:
            d = decisions.get(r["seq"])
            js = TrainingJobState(
                r["seq"],
                r["name"],
                r["hyperparameters"],
                TrainingJobStatus(r["status"]),
                ObjectiveStatus(r["objective_status"]),
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
                decision=None
                if d is None
                else JobDecision(d["rule"], JobAction(d["action"]), d["reason"], d["resource"]),
            )
            run.jobs[js.seq] = js
            if js.status is TrainingJobStatus.IN_PROGRESS:
                self.rerun.append(js)
                continue
            obs = observation(js.status, js.objective_status, js.final_objective)
            if obs.kind is not ObservationKind.DROPPED:
                params.append({**js.hyperparameters, **self.t.space.static})
                values.append(obs.value)
            run.update_best(js)
        if params:
            opt.add_many(params, values)
        self.n_started = len(rows)
        if job["stop_requested"] and claimed:
            with self._txn():
                self._end_early(TuningJobStop(TuningJobStatus.STOPPED, "stop requested"))
        return run

    # ---------------------------------------------------------------- main loop
    def run(self) -> None:
        self.start_clock = time.time()
        with _sigterm_as_interrupt():
            try:
                self.lease.claim(self.resumed)  # or LeaseTaken / ValueError: nothing written
                self.lease.start_heartbeat()
                run = self.load()
            except BaseException:
                self.lease.release()
                self.runner.close()
                raise
            try:
                for h in self.hooks:
                    h.on_start(run)
                self._resume_interrupted(run)
                self._loop(run)
            except BaseException as exc:
                self._abort(run, exc)
                raise
            finally:
                self.lease.release()
                self.runner.close()
                self.events.close()  # a producer still waiting for room returns

    @contextmanager
    def _txn(self) -> Iterator[None]:
        """One write transaction of the driver: it writes only while it holds the lease."""
        with self.store.transaction():
            self.lease.check()
            yield

    def _elapsed(self) -> float:
        return self.consumed_before + (time.time() - self.start_clock)

    def _loop(self, run: TuningRun) -> None:
        next_poll = 0.0
        while True:
            now = time.time()
            with self._txn():
                if now >= next_poll:
                    next_poll = now + POLL
                    self._poll(now)
                elif self.stop is None and self.stop_event.is_set():  # stop() in this process
                    self._end_early(TuningJobStop(TuningJobStatus.STOPPED, "stop requested"))
                self._apply_time_limits(run, now)
                self._flush_metrics()
            self._admit(run)
            self._show(run)
            if not run.running:
                break
            batch = self._next_events(run, next_poll)
            if batch:
                with self._txn():
                    for ev in batch:
                        self._handle(run, ev)
        with self._txn():  # a stop requested since the last poll: the job ends Stopped
            self._poll(time.time())
        self._finish(run)

    # ---------------------------------------------------------------- steps of a turn
    def _resume_interrupted(self, run: TuningRun) -> None:
        """Re-run the training jobs that were InProgress when the previous driver died (or, if a
        stop was requested meanwhile, mark them Stopped)."""
        with self._txn():
            for js in self.rerun:
                if self.stop is None:
                    self._restart(run, js)
                    continue
                js.status, js.objective_status = TrainingJobStatus.STOPPED, ObjectiveStatus.FAILED
                js.failure_reason, js.end_time = "the driver was interrupted", time.time()
                self.store.update_training_job(
                    self.name,
                    js.seq,
                    status=js.status,
                    objective_status=js.objective_status,
                    failure_reason=js.failure_reason,
                    end_time=js.end_time,
                )

    def _poll(self, now: float) -> None:
        """A stop request (``stop()`` or ``amtune stop``), and the driver's heartbeat."""
        if self.stop_event.is_set() or self.store.stop_requested(self.name):
            self._end_early(TuningJobStop(TuningJobStatus.STOPPED, "stop requested"))
        self.store.update_tuning_job(self.name, heartbeat=now, consumed_runtime=self._elapsed())

    def _apply_time_limits(self, run: TuningRun, now: float) -> None:
        """The tuning job's ``MaxRuntimeInSeconds`` and each training job's own limit."""
        limit = self.t.max_runtime_in_seconds
        if limit is not None and self.stop is None and self._elapsed() >= limit:
            reason = f"the tuning job reached MaxRuntimeInSeconds ({limit:g} s)"
            self._end_early(TuningJobStop(TuningJobStatus.COMPLETED, reason))
        for js in run.running:
            if js.deferred is not None and js.deferred_at is not None and now >= js.deferred_at:
                self._stop_job(js, js.deferred)
            if js.deadline is not None and now >= js.deadline and js.stop is None:
                reason = (
                    f"the training job exceeded its MaxRuntimeInSeconds "
                    f"({self.t.max_runtime_per_training_job:g} s) and was stopped"
                )
                self._stop_job(js, StopRequest(StopCause.TIMEOUT, reason))

    def _admit(self, run: TuningRun) -> None:
        """Start training jobs while slots and budget are free and the strategy proposes (outside
        any transaction: the strategy may take a while, and each job's row is committed before
        its process starts)."""
        free = self.t.max_parallel_jobs - len(run.running)
        todo = self.t.max_jobs - self.n_started
        if self.stop is not None or self.exhausted or free <= 0 or todo <= 0:
            return
        if self.t.strategy == "Grid" or self.t.space.is_finite:  # one at a time: few may be left
            trials = []
            for _ in range(min(free, todo)):
                try:
                    trials += run.optimizer.ask(1)
                except ValueError:
                    self.exhausted = True  # every grid point is evaluated or running
                    break
        else:
            trials = self._ask_unseen(run, min(free, todo))
        for trial in trials:
            self._launch(run, trial.id, trial.params)

    def _next_events(self, run: TuningRun, next_poll: float) -> list[RunnerEvent]:
        """Wait for events until the next poll or training-job deadline; take what has come."""
        timeout = max(0.0, min(next_poll - time.time(), POLL))
        deadlines = [
            t
            for j in run.running
            if j.stop is None
            for t in (j.deadline, j.deferred_at)
            if t is not None
        ]
        if deadlines:
            timeout = max(0.0, min(timeout, min(deadlines) - time.time()))
        try:
            batch = [self.events.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self.events.get_nowait())
            except queue.Empty:
                break
        return batch

    def _flush_metrics(self) -> None:
        if self.metric_buf:
            self.store.add_metrics(self.metric_buf)
            self.metric_buf.clear()

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
        with self._txn():  # committed before the process starts: a kill leaves no orphan dir
            self.store.insert_training_job(
                self.name, seq, name, tuned, now, None if job_dir is None else str(job_dir)
            )
        self._run_attempt(run, js)

    def _run_attempt(self, run: TuningRun, js: TrainingJobState) -> None:
        spec = JobSpec(
            self.name,
            js.seq,
            js.name,
            {**js.hyperparameters, **self.t.space.static},
            js.job_dir,
            dict(self.t.channels),
            js.attempts,
            content_types=dict(self.t.content_types),
        )
        lim = self.t.max_runtime_per_training_job
        js.deadline = None if lim is None else time.time() + lim
        js.stop = None
        run.mark_running(js)
        escape = self._escapes_root(js.job_dir)
        if escape is not None:  # refused: the job fails, nothing is written out there
            js.handle = NullHandle()
            self.events.put(JobEnded(js.seq, Outcome(False, escape)))
            return
        js.handle = self.runner.start(spec, self.events)
        if js.handle.pid is not None:
            with self._txn():  # joins the turn's transaction on a retry or a restart
                self.store.update_training_job(self.name, js.seq, pid=js.handle.pid)

    def _escapes_root(self, job_dir: Path | None) -> str | None:
        """Why ``job_dir`` is refused (a symlink leads it out of the jobs root), or None."""
        if job_dir is None:
            return None
        root = self.jobs_root.resolve()
        real = job_dir.resolve()
        if real == root or root not in real.parents:
            return (
                f"the job directory {job_dir} leads out of {root} (through a symlink to {real}); "
                f"refused"
            )
        return None

    def _restart(self, run: TuningRun, js: TrainingJobState) -> None:
        """Re-run a training job that was InProgress when the previous driver died."""
        kill_survivor(self.store, self.name, js.seq)
        js.restarts += 1
        js.series, js.emitted, js.last_emission = {}, {}, {}
        js.decision = None
        js.start_time = time.time()
        self.store.delete_metrics(self.name, js.seq)
        self.store.delete_rule_decision(self.name, js.seq)
        self.store.update_training_job(
            self.name, js.seq, restarts=js.restarts, start_time=js.start_time
        )
        if js.job_dir is not None and js.job_dir.exists() and not self._escapes_root(js.job_dir):
            with open(js.job_dir / "train.log", "a") as f:
                f.write("[amtune] the driver was interrupted; re-running this training job\n")
        # pending in the strategy while it runs, so no proposal lands on it
        js.trial_id = run.optimizer.add_pending({**js.hyperparameters, **self.t.space.static}).id
        self._run_attempt(run, js)

    def _stop_job(self, js: TrainingJobState, stop: StopRequest) -> None:
        if js.stop is not None or js.handle is None:
            return
        js.stop = stop
        if stop.cause in (StopCause.TIMEOUT, StopCause.TUNING_JOB_STOPPING):
            # recorded like a rule's decision (``_decide``), so the report can tell why it ended
            self.store.set_rule_decision(
                self.name, js.seq, stop.cause.value, JobAction.STOP, stop.reason, None
            )
        js.handle.stop(self.t.stop_grace_seconds)

    def _end_early(self, stop: TuningJobStop) -> None:
        """End the tuning job before its budget is used: stop every running training job."""
        if self.stop is not None:
            return
        self.stop = stop
        if stop.status is TuningJobStatus.STOPPED:
            self.store.update_tuning_job(self.name, status=TuningJobStatus.STOPPING)
        if self.state is not None:
            for js in self.state.running:
                self._stop_job(js, StopRequest(StopCause.TUNING_JOB_STOPPING, stop.reason))

    # ---------------------------------------------------------------- events
    def _handle(self, run: TuningRun, ev: RunnerEvent) -> None:
        js = run.jobs.get(ev.seq)
        if js is None or js.status is not TrainingJobStatus.IN_PROGRESS:
            return
        if isinstance(ev, MetricEmitted):
            self._on_metric(run, js, ev)
        else:
            self._on_end(run, js, ev)

    def _on_metric(self, run: TuningRun, js: TrainingJobState, ev: MetricEmitted) -> None:
        """Every emission goes to the rules; a bounded part of each series is kept
        (:mod:`amtune.tuning.series`), with the emission index as its step."""
        k = js.emitted.get(ev.name, 0)
        js.emitted[ev.name] = k + 1
        kept = js.series.get(ev.name)
        previous = js.last_emission.get(ev.name) or (kept[-1] if kept else None)
        since = previous[1] if previous is not None else js.start_time
        step_seconds = max(0.0, ev.time - since) if since is not None else 0.0
        step = k if ev.step is None else ev.step
        if keep_emission(k):
            js.series.setdefault(ev.name, []).append((step, ev.time, ev.value))
            self.metric_buf.append((self.name, ev.seq, ev.name, step, ev.time, ev.value))
            js.last_emission.pop(ev.name, None)
        else:
            js.last_emission[ev.name] = (step, ev.time, ev.value)
        for h in self.hooks:
            decision = h.on_metric(run, js, ev.name, step, ev.value)
            if decision is not None:
                self._decide(js, decision, step_seconds)
                break

    def _decide(self, js: TrainingJobState, decision: JobDecision, step_seconds: float) -> None:
        """Apply a rule's decision to a running job and record it (a resumed job's rules see it).

        ``step_seconds`` is the time between the emission that decided and the job's previous
        emission of that metric (its start for the first)."""
        if js.stop is not None or js.handle is None or js.deferred is not None:
            return
        js.decision = decision
        self.store.set_rule_decision(
            self.name, js.seq, decision.rule, decision.action, decision.reason, decision.resource
        )
        request = StopRequest(_STOP_CAUSE[decision.action], decision.reason)
        if decision.action is JobAction.COMPLETE and decision.resource:
            # its budget is used up: a job whose own loop ends there saves its model and exits,
            # which an immediate SIGTERM would cut short (the model lost). It gets the time of one
            # more resource unit (its mean so far), at least stop_grace_seconds and at most
            # COMPLETE_WAIT_MAX, to end by itself; a job still running then trains beyond the
            # budget and is stopped.
            per_unit = (time.time() - (js.start_time or time.time())) / decision.resource
            wait = min(max(per_unit, self.t.stop_grace_seconds), COMPLETE_WAIT_MAX)
            js.deferred, js.deferred_at = request, time.time() + wait
            return
        if decision.one_step_later:
            # SageMaker reads a job's metrics from its logs (CloudWatch) and acts on them a while
            # after they were written; a job that ends by itself meanwhile is Completed, with its
            # model. Above all a script that prints its objective once, at the end, and then saves
            # its model: stopped on that line, it would lose the model. The delay here is one
            # step of the job (the time since its previous emission), at most COMPLETE_WAIT_MAX.
            wait = min(step_seconds, COMPLETE_WAIT_MAX)
            if wait > 0.0:
                js.deferred, js.deferred_at = request, time.time() + wait
                return
        self._stop_job(js, request)

    def _on_end(self, run: TuningRun, js: TrainingJobState, ev: JobEnded) -> None:
        now = time.time()
        out = ev.outcome
        self._flush_metrics()
        if should_retry(
            out, js.stop, js.attempts, self.t.max_retry_attempts, self.stop is not None
        ):
            self._retry(run, js, out, now)
            return
        self._record_final_values(js, out, now)
        end = job_end(out, js.stop, js.final_metrics, self.t.objective_metric_name)
        js.status, js.objective_status = end.status, end.objective_status
        js.failure_reason, js.final_objective = end.failure_reason, end.final_objective
        if (
            end.status is TrainingJobStatus.COMPLETED
            and end.objective_status is ObjectiveStatus.FAILED
        ):  # say why: the regex, what it captured, the job's last lines
            js.failure_reason = self._objective_missing(out)
        js.end_time = now
        js.retryable = bool(out.retryable) and end.status is TrainingJobStatus.FAILED
        js.handle = None
        run.mark_ended(js)
        self.store.add_attempt(
            self.name,
            js.seq,
            js.attempts,
            js.status,
            js.failure_reason,
            js.retryable,
            js.start_time,
            now,
        )
        self.store.update_training_job(
            self.name,
            js.seq,
            status=js.status,
            objective_status=js.objective_status,
            failure_reason=js.failure_reason,
            end_time=now,
            final_objective=js.final_objective,
            final_metrics=js.final_metrics,
            retryable=int(js.retryable),
        )
        self._observe(run, js)
        self._show_job(run, js)
        for h in self.hooks:
            done = h.after_job(run, js)
            if done is not None:
                self._end_early(TuningJobStop(TuningJobStatus.COMPLETED, done.reason))
                run.completion_details.setdefault("Reason", done.reason)
                break

    def _retry(self, run: TuningRun, js: TrainingJobState, out: Outcome, now: float) -> None:
        """Run a job again whose process died by a signal or failed to start."""
        self.store.add_attempt(
            self.name,
            js.seq,
            js.attempts,
            TrainingJobStatus.FAILED,
            out.failure_reason,
            True,
            js.start_time,
            now,
        )
        js.attempts += 1
        js.series, js.emitted, js.last_emission = {}, {}, {}
        self.store.delete_metrics(self.name, js.seq)
        self.store.update_training_job(self.name, js.seq, attempts=js.attempts)
        self._run_attempt(run, js)

    def _record_final_values(self, js: TrainingJobState, out: Outcome, now: float) -> None:
        """Append what a callable returned to the series; the final metrics are the last
        emissions."""
        extra: list[tuple[str, float]] = []
        if out.final_value is not None:
            extra.append((self.t.objective_metric_name, out.final_value))
        extra += list(out.final_metrics.items())
        self._keep_last_emissions(js)
        for name, value in extra:
            k = js.emitted.get(name, 0)
            js.emitted[name] = k + 1
            js.series.setdefault(name, []).append((k, now, value))
            self.metric_buf.append((self.name, js.seq, name, k, now, value))
        self._flush_metrics()
        js.final_metrics = {k: v[-1][2] for k, v in js.series.items() if v}

    def _keep_last_emissions(self, js: TrainingJobState) -> None:
        """A decimated series ends with the last emission (the final value)."""
        for name, (step, t, value) in js.last_emission.items():
            js.series.setdefault(name, []).append((step, t, value))
            self.metric_buf.append((self.name, js.seq, name, step, t, value))
        js.last_emission.clear()

    def _observe(self, run: TuningRun, js: TrainingJobState) -> None:
        """Tell the strategy what the job taught it; update the best job."""
        obs = observation(js.status, js.objective_status, js.final_objective)
        if js.trial_id is not None:
            if obs.kind is ObservationKind.DROPPED:
                run.optimizer.forget(js.trial_id)
            else:
                run.optimizer.tell(js.trial_id, obs.value)
        run.update_best(js)

    def _ask_unseen(self, run: TuningRun, n: int) -> list[Trial]:
        """``n`` proposals none of which repeats an evaluated configuration exactly.

        A strategy's seeded initial design ignores observations added with ``add_many``, so a
        warm start from a parent that ran with the same seed (or a resumed job) would re-run the
        parent's configurations; such a proposal is dropped and asked again (at most 10 times),
        unless the strategy proposed it as a replicate on purpose (``noise_probe``).
        """
        opt = run.optimizer
        trials = opt.ask(n)
        seen = opt.history().X
        if not len(seen):
            return trials
        out = []
        for t in trials:
            for _ in range(10):
                x = opt.space.encode([t.params])[0]
                if not np.any(np.all(np.abs(seen - x) <= 1e-12, axis=1)):
                    break
                if opt.strategy.claim_replicate(x):
                    break
                opt.forget(t.id)
                t = opt.ask(1)[0]
            out.append(t)
        return out

    def _objective_missing(self, out: Outcome) -> str:
        """Why a Completed job has no objective: the regex, what it captured, the last lines."""
        name = self.t.objective_metric_name
        regex = next((d["Regex"] for d in self.t.metric_definitions if d["Name"] == name), None)
        rx = f" (Regex {regex!r})" if regex else ""
        if name in out.not_numbers:
            return f"the objective metric {name!r} matched but not a number: " + (
                f"{out.not_numbers[name]!r}{rx}"
            )
        msg = f"the objective metric {name!r} was never emitted{rx}"
        if out.output_tail:
            msg += "; last output: " + out.last_output()
        return msg

    def _show_job(self, run: TuningRun, js: TrainingJobState) -> None:
        """One line per finished training job where no live line is shown (a notebook, a pipe)."""
        if not self.progress.lines:
            return
        obj = "-" if js.final_objective is None else f"{js.final_objective:.6g}"
        best = (
            "-"
            if run.best is None or run.best.final_objective is None
            else (f"{run.best.final_objective:.6g}")
        )
        done = sum(1 for j in run.jobs.values() if j.status != "InProgress")
        self.progress.line(
            f"{js.name}  {js.status:<9}  {self.t.objective_metric_name} {obj}  best {best}  "
            f"({done}/{self.t.max_jobs})"
        )

    # ---------------------------------------------------------------- end
    def _finish(self, run: TuningRun) -> None:
        now = time.time()
        status, reason = tuning_job_end(self.stop, list(run.jobs.values()))
        details = dict(run.completion_details)
        if (
            self.stop is not None
            and self.stop.status is TuningJobStatus.COMPLETED
            and "Reason" not in details
        ):
            details["Reason"] = self.stop.reason
        with self._txn():
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
        if isinstance(exc, LeaseLost) or self.lease.lost.is_set():
            self.progress.close()
            return  # another driver owns the job's rows now
        # Keep what the jobs emitted before they stopped: metrics still queued, then buffered.
        while True:
            try:
                ev = self.events.get_nowait()
            except queue.Empty:
                break
            js = run.running_job(ev.seq)
            if isinstance(ev, MetricEmitted) and js is not None:
                k = js.emitted.get(ev.name, 0)
                js.emitted[ev.name] = k + 1
                js.last_emission[ev.name] = (k if ev.step is None else ev.step, ev.time, ev.value)
        for js in run.running:
            self._keep_last_emissions(js)
        now = time.time()
        try:
            with self._txn():
                self._flush_metrics()
                for js in run.running:
                    # as a stopped job: its last emission of the objective is its final value
                    final = {k: v[-1][2] for k, v in js.series.items() if v}
                    obj = final.get(self.t.objective_metric_name)
                    self.store.update_training_job(
                        self.name,
                        js.seq,
                        status=TrainingJobStatus.STOPPED,
                        objective_status=ObjectiveStatus.FAILED
                        if obj is None
                        else ObjectiveStatus.SUCCEEDED,
                        failure_reason="the tuning job was interrupted"
                        if interrupted
                        else "the tuning job failed (internal error)",
                        end_time=now,
                        final_objective=obj,
                        final_metrics=final,
                    )
                self.store.update_tuning_job(
                    self.name,
                    status=TuningJobStatus.STOPPED if interrupted else TuningJobStatus.FAILED,
                    failure_reason=None
                    if interrupted
                    else f"internal error: {type(exc).__name__}: {exc}",
                    end_time=now,
                    consumed_runtime=self._elapsed(),
                )
        finally:
            self.progress.close()

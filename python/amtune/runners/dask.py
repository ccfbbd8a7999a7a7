"""Run training jobs (Python callables and commands) on the workers of a Dask cluster.

The driver stays one process and the only writer of the store; each training job is one Dask
task. On its worker the task runs the job with the local runners (a callable in a thread of the
worker, a command as a process group with the ``SM_*`` contract, see :mod:`.command`) and streams
every metric emission back while the job runs, as a Dask event on a topic of its own
(``Worker.log_event`` / ``Client.subscribe_topic``). A stop decision reaches the worker through a
``distributed.Event``: a command gets SIGTERM, then SIGKILL after the grace period; a callable is
told through its reporter.

A task claims its key (a ``distributed.Event`` on the scheduler) before it runs the job. When its
worker dies, the scheduler runs the task again; that rerun finds the claim and returns at once
without running the job, and the attempt ends as a retryable failure (the driver's retry strategy
decides what follows; its metrics are discarded), so no result is recorded twice. A task that Dask
gives up on (``KilledWorker``) ends the same way.

Job directories: with ``shared_filesystem=True`` the worker writes the job's directory at the
driver's path (a shared or the same filesystem); otherwise it runs in its own local directory and
the job's log, model and output directories come back to the driver's job directory as an archive
when the job ends.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import shutil
import tarfile
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.runners.command import CommandRunner
from amtune.runners.environment import prepare_job_dir
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.runners.spec import Handle, JobSpec, Runner
from amtune.runners.thread import ThreadRunner

#: Seconds the driver waits, after a job's result arrives, for metric events still in flight.
METRIC_GRACE = 5.0
#: Seconds between a worker's checks that its task is still wanted (a long poll on the stop event).
WATCH_INTERVAL = 1.0

_LOCAL_PREFIX = "local:"


def _distributed() -> Any:
    """The ``distributed`` module (untyped: used through ``Any``)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError(
            "cluster=: running on Dask needs the `distributed` package: pip install 'amtune[dask]'"
        ) from None


#: the protocols of Dask's scheduler addresses (``distributed.comm`` registers these)
SCHEDULER_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def parse_cluster(cluster: Any) -> tuple[str, bool]:
    """``(address, shared_filesystem)`` from a ``cluster=`` value.

    ``cluster`` is ``"local:N"`` (a ``LocalCluster`` of N worker processes), a scheduler address
    (``"tcp://host:8786"``) or a mapping ``{"scheduler": ..., "shared_filesystem": bool}``.

    >>> parse_cluster("tcp://10.0.0.1:8786")
    ('tcp://10.0.0.1:8786', False)
    >>> parse_cluster({"scheduler": "local:2"})
    ('local:2', True)
    >>> parse_cluster("local:0")
    Traceback (most recent call last):
    ...
    ValueError: cluster: 'local:N' needs N >= 1 worker processes, got 'local:0'
    """
    shared: bool | None = None
    if isinstance(cluster, Mapping):
        unknown = set(cluster) - {"scheduler", "shared_filesystem"}
        if unknown:
            raise ValueError(
                f"cluster: unknown keys {sorted(unknown)} (allowed: scheduler, shared_filesystem)"
            )
        if "scheduler" not in cluster:
            raise ValueError("cluster: 'scheduler' is required (an address or 'local:N')")
        sf = cluster.get("shared_filesystem")
        if sf is not None and not isinstance(sf, bool):
            raise ValueError(f"cluster.shared_filesystem: must be true or false, got {sf!r}")
        shared = sf
        cluster = cluster["scheduler"]
    if not isinstance(cluster, str) or not cluster:
        raise ValueError(
            f"cluster: must be a scheduler address ('tcp://host:8786') or 'local:N', "
            f"got {cluster!r}"
        )
    if cluster.startswith(_LOCAL_PREFIX):
        n = cluster[len(_LOCAL_PREFIX) :]
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"cluster: 'local:N' needs N >= 1 worker processes, got {cluster!r}")
        return cluster, True if shared is None else shared
    if "://" not in cluster:
        raise ValueError(
            f"cluster: a scheduler address needs a protocol ('tcp://host:8786'), got {cluster!r}"
        )
    scheme = cluster.split("://", 1)[0]
    if scheme not in SCHEDULER_SCHEMES:
        raise ValueError(
            f"cluster: unknown protocol {scheme!r} (Dask's: {', '.join(SCHEDULER_SCHEMES)}), "
            f"got {cluster!r}"
        )
    return cluster, bool(shared)


@dataclass(frozen=True)
class _Task:
    """What one Dask task needs to run a training job on a worker."""

    spec: JobSpec
    key: str
    topic: str
    stop_event: str
    shared: bool
    grace: float
    train: Callable[..., Any] | None = None
    command: Mapping[str, Any] | None = None  # CommandRunner's arguments


@dataclass(frozen=True)
class _TaskResult:
    token: str
    metrics: int  # emissions sent as events, so the driver knows when it has them all
    outcome: Outcome
    archive: bytes | None  # the job directory (log, model, output) when not shared
    rerun: bool = False  # Dask ran the task again after its worker died; the job did not run


_RERUN = Outcome(
    False,
    "the Dask worker running the training job died (the scheduler started the task again; "
    "this attempt ended)",
    retryable=True,
)


def _task_cancelled(worker: Any, key: str) -> bool:
    """Whether the worker no longer wants task ``key`` (its client left or cancelled it)."""
    try:
        ts = worker.state.tasks.get(key)
    except AttributeError:  # an older or newer worker layout: rely on the stop event only
        return False
    return ts is None or ts.state in ("cancelled", "released", "forgotten")


def _run_on_worker(task: _Task) -> _TaskResult:
    """The Dask task: run one training job on this worker, stream its metrics back."""
    dd = _distributed()
    worker = dd.get_worker()
    token = uuid.uuid4().hex
    client = dd.get_client()
    # A run of this task has begun before: its worker died and the scheduler runs it again.
    # The job does not run twice: the driver records a retryable attempt.
    claim = dd.Event(f"{task.key}-claimed", client=client)
    if claim.is_set():
        return _TaskResult(token, 0, _RERUN, None, rerun=True)
    claim.set()
    worker.log_event(task.topic, {"key": task.key, "token": token, "kind": "start"})
    spec = task.spec
    if not task.shared:
        local = Path(worker.local_directory) / "amtune-jobs" / f"{spec.name}-{token[:8]}"
        spec = dataclasses.replace(spec, job_dir=local)
    runner: Runner
    if task.command is not None:
        runner = CommandRunner(**task.command)
    else:
        assert task.train is not None
        prepare_job_dir(spec)
        runner = ThreadRunner(task.train)
    events = EventQueue()
    handle = runner.start(spec, events)
    done = threading.Event()
    stop_event = dd.Event(task.stop_event, client=client)

    def watch() -> None:
        while not done.is_set():
            try:
                stopped = stop_event.wait(timeout=WATCH_INTERVAL)
            except Exception:  # the scheduler is unreachable: keep running, look again
                stopped = False
            if done.is_set():  # the job ended (the wake-up below)
                return
            if stopped or _task_cancelled(worker, task.key):
                handle.stop(task.grace)
                return

    watcher = threading.Thread(target=watch, daemon=True, name=f"amtune-watch-{task.key}")
    watcher.start()
    n = 0
    while True:
        ev = events.get()
        if isinstance(ev, MetricEmitted):
            n += 1
            worker.log_event(
                task.topic,
                {
                    "key": task.key,
                    "token": token,
                    "kind": "metric",
                    "name": ev.name,
                    "value": ev.value,
                    "step": ev.step,
                    "time": ev.time,
                },
            )
        else:
            outcome = ev.outcome
            break
    done.set()
    # end the watcher's wait on the scheduler now: a wait still pending when the cluster closes
    # is cancelled there and logged as an error (one traceback per training job)
    try:
        stop_event.set()
    except Exception:  # the scheduler is unreachable: its wait times out by itself
        pass
    watcher.join(timeout=2 * WATCH_INTERVAL)
    runner.close()
    archive = None
    if not task.shared and spec.job_dir is not None:
        archive = _pack(spec.job_dir)
        shutil.rmtree(spec.job_dir, ignore_errors=True)
    return _TaskResult(token, n, outcome, archive)


def _pack(job_dir: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for p in sorted(job_dir.iterdir()):
            tar.add(p, arcname=p.name)
    return buf.getvalue()


def _unpack(archive: bytes, job_dir: Path) -> None:
    job_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(job_dir, filter="data")


class _DaskHandle(Handle):
    """A training job running as a Dask task; ends exactly once on the driver's event queue."""

    def __init__(self, runner: DaskRunner, spec: JobSpec, key: str, events: EventQueue) -> None:
        self.runner = runner
        self.spec = spec
        self.key = key
        self.events = events
        self.future: Any = None
        self.token: str | None = None
        self.received = 0
        self.result: _TaskResult | None = None
        self.ended = False
        self.stop_asked = False
        self.lock = threading.Lock()

    # -- driver side
    def stop(self, grace: float) -> None:
        with self.lock:
            if self.stop_asked or self.ended:
                return
            self.stop_asked = True
        self.runner.set_stop(self.key)

    def alive(self) -> bool:
        return not self.ended

    def kill(self) -> None:
        # Not on the client's event loop (where topic handlers run): its blocking API would
        # return coroutines there.
        threading.Thread(target=self._kill, daemon=True, name=f"amtune-kill-{self.key}").start()

    def _kill(self) -> None:
        self.runner.set_stop(self.key)
        if self.future is not None:
            self.future.cancel()

    # -- events from the cluster (the client's thread)
    def on_start(self, token: str) -> None:
        with self.lock:
            if self.token is None and not self.ended:
                self.token = token

    def on_metric(self, token: str, msg: Mapping[str, Any]) -> None:
        with self.lock:
            if self.ended or token != self.token:
                return
            self.received += 1
            # never waits: this is the client's event loop, which the driver's stop requests use
            self.events.put(
                MetricEmitted(self.spec.seq, msg["name"], msg["value"], msg["step"], msg["time"]),
                block=False,
            )
            ready = self.result is not None and self.received >= self.result.metrics
        if ready:
            self._finish()

    def on_done(self, future: Any) -> None:
        if future.cancelled():
            self._end(Outcome(False, "the Dask task was cancelled", retryable=True))
            return
        try:
            res: _TaskResult = future.result()
        except Exception as exc:  # KilledWorker, a lost connection, a task that could not run
            name = type(exc).__name__
            retryable = name in ("KilledWorker", "CommClosedError", "FutureCancelledError")
            why = (
                f"the Dask worker running the training job died ({name}: {exc})"
                if name == "KilledWorker"
                else f"the Dask task failed: {name}: {exc}"
            )
            self._end(Outcome(False, " ".join(why.split()), retryable=retryable))
            return
        if res.rerun:
            self._end(res.outcome)
            return
        with self.lock:
            if self.ended:
                return
            if self.token is None:
                self.token = res.token
            self.result = res
            ready = self.received >= res.metrics
        if ready:
            self._finish()
        else:  # metric events still in flight: wait for them a little, then end anyway
            t = threading.Timer(METRIC_GRACE, self._finish)
            t.daemon = True
            t.start()

    def _finish(self) -> None:
        res = self.result
        assert res is not None
        if res.archive is not None and self.spec.job_dir is not None:
            try:
                _unpack(res.archive, self.spec.job_dir)
            except (OSError, tarfile.TarError) as exc:
                res = dataclasses.replace(
                    res,
                    outcome=Outcome(
                        False, f"could not unpack the job directory from the worker: {exc}"
                    ),
                )
        self._end(res.outcome)

    def _end(self, outcome: Outcome) -> None:
        with self.lock:
            if self.ended:
                return
            self.ended = True
        if self.stop_asked and not outcome.ok:
            outcome = dataclasses.replace(outcome, stopped=True, retryable=False)
        self.runner.forget(self.key)
        self.events.put(JobEnded(self.spec.seq, outcome))
        threading.Thread(target=self.runner.clear_events, args=(self.key,), daemon=True).start()


class DaskRunner(Runner):
    """Run training jobs as tasks on a Dask cluster.

    ``cluster`` is a scheduler address (``"tcp://host:8786"``), ``"local:N"`` (starts a
    ``distributed.LocalCluster`` of N worker processes, closed with the runner) or a mapping
    ``{"scheduler": ..., "shared_filesystem": bool}``. ``job`` is a callable
    ``train(hyperparameters, reporter)`` or a :class:`~amtune.runners.command.CommandRunner`
    (rebuilt on the worker from its arguments).

    >>> r = DaskRunner("local:1", lambda hp, rep: hp["x"] ** 2)  # doctest: +SKIP
    """

    kind = "dask"

    def __init__(
        self,
        cluster: Any,
        job: Callable[..., Any] | CommandRunner,
        stop_grace: float = 10.0,
    ) -> None:
        distributed = _distributed()
        address, self.shared = parse_cluster(cluster)
        self.train: Callable[..., Any] | None = None
        self.command: dict[str, Any] | None = None
        if isinstance(job, CommandRunner):
            self.command = {
                "command": job.command,
                "metric_definitions": job.metric_definitions,
                "working_dir": job.working_dir,
                "env": job.env,
                "objective_metric_name": job.objective_metric_name,
                "instance_type": job.instance_type,
                "json_encoded": job.json_encoded,
            }
        elif callable(job):
            self.train = job
        else:
            raise TypeError(f"job: a callable or a CommandRunner, got {type(job).__name__}")
        self.grace = float(stop_grace)
        self._local: Any = None
        if address.startswith(_LOCAL_PREFIX):
            dask: Any = importlib.import_module("dask")
            n = int(address[len(_LOCAL_PREFIX) :])
            # A dead worker fails its task at once (the driver's retry strategy decides).
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._local = distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    host="127.0.0.1",
                )
            address = self._local.scheduler_address
        self.address = address
        self.client = distributed.Client(address, set_as_default=False)
        self.topic = f"amtune-{uuid.uuid4().hex}"
        self._handles: dict[str, _DaskHandle] = {}
        self._lock = threading.Lock()
        self.client.subscribe_topic(self.topic, self._on_event)

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        key = f"amtune-{spec.name}-a{spec.attempt}-{uuid.uuid4().hex[:8]}"
        handle = _DaskHandle(self, spec, key, events)
        task = _Task(
            spec,
            key,
            self.topic,
            f"{key}-stop",
            self.shared,
            self.grace,
            self.train,
            self.command,
        )
        with self._lock:
            self._handles[key] = handle
        handle.future = self.client.submit(_run_on_worker, task, key=key, pure=False, retries=0)
        handle.future.add_done_callback(handle.on_done)
        return handle

    def set_stop(self, key: str) -> None:
        """Tell the worker running task ``key`` to stop it."""
        try:
            _distributed().Event(f"{key}-stop", client=self.client).set()
        except (OSError, TimeoutError):  # the scheduler is unreachable: give the task up
            with self._lock:
                h = self._handles.get(key)
            if h is not None and h.future is not None:
                h.future.cancel()  # its end says it was cancelled (a stopped job)

    def clear_events(self, key: str) -> None:
        """Free the scheduler's events of a task that has ended."""
        for name in (f"{key}-stop", f"{key}-claimed"):
            try:
                _distributed().Event(name, client=self.client).clear()
            except Exception:  # the client is closing: the scheduler frees them with itself
                return

    def forget(self, key: str) -> None:
        with self._lock:
            self._handles.pop(key, None)

    def _on_event(self, event: Any) -> None:
        _, msg = event
        with self._lock:
            h = self._handles.get(msg.get("key"))
        if h is None:
            return
        if msg.get("kind") == "start":
            h.on_start(msg["token"])
        elif msg.get("kind") == "metric":
            h.on_metric(msg["token"], msg)

    def close(self) -> None:
        try:
            self.client.unsubscribe_topic(self.topic)
        except Exception:  # closing: the client may already be disconnected, nothing to undo
            pass
        self.client.close()
        if self._local is not None:
            self._local.close()

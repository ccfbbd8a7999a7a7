"""Run a Python training callable in a thread of the driver process."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from amtune.runners.events import EventQueue, JobEnded, Outcome
from amtune.runners.reporter import Reporter, StopTraining, result_of
from amtune.runners.spec import Handle, JobSpec, Runner


class _ThreadHandle(Handle):
    def __init__(self) -> None:
        self.flag = threading.Event()

    def stop(self, grace: float) -> None:
        self.flag.set()


class ThreadRunner(Runner):
    """Run a training callable in a thread of the driver process (fast; no isolation).

    Meant for cheap objectives and tests: a crash of the training code is caught as an exception,
    but a segfault or a memory leak affects the driver. Stops are cooperative only. Worker threads
    are kept in a pool (one per running job) and reused, so a job costs no thread start.
    """

    kind = "thread"

    def __init__(self, train: Callable[..., Any]) -> None:
        self.train = train
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        handle = _ThreadHandle()
        with self._lock:
            if self._idle == 0:
                th = threading.Thread(
                    target=self._worker, daemon=True, name=f"amtune-worker-{len(self._threads)}"
                )
                self._threads.append(th)
                self._idle += 1
                th.start()
            self._idle -= 1
        self._work.put((spec, handle, events))
        return handle

    def close(self) -> None:
        for _ in self._threads:
            self._work.put(None)
        self._threads = []

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            spec, handle, events = item
            out = self._run(spec, handle, events)
            with self._lock:
                self._idle += 1  # free before the driver hears of the end, so it reuses this thread
            events.put(JobEnded(spec.seq, out))

    def _run(self, spec: JobSpec, handle: _ThreadHandle, events: EventQueue) -> Outcome:
        reporter = Reporter(spec, events.put, handle.flag.is_set)
        try:
            ret = self.train(dict(spec.hyperparameters), reporter)
        except StopTraining:
            return Outcome(True, None, stopped=True)
        except BaseException as exc:
            return Outcome(
                False,
                f"the training function raised {type(exc).__name__}: {exc}",
                stopped=handle.flag.is_set(),
            )
        value, metrics, err = result_of(ret)
        return Outcome(err is None, err, value, metrics, stopped=False)

"""Run a Python training callable in a fresh worker process per training job.

Python callables run with the ``forkserver`` start method (``spawn`` where it does not exist), one
fresh process per training job: a trial that crashes, segfaults or leaks memory takes only its own
process down, and that job is recorded as Failed.
"""

from __future__ import annotations

import enum
import multiprocessing as mp
import os
import pickle
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import connection as mp_connection
from typing import Any

from amtune.runners.environment import prepare_job_dir
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.runners.reporter import Reporter, StopTraining, result_of
from amtune.runners.spec import Handle, JobSpec, NullHandle, Runner, signal_name


class _EndKind(enum.Enum):
    OK = "ok"  # the function returned (payload: what it returned)
    STOPPED = "stopped"  # it raised StopTraining
    ERROR = "error"  # it raised (payload: the exception as text)


@dataclass(frozen=True)
class _WorkerEnd:
    """The last message of a worker process to its driver."""

    kind: _EndKind
    payload: Any = None


def _child_main(train: Callable[..., Any], spec: JobSpec, conn: Any, env: dict[str, str]) -> None:
    """Entry point of a worker process: run one training job, send events to the driver."""
    log = spec.log_path
    if log is not None:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    os.environ.update(env)
    stop = [False]

    def poll() -> bool:
        while not stop[0] and conn.poll():
            try:
                msg = conn.recv()
            except EOFError:
                stop[0] = True
                break
            if msg == "stop":
                stop[0] = True
        return stop[0]

    reporter = Reporter(spec, conn.send, poll)
    try:
        ret = train(dict(spec.hyperparameters), reporter)
    except StopTraining:
        conn.send(_WorkerEnd(_EndKind.STOPPED))
    except BaseException as exc:
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        conn.send(_WorkerEnd(_EndKind.ERROR, f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(_WorkerEnd(_EndKind.OK, ret))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    conn.close()


#: Held by every poll of a worker's exit status and by every worker start. multiprocessing's process
#: objects are not thread-safe: under the forkserver start method two threads polling one worker at
#: once can both find its exit status ready; one reads it and the other reads end-of-file, which
#: multiprocessing records as exit code 255, so a worker killed by a signal was reported as exiting
#: with code 255. ``Process.start()`` polls every live child of the process (multiprocessing's
#: ``process._cleanup``), so a lock per worker is not enough: one lock for all of them.
_CHILD_LOCK = threading.Lock()


class _ProcessHandle(Handle):
    def __init__(self, proc: Any, conn: Any) -> None:
        self.proc = proc
        self.conn = conn
        self.pid = proc.pid
        self._stop_asked = False
        self._lock = threading.Lock()

    def exitcode(self) -> int | None:
        """The worker's exit code (None while it runs), read under ``_CHILD_LOCK``."""
        with _CHILD_LOCK:
            code: int | None = self.proc.exitcode
        return code

    def stop(self, grace: float) -> None:
        with self._lock:
            if self._stop_asked:
                return
            self._stop_asked = True
        try:
            self.conn.send("stop")
        except (OSError, ValueError):
            pass
        t = threading.Timer(grace, self._escalate, args=(grace,))
        t.daemon = True
        t.start()

    def alive(self) -> bool:
        return self.exitcode() is None

    def kill(self) -> None:
        if self.exitcode() is None:
            self.proc.kill()

    def _escalate(self, grace: float) -> None:
        if self.exitcode() is None:
            self.proc.terminate()
            time.sleep(min(grace, 2.0))
            if self.exitcode() is None:
                self.proc.kill()


def _mp_context() -> Any:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Workers fork from a server that has amtune (numpy, pandas) imported already.
        ctx.set_forkserver_preload(["amtune.tuning.tuner"])
        return ctx
    return mp.get_context("spawn")


class ProcessRunner(Runner):
    """Run a training callable in a fresh worker process per training job."""

    kind = "process"

    def __init__(self, train: Callable[..., Any]) -> None:
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        if main_file is not None and not os.path.exists(main_file):  # e.g. `python - < x.py`
            raise TypeError(
                f"train: worker processes import the main script, and {main_file!r} is not a "
                f"file; run the script from a file or pass runner='thread'"
            )
        if main_file is None and getattr(train, "__module__", None) == "__main__":
            raise TypeError(
                f"train: {getattr(train, '__name__', train)!r} is defined in an interactive "
                f"session (no script file), so worker processes cannot import it; define it in a "
                f".py module and import it, or pass runner='thread'"
            )
        try:
            pickle.dumps(train)
        except Exception as exc:
            raise TypeError(
                f"train: the training function must be importable (a module-level function) to run "
                f"in worker processes; {train!r} cannot be pickled ({exc}). "
                f"Define it at module level "
                f"or pass runner='thread'"
            ) from None
        self.train = train
        self.ctx = _mp_context()

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        env = prepare_job_dir(spec)
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(
            target=_child_main,
            args=(self.train, spec, child, env),
            name=f"amtune-{spec.name}",
            daemon=True,
        )
        try:
            with _CHILD_LOCK:  # start() polls the other workers (see _CHILD_LOCK)
                proc.start()
        except Exception as exc:
            parent.close()
            child.close()
            why = "could not start a worker process: " + " ".join(
                f"{type(exc).__name__}: {exc}".split()
            )
            events.put(JobEnded(spec.seq, Outcome(False, why, retryable=True)))
            return NullHandle()
        child.close()
        handle = _ProcessHandle(proc, parent)
        threading.Thread(
            target=self._pump,
            args=(spec, handle, events),
            daemon=True,
            name=f"amtune-pump-{spec.seq}",
        ).start()
        return handle

    @staticmethod
    def _pump(spec: JobSpec, handle: _ProcessHandle, events: EventQueue) -> None:
        end: _WorkerEnd | None = None
        conn = handle.conn
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:
                end = _WorkerEnd(_EndKind.ERROR, f"could not read the worker's message: {exc}")
                continue
            if isinstance(msg, MetricEmitted):
                events.put(msg)
            elif isinstance(msg, _WorkerEnd):
                end = msg
        code = handle.exitcode()
        while code is None:  # join, by polls that hold _CHILD_LOCK (see exitcode)
            mp_connection.wait([handle.proc.sentinel], timeout=0.05)
            code = handle.exitcode()
        try:
            conn.close()
        except OSError:
            pass
        if end is None:
            if code is not None and code < 0:
                why = f"the worker process was killed by {signal_name(-code)}"
            else:
                why = (
                    f"the worker process exited with code {code} "
                    "before the training function returned"
                )
            out = Outcome(False, why, stopped=handle._stop_asked, retryable=not handle._stop_asked)
        elif end.kind is _EndKind.OK:
            value, metrics, err = result_of(end.payload)
            out = Outcome(err is None, err, value, metrics)
        elif end.kind is _EndKind.STOPPED:
            out = Outcome(True, None, stopped=True)
        else:
            out = Outcome(
                False, f"the training function raised {end.payload}", stopped=handle._stop_asked
            )
        events.put(JobEnded(spec.seq, out))

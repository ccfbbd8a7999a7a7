"""Training-job runners: a Python callable in a worker process (or a thread), or a shell command.

Every runner starts one training job at a time through :meth:`Runner.start`, which returns a
:class:`Handle`, and reports what happens on the driver's event queue as tuples:

``("metric", seq, name, value, step, time)``   one metric emission
``("done", seq, Outcome)``                     the job ended (exactly once per start)

The driver decides what an ending means (Completed, Failed, Stopped). :meth:`Handle.stop` asks a job
to end cleanly: a command gets SIGTERM, then SIGKILL after the grace period; a callable in a worker
process is told through its reporter (``reporter.should_stop()`` becomes true and the next
``reporter.report`` raises :class:`StopTraining`), and its process is terminated after the grace
period; a callable in a thread can only be stopped cooperatively.

Python callables run with the ``forkserver`` start method (``spawn`` where it does not exist), one
fresh process per training job: a trial that crashes, segfaults or leaks memory takes only its own
process down, and that job is recorded as Failed.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import numbers
import os
import pickle
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amtune.metrics import MetricParser, to_float
from amtune.sagemaker import cloudwatch, toolkit

#: Seconds between SIGTERM (or a cooperative stop request) and SIGKILL.
DEFAULT_STOP_GRACE = 10.0
_TAIL_LINES = 5


class StopTraining(BaseException):
    """Raised inside ``reporter.report`` when the driver stopped the training job.

    It derives from ``BaseException`` so that a broad ``except Exception`` in training code does
    not swallow it. Training code may also poll ``reporter.should_stop()`` and return early.
    """


@dataclass
class JobSpec:
    """What a runner needs to start one training job."""

    tuning_job: str
    seq: int
    name: str
    hyperparameters: dict[str, Any]  # tuned and static
    job_dir: Path | None
    channels: dict[str, str] = field(default_factory=dict)
    attempt: int = 1

    @property
    def log_path(self) -> Path | None:
        return None if self.job_dir is None else self.job_dir / "train.log"


@dataclass
class Outcome:
    """How a training job's process ended (the driver turns it into a status)."""

    ok: bool  # the training code finished without error
    failure_reason: str | None = None
    final_value: float | None = None  # a number returned by a callable
    final_metrics: dict[str, float] = field(default_factory=dict)  # a dict returned by a callable
    stopped: bool = False  # it ended because it was asked to stop
    retryable: bool = False  # died by a signal or failed to start (not an error of the code)
    output_tail: list[str] = field(default_factory=list)  # a command's last output lines
    #: metric name -> the last capture of its regex that was not a number (e.g. 'N/A')
    not_numbers: dict[str, str] = field(default_factory=dict)


class Handle:
    """A running training job; ``pid`` is its process id (None in a thread), ``group`` is True when
    the process leads its own process group (commands)."""

    pid: int | None = None
    group: bool = False

    def stop(self, grace: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def alive(self) -> bool:
        """Whether the job's process still runs (a thread job: whether it was not stopped)."""
        return False

    def kill(self) -> None:
        """End the job's process now (SIGKILL; its process group for commands)."""


class Runner:
    """Starts training jobs; ``kind`` is ``"process"``, ``"thread"`` or ``"command"``."""

    kind = "base"

    def start(self, spec: JobSpec, events: queue.Queue[Any]) -> Handle:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (called once the tuning job's loop ends)."""


def prepare_job_dir(
    spec: JobSpec, module_dir: str | None = None, instance_type: str = "local"
) -> dict[str, str]:
    """Create the job's directories and ``input/config/*.json`` files (the SageMaker training
    toolkit's layout, see :mod:`amtune.sagemaker.toolkit`); return the job's environment."""
    assert spec.job_dir is not None
    te = toolkit.prepare(
        toolkit.JobLayout(spec.job_dir),
        spec.name,
        spec.hyperparameters,
        spec.channels,
        module_dir=module_dir,
        instance_type=instance_type,
    )
    env = dict(te.env)
    env["AMTUNE_TUNING_JOB_NAME"] = spec.tuning_job
    env["AMTUNE_JOB_DIR"] = str(spec.job_dir)
    return env


def hp_str(v: Any) -> str:
    """A hyperparameter value as a script-mode argument (``str`` of the decoded value)."""
    return toolkit.to_cmd_args({"x": toolkit.decode_value(v)})[1]


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


# ====================================================================== reporter
class Reporter:
    """Given to a training callable: ``report`` metrics, poll ``should_stop``.

    ``report(name, value, step=None)`` records one emission; ``step`` defaults to the number of
    earlier emissions of that metric. ``job_name``, ``hyperparameters``, ``model_dir`` and
    ``output_dir`` describe the training job (the directories are None in the thread runner).
    """

    def __init__(
        self, spec: JobSpec, send: Callable[[tuple[Any, ...]], None], poll_stop: Callable[[], bool]
    ) -> None:
        self.job_name = spec.name
        self.tuning_job_name = spec.tuning_job
        self.hyperparameters = dict(spec.hyperparameters)
        self.model_dir = None if spec.job_dir is None else str(spec.job_dir / "model")
        self.output_dir = None if spec.job_dir is None else str(spec.job_dir / "output" / "data")
        self._send = send
        self._poll_stop = poll_stop
        self._stopped = False
        self._counts: dict[str, int] = {}

    def report(self, name: str, value: float, step: int | None = None) -> None:
        """Record ``value`` of metric ``name``; raises :class:`StopTraining` once stopped."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"report: name must be a non-empty string, got {name!r}")
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(float(value))
        ):
            raise TypeError(f"report: value of {name!r} must be a finite number, got {value!r}")
        if step is not None and (isinstance(step, bool) or not isinstance(step, numbers.Integral)):
            raise TypeError(f"report: step must be an integer or None, got {step!r}")
        k = self._counts.get(name, 0)
        self._counts[name] = k + 1
        self._send(("metric", name, float(value), k if step is None else int(step), time.time()))
        if self.should_stop():
            raise StopTraining(f"training job {self.job_name} was stopped")

    def should_stop(self) -> bool:
        """True once the driver asked this training job to stop."""
        if not self._stopped and self._poll_stop():
            self._stopped = True
        return self._stopped


def _result_of(ret: Any) -> tuple[float | None, dict[str, float], str | None]:
    """(final value, final metrics, error) from what a training callable returned."""
    if ret is None:
        return None, {}, None
    if isinstance(ret, Mapping):
        out: dict[str, float] = {}
        for k, v in ret.items():
            f = to_float(v) if not isinstance(v, str) else None
            if not isinstance(k, str) or f is None:
                return (
                    None,
                    {},
                    f"the returned dict must map metric names to finite numbers; {k!r}: {v!r}",
                )
            out[k] = f
        return None, out, None
    f = None if isinstance(ret, (str, bytes)) else to_float(ret)
    if f is None:
        return (
            None,
            {},
            f"the training function returned {ret!r}; expected a finite number, a dict or None",
        )
    return f, {}, None


# ====================================================================== process runner
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
        conn.send(("end", "stopped", None))
    except BaseException as exc:
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        conn.send(("end", "error", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("end", "ok", ret))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    conn.close()


class _ProcessHandle(Handle):
    def __init__(self, proc: Any, conn: Any) -> None:
        self.proc = proc
        self.conn = conn
        self.pid = proc.pid
        self._stop_asked = False
        self._lock = threading.Lock()

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
        return self.proc.exitcode is None

    def kill(self) -> None:
        if self.proc.exitcode is None:
            self.proc.kill()

    def _escalate(self, grace: float) -> None:
        if self.proc.exitcode is None:
            self.proc.terminate()
            time.sleep(min(grace, 2.0))
            if self.proc.exitcode is None:
                self.proc.kill()


def _mp_context() -> Any:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Workers fork from a server that has amtune (numpy, pandas) imported already.
        ctx.set_forkserver_preload(["amtune.tuner"])
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

    def start(self, spec: JobSpec, events: queue.Queue[Any]) -> Handle:
        env = prepare_job_dir(spec)
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(
            target=_child_main,
            args=(self.train, spec, child, env),
            name=f"amtune-{spec.name}",
            daemon=True,
        )
        try:
            proc.start()
        except Exception as exc:
            parent.close()
            child.close()
            events.put(
                (
                    "done",
                    spec.seq,
                    Outcome(
                        False,
                        "could not start a worker process: "
                        + " ".join(f"{type(exc).__name__}: {exc}".split()),
                        retryable=True,
                    ),
                )
            )
            return _NullHandle()
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
    def _pump(spec: JobSpec, handle: _ProcessHandle, events: queue.Queue[Any]) -> None:
        end: tuple[Any, ...] | None = None
        conn = handle.conn
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:
                end = ("end", "error", f"could not read the worker's message: {exc}")
                continue
            if msg[0] == "metric":
                events.put(("metric", spec.seq, msg[1], msg[2], msg[3], msg[4]))
            elif msg[0] == "end":
                end = msg
        handle.proc.join()
        code = handle.proc.exitcode
        try:
            conn.close()
        except OSError:
            pass
        if end is None:
            if code is not None and code < 0:
                why = f"the worker process was killed by {_signal_name(-code)}"
            else:
                why = (
                    f"the worker process exited with code {code} "
                    "before the training function returned"
                )
            out = Outcome(False, why, stopped=handle._stop_asked, retryable=not handle._stop_asked)
        elif end[1] == "ok":
            value, metrics, err = _result_of(end[2])
            out = Outcome(err is None, err, value, metrics)
        elif end[1] == "stopped":
            out = Outcome(True, None, stopped=True)
        else:
            out = Outcome(
                False, f"the training function raised {end[2]}", stopped=handle._stop_asked
            )
        events.put(("done", spec.seq, out))


class _NullHandle(Handle):
    def stop(self, grace: float) -> None:
        pass


# ====================================================================== thread runner
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

    def start(self, spec: JobSpec, events: queue.Queue[Any]) -> Handle:
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
            events.put(("done", spec.seq, out))

    def _run(self, spec: JobSpec, handle: _ThreadHandle, events: queue.Queue[Any]) -> Outcome:
        seq = spec.seq

        def send(msg: tuple[Any, ...]) -> None:
            events.put(("metric", seq, msg[1], msg[2], msg[3], msg[4]))

        reporter = Reporter(spec, send, handle.flag.is_set)
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
        value, metrics, err = _result_of(ret)
        return Outcome(err is None, err, value, metrics, stopped=False)


# ====================================================================== command runner
class _CommandHandle(Handle):
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.group = True
        self.stop_asked = False

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def stop(self, grace: float) -> None:
        if self.stop_asked:
            return
        self.stop_asked = True
        if self.proc.poll() is not None:
            return
        self._signal(signal.SIGTERM)

        def kill() -> None:
            if self.proc.poll() is None:
                self._signal(signal.SIGKILL)

        t = threading.Timer(grace, kill)
        t.daemon = True
        t.start()


#: A command that printed this many lines without the objective metric gets a warning.
OBJECTIVE_WARNING_LINES = 100


def check_executable(command: Sequence[str], working_dir: str | None) -> None:
    """Raise ``ValueError`` when the command's program cannot be found or run."""
    prog = command[0]
    if os.sep in prog or (os.altsep and os.altsep in prog):
        path = Path(prog) if os.path.isabs(prog) else Path(working_dir or ".") / prog
        if not path.is_file():
            raise ValueError(f"train: the command's program {prog!r} does not exist ({path})")
        if not os.access(path, os.X_OK):
            raise ValueError(f"train: the command's program {prog!r} is not executable ({path})")
        return
    if shutil.which(prog) is None:
        raise ValueError(f"train: command not found: {prog!r} (not on PATH)")


class CommandRunner(Runner):
    """Run a training command the way SageMaker script mode runs a training script.

    The command gets the hyperparameters the way the SageMaker training toolkit gives them
    (:mod:`amtune.sagemaker.toolkit`): JSON-decoded, without the ``sagemaker_*`` entries, as
    ``--name value`` arguments sorted by name after its own arguments; the full ``SM_*``
    environment; ``input/config/{hyperparameters,resourceconfig,inputdataconfig}.json`` and the
    channels under ``input/data/`` in its job directory. It runs in ``working_dir`` in a process
    group of its own; its stdout and stderr are written to ``<job dir>/train.log`` and every line
    is matched against the metric definitions, both as printed and as CloudWatch shows it
    (:mod:`amtune.sagemaker.cloudwatch`). When ``objective_metric_name`` has not matched after
    :data:`OBJECTIVE_WARNING_LINES` lines, ``warn`` is called once with the reason.
    """

    kind = "command"

    def __init__(
        self,
        command: Sequence[str] | str,
        metric_definitions: Sequence[Mapping[str, Any]],
        working_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        objective_metric_name: str | None = None,
        warn: Callable[[str], None] | None = None,
        instance_type: str = "local",
    ) -> None:
        if isinstance(command, str):
            command = shlex.split(command)
        command = list(command)
        if not command or not all(isinstance(c, str) and c for c in command):
            raise ValueError(
                f"train: a command must be a non-empty list of strings, got {command!r}"
            )
        self.command = command
        self.metric_definitions = list(metric_definitions)
        self.working_dir = None if working_dir is None else str(working_dir)
        check_executable(command, self.working_dir)
        self.env = dict(env or {})
        self.objective_metric_name = objective_metric_name
        self.warn = warn
        self.instance_type = instance_type
        self._warned = False
        self._warn_lock = threading.Lock()

    def argv(self, spec: JobSpec) -> list[str]:
        user, _ = toolkit.split_sagemaker(toolkit.decode_hyperparameters(spec.hyperparameters))
        return [*self.command, *toolkit.to_cmd_args(user)]

    def start(self, spec: JobSpec, events: queue.Queue[Any]) -> Handle:
        env = dict(os.environ)
        env.update(self.env)
        log_path = spec.log_path
        assert log_path is not None
        try:
            env.update(prepare_job_dir(spec, self.working_dir or os.getcwd(), self.instance_type))
        except OSError as exc:
            why = f"could not prepare the job directory: {exc}"
            events.put(("done", spec.seq, Outcome(False, why)))
            return _NullHandle()
        env["PYTHONUNBUFFERED"] = "1"
        log = open(log_path, "ab")
        argv = self.argv(spec)
        log.write(f"[amtune] {spec.name} attempt {spec.attempt}: {shlex.join(argv)}\n".encode())
        log.flush()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.working_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            why = (
                f"command not found: {argv[0]!r}"
                if isinstance(exc, FileNotFoundError)
                else f"the command could not start: {exc}"
            )
            log.write(f"[amtune] {why}\n".encode())
            log.close()
            events.put(("done", spec.seq, Outcome(False, why, retryable=True)))
            return _NullHandle()
        handle = _CommandHandle(proc)
        threading.Thread(
            target=self._read,
            args=(spec, handle, log, events),
            daemon=True,
            name=f"amtune-read-{spec.seq}",
        ).start()
        return handle

    def _read(
        self, spec: JobSpec, handle: _CommandHandle, log: Any, events: queue.Queue[Any]
    ) -> None:
        parser = MetricParser(self.metric_definitions)
        counts: dict[str, int] = {}
        tail: list[str] = []
        n_lines = 0
        objective = self.objective_metric_name
        watch = objective is not None and any(d["Name"] == objective for d in parser.definitions)
        proc = handle.proc
        assert proc.stdout is not None
        with log:
            for raw in proc.stdout:
                log.write(raw)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                n_lines += 1
                tail.append(line)
                if len(tail) > _TAIL_LINES:
                    del tail[0]
                found, warnings = parser.parse_line(line)
                now = time.time()
                for name, value in found:
                    k = counts.get(name, 0)
                    counts[name] = k + 1
                    events.put(("metric", spec.seq, name, value, k, now))
                if (
                    watch
                    and objective is not None
                    and n_lines == OBJECTIVE_WARNING_LINES
                    and objective not in counts
                ):
                    w = self._objective_warning(spec, parser, objective, n_lines, tail)
                    warnings.append(f"[amtune] warning: {w}")
                    self._warn_once(w)
                for w in warnings:
                    log.write((w + "\n").encode())
                if warnings:
                    log.flush()
            proc.stdout.close()
            code = proc.wait()
            log.write(f"[amtune] exit code {code}\n".encode())
        tail = [t for t in tail if t.strip()]
        nn = dict(parser.not_numbers)
        if code == 0:
            out = Outcome(True, None, stopped=handle.stop_asked)
        elif handle.stop_asked:
            out = Outcome(False, f"stopped (exit code {code})", stopped=True)
        elif code < 0:
            out = Outcome(False, f"the command was killed by {_signal_name(-code)}", retryable=True)
        else:
            last = " | ".join(tail)[-500:]
            out = Outcome(
                False,
                f"AlgorithmError: the command exited with code {code}"
                + (f"; last output: {last}" if last else ""),
            )
        out.output_tail = tail
        out.not_numbers = nn
        events.put(("done", spec.seq, out))

    def _objective_warning(
        self, spec: JobSpec, parser: MetricParser, objective: str, n: int, tail: list[str]
    ) -> str:
        regex = next(d["Regex"] for d in parser.definitions if d["Name"] == objective)
        msg = (
            f"training job {spec.name} printed {n} lines and none matched the objective "
            f"metric {objective!r} (Regex {regex!r})"
        )
        if objective in parser.not_numbers:
            msg += f"; it matched but not a number: {parser.not_numbers[objective]!r}"
        last = next((t for t in reversed(tail) if t.strip()), None)
        if last is not None:
            msg += f"; last line: {cloudwatch.render(last)[:200]!r}"
        return msg

    def _warn_once(self, msg: str) -> None:
        with self._warn_lock:
            if self._warned:
                return
            self._warned = True
        if self.warn is not None:
            self.warn(msg)
        else:
            print(f"amtune: warning: {msg}", file=sys.stderr, flush=True)

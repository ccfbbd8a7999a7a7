"""Run a training command the way SageMaker script mode runs a training script."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from amtune.metrics import MetricParser
from amtune.runners.environment import hp_str, prepare_job_dir
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.runners.spec import Handle, JobSpec, NullHandle, Runner, signal_name

_TAIL_LINES = 5
_TAIL_CHARS = 500
#: Output is read and matched in pieces of at most this many bytes: a longer line (or output
#: with no newline at all) is matched piece by piece, so an emission that straddles two pieces
#: is not seen; the log keeps the line whole.
MAX_LINE_BYTES = 64 * 1024


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


def _launch_failure(exc: Exception, program: str, cwd: str | None) -> tuple[str, bool]:
    """The failure reason of a launch that raised, and whether another attempt may run (an OS
    error, as a program not found yet; not a missing working directory or a refused argument)."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if isinstance(exc, FileNotFoundError):
        if cwd is not None and not os.path.isdir(cwd):
            return f"the working directory does not exist: {cwd!r}", False
        return f"command not found: {program!r}", True
    if isinstance(exc, (PermissionError, NotADirectoryError, IsADirectoryError)):
        return f"the command could not start: {text}", False
    if isinstance(exc, OSError):
        return f"the command could not start: {text}", True
    return f"the command could not start: {text}", False


class CommandRunner(Runner):
    """Run a training command the way SageMaker script mode runs a training script.

    The command gets ``--name value`` for every hyperparameter (tuned and static) after its own
    arguments, the ``SM_*`` environment (``SM_HPS``, ``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR``,
    ``SM_CHANNEL_<NAME>``, ``SM_CHANNELS``, ``SM_HP_<NAME>``), runs in ``working_dir`` in a process
    group of its own, and has its stdout and stderr written to ``<job dir>/train.log`` and matched
    line by line against the metric definitions.
    """

    kind = "command"

    def __init__(
        self,
        command: Sequence[str] | str,
        metric_definitions: Sequence[Mapping[str, Any]],
        working_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
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
        self.env = dict(env or {})

    def argv(self, spec: JobSpec) -> list[str]:
        args = list(self.command)
        for k, v in spec.hyperparameters.items():
            args += [f"--{k}", hp_str(v)]
        return args

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        log: Any = None
        try:
            env = dict(os.environ)
            env.update(self.env)
            env.update(prepare_job_dir(spec))
            env["PYTHONUNBUFFERED"] = "1"
            log_path = spec.log_path
            assert log_path is not None
            log = open(log_path, "ab")
            argv = self.argv(spec)
            log.write(f"[amtune] {spec.name} attempt {spec.attempt}: {shlex.join(argv)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                argv,
                cwd=self.working_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except Exception as exc:  # whatever the launch raises is this job's failure
            why, retryable = _launch_failure(exc, self.command[0], self.working_dir)
            if log is not None:
                log.write(f"[amtune] {why}\n".encode())
                log.close()
            events.put(JobEnded(spec.seq, Outcome(False, why, retryable=retryable)))
            return NullHandle()
        handle = _CommandHandle(proc)
        threading.Thread(
            target=self._read,
            args=(spec, handle, log, events),
            daemon=True,
            name=f"amtune-read-{spec.seq}",
        ).start()
        return handle

    def _read(self, spec: JobSpec, handle: _CommandHandle, log: Any, events: EventQueue) -> None:
        parser = MetricParser(self.metric_definitions)
        counts: dict[str, int] = {}
        tail: list[str] = []
        proc = handle.proc
        assert proc.stdout is not None
        with log:
            while raw := proc.stdout.readline(MAX_LINE_BYTES):  # bounded: no line in memory
                log.write(raw)  # the log keeps a long line whole (written piece by piece)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                tail.append(line[-_TAIL_CHARS:])
                if len(tail) > _TAIL_LINES:
                    del tail[0]
                found, warnings = parser.parse_line(line)
                now = time.time()
                for name, value in found:
                    k = counts.get(name, 0)
                    counts[name] = k + 1
                    events.put(MetricEmitted(spec.seq, name, value, k, now))
                for w in warnings:
                    log.write((w + "\n").encode())
                if warnings:
                    log.flush()
            proc.stdout.close()
            code = proc.wait()
            log.write(f"[amtune] exit code {code}\n".encode())
        if code == 0:
            out = Outcome(True, None, stopped=handle.stop_asked)
        elif handle.stop_asked:
            out = Outcome(False, f"stopped (exit code {code})", stopped=True)
        elif code < 0:
            out = Outcome(False, f"the command was killed by {signal_name(-code)}", retryable=True)
        else:
            last = " | ".join(t for t in tail if t.strip())[-500:]
            out = Outcome(
                False,
                f"AlgorithmError: the command exited with code {code}"
                + (f"; last output: {last}" if last else ""),
            )
        events.put(JobEnded(spec.seq, out))

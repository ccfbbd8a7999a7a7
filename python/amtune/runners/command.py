"""Run a training command the way SageMaker script mode runs a training script."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from amtune.container_modules import append_to_python_path
from amtune.metrics import MetricParser
from amtune.runners.environment import prepare_job_dir
from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.runners.spec import Handle, JobSpec, NullHandle, Runner, signal_name
from amtune.sagemaker import cloudwatch, toolkit

_TAIL_LINES = 5
_TAIL_CHARS = 300
#: Output is read and matched in pieces of at most this many bytes: a longer line (or output
#: with no newline at all) is matched piece by piece, so an emission that straddles two pieces
#: is not seen; the log keeps the line whole.
MAX_LINE_BYTES = 64 * 1024


#: SageMaker returns the first this many characters of ``/opt/ml/output/failure`` as a failed
#: training job's ``FailureReason``
FAILURE_REASON_CHARS = 1024


def failure_file_reason(job_dir: Path | None) -> str | None:
    """A failed job's ``FailureReason`` from the file the algorithm wrote to its
    ``output/failure`` (SageMaker's ``/opt/ml/output/failure``): ``AlgorithmError: <its text>``
    (as it is when the text already names its error), at most 1024 characters; None when there
    is no such file or it is empty.

    >>> import tempfile; d = Path(tempfile.mkdtemp()); (d / "output").mkdir()
    >>> _ = (d / "output" / "failure").write_text("line 7: the label is not a number\\n")
    >>> failure_file_reason(d)
    'AlgorithmError: line 7: the label is not a number'
    """
    if job_dir is None:
        return None
    try:
        text = (job_dir / "output" / "failure").read_text(errors="replace").strip()
    except OSError:
        return None
    if not text:
        return None
    first = text.split(":", 1)[0]
    named = first.endswith(("Error", "Exception")) and " " not in first
    return (text if named else f"AlgorithmError: {text}")[:FAILURE_REASON_CHARS]


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
        json_encoded: frozenset[str] = frozenset(),
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
        #: hyperparameters sent JSON-encoded, as the SDK sends a framework estimator's
        #: categorical values (so '"true"' reaches the script as the string true)
        self.json_encoded = frozenset(json_encoded)
        self._warned = False
        self._warn_lock = threading.Lock()

    def sent(self, spec: JobSpec) -> JobSpec:
        """``spec`` with its hyperparameters as the request sends them (see ``json_encoded``)."""
        if not self.json_encoded:
            return spec
        hps = {
            k: json.dumps(v) if k in self.json_encoded else v
            for k, v in spec.hyperparameters.items()
        }
        return dataclasses.replace(spec, hyperparameters=hps)

    def argv(self, spec: JobSpec) -> list[str]:
        hps = self.sent(spec).hyperparameters
        if spec.job_dir is not None:  # paths under /opt/ml are the job directory's
            raw = {str(k): toolkit.encode_value(v) for k, v in hps.items()}
            hps = toolkit.job_paths(raw, toolkit.JobLayout(Path(spec.job_dir)))
        user, _ = toolkit.split_sagemaker(toolkit.decode_hyperparameters(hps))
        return [*self.command, *toolkit.to_cmd_args(user)]

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        log: Any = None
        try:
            env = dict(os.environ)
            env.update(self.env)
            log_path = spec.log_path
            assert log_path is not None
            try:
                prepared = prepare_job_dir(
                    self.sent(spec), self.working_dir or os.getcwd(), self.instance_type
                )
            except OSError as exc:
                why = f"could not prepare the job directory: {exc}"
                events.put(JobEnded(spec.seq, Outcome(False, why)))
                return NullHandle()
            if "PYTHONPATH" in prepared and self.env.get("PYTHONPATH"):
                # a code bundle with dependencies comes first (the toolkit's /opt/ml/code), then
                # the PYTHONPATH of the job's own environment (an estimator's environment=)
                code, *rest = prepared["PYTHONPATH"].split(os.pathsep)
                own = [p for p in self.env["PYTHONPATH"].split(os.pathsep) if p]
                prepared["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([code, *own, *rest]))
            env.update(prepared)
            env["PYTHONUNBUFFERED"] = "1"
            append_to_python_path(env)  # the framework containers' own modules, as stand-ins
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
        n_lines = 0
        objective = self.objective_metric_name
        watch = objective is not None and any(d["Name"] == objective for d in parser.definitions)
        proc = handle.proc
        assert proc.stdout is not None
        held: list[str] = []  # warnings about a line still being read: logged after it
        with log:
            while raw := proc.stdout.readline(MAX_LINE_BYTES):  # bounded: no line in memory
                log.write(raw)  # the log keeps a long line whole (written piece by piece)
                complete = raw.endswith(b"\n")
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                n_lines += complete
                # an error's message starts its line: keep the start of a long line
                tail.append(line if len(line) <= _TAIL_CHARS else line[:_TAIL_CHARS] + "\u2026")
                if len(tail) > _TAIL_LINES:
                    del tail[0]
                found, warnings = parser.parse_line(line)
                now = time.time()
                for name, value in found:
                    k = counts.get(name, 0)
                    counts[name] = k + 1
                    events.put(MetricEmitted(spec.seq, name, value, k, now))
                if (
                    watch
                    and objective is not None
                    and complete
                    and n_lines == OBJECTIVE_WARNING_LINES
                    and objective not in counts
                ):
                    w = self._objective_warning(spec, parser, objective, n_lines, tail)
                    warnings.append(f"[amtune] warning: {w}")
                    self._warn_once(w)
                held += warnings
                if held and complete:
                    log.write("".join(w + "\n" for w in held).encode())
                    log.flush()
                    held.clear()
            if held:
                log.write(("\n" + "".join(w + "\n" for w in held)).encode())
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
            out = Outcome(False, f"the command was killed by {signal_name(-code)}", retryable=True)
        else:
            last = Outcome(False, output_tail=tail).last_output()
            out = Outcome(
                False,
                failure_file_reason(spec.job_dir)
                or f"AlgorithmError: the command exited with code {code}"
                + (f"; last output: {last}" if last else ""),
            )
        out.output_tail = tail
        out.not_numbers = nn
        events.put(JobEnded(spec.seq, out))

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

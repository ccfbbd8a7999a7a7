"""Model-server processes: start, health, restart after a crash (with its failure counted), stop.

Each production variant x instance is one :class:`ModelServer` (a ``python -m
amtune.serve.modelserver`` process). The :class:`Supervisor` thread notices a server that exits
without being asked to, counts the failure and starts it again (at once, then with a backoff up to
:data:`MAX_BACKOFF` seconds while it keeps failing).
"""

from __future__ import annotations

import enum
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from amtune.container_modules import append_to_python_path

#: Seconds a model server has to load its model and listen.
DEFAULT_STARTUP_TIMEOUT = 120.0
MAX_BACKOFF = 10.0


class InstanceState(str, enum.Enum):
    """The life of one model-server process."""

    PENDING = "Pending"
    HEALTHY = "Healthy"
    RESTARTING = "Restarting"
    STOPPED = "Stopped"
    FAILED = "Failed"


@dataclass(frozen=True)
class ModelSpec:
    """How to start a model server: the model directory and the inference module."""

    model_dir: str
    program: str | None = None
    submit_dir: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


class ModelServerError(RuntimeError):
    """A model server did not come up (its log's last lines are in the message)."""


def _tail(path: Path, n: int = 8) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(line for line in lines[-n:] if line.strip())[-1500:]


EventCallback = Callable[[str, "ModelServer", str], None]


class ModelServer:
    """One model-server process of a variant (``label`` is ``endpoint/variant/index``)."""

    def __init__(
        self,
        spec: ModelSpec,
        label: str,
        log_dir: Path,
        on_event: EventCallback | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        self.spec = spec
        self.label = label
        self.log_dir = log_dir
        self.on_event = on_event
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.state = InstanceState.PENDING
        self.failures = 0  # unexpected exits
        self.restarts = 0
        self._stopping = False
        self._lock = threading.Lock()
        safe = label.replace("/", "-")
        self.log_path = log_dir / f"{safe}.log"
        # one port file per server object: two servers of one label (an endpoint deleted while
        # Creating and created again) must not read each other's port
        self._port_file = log_dir / f"{safe}-{uuid.uuid4().hex[:12]}.port"

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def healthy(self) -> bool:
        return self.state is InstanceState.HEALTHY

    def _event(self, kind: str, detail: str = "") -> None:
        if self.on_event is not None:
            self.on_event(kind, self, detail)

    def start(self) -> None:
        """Start the process and wait until the model is loaded and the server listens."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._port_file.unlink(missing_ok=True)
        argv = [sys.executable, "-X", "faulthandler", "-m", "amtune.serve.modelserver"]
        argv += ["--model-dir", self.spec.model_dir, "--port-file", str(self._port_file)]
        if self.spec.program:
            argv += ["--program", self.spec.program]
        if self.spec.submit_dir:
            argv += ["--submit-dir", self.spec.submit_dir]
        env = dict(os.environ)
        env.update(self.spec.env)
        env.setdefault("SM_MODEL_DIR", self.spec.model_dir)
        env["PYTHONUNBUFFERED"] = "1"
        append_to_python_path(env)  # the framework containers' own modules, as stand-ins
        with open(self.log_path, "ab") as log:
            log.write(f"[amtune] starting {self.label}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.proc = proc
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._port_file.exists():
                self.port = int(self._port_file.read_text())
                self._port_file.unlink(missing_ok=True)
                break
            if proc.poll() is not None:
                self.state = InstanceState.FAILED
                raise ModelServerError(
                    f"the model server of {self.label} exited with code {proc.returncode} "
                    f"while loading the model: {_tail(self.log_path)}"
                )
            if time.monotonic() > deadline:
                self._terminate(proc)
                self.state = InstanceState.FAILED
                raise ModelServerError(
                    f"the model server of {self.label} did not start within "
                    f"{self.startup_timeout:g} s: {_tail(self.log_path)}"
                )
            time.sleep(0.02)
        self.state = InstanceState.HEALTHY
        self._event("started", f"pid {proc.pid} port {self.port}")

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def stop(self) -> None:
        """Stop the process (not counted as a failure)."""
        with self._lock:
            self._stopping = True
            self.state = InstanceState.STOPPED
            proc = self.proc
        if proc is not None:
            self._terminate(proc)

    def check(self) -> bool:
        """True when the process died unexpectedly (it is then counted as a failure)."""
        with self._lock:
            proc = self.proc
            if self._stopping or proc is None or self.state is not InstanceState.HEALTHY:
                return False
            code = proc.poll()
            if code is None:
                return False
            self.failures += 1
            self.state = InstanceState.RESTARTING
        reason = f"signal {-code}" if code < 0 else f"exit code {code}"
        self._event("crashed", reason)
        return True

    def restart(self) -> None:
        with self._lock:
            if self._stopping:
                return
        self.restarts += 1
        try:
            self.start()
        except ModelServerError as exc:
            self.state = InstanceState.RESTARTING
            self._event("restart_failed", str(exc))
            raise
        self._event("restarted", f"restart {self.restarts}")


class Supervisor:
    """A thread that restarts crashed model servers (every server it was given via ``watch``)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self._servers: list[ModelServer] = []
        self._retry_at: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="amtune-supervisor", daemon=True)
        self._thread.start()

    def watch(self, server: ModelServer) -> None:
        with self._lock:
            self._servers.append(server)

    def forget(self, server: ModelServer) -> None:
        with self._lock:
            if server in self._servers:
                self._servers.remove(server)
            self._retry_at.pop(id(server), None)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                servers = list(self._servers)
            now = time.monotonic()
            for s in servers:
                if s.check():
                    self._retry_at[id(s)] = (now, 0.0)
                pending = self._retry_at.get(id(s))
                if pending is None or pending[0] > now:
                    continue
                try:
                    s.restart()
                except ModelServerError:
                    backoff = min(MAX_BACKOFF, max(0.5, pending[1] * 2))
                    self._retry_at[id(s)] = (time.monotonic() + backoff, backoff)
                else:
                    self._retry_at.pop(id(s), None)

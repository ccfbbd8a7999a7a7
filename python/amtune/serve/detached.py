"""Job processes started by the endpoint service that are not its children.

A training, tuning or transform job created through the control plane runs in a process of its
own, started through a short-lived launcher: the job is re-parented away from the service, so it
outlives the service (stopping or restarting the service does not stop it) and leaves no zombie
behind. Its output goes to a log file.

>>> import sys, tempfile, time, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pid = start_detached([sys.executable, "-c", "print('hello')"], d / "job.log", d)
>>> for _ in range(100):
...     if (d / "job.log").read_text():
...         break
...     time.sleep(0.05)
>>> (d / "job.log").read_text()
'hello\\n'
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

#: the launcher: starts the job in a session of its own (its output goes where the launcher's
#: stderr goes), prints its pid and exits
_LAUNCH = (
    "import subprocess, sys; "
    "p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=sys.stderr, "
    "stderr=sys.stderr, start_new_session=True); print(p.pid)"
)


def child_env() -> dict[str, str]:
    """This process's environment, with this amtune importable (also when it runs from a
    checkout rather than an installation)."""
    root = str(Path(__file__).resolve().parents[2])  # the directory that holds amtune/
    env = dict(os.environ)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([root, *[p for p in parts if p != root]])
    return env


def start_detached(cmd: Sequence[str], log_path: Path, cwd: Path) -> int:
    """Start ``cmd`` in ``cwd``, detached, its output appended to ``log_path``; return its pid
    (``RuntimeError`` when it could not be started)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        launcher = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *cmd],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=cwd,
            env=child_env(),
            check=False,
            timeout=60,
        )
    if launcher.returncode != 0:
        raise RuntimeError(f"the job could not be started (see {log_path})")
    return int(launcher.stdout)


def log_tail(path: Path, lines: int = 5) -> str:
    """The last error lines a job process printed (``amtune: error:`` lines first)."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [ln.removeprefix("amtune: error: ") for ln in text if ln.startswith("amtune: error:")]
    return " ".join(errors[-lines:] if errors else text[-lines:])


def process_cmdline(pid: int) -> bytes | None:
    """The command line of process ``pid`` (Linux ``/proc``); None when there is no such process,
    ``b""`` when it cannot be read here."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return b""

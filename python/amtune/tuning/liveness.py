"""Whether a tuning job's driver is alive (its lease: pid, host, heartbeat), stopping a job whose
driver may be gone, and killing training commands a dead driver left running."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amtune.enums import ObjectiveStatus, TrainingJobStatus, TuningJobStatus
from amtune.sagemaker.document import StoredConfig
from amtune.store import Store

#: Seconds between the driver's heartbeats in the store.
HEARTBEAT = 2.0
#: A driver whose heartbeat is older than this many heartbeats is considered gone.
LEASE_HEARTBEATS = 10


def pid_alive(pid: int | None, host: str | None) -> bool:
    """Whether process ``pid`` runs on this host (``host`` is where it was started)."""
    return bool(pid) and host == socket.gethostname() and process_exists(int(pid or 0))


def process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (signal 0; one of another user counts).

    >>> process_exists(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def driver_alive(job: Mapping[str, Any]) -> bool:
    """Whether the driver recorded in a tuning job's store row still runs (same host, live pid,
    recent heartbeat)."""
    return pid_alive(job["driver_pid"], job["driver_host"]) and (
        time.time() - (job["heartbeat"] or 0) < LEASE_HEARTBEATS * HEARTBEAT
    )


def stop_tuning_job(store: Store, name: str) -> str:
    """Ask a tuning job to stop (if its driver is gone, mark it Stopped); return its status."""
    job = store.get_tuning_job(name)
    if not TuningJobStatus(job["status"]).is_active:
        return str(job["status"])
    store.request_stop(name)
    if driver_alive(job):
        return TuningJobStatus.STOPPING
    now = time.time()
    with store.transaction():
        for r in store.training_jobs(name):
            if r["status"] == TrainingJobStatus.IN_PROGRESS:
                store.update_training_job(
                    name,
                    r["seq"],
                    status=TrainingJobStatus.STOPPED,
                    objective_status=ObjectiveStatus.FAILED,
                    failure_reason="the driver had died; stopped",
                    end_time=now,
                )
        store.update_tuning_job(name, status=TuningJobStatus.STOPPED, end_time=now)
    return TuningJobStatus.STOPPED


def kill_survivor(store: Store, name: str, seq: int) -> None:
    """Kill a training command left running by a driver that died (SIGKILL to its process group).

    Only a process whose environment names this training job's directory is killed (Linux
    ``/proc``), so a recycled pid is never hit. Worker processes of callables are not killed: they
    exit at their next report to the dead driver (broken pipe) or when their function returns.
    """
    rows = [r for r in store.training_jobs(name) if r["seq"] == seq]
    if not rows or not rows[0]["pid"] or not rows[0]["job_dir"]:
        return
    pid, job_dir = int(rows[0]["pid"]), rows[0]["job_dir"]
    if not StoredConfig(store.get_tuning_job(name)["config"]).command:
        return
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return
    if f"AMTUNE_JOB_DIR={job_dir}".encode() not in env.split(b"\0"):
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

"""The driver's lease on a tuning job, whether a driver is alive, stopping a job whose driver may be
gone, and killing training commands a dead driver left running.

One driver at a time writes a tuning job's rows. A driver takes the job's *lease* (its pid, host,
heartbeat and a random token in the job's row) inside one SQLite write transaction (``BEGIN
IMMEDIATE``), after checking there that no live driver holds it: of two drivers started together,
exactly one gets the lease and the other raises :class:`LeaseTaken` having written nothing. The
holder's heartbeat comes from a thread of its own (:class:`Lease`), so a driver whose loop stalls
(a slow strategy, a slow disk) stays alive to ``resume`` and ``stop``. Every write transaction of
the driver first checks that its token is still in the row: a driver that lost its lease (it was
suspended for longer than the lease and another driver took over) raises :class:`LeaseLost` and
writes nothing more.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import threading
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


#: The lease tokens of the drivers running in this process (a job whose recorded driver is this
#: process but none of these tokens was left by a driver of this process that has ended).
_HELD: set[str] = set()


def driver_alive(job: Mapping[str, Any]) -> bool:
    """Whether the driver recorded in a tuning job's store row still runs (same host, live pid,
    recent heartbeat)."""
    if not pid_alive(job["driver_pid"], job["driver_host"]):
        return False
    if job["driver_pid"] == os.getpid() and job.get("driver_token") not in _HELD:
        return False  # a driver of this process that has ended
    return time.time() - (job["heartbeat"] or 0) < LEASE_HEARTBEATS * HEARTBEAT


class LeaseTaken(RuntimeError):
    """Another driver holds the tuning job's lease: this one did not start (nothing written)."""


class LeaseLost(RuntimeError):
    """This driver's lease was taken over: it stops writing the tuning job's rows."""


class Lease:
    """A driver's lease on one tuning job, and the thread that keeps it alive.

    >>> import os, tempfile
    >>> st = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
    >>> st.create_tuning_job("job", {}, 0.0)
    >>> lease = Lease(st, "job")
    >>> lease.claim(resumed=False)
    >>> Lease(st, "job").claim(resumed=True)
    Traceback (most recent call last):
    ...
    amtune.tuning.liveness.LeaseTaken: tuning job 'job' is already running (driver pid ...
    >>> lease.release()
    """

    def __init__(self, store: Store, name: str) -> None:
        self.store = store
        self.name = name
        self.token = secrets.token_hex(16)
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def claim(self, resumed: bool) -> None:
        """Take the lease in one write transaction, or raise :class:`LeaseTaken` (or
        ``ValueError`` if the job has ended) having written nothing. A resume reopens a Stopped
        job (InProgress again, its stop request cleared) in the same transaction."""
        with self.store.transaction():
            job = self.store.get_tuning_job(self.name)
            status = TuningJobStatus(job["status"])
            reopen = resumed and status is TuningJobStatus.STOPPED  # resume goes on to its limits
            if not status.is_active and not reopen:
                raise ValueError(
                    f"tuning job {self.name!r} has already ended ({job['status']}); "
                    f"nothing to resume"
                )
            if driver_alive(job):
                raise LeaseTaken(
                    f"tuning job {self.name!r} is already running (driver pid "
                    f"{job['driver_pid']} on {job['driver_host']}); this driver exits without "
                    f"writing. Stop it first (amtune stop) to run it again"
                )
            reopened: dict[str, Any] = {}
            if reopen:
                reopened = {
                    "status": TuningJobStatus.IN_PROGRESS,
                    "stop_requested": 0,
                    "end_time": None,
                    "failure_reason": None,
                }
            self.store.update_tuning_job(
                self.name,
                resumes=int(job["resumes"]) + (1 if resumed else 0),
                driver_pid=os.getpid(),
                driver_host=socket.gethostname(),
                heartbeat=time.time(),
                driver_token=self.token,
                **reopened,
            )
        _HELD.add(self.token)

    def check(self) -> None:
        """Inside a write transaction: raise :class:`LeaseLost` unless this driver holds the
        lease (the transaction then rolls back)."""
        if self.lost.is_set() or not self._holds(self.store):
            self.lost.set()
            raise LeaseLost(
                f"tuning job {self.name!r}: this driver lost its lease (another driver took the "
                f"job over, or it was stopped while this driver did not answer); it stops "
                f"without writing"
            )

    def _holds(self, store: Store) -> bool:
        row = store.get_tuning_job(self.name)
        return bool(row.get("driver_token") == self.token)

    def start_heartbeat(self) -> None:
        """Beat every :data:`HEARTBEAT` seconds from a thread with its own connection."""
        self._thread = threading.Thread(
            target=self._beat, name=f"amtune-heartbeat-{self.name}", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        store = Store(self.store.path)
        try:
            while not self._done.wait(HEARTBEAT):
                try:
                    with store.transaction():
                        if not self._holds(store):
                            self.lost.set()
                            return
                        store.update_tuning_job(self.name, heartbeat=time.time())
                except sqlite3.OperationalError:
                    continue  # the store was busy for the whole busy timeout: beat again
        finally:
            store.close()

    def release(self) -> None:
        """Stop the heartbeat (the job's row keeps the last one; its status tells it ended)."""
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        _HELD.discard(self.token)


def stop_tuning_job(store: Store, name: str) -> str:
    """Ask a tuning job to stop (if its driver is gone, mark it Stopped); return its status."""
    job = store.get_tuning_job(name)
    if not TuningJobStatus(job["status"]).is_active:
        return str(job["status"])
    store.request_stop(name)
    now = time.time()
    with store.transaction():  # decided in one write transaction: no driver can start meanwhile
        job = store.get_tuning_job(name)
        if driver_alive(job):
            return TuningJobStatus.STOPPING
        if not TuningJobStatus(job["status"]).is_active:
            return str(job["status"])
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
        # no token: a driver that was only suspended finds it lost its lease and writes nothing
        store.update_tuning_job(
            name, status=TuningJobStatus.STOPPED, end_time=now, driver_token=None
        )
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

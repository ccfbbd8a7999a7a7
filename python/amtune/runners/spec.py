"""What runners and the driver share: the job spec, the outcome, the handle and runner interfaces.

Every runner starts one training job at a time through :meth:`Runner.start`, which returns a
:class:`Handle`, and reports what happens on the driver's event queue (see :mod:`.events`). The
driver decides what an ending means (Completed, Failed, Stopped). :meth:`Handle.stop` asks a job to
end cleanly: a command gets SIGTERM, then SIGKILL after the grace period; a callable in a worker
process is told through its reporter (``reporter.should_stop()`` becomes true and the next
``reporter.report`` raises :class:`amtune.runners.reporter.StopTraining`), and its process is
terminated after the grace period; a callable in a thread can only be stopped cooperatively.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amtune.runners.events import EventQueue

#: Seconds between SIGTERM (or a cooperative stop request) and SIGKILL.
DEFAULT_STOP_GRACE = 10.0


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
    #: channel name -> its ``ContentType`` (``inputdataconfig.json``), for channels that have one
    content_types: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> Path | None:
        return None if self.job_dir is None else self.job_dir / "train.log"


class Handle:
    """A running training job; ``pid`` is its process id (None in a thread), ``group`` is True when
    the process leads its own process group (commands)."""

    pid: int | None = None
    group: bool = False

    def stop(self, grace: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    output_tail: list[str] = field(default_factory=list)  # a command's last output lines
    #: metric name -> the last capture of its regex that was not a number (e.g. 'N/A')
    not_numbers: dict[str, str] = field(default_factory=dict)

    def alive(self) -> bool:
        """Whether the job's process still runs (a thread job: whether it was not stopped)."""
        return False

    def kill(self) -> None:
        """End the job's process now (SIGKILL; its process group for commands)."""


class Runner:
    """Starts training jobs; ``kind`` is ``"process"``, ``"thread"`` or ``"command"``."""

    kind = "base"

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (called once the tuning job's loop ends)."""


class NullHandle(Handle):
    def stop(self, grace: float) -> None:
        pass


def signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"

"""What runners report to the driver, as types: a metric emission or the end of a training job.

A runner puts these on the driver's event queue (one :class:`JobEnded` per start, after the job's
:class:`MetricEmitted` events).

>>> MetricEmitted(seq=1, name="loss", value=0.5, step=0, time=0.0).name
'loss'
>>> JobEnded(seq=1, outcome=Outcome(ok=True)).outcome.ok
True
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from typing import TypeAlias


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


@dataclass(frozen=True)
class MetricEmitted:
    """One emission of a metric by training job ``seq`` (``step``: its step, ``time``: when)."""

    seq: int
    name: str
    value: float
    step: int | None
    time: float


@dataclass(frozen=True)
class JobEnded:
    """Training job ``seq`` ended; ``outcome`` says how its code or process ended."""

    seq: int
    outcome: Outcome


RunnerEvent: TypeAlias = MetricEmitted | JobEnded
EventQueue: TypeAlias = "queue.Queue[RunnerEvent]"

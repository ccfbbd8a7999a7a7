"""What runners report to the driver, as types: a metric emission or the end of a training job.

A runner puts these on the driver's :class:`EventQueue` (one :class:`JobEnded` per start, after the
job's :class:`MetricEmitted` events).

>>> MetricEmitted(seq=1, name="loss", value=0.5, step=0, time=0.0).name
'loss'
>>> JobEnded(seq=1, outcome=Outcome(ok=True)).outcome.ok
True
"""

from __future__ import annotations

import collections
import queue
import threading
import time
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

    def last_output(self, max_chars: int = 600) -> str:
        """The last output lines for a failure reason: whole lines (each already cut to its
        start by the runner), as many of the latest as fit in ``max_chars``, oldest first. An
        error's message starts its line, so lines are cut at the end and dropped from the
        beginning, never cut at their start.

        >>> Outcome(False, output_tail=["a" * 50, "ValueError: bad 'x'"]).last_output(40)
        "ValueError: bad 'x'"
        >>> Outcome(False, output_tail=["one", "two"]).last_output()
        'one | two'
        """
        kept: list[str] = []
        size = 0
        for line in reversed([t for t in self.output_tail if t.strip()]):
            cost = len(line) + (3 if kept else 0)
            if kept and size + cost > max_chars:
                break
            kept.append(line if len(line) <= max_chars else line[: max_chars - 1] + "\u2026")
            size += cost
        return " | ".join(reversed(kept))


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

#: Metric emissions an :class:`EventQueue` holds before a blocking producer waits.
MAX_QUEUED_METRICS = 10_000


class EventQueue:
    """The runners' events on their way to one consumer (the driver): first in, first out, with
    bounded memory for metric emissions and no bound, ever, on ends of training jobs.

    * ``put(MetricEmitted)`` waits while ``max_metrics`` emissions are queued: backpressure on the
      producer's thread (a command's reader thread stops reading, the command's output pipe fills
      and its writes wait; a training callable waits inside ``reporter.report``). Every emission
      still reaches the consumer, in order.
    * ``put(JobEnded)`` never waits and is never refused, so a job's end is never lost and a
      consumer that puts an end itself (the driver refusing a job) cannot deadlock on its queue.
    * ``put(ev, block=False)`` never waits: for producers that run on an event loop the consumer
      depends on (the Dask client's loop, through which the driver's stop requests go). Such
      emissions may exceed the bound.
    * :meth:`close`, once nobody consumes: waiting producers return and later emissions are
      dropped (ends are still kept).

    ``max_metrics`` defaults to :data:`MAX_QUEUED_METRICS`; ``high_water`` is the most emissions
    ever queued at once.

    >>> q = EventQueue(max_metrics=1)
    >>> q.put(MetricEmitted(1, "loss", 0.5, 0, 0.0))
    >>> q.put(JobEnded(1, Outcome(ok=True)))  # over the bound: an end never waits
    >>> [type(q.get_nowait()).__name__ for _ in range(2)]
    ['MetricEmitted', 'JobEnded']
    """

    def __init__(self, max_metrics: int | None = None) -> None:
        if max_metrics is None:
            max_metrics = MAX_QUEUED_METRICS
        if max_metrics < 1:
            raise ValueError(f"max_metrics must be at least 1, got {max_metrics}")
        self.max_metrics = max_metrics
        self.high_water = 0
        self._items: collections.deque[RunnerEvent] = collections.deque()
        self._metrics = 0  # MetricEmitted events in _items
        self._closed = False
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)

    def put(self, event: RunnerEvent, block: bool = True) -> None:
        """Queue ``event``; a metric emission waits for room when ``block`` (see the class)."""
        with self._lock:
            if isinstance(event, MetricEmitted):
                while block and not self._closed and self._metrics >= self.max_metrics:
                    self._not_full.wait()
                if self._closed:
                    return
                self._metrics += 1
                self.high_water = max(self.high_water, self._metrics)
            self._items.append(event)
            self._not_empty.notify()

    def get(self, block: bool = True, timeout: float | None = None) -> RunnerEvent:
        """The oldest event; raises :class:`queue.Empty` when none came within ``timeout``."""
        with self._lock:
            if block:
                deadline = None if timeout is None else time.monotonic() + timeout
                while not self._items:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        break
                    self._not_empty.wait(left)
            if not self._items:
                raise queue.Empty
            event = self._items.popleft()
            if isinstance(event, MetricEmitted):
                self._metrics -= 1
                self._not_full.notify()
            return event

    def get_nowait(self) -> RunnerEvent:
        """The oldest event, or :class:`queue.Empty` at once."""
        return self.get(block=False)

    def qsize(self) -> int:
        """Events waiting (metric emissions and ends)."""
        with self._lock:
            return len(self._items)

    def close(self) -> None:
        """Nobody will consume any more: release waiting producers, drop later emissions."""
        with self._lock:
            self._closed = True
            self._not_full.notify_all()

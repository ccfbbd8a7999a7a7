"""What a user sees of a running tuning job: a live one-line progress display (rich if installed,
else plain text), and the summary printed when it ends.

The display is shown only when enabled and stdout is a terminal; elsewhere (a notebook, a
redirected stdout) one line is printed per finished training job (name, status, objective, best so
far) and one at the end. ``quiet=True`` turns both off.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from amtune.enums import TrainingJobStatus, TuningJobStatus
from amtune.store import Store
from amtune.text import printable


def format_status(
    name: str, counts: dict[str, int], best: float | None, elapsed: float, max_jobs: int
) -> str:
    """The progress line, e.g.

    ``j: 12/20 done (10 completed, 1 failed, 1 stopped), 2 running, best 0.91, 35s elapsed``
    """
    completed = counts.get(TrainingJobStatus.COMPLETED, 0)
    failed = counts.get(TrainingJobStatus.FAILED, 0)
    stopped = counts.get(TrainingJobStatus.STOPPED, 0)
    running = counts.get(TrainingJobStatus.IN_PROGRESS, 0)
    best_s = "-" if best is None else f"{best:.6g}"
    return (
        f"{name}: {completed + failed + stopped}/{max_jobs} done ({completed} completed, "
        f"{failed} failed, {stopped} stopped), {running} running, best {best_s}, "
        f"{elapsed:.0f}s elapsed"
    )


class Progress:
    """Shows :func:`format_status` lines; does nothing when disabled."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        tty = _isatty(self.stream)
        self.enabled = bool(enabled) and tty
        #: not on a terminal (a notebook, a redirected stdout): one line per finished job instead
        self.lines = bool(enabled) and not tty
        self._live: Any = None
        self._last = 0.0
        self._width = 0
        if self.enabled:
            try:
                from rich.console import Console
                from rich.live import Live
            except ImportError:
                self._live = None
            else:
                self._live = Live(
                    "",
                    console=Console(file=self.stream, highlight=False),
                    refresh_per_second=4,
                    transient=False,
                )
                self._live.start()

    def update(self, line: str, force: bool = False) -> None:
        """Replace the live line with ``line`` (control characters escaped: one line, always)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.25:
            return
        self._last = now
        line = printable(line, newlines=False)
        if self._live is not None:
            from rich.text import Text

            self._live.update(Text(line))  # as text: no rich markup in a job's name or value
        else:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
            self._width = len(line)

    def line(self, text: str) -> None:
        """Print one line (the per-job lines when not on a terminal)."""
        if self.lines:
            self.stream.write(printable(text, newlines=False) + "\n")
            self.stream.flush()

    def close(self, line: str | None = None) -> None:
        if self.lines and line is not None:
            self.line(line)
            self.lines = False
        if not self.enabled:
            return
        if line is not None:
            self.update(line, force=True)
        if self._live is not None:
            self._live.stop()
        else:
            self.stream.write("\n")
            self.stream.flush()
        self.enabled = False


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _say(text: str, file: Any) -> None:
    print(printable(text), file=file)


def report_end(store: Store, name: str, out: Any = None) -> int:
    """Print how a tuning job ended (status, counts, best training job); 1 if it failed."""
    from amtune.analytics import describe

    out = out or sys.stdout
    d = describe(store, name)
    status = d["HyperParameterTuningJobStatus"]
    c = d["TrainingJobStatusCounters"]
    _say(
        f"Tuning job {name}: {status} ({c['Completed']} completed, "
        f"{c['RetryableError'] + c['NonRetryableError']} failed, {c['Stopped']} stopped)",
        file=out,
    )
    if d.get("FailureReason"):
        _say(f"  reason: {d['FailureReason']}", file=out)
    best = d.get("BestTrainingJob")
    if best:
        m = best["FinalHyperParameterTuningJobObjectiveMetric"]
        _say(
            f"  best training job: {best['TrainingJobName']}  {m['MetricName']} = {m['Value']:.6g}",
            file=out,
        )
        for k, v in best["TunedHyperParameters"].items():
            _say(f"    {k} = {v}", file=out)
    return 1 if status == TuningJobStatus.FAILED else 0

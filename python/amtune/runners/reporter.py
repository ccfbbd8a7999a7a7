"""The reporter given to a training callable, and what its return value means."""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Mapping
from typing import Any

from amtune.metrics import to_float
from amtune.runners.events import MetricEmitted
from amtune.runners.spec import JobSpec


class StopTraining(BaseException):
    """Raised inside ``reporter.report`` when the driver stopped the training job.

    It derives from ``BaseException`` so that a broad ``except Exception`` in training code does
    not swallow it. Training code may also poll ``reporter.should_stop()`` and return early.
    """


class Reporter:
    """Given to a training callable: ``report`` metrics, poll ``should_stop``.

    ``report(name, value, step=None)`` records one emission; ``step`` defaults to the number of
    earlier emissions of that metric. ``job_name``, ``hyperparameters``, ``model_dir`` and
    ``output_dir`` describe the training job (the directories are None in the thread runner).
    """

    def __init__(
        self, spec: JobSpec, send: Callable[[MetricEmitted], None], poll_stop: Callable[[], bool]
    ) -> None:
        self.job_name = spec.name
        self.tuning_job_name = spec.tuning_job
        self.hyperparameters = dict(spec.hyperparameters)
        self.model_dir = None if spec.job_dir is None else str(spec.job_dir / "model")
        self.output_dir = None if spec.job_dir is None else str(spec.job_dir / "output" / "data")
        self._seq = spec.seq
        self._send = send
        self._poll_stop = poll_stop
        self._stopped = False
        self._counts: dict[str, int] = {}

    def report(self, name: str, value: float, step: int | None = None) -> None:
        """Record ``value`` of metric ``name``; raises :class:`StopTraining` once stopped."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"report: name must be a non-empty string, got {name!r}")
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(float(value))
        ):
            raise TypeError(f"report: value of {name!r} must be a finite number, got {value!r}")
        if step is not None and (isinstance(step, bool) or not isinstance(step, numbers.Integral)):
            raise TypeError(f"report: step must be an integer or None, got {step!r}")
        k = self._counts.get(name, 0)
        self._counts[name] = k + 1
        self._send(
            MetricEmitted(
                self._seq, name, float(value), k if step is None else int(step), time.time()
            )
        )
        if self.should_stop():
            raise StopTraining(f"training job {self.job_name} was stopped")

    def should_stop(self) -> bool:
        """True once the driver asked this training job to stop."""
        if not self._stopped and self._poll_stop():
            self._stopped = True
        return self._stopped


def result_of(ret: Any) -> tuple[float | None, dict[str, float], str | None]:
    """(final value, final metrics, error) from what a training callable returned."""
    if ret is None:
        return None, {}, None
    if isinstance(ret, Mapping):
        out: dict[str, float] = {}
        for k, v in ret.items():
            f = to_float(v) if not isinstance(v, str) else None
            if not isinstance(k, str) or f is None:
                return (
                    None,
                    {},
                    f"the returned dict must map metric names to finite numbers; {k!r}: {v!r}",
                )
            out[k] = f
        return None, out, None
    f = None if isinstance(ret, (str, bytes)) else to_float(ret)
    if f is None:
        return (
            None,
            {},
            f"the training function returned {ret!r}; expected a finite number, a dict or None",
        )
    return f, {}, None

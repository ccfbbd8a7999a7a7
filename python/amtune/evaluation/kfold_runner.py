"""K-fold training jobs: one training job of the tuning job is ``K`` runs, one per fold.

:class:`KFoldRunner` wraps the tuning job's runner. Starting a training job starts its ``K`` fold
runs (each in ``<job dir>/fold-<i>/`` with its own log, model and output, and the fold's ``train``
and ``validation`` channels); at most ``max_processes`` fold runs of the whole tuning job run at
once (the tuning job's ``max_parallel_jobs``), so the folds of one configuration run in parallel
when the slots allow. What the driver sees of the training job:

* every fold's metric emissions, named ``<metric>:fold-<i>`` (all kept in the store);
* the **mean over the folds** of a metric at step ``s``, under the metric's own name, as soon as
  every fold has emitted step ``s`` of it: early stopping, Hyperband and the completion criteria
  see these means;
* at the end, the mean of the folds' final values under the metric's name, and their standard
  deviation (``<metric>:std``, population), minimum and maximum (``<metric>:min``,
  ``<metric>:max``): the objective is the mean over folds and ``describe``/analytics show the
  spread.

The training job is Completed when every fold completed; it fails with the first failing fold's
reason (``fold 3 of 5: ...``); stopping it stops every fold.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from amtune.runners.events import EventQueue, JobEnded, MetricEmitted, Outcome
from amtune.runners.spec import Handle, JobSpec, Runner

__all__ = ["KFoldRunner", "fold_metric_name"]

#: Seconds the other folds get to stop after one fold failed.
FAILED_FOLD_GRACE = 5.0


def fold_metric_name(metric: str, fold: int) -> str:
    """The name of fold ``fold``'s (1-based) emissions of ``metric``."""
    return f"{metric}:fold-{fold}"


class _KFoldHandle(Handle):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.handles: dict[int, Handle] = {}
        self.stop_grace: float | None = None
        self.finished = threading.Event()

    def stop(self, grace: float) -> None:
        with self.lock:
            self.stop_grace = grace
            hs = list(self.handles.values())
        for h in hs:
            h.stop(grace)

    def alive(self) -> bool:
        return not self.finished.is_set()

    def kill(self) -> None:
        with self.lock:
            hs = list(self.handles.values())
        for h in hs:
            h.kill()


class KFoldRunner(Runner):
    """Runs each training job as ``len(folds)`` runs of ``inner`` (see the module doc).

    ``folds`` are the channel sets of the runs (``{"train": dir, "validation": dir}``), laid over
    the job's own channels; ``max_processes`` bounds the fold runs running at once.
    """

    kind = "kfold"

    def __init__(
        self, inner: Runner, folds: Sequence[Mapping[str, str]], max_processes: int
    ) -> None:
        if not folds:
            raise ValueError("folds: at least one fold is needed")
        self.inner = inner
        self.folds = [dict(f) for f in folds]
        self.slots = threading.BoundedSemaphore(max(1, int(max_processes)))

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        handle = _KFoldHandle()
        threading.Thread(
            target=self._run,
            args=(spec, events, handle),
            daemon=True,
            name=f"amtune-kfold-{spec.seq}",
        ).start()
        return handle

    def close(self) -> None:
        self.inner.close()

    # ------------------------------------------------------------------ one training job
    def _run(self, spec: JobSpec, events: EventQueue, handle: _KFoldHandle) -> None:
        k = len(self.folds)
        seq = spec.seq
        own: queue.Queue[Any] = queue.Queue()
        lock = threading.Lock()
        # metric -> fold -> list of values by step; metric -> next step whose mean is due
        values: dict[str, list[dict[int, float]]] = {}
        finals: dict[str, dict[int, float]] = {}
        next_step: dict[str, int] = {}
        outcomes: dict[int, Outcome] = {}

        def on_metric(fold: int, name: str, value: float, step: int, when: float) -> None:
            events.put(MetricEmitted(seq, fold_metric_name(name, fold + 1), value, step, when))
            with lock:
                per = values.setdefault(name, [{} for _ in range(k)])
                per[fold][step] = value
                finals.setdefault(name, {})[fold] = value
                s = next_step.get(name, 0)
                while all(s in per[f] for f in range(k)):
                    mean = float(np.mean([per[f][s] for f in range(k)]))
                    events.put(MetricEmitted(seq, name, mean, s, when))
                    s += 1
                next_step[name] = s

        def launch(fold: int) -> bool:
            self.slots.acquire()
            with handle.lock:
                if handle.stop_grace is not None:
                    self.slots.release()
                    return False
            fold_dir = None if spec.job_dir is None else spec.job_dir / f"fold-{fold + 1}"
            if fold_dir is not None:
                fold_dir.mkdir(parents=True, exist_ok=True)
            fs = replace(
                spec,
                name=f"{spec.name}-fold-{fold + 1}",
                job_dir=fold_dir,
                channels={**spec.channels, **self.folds[fold]},
            )
            q = EventQueue()
            h = self.inner.start(fs, q)
            with handle.lock:
                handle.handles[fold] = h
                grace = handle.stop_grace
            if grace is not None:
                h.stop(grace)
            threading.Thread(target=pump, args=(fold, q), daemon=True).start()
            return True

        def pump(fold: int, q: EventQueue) -> None:
            while True:
                ev = q.get()
                if isinstance(ev, MetricEmitted):
                    step = ev.step if ev.step is not None else 0
                    on_metric(fold, ev.name, ev.value, step, ev.time)
                else:
                    out: Outcome = ev.outcome
                    self.slots.release()
                    if not out.ok and not out.stopped:
                        # the training job has failed: end the other folds now
                        with handle.lock:
                            others = [h for f, h in handle.handles.items() if f != fold]
                            if handle.stop_grace is None:
                                handle.stop_grace = FAILED_FOLD_GRACE
                        for h in others:
                            h.stop(FAILED_FOLD_GRACE)
                    own.put((fold, out))
                    return

        started = 0
        for fold in range(k):
            if not launch(fold):
                break
            started += 1
        for _ in range(started):
            fold, out = own.get()
            outcomes[fold] = out
        events.put(JobEnded(seq, self._combine(outcomes, k, finals, handle)))
        handle.finished.set()

    @staticmethod
    def _combine(
        outcomes: Mapping[int, Outcome],
        k: int,
        finals: Mapping[str, Mapping[int, float]],
        handle: _KFoldHandle,
    ) -> Outcome:
        stopped = handle.stop_grace is not None or any(o.stopped for o in outcomes.values())
        for fold in sorted(outcomes):  # a failed fold fails the job (the others were stopped)
            o = outcomes[fold]
            if not o.ok and not o.stopped:
                return Outcome(
                    False,
                    f"fold {fold + 1} of {k}: {o.failure_reason}",
                    retryable=o.retryable,
                )
        if len(outcomes) < k and not stopped:
            return Outcome(False, f"only {len(outcomes)} of {k} folds ran")
        summary: dict[str, float] = {}
        for name, per in finals.items():
            if len(per) == k:
                v = np.array([per[f] for f in range(k)])
                summary[name] = float(v.mean())
                summary[f"{name}:std"] = float(v.std())
                summary[f"{name}:min"] = float(v.min())
                summary[f"{name}:max"] = float(v.max())
        return Outcome(True, None, final_metrics=summary, stopped=stopped)


def fold_dirs(job_dir: Path, k: int) -> list[Path]:
    """The fold run directories of a k-fold training job."""
    return [job_dir / f"fold-{i + 1}" for i in range(k)]

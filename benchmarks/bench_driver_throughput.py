"""Driver throughput with a simulated executor: the driver's CPU time per training job while P jobs are
in parallel and n = 10,000 have finished (d = 20, Bayesian), and what that means for 60-second jobs.

    PYTHONPATH=$PWD/python python benchmarks/bench_driver_throughput.py [--parallel 100 1000]
        [--history 10000] [--jobs 100]

No process runs a training job: a simulated runner ends the oldest running job as soon as P are
running, so the driver always proposes with P - 1 pending trials (fantasies) and never waits. The
steady-state CPU time per job (process time between the first and the last end, over all threads of
the driver) gives the CPU share of one core the driver needs to keep P workers busy with 60-second jobs:
share = (P / 60 s) x CPU per job. Goals (issue 14): < 10% at P = 100, < 50% at P = 1,000.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

import amtune
from amtune.runners.events import EventQueue, JobEnded, Outcome
from amtune.runners.spec import Handle, JobSpec, NullHandle, Runner
from amtune.tuning.driver import Driver
from amtune.tuning.tuner import HyperparameterTuner

D = 20


def objective(hp: dict[str, Any]) -> float:
    x = np.array([hp[f"x{i}"] for i in range(D)])
    return float(np.sum((x - 0.3) ** 2))


class SimulatedRunner(Runner):
    """Ends the oldest running job (with its objective value) once ``parallel`` are running."""

    kind = "simulated"

    def __init__(self, parallel: int, total: int) -> None:
        self.parallel = parallel
        self.total = total  # jobs the driver will start
        self.started = 0
        self.running: collections.deque[JobSpec] = collections.deque()
        self.ends: list[float] = []  # process time at each end
        self.events: EventQueue | None = None
        self.lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """Once the driver stops starting jobs (its budget is used), end the ones still running."""
        while True:
            time.sleep(0.2)
            with self.lock:
                if self.events is not None and self.started == self.total:
                    while self.running:
                        old = self.running.popleft()
                        value = objective(old.hyperparameters)
                        self.events.put(JobEnded(old.seq, Outcome(True, final_value=value)))

    def start(self, spec: JobSpec, events: EventQueue) -> Handle:
        with self.lock:
            self.events = events
            self.started += 1
            return self._start(spec, events)

    def _start(self, spec: JobSpec, events: EventQueue) -> Handle:
        self.running.append(spec)
        if len(self.running) >= self.parallel:
            old = self.running.popleft()
            events.put(JobEnded(old.seq, Outcome(True, final_value=objective(old.hyperparameters))))
            self.ends.append(time.process_time())
        return NullHandle()


def measure(parallel: int, history: int, jobs: int, db: Path) -> tuple[float, float]:
    ranges = {f"x{i}": amtune.ContinuousParameter(0.0, 1.0) for i in range(D)}
    tuner = HyperparameterTuner(
        "loss",
        ranges,
        objective_type="Minimize",
        strategy="Bayesian",
        max_jobs=history + parallel + jobs,
        max_parallel_jobs=parallel,
        random_seed=0,
        runner="thread",
        db=db,
        quiet=True,
    )
    name = f"tp{parallel}"
    store = tuner.store
    store.create_tuning_job(name, tuner._to_config(objective), time.time())
    rng = np.random.default_rng(0)
    with store.transaction():
        for seq in range(1, history + 1):
            hp = {f"x{i}": float(v) for i, v in enumerate(rng.random(D))}
            now = time.time()
            store.insert_training_job(name, seq, f"{name}-{seq}", hp, now, None)
            y = objective(hp)
            store.update_training_job(
                name,
                seq,
                status="Completed",
                objective_status="Succeeded",
                end_time=now,
                final_objective=y,
                final_metrics={"loss": y},
            )
    runner = SimulatedRunner(parallel, parallel + jobs)
    t0 = time.perf_counter()
    Driver(tuner, name, runner, resumed=True, show=False).run()
    wall = time.perf_counter() - t0
    ends = runner.ends
    per_job = (ends[-1] - ends[0]) / (len(ends) - 1)
    return per_job, wall


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--parallel", type=int, nargs="+", default=[100, 1000])
    p.add_argument("--history", type=int, default=10000)
    p.add_argument("--jobs", type=int, default=100)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for par in a.parallel:
            per_job, wall = measure(par, a.history, a.jobs, Path(d) / f"{par}.db")
            share = par / 60.0 * per_job
            print(
                f"P = {par:5d}, n = {a.history}, d = {D}: driver CPU {per_job * 1e3:.1f} ms per job "
                f"(steady state) -> {share:.1%} of one core for 60-second jobs (run {wall:.0f} s)"
            )


if __name__ == "__main__":
    main()

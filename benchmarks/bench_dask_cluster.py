"""Wall time of 40 short training jobs on a real LocalCluster of 2 workers vs the local process
runner (2 in parallel, Random strategy, each job reports 3 metrics over 0.3 s).

    PYTHONPATH=$PWD/python python benchmarks/bench_dask_cluster.py [--jobs 40]

Prints the wall time of each runner and their ratio; the Dask figure includes starting the
LocalCluster (reported separately too).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import amtune
from amtune.tuning.tuner import HyperparameterTuner


def short_job(hp: dict[str, Any], reporter: Any) -> float:
    for epoch in range(3):
        reporter.report("loss", (hp["x"] - 0.3) ** 2 + 1.0 / (epoch + 1))
        time.sleep(0.1)
    return float((hp["x"] - 0.3) ** 2)


def run(jobs: int, db: Path, **kw: Any) -> float:
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        strategy="Random",
        max_jobs=jobs,
        max_parallel_jobs=2,
        random_seed=0,
        db=db,
        quiet=True,
        **kw,
    )
    t0 = time.perf_counter()
    t.fit(short_job, job_name="bench")
    wall = time.perf_counter() - t0
    counts = t.describe()["TrainingJobStatusCounters"]
    assert counts["Completed"] == jobs, counts
    return wall


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--jobs", type=int, default=40)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        local = run(a.jobs, Path(d) / "p.db")
        from amtune.runners.dask import DaskRunner

        t0 = time.perf_counter()
        DaskRunner("local:2", short_job).close()
        startup = time.perf_counter() - t0
        dask = run(a.jobs, Path(d) / "d.db", cluster="local:2")
    print(
        f"{a.jobs} jobs, 2 in parallel: process runner {local:.1f} s; "
        f"Dask LocalCluster(2) {dask:.1f} s (of which ~{startup:.1f} s starting the cluster); "
        f"ratio {dask / local:.2f}"
    )


if __name__ == "__main__":
    main()

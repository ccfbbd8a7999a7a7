"""The demo's tuning job (see ``amtune.demo``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from amtune.space import CategoricalParameter, ContinuousParameter, IntegerParameter

METRIC_DEFINITIONS = [
    {"Name": "validation:accuracy", "Regex": r"validation:accuracy=([0-9.]+)"},
    {"Name": "validation:loss", "Regex": r"validation:loss=([0-9.eE+-]+)"},
    {"Name": "train:loss", "Regex": r"train:loss=([0-9.eE+-]+)"},
]

RANGES = {
    "learning_rate": ContinuousParameter(1e-3, 1.0, "Logarithmic"),
    "momentum": ContinuousParameter(0.0, 0.99, "Linear"),
    "hidden_units": IntegerParameter(2, 64, "Logarithmic"),
    "l2": ContinuousParameter(1e-6, 1e-1, "Logarithmic"),
    "batch_size": CategoricalParameter([16, 32, 64, 128]),
}

STATIC = {"epochs": 60}


def training_script() -> Path:
    return Path(__file__).with_name("train.py")


def demo_tuner(
    max_jobs: int = 20,
    max_parallel_jobs: int = 2,
    db: Any = None,
    quiet: bool = False,
    strategy: str | None = None,
    channels: dict[str, str] | None = None,
) -> Any:
    from amtune.tuning.tuner import HyperparameterTuner

    if strategy is None:
        strategy = "Bayesian"
    return HyperparameterTuner(
        "validation:accuracy",
        RANGES,
        objective_type="Maximize",
        metric_definitions=METRIC_DEFINITIONS,
        strategy=strategy,
        max_jobs=max_jobs,
        max_parallel_jobs=max_parallel_jobs,
        static_hyperparameters=STATIC,
        random_seed=0,
        max_runtime_per_training_job=300,
        channels=channels,
        db=db,
        quiet=quiet,
    )


def run_demo(
    max_jobs: int = 20,
    max_parallel_jobs: int = 2,
    db: Any = None,
    quiet: bool = False,
    name: str | None = None,
) -> int:
    from amtune.demo.data import write_channels
    from amtune.progress import report_end
    from amtune.store import resolve_db_path

    db_path = resolve_db_path(db)
    data_root = db_path.parent / "amtune-demo-data"
    channels = write_channels(data_root)
    print(f"amtune demo: example data written to {data_root} (channels: {', '.join(channels)})")
    tuner = demo_tuner(max_jobs, max_parallel_jobs, str(db_path), quiet, channels=channels)
    name = name or time.strftime("demo-%y%m%d-%H%M%S", time.gmtime())
    cmd = [sys.executable, str(training_script())]
    print(
        f"amtune demo: tuning job {name}: {max_jobs} training jobs, "
        f"{max_parallel_jobs} in parallel, "
        f"strategy {tuner.strategy}"
    )
    t0 = time.time()
    tuner.fit(cmd, job_name=name)
    code = report_end(tuner.store, name)
    print(f"\nFinished in {time.time() - t0:.0f} s. Results:")
    print(f"  store:            {db_path}")
    print(
        f"  training jobs:    {tuner.store.jobs_root / name}/<training job>/ "
        f"(train.log, model/, output/)"
    )
    db_opt = "" if db is None else f" --db {db_path}"
    print(f"  describe:         amtune describe {name}{db_opt}   (--json for the full document)")
    print(f"  training jobs:    amtune jobs {name}{db_opt} --sort-by FinalObjectiveValue")
    print(f"  report (HTML):    amtune report {name}{db_opt} -o report.html")
    return code

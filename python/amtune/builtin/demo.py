"""``amtune demo --builtin``: XGBoost tuned on generated tabular data, no training script needed.

The data is the demo's nonlinear binary classification problem (:mod:`amtune.demo.data`), written
as CSV channels the way SageMaker's built-in algorithms read them (label first, no header). The
tuning job maximizes ``validation:auc`` over SageMaker's recommended ranges of the quick-start
hyperparameters, with early stopping.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["run_builtin_demo", "write_builtin_channels"]


def write_builtin_channels(
    root: Path, n_train: int = 4000, n_validation: int = 1000, n_test: int = 1000, seed: int = 0
) -> dict[str, str]:
    """Write ``train``/``validation``/``test`` CSV channels (label first, no header)."""
    from amtune.demo.data import make_classification

    X, y = make_classification(n_train + n_validation + n_test, seed=seed)
    bounds = {
        "train": slice(0, n_train),
        "validation": slice(n_train, n_train + n_validation),
        "test": slice(n_train + n_validation, None),
    }
    out = {}
    for name, sl in bounds.items():
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        np.savetxt(d / f"{name}.csv", np.column_stack([y[sl], X[sl]]), delimiter=",", fmt="%.6g")
        out[name] = str(d)
    return out


def run_builtin_demo(
    max_jobs: int = 20,
    max_parallel_jobs: int = 2,
    db: Any = None,
    quiet: bool = False,
    name: str | None = None,
) -> int:
    from amtune.builtin.tuning import BuiltinTuner
    from amtune.progress import report_end as _report_end
    from amtune.store import resolve_db_path

    db_path = resolve_db_path(db)
    data_root = db_path.parent / "amtune-demo-data" / "builtin"
    channels = write_builtin_channels(data_root)
    print(f"amtune demo: tabular data written to {data_root} (train, validation, test; CSV)")
    tuner = BuiltinTuner(
        "xgboost",
        "validation:auc",
        static_hyperparameters={"objective": "binary:logistic", "num_round": 60},
        channels={"train": channels["train"], "validation": channels["validation"]},
        max_jobs=max_jobs,
        max_parallel_jobs=max_parallel_jobs,
        early_stopping_type="Auto",
        random_seed=0,
        db=str(db_path),
        quiet=quiet,
    )
    name = name or time.strftime("demo-xgb-%y%m%d-%H%M%S", time.gmtime())
    print(
        f"amtune demo: tuning job {name}: built-in XGBoost "
        f"({tuner.algorithm.image_uri()}), objective validation:auc, {max_jobs} training jobs, "
        f"{max_parallel_jobs} in parallel; tuned: {', '.join(sorted(tuner.space.ranges))}"
    )
    t0 = time.time()
    tuner.fit(job_name=name)
    code = _report_end(tuner.store, name)
    db_opt = "" if db is None else f" --db {db_path}"
    print(f"\nFinished in {time.time() - t0:.0f} s.")
    print(f"  describe:      amtune describe {name}{db_opt}")
    best = tuner.best_training_job()
    if best:
        print(
            f"  evaluate:      amtune evaluate {best} --test {channels['test']} --metric auc"
            f"{db_opt}"
        )
    return code

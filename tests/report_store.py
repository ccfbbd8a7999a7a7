"""A synthetic tuning job written straight into a store, for the report's tests and benchmark.

Six tuned ranges (every kind and scale), of which only ``learning_rate`` and ``hidden_units``
change the objective (``validation:loss``, minimized, spanning decades). Training jobs run on
``parallel`` slots with random durations; some fail (some of them retried), some are stopped by
the rule of the strategy (Hyperband rungs, or early stopping), the last ones may still run. Each
job emits the objective once per epoch.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

import amtune
from amtune.store import Store

RANGES = {
    "learning_rate": amtune.ContinuousParameter(1e-4, 1.0, "Logarithmic"),
    "momentum": amtune.ContinuousParameter(0.0, 0.999, "ReverseLogarithmic"),
    "hidden_units": amtune.IntegerParameter(2, 256, "Logarithmic"),
    "dropout": amtune.ContinuousParameter(0.0, 0.5, "Linear"),
    "batch_size": amtune.CategoricalParameter([16, 32, 64, 128]),
    "l2": amtune.ContinuousParameter(1e-6, 1e-1, "Logarithmic"),
}
IMPORTANT = ("learning_rate", "hidden_units")
OBJECTIVE = "validation:loss"


def objective(hp: dict[str, Any]) -> float:
    """The synthetic loss: only the learning rate and the hidden units matter."""
    return float(
        0.01
        + (math.log10(hp["learning_rate"]) + 2.0) ** 2
        + ((math.log2(hp["hidden_units"]) - 5.0) / 1.5) ** 2
    )


def _config(strategy: str, n_jobs: int, parallel: int, seed: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if strategy == "Hyperband":
        kwargs["strategy_config"] = {
            "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 27}
        }
    tuner = amtune.HyperparameterTuner(
        OBJECTIVE,
        RANGES,
        objective_type="Minimize",
        metric_definitions=[{"Name": OBJECTIVE, "Regex": r"loss=([0-9.eE+-]+)"}],
        strategy=strategy,
        max_jobs=n_jobs,
        max_parallel_jobs=parallel,
        early_stopping_type="Auto" if strategy != "Hyperband" else "Off",
        random_seed=seed,
        static_hyperparameters={"epochs": 27},
        quiet=True,
    )
    return tuner._to_config(["python", "train.py"])


def write_synthetic_job(
    db: str | os.PathLike[str],
    name: str = "synthetic",
    n_jobs: int = 200,
    epochs: int = 27,
    strategy: str = "Random",
    parallel: int = 4,
    running: int = 0,
    seed: int = 0,
) -> Store:
    """Write tuning job ``name`` with ``n_jobs`` training jobs (the last ``running`` InProgress)."""
    rng = np.random.default_rng(seed)
    space = amtune.SearchSpace(RANGES)
    configs = space.sample(n_jobs, seed)
    store = Store(db)
    t0 = 1_700_000_000.0
    store.create_tuning_job(name, _config(strategy, n_jobs, parallel, seed), t0)
    slots = [t0 + 1.0] * parallel
    metrics: list[tuple[str, int, str, int | None, float, float]] = []
    best = math.inf
    with store.transaction():
        for i, hp in enumerate(configs):
            seq = i + 1
            slot = int(np.argmin(slots))
            start = slots[slot]
            final = objective(hp) * float(np.exp(rng.normal(0.0, 0.02)))
            n_epochs = epochs
            status, reason, attempts = "Completed", None, 1
            u = rng.random()
            if u < 0.05:
                status, reason, n_epochs = (
                    "Failed",
                    "AlgorithmError: exit code 1",
                    int(rng.integers(0, 5)),
                )
            elif u < 0.08:  # a signal, retried once, then completed
                attempts = 2
            elif u < 0.45 and seq > 5:
                n_epochs = int(rng.choice([1, 3, 9]))
                status = "Stopped"
                if strategy == "Hyperband":
                    reason = (
                        f"Hyperband: objective {final:g} at resource {n_epochs} is not in the top "
                        f"1/3 of the 12 values at rung {n_epochs} of bracket 0 (5 better)"
                    )
                else:
                    reason = (
                        f"early stopping: objective {final:g} at step {n_epochs - 1} is worse "
                        f"than the median 0.5 of the running averages of 5 earlier training jobs "
                        f"at that step"
                    )
            duration = 5.0 + 2.0 * n_epochs * float(rng.uniform(0.5, 1.5))
            end = start + duration
            slots[slot] = end + 0.5
            in_progress = seq > n_jobs - running
            job = f"{name}-{seq:05d}"
            store.insert_training_job(name, seq, job, hp, start, str(store.jobs_root / name / job))
            if attempts == 2:
                store.add_attempt(
                    name, seq, 1, "Failed", "killed by signal 9", True, start, start + 3
                )
                start += 3.5
            values = [final * (1.0 + 3.0 * math.exp(-e / 4.0)) for e in range(n_epochs)]
            for e, v in enumerate(values):
                metrics.append(
                    (name, seq, OBJECTIVE, e, start + (e + 1) * duration / max(n_epochs, 1), v)
                )
            if in_progress:
                store.update_training_job(name, seq, attempts=attempts)
                continue
            last = values[-1] if values else None
            ok = status != "Failed" and last is not None
            store.add_attempt(name, seq, attempts, status, reason, False, start, end)
            if status == "Stopped":  # what the driver records of the rule's decision
                rule = "Hyperband" if strategy == "Hyperband" else "EarlyStopping"
                store.set_rule_decision(name, seq, rule, "Stop", reason, n_epochs)
            store.update_training_job(
                name,
                seq,
                status=status,
                objective_status="Succeeded" if ok else "Failed",
                failure_reason=reason,
                end_time=end,
                final_objective=last if ok else None,
                final_metrics={OBJECTIVE: last} if ok else {},
                attempts=attempts,
            )
            if ok and last is not None:
                best = min(best, last)
        store.add_metrics(metrics)
        end_all = max(slots)
        if running:
            store.update_tuning_job(name, last_modified_time=end_all, heartbeat=end_all)
        else:
            store.update_tuning_job(
                name,
                status="Completed",
                end_time=end_all,
                consumed_runtime=end_all - t0,
                last_modified_time=end_all,
            )
    return store


def write_endpoint(
    db: str | os.PathLike[str],
    endpoint: str,
    variants: dict[str, str],
    shadow: dict[str, str] | None = None,
    minutes: int = 10,
    t0: float = 1_700_000_040.0,
) -> None:
    """Endpoint tables as the endpoint service lays them out (see amtune.report.endpoints):
    ``variants`` and ``shadow`` map a variant name to the training job it serves."""
    store = Store(db)
    dirs = {
        r["name"]: r["job_dir"]
        for j in store.list_tuning_jobs()
        for r in store.training_jobs(j["name"])
    }
    store.close()
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE IF NOT EXISTS serve_models (name TEXT PRIMARY KEY, arn TEXT, "
            "request TEXT NOT NULL, creation_time REAL);"
            "CREATE TABLE IF NOT EXISTS serve_endpoint_configs (name TEXT PRIMARY KEY, arn TEXT, "
            "request TEXT NOT NULL, creation_time REAL);"
            "CREATE TABLE IF NOT EXISTS serve_endpoints (name TEXT PRIMARY KEY, arn TEXT, "
            "config_name TEXT NOT NULL, status TEXT);"
            "CREATE TABLE IF NOT EXISTS serve_metrics (endpoint TEXT, variant TEXT, metric TEXT, "
            "minute INTEGER, count REAL, sum REAL, min REAL, max REAL, hist TEXT);"
        )
        pvs: dict[str, list[dict[str, Any]]] = {
            "ProductionVariants": [],
            "ShadowProductionVariants": [],
        }
        for key, group in (
            ("ProductionVariants", variants),
            ("ShadowProductionVariants", shadow or {}),
        ):
            for variant, job in group.items():
                model = f"{endpoint}-{variant}-model"
                url = Path(dirs.get(job) or f"/nonexistent/{job}").joinpath("model").as_uri()
                request = {"ModelName": model, "PrimaryContainer": {"ModelDataUrl": url}}
                conn.execute(
                    "INSERT INTO serve_models VALUES (?, ?, ?, ?)",
                    (model, "arn", json.dumps(request), t0),
                )
                pvs[key].append(
                    {"VariantName": variant, "ModelName": model, "InitialVariantWeight": 1.0}
                )
        config = {"EndpointConfigName": f"{endpoint}-config", **pvs}
        conn.execute(
            "INSERT INTO serve_endpoint_configs VALUES (?, ?, ?, ?)",
            (f"{endpoint}-config", "arn", json.dumps(config), t0),
        )
        conn.execute(
            "INSERT INTO serve_endpoints VALUES (?, ?, ?, ?)",
            (endpoint, "arn", f"{endpoint}-config", "InService"),
        )
        rng = np.random.default_rng(0)
        for k, variant in enumerate([*variants, *(shadow or {})]):
            for m in range(minutes):
                minute = int(t0 // 60) + m
                n = 100 + 10 * k + m
                rows = [
                    ("Invocations", n, n),
                    ("Invocation4XXErrors", n, m % 3),
                    ("Invocation5XXErrors", n, 0),
                ]
                for metric, count, total in rows:
                    conn.execute(
                        "INSERT INTO serve_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        (endpoint, variant, metric, minute, count, total, 0, 1),
                    )
                for metric, centre in (
                    ("ModelLatency", 2000.0 * (k + 1)),
                    ("OverheadLatency", 150.0),
                ):
                    lat = centre * np.exp(rng.normal(0, 0.4, n))
                    bins = np.floor(np.log10(lat) * 50).astype(int)
                    hist = {
                        int(b): int(c)
                        for b, c in zip(*np.unique(bins, return_counts=True), strict=True)
                    }
                    conn.execute(
                        "INSERT INTO serve_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            endpoint,
                            variant,
                            metric,
                            minute,
                            n,
                            float(lat.sum()),
                            float(lat.min()),
                            float(lat.max()),
                            json.dumps(hist),
                        ),
                    )

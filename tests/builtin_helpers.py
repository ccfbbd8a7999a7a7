"""Helpers for the built-in algorithm tests: data files and running a training program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

import amtune

ROOT = Path(__file__).resolve().parents[1]


def classification(n: int, d: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + 0.3 * rng.normal(size=n) > 0.5).astype(float)
    return X, y


def regression(n: int, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = 2.0 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=n)
    return X, y


def write_csv(path: Path, X: np.ndarray, y: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, np.column_stack([y, X]), delimiter=",", fmt="%.17g")
    return path


def write_libsvm(path: Path, X: np.ndarray, y: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for row, label in zip(X, y, strict=True):
        toks = [f"{label:.17g}"] + [f"{j}:{v:.17g}" for j, v in enumerate(row) if v != 0.0]
        lines.append(" ".join(toks))
    path.write_text("\n".join(lines) + "\n")
    return path


def run_program(
    module: str,
    hyperparameters: dict[str, Any],
    channels: dict[str, Path],
    job_dir: Path,
    content_types: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module`` as the runner does (SM_* environment) and return the result."""
    env = dict(os.environ)
    # the amtune this test imports (installed, or a source checkout with a built core)
    env["PYTHONPATH"] = str(Path(amtune.__file__).resolve().parents[1])
    env["SM_HPS"] = json.dumps(hyperparameters)
    env["SM_MODEL_DIR"] = str(job_dir / "model")
    env["SM_OUTPUT_DIR"] = str(job_dir / "output")
    env["SM_OUTPUT_DATA_DIR"] = str(job_dir / "output" / "data")
    env["AMTUNE_JOB_DIR"] = str(job_dir)
    for k in [k for k in env if k.startswith("SM_CHANNEL_")]:
        del env[k]
    for name, path in channels.items():
        env[f"SM_CHANNEL_{name.upper()}"] = str(path)
    if content_types:
        env["SM_INPUT_DATA_CONFIG"] = json.dumps(
            {k: {"ContentType": v} for k, v in content_types.items()}
        )
    return subprocess.run(
        [sys.executable, "-m", module],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def logged_metrics(stdout: str) -> dict[str, list[float]]:
    """``{"validation-auc": [v0, v1, ...], ...}`` from XGBoost's per-round log lines."""
    out: dict[str, list[float]] = {}
    for line in stdout.splitlines():
        if not line.startswith("["):
            continue
        parts = line.split("\t")
        if not parts[0].rstrip("]").lstrip("[").isdigit():
            continue
        for tok in parts[1:]:
            name, _, value = tok.rpartition(":")
            out.setdefault(name, []).append(float(value))
    return out


def run_inprocess(
    train: Any,
    hyperparameters: dict[str, Any],
    channels: dict[str, Path],
    job_dir: Path,
    content_types: dict[str, str] | None = None,
) -> int:
    """Run a built-in algorithm's ``train(env)`` in this process (exit status; output goes to
    the captured stdout/stderr)."""
    from amtune.builtin.contract import TrainingEnvironment, run_algorithm

    env = TrainingEnvironment(
        hyperparameters=dict(hyperparameters),
        channels=dict(channels),
        content_types=dict(content_types or {}),
        model_dir=job_dir / "model",
        output_data_dir=job_dir / "output" / "data",
        output_dir=job_dir / "output",
    )
    return run_algorithm(train, env)

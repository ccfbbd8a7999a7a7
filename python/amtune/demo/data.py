"""Synthetic data for the demo: a nonlinear binary classification problem as CSV channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def make_classification(n: int, d: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points in ``d`` dimensions; the label is a curved boundary of the first three
    features (outside a shifted ring), the rest are distractors, and 10% of the labels are
    flipped.

    The demo trains on few rows (600) of this noisy problem, so overfitting bites: too little L2
    or too wide a network fits the flipped labels, too much L2 cannot bend the boundary. The best
    validation accuracy (about 0.81 of a 0.9 ceiling) lies inside the demo's ranges.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    r = X[:, 0] ** 2 + X[:, 1] ** 2
    y = (r + 0.5 * X[:, 2] > 1.4).astype(float)
    flip = rng.random(n) < 0.1
    y[flip] = 1.0 - y[flip]
    return X, y


def write_channels(
    root: str | Path, n_train: int = 600, n_validation: int = 4000, seed: int = 0
) -> dict[str, str]:
    """Write ``train/train.csv`` and ``validation/validation.csv`` (label first).

    Returns the channels ``{name: directory}``.
    """
    root = Path(root)
    X, y = make_classification(n_train + n_validation, seed=seed)
    out = {}
    for name, sl in (("train", slice(0, n_train)), ("validation", slice(n_train, None))):
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        header = "label," + ",".join(f"x{i}" for i in range(X.shape[1]))
        np.savetxt(
            d / f"{name}.csv",
            np.column_stack([y[sl], X[sl]]),
            delimiter=",",
            header=header,
            comments="",
            fmt="%.6g",
        )
        out[name] = str(d)
    return out

"""A SageMaker script-mode training script (bundled with amtune's demo).

It runs unchanged under SageMaker: hyperparameters arrive as ``--name value`` arguments, the data in
the ``SM_CHANNEL_TRAIN`` / ``SM_CHANNEL_VALIDATION`` directories, and the model goes to
``SM_MODEL_DIR``.
It trains a one-hidden-layer MLP (tanh) with minibatch SGD + momentum in NumPy for binary
classification and prints, per epoch::

    epoch=3 train:loss=0.412 validation:loss=0.455 validation:accuracy=0.8640
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np


def load(channel: str, filename: str) -> tuple[np.ndarray, np.ndarray]:
    d = os.environ.get(f"SM_CHANNEL_{channel.upper()}")
    if not d:
        raise SystemExit(f"SM_CHANNEL_{channel.upper()} is not set: no {channel!r} channel")
    data = np.loadtxt(os.path.join(d, filename), delimiter=",", skiprows=1)
    return data[:, 1:], data[:, 0]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--learning_rate", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--hidden_units", type=int, default=16)
    p.add_argument("--l2", type=float, default=1e-4)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "."))
    args, _ = p.parse_known_args()

    Xtr, ytr = load("train", "train.csv")
    Xva, yva = load("validation", "validation.csv")
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-12
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    rng = np.random.default_rng(args.seed)
    d, h = Xtr.shape[1], args.hidden_units
    W1 = rng.normal(0, 1 / np.sqrt(d), (d, h))
    b1 = np.zeros(h)
    w2 = rng.normal(0, 1 / np.sqrt(h), h)
    b2 = 0.0
    vel = [np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(w2), 0.0]

    def forward(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        H = np.tanh(X @ W1 + b1)
        z = np.clip(H @ w2 + b2, -30, 30)
        return H, 1.0 / (1.0 + np.exp(-z))

    def loss(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        _, pr = forward(X)
        eps = 1e-12
        ll = -np.mean(y * np.log(pr + eps) + (1 - y) * np.log(1 - pr + eps))
        return float(ll), float(np.mean((pr > 0.5) == (y > 0.5)))

    n = len(ytr)
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(n)
        for s in range(0, n, args.batch_size):
            idx = order[s : s + args.batch_size]
            X, y = Xtr[idx], ytr[idx]
            H, pr = forward(X)
            g = (pr - y) / len(idx)
            gw2 = H.T @ g + args.l2 * w2
            gb2 = g.sum()
            gH = np.outer(g, w2) * (1 - H**2)
            gW1 = X.T @ gH + args.l2 * W1
            gb1 = gH.sum(0)
            grads = [gW1, gb1, gw2, gb2]
            for i, gr in enumerate(grads):
                vel[i] = args.momentum * vel[i] - args.learning_rate * gr
            W1 += vel[0]
            b1 += vel[1]
            w2 += vel[2]
            b2 += vel[3]
        tr_loss, _ = loss(Xtr, ytr)
        va_loss, va_acc = loss(Xva, yva)
        if not np.isfinite(tr_loss):
            raise SystemExit("training diverged (loss is not finite)")
        print(
            f"epoch={epoch} train:loss={tr_loss:.5f} validation:loss={va_loss:.5f} "
            f"validation:accuracy={va_acc:.4f}",
            flush=True,
        )
    os.makedirs(args.model_dir, exist_ok=True)
    np.savez(os.path.join(args.model_dir, "model.npz"), W1=W1, b1=b1, w2=w2, b2=b2, mu=mu, sd=sd)
    with open(os.path.join(args.model_dir, "hyperparameters.json"), "w") as f:
        json.dump(vars(args), f)


if __name__ == "__main__":
    main()

"""A linear model trained by mini-batch stochastic optimization (NumPy), for Linear Learner.

Losses (``z`` is the model's output ``x . w + b``, per class for softmax):

================================  ===========================================================
``logistic``                      ``log(1 + exp(-s z))`` with ``s = 2y - 1`` (binary)
``hinge_loss``                    ``max(0, margin - s z)``
``softmax_loss``                  ``-log softmax(z)_y`` (multiclass)
``squared_loss``                  ``(z - y)^2 / 2``
``absolute_loss``                 ``|z - y|``
``eps_insensitive_squared_loss``  ``max(0, |z - y| - eps)^2 / 2``
``eps_insensitive_absolute_loss`` ``max(0, |z - y| - eps)``
``quantile_loss``                 ``max(q (y - z), (q - 1)(y - z))``
``huber_loss``                    ``r^2 / 2`` for ``|r| <= delta``, else ``delta (|r| - delta / 2)``
================================  ===========================================================

The objective adds ``wd * |w|^2 / 2`` (L2) and ``l1 * |w|_1``; L1 is applied as a proximal step
(soft thresholding) after each update, the standard treatment of a non-smooth penalty in SGD
(Duchi & Singer 2009, "Efficient online and batch learning using forward backward splitting").
Optimizers: ``sgd`` with momentum, ``adam`` (Kingma & Ba 2015, Algorithm 1) and ``rmsprop``
(Tieleman & Hinton 2012).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

OBJECTIVE_NAMES = {
    "logistic": "binary_classification_cross_entropy",
    "hinge_loss": "binary_classification_hinge_loss",
    "softmax_loss": "multiclass_cross_entropy",
    "squared_loss": "square_loss",
    "absolute_loss": "absolute_loss",
    "eps_insensitive_squared_loss": "eps_insensitive_squared_loss",
    "eps_insensitive_absolute_loss": "eps_insensitive_absolute_loss",
    "quantile_loss": "quantile_loss",
    "huber_loss": "huber_loss",
}


@dataclass
class LossConfig:
    name: str
    margin: float = 1.0
    eps: float = 0.01
    quantile: float = 0.5
    delta: float = 1.0


def _softmax(z: Array) -> Array:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def loss_and_grad(cfg: LossConfig, z: Array, y: Array, weight: Array) -> tuple[float, Array]:
    """Mean (weighted) loss over the rows and its gradient with respect to ``z``."""
    n = z.shape[0]
    name = cfg.name
    if name == "softmax_loss":
        p = _softmax(z)
        idx = y.astype(np.int64)
        ll = -np.log(np.clip(p[np.arange(n), idx], 1e-15, None))
        g = p.copy()
        g[np.arange(n), idx] -= 1.0
        g *= weight[:, None]
        return float(np.sum(weight * ll) / n), g / n
    zz = z[:, 0]
    if name == "logistic":
        s = 2.0 * y - 1.0
        m = s * zz
        ll = np.logaddexp(0.0, -m)
        gz = -s / (1.0 + np.exp(m))
    elif name == "hinge_loss":
        s = 2.0 * y - 1.0
        ll = np.maximum(0.0, cfg.margin - s * zz)
        gz = np.where(ll > 0, -s, 0.0)
    else:
        r = zz - y
        a = np.abs(r)
        if name == "squared_loss":
            ll, gz = 0.5 * r**2, r
        elif name == "absolute_loss":
            ll, gz = a, np.sign(r)
        elif name == "eps_insensitive_squared_loss":
            e = np.maximum(0.0, a - cfg.eps)
            ll, gz = 0.5 * e**2, e * np.sign(r)
        elif name == "eps_insensitive_absolute_loss":
            ll, gz = np.maximum(0.0, a - cfg.eps), np.where(a > cfg.eps, np.sign(r), 0.0)
        elif name == "quantile_loss":
            d = y - zz
            q = cfg.quantile
            ll = np.maximum(q * d, (q - 1.0) * d)
            gz = np.where(d > 0, -q, 1.0 - q)
        elif name == "huber_loss":
            dl = cfg.delta
            ll = np.where(a <= dl, 0.5 * r**2, dl * (a - 0.5 * dl))
            gz = np.clip(r, -dl, dl)
        else:  # pragma: no cover - validated before
            raise ValueError(f"unknown loss {name!r}")
    return float(np.sum(weight * ll) / n), (weight * gz / n)[:, None]


@dataclass
class Optimizer:
    """Per-parameter state of sgd (momentum), adam or rmsprop."""

    kind: str
    lr: float
    momentum: float = 0.0
    beta_1: float = 0.9
    beta_2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    state: dict[str, tuple[Array, Array]] = field(default_factory=dict)

    def step(self, key: str, param: Array, grad: Array, lr_mult: float = 1.0) -> None:
        lr = self.lr * lr_mult
        m, v = self.state.get(key, (np.zeros_like(param), np.zeros_like(param)))
        if self.kind == "sgd":
            m = self.momentum * m + grad
            param -= lr * m
        elif self.kind == "adam":
            t = self.t
            m = self.beta_1 * m + (1.0 - self.beta_1) * grad
            v = self.beta_2 * v + (1.0 - self.beta_2) * grad**2
            mh = m / (1.0 - self.beta_1**t)
            vh = v / (1.0 - self.beta_2**t)
            param -= lr * mh / (np.sqrt(vh) + self.eps)
        else:  # rmsprop
            v = self.beta_2 * v + (1.0 - self.beta_2) * grad**2
            param -= lr * grad / (np.sqrt(v) + self.eps)
        self.state[key] = (m, v)


@dataclass
class LinearModel:
    """Weights ``w`` (features x outputs), bias ``b`` (outputs), feature scaling and label
    scaling; ``predict_raw`` gives the output in the label's units."""

    w: Array
    b: Array
    mean: Array
    scale: Array
    label_mean: float = 0.0
    label_scale: float = 1.0

    def output(self, X: Array) -> Array:
        return np.asarray(((X - self.mean) / self.scale) @ self.w + self.b, dtype=np.float64)

    def copy(self) -> LinearModel:
        return LinearModel(
            self.w.copy(),
            self.b.copy(),
            self.mean.copy(),
            self.scale.copy(),
            self.label_mean,
            self.label_scale,
        )

    def to_arrays(self) -> dict[str, Any]:
        return {
            "w": self.w,
            "b": self.b,
            "mean": self.mean,
            "scale": self.scale,
            "label_mean": np.float64(self.label_mean),
            "label_scale": np.float64(self.label_scale),
        }

    @classmethod
    def from_arrays(cls, a: Any) -> LinearModel:
        return cls(
            np.asarray(a["w"]),
            np.asarray(a["b"]),
            np.asarray(a["mean"]),
            np.asarray(a["scale"]),
            float(a["label_mean"]),
            float(a["label_scale"]),
        )

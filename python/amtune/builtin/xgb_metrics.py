"""The XGBoost metrics SageMaker's image computes itself (XGBoost has no such ``eval_metric``):
``accuracy``, ``f1`` and ``mse``.

Predictions arrive transformed by the objective (``xgboost.train``'s ``custom_metric``):
probabilities for ``binary:logistic``/``reg:logistic`` (class 1 when ``> 0.5``), margins for
``binary:logitraw`` (class 1 when ``> 0``), class ids for ``multi:softmax`` and a ``(n, k)``
probability matrix for ``multi:softprob`` (the arg-max class). ``f1`` is the binary F1 score for
two classes and the macro average over classes otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from amtune.builtin.xgboost_spec import CUSTOM_METRICS

Array = npt.NDArray[np.float64]


def predicted_classes(predt: Array, objective: str) -> Array:
    """Class labels from the transformed predictions of ``objective``."""
    p = np.asarray(predt, dtype=np.float64)
    if p.ndim == 2:
        return np.asarray(np.argmax(p, axis=1), dtype=np.float64)
    if objective in ("binary:logitraw",):
        return (p > 0.0).astype(np.float64)
    if objective in ("multi:softmax", "binary:hinge"):
        return np.asarray(np.rint(p), dtype=np.float64)
    return (p > 0.5).astype(np.float64)


def _f1(labels: Array, classes: Array) -> float:
    from sklearn.metrics import f1_score

    binary = set(np.unique(labels)) <= {0.0, 1.0} and set(np.unique(classes)) <= {0.0, 1.0}
    return float(f1_score(labels, classes, average="binary" if binary else "macro"))


def custom_metric(names: Sequence[str], objective: str) -> Callable[[Array, Any], Any] | None:
    """A ``custom_metric`` for ``xgboost.train`` computing ``names`` (None when empty)."""
    wanted = [n for n in names if n in CUSTOM_METRICS]
    if not wanted:
        return None

    def metric(predt: Array, dmat: Any) -> list[tuple[str, float]]:
        labels = np.asarray(dmat.get_label(), dtype=np.float64)
        out: list[tuple[str, float]] = []
        for n in wanted:
            if n == "mse":
                p = np.asarray(predt, dtype=np.float64)
                out.append(("mse", float(np.mean((labels - p.reshape(labels.shape)) ** 2))))
            else:
                cls = predicted_classes(predt, objective)
                if n == "accuracy":
                    out.append(("accuracy", float(np.mean(cls == labels))))
                else:
                    out.append(("f1", _f1(labels, cls)))
        return out

    return metric

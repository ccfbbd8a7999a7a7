"""``amtune evaluate``: score a training job's model on labelled historical data.

The test data is a channel in the training format (CSV with the label first, or libsvm): the
labels are taken off, the features are sent to the model through its inference code (as
``text/csv`` or ``text/libsvm`` bodies, in batches, asking for ``application/json``), and the
predictions are compared with the labels by one of :data:`METRICS`. How an answer is read
(:func:`decode_answer`): a built-in algorithm's ``score`` (probability of class 1, class
probabilities, or the regression value) and ``predicted_label``; otherwise the numbers of the
JSON array or CSV rows (a row of several numbers is read as class probabilities, one number as a
score or value). Class predictions from probabilities use 0.5 (binary)
or the arg-max (multiclass).

The result is stored with the training job: a metric emission ``evaluation:<metric>`` of the
training job in the store (``amtune``'s metric series) and an entry in
``<job dir>/output/evaluations.json`` (time, test data, records, metric, value). A fold's model
of a k-fold training job is stored as ``evaluation:<metric>:fold-<i>``; :func:`evaluate_folds`
scores every fold's model and also stores their mean as ``evaluation:<metric>``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from amtune.builtin.data import LIBSVM, read_channel
from amtune.evaluation.models import TrainedModel
from amtune.evaluation.transform import Invoker
from amtune.store import Store

__all__ = ["METRICS", "EvaluationResult", "FoldsResult", "evaluate", "evaluate_folds"]

Array = npt.NDArray[np.float64]


@dataclass
class Predictions:
    score: Array | None  # probabilities (1-D binary, 2-D multiclass) or regression values
    label: Array | None  # predicted classes (when the model gives them)

    def values(self) -> Array:
        v = self.score if self.score is not None else self.label
        assert v is not None
        return np.asarray(v, dtype=np.float64)

    def classes(self) -> Array:
        if self.label is not None:
            return np.asarray(self.label, dtype=np.float64)
        s = self.values()
        if s.ndim == 2:
            return np.asarray(np.argmax(s, axis=1), dtype=np.float64)
        return (s > 0.5).astype(np.float64)

    def probability(self) -> Array:
        s = self.values()
        return s if s.ndim == 2 else np.clip(s, 0.0, 1.0)


def _auc(y: Array, p: Predictions) -> float:
    from sklearn.metrics import roc_auc_score

    s = p.values()
    if s.ndim == 2:
        return float(roc_auc_score(y, s, multi_class="ovr"))
    return float(roc_auc_score(y, s))


def _logloss(y: Array, p: Predictions) -> float:
    from sklearn.metrics import log_loss

    return float(log_loss(y, p.probability()))


def _f1(y: Array, p: Predictions) -> float:
    from sklearn.metrics import f1_score

    c = p.classes()
    binary = set(np.unique(y)) <= {0.0, 1.0}
    return float(f1_score(y, c, average="binary" if binary else "macro"))


def _r2(y: Array, p: Predictions) -> float:
    v = p.values()
    return float(1.0 - np.sum((y - v) ** 2) / np.sum((y - y.mean()) ** 2))


#: metric -> (function of labels and predictions, direction)
METRICS: dict[str, tuple[Callable[[Array, Predictions], float], str]] = {
    "auc": (_auc, "Maximize"),
    "accuracy": (lambda y, p: float(np.mean(p.classes() == y)), "Maximize"),
    "error": (lambda y, p: float(np.mean(p.classes() != y)), "Minimize"),
    "f1": (_f1, "Maximize"),
    "logloss": (_logloss, "Minimize"),
    "rmse": (lambda y, p: math.sqrt(float(np.mean((p.values() - y) ** 2))), "Minimize"),
    "mse": (lambda y, p: float(np.mean((p.values() - y) ** 2)), "Minimize"),
    "mae": (lambda y, p: float(np.mean(np.abs(p.values() - y))), "Minimize"),
    "r2": (_r2, "Maximize"),
}


def decode_answer(body: bytes, content_type: str) -> Any:
    """A model's answer as data: JSON (SageMaker's ``{"predictions": [{"score": ...,
    "predicted_label": ...}]}`` or any array), JSON lines, or CSV numbers (one row per record)."""
    kind = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8")
    if kind == "application/json":
        doc = json.loads(text)
    elif kind == "application/jsonlines":
        doc = {"predictions": [json.loads(line) for line in text.splitlines() if line.strip()]}
    elif kind == "text/csv":
        rows = [line.split(",") for line in text.splitlines() if line.strip()]
        return np.asarray(rows, dtype=np.float64)
    else:
        raise ValueError(f"the model answered {content_type!r}; evaluate reads JSON or CSV")
    if isinstance(doc, dict) and isinstance(doc.get("predictions"), list):
        rows = doc["predictions"]
        if rows and isinstance(rows[0], dict):
            out: dict[str, Any] = {}
            for key in ("score", "predicted_label"):
                if key in rows[0]:
                    out[key] = [r[key] for r in rows]
            return out
        return rows
    return doc


def to_predictions(prediction: Any) -> Predictions:
    """Read a ``predict_fn`` result (see the module doc)."""
    if isinstance(prediction, dict):
        score = prediction.get("score")
        label = prediction.get("predicted_label")
        return Predictions(
            None if score is None else np.asarray(score, dtype=np.float64),
            None if label is None else np.asarray(label, dtype=np.float64),
        )
    arr = np.asarray(prediction, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return Predictions(arr, None)


@dataclass
class EvaluationResult:
    training_job: str
    metric: str
    value: float
    records: int
    test: str
    fold: int | None = None

    @property
    def metric_name(self) -> str:
        """``evaluation:<metric>`` (``evaluation:<metric>:fold-<i>`` for a fold's model)."""
        base = f"evaluation:{self.metric}"
        return base if self.fold is None else f"{base}:fold-{self.fold}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "TrainingJobName": self.training_job,
            **({} if self.fold is None else {"Fold": self.fold}),
            "MetricName": self.metric_name,
            "Value": self.value,
            "Records": self.records,
            "Test": self.test,
        }


def _bodies(X: Any, content_type: str, batch: int) -> list[bytes]:
    out = []
    for start in range(0, X.shape[0], batch):
        part = X[start : start + batch]
        if content_type == LIBSVM:
            lines = []
            for i in range(part.shape[0]):
                row = part.getrow(i)
                lines.append(
                    " ".join(
                        f"{j}:{float(v)!r}" for j, v in zip(row.indices, row.data, strict=True)
                    )
                )
            out.append(("\n".join(lines) + "\n").encode())
        else:
            rows = np.asarray(part, dtype=np.float64)
            out.append(
                "".join(
                    ",".join("" if math.isnan(v) else repr(float(v)) for v in r) + "\n"
                    for r in rows
                ).encode()
            )
    return out


def evaluate(
    trained: TrainedModel,
    test: str,
    metric: str,
    store: Store | None = None,
    batch: int = 1000,
) -> EvaluationResult:
    """Score the model on ``test`` by ``metric`` and store the result (when ``store`` is given)."""
    if metric not in METRICS:
        raise ValueError(f"--metric: must be one of {', '.join(sorted(METRICS))}, got {metric!r}")
    ds = read_channel(Path(test), "test", allow_missing=True, libsvm=True)
    invoker = Invoker(trained)
    preds: list[Predictions] = []
    for body in _bodies(ds.X, ds.content_type, batch):
        answer, ctype = invoker.invoke(body, ds.content_type, "application/json")
        preds.append(to_predictions(decode_answer(answer, ctype)))
    joined = Predictions(
        None if preds[0].score is None else np.concatenate([p.values() for p in preds]),
        None if preds[0].label is None else np.concatenate([p.classes() for p in preds]),
    )
    n = len(joined.values())
    if n != ds.n_rows:
        raise ValueError(f"the model returned {n} predictions for {ds.n_rows} test records")
    value = METRICS[metric][0](ds.y, joined)
    res = EvaluationResult(
        trained.name, metric, value, ds.n_rows, str(Path(test).resolve()), trained.fold
    )
    _record(res, trained, store)
    return res


def _record(res: EvaluationResult, trained: TrainedModel, store: Store | None) -> None:
    now = time.time()
    out = trained.job_dir / "output" / "evaluations.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(out.read_text()) if out.is_file() else []
    history.append({**res.to_dict(), "Time": now, "ModelDir": str(trained.model_dir)})
    out.write_text(json.dumps(history, indent=1))
    if store is not None:
        name = res.metric_name
        step = len(store.metrics(trained.tuning_job, trained.seq, name))
        store.add_metrics([(trained.tuning_job, trained.seq, name, step, now, res.value)])


@dataclass
class FoldsResult:
    """Every fold model's score on the test data and their mean (a k-fold training job)."""

    training_job: str
    metric: str
    folds: list[EvaluationResult]

    @property
    def values(self) -> Array:
        return np.array([r.value for r in self.folds], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        v = self.values
        return {
            "TrainingJobName": self.training_job,
            "MetricName": f"evaluation:{self.metric}",
            "Value": float(v.mean()),
            "Std": float(v.std()),
            "Min": float(v.min()),
            "Max": float(v.max()),
            "Records": self.folds[0].records,
            "Test": self.folds[0].test,
            "Folds": [r.to_dict() for r in self.folds],
        }


def evaluate_folds(
    store: Store,
    name: str,
    test: str,
    metric: str,
    inference: str | None = None,
    framework: str | None = None,
) -> FoldsResult:
    """Score every fold's model of k-fold training job ``name`` on ``test``; each is stored as
    ``evaluation:<metric>:fold-<i>`` and their mean as ``evaluation:<metric>``."""
    from amtune.evaluation.models import find_model, kfold_models

    first = find_model(store, name, 1, inference, framework)  # errors when the job is not k-fold
    results = [evaluate(first, test, metric, store)]
    for fold in range(2, kfold_models(first.job_dir) + 1):
        model = find_model(store, name, fold, inference, framework)
        results.append(evaluate(model, test, metric, store))
    out = FoldsResult(name, metric, results)
    mean = float(out.values.mean())
    _record(
        EvaluationResult(name, metric, mean, results[0].records, results[0].test),
        replace(first, fold=None),
        store,
    )
    return out

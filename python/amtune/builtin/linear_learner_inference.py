"""Inference for the built-in Linear Learner algorithm (SageMaker's inference handler contract).

Requests: ``text/csv`` or ``application/json`` records of features. The prediction is, per
record, SageMaker Linear Learner's ``score`` and ``predicted_label``: for a binary classifier the
probability of class 1 and the label by the model's chosen threshold; for a multiclass classifier
the class probabilities and the most probable class; for a regressor the predicted value (as
``score``). Responses: ``application/json`` (``{"predictions": [{"score": 0.8,
"predicted_label": 1}, ...]}``, the default), ``application/jsonlines`` or ``text/csv``
(``predicted_label,score...`` per line; a regressor's line is its score).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.inference_io import (
    CSV,
    JSON,
    JSONLINES,
    BadRequest,
    NotAcceptable,
    UnsupportedMediaType,
    csv_lines,
    media_type,
    parse_dense,
)
from amtune.builtin.linear_model import LinearModel

MODEL_FILE = "linear-learner-model.npz"
#: The answer's type when a request has no ``Accept`` (or ``*/*``), as SageMaker's Linear Learner
#: answers.
DEFAULT_ACCEPT = JSON


class Model:
    """The trained linear model, its task and decision threshold."""

    def __init__(self, model: LinearModel, meta: dict[str, Any]) -> None:
        self.model = model
        self.predictor_type = str(meta["predictor_type"])
        self.threshold = float(meta["threshold"])
        self.n_features = int(model.w.shape[0])


def model_fn(model_dir: str) -> Model:
    with np.load(Path(model_dir) / MODEL_FILE) as a:
        meta = json.loads(str(a["meta"]))
        return Model(LinearModel.from_arrays(a), meta)


def input_fn(request_body: str | bytes, content_type: str | None) -> Any:
    if media_type(content_type) not in (CSV, JSON):
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not supported by Linear Learner (text/csv, "
            f"application/json)"
        )
    return parse_dense(request_body, content_type, None)


def predict_fn(data: Any, model: Model) -> dict[str, Any]:
    X = np.asarray(data, dtype=np.float64)
    if X.shape[1] != model.n_features:
        raise BadRequest(
            f"records have {X.shape[1]} features, the model was trained on {model.n_features}"
        )
    if np.isnan(X).any():
        raise BadRequest("Linear Learner does not accept missing values")
    z = model.model.output(X)
    if model.predictor_type == "binary_classifier":
        score = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return {"score": score, "predicted_label": (score >= model.threshold).astype(np.float64)}
    if model.predictor_type == "multiclass_classifier":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return {"score": p, "predicted_label": np.argmax(p, axis=1).astype(np.float64)}
    m = model.model
    return {"score": z[:, 0] * m.label_scale + m.label_mean}


def output_fn(prediction: dict[str, Any], accept: str | None) -> tuple[bytes, str]:
    kind = media_type(accept, default=JSON)
    score = np.asarray(prediction["score"])
    label = prediction.get("predicted_label")
    if kind == CSV:
        cols = [score] if label is None else [np.asarray(label), score]
        return csv_lines(cols), CSV
    rows: list[dict[str, Any]] = []
    for i in range(len(score)):
        r: dict[str, Any] = {"score": score[i].tolist()}
        if label is not None:
            r["predicted_label"] = int(label[i])
        rows.append(r)
    if kind == JSON:
        return json.dumps({"predictions": rows}).encode(), JSON
    if kind == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in rows).encode(), JSONLINES
    raise NotAcceptable(f"accept type {accept!r} is not supported (application/json, text/csv)")

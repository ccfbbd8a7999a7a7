"""Inference for the built-in k-NN algorithm (SageMaker's inference handler contract).

Requests: ``text/csv`` or ``application/json`` records of features. The prediction is the
``predicted_label`` of each record (the majority label of its ``k`` nearest sample points, or
their mean label for a regressor). Responses: ``application/json`` (``{"predictions":
[{"predicted_label": 1.0}, ...]}``, the default), ``application/jsonlines`` or ``text/csv`` (one
label per line).
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
from amtune.builtin.knn import MODEL_FILE, KnnModel

#: The answer's type when a request has no ``Accept`` (or ``*/*``), as SageMaker's k-NN answers.
DEFAULT_ACCEPT = JSON


def model_fn(model_dir: str) -> KnnModel:
    return KnnModel.load(Path(model_dir) / MODEL_FILE)


def input_fn(request_body: str | bytes, content_type: str | None) -> Any:
    if media_type(content_type) not in (CSV, JSON):
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not supported by k-NN (text/csv, application/json)"
        )
    return parse_dense(request_body, content_type, None)


def predict_fn(data: Any, model: KnnModel) -> dict[str, Any]:
    X = np.asarray(data, dtype=np.float64)
    d = model.X.shape[1] if model.projection is None else model.projection.shape[0]
    if X.shape[1] != d:
        raise BadRequest(f"records have {X.shape[1]} features, the model was trained on {d}")
    if np.isnan(X).any():
        raise BadRequest("k-NN does not accept missing values")
    return {"predicted_label": model.predict(X)}


def output_fn(prediction: dict[str, Any], accept: str | None) -> tuple[bytes, str]:
    kind = media_type(accept, default=JSON)
    labels = np.asarray(prediction["predicted_label"])
    if kind == CSV:
        return csv_lines([labels]), CSV
    rows = [{"predicted_label": float(v)} for v in labels]
    if kind == JSON:
        return json.dumps({"predictions": rows}).encode(), JSON
    if kind == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in rows).encode(), JSONLINES
    raise NotAcceptable(f"accept type {accept!r} is not supported (application/json, text/csv)")

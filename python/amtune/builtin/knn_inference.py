"""Inference for the built-in k-NN algorithm (SageMaker's inference handler contract).

Requests: ``text/csv`` or ``application/json`` records of features. The prediction is the
``predicted_label`` of each record (the majority label of its ``k`` nearest sample points, or
their mean label for a regressor). Responses: ``application/json`` (``{"predictions":
[{"predicted_label": 1.0}, ...]}``, the default), ``application/jsonlines`` or ``text/csv`` (one
label per line).

Verbose mode, as SageMaker's k-NN documents it: ``Accept: application/json; verbose=true`` adds
each record's search results, its ``k`` nearest sample points' ``distances`` (nearest first) and
their ``labels`` in the same order::

    {"predictions": [{"predicted_label": 0.0, "distances": [3.11, 3.89, 6.32],
                      "labels": [0.0, 1.0, 0.0]}, ...]}

The distances are the index metric's: Euclidean for ``L2``, ``1 - cosine similarity`` for
``COSINE``, and for ``INNER_PRODUCT`` the inner products (largest, that is nearest, first).
``application/jsonlines; verbose=true`` gives the same fields, one record per line (SageMaker
documents the verbose form for JSON and RecordIO only); ``text/csv`` has no verbose form (the
parameter is ignored).
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


class KnnPrediction(dict[str, Any]):
    """``predict_fn``'s answer: ``{"predicted_label": labels}``, and :meth:`search` for the
    verbose fields (computed only when a verbose answer asks for them)."""

    def __init__(self, labels: Any, model: KnnModel, X: Any) -> None:
        super().__init__(predicted_label=labels)
        self._model = model
        self._X = X

    def search(self) -> tuple[Any, Any]:
        """``(distances, labels)``: each record's ``k`` nearest sample points, nearest first."""
        return search(self._model, self._X)


def search(model: KnnModel, X: Any) -> tuple[Any, Any]:
    """The ``k`` nearest sample points of each record of ``X``: their distances by the model's
    index metric (see the module docstring) and their labels, nearest first (two arrays of
    shape ``(records, k)``)."""
    idx = model.neighbors(X)
    Q = np.asarray(X, dtype=np.float64)
    if model.projection is not None:
        Q = Q @ model.projection
    near = model.X[idx]  # (records, k, dims)
    if model.index_metric == "INNER_PRODUCT":
        dist = np.einsum("nkd,nd->nk", near, Q)
    elif model.index_metric == "COSINE":
        dots = np.einsum("nkd,nd->nk", near, Q)
        norms = np.linalg.norm(near, axis=2) * np.linalg.norm(Q, axis=1)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = 1.0 - np.where(norms > 0, dots / norms, 0.0)
    else:
        dist = np.linalg.norm(near - Q[:, None, :], axis=2)
    return dist, model.y[idx]


def predict_fn(data: Any, model: KnnModel) -> KnnPrediction:
    X = np.asarray(data, dtype=np.float64)
    d = model.X.shape[1] if model.projection is None else model.projection.shape[0]
    if X.shape[1] != d:
        raise BadRequest(f"records have {X.shape[1]} features, the model was trained on {d}")
    if np.isnan(X).any():
        raise BadRequest("k-NN does not accept missing values")
    return KnnPrediction(model.predict(X), model, X)


def verbose(accept: str | None) -> bool:
    """Whether ``accept`` has the ``verbose=true`` parameter (``application/json;
    verbose=true``; case-insensitive)."""
    for param in (accept or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "verbose" and value.strip().strip('"').lower() == "true":
            return True
    return False


def output_fn(prediction: dict[str, Any], accept: str | None) -> tuple[bytes, str]:
    kind = media_type(accept, default=JSON)
    labels = np.asarray(prediction["predicted_label"])
    if kind == CSV:
        return csv_lines([labels]), CSV
    rows: list[dict[str, Any]] = [{"predicted_label": float(v)} for v in labels]
    if kind in (JSON, JSONLINES) and verbose(accept) and isinstance(prediction, KnnPrediction):
        distances, neighbor_labels = prediction.search()
        for row, dist, lab in zip(rows, distances, neighbor_labels, strict=True):
            row["distances"] = [float(v) for v in dist]
            row["labels"] = [float(v) for v in lab]
    if kind == JSON:
        return json.dumps({"predictions": rows}).encode(), JSON
    if kind == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in rows).encode(), JSONLINES
    raise NotAcceptable(f"accept type {accept!r} is not supported (application/json, text/csv)")

"""Request parsing and response writing shared by the built-in algorithms' inference modules.

Requests: ``text/csv`` (one record per line, features only, no label; an empty field is a missing
value), ``text/libsvm`` (``[label] index:value ...``, a leading label is ignored) and
``application/json`` (``{"instances": [{"features": [...]}, ...]}``, ``{"instances": [[...]]}``
or a plain list of rows), as SageMaker's built-in algorithms accept them. A malformed request is
an HTTP 400 (:class:`BadRequest`) naming the record and the rule; a content type the algorithm does
not read is an HTTP 415 (:class:`UnsupportedMediaType`) and an accept type it cannot write an HTTP
406 (:class:`NotAcceptable`), as SageMaker's algorithm containers answer them.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

CSV = "text/csv"
LIBSVM = "text/libsvm"
JSON = "application/json"
JSONLINES = "application/jsonlines"
#: Set by SageMaker in the containers of a batch transform (the XGBoost image tests it).
BATCH_ENV = "SAGEMAKER_BATCH"
#: The model's container image URI (CreateModel's ``PrimaryContainer.Image``), set by amtune's
#: model server for a built-in algorithm's inference module: the image version decides what
#: differs between versions.
IMAGE_ENV = "AMTUNE_IMAGE"


def in_batch_transform(env: Mapping[str, str] | None = None) -> bool:
    """Whether the model serves a batch transform: ``SAGEMAKER_BATCH`` is set to a non-empty
    value (the XGBoost image tests ``if os.getenv("SAGEMAKER_BATCH")``, so even ``"false"``
    counts).

    >>> in_batch_transform({"SAGEMAKER_BATCH": "True"}), in_batch_transform({})
    (True, False)
    """
    return bool((os.environ if env is None else env).get(BATCH_ENV))


class BadRequest(Exception):
    """A request the model cannot read: answered with HTTP 400 (``status_code``)."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.phrase = "Bad Request"


class UnsupportedMediaType(BadRequest):
    """A request whose content type the algorithm does not read: HTTP 415."""

    status_code = 415

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.phrase = "Unsupported Media Type"


class NotAcceptable(BadRequest):
    """A request whose accept type the algorithm cannot write: HTTP 406."""

    status_code = 406

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.phrase = "Not Acceptable"


def media_type(content_type: str | None, default: str = CSV) -> str:
    if not content_type or content_type.strip() == "*/*":
        return default
    return content_type.split(";")[0].strip().lower()


def _text(body: str | bytes) -> str:
    return body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body


def parse_csv(body: str | bytes, n_features: int | None = None) -> npt.NDArray[np.float64]:
    rows: list[list[float]] = []
    for i, line in enumerate(io.StringIO(_text(body)), 1):
        line = line.strip()
        if not line:
            continue
        row: list[float] = []
        for j, tok in enumerate(line.split(","), 1):
            t = tok.strip()
            try:
                row.append(math.nan if t == "" else float(t))
            except ValueError:
                raise BadRequest(
                    f"text/csv record {i}: column {j} is not a number: {tok!r}"
                ) from None
        if rows and len(row) != len(rows[0]):
            raise BadRequest(
                f"text/csv record {i}: {len(row)} columns, but record 1 has {len(rows[0])}"
            )
        rows.append(row)
    if not rows:
        raise BadRequest("the request has no records")
    X = np.asarray(rows, dtype=np.float64)
    _check_width(X.shape[1], n_features, "text/csv")
    return X


def _check_width(width: int, n_features: int | None, what: str) -> None:
    if n_features is not None and width != n_features:
        raise BadRequest(
            f"{what}: records have {width} features, the model was trained on {n_features} "
            f"(send features only, without the label)"
        )


def parse_libsvm(body: str | bytes, n_features: int | None) -> Any:
    """LibSVM records (``[label] index:value ...``, the label ignored) as a sparse matrix of
    ``n_features`` columns (an index out of range is a :class:`BadRequest`), or with
    ``n_features=None`` as many as the largest index + 1, as XGBoost's LibSVM reader makes it.

    >>> parse_libsvm("1 0:0.5 2:1.5\\n0 1:2", None).toarray().tolist()
    [[0.5, 0.0, 1.5], [0.0, 2.0, 0.0]]
    """
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for i, line in enumerate(io.StringIO(_text(body)), 1):
        toks = line.split()
        if not toks:
            continue
        if ":" not in toks[0]:
            toks = toks[1:]  # a label
        for tok in toks:
            a, _, b = tok.partition(":")
            try:
                idx, v = int(a), float(b)
            except ValueError:
                raise BadRequest(f"text/libsvm record {i}: malformed token {tok!r}") from None
            if idx < 0:
                raise BadRequest(f"text/libsvm record {i}: negative feature index {idx}")
            if n_features is not None and idx >= n_features:
                raise BadRequest(
                    f"text/libsvm record {i}: feature index {idx} is out of range (the model has "
                    f"{n_features} features, indices 0 to {n_features - 1})"
                )
            indices.append(idx)
            values.append(v)
        indptr.append(len(indices))
    if len(indptr) == 1:
        raise BadRequest("the text/libsvm request has no records")
    width = max(indices, default=-1) + 1 if n_features is None else n_features
    return csr_matrix((values, indices, indptr), shape=(len(indptr) - 1, width))


def parse_json(body: str | bytes, n_features: int | None = None) -> npt.NDArray[np.float64]:
    try:
        doc = json.loads(_text(body))
    except ValueError as exc:
        raise BadRequest(f"application/json: not valid JSON: {exc}") from None
    rows: Any = doc.get("instances") if isinstance(doc, dict) else doc
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        rows = [r.get("features") for r in rows]
    if not isinstance(rows, list) or not rows:
        raise BadRequest(
            'application/json: expected {"instances": [{"features": [...]}, ...]} or a list of rows'
        )
    if not isinstance(rows[0], list):
        rows = [rows]
    try:
        X = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadRequest(
            "application/json: every row must be a list of numbers, all one length"
        ) from None
    if X.ndim != 2:
        raise BadRequest("application/json: every row must be a list of numbers, all one length")
    _check_width(X.shape[1], n_features, "application/json")
    return X


def parse_dense(body: str | bytes, content_type: str | None, n_features: int | None) -> Any:
    kind = media_type(content_type)
    if kind == CSV:
        return parse_csv(body, n_features)
    if kind == JSON:
        return parse_json(body, n_features)
    if kind == LIBSVM and n_features is not None:
        return parse_libsvm(body, n_features).toarray()
    raise UnsupportedMediaType(
        f"content type {content_type!r} is not supported (text/csv, application/json)"
    )


def csv_lines(columns: Sequence[npt.NDArray[Any]]) -> bytes:
    """One line per record, the given columns (1-D arrays or 2-D blocks) joined by commas."""
    blocks = [np.asarray(c).reshape(len(c), -1) for c in columns]
    out = io.StringIO()
    for row in np.hstack(blocks) if blocks else []:
        out.write(",".join(_num(v) for v in row) + "\n")
    return out.getvalue().encode()


def _num(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)

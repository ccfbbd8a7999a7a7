"""The XGBoost framework container's default handler functions (script mode).

A model served through a user's inference module (the ``entry_point`` of ``XGBoost`` or
``XGBoostModel``, any ``SAGEMAKER_PROGRAM``) whose ``model_fn`` returns an ``xgboost.Booster`` gets
these for the functions the module does not define, as SageMaker's XGBoost image serves a user
module (``sagemaker_xgboost_container/serving.py``). The built-in algorithm (the image without a
user module) answers differently: :mod:`amtune.builtin.xgboost_inference`.

- ``input_fn``: ``text/csv`` (the delimiter sniffed from the first line as the container does, a
  comma when it sniffs a letter or digit, or nothing; an empty field is a missing value),
  ``text/libsvm`` or ``text/x-libsvm`` (``[label] index:value ...``, the label ignored, the
  indices taken as 0-based column numbers as XGBoost's LibSVM reader takes them in the images up
  to 1.7-1; the 3.0 image shifts 1-based indices) into an ``xgboost.DMatrix`` without feature
  names. Media-type parameters are ignored. Any other type (JSON and NPY included, which the
  container does not decode either; RecordIO-protobuf, which amtune does not read) is an error:
  define ``input_fn`` to read it. Unlike the container, a leading or trailing line break in a
  CSV request is allowed (amtune's own ``AutoSerializer`` ends its rows with one).
- ``predict_fn``: ``model.predict(data, validate_features=False)``, so a Booster trained on a
  pandas DataFrame (with feature names) predicts from unnamed CSV records.
- ``output_fn``: the first of ``application/json`` (the predictions as a JSON list, ``[0.5]``),
  ``text/csv`` (one line per prediction, a row of class probabilities comma-separated) and
  ``application/x-npy`` (``numpy.save``) in the comma-separated ``accept``; any other type is an
  error. The answer's content type is the accepted one.

Errors answer HTTP 500 with the message, as the container's single-model server answers any
failure of these functions.

>>> import numpy as np, xgboost as xgb
>>> X = np.arange(20.0).reshape(10, 2); y = (X[:, 0] > 9).astype(float)
>>> b = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 3)
>>> p = predict_fn(input_fn("0,1\\n18,19", "text/csv"), b)
>>> body, ctype = output_fn(p, "application/json")
>>> ctype, len(json.loads(body))
('application/json', 2)
>>> len(output_fn(p, "text/csv")[0].splitlines())
2
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

CSV = "text/csv"
JSON = "application/json"
NPY = "application/x-npy"
LIBSVM_TYPES = ("text/libsvm", "text/x-libsvm")
RECORDIO = "application/x-recordio-protobuf"

__all__ = ["input_fn", "output_fn", "predict_fn"]


def media_type(content_type: str | None) -> str:
    """``"text/csv; charset=utf-8"`` -> ``"text/csv"`` (lower case, parameters dropped)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _text(body: str | bytes) -> str:
    return body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body


def csv_delimiter(first_line: str) -> str:
    """The delimiter of a CSV request, as the container finds it: ``csv.Sniffer`` on the first
    line's first 512 characters; a comma when it finds a letter or digit (``"0.5"`` sniffs as
    ``"5"``) or nothing.

    >>> csv_delimiter("1,2,3"), csv_delimiter("1\\t2"), csv_delimiter("0.5")
    (',', '\\t', ',')
    """
    try:
        found = csv.Sniffer().sniff(first_line[:512]).delimiter
    except csv.Error:
        return ","
    return "," if found.isalnum() else found


def csv_records(body: str | bytes) -> Any:
    """The CSV request's records as a float array (an empty field is NaN)."""
    text = _text(body).strip("\r\n")
    if not text:
        raise ValueError("the text/csv request has no records")
    lines = text.split("\n")
    delimiter = csv_delimiter(lines[0])
    rows = [["nan" if v == "" else v for v in line.rstrip("\r").split(delimiter)] for line in lines]
    width = len(rows[0])
    for i, row in enumerate(rows, 1):
        if len(row) != width:
            raise ValueError(
                f"text/csv record {i} has {len(row)} values, record 1 has {width} (delimiter "
                f"{delimiter!r})"
            )
    try:
        return np.array(rows, dtype=np.float64)
    except ValueError as exc:
        raise ValueError(f"text/csv: {exc}") from None


def libsvm_records(body: str | bytes) -> Any:
    """LibSVM records (``[label] index:value ...``, the label ignored) as a sparse matrix with as
    many columns as the largest index + 1, as XGBoost's LibSVM reader makes it (the built-in
    algorithm's parser, :func:`amtune.builtin.inference_io.parse_libsvm`); a malformed record is a
    ``ValueError``.

    >>> libsvm_records("1 0:0.5 2:1.5\\n0 1:2").toarray().tolist()
    [[0.5, 0.0, 1.5], [0.0, 2.0, 0.0]]
    """
    from amtune.builtin.inference_io import BadRequest, parse_libsvm

    try:
        return parse_libsvm(body, None)
    except BadRequest as exc:
        raise ValueError(str(exc)) from None


def input_fn(request_body: str | bytes, content_type: str | None) -> Any:
    """The request as an ``xgboost.DMatrix`` (see the module's docstring)."""
    import xgboost as xgb

    kind = media_type(content_type)
    if kind == CSV:
        return xgb.DMatrix(csv_records(request_body))
    if kind in LIBSVM_TYPES:
        return xgb.DMatrix(libsvm_records(request_body))
    if kind == RECORDIO:
        raise ValueError(
            f"content type {content_type!r}: amtune does not read RecordIO-protobuf requests; "
            f"send text/csv or text/libsvm, or define input_fn in the inference script"
        )
    raise ValueError(
        f"content type {content_type!r} is not read by the XGBoost framework container's default "
        f"input_fn (text/csv, text/libsvm, text/x-libsvm, application/x-recordio-protobuf); "
        f"define input_fn in the inference script to read it"
    )


def predict_fn(data: Any, model: Any) -> Any:
    """``model.predict(data, validate_features=False)``."""
    return model.predict(data, validate_features=False)


def csv_answer(prediction: Any) -> bytes:
    """One line per prediction (a row's values comma-separated), each value as ``str`` gives it.

    >>> csv_answer(np.array([0.5, 0.25], dtype=np.float32))
    b'0.5\\n0.25\\n'
    >>> csv_answer(np.array([[0.1, 0.9]]))
    b'0.1,0.9\\n'
    """
    array = np.asarray(prediction)
    if array.ndim == 0:
        raise ValueError("text/csv: cannot write a single value as CSV rows; accept JSON or NPY")
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(array)
    return out.getvalue().encode("utf-8")


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def output_fn(prediction: Any, accept: str | None) -> tuple[bytes, str]:
    """The prediction encoded for the first supported type of ``accept``."""
    for item in (accept or "").split(","):
        kind = media_type(item)
        if kind == JSON:
            return json.dumps(prediction, default=_json_default).encode("utf-8"), item.strip()
        if kind == CSV:
            return csv_answer(prediction), item.strip()
        if kind == NPY:
            buf = io.BytesIO()
            np.save(buf, np.asarray(prediction))
            return buf.getvalue(), item.strip()
    raise ValueError(
        f"accept type {accept!r} is not written by the XGBoost framework container's default "
        f"output_fn (application/json, text/csv, application/x-npy); define output_fn in the "
        f"inference script to write it"
    )

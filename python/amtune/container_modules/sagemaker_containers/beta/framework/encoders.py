"""``sagemaker_containers.beta.framework.encoders``: NumPy arrays to and from CSV, JSON and NPY,
as the container's default (de)serializers do. ``decode(obj, content_type)`` gives a NumPy array
(CSV as ``float64``); ``encode(array_like, content_type)`` gives ``str`` (CSV, JSON) or
``bytes`` (NPY). Other content types raise :class:`UnsupportedFormatError`; RecordIO-protobuf
is not provided.

>>> encode([[1.5, 2]], "text/csv")
'1.5,2.0\\n'
>>> decode("1,2\\n3,4", "text/csv").tolist()
[[1.0, 2.0], [3.0, 4.0]]
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from . import content_types
from ._missing import missing
from .errors import ClientError, UnsupportedFormatError


def array_to_npy(array_like: Any) -> bytes:
    """An array-like object as NPY bytes."""
    buffer = io.BytesIO()
    np.save(buffer, array_like)
    return buffer.getvalue()


def npy_to_numpy(npy_array: bytes) -> Any:
    """NPY bytes as a NumPy array."""
    return np.load(io.BytesIO(npy_array), allow_pickle=True)


def array_to_json(array_like: Any) -> str:
    """An array-like object (or anything with ``tolist()`` inside) as JSON text."""

    def default(o: Any) -> Any:
        if hasattr(o, "tolist"):
            return o.tolist()
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    return json.dumps(array_like, default=default)


def json_to_numpy(string_like: str | bytes, dtype: Any = None) -> Any:
    """JSON text as a NumPy array."""
    return np.array(json.loads(string_like), dtype=dtype)


def csv_to_numpy(string_like: str | bytes, dtype: Any = None) -> Any:
    """CSV text as a NumPy array (``float64`` unless ``dtype``; one record gives one row,
    squeezed as the container squeezes it)."""
    text = string_like.decode("utf-8") if isinstance(string_like, bytes) else string_like
    try:
        reader = csv.reader(io.StringIO(text), delimiter=",", quotechar='"', strict=True)
        return np.array(list(reader)).squeeze().astype(dtype)
    except Exception as e:
        raise ClientError(f"Error while decoding csv: {e}") from e


def array_to_csv(array_like: Any) -> str:
    """An array-like object as CSV text, one line per row (a 1-D array: one value per line)."""
    array = np.array(array_like)
    if array.ndim == 1:
        array = array.reshape(array.shape[0], 1)
    try:
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"').writerows(array)
        return stream.getvalue()
    except csv.Error as e:
        raise ClientError(f"Error while encoding csv: {e}") from e


def array_to_recordio_protobuf(array_like: Any, labels: Any = None) -> bytes:
    """Not provided: amtune has no RecordIO-protobuf (use CSV)."""
    raise missing("sagemaker_containers.beta.framework.encoders", "array_to_recordio_protobuf")


_encoders_map: dict[str, Callable[[Any], Any]] = {
    content_types.NPY: array_to_npy,
    content_types.CSV: array_to_csv,
    content_types.JSON: array_to_json,
}
_decoders_map: dict[str, Callable[[Any], Any]] = {
    content_types.NPY: npy_to_numpy,
    content_types.CSV: csv_to_numpy,
    content_types.JSON: json_to_numpy,
}


def decode(obj: Any, content_type: str) -> Any:
    """``obj`` (CSV, JSON or NPY, by ``content_type``) as a NumPy array."""
    try:
        decoder = _decoders_map[content_type]
    except KeyError:
        raise UnsupportedFormatError(content_type) from None
    return decoder(obj)


def encode(array_like: Any, content_type: str) -> Any:
    """``array_like`` as ``content_type`` (CSV or JSON text, NPY bytes)."""
    try:
        encoder = _encoders_map[content_type]
    except KeyError:
        raise UnsupportedFormatError(content_type) from None
    return encoder(array_like)

"""Serializers and deserializers of a :class:`~amtune.serve.deployment.Predictor`, named as in the
SageMaker Python SDK (``sagemaker.serializers``, ``sagemaker.deserializers``).

A serializer has ``CONTENT_TYPE`` (the request's ``Content-Type``) and ``serialize(data)`` (bytes
or str); a deserializer has ``ACCEPT`` (a tuple of media types, sent as the ``Accept`` header) and
``deserialize(stream, content_type)``, where ``stream`` has ``read()`` and ``close()``. The SDK's
own objects have the same interface and may be given to a predictor too.

The framework predictors use the SDK's defaults: ``PyTorchPredictor`` and ``SKLearnPredictor``
send and receive NumPy arrays (``application/x-npy``), ``XGBoostPredictor`` sends LibSVM text and
reads CSV, ``TensorFlowPredictor`` and ``HuggingFacePredictor`` JSON. A plain ``Predictor`` keeps
amtune's default: :class:`AutoSerializer` and :class:`AutoDeserializer`; the SDK's deploy methods
give it the SDK's :class:`BytesDeserializer` instead.

>>> import io, numpy as np
>>> body = NumpySerializer().serialize(np.zeros((2, 1, 3), np.float32))
>>> NumpyDeserializer().deserialize(io.BytesIO(body), "application/x-npy").shape
(2, 1, 3)
>>> CSVSerializer().serialize([[1, 2], [3, 4.5]])
'1,2\\n3,4.5'
>>> CSVDeserializer().deserialize(io.BytesIO(b"1,2\\n3,4"), "text/csv")
[['1', '2'], ['3', '4']]
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
NPZ = "application/x-npz"
TEXT = "text/plain"
RAW_BYTES = "file-path/raw-bytes"
NPY = "application/x-npy"
LIBSVM = "text/libsvm"
OCTET_STREAM = "application/octet-stream"
ANY = "*/*"

__all__ = [
    "AutoDeserializer",
    "AutoSerializer",
    "BytesDeserializer",
    "CSVDeserializer",
    "CSVSerializer",
    "DataSerializer",
    "IdentitySerializer",
    "JSONDeserializer",
    "JSONLinesDeserializer",
    "JSONLinesSerializer",
    "JSONSerializer",
    "LibSVMSerializer",
    "NumpyDeserializer",
    "NumpySerializer",
    "PandasDeserializer",
    "SparseMatrixSerializer",
    "StreamDeserializer",
    "StringDeserializer",
    "StringSerializer",
    "accept_of",
    "content_type_of",
]


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_type_of(serializer: Any) -> str:
    """A serializer's ``CONTENT_TYPE`` (the SDK's objects also name it ``content_type``)."""
    ct = getattr(serializer, "CONTENT_TYPE", None) or getattr(serializer, "content_type", None)
    if not isinstance(ct, str):
        raise TypeError(f"serializer: {type(serializer).__name__} has no CONTENT_TYPE")
    return ct


def accept_of(deserializer: Any) -> str:
    """A deserializer's ``ACCEPT`` as one ``Accept`` header (``", "``-joined, as the SDK sends)."""
    acc = getattr(deserializer, "ACCEPT", None) or getattr(deserializer, "accept", None)
    if isinstance(acc, str):
        return acc
    if isinstance(acc, (tuple, list)) and all(isinstance(a, str) for a in acc):
        return ", ".join(acc)
    raise TypeError(f"deserializer: {type(deserializer).__name__} has no ACCEPT")


def _accept_tuple(accept: str | tuple[str, ...]) -> tuple[str, ...]:
    return (accept,) if isinstance(accept, str) else tuple(accept)


# ====================================================================== serializers
class CSVSerializer:
    """Comma-separated values, with the SageMaker SDK's rules for rows:

    * a file's contents are read, and a str is sent as it is (one or more rows already);
    * a pandas DataFrame is ``DataFrame.to_csv(header=False, index=False)`` (each column keeps
      its own type, the text ends with a newline);
    * a mutable sequence (a list, a NumPy array, ...) whose first item is itself sequence-like
      (a list, tuple, array or str) is several rows, one per item, joined with ``\\n``: a list of
      CSV strings is one row per string;
    * anything else with a length (a flat list or tuple, a 1-D array, a pandas Series) is one row.

    A row is written by :mod:`csv` (a cell is ``str(value)``, a float's shortest repr, a NumPy
    scalar its plain text: ``0.25``; a cell holding a comma or a quote is quoted); an array row
    is flattened first. An empty row is a ``ValueError``.

    >>> CSVSerializer().serialize(["1,2", "3,4"])
    '1,2\\n3,4'
    >>> import numpy as np
    >>> CSVSerializer().serialize([np.float64(0.25), np.float32(0.1), 3])
    '0.25,0.1,3'
    """

    def __init__(self, content_type: str = CSV) -> None:
        self.CONTENT_TYPE = _content_type("CSVSerializer", content_type)

    def serialize(self, data: Any) -> str | bytes:
        if hasattr(data, "read"):
            out: str | bytes = data.read()
            return out
        if isinstance(data, bytes):  # amtune: already encoded, sent as it is
            return data
        if _is_dataframe(data):
            text: str = data.to_csv(header=False, index=False)
            return text
        if isinstance(data, Mapping):
            raise ValueError(
                f"CSVSerializer: data: a {type(data).__name__} has no CSV rows; give a list of "
                f"rows, or use JSONSerializer()"
            )
        if _several_rows(data):
            return "\n".join(_csv_row(row) for row in data)
        return _csv_row(data)


def _sequence_like(x: Any) -> bool:
    """Iterable and indexable (a list, tuple, str, array; not a NumPy scalar), as the SDK tests
    for a row."""
    return hasattr(x, "__iter__") and hasattr(x, "__getitem__")


def _several_rows(data: Any) -> bool:
    """A mutable sequence whose first item is sequence-like: one row per item."""
    if not (_sequence_like(data) and hasattr(data, "__setitem__")):
        return False
    try:
        first = next(iter(data), None)  # by position (a pandas Series' data[0] is by label)
    except TypeError:  # a 0-d array: one cell
        return False
    return _sequence_like(first)


def _is_dataframe(data: Any) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame means pandas is imported already
    return pd is not None and isinstance(data, pd.DataFrame)


def _csv_row(row: Any) -> str:
    """One CSV row: a str as it is, an array flattened, any other sequence one cell per item."""
    if isinstance(row, str):
        return row
    np = sys.modules.get("numpy")
    if np is not None and isinstance(row, np.ndarray):
        row = row.ravel()
    if not hasattr(row, "__len__"):
        raise ValueError(
            f"CSVSerializer: data: cannot write {type(row).__name__} {row!r} as a CSV row (give "
            f"a list, an array, a DataFrame or CSV text)"
        )
    if len(row) == 0:
        raise ValueError("CSVSerializer: data: cannot serialize an empty row")
    buf = io.StringIO()
    csv.writer(buf, delimiter=",").writerow(row)
    return buf.getvalue().rstrip("\r\n")


class JSONSerializer:
    """JSON, as the SDK's: a file's contents are read; anything else is ``json.dumps``-ed, a str
    included (``"text"`` with its quotes: a JSON string). NumPy arrays and pandas Series become
    lists (the SDK converts an array, and a dict's array values).

    >>> JSONSerializer().serialize("I love this")
    '"I love this"'
    """

    def __init__(self, content_type: str = JSON) -> None:
        self.CONTENT_TYPE = _content_type("JSONSerializer", content_type)

    def serialize(self, data: Any) -> str | bytes:
        if hasattr(data, "read"):
            out: str | bytes = data.read()
            return out
        if isinstance(data, bytes):  # amtune: already encoded, sent as it is
            return data
        return json.dumps(data, default=_json_default)


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class NumpySerializer:
    """The ``.npy`` format, as the SDK's: an array as it is, a list as ``numpy.array(data,
    dtype)``, anything else ``numpy.array`` takes with its own type (``dtype`` applies to lists
    only, as in the SDK); a file's contents are read (assumed ``.npy``). An empty array or list
    is a ``ValueError``; so is an array of Python objects (amtune does not pickle).

    >>> import numpy as np, io
    >>> np.load(io.BytesIO(NumpySerializer(dtype="float32").serialize([1, 2]))).dtype
    dtype('float32')
    """

    def __init__(self, dtype: Any = None, content_type: str = NPY) -> None:
        self.dtype = dtype
        self.CONTENT_TYPE = _content_type("NumpySerializer", content_type)

    def serialize(self, data: Any) -> bytes:
        import numpy as np

        if hasattr(data, "read"):
            raw: bytes = data.read()
            return raw
        if isinstance(data, np.ndarray):
            arr = data
            if arr.size == 0:
                raise ValueError("NumpySerializer: data: cannot serialize an empty array")
        elif isinstance(data, list):
            if not data:
                raise ValueError("NumpySerializer: data: cannot serialize an empty list")
            arr = np.array(data, self.dtype)
        else:
            arr = np.array(data)
        if arr.dtype.hasobject:
            raise ValueError(
                "NumpySerializer: data: an array of Python objects (dtype object) would need "
                "pickling, which amtune does not do; give numbers or strings of one type"
            )
        b = io.BytesIO()
        np.save(b, arr, allow_pickle=False)
        return b.getvalue()


class IdentitySerializer:
    """``data`` as it is (bytes or str), with a fixed content type."""

    def __init__(self, content_type: str = OCTET_STREAM) -> None:
        self.CONTENT_TYPE = _content_type("IdentitySerializer", content_type)

    def serialize(self, data: Any) -> Any:
        return data


class LibSVMSerializer:
    """LibSVM text (``label index:value ...``), given as a str or a file, as the SDK's."""

    def __init__(self, content_type: str = LIBSVM) -> None:
        self.CONTENT_TYPE = _content_type("LibSVMSerializer", content_type)

    def serialize(self, data: Any) -> str | bytes:
        if isinstance(data, (str, bytes)):
            return data
        if hasattr(data, "read"):
            out: str | bytes = data.read()
            return out
        raise ValueError(
            f"LibSVMSerializer: cannot serialize {type(data).__name__} (give LibSVM text, or "
            f"serializer=CSVSerializer() for arrays)"
        )


def _content_type(owner: str, content_type: Any) -> str:
    """``content_type`` checked as the SDK's serializers check it: a MIME type string."""
    if not isinstance(content_type, str):
        raise ValueError(
            f"{owner}: content_type must be a string naming the MIME type of the requests "
            f"(e.g. 'text/csv'), got {content_type!r}"
        )
    return content_type


class StringSerializer:
    """A str sent as UTF-8 bytes, with the content type given (default ``text/plain``), as the
    SDK's ``StringSerializer``: anything else is a ``ValueError``.

    >>> s = StringSerializer(content_type="text/libsvm")
    >>> s.CONTENT_TYPE, s.serialize("1 1:0.5 2:3")
    ('text/libsvm', b'1 1:0.5 2:3')
    >>> s.serialize([1, 2])
    Traceback (most recent call last):
    ...
    ValueError: StringSerializer: data must be a str, got list
    """

    def __init__(self, content_type: str = TEXT) -> None:
        self.CONTENT_TYPE = _content_type("StringSerializer", content_type)

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, str):
            return data.encode("utf-8")
        raise ValueError(f"StringSerializer: data must be a str, got {type(data).__name__}")


class JSONLinesSerializer:
    """JSON Lines (``application/jsonlines``), as the SDK's ``JSONLinesSerializer``: a str and
    a file's contents are sent as they are, any other iterable as one JSON value per line.

    >>> JSONLinesSerializer().serialize([{"a": 1}, [2, 3]])
    '{"a": 1}\\n[2, 3]'
    """

    def __init__(self, content_type: str = JSONLINES) -> None:
        self.CONTENT_TYPE = _content_type("JSONLinesSerializer", content_type)

    def serialize(self, data: Any) -> str | bytes:
        if isinstance(data, str):
            return data
        if hasattr(data, "read"):
            out: str | bytes = data.read()
            return out
        if isinstance(data, Iterable) and not isinstance(data, (bytes, Mapping)):
            return "\n".join(json.dumps(v, default=_json_default) for v in data)
        raise ValueError(
            f"JSONLinesSerializer: data must be a str, a file or an iterable of JSON values, "
            f"got {type(data).__name__}"
        )


class SparseMatrixSerializer:
    """A SciPy sparse matrix (``csc``, ``csr``, ``bsr``, ``dia`` or ``coo``) in the ``.npz``
    format of ``scipy.sparse.save_npz`` (``application/x-npz``), as the SDK's
    ``SparseMatrixSerializer``. SciPy is imported when a matrix is serialized.

    >>> import io, scipy.sparse
    >>> body = SparseMatrixSerializer().serialize(scipy.sparse.eye(3, format="csr"))
    >>> scipy.sparse.load_npz(io.BytesIO(body)).toarray().trace()
    np.float64(3.0)
    """

    def __init__(self, content_type: str = NPZ) -> None:
        self.CONTENT_TYPE = _content_type("SparseMatrixSerializer", content_type)

    def serialize(self, data: Any) -> bytes:
        try:
            import scipy.sparse
        except ImportError:
            raise ImportError(
                "SparseMatrixSerializer needs scipy, which is not installed (pip install scipy)"
            ) from None
        if not scipy.sparse.issparse(data):
            raise ValueError(
                f"SparseMatrixSerializer: data must be a scipy.sparse matrix or array, got "
                f"{type(data).__name__}"
            )
        b = io.BytesIO()
        scipy.sparse.save_npz(b, data)
        return b.getvalue()


class DataSerializer:
    """Raw bytes, as the SDK's ``DataSerializer``: a str is the path of a file whose bytes are
    sent, bytes are sent as they are, and a dict's ``"data"`` entry is either of those. The
    default content type is the SDK's ``file-path/raw-bytes``; give the model's own (e.g.
    ``DataSerializer(content_type="image/jpeg")``).

    >>> DataSerializer(content_type="audio/wav").serialize({"data": b"RIFF"})
    b'RIFF'
    """

    def __init__(self, content_type: str = RAW_BYTES) -> None:
        self.CONTENT_TYPE = _content_type("DataSerializer", content_type)

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, str):
            try:
                with open(data, "rb") as f:
                    return f.read()
            except OSError as exc:
                raise ValueError(
                    f"DataSerializer: could not read the file {data!r}: {exc}"
                ) from None
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        if isinstance(data, Mapping) and "data" in data:
            return self.serialize(data["data"])
        raise ValueError(
            f"DataSerializer: data must be a file path (str), bytes or a dict with 'data', got "
            f"{type(data).__name__}"
        )


class AutoSerializer:
    """amtune's default: bytes and str as they are (CSV), a dict as JSON, anything else (lists,
    arrays of 1 or 2 dimensions) as CSV rows."""

    CONTENT_TYPE = CSV

    def content_type_for(self, data: Any) -> str:
        return JSON if isinstance(data, Mapping) else CSV

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (bytes, str)):
            return data.encode() if isinstance(data, str) else data
        if isinstance(data, Mapping):
            return json.dumps(data).encode()
        import numpy as np

        arr = np.asarray(data, dtype=float)
        if arr.ndim > 2:
            raise ValueError(
                f"cannot send a {arr.ndim}-D array as CSV rows; give serializer=NumpySerializer() "
                f"(application/x-npy) or JSONSerializer()"
            )
        s = io.StringIO()
        np.savetxt(s, np.atleast_2d(arr), delimiter=",", fmt="%.17g")
        return s.getvalue().encode()


# ====================================================================== deserializers
class BytesDeserializer:
    """The answer's bytes."""

    def __init__(self, accept: str | tuple[str, ...] = ANY) -> None:
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> bytes:
        try:
            out: bytes = stream.read()
            return out
        finally:
            stream.close()


class StringDeserializer:
    """The answer decoded as text."""

    def __init__(self, encoding: str = "UTF-8", accept: str | tuple[str, ...] = JSON) -> None:
        self.encoding = encoding
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> str:
        try:
            return str(stream.read().decode(self.encoding))
        finally:
            stream.close()


class CSVDeserializer:
    """CSV text to a list of rows of strings."""

    def __init__(self, encoding: str = "utf-8", accept: str | tuple[str, ...] = CSV) -> None:
        self.encoding = encoding
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> list[list[str]]:
        try:
            return list(csv.reader(stream.read().decode(self.encoding).splitlines()))
        finally:
            stream.close()


class JSONDeserializer:
    """JSON to Python values."""

    def __init__(self, accept: str | tuple[str, ...] = JSON) -> None:
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> Any:
        try:
            return json.loads(stream.read())
        finally:
            stream.close()


class NumpyDeserializer:
    """An answer in ``.npy``, JSON or CSV to a NumPy array (pickled arrays are refused unless
    ``allow_pickle``)."""

    def __init__(
        self, dtype: Any = None, accept: str | tuple[str, ...] = NPY, allow_pickle: bool = False
    ) -> None:
        self.dtype = dtype
        self.allow_pickle = allow_pickle
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> Any:
        import numpy as np

        try:
            raw = stream.read()
            mt = _media_type(content_type)
            if mt == NPY:
                return np.load(io.BytesIO(raw), allow_pickle=self.allow_pickle)
            if mt == JSON:
                return np.array(json.loads(raw), dtype=self.dtype)
            if mt == CSV:
                return np.genfromtxt(
                    io.StringIO(raw.decode("utf-8")), delimiter=",", dtype=self.dtype
                )
            raise ValueError(f"NumpyDeserializer: cannot deserialize content type {content_type!r}")
        finally:
            stream.close()


class AutoDeserializer:
    """amtune's default: a JSON answer decoded, any other answer as bytes.

    It sends ``Accept: */*``, so the model answers in its own default type, as to a request
    without ``Accept``: the model server's ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, else the
    inference module's ``DEFAULT_ACCEPT`` (``text/csv`` for the built-in XGBoost, JSON for Linear
    Learner and k-NN), else JSON for a script's ``inference.py``
    (:class:`amtune.serve.handler.Handler`). A list such as ``application/json, */*`` would
    not do: handlers take it as given, and the built-in algorithms read only its first type.
    """

    ACCEPT = (ANY,)

    def deserialize(self, stream: Any, content_type: str | None) -> Any:
        try:
            raw = stream.read()
        finally:
            stream.close()
        if _media_type(content_type) == JSON:
            return json.loads(raw)
        return raw


class JSONLinesDeserializer:
    """JSON Lines to a list of Python values (one per line), as the SDK's
    ``JSONLinesDeserializer``.

    >>> JSONLinesDeserializer().deserialize(io.BytesIO(b'{"a": 1}\\n[2]\\n'), JSONLINES)
    [{'a': 1}, [2]]
    """

    def __init__(self, accept: str | tuple[str, ...] = JSONLINES) -> None:
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> list[Any]:
        try:
            body = stream.read().decode("utf-8")
            return [json.loads(line) for line in body.rstrip().split("\n")]
        finally:
            stream.close()


class PandasDeserializer:
    """A CSV (with a header row) or JSON (``columns`` orient) answer to a pandas DataFrame, as
    the SDK's ``PandasDeserializer``; pandas is imported when an answer is read. Another
    content type is a ``ValueError``.

    >>> PandasDeserializer().deserialize(io.BytesIO(b"a,b\\n1,2\\n"), "text/csv").to_dict("list")
    {'a': [1], 'b': [2]}
    """

    def __init__(self, accept: str | tuple[str, ...] = (CSV, JSON)) -> None:
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> Any:
        import pandas as pd

        mt = _media_type(content_type)
        try:
            if mt == CSV:
                return pd.read_csv(io.BytesIO(stream.read()))
            if mt == JSON:
                return pd.read_json(io.StringIO(stream.read().decode("utf-8")))
        finally:
            stream.close()
        raise ValueError(
            f"PandasDeserializer: cannot read content type {content_type!r} (text/csv or "
            f"application/json)"
        )


class StreamDeserializer:
    """The answer's stream and content type, unread: ``(stream, content_type)``, as the SDK's
    ``StreamDeserializer``. The caller reads and closes the stream.

    >>> stream, ct = StreamDeserializer().deserialize(io.BytesIO(b"[1]"), JSON)
    >>> stream.read(), ct
    (b'[1]', 'application/json')
    """

    def __init__(self, accept: str | tuple[str, ...] = ANY) -> None:
        self.ACCEPT = _accept_tuple(accept)

    def deserialize(self, stream: Any, content_type: str | None) -> tuple[Any, str | None]:
        return stream, content_type

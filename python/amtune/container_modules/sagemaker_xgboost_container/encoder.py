"""``sagemaker_xgboost_container.encoder``: request bodies as an ``xgboost.DMatrix``, as an
inference script for the XGBoost container decodes them.

>>> libsvm_to_dmatrix(b"0 1:0.5 3:2\\n1 2:1").num_col()
4
>>> csv_to_dmatrix("1,2\\n3,").num_row()
2
"""

from __future__ import annotations

import json
from typing import Any


def _text(data: str | bytes | bytearray) -> str:
    return data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data


def csv_to_dmatrix(input: str | bytes, dtype: Any = None) -> Any:
    """CSV records (features only, no label; an empty field is missing) as a ``DMatrix``."""
    import numpy as np
    import xgboost as xgb

    lines = [ln for ln in _text(input).strip().split("\n") if ln.strip()]
    rows = [[float(x) if x.strip() else np.nan for x in ln.split(",")] for ln in lines]
    return xgb.DMatrix(np.asarray(rows, dtype=dtype or np.float64), missing=np.nan)


def libsvm_to_dmatrix(string_like: str | bytes) -> Any:
    """libsvm records (an optional label, then ``index:value`` tokens) as a sparse ``DMatrix``,
    as XGBoost's own libsvm parser reads them in the 0.90 to 2.x containers: an index is a
    column (1-based data leaves column 0 empty, as the training data read the same way did) and
    an absent index is a missing value."""
    import xgboost as xgb
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for line in _text(string_like).strip().split("\n"):
        for tok in line.split():
            if ":" in tok:
                index, value = tok.split(":", 1)
                indices.append(int(index))
                values.append(float(value))
        indptr.append(len(indices))
    width = max(indices, default=-1) + 1
    return xgb.DMatrix(csr_matrix((values, indices, indptr), shape=(len(indptr) - 1, width)))


def json_to_jsonlines(json_data: Any) -> bytes:
    """A one-key JSON answer (``{"predictions": [...]}``) as JSON Lines, one entry a line."""
    doc = json_data if isinstance(json_data, dict) else json.loads(json_data)
    if len(doc) != 1:
        raise ValueError("JSON response is not compatible for conversion to jsonlines.")
    (entries,) = doc.values()
    return "".join(json.dumps(e) + "\n" for e in entries).encode()


def decode(obj: Any, content_type: str) -> Any:
    """A request body of ``content_type`` (CSV or libsvm) as a ``DMatrix``."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/csv":
        return csv_to_dmatrix(obj)
    if media in ("text/libsvm", "text/x-libsvm"):
        return libsvm_to_dmatrix(obj)
    raise ValueError(f"content type {content_type!r} is not supported (text/csv, text/libsvm)")

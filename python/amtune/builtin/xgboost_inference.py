"""Inference for the built-in XGBoost algorithm (SageMaker's inference handler contract).

``model_fn`` loads ``xgboost-model``; requests are ``text/csv`` (default), ``text/libsvm`` or
``application/json`` records of features (:mod:`amtune.builtin.inference_io`); the prediction is
what ``Booster.predict`` returns (a probability for ``binary:logistic``, a value for regression,
one row of class probabilities per record for ``multi:softprob``). Responses: ``text/csv`` (one
line per record), ``application/json`` (``{"predictions": [{"score": ...}, ...]}``) or
``application/jsonlines``.

>>> import numpy as np, tempfile, xgboost as xgb
>>> from amtune.builtin import xgboost as algo
>>> d = tempfile.mkdtemp()
>>> X = np.arange(20.0).reshape(10, 2); y = (X[:, 0] > 9).astype(float)
>>> b = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 3)
>>> _ = algo.save_model(b, __import__("pathlib").Path(d))
>>> model = model_fn(d)
>>> body, ctype = output_fn(predict_fn(input_fn("0,1\\n18,19", "text/csv"), model), "text/csv")
>>> ctype, len(body.splitlines())
('text/csv', 2)
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
    LIBSVM,
    BadRequest,
    csv_lines,
    media_type,
    parse_csv,
    parse_json,
    parse_libsvm,
)

MODEL_FILE = "xgboost-model"


def model_fn(model_dir: str) -> Any:
    import xgboost as xgb

    path = Path(model_dir) / MODEL_FILE
    booster = xgb.Booster()
    booster.load_model(bytearray(path.read_bytes()))
    return booster


def input_fn(request_body: str | bytes, content_type: str | None) -> Any:
    kind = media_type(content_type)
    if kind == CSV:
        return parse_csv(request_body)
    if kind == JSON:
        return parse_json(request_body)
    if kind == LIBSVM:
        return ("libsvm", request_body)
    raise BadRequest(
        f"content type {content_type!r} is not supported by XGBoost (text/csv, text/libsvm, "
        f"application/json)"
    )


def predict_fn(data: Any, model: Any) -> Any:
    import xgboost as xgb

    n = model.num_features()
    if isinstance(data, tuple) and data[0] == "libsvm":
        data = parse_libsvm(data[1], n)
    elif data.shape[1] != n:
        raise BadRequest(
            f"records have {data.shape[1]} features, the model was trained on {n} (send features "
            f"only, without the label)"
        )
    return model.predict(xgb.DMatrix(data, missing=np.nan))


def output_fn(prediction: Any, accept: str | None) -> tuple[bytes, str]:
    kind = media_type(accept)
    p = np.asarray(prediction)
    if kind == CSV:
        return csv_lines([p]), CSV
    rows = [{"score": r.tolist() if p.ndim == 2 else float(r)} for r in p]
    if kind == JSON:
        return json.dumps({"predictions": rows}).encode(), JSON
    if kind == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in rows).encode(), JSONLINES
    raise BadRequest(f"accept type {accept!r} is not supported (text/csv, application/json)")

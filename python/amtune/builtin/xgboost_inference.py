"""Inference for the built-in XGBoost algorithm (SageMaker's inference handler contract).

As SageMaker's XGBoost image serves a model (``algorithm_mode/serve.py``):

- ``model_fn`` loads ``xgboost-model`` when the model directory has it (what amtune's training
  writes), else the directory's first regular file whose name does not start with a dot (in
  ``os.listdir`` order, as the image takes it). The file is unpickled (a pickled ``Booster``, as
  older images and the SDK's script mode wrote them), else read by ``Booster.load_model`` (UBJSON,
  JSON or the binary format); when both fail the error names the file and both reasons.
- Requests: ``text/csv`` (also ``csv``; ``label_size=1`` is allowed, any other ``label_size`` is
  refused) and ``text/libsvm`` (also ``text/x-libsvm``, ``libsvm``), parameters such as
  ``; charset=utf-8`` ignored; records of features (:mod:`amtune.builtin.inference_io`). amtune
  also reads ``application/json`` records, which the image refuses, and treats a request without
  a content type as CSV (the image: libsvm). RecordIO-protobuf, and any other type, is answered
  415 (Unsupported Media Type).
- The prediction is what ``Booster.predict`` returns (a probability for ``binary:logistic``, a
  value for regression, one row of class probabilities per record for ``multi:softprob``).
- Responses: ``text/csv`` when the request has no ``Accept`` (or ``*/*``; the model server's
  ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` overrides it), one line per record, a row's values joined
  by commas (``numpy.savetxt``, as the image encodes it); ``application/json``
  (``{"predictions": [{"score": ...}, ...]}``) or ``application/jsonlines``. Any other accept type
  is answered 406 (Not Acceptable).
- The image version: the model's container ``Image`` (CreateModel's ``PrimaryContainer.Image``,
  which amtune's model server passes as ``AMTUNE_IMAGE``; default ``1.7-1``). The legacy
  ``xgboost:1`` image and the ``sagemaker-xgboost`` images up to 1.2-1 answer ``text/csv``
  whatever the ``Accept``: the predictions joined by commas on one line
  (``",".join(map(str, predictions.tolist()))``: ``0.2,0.9``; a row of class probabilities is
  written as a Python list, ``[0.1, 0.9],[0.8, 0.2]``), as the container's ``serve.py`` did before
  PRs #269/#270/#271 (2022-04); 1.2-2 and later answer as above
  (:class:`amtune.builtin.xgboost_spec.CsvAnswer`).
- In a batch transform (``SAGEMAKER_BATCH`` set to any non-empty value, as SageMaker sets it and as
  the container tests it) a ``text/csv`` answer, and any answer of the images up to 1.2-1, is one
  prediction per line, each line ending with a line break (``"\\n".join(...) + "\\n"``).

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

import io
import json
import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from amtune import image_uris
from amtune.builtin.inference_io import (
    CSV,
    IMAGE_ENV,
    JSON,
    JSONLINES,
    LIBSVM,
    BadRequest,
    NotAcceptable,
    UnsupportedMediaType,
    in_batch_transform,
    media_type,
    parse_csv,
    parse_json,
    parse_libsvm,
)
from amtune.builtin.xgboost_spec import CsvAnswer, ImageVersion, image_version, version_of_image

MODEL_FILE = "xgboost-model"
#: The answer's type when a request has no ``Accept`` (or ``*/*``): the image's default.
DEFAULT_ACCEPT = CSV

_CSV_TYPES = (CSV, "csv")
_LIBSVM_TYPES = (LIBSVM, "text/x-libsvm", "libsvm")
_RECORDIO_TYPES = ("application/x-recordio-protobuf", "recordio-protobuf")
_SUPPORTED = "text/csv, text/libsvm, text/x-libsvm, application/json"


def model_file(model_dir: str | os.PathLike[str]) -> Path:
    """The file ``model_fn`` loads: ``xgboost-model``, else the first regular non-dot file."""
    d = Path(model_dir)
    if (d / MODEL_FILE).is_file():
        return d / MODEL_FILE
    for name in os.listdir(d):
        if not name.startswith(".") and (d / name).is_file():
            return d / name
    raise FileNotFoundError(f"no model file in {d} (expected {MODEL_FILE} or another file)")


def _reason(exc: BaseException, limit: int = 300) -> str:
    """An exception's message without XGBoost's C++ stack trace, on one line, at most ``limit``
    characters."""
    lines = []
    for line in str(exc).splitlines():
        if line.strip().startswith(("Stack trace:", "[bt]")):
            break
        if line.strip():
            lines.append(line.strip())
    text = " ".join(lines) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def serving_image(env: Mapping[str, str] | None = None) -> ImageVersion:
    """The image version the model is served as: that of ``AMTUNE_IMAGE`` (the model's container
    image URI) when it is an XGBoost image, else the default (1.7-1). A custom image whose name
    merely contains ``xgboost`` is served as the default.

    >>> serving_image({IMAGE_ENV: "sagemaker-xgboost:1.0-1-cpu-py3"}).tag
    '1.0-1'
    >>> serving_image({}).tag
    '1.7-1'
    """
    env = os.environ if env is None else env
    img = image_uris.try_parse(env.get(IMAGE_ENV) or "")
    if img is None or img.algorithm != "xgboost":
        return image_version(None)
    return image_version(version_of_image(img))


#: The XGBoost release that removed the old binary model format ("deprecated in 1.6 and removed
#: in 3.1", XGBoost's ``src/common/error_msg.cc``).
BINARY_FORMAT_REMOVED = (3, 1)


class _BoosterState:
    """What an ``xgboost.Booster`` unpickles to in :func:`pickled_booster_state`: its state."""

    state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _BoosterStateUnpickler(pickle.Unpickler):
    """Unpickles with ``xgboost.core.Booster`` as :class:`_BoosterState` (no XGBoost call)."""

    def find_class(self, module: str, name: str) -> Any:
        if module.split(".", 1)[0] == "xgboost" and name == "Booster":
            return _BoosterState
        return super().find_class(module, name)


def pickled_booster_state(blob: bytes) -> dict[str, Any] | None:
    """The state of the ``xgboost.Booster`` pickled in ``blob`` (its ``"handle"`` holds the
    model's bytes), without unpickling it through XGBoost; None when ``blob`` is not a pickled
    Booster. A Booster pickled by XGBoost before 1.0 (the 0.72 and 0.90 images) keeps its model
    there in XGBoost's old binary format, which today's ``Booster.__setstate__`` rejects.

    >>> import pickle
    >>> pickled_booster_state(pickle.dumps(_BoosterState())) is None
    True
    """
    try:
        obj = _BoosterStateUnpickler(io.BytesIO(blob)).load()
    except Exception:
        return None
    state = obj.state if isinstance(obj, _BoosterState) else None
    return state if isinstance(state, dict) else None


def _version(text: str) -> tuple[int, int]:
    """``(major, minor)`` of a version string: ``"3.2.0"`` -> ``(3, 2)``."""
    nums = [int(p) for p in re.findall(r"\d+", text)[:2]] + [0, 0]
    return nums[0], nums[1]


class OldBinaryFormatError(RuntimeError):
    """A model in XGBoost's old binary format, which the installed xgboost no longer reads."""


def _old_binary_format_error(path: Path, what: str, version: str) -> OldBinaryFormatError:
    return OldBinaryFormatError(
        f"Model {path} cannot be loaded: {what} in XGBoost's old binary model format, which the "
        f"installed xgboost {version} does not read (XGBoost removed that format in 3.1). Serve "
        f"it with xgboost<3.1 installed, or convert it once with xgboost 2.x installed: "
        f"amtune.builtin.xgboost_inference.model_fn(model_dir).save_model('xgboost-model.json') "
        f"writes it as JSON; serve a model directory that holds only that file."
    )


def _load_raw(path: Path, raw: bytes, old_binary: str | None) -> Any:
    """A Booster from model bytes (``Booster.load_model``). ``old_binary`` describes the bytes
    when they are in XGBoost's old binary format: then, with xgboost 3.1 or later, the error is
    an :class:`OldBinaryFormatError` that says so; any other failure is XGBoost's own error."""
    import xgboost as xgb

    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
    except Exception:
        if old_binary is not None and _version(xgb.__version__) >= BINARY_FORMAT_REMOVED:
            raise _old_binary_format_error(path, old_binary, xgb.__version__) from None
        raise
    return booster


def model_fn(model_dir: str) -> Any:
    """The model: the file :func:`model_file` names, unpickled (a pickled ``Booster``) or read by
    ``Booster.load_model``. A Booster pickled by XGBoost before 1.0 is loaded from the model
    bytes its pickle keeps (:func:`pickled_booster_state`), as the 0.72 and 0.90 images loaded
    it. A model in the old binary format fails, with xgboost 3.1 or later, with a message that
    says so (:class:`OldBinaryFormatError`)."""
    import xgboost as xgb

    serving_image()  # an image version amtune cannot read fails the server now, not per request
    path = model_file(model_dir)
    blob = path.read_bytes()
    try:
        # the model's own file, unpickled first as the image does (older images wrote pickles)
        booster = pickle.load(io.BytesIO(blob))
    except Exception as exc:
        pickle_error: str = _reason(exc)
    else:
        if isinstance(booster, xgb.Booster):
            return booster
        pickle_error = f"unpickled a {type(booster).__name__}, not an xgboost.Booster"
    state = pickled_booster_state(blob)
    handle = None if state is None else state.get("handle")
    if isinstance(handle, (bytes, bytearray)):  # a Booster pickled by XGBoost < 1.0
        raw, what = bytes(handle), "the model bytes of the pickled Booster"
        # JSON and UBJSON start with "{"; the binary format of XGBoost < 1.0 has no header
        old = None if raw[:1] == b"{" else "it is an xgboost.Booster pickled with its model"
    else:
        raw, what = blob, ""
        old = "it is a model file" if blob[:4] == b"binf" else None  # the 1.0-2.x binary header
    try:
        return _load_raw(path, raw, old)
    except OldBinaryFormatError:
        raise
    except Exception as exc:
        raise RuntimeError(
            f"Model {path} cannot be loaded:\nPickle load error={pickle_error}\n"
            f"XGB load model error{f' ({what})' if what else ''}={_reason(exc)}"
        ) from None


def input_fn(request_body: str | bytes, content_type: str | None) -> Any:
    kind = media_type(content_type)
    if kind in _CSV_TYPES:
        _check_label_size(content_type)
        return parse_csv(request_body)
    if kind in _LIBSVM_TYPES:
        return ("libsvm", request_body)
    if kind == JSON:
        return parse_json(request_body)
    if kind in _RECORDIO_TYPES:
        raise UnsupportedMediaType(
            f"content type {content_type!r}: amtune does not read RecordIO-protobuf requests; "
            f"send {_SUPPORTED}"
        )
    raise UnsupportedMediaType(
        f"content type {content_type!r} is not supported by XGBoost ({_SUPPORTED})"
    )


def _check_label_size(content_type: str | None) -> None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "label_size" and value.strip().strip('"') != "1":
            raise UnsupportedMediaType(
                f"content type {content_type!r}: label_size must be 1 for XGBoost"
            )


def predict_fn(data: Any, model: Any) -> Any:
    import xgboost as xgb

    if isinstance(data, xgb.DMatrix):  # an inference script's own input_fn made it
        return model.predict(data)
    n = model.num_features()
    if isinstance(data, tuple) and data[0] == "libsvm":
        data = parse_libsvm(data[1], n)
    elif data.shape[1] not in (n, n - 1):
        # the image's rule for dense requests: the model's feature count, or one fewer (a model
        # trained on 1-based LibSVM data counts an unused feature 0); XGBoost reads the columns
        # by position
        raise BadRequest(
            f"records have {data.shape[1]} features, the model was trained on {n}: send {n} "
            f"values a record (or {n - 1}, for a model trained on 1-based LibSVM data), features "
            f"only, without the label"
        )
    return model.predict(xgb.DMatrix(data, missing=np.nan))


def joined(prediction: Any, batch: bool) -> bytes:
    """The image's own CSV answer: ``str`` of each prediction (a list for a row of class
    probabilities) joined by commas on one line, or, in a batch transform, one per line.

    >>> joined(np.array([0.5, 0.25], dtype=np.float32), batch=False)
    b'0.5,0.25'
    >>> joined(np.array([[0.5, 0.5]]), batch=True)
    b'[0.5, 0.5]\\n'
    """
    items = map(str, np.asarray(prediction).tolist())
    return ("\n".join(items) + "\n" if batch else ",".join(items)).encode()


def output_fn(prediction: Any, accept: str | None) -> tuple[bytes, str]:
    """The answer as the serving image version encodes it (see the module's docstring)."""
    batch = in_batch_transform()
    if serving_image().csv_answer is CsvAnswer.COMMA_JOINED:
        # the images before container PR #269/#270/#271 never read the Accept
        return joined(prediction, batch), CSV
    kind = media_type(accept)
    p = np.asarray(prediction)
    if kind == CSV and batch:  # serve.py: "\n".join(map(str, preds_list)) + "\n"
        return joined(p, batch), CSV
    if kind == CSV:  # as the image's encoder: numpy.savetxt of the predictions' list
        out = io.StringIO()
        np.savetxt(out, p.tolist(), delimiter=",", fmt="%s")
        return out.getvalue().encode(), CSV
    rows = [{"score": r.tolist() if p.ndim == 2 else float(r)} for r in p]
    if kind == JSON:
        return json.dumps({"predictions": rows}).encode(), JSON
    if kind == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in rows).encode(), JSONLINES
    raise NotAcceptable(
        f"accept type {accept!r} is not supported (text/csv, application/json, "
        f"application/jsonlines)"
    )

"""SageMaker's inference handler contract, in process (no web framework needed).

A model is served through a Python module (SageMaker's ``inference.py``, named by
``SAGEMAKER_PROGRAM`` and found in ``SAGEMAKER_SUBMIT_DIRECTORY``, or any importable module such as
``amtune.builtin.xgboost_inference``) that defines some of these functions:

``model_fn(model_dir[, context]) -> model``
    Load the model from the training job's model directory (what the training code wrote to
    ``SM_MODEL_DIR``). Called once, when the model server starts. Required.
``input_fn(request_body, content_type[, context]) -> data``
    Deserialize the request. ``request_body`` is a ``str`` when the request's media type is
    ``application/json`` or ``text/csv`` (decoded as UTF-8) and ``bytes`` otherwise;
    ``content_type`` is the request's ``Content-Type`` header as sent (or None).
``predict_fn(data, model[, context]) -> prediction``
``output_fn(prediction, accept[, context]) -> body | (body, content_type)``
    Serialize the prediction for ``accept`` (the request's ``Accept`` header; when it is missing
    or ``*/*``, ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, else the module's ``DEFAULT_ACCEPT``,
    else ``application/json``: a container's own default, such as ``text/csv`` for the built-in
    XGBoost algorithm's module). The body is
    ``bytes`` or ``str`` (sent as UTF-8); without a content type, the response's content type is
    ``accept``. Any other value that ``json.dumps`` encodes (a dict, a list, a number) is sent as
    compact JSON (sorted keys, a final newline) with content type ``application/json``, as the
    scikit-learn and XGBoost containers' Flask worker answers a returned dict (the PyTorch
    container's model server also JSON-encodes it, but labels it ``accept``). A response object
    with ``get_data()`` and ``mimetype`` (``sagemaker_containers``' ``worker.Response``, a Flask
    response) gives its body, content type and status.
``transform_fn(model, request_body, content_type, accept[, context])``
    Returns like ``output_fn``; it replaces the three functions above, and defining it together
    with any of them is an error.

Each function may take one more positional argument, the :class:`Context` (the number of
parameters decides, as in the SageMaker inference toolkit). Missing functions get defaults:

- ``input_fn``: ``application/json`` -> ``numpy.array(json.loads(body))``; ``text/csv`` ->
  ``numpy.genfromtxt(body, delimiter=",")``; ``application/x-npy`` -> ``numpy.load`` (pickled
  object arrays are refused). Media-type parameters (``; charset=utf-8``) are ignored. Any other
  content type raises :class:`UnsupportedFormatError`.
- ``predict_fn``: ``model.predict(data)`` when the model has a ``predict`` method (as the
  scikit-learn container does), else an error asking for a ``predict_fn``.
- ``output_fn``: the first supported type of the comma-separated ``accept`` list among
  ``application/json`` (lists via ``tolist()``), ``text/csv`` (``numpy.savetxt`` with
  ``fmt="%s"``) and ``application/x-npy``.

A model that ``model_fn`` returns as a ``torch.nn.Module`` gets the PyTorch serving container's
defaults instead: the decoded array becomes a tensor (``float32`` from JSON and CSV, the array's
dtype from NPY), ``predict_fn`` calls ``model(tensor)`` under ``torch.no_grad()`` after
``model.eval()``, and a tensor prediction is encoded as nested lists. A model returned as an
``xgboost.Booster`` gets the XGBoost framework container's script-mode defaults
(:mod:`amtune.serve.xgboost_framework`: ``text/csv`` or ``text/libsvm`` in, a ``DMatrix`` to
``Booster.predict(..., validate_features=False)``, the predictions as a JSON list, CSV lines or
NPY out), not the built-in algorithm's (:mod:`amtune.builtin.xgboost_inference`, which serves a
model without a user module).

Errors: an exception with an integer ``status_code`` (:class:`InferenceError`, or the toolkit's
``BaseInferenceToolkitError``) answers with that status, its ``phrase`` as the reason and its
``message`` plus the traceback as the body; any other exception answers 500 with its text and the
traceback. The router turns every non-200 answer into SageMaker's ``ModelError`` (HTTP 424 with
``OriginalStatusCode``).

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> with open(os.path.join(d, "inference.py"), "w") as f:
...     _ = f.write("def model_fn(model_dir):\\n    return 2.0\\n"
...                 "def predict_fn(data, model):\\n    return data * model\\n")
>>> h = Handler.load(model_dir=d, program="inference.py", submit_dir=d)
>>> r = h.invoke(b"1,2\\n3,4", content_type="text/csv", accept="text/csv")
>>> r.status, r.content_type, r.body
(200, 'text/csv', b'2.0,4.0\\n6.0,8.0\\n')
>>> h.invoke(b"[1, 2]", content_type="application/json").body
b'[2.0, 4.0]'
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
OCTET_STREAM = "application/octet-stream"
ANY = "*/*"
UTF8_TYPES = (JSON, CSV)
DEFAULT_ACCEPT_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"

__all__ = [
    "CSV",
    "JSON",
    "NPY",
    "Context",
    "Handler",
    "InferenceError",
    "Response",
    "UnsupportedFormatError",
    "decode",
    "encode",
]


class InferenceError(Exception):
    """Raise from a handler function to answer with ``status_code`` (e.g. 400 for bad input).

    ``message`` goes in the response body, ``phrase`` (default: the message) is the HTTP reason.
    """

    def __init__(self, status_code: int, message: str | None = None, phrase: str | None = None):
        self.status_code = int(status_code)
        self.message = message or "Invalid Request"
        self.phrase = phrase or self.message
        super().__init__(self.status_code, self.message, self.phrase)


class UnsupportedFormatError(InferenceError):
    """A content type or accept type the default functions cannot handle (HTTP 500, as the
    SageMaker inference toolkit answers)."""

    def __init__(self, content_type: str | None) -> None:
        super().__init__(
            500,
            f"Content type {content_type} is not supported by this framework.\n\nImplement "
            f"input_fn to deserialize the request data or output_fn to serialize the response.",
        )


@dataclass
class Context:
    """The optional last argument of the handler functions.

    ``model_dir``: the model directory; ``request_headers``: the invocation's headers (lower-case
    names); ``custom_attributes``: ``X-Amzn-SageMaker-Custom-Attributes`` of the request.
    Set ``response_custom_attributes`` to return custom attributes to the caller.
    """

    model_dir: str
    request_headers: Mapping[str, str] = field(default_factory=dict)
    response_custom_attributes: str | None = None

    @property
    def custom_attributes(self) -> str | None:
        return self.request_headers.get("x-amzn-sagemaker-custom-attributes")

    @property
    def system_properties(self) -> dict[str, Any]:
        """The multi-model-server names some handlers read (``model_dir``, ``gpu_id``)."""
        return {"model_dir": self.model_dir, "gpu_id": None, "batch_size": 1}

    def get_request_header(self, idx: int, key: str) -> str | None:
        """The multi-model-server accessor (``idx`` is the request's index in a batch: 0)."""
        return self.request_headers.get(key.lower())


@dataclass(frozen=True)
class Response:
    """What the model answered: status, body bytes, content type, reason phrase."""

    status: int
    body: bytes
    content_type: str
    phrase: str = "OK"
    custom_attributes: str | None = None


# ====================================================================== default (de)serializers
def media_type(content_type: str | None) -> str | None:
    """``"text/csv; charset=utf-8"`` -> ``"text/csv"`` (lower case, parameters dropped)."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def decode(body: str | bytes, content_type: str | None) -> Any:
    """The default ``input_fn``: JSON, CSV or NPY to a numpy array."""
    import numpy as np

    mt = media_type(content_type)
    if mt == JSON:
        return np.array(json.loads(body))
    if mt == CSV:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return np.genfromtxt(io.StringIO(text), delimiter=",")
    if mt == NPY:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return np.load(io.BytesIO(raw), allow_pickle=False)
    raise UnsupportedFormatError(content_type)


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def encode(prediction: Any, content_type: str) -> bytes:
    """Serialize a prediction as ``content_type`` (JSON, CSV or NPY)."""
    import numpy as np

    mt = media_type(content_type)
    if mt == JSON:
        return json.dumps(prediction, default=_json_default).encode("utf-8")
    if mt == CSV:
        s = io.StringIO()
        np.savetxt(s, prediction, delimiter=",", fmt="%s")
        return s.getvalue().encode("utf-8")
    if mt == NPY:
        b = io.BytesIO()
        np.save(b, prediction)
        return b.getvalue()
    raise UnsupportedFormatError(content_type)


def _default_model_fn(model_dir: str) -> Any:
    raise NotImplementedError(
        "the inference module defines no model_fn; define model_fn(model_dir) to load the model"
    )


def _default_input_fn(input_data: Any, content_type: str | None) -> Any:
    return decode(input_data, content_type)


def _default_predict_fn(data: Any, model: Any) -> Any:
    predict = getattr(model, "predict", None)
    if predict is None:
        raise NotImplementedError(
            "the inference module defines no predict_fn and the model has no predict method; "
            "define predict_fn(data, model)"
        )
    return predict(data)


def _default_output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    for ct in accept.replace(" ", "").split(","):
        if media_type(ct) in (JSON, CSV, NPY):
            return encode(prediction, ct), ct
    raise UnsupportedFormatError(accept)


# ---------------------------------------------------------------------- framework models
def torch_of(model: Any) -> Any:
    """The ``torch`` module when ``model`` is a ``torch.nn.Module`` (TorchScript included), else
    None. torch is never imported here: a torch model's ``model_fn`` has imported it already."""
    torch = sys.modules.get("torch")
    nn = getattr(torch, "nn", None)
    module = getattr(nn, "Module", None)
    return torch if isinstance(module, type) and isinstance(model, module) else None


def booster_of(model: Any) -> bool:
    """Whether ``model`` is an ``xgboost.Booster`` (xgboost is never imported here either)."""
    booster = getattr(sys.modules.get("xgboost"), "Booster", None)
    return isinstance(booster, type) and isinstance(model, booster)


def _torch_device(torch: Any) -> Any:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _torch_input_fn(input_data: Any, content_type: str | None) -> Any:
    """As the SageMaker PyTorch serving container: the decoded array as a tensor (float32 for
    JSON and CSV, the array's own dtype for NPY) on the model's device."""
    torch = sys.modules["torch"]
    array = decode(input_data, content_type)
    if media_type(content_type) in UTF8_TYPES:
        tensor = torch.as_tensor(array, dtype=torch.float32)
    else:
        tensor = torch.from_numpy(array)
    return tensor.to(_torch_device(torch))


def _torch_predict_fn(data: Any, model: Any) -> Any:
    """``model(data)`` in evaluation mode, without gradients, on one device."""
    torch = sys.modules["torch"]
    device = _torch_device(torch)
    if not isinstance(data, torch.Tensor):
        data = torch.as_tensor(data)
    with torch.no_grad():
        model = model.to(device)
        model.eval()
        return model(data.to(device))


def _torch_output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    """A tensor as nested lists, then the default encoding for ``accept``."""
    torch = sys.modules["torch"]
    if isinstance(prediction, torch.Tensor):
        prediction = prediction.detach().cpu().numpy().tolist()
    return _default_output_fn(prediction, accept)


# ====================================================================== loading a module
def load_module(
    program: str | None, submit_dir: str | os.PathLike[str] | None
) -> ModuleType | None:
    """The inference module: ``program`` is a file in ``submit_dir`` (``inference.py``) or a
    dotted module name; None (or a missing default ``inference.py``) gives no module (defaults).

    ``submit_dir`` is put first on ``sys.path`` so the module can import its neighbours, as in
    SageMaker's containers.
    """
    if submit_dir is not None:
        d = str(Path(submit_dir).resolve())
        if d not in sys.path:
            sys.path.insert(0, d)
    if program is None:
        if submit_dir is None or not (Path(submit_dir) / "inference.py").is_file():
            return None
        program = "inference.py"
    if program.endswith(".py"):
        path = Path(program) if submit_dir is None else Path(submit_dir) / program
        if not path.is_file():
            raise FileNotFoundError(f"SAGEMAKER_PROGRAM: no file {path}")
        name = path.stem
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
            raise ImportError(f"SAGEMAKER_PROGRAM: cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(program)


def _module_default_accept(module: ModuleType | None) -> str | None:
    """The module's ``DEFAULT_ACCEPT`` (a non-empty string), else None."""
    value = getattr(module, "DEFAULT_ACCEPT", None)
    return value if isinstance(value, str) and value.strip() else None


def _n_params(fn: Callable[..., Any]) -> int:
    return len(inspect.signature(fn).parameters)


# ====================================================================== the handler
class Handler:
    """One model behind the inference contract; :meth:`invoke` answers one request.

    Build it with :meth:`load` (imports the module and calls ``model_fn`` once).
    """

    def __init__(
        self,
        module: ModuleType | None,
        model_dir: str | os.PathLike[str],
        *,
        default_accept: str | None = None,
    ) -> None:
        self.model_dir = str(model_dir)
        self.default_accept = (
            default_accept
            or os.environ.get(DEFAULT_ACCEPT_ENV)
            or _module_default_accept(module)
            or JSON
        )
        get: Callable[[str], Any] = (
            (lambda n: getattr(module, n, None)) if module is not None else (lambda n: None)
        )
        transform_fn = get("transform_fn")
        input_fn, predict_fn, output_fn = get("input_fn"), get("predict_fn"), get("output_fn")
        if transform_fn is not None and (input_fn or predict_fn or output_fn):
            raise ValueError(
                "inference module: transform_fn cannot be combined with input_fn, predict_fn or "
                "output_fn; define either transform_fn or the three others"
            )
        self._model_fn: Callable[..., Any] = get("model_fn") or _default_model_fn
        self._input_fn: Callable[..., Any] = input_fn or _default_input_fn
        self._predict_fn: Callable[..., Any] = predict_fn or _default_predict_fn
        self._output_fn: Callable[..., Any] = output_fn or _default_output_fn
        self._transform_fn: Callable[..., Any] = transform_fn or self._default_transform_fn
        self._arity: dict[Callable[..., Any], int] = {}
        self.model: Any = None
        self.loaded = False

    @classmethod
    def load(
        cls,
        model_dir: str | os.PathLike[str],
        program: str | None = None,
        submit_dir: str | os.PathLike[str] | None = None,
        *,
        default_accept: str | None = None,
    ) -> Handler:
        """Import the inference module and load the model (``model_fn``) now."""
        h = cls(load_module(program, submit_dir), model_dir, default_accept=default_accept)
        h.load_model()
        return h

    def load_model(self) -> None:
        ctx = Context(self.model_dir)
        self.model = self._call(self._model_fn, ctx, self.model_dir)
        defaults: tuple[Callable[..., Any], ...] | None = None
        if torch_of(self.model) is not None:  # the PyTorch serving container's defaults
            defaults = (_torch_input_fn, _torch_predict_fn, _torch_output_fn)
        elif booster_of(self.model):
            # the XGBoost container's defaults for a user module (script mode); the built-in
            # algorithm is served by amtune.builtin.xgboost_inference, which defines all three
            from amtune.serve import xgboost_framework as xgb_fw

            defaults = (xgb_fw.input_fn, xgb_fw.predict_fn, xgb_fw.output_fn)
        if defaults is not None:
            if self._input_fn is _default_input_fn:
                self._input_fn = defaults[0]
            if self._predict_fn is _default_predict_fn:
                self._predict_fn = defaults[1]
            if self._output_fn is _default_output_fn:
                self._output_fn = defaults[2]
        self.loaded = True

    def _call(self, fn: Callable[..., Any], ctx: Context, *args: Any) -> Any:
        n = self._arity.get(fn)
        if n is None:
            n = self._arity[fn] = _n_params(fn)
        if n == len(args):
            return fn(*args)
        if n == len(args) + 1:
            return fn(*args, ctx)
        name = getattr(fn, "__name__", repr(fn))
        raise TypeError(f"{name} takes {n} arguments but {len(args)} were given")

    def _default_transform_fn(
        self, model: Any, input_data: Any, content_type: str | None, accept: str, ctx: Context
    ) -> Any:
        data = self._call(self._input_fn, ctx, input_data, content_type)
        prediction = self._call(self._predict_fn, ctx, data, model)
        return self._call(self._output_fn, ctx, prediction, accept)

    def invoke(
        self,
        body: bytes,
        content_type: str | None = None,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Answer one request; never raises (errors become a non-200 :class:`Response`)."""
        ctx = Context(self.model_dir, {k.lower(): v for k, v in (headers or {}).items()})
        if not accept or accept == ANY:
            accept = self.default_accept
        try:
            if not self.loaded:
                self.load_model()
            data: str | bytes = body
            if media_type(content_type) in UTF8_TYPES:
                data = body.decode("utf-8")
            result = self._call(self._transform_fn, ctx, self.model, data, content_type, accept)
            status, body, rct = _answer(result, accept)
            return Response(status, body, rct, custom_attributes=ctx.response_custom_attributes)
        except Exception as exc:
            return error_response(exc)


def _answer(result: Any, accept: str) -> tuple[int, bytes, str]:
    """``(status, body, content type)`` of what ``output_fn``/``transform_fn`` returned: a body
    (content type ``accept``), a ``(body, content_type)`` tuple, or a response object with
    ``get_data()`` and ``mimetype`` (Flask's, as ``sagemaker_containers``' ``worker.Response``)."""
    if isinstance(result, tuple):
        out, rct = result[0], result[1]
        return 200, _to_bytes(out), str(rct)
    get_data = getattr(result, "get_data", None)
    if callable(get_data) and hasattr(result, "mimetype"):
        status = getattr(result, "status_code", 200)
        rct = getattr(result, "content_type", None) or result.mimetype or accept
        return int(status), _to_bytes(get_data()), str(rct)
    if isinstance(result, (bytes, bytearray, memoryview, str)):
        return 200, _to_bytes(result), accept
    return 200, _to_bytes(result), JSON  # a JSON-encoded value, as Flask's jsonify labels it


def _to_bytes(out: Any) -> bytes:
    """A body as bytes: bytes and str (UTF-8) as they are; any other value that ``json.dumps``
    can encode (dict, list, number, ...) as compact JSON with sorted keys and a final newline,
    as the scikit-learn and XGBoost containers' Flask worker answers a returned dict (and MMS
    JSON-encodes any value)."""
    if isinstance(out, bytes):
        return out
    if isinstance(out, (bytearray, memoryview)):
        return bytes(out)
    if isinstance(out, str):
        return out.encode("utf-8")
    if out is None:  # a forgotten return; the containers answer 500 too
        raise TypeError("output_fn/transform_fn returned None (no answer)")
    try:
        text = json.dumps(out, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"output_fn/transform_fn must return bytes, str or a JSON-serializable value (or a "
            f"(body, content_type) tuple), got {type(out).__name__}: {exc}"
        ) from None
    return (text + "\n").encode("utf-8")


def error_response(exc: BaseException) -> Response:
    """The answer for an exception raised by a handler function (status from ``status_code``)."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    code = getattr(exc, "status_code", None)
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        message = str(getattr(exc, "message", exc))
        phrase = str(getattr(exc, "phrase", message) or message)
    else:
        code, message, phrase = 500, str(exc), str(exc)
    phrase = phrase.replace("\r", " ").replace("\n", " ")
    return Response(code, f"{message}\n{trace}".encode(), "text/plain", phrase=phrase)

"""The inference handler contract (amtune.serve.handler), and a differential test against the
SageMaker inference toolkit's own in-process Transformer (``sagemaker-inference``)."""

from __future__ import annotations

import io
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from amtune.serve.handler import Handler, InferenceError, decode, encode

SCALE = textwrap.dedent(
    """
    import json, os
    import numpy as np

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["scale"]

    def predict_fn(data, model):
        return np.asarray(data) * model
    """
)

WITH_CONTEXT = textwrap.dedent(
    """
    try:  # the toolkit honours only its own error class; amtune honours any status_code
        from sagemaker_inference.errors import BaseInferenceToolkitError as Err
    except ImportError:
        class Err(Exception):
            def __init__(self, status_code, message, phrase):
                self.status_code, self.message, self.phrase = status_code, message, phrase

    def model_fn(model_dir, context):
        return {"dir": model_dir}

    def input_fn(body, content_type, context):
        if body == "bad":
            raise Err(400, "bad input", "Bad Request")
        if body == "boom":
            raise RuntimeError("boom")
        return body

    def predict_fn(data, model, context):
        return data.upper()

    def output_fn(prediction, accept, context):
        return prediction, "text/plain"
    """
)

TRANSFORM = textwrap.dedent(
    """
    def model_fn(model_dir):
        return 3

    def transform_fn(model, body, content_type, accept):
        return f"{model}:{content_type}:{accept}:{body}"
    """
)


def _model(tmp_path: Path, code: str, scale: float = 2.0) -> Path:
    d = tmp_path / f"m{abs(hash(code)) % 10**8}"
    d.mkdir()
    (d / "inference.py").write_text(code)
    (d / "model.json").write_text(json.dumps({"scale": scale}))
    return d


def test_defaults_json_csv_npy(tmp_path: Path) -> None:
    d = _model(tmp_path, SCALE)
    h = Handler.load(d, "inference.py", d)
    r = h.invoke(b"[[1, 2], [3, 4]]", "application/json", "application/json")
    assert (r.status, r.content_type, json.loads(r.body)) == (
        200,
        "application/json",
        [[2.0, 4.0], [6.0, 8.0]],
    )
    r = h.invoke(b"1,2\n3,4\n", "text/csv; charset=utf-8", "text/csv")
    assert r.body == b"2.0,4.0\n6.0,8.0\n"
    buf = io.BytesIO()
    np.save(buf, np.arange(3.0))
    r = h.invoke(buf.getvalue(), "application/x-npy", "application/x-npy")
    assert r.content_type == "application/x-npy"
    np.testing.assert_array_equal(np.load(io.BytesIO(r.body)), [0.0, 2.0, 4.0])
    # Accept missing or */* -> the default accept (application/json)
    assert h.invoke(b"[1]", "application/json", "*/*").content_type == "application/json"
    # the first supported type of an Accept list
    r = h.invoke(b"[1]", "application/json", "image/png, text/csv")
    assert (r.content_type, r.body) == ("text/csv", b"2.0\n")


def test_unsupported_types_are_500_as_in_the_toolkit(tmp_path: Path) -> None:
    d = _model(tmp_path, SCALE)
    h = Handler.load(d, "inference.py", d)
    r = h.invoke(b"x", "image/png", "application/json")
    assert r.status == 500 and b"image/png is not supported" in r.body
    r = h.invoke(b"[1]", "application/json", "image/png")
    assert r.status == 500 and b"image/png is not supported" in r.body


def test_context_argument_and_error_status(tmp_path: Path) -> None:
    d = _model(tmp_path, WITH_CONTEXT)
    h = Handler.load(d, "inference.py", d)
    assert h.model == {"dir": str(d)}
    r = h.invoke(b"hello", "text/csv")
    assert (r.status, r.body, r.content_type) == (200, b"HELLO", "text/plain")
    r = h.invoke(b"bad", "text/csv")
    assert (r.status, r.phrase) == (400, "Bad Request")
    assert r.body.startswith(b"bad input\n")
    r = h.invoke(b"boom", "text/csv")
    assert r.status == 500 and r.body.startswith(b"boom\n")


def test_transform_fn_and_its_exclusivity(tmp_path: Path) -> None:
    d = _model(tmp_path, TRANSFORM)
    h = Handler.load(d, "inference.py", d)
    r = h.invoke(b"abc", "text/csv", None)
    assert r.body == b"3:text/csv:application/json:abc"
    bad = _model(tmp_path, TRANSFORM + "\ndef predict_fn(d, m):\n    return d\n")
    with pytest.raises(ValueError, match="transform_fn cannot be combined"):
        Handler.load(bad, "inference.py", bad)


def test_dotted_module_and_missing_model_fn(tmp_path: Path) -> None:
    with pytest.raises(NotImplementedError, match="model_fn"):
        Handler.load(tmp_path, None, None)
    with pytest.raises(FileNotFoundError, match="SAGEMAKER_PROGRAM"):
        Handler.load(tmp_path, "nope.py", tmp_path)


def test_inference_error_and_codecs() -> None:
    e = InferenceError(404)
    assert (e.status_code, e.message, e.phrase) == (404, "Invalid Request", "Invalid Request")
    assert encode([1, 2], "application/json") == b"[1, 2]"
    np.testing.assert_array_equal(decode("1,2", "text/csv"), [1.0, 2.0])


# ====================================================================== differential test
class _FakeRequestProcessor:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def get_request_properties(self) -> dict[str, str]:
        return self.headers


class _FakeMMSContext:
    """The multi-model-server context object the toolkit's Transformer reads and writes."""

    def __init__(self, model_dir: str, headers: dict[str, str]) -> None:
        self.system_properties = {"model_dir": model_dir}
        self.request_processor = [_FakeRequestProcessor(headers)]
        self.status: tuple[int, str] | None = None
        self.content_type: str | None = None

    def set_response_content_type(self, idx: int, ct: str) -> None:
        self.content_type = ct

    def set_response_status(self, code: int, phrase: str) -> None:
        self.status = (code, phrase)


CASES: list[tuple[str, str, bytes, str | None, str | None]] = [
    ("scale", SCALE, b"[[1, 2], [3, 4]]", "application/json", "application/json"),
    ("scale", SCALE, b"[1.5, 2.5]", "application/json", None),
    ("scale", SCALE, b"[1.5, 2.5]", "application/json", "*/*"),
    ("scale", SCALE, b"1,2\n3,4\n", "text/csv", "text/csv"),
    ("scale", SCALE, b"1,2,3", "text/csv", "application/json"),
    ("scale", SCALE, b"[1, 2]", "application/json", "text/csv, application/json"),
    ("scale", SCALE, b"[1, 2]", "application/json", "application/x-npy"),
    ("scale", SCALE, b"x", "image/png", "application/json"),
    ("scale", SCALE, b"[1]", "application/json", "image/png"),
    ("ctx", WITH_CONTEXT, b"hello", "text/csv", "text/csv"),
    ("ctx", WITH_CONTEXT, b"bad", "text/csv", "text/csv"),
    ("ctx", WITH_CONTEXT, b"boom", "text/csv", "text/csv"),
    ("transform", TRANSFORM, b"abc", "text/csv", None),
    ("transform", TRANSFORM, b"\x00\x01", "application/octet-stream", "text/plain"),
]


@pytest.mark.parametrize(("kind", "code", "body", "ctype", "accept"), CASES)
def test_same_answer_as_sagemaker_inference_toolkit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    code: str,
    body: bytes,
    ctype: str | None,
    accept: str | None,
) -> None:
    transformer = pytest.importorskip("sagemaker_inference.transformer")
    d = _model(tmp_path, code)
    monkeypatch.syspath_prepend(str(d))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "inference.py")
    monkeypatch.delitem(sys.modules, "inference", raising=False)
    headers = {"Content-Type": ctype} if ctype else {}
    if accept is not None:
        headers["Accept"] = accept
    mms = _FakeMMSContext(str(d), headers)
    theirs: Any = transformer.Transformer().transform([{"body": body}], mms)[0]
    their_status = mms.status[0] if mms.status else 200
    their_body = theirs.encode() if isinstance(theirs, str) else bytes(theirs)

    monkeypatch.delitem(sys.modules, "inference", raising=False)
    ours = Handler.load(d, "inference.py", d).invoke(body, ctype, accept, headers)
    assert ours.status == their_status
    if their_status == 200:
        assert ours.body == their_body
        assert ours.content_type == mms.content_type
    else:  # the body is the message then a traceback (paths and line numbers differ)
        assert ours.body.split(b"\n", 1)[0] == their_body.split(b"\n", 1)[0]
        assert mms.status is not None
        if kind == "ctx":  # errors raised by the user's code keep their phrase
            assert ours.phrase == mms.status[1]


@pytest.mark.parametrize(
    "name", ["amtune.serve.handler", "amtune.serve.cwmetrics", "amtune.serve.cloudwatch_api"]
)
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert tests
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    failed = sum(runner.run(t, out=report.append).failed for t in tests)
    assert failed == 0, "".join(report)

"""Which inference code a framework estimator's model serves (F1 of nbcheck11), and what a
handler's non-bytes answer becomes (F3): a dict, list or number that ``output_fn`` returns is
sent as JSON, as the scikit-learn and XGBoost containers' Flask worker sends it. Endpoints run on
127.0.0.1 and are stopped by the tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from service_helpers import running_service

from amtune.serve.handler import Handler

# a scikit-learn script whose handlers answer a dict, as AWS's sklearn_byom notebook's do
DICT_SCRIPT = textwrap.dedent(
    """
    import json, os

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "m.json")) as f:
            return json.load(f)["k"]

    def input_fn(body, content_type):
        return json.loads(body)["Input"]

    def predict_fn(data, model):
        return [model * len(row) for row in data]

    def output_fn(prediction, accept):
        return {"Output": prediction, "Accept": accept}

    if __name__ == "__main__":
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "m.json"), "w") as f:
            json.dump({"k": 10}, f)
    """
)


def _module(tmp_path: Path, output: str) -> Handler:
    (tmp_path / "inference.py").write_text(
        "def model_fn(model_dir):\n    return 1\n"
        "def predict_fn(data, model):\n    return data\n"
        f"def output_fn(prediction, accept):\n    return {output}\n"
    )
    return Handler.load(tmp_path, "inference.py", tmp_path)


# ====================================================================== F3: the handler
@pytest.mark.parametrize(
    ("output", "body"),
    [
        ('{"b": 1, "a": [1, 2.5]}', b'{"a":[1,2.5],"b":1}\n'),  # Flask's jsonify: compact, sorted
        ("[1, 2, {'x': None}]", b'[1,2,{"x":null}]\n'),
        ("3.5", b"3.5\n"),
        ("True", b"true\n"),
    ],
)
def test_a_json_value_from_output_fn_is_sent_as_json(
    tmp_path: Path, output: str, body: bytes
) -> None:
    r = _module(tmp_path, output).invoke(b"[1]", "application/json", "text/csv")
    assert (r.status, r.body, r.content_type) == (200, body, "application/json")


@pytest.mark.parametrize(
    ("output", "body", "content_type"),
    [
        ('"1,2"', b"1,2", "text/csv"),  # a str: the accept type, as before
        ('({"a": 1}, "application/vnd+json")', b'{"a":1}\n', "application/vnd+json"),
    ],
)
def test_str_and_tuples_keep_their_content_type(
    tmp_path: Path, output: str, body: bytes, content_type: str
) -> None:
    r = _module(tmp_path, output).invoke(b"[1]", "application/json", "text/csv")
    assert (r.status, r.body, r.content_type) == (200, body, content_type)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (
            "object()",
            b"must return bytes, str or a JSON-serializable value (or a (body, content_type) tuple), got object",
        ),
        ("None", b"returned None"),
    ],
)
def test_a_value_json_cannot_encode_is_still_a_500_naming_it(
    tmp_path: Path, output: str, message: bytes
) -> None:
    r = _module(tmp_path, output).invoke(b"[1]", "application/json", "application/json")
    assert r.status == 500 and message in r.body


# ====================================================================== F3: an endpoint
def test_sklearn_endpoint_answers_the_dict_of_output_fn_as_json(tmp_path: Path) -> None:
    import amtune
    from amtune.serve.deployment import ServiceClient

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(DICT_SCRIPT)
    db = tmp_path / "amtune.db"
    est = amtune.SKLearn("train.py", source_dir=str(src), db=db, notices=False)
    est.fit(job_name="sk-dict", logs=False)
    with running_service(db) as svc:
        p = est.deploy(endpoint_name="sk-dict", url=svc.url)  # type: ignore[attr-defined]
        try:
            body, headers = ServiceClient(svc.url).invoke(  # type: ignore[attr-defined]
                "sk-dict", json.dumps({"Input": [[1, 2], [3]]}).encode(), "application/json",
                "application/json",
            )  # fmt: skip
            assert headers["content-type"] == "application/json"
            assert json.loads(body) == {"Output": [20, 10], "Accept": "application/json"}
        finally:
            p.delete_endpoint()


# ====================================================================== F1: the entry point
TRAIN = textwrap.dedent(
    """
    import os

    def model_fn(model_dir):
        return "train.py"

    if __name__ == "__main__":
        open(os.path.join(os.environ["SM_MODEL_DIR"], "m.txt"), "w").write("x")
    """
)


def test_without_source_dir_the_entry_point_is_served_not_a_neighbouring_inference_py(
    tmp_path: Path,
) -> None:
    import amtune
    from amtune.serve.deployment import resolve_model
    from amtune.serve.state import ServeState

    code = tmp_path / "nb"
    code.mkdir()
    (code / "train.py").write_text(TRAIN)
    (code / "inference.py").write_text("def model_fn(d):\n    raise RuntimeError('not mine')\n")
    db = tmp_path / "amtune.db"
    est = amtune.SKLearn(str(code / "train.py"), db=db, notices=False)  # no source_dir
    est.fit(job_name="sk-alone", logs=False)
    st = ServeState(db)
    try:
        assert resolve_model(st, "sk-alone", framework="SKLearn").program == "train.py"
    finally:
        st.close()

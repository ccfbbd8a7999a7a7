"""A threshold model and its inference code, kept by an endpoint service, for the batch transform
tests (``test_sdk_transformer.py``, ``test_sdk_sweep19.py``)."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import amtune

# CSV rows in, one "label" line per row out; an answer for the whole request on one line with
# accept application/json (what the SKLearn container's default JSON output looks like); the
# model's SLEEP environment variable: seconds per request, so that a job can be stopped midway
INFERENCE = textwrap.dedent(
    """
    import json, os, time
    import numpy as np

    SLEEP = float(os.environ.get("SLEEP", "0"))

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["threshold"]

    def input_fn(body, content_type):
        if "fail" in body:
            raise ValueError("cannot read " + body.strip())
        return np.loadtxt(body.splitlines(), delimiter=",", ndmin=2)

    def predict_fn(data, model):
        time.sleep(SLEEP)
        return (data[:, 0] > model).astype(int)

    def output_fn(prediction, accept):
        if accept == "application/json":
            return json.dumps(prediction.tolist())
        return "".join(f"{p}\\n" for p in prediction)
    """
)


def write_threshold_model(root: Path) -> None:
    """``root/code/inference.py`` and ``root/model/model.json`` (threshold 0.5)."""
    (root / "code").mkdir()
    (root / "code" / "inference.py").write_text(INFERENCE)
    (root / "model").mkdir()
    (root / "model" / "model.json").write_text('{"threshold": 0.5}')


def threshold_model(root: Path, session: amtune.Session, **kw: Any) -> amtune.Model:
    """The model that :func:`write_threshold_model` wrote, on ``session``'s service."""
    return amtune.Model(
        "my-image:1",
        str(root / "model"),
        entry_point="inference.py",
        source_dir=str(root / "code"),
        sagemaker_session=session,
        **kw,
    )


@contextlib.contextmanager
def threshold_service(root: Path, batch: Mapping[str, str]) -> Iterator[amtune.Session]:
    """The threshold model and the ``batch`` files (path below ``root/batch`` -> text) written,
    and a session of an endpoint service on 127.0.0.1 (control plane only) for ``root/amtune.db``,
    stopped at the end."""
    from amtune.serve.service import EndpointService

    write_threshold_model(root)
    for rel, text in batch.items():
        (root / "batch" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "batch" / rel).write_text(text)
    svc = EndpointService(root / "amtune.db", serve_models=False).start()
    try:
        yield amtune.Session(db=root / "amtune.db", url=svc.url)
    finally:
        svc.stop()

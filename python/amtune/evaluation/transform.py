"""Batch inference on historical data (SageMaker's batch transform), ``amtune transform``.

Every file of the input (a file or a directory, recursively) is read as records, one per line
(``SplitType=Line``), sent to the model in mini-batches of at most ``max_records`` records through
the inference handler contract (``input_fn`` -> ``predict_fn`` -> ``output_fn``), and the answers
are written to ``<output>/<relative path>.out``, one line per record (``AssembleWith=Line``), in
the input's order. The model is the training job's (:mod:`amtune.evaluation.models`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.builtin.data import channel_files
from amtune.evaluation.models import TrainedModel, load_inference_module

__all__ = ["Invoker", "TransformResult", "transform"]

DEFAULT_MAX_RECORDS = 1000


class Invoker:
    """A loaded model behind its inference module's functions."""

    def __init__(self, trained: TrainedModel) -> None:
        self.module = load_inference_module(trained.program)
        for fn in ("model_fn", "predict_fn"):
            if not callable(getattr(self.module, fn, None)):
                raise ValueError(
                    f"inference code {trained.program}: defines no {fn} (the contract needs "
                    f"model_fn and predict_fn; input_fn and output_fn for other than numbers)"
                )
        self.model = self.module.model_fn(str(trained.model_dir))

    def _fn(self, name: str) -> Callable[..., Any] | None:
        fn = getattr(self.module, name, None)
        return fn if callable(fn) else None

    def predict(self, body: bytes, content_type: str) -> Any:
        """``predict_fn(input_fn(body, content_type), model)``."""
        input_fn = self._fn("input_fn")
        if input_fn is not None:
            text = content_type.startswith(("text/", "application/json"))
            data = input_fn(body.decode("utf-8") if text else body, content_type)
        else:
            import numpy as np

            data = np.genfromtxt(body.decode("utf-8").splitlines(), delimiter=",", ndmin=2)
        predict_fn = self._fn("predict_fn")
        assert predict_fn is not None
        return predict_fn(data, self.model)

    def invoke(self, body: bytes, content_type: str, accept: str) -> bytes:
        prediction = self.predict(body, content_type)
        output_fn = self._fn("output_fn")
        if output_fn is None:
            import io

            import numpy as np

            out = io.StringIO()
            p = np.asarray(prediction)
            np.savetxt(out, p.reshape(len(p), -1), delimiter=",", fmt="%s")
            return out.getvalue().encode()
        res = output_fn(prediction, accept)
        if isinstance(res, tuple):
            res = res[0]
        return res.encode() if isinstance(res, str) else bytes(res)


def _batches(path: Path, size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            batch.append(line if line.endswith(b"\n") else line + b"\n")
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


@dataclass
class TransformResult:
    files: list[Path]
    records: int


def transform(
    trained: TrainedModel,
    input_path: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    content_type: str = "text/csv",
    accept: str = "text/csv",
    max_records: int = DEFAULT_MAX_RECORDS,
) -> TransformResult:
    """Run the training job's model on every record of ``input_path``; see the module doc."""
    if max_records < 1:
        raise ValueError(f"max_records: must be an integer >= 1, got {max_records}")
    src = Path(input_path)
    files = channel_files(src, "input")
    out_root = Path(output_dir)
    invoker = Invoker(trained)
    written: list[Path] = []
    total = 0
    for f in files:
        rel = f.name if src.is_file() else str(f.relative_to(src))
        dest = out_root / f"{rel}.out"
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".partial")
        with open(tmp, "wb") as out:
            for batch in _batches(f, max_records):
                try:
                    body = invoker.invoke(b"".join(batch), content_type, accept)
                except Exception as exc:
                    raise ValueError(
                        f"{f}: records {total + 1}-{total + len(batch)}: the model failed: "
                        f"{getattr(exc, 'message', None) or exc}"
                    ) from None
                n_lines = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
                if n_lines != len(batch):
                    raise ValueError(
                        f"{f}: the model answered {n_lines} lines for {len(batch)} records with "
                        f"accept {accept!r}; use a line-per-record accept type (text/csv, "
                        f"application/jsonlines)"
                    )
                out.write(body if body.endswith(b"\n") else body + b"\n")
                total += len(batch)
        tmp.replace(dest)
        written.append(dest)
    return TransformResult(written, total)

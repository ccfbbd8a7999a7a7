"""Batch inference on historical data (SageMaker's batch transform), ``amtune transform``.

Every file of the input (a file or a directory, recursively) is read as records, one per line
(``SplitType=Line``), sent to the model in mini-batches of at most ``max_records`` records through
the inference handler contract (``input_fn`` -> ``predict_fn`` -> ``output_fn``), and the answers
are written to ``<output>/<relative path>.out``, one line per record (``AssembleWith=Line``), in
the input's order. The model is the training job's (:mod:`amtune.evaluation.models`), served by
the endpoints' handler (:mod:`amtune.serve.handler`), so a model answers here as it does on an
endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from amtune.builtin.data import channel_files
from amtune.evaluation.models import TrainedModel

__all__ = ["Invoker", "TransformResult", "transform"]

DEFAULT_MAX_RECORDS = 1000


class Invoker:
    """A training job's model behind the SageMaker inference handler contract
    (:class:`amtune.serve.handler.Handler`: ``model_fn`` once, then ``input_fn`` ->
    ``predict_fn`` -> ``output_fn`` or ``transform_fn`` per request, with the toolkit's defaults
    for missing functions)."""

    def __init__(self, trained: TrainedModel) -> None:
        from amtune.serve.handler import Handler

        program, submit_dir = trained.program, None
        if program is None:
            raise ValueError(
                "no inference code: the training job is not a built-in algorithm's, and no "
                "inference.py was found where endpoints look for it (the model's code/, the "
                "training code's directories, the current directory); give --inference FILE "
                "(model_fn, input_fn, predict_fn, output_fn), or --framework PyTorch|SKLearn|"
                "XGBoost for a framework estimator's training job run on its own (its entry "
                "point serves the model)"
            )
        if program.endswith(".py"):
            path = Path(program).resolve()
            if not path.is_file():
                raise ValueError(f"--inference: no such file: {path}")
            program, submit_dir = path.name, str(path.parent)
        self.handler = Handler.load(trained.model_dir, program, submit_dir)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        """The answer's body and content type; ``ValueError`` with the model's message when it
        does not answer 200."""
        r = self.handler.invoke(body, content_type, accept)
        if r.status != 200:
            first = r.body.decode("utf-8", "replace").split("\n", 1)[0]
            raise ValueError(f"the model answered {r.status}: {first or r.phrase}")
        return r.body, r.content_type


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
                    body, _ = invoker.invoke(b"".join(batch), content_type, accept)
                except ValueError as exc:
                    raise ValueError(
                        f"{f}: records {total + 1}-{total + len(batch)}: {exc}"
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

"""Holdout and k-fold data preparation: the ``train`` channel's records split into channel sets.

Records are the non-blank lines of the channel's files (CSV rows or libsvm lines, kept verbatim),
in file-name order. They are assigned with ``numpy.random.default_rng(seed)``: holdout puts
``round(ValidationFraction * n)`` random records (at least 1, at most ``n - 1``) in
``validation``; k-fold splits a random permutation into ``K`` folds of sizes differing by at most
one (``numpy.array_split``; without ``Shuffle``, consecutive blocks). Every record of a fold's
``validation`` channel is absent from that run's ``train`` channel, and the folds partition the
records.

The split is written once per (config, data): under ``root/<key>/`` where ``key`` hashes the
config and every file's path, size and modification time, with a ``manifest.json`` listing the
validation record numbers of each run; later training jobs reuse it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.data import DataError, channel_files
from amtune.errors import FieldError
from amtune.evaluation.config import EvaluationConfig, Holdout

__all__ = ["Split", "check_records", "prepare_split"]

MANIFEST = "manifest.json"


class Split:
    """A prepared split: ``runs`` is a list of channel sets (``{"train": dir, "validation":
    dir}``), one per training run (1 for holdout, K for k-fold); ``validation_rows[i]`` are the
    record numbers (0-based, in the channel's record order) of run ``i``'s validation channel."""

    def __init__(self, root: Path, manifest: Mapping[str, Any]) -> None:
        self.root = root
        self.manifest = dict(manifest)
        self.runs: list[dict[str, str]] = [
            {"train": str(root / r["train"]), "validation": str(root / r["validation"])}
            for r in manifest["runs"]
        ]
        self.validation_rows: list[list[int]] = [
            list(r["validation_rows"]) for r in manifest["runs"]
        ]
        self.n_records = int(manifest["records"])


def _key(cfg: EvaluationConfig, files: list[Path]) -> str:
    h = hashlib.sha256(json.dumps(cfg.to_sagemaker(), sort_keys=True).encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _records(files: list[Path]) -> list[bytes]:
    out: list[bytes] = []
    for f in files:
        with open(f, "rb") as fh:
            for line in fh:
                if line.strip():
                    out.append(line if line.endswith(b"\n") else line + b"\n")
    return out


def _check_count(cfg: EvaluationConfig, n: int) -> None:
    if isinstance(cfg, Holdout):
        if n < 2:
            raise FieldError(
                "evaluation",
                f"Holdout needs at least 2 records in the train channel, got {n}",
            )
    elif n < cfg.k:
        raise FieldError(
            "evaluation.K",
            f"{cfg.k} folds need at least {cfg.k} records in the train channel, got {n} "
            f"(give K <= {n}, or use Holdout)",
        )


def _files(train: Path) -> list[Path]:
    try:
        return channel_files(train, "train")
    except DataError as exc:
        raise FieldError("channels.train", str(exc).split(": ", 1)[-1]) from None


def check_records(cfg: EvaluationConfig, train: str | os.PathLike[str]) -> None:
    """The ``train`` channel holds the records ``cfg`` needs (2 for holdout, ``K`` for k-fold;
    reading stops there, so this is cheap on large data): :class:`FieldError` otherwise
    (``evaluation.K``, or ``channels.train`` for an empty channel)."""
    need = 2 if isinstance(cfg, Holdout) else cfg.k
    files = _files(Path(train))
    n = 0
    for f in files:
        with open(f, "rb") as fh:
            for line in fh:
                if line.strip():
                    n += 1
                    if n >= need:
                        return
    if n == 0:
        raise FieldError("channels.train", f"empty channel: no records in {train}")
    _check_count(cfg, n)


def assign(cfg: EvaluationConfig, n: int) -> list[np.ndarray]:
    """The validation record numbers of each run (sorted)."""
    _check_count(cfg, n)
    rng = np.random.default_rng(cfg.seed)
    if isinstance(cfg, Holdout):
        n_val = min(max(1, round(cfg.validation_fraction * n)), n - 1)
        return [np.sort(rng.permutation(n)[:n_val])]
    order = rng.permutation(n) if cfg.shuffle else np.arange(n)
    return [np.sort(part) for part in np.array_split(order, cfg.k)]


def prepare_split(
    cfg: EvaluationConfig, train: str | os.PathLike[str], root: str | os.PathLike[str]
) -> Split:
    """Split the ``train`` channel (a directory or a file) under ``root`` (once) and return it."""
    train_path = Path(train)
    files = _files(train_path)
    base = Path(root) / _key(cfg, files)
    if (base / MANIFEST).is_file():
        return Split(base, json.loads((base / MANIFEST).read_text()))
    records = _records(files)
    if not records:
        raise FieldError("channels.train", f"empty channel: no records in {train_path}")
    parts = assign(cfg, len(records))
    suffix = files[0].suffix or ".csv"
    Path(root).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".split-", dir=root))
    runs = []
    for i, val in enumerate(parts):
        name = "holdout" if isinstance(cfg, Holdout) else f"fold-{i + 1}"
        is_val = np.zeros(len(records), dtype=bool)
        is_val[val] = True
        for channel, mask in (("train", ~is_val), ("validation", is_val)):
            d = tmp / name / channel
            d.mkdir(parents=True)
            with open(d / f"{channel}{suffix}", "wb") as fh:
                fh.writelines(records[j] for j in np.flatnonzero(mask))
        runs.append(
            {
                "name": name,
                "train": f"{name}/train",
                "validation": f"{name}/validation",
                "validation_rows": [int(j) for j in val],
            }
        )
    manifest = {
        "evaluation": cfg.to_sagemaker(),
        "source": str(train_path.resolve()),
        "files": [str(f) for f in files],
        "records": len(records),
        "runs": runs,
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
    try:
        os.rename(tmp, base)
    except OSError:  # another process wrote the same split first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return Split(base, json.loads((base / MANIFEST).read_text()))

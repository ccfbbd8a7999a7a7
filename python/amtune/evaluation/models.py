"""Finding a training job's model and the inference code that serves it.

A training job is found by name in the store (any tuning job's, or a single training job's). Its
model directory is ``<job dir>/model`` (``<job dir>/fold-<i>/model`` for fold ``i`` of a k-fold
training job). The inference code is, in order: the module given by ``inference``
(``inference.py`` path or a dotted module name); the built-in algorithm's inference module (by
the job's ``TrainingImage`` or command); ``inference.py`` in ``<model dir>/code/``, next to the
training script, or in the job's source or working directory (where endpoints look for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.builtin.algorithms import Algorithm, algorithm_for_job_config
from amtune.store import NotFoundError, Store

__all__ = ["TrainedModel", "find_model"]


@dataclass
class TrainedModel:
    """A training job's model: where it is and which inference code serves it."""

    tuning_job: str
    seq: int
    name: str
    status: str
    job_dir: Path
    model_dir: Path
    algorithm: Algorithm | None
    program: str | None  # a file path or a dotted module name


def _find_row(store: Store, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for tj in store.list_tuning_jobs():
        for row in store.training_jobs(tj["name"]):
            if row["name"] == name:
                return tj, row
    raise NotFoundError(f"no training job named {name!r} in {store.path}")


def find_model(
    store: Store, name: str, fold: int | None = None, inference: str | None = None
) -> TrainedModel:
    """The model of training job ``name`` (``fold``: 1-based, for k-fold training jobs)."""
    tj, row = _find_row(store, name)
    if not row.get("job_dir"):
        raise ValueError(f"training job {name!r} ran in a thread and has no model directory")
    job_dir = Path(row["job_dir"])
    folds = sorted(p for p in job_dir.glob("fold-*") if p.is_dir())
    if fold is not None:
        if not folds:
            raise ValueError(f"--fold: training job {name!r} is not a k-fold training job")
        if not 1 <= fold <= len(folds):
            raise ValueError(f"--fold: must be from 1 to {len(folds)}, got {fold}")
        model_dir = job_dir / f"fold-{fold}" / "model"
    elif folds:
        raise ValueError(
            f"training job {name!r} is a k-fold training job with {len(folds)} models (one per "
            f"fold): choose one with --fold 1..{len(folds)}"
        )
    else:
        model_dir = job_dir / "model"
    if row["status"] not in ("Completed", "Stopped"):
        raise ValueError(
            f"training job {name!r} is {row['status']}: only a Completed (or Stopped) training "
            f"job has a model"
        )
    if not model_dir.is_dir() or not any(model_dir.iterdir()):
        raise ValueError(f"training job {name!r} wrote no model: {model_dir} is empty")
    algo = algorithm_for_job_config(tj.get("config") or {})
    program = inference
    if program is None and algo is not None:
        program = algo.inference_module
    if program is None:
        program = _script_inference(tj.get("config") or {}, model_dir)
    return TrainedModel(
        tj["name"], int(row["seq"]), name, row["status"], job_dir, model_dir, algo, program
    )


def _script_inference(config: dict[str, Any], model_dir: Path) -> str | None:
    """A script-mode model's ``inference.py``: in the model's ``code/``, else next to the
    training script, in the source or working directory (as endpoints look for it)."""
    am = config.get("amtune") or {}
    candidates = [model_dir / "code"]
    for arg in am.get("command") or []:
        if isinstance(arg, str) and arg.endswith(".py"):
            p = Path(arg)
            if not p.is_absolute():
                p = Path(am.get("working_dir") or Path.cwd()) / p
            candidates.append(p.parent)
            break
    for key in ("source_dir", "working_dir"):
        if am.get(key):
            candidates.append(Path(am[key]))
    for c in candidates:
        if (c / "inference.py").is_file():
            return str(c / "inference.py")
    return None

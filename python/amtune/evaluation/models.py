"""Finding a training job's model and the inference code that serves it.

A training job is found by name in the store (any tuning job's, or a single training job's). Its
model directory is ``<job dir>/model``. A k-fold training job has no model of its own but one per
fold, ``<job dir>/fold-<i>/model``: ``fold`` picks one, and leaving it out is an error that lists
the folds with their objective values (an average of the fold models is not a model the job
trained, and averaging answers is not meaningful for every algorithm: class labels, JSON).

The inference code is, in order: the module given by ``inference`` (``inference.py`` path or a
dotted module name); the built-in algorithm's inference module (by the job's ``TrainingImage``
or command); then as endpoints find it (:func:`amtune.serve.deployment.resolve_model`):
``inference.py`` in ``<model dir>/code/``, in the training code's directories (the
``sagemaker_submit_directory``, the source or working directory, the training script's
directory); the training script itself (``sagemaker_program``) for a PyTorch, SKLearn or XGBoost
estimator (``framework``, else the job's ``sagemaker_estimator_class_name``), as the SDK's
framework models serve it; ``inference.py`` in the current directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.builtin.algorithms import Algorithm, algorithm_for_job_config
from amtune.store import STANDALONE, Store

__all__ = ["TrainedModel", "find_model", "kfold_models"]


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
    fold: int | None = None  # the fold (1-based) of a k-fold training job's model


def _find_row(store: Store, name: str) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """The training job's row, its job config (the tuning job's, or the request of a training
    job run on its own) and its objective metric (None for a training job on its own)."""
    row = store.get_training_job(name)  # NotFoundError naming the store
    if row["tuning_job"] == STANDALONE:
        return row, dict(row.get("definition") or {}), None
    config = store.get_tuning_job(row["tuning_job"]).get("config") or {}
    htc = config.get("HyperParameterTuningJobConfig") or {}
    objective = (htc.get("HyperParameterTuningJobObjective") or {}).get("MetricName")
    return row, config, objective


def _fold_choices(row: Mapping[str, Any], k: int, objective: str | None) -> str:
    """``fold 1 (validation:auc 0.91), fold 2 (...)``: the folds with their values of the
    objective (a training job on its own: of its validation metrics, else of all)."""
    fm = row.get("final_metrics") or {}
    if objective:
        metrics = [objective]
    else:
        metrics = sorted({n.rsplit(":fold-", 1)[0] for n in fm if ":fold-" in n})
        metrics = [m for m in metrics if m.startswith("validation")] or metrics
    parts = []
    for i in range(1, k + 1):
        vals = [f"{m} {fm[f'{m}:fold-{i}']:.6g}" for m in metrics if f"{m}:fold-{i}" in fm]
        parts.append(f"fold {i}" + (f" ({', '.join(vals)})" if vals else ""))
    return ", ".join(parts)


def find_model(
    store: Store,
    name: str,
    fold: int | None = None,
    inference: str | None = None,
    framework: str | None = None,
) -> TrainedModel:
    """The model of training job ``name`` (``fold``: 1-based, for k-fold training jobs;
    ``framework``: the estimator's class, ``PyTorch``, ``SKLearn`` or ``XGBoost``, when the job
    does not record it, as a training job run on its own)."""
    row, config, objective = _find_row(store, name)
    if not row.get("job_dir"):
        raise ValueError(f"training job {name!r} ran in a thread and has no model directory")
    job_dir = Path(row["job_dir"])
    k = kfold_models(job_dir)
    if fold is not None:
        if not k:
            raise ValueError(f"--fold: training job {name!r} is not a k-fold training job")
        if isinstance(fold, bool) or not isinstance(fold, int) or not 1 <= fold <= k:
            raise ValueError(f"--fold: must be from 1 to {k}, got {fold}")
        model_dir = job_dir / f"fold-{fold}" / "model"
    elif k:
        raise ValueError(
            f"training job {name!r} is a k-fold training job with {k} models (one per "
            f"fold): choose one with --fold 1..{k} (evaluate: --fold all scores each): "
            f"{_fold_choices(row, k, objective)}"
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
    algo = algorithm_for_job_config(config)
    program = inference
    if program is None and algo is not None:
        program = algo.inference_module
    if program is None:
        program = _script_inference(store, name, config, model_dir, framework)
    return TrainedModel(
        row["tuning_job"],
        int(row["seq"]),
        name,
        row["status"],
        job_dir,
        model_dir,
        algo,
        program,
        fold,
    )


def kfold_models(job_dir: Path) -> int:
    """The number of fold models of a k-fold training job's directory (0: not k-fold)."""
    return sum(1 for p in job_dir.glob("fold-*") if p.is_dir() and p.name[5:].isdigit())


def _script_inference(
    store: Store,
    name: str,
    config: dict[str, Any],
    model_dir: Path,
    framework: str | None = None,
) -> str | None:
    """A script-mode model's inference code, found as endpoints find it
    (:mod:`amtune.serve.inference_code`)."""
    from amtune.sagemaker.training import describe_training_job
    from amtune.serve.inference_code import find_inference_code

    desc = dict(describe_training_job(store, name))
    if not desc.get("AlgorithmSpecification") and config.get("AlgorithmSpecification"):
        desc["AlgorithmSpecification"] = config["AlgorithmSpecification"]
    return find_inference_code(desc, config, model_dir, framework).path

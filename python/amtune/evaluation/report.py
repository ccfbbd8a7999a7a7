"""The spread of a k-fold training job's metrics over its folds, for describe and analytics.

:func:`spread` and :func:`spread_columns` give the analytics table's objective spread;
:func:`training_job_evaluation` the ``Evaluation`` section of a DescribeTrainingJob document.

>>> objective = {"HyperParameterTuningJobObjective": {"MetricName": "m"}}
>>> cfg = {"Evaluation": {"Type": "KFold", "K": 3}, "HyperParameterTuningJobConfig": objective}
>>> spread_columns(cfg)
['FinalObjectiveStd', 'FinalObjectiveMin', 'FinalObjectiveMax']
>>> spread(cfg, {"final_metrics": {"m": 0.5, "m:std": 0.1, "m:min": 0.4, "m:max": 0.6}})
{'FinalObjectiveStd': 0.1, 'FinalObjectiveMin': 0.4, 'FinalObjectiveMax': 0.6}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["spread", "spread_columns", "training_job_evaluation"]

_COLUMNS = {"FinalObjectiveStd": "std", "FinalObjectiveMin": "min", "FinalObjectiveMax": "max"}


def _kfold_objective(config: Mapping[str, Any]) -> str | None:
    ev = config.get("Evaluation") or {}
    if ev.get("Type") != "KFold":
        return None
    htc = config.get("HyperParameterTuningJobConfig") or {}
    return (htc.get("HyperParameterTuningJobObjective") or {}).get("MetricName")


def spread_columns(config: Mapping[str, Any]) -> list[str]:
    """The analytics columns of the spread (none unless the job is k-fold)."""
    return list(_COLUMNS) if _kfold_objective(config) else []


def spread(config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, float]:
    """The objective's standard deviation, minimum and maximum over the folds of one training
    job (NaN for a job that did not finish every fold); empty unless the job is k-fold."""
    metric = _kfold_objective(config)
    if metric is None:
        return {}
    fm = row.get("final_metrics") or {}
    return {col: float(fm.get(f"{metric}:{suffix}", math.nan)) for col, suffix in _COLUMNS.items()}


def training_job_evaluation(
    evaluation: Mapping[str, Any], final_metrics: Mapping[str, float], job_dir: Path | None
) -> dict[str, Any]:
    """The ``Evaluation`` section of a training job's description: the config, and for k-fold
    ``MetricSummaries`` (each metric's mean over the folds with its standard deviation, minimum
    and maximum) and ``Folds`` (each fold's final metrics and model directory).

    >>> doc = training_job_evaluation(
    ...     {"Type": "KFold", "K": 2},
    ...     {"m": 0.5, "m:fold-1": 0.4, "m:fold-2": 0.6, "m:std": 0.1, "m:min": 0.4, "m:max": 0.6},
    ...     None,
    ... )
    >>> doc["MetricSummaries"]
    [{'MetricName': 'm', 'Mean': 0.5, 'Std': 0.1, 'Min': 0.4, 'Max': 0.6}]
    >>> doc["Folds"][1]
    {'Fold': 2, 'FinalMetricDataList': [{'MetricName': 'm', 'Value': 0.6}]}
    """
    out: dict[str, Any] = dict(evaluation)
    if evaluation.get("Type") != "KFold":
        return out
    k = int(evaluation.get("K", 5))
    folds: list[dict[str, Any]] = []
    for i in range(1, k + 1):
        suffix = f":fold-{i}"
        fold: dict[str, Any] = {
            "Fold": i,
            "FinalMetricDataList": [
                {"MetricName": name[: -len(suffix)], "Value": float(v)}
                for name, v in final_metrics.items()
                if name.endswith(suffix)
            ],
        }
        if job_dir is not None:
            fold["ModelArtifacts"] = {"S3ModelArtifacts": str(job_dir / f"fold-{i}" / "model")}
        folds.append(fold)
    out["MetricSummaries"] = [
        {
            "MetricName": name,
            "Mean": float(v),
            **{
                label: float(final_metrics[f"{name}:{suffix}"])
                for label, suffix in (("Std", "std"), ("Min", "min"), ("Max", "max"))
            },
        }
        for name, v in final_metrics.items()
        if f"{name}:std" in final_metrics
        and f"{name}:min" in final_metrics
        and f"{name}:max" in final_metrics
    ]
    out["Folds"] = folds
    return out

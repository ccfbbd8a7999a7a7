"""The spread of a k-fold training job's objective over its folds, for describe and analytics.

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
from typing import Any

__all__ = ["spread", "spread_columns"]

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

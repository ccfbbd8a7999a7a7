"""The status rules of training jobs as pure functions (no processes, no store)."""

from __future__ import annotations

import math


def observation(status: str, objective_status: str, value: float | None) -> float | str | None:
    """What the strategy learns from a finished job: a value, NaN (failed) or ``"skip"``."""
    if objective_status == "Succeeded" and value is not None:
        return float(value)
    if status == "Stopped":
        return "skip"
    return math.nan

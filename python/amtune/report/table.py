"""The table of training jobs: the analytics columns plus FailureReason, as data for the page's
sortable, paged table (rendered by a few lines of JavaScript, so 10,000 rows stay light)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from amtune.report.data import ReportData

FIXED_COLUMNS = (
    "#",
    "TrainingJobName",
    "TrainingJobStatus",
    "FinalObjectiveValue",
    "TrainingStartTime",
    "TrainingEndTime",
    "TrainingElapsedTimeSeconds",
    "ObjectiveStatus",
    "Attempts",
    "FailureReason",
)


def _time(t: float | None) -> str | None:
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _cell(v: Any) -> Any:
    """A JSON cell: numbers stay numbers (NaN becomes null), other values their string."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return None if isinstance(v, float) and not math.isfinite(v) else v
    return str(v)


def table_data(data: ReportData) -> dict[str, Any]:
    """``{"columns": [...], "numeric": [...], "rows": [[...], ...]}`` in job order."""
    names = list(data.space.ranges)
    columns = [*FIXED_COLUMNS[:2], *names, *FIXED_COLUMNS[2:]]
    rows = []
    params = data.params.itertuples(index=False)
    for j, hp in zip(data.jobs.itertuples(index=False), params, strict=True):
        start, end = j.start_time, j.end_time
        elapsed = (end - start) if (start == start and end == end and start and end) else None
        rows.append(
            [
                int(j.seq),
                j.name,
                *(_cell(v) for v in hp),
                j.status,
                _cell(float(j.final_objective)),
                _time(start),
                _time(end),
                None if elapsed is None else round(float(elapsed), 3),
                j.objective_status,
                int(j.attempts),
                _cell(j.failure_reason),
            ]
        )
    numeric = [
        c in ("#", "FinalObjectiveValue", "TrainingElapsedTimeSeconds", "Attempts")
        or (c in names and data.space.ranges[c].kind != "Categorical")
        for c in columns
    ]
    return {"columns": columns, "numeric": numeric, "rows": rows}

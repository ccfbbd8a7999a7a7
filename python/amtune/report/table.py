"""The table of training jobs: the analytics columns plus FailureReason, as data for the page's
sortable, paged table (rendered by a few lines of JavaScript, so 10,000 rows stay light)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from amtune.analytics import TRAINING_JOB_COLUMNS
from amtune.report.data import ReportData
from amtune.text import printable

FIXED_COLUMNS = ("#", *TRAINING_JOB_COLUMNS)


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
    return printable(str(v), newlines=False)


def table_data(data: ReportData) -> dict[str, Any]:
    """``{"columns": [...], "numeric": [...], "rows": [[...], ...]}`` in job order."""
    names = list(data.space.ranges)
    columns = [*FIXED_COLUMNS[:2], *names, *FIXED_COLUMNS[2:]]
    rows = []
    params = data.params.to_numpy(dtype=object).tolist()
    keys = (
        "seq", "name", "status", "final_objective", "start_time", "end_time", "objective_status",
        "attempts", "failure_reason",
    )  # fmt: skip
    columns_of_jobs = [data.jobs[k].tolist() for k in keys]
    for hp, (seq, name, status, value, start, end, ostatus, attempts, reason) in zip(
        params, zip(*columns_of_jobs, strict=True), strict=True
    ):
        elapsed = None
        if start is not None and end is not None and math.isfinite(start) and math.isfinite(end):
            elapsed = round(float(end) - float(start), 3)
        rows.append(
            [
                int(seq),
                name,
                *(_cell(v) for v in hp),
                status,
                _cell(float(value)),
                _time(start),
                _time(end),
                elapsed,
                ostatus,
                int(attempts),
                _cell(reason),
            ]
        )
    numeric = [
        c in ("#", "FinalObjectiveValue", "TrainingElapsedTimeSeconds", "Attempts")
        or (c in names and data.space.ranges[c].kind != "Categorical")
        for c in columns
    ]
    return {"columns": columns, "numeric": numeric, "rows": rows}

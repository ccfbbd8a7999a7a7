"""The timeline of training jobs: one bar per attempt on the wall clock, coloured by status."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from amtune.enums import TrainingJobStatus as Status
from amtune.report._plotly import graph_objects
from amtune.report.data import ReportData
from amtune.report.figures.common import STATUS_COLORS, base_layout, empty_figure


def segments(data: ReportData) -> dict[str, list[tuple[int, float, float]]]:
    """(seq, start, end) per colour key: each finished attempt with its status (a retried attempt
    is ``Failed (retried)``), and each running job from its start to now. Times are seconds since
    the tuning job's creation."""
    t0 = float(data.description["CreationTime"].timestamp())
    out: dict[str, list[tuple[int, float, float]]] = {}
    jobs, att = data.jobs, data.attempts
    runs = dict(zip(jobs["seq"].tolist(), jobs["attempts"].tolist(), strict=True))
    columns = ("seq", "attempt", "status", "start_time", "end_time")
    for seq, attempt, status, start, end in zip(*(att[c].tolist() for c in columns), strict=True):
        if start is None or end is None or math.isnan(start) or math.isnan(end):
            continue
        retried = status == Status.FAILED and runs.get(seq, 1) > attempt
        key = "Failed (retried)" if retried else str(status)
        out.setdefault(key, []).append((int(seq), float(start) - t0, float(end) - t0))
    now = data.now
    job_columns = ("seq", "status", "start_time")
    for seq, status, start in zip(*(jobs[c].tolist() for c in job_columns), strict=True):
        if status == Status.IN_PROGRESS and start is not None and not math.isnan(start):
            end = max(now, float(start))
            out.setdefault(Status.IN_PROGRESS.value, []).append(
                (int(seq), float(start) - t0, end - t0)
            )
    return out


def plot_timeline(data: ReportData) -> Any:
    """Training jobs (y) against wall-clock time since the tuning job started (x)."""
    go = graph_objects()
    segs = segments(data)
    if not segs:
        return empty_figure("no training job has started yet")
    fig = go.Figure()
    n = len(data.jobs)
    width = max(1.0, min(6.0, 600.0 / max(n, 1)))
    for key in (
        Status.COMPLETED,
        Status.STOPPED,
        Status.FAILED,
        "Failed (retried)",
        Status.IN_PROGRESS,
    ):
        key = str(getattr(key, "value", key))
        rows = segs.get(key)
        if not rows:
            continue
        a = np.array(rows, dtype=np.float64)
        x = np.column_stack([a[:, 1], a[:, 2], np.full(len(a), np.nan)]).ravel()
        y = np.column_stack([a[:, 0], a[:, 0], np.full(len(a), np.nan)]).ravel()
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", name=f"{key} ({len(rows)})", connectgaps=False,
                line={"color": STATUS_COLORS[key], "width": width},
                hovertemplate="job %{y}<br>%{x:.1f} s<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        **base_layout(height=min(900, 300 + 3 * n)),
        xaxis={
            "title": {"text": "seconds since the tuning job was created"},
            "rangemode": "tozero",
        },
        yaxis={"title": {"text": "training job"}, "autorange": "reversed"},
    )
    return fig

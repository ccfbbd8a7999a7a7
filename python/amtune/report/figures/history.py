"""Optimization history: the objective of each training job and the best so far."""

from __future__ import annotations

from typing import Any

import numpy as np

from amtune.enums import TrainingJobStatus as Status
from amtune.report._plotly import graph_objects, make_subplots
from amtune.report.data import ReportData
from amtune.report.figures.common import STATUS_COLORS, base_layout, empty_figure, scatter, use_log


def plot_history(data: ReportData) -> Any:
    """Objective per training job (x: job order) and the best so far; failed, stopped and running
    jobs are marked in a strip below; a log axis when the objective spans two decades or more."""
    go = graph_objects()
    jobs = data.jobs
    if not len(jobs):
        return empty_figure("no training job yet")
    seq = jobs["seq"].to_numpy()
    value = jobs["final_objective"].to_numpy(dtype=float)
    ok = data.succeeded_mask()
    status = jobs["status"].to_numpy()
    lanes = (
        (Status.FAILED.value, ~ok & (status == Status.FAILED), "x"),
        (Status.STOPPED.value, status == Status.STOPPED, "diamond"),
        (
            Status.IN_PROGRESS.value,
            status == Status.IN_PROGRESS,
            "triangle-right",
        ),
    )
    strip = any(mask.any() for _, mask, _ in lanes)  # a strip only when a job needs marking
    fig: Any = make_subplots(
        rows=2 if strip else 1,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.84, 0.16] if strip else None,
        vertical_spacing=0.03,
    )
    names = jobs["name"].to_numpy()
    for label, mask, symbol in (
        ("Completed", ok & (status == Status.COMPLETED), "circle"),
        ("Stopped (objective kept)", ok & (status == Status.STOPPED), "diamond-open"),
    ):
        if not mask.any():
            continue
        color = STATUS_COLORS[(Status.COMPLETED if label == "Completed" else Status.STOPPED).value]
        fig.add_trace(
            scatter(int(mask.sum()))(
                x=seq[mask],
                y=value[mask],
                mode="markers",
                name=label,
                marker={"color": color, "size": 6, "symbol": symbol, "opacity": 0.8},
                customdata=names[mask],
                hovertemplate="job %{x}: %{customdata}<br>objective %{y:.6g}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    if ok.any():
        fig.add_trace(
            go.Scatter(
                x=seq,
                y=data.best_so_far(),
                mode="lines",
                line={"shape": "hv", "color": "#222", "width": 2},
                name="best so far",
                hovertemplate="best after job %{x}: %{y:.6g}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    else:
        fig.add_annotation(
            text="no training job has a succeeded objective",
            showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5,
        )  # fmt: skip
    for label, mask, symbol in lanes:
        if not mask.any():
            continue
        fig.add_trace(
            scatter(int(mask.sum()))(
                x=seq[mask],
                y=np.full(int(mask.sum()), label),
                mode="markers",
                name=label if label != Status.STOPPED else "Stopped (status)",
                marker={"color": STATUS_COLORS[label], "symbol": symbol, "size": 7},
                customdata=names[mask],
                hovertemplate="job %{x}: %{customdata}<br>%{y}<extra></extra>",
                showlegend=label != Status.STOPPED,
            ),
            row=2,
            col=1,
        )
    direction = "higher" if data.maximize else "lower"
    fig.update_layout(**base_layout(height=460 if strip else 400))
    fig.update_yaxes(
        title_text=f"{data.objective} ({direction} is better)",
        type="log" if use_log(value[ok]) else "linear",
        row=1,
        col=1,
    )
    if strip:
        fig.update_yaxes(
            type="category",
            categoryorder="array",
            categoryarray=[lane[0] for lane in lanes],
            row=2,
            col=1,
        )
    fig.update_xaxes(title_text="training job (order of creation)", row=2 if strip else 1, col=1)
    return fig

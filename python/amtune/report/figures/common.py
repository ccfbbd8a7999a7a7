"""What the figures share: colours, the empty figure, WebGL above a size, the objective's axis."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from amtune.enums import TrainingJobStatus
from amtune.report._plotly import graph_objects
from amtune.report.axes import Axis, fmt, log_ticks

#: Colours of training job statuses (colour-blind safe, Tableau 10).
STATUS_COLORS = {
    TrainingJobStatus.COMPLETED.value: "#4e79a7",
    TrainingJobStatus.STOPPED.value: "#f28e2b",
    TrainingJobStatus.FAILED.value: "#e15759",
    TrainingJobStatus.IN_PROGRESS.value: "#59a14f",
    "Failed (retried)": "#ff9da7",
}
#: Above this many markers a trace is drawn with WebGL (``scattergl``), which stays fast at 10,000s.
WEBGL_THRESHOLD = 1500
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12}


def base_layout(**extra: Any) -> dict[str, Any]:
    """Layout keys every figure uses."""
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "legend": {"orientation": "h", "y": -0.18},
    }
    layout.update(extra)
    return layout


def empty_figure(message: str) -> Any:
    """A figure that says why there is nothing to draw."""
    go = graph_objects()
    fig = go.Figure()
    fig.update_layout(
        **base_layout(height=160),
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
             "yref": "paper", "font": {"size": 14, "color": "#666"}}
        ],
    )  # fmt: skip
    return fig


def scatter(n: int) -> Any:
    """``go.Scatter``, or ``go.Scattergl`` for more than ``WEBGL_THRESHOLD`` points."""
    go = graph_objects()
    return go.Scattergl if n > WEBGL_THRESHOLD else go.Scatter


def use_log(values: np.ndarray) -> bool:
    """A log axis when every finite value is positive and they span at least two decades."""
    v = values[np.isfinite(values)]
    return bool(len(v) > 1 and np.all(v > 0) and v.max() / v.min() >= 100.0)


def objective_axis(name: str, values: np.ndarray) -> Axis:
    """The axis of the objective in parallel coordinates (log10 coordinates when ``use_log``)."""
    v = values[np.isfinite(values)]
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.0, 1.0)
    if use_log(values):
        ticks = log_ticks(lo, hi)
        return Axis(
            f"{name} (log)", "Logarithmic", math.log10(lo), math.log10(hi),
            [math.log10(t) for t in ticks], [fmt(t) for t in ticks],
        )  # fmt: skip
    return Axis(name, "Linear", lo, hi, [], [])

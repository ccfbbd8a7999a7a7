"""Endpoint metrics per production variant: invocations, errors, latency percentiles."""

from __future__ import annotations

from typing import Any

import numpy as np

from amtune.report._plotly import make_subplots
from amtune.report.endpoints import VariantMetrics
from amtune.report.figures.common import base_layout, empty_figure

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948")


def plot_endpoint_metrics(variants: list[VariantMetrics]) -> Any:
    """Invocations and 4XX/5XX errors per minute (top) and ModelLatency p50/p90/p99 and
    OverheadLatency p50/p99 in milliseconds (bottom), one colour per variant."""
    if not variants:
        return empty_figure("no endpoint serves a training job of this tuning job")
    fig: Any = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        subplot_titles=("invocations and errors per minute", "latency (ms)"),
    )  # fmt: skip
    for i, v in enumerate(variants):
        color = _PALETTE[i % len(_PALETTE)]
        label = f"{v.endpoint}/{v.variant}"
        t = v.timestamp.astype("datetime64[s]")
        for col, dash, what in (
            ("invocations", "solid", "Invocations"),
            ("invocation_4xx_errors", "dot", "Invocation4XXErrors"),
            ("invocation_5xx_errors", "dash", "Invocation5XXErrors"),
        ):
            fig.add_scatter(
                x=t, y=v.counts[col], mode="lines+markers", name=f"{label} {what}",
                line={"color": color, "dash": dash}, row=1, col=1,
            )  # fmt: skip
        for col, dash, what in (
            ("model_latency_p50", "solid", "ModelLatency p50"),
            ("model_latency_p90", "dashdot", "ModelLatency p90"),
            ("model_latency_p99", "dash", "ModelLatency p99"),
            ("overhead_latency_p50", "dot", "OverheadLatency p50"),
            ("overhead_latency_p99", "longdash", "OverheadLatency p99"),
        ):
            fig.add_scatter(
                x=t, y=np.asarray(v.latency_us[col]) / 1000.0, mode="lines",
                name=f"{label} {what}", line={"color": color, "dash": dash}, row=2, col=1,
            )  # fmt: skip
    fig.update_layout(**base_layout(height=560))
    return fig

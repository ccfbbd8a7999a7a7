"""Endpoint metrics per variant: invocations, errors, latency percentiles."""

from __future__ import annotations

from typing import Any

import numpy as np

from amtune.report._plotly import make_subplots
from amtune.report.endpoints import COUNTS, LATENCIES, PERCENTILES, VariantMetrics
from amtune.report.figures.common import base_layout, empty_figure

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948")
_COUNT_DASH = dict(zip(COUNTS, ("solid", "dot", "dash"), strict=True))
_PCT_DASH = dict(zip(PERCENTILES, ("solid", "dashdot", "dash"), strict=True))


def plot_endpoint_metrics(variants: list[VariantMetrics]) -> Any:
    """Invocations and 4XX/5XX errors per minute (top), ModelLatency and OverheadLatency p50, p90
    and p99 in milliseconds (bottom, OverheadLatency dimmed), one colour per variant."""
    if not variants:
        return empty_figure("no endpoint serves a training job of this tuning job")
    fig: Any = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
        subplot_titles=("invocations and errors per minute", "latency (ms)"),
    )  # fmt: skip
    for i, v in enumerate(variants):
        color = _PALETTE[i % len(_PALETTE)]
        label = f"{v.endpoint}/{v.variant}" + (" (shadow)" if v.shadow else "")
        t = v.timestamp.astype("datetime64[s]")
        for metric in COUNTS:
            fig.add_scatter(
                x=t, y=v.counts[metric], mode="lines+markers", name=f"{label} {metric}",
                line={"color": color, "dash": _COUNT_DASH[metric]}, row=1, col=1,
            )  # fmt: skip
        for metric in LATENCIES:
            for q in PERCENTILES:
                key = f"{metric} p{q:g}"
                fig.add_scatter(
                    x=t, y=np.asarray(v.latency_us[key]) / 1000.0, mode="lines",
                    name=f"{label} {key}", line={"color": color, "dash": _PCT_DASH[q]},
                    opacity=1.0 if metric == "ModelLatency" else 0.45, row=2, col=1,
                )  # fmt: skip
    fig.update_layout(**base_layout(height=600))
    return fig

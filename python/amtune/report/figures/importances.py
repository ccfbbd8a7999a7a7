"""Importances of the tuned ranges, one bar per method."""

from __future__ import annotations

from typing import Any

from amtune.report._plotly import graph_objects
from amtune.report.figures.common import base_layout, empty_figure
from amtune.report.importance import ImportanceMethod, Importances

LABELS = {
    ImportanceMethod.PED_ANOVA: "PED-ANOVA (model-free)",
    ImportanceMethod.GP_LENGTHSCALE: "GP: normalized inverse ARD lengthscale",
}
COLORS = {ImportanceMethod.PED_ANOVA: "#76b7b2", ImportanceMethod.GP_LENGTHSCALE: "#4e79a7"}


def plot_importances(importances: list[Importances]) -> Any:
    """Horizontal bars, most important range on top (by the first method given)."""
    go = graph_objects()
    if not importances:
        return empty_figure("too few succeeded training jobs to compute importances")
    order = [n for n, _ in importances[0].ranked()][::-1]
    fig = go.Figure()
    for imp in importances:
        fig.add_trace(
            go.Bar(
                y=order,
                x=[imp.values[n] for n in order],
                orientation="h",
                name=f"{LABELS[imp.method]}, {imp.n_jobs} jobs",
                marker={"color": COLORS[imp.method]},
                hovertemplate="%{y}: %{x:.3f}<extra></extra>",
            )
        )
    fig.update_layout(
        **base_layout(height=120 + 28 * len(order) * len(importances)),
        barmode="group",
        xaxis={"title": {"text": "importance (sums to 1 per method)"}, "rangemode": "tozero"},
    )
    return fig

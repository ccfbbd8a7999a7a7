"""Hyperparameters against the objective: parallel coordinates, slices, a contour of two."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from amtune.report._plotly import graph_objects, make_subplots
from amtune.report.axes import axis_for
from amtune.report.contour_model import ContourModel
from amtune.report.data import ReportData
from amtune.report.figures.common import base_layout, empty_figure, objective_axis, scatter, use_log
from amtune.report.importance import ImportanceMethod, Importances

#: Categorical values are spread by up to this much (in index units) in the slices, so that the
#: points of one value do not hide each other.
JITTER = 0.15
CONTOUR_GRID = 40
#: Parallel coordinates draw at most this many lines (see ``parallel_rows``).
MAX_LINES = 2000


def parallel_rows(loss: np.ndarray, limit: int = MAX_LINES) -> np.ndarray:
    """Rows drawn in parallel coordinates: all up to ``limit``; else the best quarter of the
    limit and an even selection by job order of the rest (every line beyond a few thousand only
    thickens the bundle, and costs WebGL time)."""
    from amtune.report.importance import subset

    return subset(loss, limit)


def _colorscale(maximize: bool) -> dict[str, Any]:
    """Viridis with the best objective in yellow."""
    return {"colorscale": "Viridis", "reversescale": not maximize}


def plot_parallel_coordinates(data: ReportData) -> Any:
    """One line per succeeded training job through its hyperparameters and its objective; axes
    in each range's scale (log, reverse log, categorical), coloured by the objective."""
    go = graph_objects()
    ok = data.succeeded_mask()
    if not ok.any():
        return empty_figure("no training job has a succeeded objective")
    keep = np.flatnonzero(ok)[parallel_rows(data.loss(ok))]
    ok = np.zeros(len(ok), dtype=bool)
    ok[keep] = True
    value = data.jobs["final_objective"].to_numpy(dtype=float)[ok]
    dims = []
    for name, p in data.space.ranges.items():
        ax = axis_for(name, p)
        dim: dict[str, Any] = {
            "label": ax.title,
            "values": ax.coords(data.params[name].to_numpy()[ok]),
            "range": [ax.lo, ax.hi] if ax.hi > ax.lo else [ax.lo - 1, ax.hi + 1],
        }
        if ax.tickvals:
            dim["tickvals"], dim["ticktext"] = ax.tickvals, ax.ticktext
        dims.append(dim)
    oax = objective_axis(data.objective, value)
    odim: dict[str, Any] = {"label": oax.title, "values": oax.coords(value)}
    if oax.tickvals:
        odim["tickvals"], odim["ticktext"] = oax.tickvals, oax.ticktext
    dims.append(odim)
    fig = go.Figure(
        go.Parcoords(
            dimensions=dims,
            line={
                "color": oax.coords(value),
                **_colorscale(data.maximize),
                "showscale": True,
                "colorbar": {"title": {"text": "objective"}},
            },
        )
    )
    fig.update_layout(**base_layout(height=420, margin={"l": 70, "r": 70, "t": 60, "b": 30}))
    fig.update_layout(meta={"lines": int(ok.sum())})
    return fig


def plot_slices(data: ReportData) -> Any:
    """One panel per range: the objective against the hyperparameter's value (in the range's
    scale), coloured by the job's order."""
    ok = data.succeeded_mask()
    if not ok.any():
        return empty_figure("no training job has a succeeded objective")
    names = list(data.space.ranges)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig: Any = make_subplots(
        rows=rows, cols=cols, horizontal_spacing=0.08, vertical_spacing=0.16 / max(rows - 1, 1)
    )
    value = data.jobs["final_objective"].to_numpy(dtype=float)[ok]
    seq = data.jobs["seq"].to_numpy()[ok]
    rng = np.random.default_rng(0)
    log = use_log(value)
    for i, name in enumerate(names):
        r, c = divmod(i, cols)
        ax = axis_for(name, data.space.ranges[name])
        x = ax.coords(data.params[name].to_numpy()[ok])
        if ax.scale == "Categorical":
            x = x + rng.uniform(-JITTER, JITTER, len(x))
        fig.add_trace(
            scatter(len(x))(
                x=x,
                y=value,
                mode="markers",
                name=name,
                showlegend=False,
                marker={"color": seq, "coloraxis": "coloraxis", "size": 5, "opacity": 0.75},
                customdata=seq,
                hovertemplate=f"job %{{customdata}}<br>{name}: %{{x}}<br>objective %{{y:.6g}}"
                "<extra></extra>",
            ),
            row=r + 1,
            col=c + 1,
        )
        fig.update_xaxes(**ax.plotly(), row=r + 1, col=c + 1)
        fig.update_yaxes(type="log" if log else "linear", row=r + 1, col=c + 1)
        if c == 0:
            fig.update_yaxes(title_text=data.objective, row=r + 1, col=c + 1)
    fig.update_layout(
        **base_layout(height=300 * rows),
        coloraxis={
            "colorscale": [[0.0, "#a6c8e8"], [1.0, "#08306b"]],
            "colorbar": {"title": {"text": "job"}},
        },
    )
    return fig


def contour_pair(importances: list[Importances], names: list[str]) -> tuple[str, str] | None:
    """The two most important ranges: by the GP's importances (the contour is the GP's mean),
    else by the first available, else the first two ranges; None with fewer than two ranges."""
    if len(names) < 2:
        return None
    if not importances:
        return names[0], names[1]
    imp = min(importances, key=lambda i: i.method != ImportanceMethod.GP_LENGTHSCALE)
    ranked = [n for n, _ in imp.ranked()]
    return ranked[0], ranked[1]


def _grid(data: ReportData, name: str) -> np.ndarray:
    """Encoded grid of one range: its cells' centres (discrete) or CONTOUR_GRID points."""
    i = list(data.space.ranges).index(name)
    card = data.space.cardinalities()[i]
    n = card if 0 < card <= CONTOUR_GRID else CONTOUR_GRID
    return (np.arange(n) + 0.5) / n


def plot_contour(data: ReportData, importances: list[Importances], seed: int = 0) -> Any:
    """The GP posterior mean of the objective over the two most important ranges (the others at
    the best training job's values), with the training jobs drawn on top."""
    go = graph_objects()
    ok = data.succeeded_mask()
    names = list(data.space.ranges)
    pair = contour_pair(importances, names)
    if pair is None:
        return empty_figure("a contour needs at least two tuned ranges")
    if int(ok.sum()) < max(5, data.space.dim + 1):
        return empty_figure("too few succeeded training jobs for a model of the objective")
    X = data.encoded(ok)
    loss = data.loss(ok)
    model = ContourModel(data.space, X, loss, seed=seed)
    a, b = pair
    ia, ib = names.index(a), names.index(b)
    ga, gb = _grid(data, a), _grid(data, b)
    best = X[int(np.argmin(loss))]
    G = np.tile(best, (len(ga) * len(gb), 1))
    G[:, ia] = np.repeat(ga, len(gb))
    G[:, ib] = np.tile(gb, len(ga))
    G = data.space.canonicalize(G)
    mean = model.mean(G).reshape(len(ga), len(gb))
    z = -mean if data.maximize else mean
    configs = data.space.decode(G)
    axa, axb = axis_for(a, data.space.ranges[a]), axis_for(b, data.space.ranges[b])
    xa = axa.coords([configs[k * len(gb)][a] for k in range(len(ga))])
    xb = axb.coords([configs[k][b] for k in range(len(gb))])
    fig = go.Figure(
        go.Contour(
            x=xa,
            y=xb,
            z=z.T,
            **_colorscale(data.maximize),
            colorbar={"title": {"text": f"GP mean of {data.objective}"}},
            hovertemplate=f"{a}: %{{x}}<br>{b}: %{{y}}<br>mean %{{z:.6g}}<extra></extra>",
            contours={"coloring": "heatmap"},
            line={"width": 0.5},
        )
    )
    pa = axa.coords(data.params[a].to_numpy()[ok])
    pb = axb.coords(data.params[b].to_numpy()[ok])
    fig.add_trace(
        scatter(len(pa))(
            x=pa, y=pb, mode="markers", name="training jobs",
            marker={"color": "white", "size": 5, "line": {"color": "#333", "width": 1}},
            hoverinfo="skip",
        )
    )  # fmt: skip
    k = int(np.argmin(loss))
    fig.add_trace(
        go.Scatter(
            x=[pa[k]], y=[pb[k]], mode="markers", name="best training job",
            marker={
                "symbol": "star", "size": 16, "color": "#e15759",
                "line": {"color": "white", "width": 1},
            },
        )
    )  # fmt: skip
    fig.update_layout(**base_layout(height=460), xaxis=axa.plotly(), yaxis=axb.plotly())
    fig.update_layout(meta={"gp_points": model.n_used, "succeeded": model.n_total, "pair": [a, b]})
    return fig

"""Learning curves: the objective metric's emissions per training job, stops and rungs marked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from amtune.report._plotly import graph_objects
from amtune.report.data import ReportData, StopKind
from amtune.report.figures.common import STATUS_COLORS, base_layout, empty_figure, use_log

#: At most this many curves are drawn, each with at most MAX_POINTS points (see ``select``).
MAX_CURVES = 300
MAX_POINTS = 100
BEST_CURVES = 50
STOP_COLORS = {StopKind.EARLY_STOPPING.value: "#b07aa1", StopKind.HYPERBAND.value: "#f28e2b"}


def select(data: ReportData, max_curves: int = MAX_CURVES) -> np.ndarray:
    """The ``seq`` of the training jobs whose curves are drawn: all when there are at most
    ``max_curves``; else the ``BEST_CURVES`` best final objectives, every job stopped by a rule
    while room remains, and jobs evenly spaced in creation order for the rest."""
    have = np.unique(data.curves["seq"].to_numpy())
    if len(have) <= max_curves:
        return have
    jobs = data.jobs[data.jobs["seq"].isin(have)]
    loss = data.loss()[data.jobs["seq"].isin(have).to_numpy()]
    order = np.argsort(np.where(np.isfinite(loss), loss, np.inf), kind="stable")
    chosen = list(jobs["seq"].to_numpy()[order[:BEST_CURVES]])
    taken = set(chosen)
    ruled = jobs["seq"][jobs["stop_kind"].isin(list(STOP_COLORS))].to_numpy()
    room = max_curves - len(chosen)
    for s in ruled[np.linspace(0, len(ruled) - 1, min(room // 3, len(ruled))).astype(np.int64)]:
        if s not in taken:
            chosen.append(s)
            taken.add(s)
    rest = np.array([s for s in have if s not in taken])
    room = max_curves - len(chosen)
    if room > 0 and len(rest):
        chosen += list(rest[np.linspace(0, len(rest) - 1, min(room, len(rest))).astype(np.int64)])
    return np.sort(np.array(chosen))


def thin(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` of ``n`` points, evenly spaced, first and last kept."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def rung_levels(data: ReportData) -> list[int]:
    """The rung resources of a Hyperband tuning job (every bracket's), ascending; [] otherwise.

    ``r * 3**k`` below ``MaxResource`` for ``k >= 0`` (see ``amtune.rules.hyperband``)."""
    if data.strategy != "Hyperband":
        return []
    sc = data.config["amtune"].get("strategy_config") or {}
    r, big = sc.get("min_resource"), sc.get("max_resource")
    if not r or not big:
        return []
    levels, k = [], 0
    while r * 3**k < big:
        levels.append(int(r * 3**k))
        k += 1
    return levels


def plot_learning_curves(data: ReportData) -> tuple[Any, str]:
    """The figure and a sentence saying what was drawn (and what decimated)."""
    go = graph_objects()
    curves = data.curves
    if not len(curves):
        return empty_figure(f"no emission of {data.objective} recorded"), ""
    hyperband = data.strategy == "Hyperband"
    seqs = select(data)
    by_seq = {int(s): g for s, g in curves[curves["seq"].isin(seqs)].groupby("seq", sort=True)}
    info = data.jobs.set_index("seq")
    best_seq = None
    loss = data.loss()
    if np.isfinite(loss).any():
        best_seq = int(
            data.jobs["seq"].to_numpy()[
                int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan)))
            ]
        )
    groups: dict[str, tuple[list[float], list[float], list[float]]] = {}
    stops: dict[str, tuple[list[float], list[float], list[int]]] = {}
    thinned = 0
    for s, g in by_seq.items():
        x = g["step"].to_numpy(dtype=float) + (1.0 if hyperband else 0.0)
        y = g["value"].to_numpy(dtype=float)
        keep = thin(len(x))
        thinned += len(keep) < len(x)
        status = str(info.at[s, "status"])
        cause = str(info.at[s, "stop_kind"])
        key = cause if cause in STOP_COLORS else status
        xs, ys, cs = groups.setdefault(key, ([], [], []))
        xs += [*x[keep], math.nan]
        ys += [*y[keep], math.nan]
        cs += [float(s)] * len(keep) + [math.nan]
        if cause in STOP_COLORS:
            sx, sy, ss = stops.setdefault(cause, ([], [], []))
            sx.append(float(x[-1]))
            sy.append(float(y[-1]))
            ss.append(s)
    fig = go.Figure()
    label = {
        StopKind.EARLY_STOPPING.value: "stopped by early stopping",
        StopKind.HYPERBAND.value: "stopped by Hyperband",
    }
    for key, (xs, ys, cs) in groups.items():
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, customdata=cs, mode="lines", name=label.get(key, key),
                line={"color": STOP_COLORS.get(key, STATUS_COLORS.get(key, "#888")), "width": 1},
                opacity=0.55, connectgaps=False,
                hovertemplate="job %{customdata}<br>step %{x}: %{y:.6g}<extra></extra>",
            )
        )  # fmt: skip
    for cause, (sx, sy, ss) in stops.items():
        fig.add_trace(
            go.Scatter(
                x=sx, y=sy, customdata=ss, mode="markers", name=f"{label[cause]}: stop",
                marker={"symbol": "x", "size": 8, "color": STOP_COLORS[cause]},
                hovertemplate="job %{customdata} stopped at %{x}<extra></extra>",
            )
        )  # fmt: skip
    if best_seq is not None and best_seq in by_seq:
        g = by_seq[best_seq]
        fig.add_trace(
            go.Scatter(
                x=g["step"].to_numpy(dtype=float) + (1.0 if hyperband else 0.0),
                y=g["value"].to_numpy(dtype=float), mode="lines", name=f"best (job {best_seq})",
                line={"color": "#222", "width": 2.5},
            )
        )  # fmt: skip
    for r in rung_levels(data):
        fig.add_vline(
            x=r, line={"dash": "dot", "color": "#999", "width": 1},
            annotation_text=f"rung {r}", annotation_position="top",
        )  # fmt: skip
    fig.update_layout(
        **base_layout(height=440),
        xaxis={"title": {"text": "resource (step + 1)" if hyperband else "step"}},
        yaxis={
            "title": {"text": data.objective},
            "type": "log" if use_log(curves["value"].to_numpy(dtype=float)) else "linear",
        },
    )
    n_all = int(curves["seq"].nunique())
    note = f"{len(by_seq)} of {n_all} training jobs' curves drawn"
    if len(by_seq) < n_all:
        note += (
            f" (decimated: the {BEST_CURVES} best final objectives, jobs stopped by a rule, and "
            "jobs evenly spaced in creation order)"
        )
    if thinned:
        note += (
            f"; {thinned} curve(s) longer than {MAX_POINTS} points thinned to {MAX_POINTS} "
            "evenly spaced points (first and last kept)"
        )
    return fig, note + "."

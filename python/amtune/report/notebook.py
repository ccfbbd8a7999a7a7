"""Compact HTML summaries for notebooks (``_repr_html_``), with the history as a static SVG.

The summary needs no JavaScript and no plotly (a notebook shows it as saved, offline, on GitHub):
status, strategy, objective, counters, the best training job, and the optimization history drawn
as an inline SVG (the objective of each succeeded training job and the best so far).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from amtune.enums import ObjectiveType
from amtune.text import html_text

WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T, PAD_R = 420, 150, 46, 22, 8, 8


def _e(v: Any) -> str:
    return html_text(v)


def history_svg(values: Sequence[float | None], maximize: bool, label: str = "") -> str:
    """An SVG of objective values in job order (dots) and the best so far (a step line)."""
    pts = [(i + 1, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if not pts:
        return ""
    n = max(len(values), 2)
    ys = [v for _, v in pts]
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-12 * max(abs(hi), 1.0):
        lo, hi = lo - 0.5, hi + 0.5
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def sx(x: float) -> float:
        return PAD_L + (x - 1) / (n - 1) * w

    def sy(y: float) -> float:
        return PAD_T + (hi - y) / (hi - lo) * h

    dots = "".join(
        f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.2" fill="#4e79a7" fill-opacity="0.7"/>'
        for x, y in pts
    )
    best: float | None = None
    path: list[str] = []
    for x, y in pts:
        if best is None or (y > best if maximize else y < best):
            if best is not None:
                path.append(f"L{sx(x):.1f},{sy(best):.1f}")
            best = y
            path.append(f"{'M' if len(path) == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}")
    if best is not None:
        path.append(f"L{sx(n):.1f},{sy(best):.1f}")
    axis = (
        f'<line x1="{PAD_L}" y1="{PAD_T + h}" x2="{PAD_L + w}" y2="{PAD_T + h}" stroke="#bbb"/>'
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + h}" stroke="#bbb"/>'
        f'<text x="{PAD_L - 4}" y="{PAD_T + 8}" text-anchor="end">{hi:.4g}</text>'
        f'<text x="{PAD_L - 4}" y="{PAD_T + h}" text-anchor="end">{lo:.4g}</text>'
        f'<text x="{PAD_L}" y="{HEIGHT - 6}">1</text>'
        f'<text x="{PAD_L + w}" y="{HEIGHT - 6}" text-anchor="end">{len(values)}</text>'
        f'<text x="{PAD_L + w / 2}" y="{HEIGHT - 6}" text-anchor="middle">training job'
        f"{' - ' + _e(label) if label else ''}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="10" fill="#555" role="img" '
        f'aria-label="optimization history">{axis}{dots}'
        f'<path d="{"".join(path)}" fill="none" stroke="#222" stroke-width="1.5"/></svg>'
    )


def summary_html(doc: Mapping[str, Any], values: Sequence[float | None] | None = None) -> str:
    """A compact summary of a DescribeHyperParameterTuningJob document (and its history)."""
    htc = doc["HyperParameterTuningJobConfig"]
    obj = htc["HyperParameterTuningJobObjective"]
    c = doc["TrainingJobStatusCounters"]
    failed = c["RetryableError"] + c["NonRetryableError"]
    rows = [
        ("Status", doc["HyperParameterTuningJobStatus"]),
        ("Strategy", htc["Strategy"]),
        ("Objective", f"{obj['Type']} {obj['MetricName']}"),
        (
            "Training jobs",
            f"{c['Completed']} completed, {c['InProgress']} in progress, {failed} failed, "
            f"{c['Stopped']} stopped",
        ),
        ("Consumed runtime", f"{doc['ConsumedResources']['RuntimeInSeconds']} s"),
    ]
    reason = doc.get("TuningJobCompletionReason") or doc.get("FailureReason")
    if reason:
        rows.append(("Reason", reason))
    best = doc.get("BestTrainingJob")
    if best:
        m = best["FinalHyperParameterTuningJobObjectiveMetric"]
        hps = ", ".join(f"{k}={v}" for k, v in best["TunedHyperParameters"].items())
        rows.append(("Best training job", f"{best['TrainingJobName']}: {m['Value']:.6g}"))
        rows.append(("Best hyperparameters", hps))
    body = "".join(
        f'<tr><td style="color:#666;padding-right:12px;text-align:left">{_e(k)}</td>'
        f'<td style="text-align:left">{_e(v)}</td></tr>'
        for k, v in rows
    )
    svg = (
        history_svg(values, obj["Type"] == ObjectiveType.MAXIMIZE, obj["MetricName"])
        if values
        else ""
    )
    return (
        '<div class="amtune-summary" style="display:flex;gap:18px;flex-wrap:wrap;'
        'align-items:flex-start;font-size:13px">'
        f"<div><b>Tuning job {_e(doc['HyperParameterTuningJobName'])}</b>"
        f"<table>{body}</table></div>{svg}</div>"
    )

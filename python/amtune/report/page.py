"""The HTML report: one self-contained file (plotly.js inlined once, no network) in ten sections.

1. the tuning job (header: strategy, objective, status, times, seed, version, search space);
2. status counters and the best training job;
3. optimization history; 4. parallel coordinates; 5. slices and the contour of the two most
important ranges; 6. importances; 7. learning curves; 8. timeline; 9. the table of training jobs;
10. endpoint metrics, when an endpoint serves one of the job's training jobs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amtune.report import figures as F
from amtune.report._plotly import plotly_js
from amtune.report.assets import CSS, JS
from amtune.report.data import ReportData
from amtune.report.importance import Importances, gp_importances, ped_anova_importances
from amtune.report.table import table_data
from amtune.text import html_text

if TYPE_CHECKING:  # pragma: no cover
    from amtune.store import Store

SECTIONS = (
    ("overview", "Tuning job"),
    ("status", "Status and best training job"),
    ("history", "Optimization history"),
    ("parallel", "Parallel coordinates"),
    ("slices", "Slices and contour"),
    ("importances", "Importances"),
    ("curves", "Learning curves"),
    ("timeline", "Timeline"),
    ("jobs", "Training jobs"),
    ("endpoints", "Endpoint metrics"),
)


def _e(v: Any) -> str:
    return html_text(v)


def _version() -> str:
    # the facade is loaded (it is this package's parent); importing it here would tie the layers
    return str(getattr(sys.modules["amtune"], "__version__", "unknown"))


def _fmt_time(t: Any) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M:%S UTC")


def _kv(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _data_table(head: list[str], rows: list[list[Any]]) -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    b = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="data"><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>'


@dataclass
class Analysis:
    """What the page computes from the data besides the figures: importances and notes."""

    importances: list[Importances] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def analyse(data: ReportData, seed: int = 0) -> Analysis:
    """Both importances (PED-ANOVA first); a method that cannot run says why in ``notes``."""
    out = Analysis()
    ok = data.succeeded_mask()
    X, loss = data.encoded(ok), data.loss(ok)
    ped = ped_anova_importances(data.space, X, loss)
    if ped is None:
        out.notes["ped"] = (
            f"PED-ANOVA needs at least 20 succeeded training jobs ({int(ok.sum())} so far)."
        )
    else:
        out.importances.append(ped)
    try:
        gp = gp_importances(data.space, X, loss, seed=seed)
    except RuntimeError as exc:
        out.notes["gp"] = f"The GP could not be fitted to this history: {exc}."
    else:
        if gp is None:
            out.notes["gp"] = (
                f"The GP needs at least {max(5, data.space.dim + 1)} succeeded training jobs "
                f"({int(ok.sum())} so far)."
            )
        else:
            out.importances.append(gp)
    return out


# ====================================================================== sections
def _overview(data: ReportData) -> str:
    d = data.description
    htc = d["HyperParameterTuningJobConfig"]
    limits = htc["ResourceLimits"]
    reason = d.get("TuningJobCompletionReason") or d.get("FailureReason") or "-"
    end = d.get("HyperParameterTuningEndTime")
    rows = [
        ("Tuning job", f"<b>{_e(data.name)}</b>"),
        ("Status", f'<span class="status-{_e(d["HyperParameterTuningJobStatus"])}">'
                   f'{_e(d["HyperParameterTuningJobStatus"])}</span>'),
        ("Completion / failure reason", _e(reason)),
        ("Strategy", _e(htc["Strategy"])
         + (f" <code>{_e(json.dumps(htc['StrategyConfig']))}</code>"
            if htc.get("StrategyConfig") else "")),
        ("Objective", f"{_e(data.direction)} <code>{_e(data.objective)}</code>"),
        ("Early stopping", _e(htc.get("TrainingJobEarlyStoppingType", "Off"))),
        ("Limits", _e(f"{limits['MaxNumberOfTrainingJobs']} training jobs, "
                      f"{limits['MaxParallelTrainingJobs']} in parallel"
                      + (f", {limits['MaxRuntimeInSeconds']} s" if "MaxRuntimeInSeconds" in limits
                         else ""))),
        ("Created", _e(_fmt_time(d["CreationTime"]))),
        ("Ended", _e(_fmt_time(end))),
        ("Last modified", _e(_fmt_time(d.get("LastModifiedTime")))),
        ("Consumed runtime", _e(f"{d['ConsumedResources']['RuntimeInSeconds']} s")),
        ("Random seed", _e(htc.get("RandomSeed", "-"))),
        ("amtune version", _e(_version())),
        ("Store", f"<code>{_e(data.store_path)}</code>"),
    ]  # fmt: skip
    space_rows = []
    for name, p in data.space.ranges.items():
        q: Any = p
        if p.kind == "Categorical":
            space_rows.append([name, "Categorical", ", ".join(map(str, q.values)), "-"])
        else:
            scaling = (
                q.scaling_type if q.scaling_type == q.scale else f"{q.scaling_type} -> {q.scale}"
            )
            space_rows.append([name, p.kind, f"{q.min_value:g} .. {q.max_value:g}", scaling])
    static = d["TrainingJobDefinition"].get("StaticHyperParameters") or {}
    static_html = (
        _data_table(["name", "value"], [[k, v] for k, v in static.items()])
        if static
        else '<p class="note">none</p>'
    )
    return (
        f'<div class="grid"><div>{_kv(rows)}</div><div><h3>Search space</h3>'
        f"{_data_table(['range', 'type', 'values', 'scaling type'], space_rows)}"
        f"<h3>Static hyperparameters</h3>{static_html}</div></div>"
    )


def _status(data: ReportData) -> str:
    d = data.description
    counters = "".join(
        f'<div class="counter"><b>{n}</b><span>{_e(k)}</span></div>'
        for k, n in d["TrainingJobStatusCounters"].items()
    )
    obj = "".join(
        f'<div class="counter"><b>{n}</b><span>objective {_e(k)}</span></div>'
        for k, n in d["ObjectiveStatusCounters"].items()
    )
    best = d.get("BestTrainingJob")
    if best is None:
        best_html = '<p class="note">No training job has a succeeded objective yet.</p>'
    else:
        m = best["FinalHyperParameterTuningJobObjectiveMetric"]
        best_html = _kv(
            [
                ("Best training job", f"<b>{_e(best['TrainingJobName'])}</b>"),
                (m["MetricName"], f"<b>{m['Value']:.6g}</b>"),
                ("Status", _e(best["TrainingJobStatus"])),
                *[(k, f"<code>{_e(v)}</code>") for k, v in best["TunedHyperParameters"].items()],
            ]
        )
    cd = d.get("TuningJobCompletionDetails") or {}
    extra = (
        f'<p class="note">Training jobs since the best objective last improved by 1%: '
        f"{_e(cd.get('NumberOfTrainingJobsObjectiveNotImproving', '-'))}</p>"
    )
    return (
        f'<div class="counters">{counters}</div><div class="counters">{obj}</div>{best_html}{extra}'
    )


def _importance_text(analysis: Analysis) -> str:
    parts = [
        "<p class='note'><b>PED-ANOVA</b> (model-free; Watanabe, Bansal &amp; Hutter, IJCAI 2023, "
        "arXiv:2304.10255): for each range, the Pearson divergence between the density of its "
        "encoded value among the best 10% of the succeeded training jobs and among all of them "
        "(Gaussian kernel estimates in the range's scale), normalized to sum to 1. It says which "
        "ranges had to be set right to reach the best 10% during this tuning job.</p>",
        "<p class='note'><b>GP</b>: the compiled engine's Gaussian process (Matern-5/2, one "
        "lengthscale <i>l<sub>d</sub></i> per range, MAP fit as in the Bayesian strategy, input "
        "warping off) fitted to the succeeded training jobs (at most 512: the best quarter and an "
        "even spread of the rest) in the encoded space [0, 1]<sup>d</sup>; "
        "importance = (1/<i>l<sub>d</sub></i>) / &Sigma;<sub>j</sub> (1/<i>l<sub>j</sub></i>) "
        "(automatic relevance determination). A short lengthscale means the objective changes "
        "within a small part of the range; for a categorical range the kernel compares values.</p>",
    ]
    parts += [f"<p class='note'>{_e(v)}</p>" for v in analysis.notes.values()]
    return "".join(parts)


# ====================================================================== the page
@dataclass
class Page:
    """The figures (by element id) and sections of a report, before they become HTML."""

    data: ReportData
    analysis: Analysis
    figures: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def build_page(data: ReportData, seed: int = 0) -> Page:
    """Compute the analysis and every figure of the report."""
    analysis = analyse(data, seed)
    page = Page(data, analysis)
    figs = page.figures
    figs["fig-history"] = F.plot_history(data)
    figs["fig-parallel"] = F.plot_parallel_coordinates(data)
    n_ok = int(data.succeeded_mask().sum())
    lines = (figs["fig-parallel"].layout.meta or {}).get("lines", n_ok)
    page.notes["parallel"] = f"{lines} of the {n_ok} succeeded training jobs are drawn" + (
        " (decimated: the best quarter of the lines and an even selection by job order of the "
        "rest)."
        if lines < n_ok
        else "."
    )
    figs["fig-slices"] = F.plot_slices(data)
    contour = F.plot_contour(data, analysis.importances, seed=seed)
    figs["fig-contour"] = contour
    meta = contour.layout.meta
    if meta:
        a, b = meta["pair"]
        page.notes["contour"] = (
            f"Contour: the GP posterior mean of the objective over {a} and {b}, the two most "
            f"important ranges by the GP's importances, with the other ranges at the best training "
            f"job's values; the GP "
            f"is conditioned on {meta['gp_points']} of the {meta['succeeded']} succeeded jobs"
            + (
                " (the best quarter and an even selection by job order of the rest)"
                if meta["gp_points"] < meta["succeeded"]
                else ""
            )
            + "."
        )
    figs["fig-importances"] = F.plot_importances(analysis.importances)
    curves, note = F.plot_learning_curves(data)
    figs["fig-curves"] = curves
    page.notes["curves"] = note
    figs["fig-timeline"] = F.plot_timeline(data)
    if data.endpoints:
        figs["fig-endpoints"] = F.plot_endpoint_metrics(data.endpoints)
    return page


def _section(i: int, key: str, title: str, body: str) -> str:
    return f'<section id="{key}" data-section="{i}"><h2>{i}. {_e(title)}</h2>{body}</section>'


def _plot(fig_id: str) -> str:
    return f'<div class="plot" id="{fig_id}"></div>'


def _json_script(element_id: str, doc_json: str) -> str:
    # "</" cannot appear inside a script element; "<\/" is the same JSON string
    safe = doc_json.replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


def render_html(page: Page) -> str:
    """The report as one HTML document."""
    data = page.data
    n = len(data.jobs)
    bodies = {
        "overview": _overview(data),
        "status": _status(data),
        "history": _plot("fig-history")
        + '<p class="note">Every training job is drawn; failed, stopped and running jobs are '
        "marked in a strip below the objective (when there are any).</p>",
        "parallel": _plot("fig-parallel")
        + f'<p class="note">{_e(page.notes.get("parallel", ""))} Axes in each range\'s scale '
        "(log, reverse log, categorical); drag along an axis to filter.</p>",
        "slices": _plot("fig-slices")
        + _plot("fig-contour")
        + f'<p class="note">{_e(page.notes.get("contour", ""))}</p>',
        "importances": _plot("fig-importances") + _importance_text(page.analysis),
        "curves": _plot("fig-curves")
        + f'<p class="note">{_e(page.notes.get("curves", ""))} Early-stopped and '
        "Hyperband-stopped jobs are marked with a cross at their stop; dotted lines are "
        "Hyperband's rung levels.</p>",
        "timeline": _plot("fig-timeline")
        + '<p class="note">One bar per attempt of each training job (retried attempts in '
        "pink); overlapping bars show the parallelism.</p>",
        "jobs": '<div class="pager"><input id="jobs-filter" placeholder="filter rows"> '
        '<button id="jobs-prev">&larr;</button><button id="jobs-next">&rarr;</button> '
        '<span id="jobs-info"></span></div><div class="tablewrap"><table class="data" '
        'id="jobs-table"></table></div><p class="note">Click a column to sort.</p>',
        "endpoints": _plot("fig-endpoints")
        + '<p class="note">CloudWatch-named metrics of the endpoint variants serving this '
        "tuning job's training jobs, in 1-minute buckets.</p>",
    }
    sections = [
        _section(i + 1, key, title, bodies[key])
        for i, (key, title) in enumerate(SECTIONS)
        if key != "endpoints" or data.endpoints
    ]
    nav = "".join(
        f'<a href="#{key}">{_e(title)}</a>'
        for key, title in SECTIONS
        if key != "endpoints" or data.endpoints
    )
    figs_json = (
        "{"
        + ",".join(
            f"{json.dumps(k)}:{fig.to_json(validate=False)}" for k, fig in page.figures.items()
        )
        + "}"
    )
    d = data.description
    sub = (
        f"{_e(d['HyperParameterTuningJobStatus'])} &middot; {_e(data.strategy)} &middot; "
        f"{_e(data.direction)} {_e(data.objective)} &middot; {n} training jobs"
    )
    generated = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(data.generated_at))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>amtune report: {_e(data.name)}</title><style>{CSS}</style>"
        f"<script>{plotly_js()}</script></head><body>"
        f"<header><h1>amtune report: {_e(data.name)}</h1><div class='sub'>{sub}</div></header>"
        f"<nav>{nav}</nav><main>{''.join(sections)}</main>"
        f"<footer>Generated by amtune {_e(_version())} on {generated} from "
        f"{_e(data.store_path)}. Self-contained: works offline.</footer>"
        f"{_json_script('amtune-figures', figs_json)}"
        f"{_json_script('amtune-table', json.dumps(table_data(data), allow_nan=False))}"
        f"<script>{JS}</script></body></html>"
    )


def write_report(
    store: Store,
    name: str,
    path: str | os.PathLike[str],
    seed: int = 0,
) -> Path:
    """Write the HTML report of tuning job ``name`` to ``path``; returns the path written.

    >>> import amtune, tempfile, os
    >>> from amtune.store import Store
    >>> d = tempfile.mkdtemp()
    >>> tuner = amtune.HyperparameterTuner(
    ...     "score", {"x": amtune.ContinuousParameter(-3.0, 3.0)}, strategy="Random",
    ...     max_jobs=4, random_seed=1, runner="thread", quiet=True, db=os.path.join(d, "a.db"))
    >>> tuner.fit(lambda hp, reporter: -(hp["x"] - 1.0) ** 2, job_name="doc")
    >>> out = write_report(tuner.store, "doc", os.path.join(d, "report.html"))
    >>> out.stat().st_size > 1_000_000  # plotly.js is inlined
    True
    """
    out = Path(path).expanduser()
    if out.is_dir():
        raise ValueError(f"path: {out} is a directory; give a file such as {out / 'report.html'}")
    data = ReportData.load(store, name)
    text = render_html(build_page(data, seed))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


__all__ = ["SECTIONS", "Analysis", "Page", "analyse", "build_page", "render_html", "write_report"]

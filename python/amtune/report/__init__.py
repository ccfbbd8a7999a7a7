"""The HTML report of a tuning job, its figures and hyperparameter importances (``amtune[report]``).

``amtune report NAME [-o report.html]`` and ``tuner.report(path)`` write the same file: one
self-contained HTML page (plotly.js inlined once, works offline) with ten sections. The figures
are also available one by one, as plotly figures: ``tuner.plot_history()``, ... or, from a store,

>>> from amtune.report import ReportData, plot_history, write_report  # doctest: +SKIP
>>> data = ReportData.load(store, "my-tuning-job")  # doctest: +SKIP
>>> fig = plot_history(data)  # doctest: +SKIP
>>> write_report(store, "my-tuning-job", "report.html")  # doctest: +SKIP

Only ``plotly`` is needed beyond amtune's own dependencies; it is imported when a figure is made,
and the names below are imported on first use (the tuner imports this package).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "ReportData": "amtune.report.data",
    "StopKind": "amtune.report.data",
    "VariantMetrics": "amtune.report.endpoints",
    "read_endpoint_metrics": "amtune.report.endpoints",
    "plot_contour": "amtune.report.figures",
    "plot_endpoint_metrics": "amtune.report.figures",
    "plot_history": "amtune.report.figures",
    "plot_importances": "amtune.report.figures",
    "plot_learning_curves": "amtune.report.figures",
    "plot_parallel_coordinates": "amtune.report.figures",
    "plot_slices": "amtune.report.figures",
    "plot_timeline": "amtune.report.figures",
    "ImportanceMethod": "amtune.report.importance",
    "Importances": "amtune.report.importance",
    "gp_importances": "amtune.report.importance",
    "ped_anova_importances": "amtune.report.importance",
    "SECTIONS": "amtune.report.page",
    "build_page": "amtune.report.page",
    "render_html": "amtune.report.page",
    "write_report": "amtune.report.page",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'amtune.report' has no attribute {name!r}")

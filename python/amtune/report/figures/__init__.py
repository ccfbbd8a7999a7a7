"""The report's figures: each function returns a plotly ``Figure`` built from a ``ReportData``."""

from amtune.report.figures.curves import plot_learning_curves
from amtune.report.figures.endpoints import plot_endpoint_metrics
from amtune.report.figures.history import plot_history
from amtune.report.figures.importances import plot_importances
from amtune.report.figures.parameters import plot_contour, plot_parallel_coordinates, plot_slices
from amtune.report.figures.timeline import plot_timeline

__all__ = [
    "plot_contour",
    "plot_endpoint_metrics",
    "plot_history",
    "plot_importances",
    "plot_learning_curves",
    "plot_parallel_coordinates",
    "plot_slices",
    "plot_timeline",
]

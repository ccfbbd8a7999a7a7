"""The report's methods of ``HyperparameterTuner``: ``report(path)``, ``plot_*()``,
``importances()`` and the notebook display (``_repr_html_``).

They live here, as a mixin, so that the tuner's own module stays about tuning; each reads the
latest tuning job from the store (plotly is imported only when a figure is made).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from amtune.report.data import ReportData
    from amtune.report.importance import Importances
    from amtune.store import Store


class TunerReportMixin:
    """Report, figures and notebook display of the tuner's latest tuning job."""

    latest_tuning_job: str | None

    @property
    def store(self) -> Store:  # pragma: no cover - provided by the tuner
        raise NotImplementedError

    def _report_data(self) -> ReportData:
        from amtune.report.data import ReportData

        if self.latest_tuning_job is None:
            raise RuntimeError(
                "no tuning job yet: call fit() first (or HyperparameterTuner.attach)"
            )
        return ReportData.load(self.store, self.latest_tuning_job)

    def report(self, path: str | os.PathLike[str] = "report.html") -> Path:
        """Write the self-contained HTML report of the latest tuning job; returns its path."""
        from amtune.report.page import write_report

        if self.latest_tuning_job is None:
            raise RuntimeError(
                "no tuning job yet: call fit() first (or HyperparameterTuner.attach)"
            )
        return write_report(self.store, self.latest_tuning_job, path)

    def importances(self) -> list[Importances]:
        """The importances of the tuned ranges: PED-ANOVA and the GP's (each when computable)."""
        from amtune.report.page import analyse

        return analyse(self._report_data()).importances

    def plot_history(self) -> Any:
        """The optimization history (a plotly figure)."""
        from amtune.report.figures import plot_history

        return plot_history(self._report_data())

    def plot_parallel_coordinates(self) -> Any:
        """Parallel coordinates of the hyperparameters and the objective (a plotly figure)."""
        from amtune.report.figures import plot_parallel_coordinates

        return plot_parallel_coordinates(self._report_data())

    def plot_slices(self) -> Any:
        """The objective against each hyperparameter (a plotly figure)."""
        from amtune.report.figures import plot_slices

        return plot_slices(self._report_data())

    def plot_contour(self) -> Any:
        """The GP mean over the two most important ranges (a plotly figure)."""
        from amtune.report.figures import plot_contour
        from amtune.report.page import analyse

        data = self._report_data()
        return plot_contour(data, analyse(data).importances)

    def plot_importances(self) -> Any:
        """Importances of the tuned ranges, PED-ANOVA and GP (a plotly figure)."""
        from amtune.report.figures import plot_importances
        from amtune.report.page import analyse

        return plot_importances(analyse(self._report_data()).importances)

    def plot_learning_curves(self) -> Any:
        """The objective metric's series per training job (a plotly figure)."""
        from amtune.report.figures import plot_learning_curves

        return plot_learning_curves(self._report_data())[0]

    def plot_timeline(self) -> Any:
        """Training jobs on the wall clock, coloured by status (a plotly figure)."""
        from amtune.report.figures import plot_timeline

        return plot_timeline(self._report_data())

    def _repr_html_(self) -> str:
        from amtune.report.notebook import summary_html

        if self.latest_tuning_job is None:
            return "<p>HyperparameterTuner: no tuning job yet (call <code>fit()</code>).</p>"
        data = self._report_data()
        values = data.jobs["final_objective"].tolist()
        return summary_html(data.description, values)

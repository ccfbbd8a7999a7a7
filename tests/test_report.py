"""The report: data, importances, figures, the HTML page, notebook display and the CLI (no browser;
tests/test_report_browser.py opens the page in Chromium)."""

from __future__ import annotations

import json
import math
import pickle
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("plotly")

import plotly.graph_objects as go
from report_store import (
    IMPORTANT,
    OBJECTIVE,
    RANGES,
    objective,
    write_endpoint,
    write_synthetic_job,
)

import amtune
from amtune.analytics import describe
from amtune.cli import main
from amtune.report import (
    ImportanceMethod,
    ReportData,
    StopKind,
    gp_importances,
    ped_anova_importances,
    write_report,
)
from amtune.report.axes import axis_for
from amtune.report.endpoints import EndpointLayoutError
from amtune.report.figures.curves import MAX_CURVES, rung_levels, select, thin
from amtune.report.page import analyse, build_page, render_html
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.store import Store


@pytest.fixture
def hyperband_store(tmp_path):
    """A finished Hyperband job of 120 training jobs, some failed, retried and stopped."""
    return write_synthetic_job(tmp_path / "hb.db", n_jobs=120, strategy="Hyperband", seed=3)


def _history(n: int, seed: int) -> tuple[amtune.SearchSpace, np.ndarray, np.ndarray]:
    space = amtune.SearchSpace(RANGES)
    configs = space.sample(n, seed)
    rng = np.random.default_rng(seed)
    loss = np.array([objective(c) for c in configs]) * np.exp(rng.normal(0, 0.05, n))
    return space, space.encode(configs), loss


# ====================================================================== importances
@pytest.mark.parametrize("method", [ped_anova_importances, gp_importances])
def test_importances_rank_the_two_ranges_that_matter_on_top(method):
    # 6 ranges (log, reverse-log, log-integer, linear, categorical, log); only 2 change the loss
    hits = 0
    for seed in range(10):
        space, X, loss = _history(100, seed)
        imp = method(space, X, loss)
        assert imp is not None
        assert math.isclose(sum(imp.values.values()), 1.0)
        assert all(v >= 0 for v in imp.values.values())
        hits += {n for n, _ in imp.ranked()[:2]} == set(IMPORTANT)
    assert hits >= 9


def test_importances_of_a_bayesian_history_rank_the_two_ranges_on_top():
    space = amtune.SearchSpace(RANGES)
    opt = amtune.Optimizer(space, strategy="Bayesian", objective_type="Minimize", random_seed=0)
    for _ in range(40):
        t = opt.ask()[0]
        opt.tell(t.id, objective(t.params))
    trials = [t for t in opt.trials if t.value is not None]
    X = space.encode([t.params for t in trials])
    imp = gp_importances(space, X, np.array([t.value for t in trials]))
    assert {n for n, _ in imp.ranked()[:2]} == set(IMPORTANT)


def test_importances_need_enough_jobs_and_skip_failed_values():
    space, X, loss = _history(30, 0)
    assert ped_anova_importances(space, X[:19], loss[:19]) is None
    assert gp_importances(space, X[:6], loss[:6]) is None
    loss[:11] = np.nan  # failed jobs are left out, not counted
    assert ped_anova_importances(space, X, loss) is None
    assert gp_importances(space, X, loss).n_jobs == 19
    with pytest.raises(ValueError, match="target_quantile"):
        ped_anova_importances(space, X, loss, target_quantile=1.0)


def test_ped_anova_is_zero_signal_when_the_top_set_looks_like_all():
    # a constant objective: every job ties, the top set is every job, no range matters
    space, X, _ = _history(50, 1)
    imp = ped_anova_importances(space, X, np.ones(50))
    assert imp is not None
    assert np.allclose(list(imp.values.values()), 1 / 6)


# ====================================================================== data
def test_report_data_reads_statuses_stops_attempts_and_curves(hyperband_store):
    data = ReportData.load(hyperband_store, "synthetic")
    assert len(data.jobs) == 120 and list(data.params.columns) == list(RANGES)
    assert data.objective == OBJECTIVE and not data.maximize and data.strategy == "Hyperband"
    causes = set(data.jobs["stop_kind"])
    assert StopKind.HYPERBAND.value in causes and StopKind.NONE.value in causes
    assert (data.jobs["attempts"] == 2).any()
    assert len(data.attempts) >= len(data.jobs)
    # steps are the reported epochs; the best-so-far never gets worse
    assert data.curves["step"].min() == 0
    best = data.best_so_far()
    finite = best[np.isfinite(best)]
    assert np.all(np.diff(finite) <= 0)
    assert rung_levels(data) == [1, 3, 9]


def test_stop_kind_reads_the_recorded_decision_not_the_message():
    from amtune.report.data import stop_kind

    def decision(rule, action="Stop"):
        return {"rule": rule, "action": action, "reason": "any text", "resource": None}

    assert stop_kind("Stopped", decision("EarlyStopping")) is StopKind.EARLY_STOPPING
    assert stop_kind("Completed", decision("Hyperband", "Complete")) is StopKind.HYPERBAND
    assert stop_kind("Stopped", decision("TuningJobStopping")) is StopKind.TUNING_JOB
    assert stop_kind("Failed", decision("Timeout")) is StopKind.TIMEOUT
    # a decision whose status does not follow (the job ended otherwise) labels nothing
    assert stop_kind("Completed", decision("EarlyStopping")) is StopKind.NONE
    # no recorded decision (an older store): unlabelled, whatever FailureReason says
    assert stop_kind("Stopped", None) is StopKind.NONE


def test_report_labels_the_stops_the_driver_recorded(tmp_path):
    def train(hp, reporter):
        for step in range(30):
            reporter.report("score", hp["x"] * (step + 1), step=step)
            time.sleep(0.02 if hp["x"] > 0.5 else 0.05)

    tuner = amtune.HyperparameterTuner(
        "score",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        strategy="Random",
        objective_type="Maximize",
        max_jobs=8,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        random_seed=1,
        runner="thread",
        quiet=True,
        db=str(tmp_path / "es.db"),
    )
    tuner.fit(train, job_name="es")
    data = ReportData.load(tuner.store, "es")
    jobs = data.jobs.set_index("seq")
    decided = tuner.store.rule_decisions("es")
    stopped = jobs.index[jobs["status"] == "Stopped"]
    assert len(stopped) > 0 and set(stopped) == set(decided)
    assert (jobs.loc[stopped, "stop_kind"] == StopKind.EARLY_STOPPING.value).all()
    assert (jobs.drop(index=stopped)["stop_kind"] == StopKind.NONE.value).all()
    # an older store has no recorded decisions: the stops are simply unlabelled
    for seq in decided:
        tuner.store.delete_rule_decision("es", seq)
    old = ReportData.load(tuner.store, "es")
    assert (old.jobs["stop_kind"] == StopKind.NONE.value).all()


def test_report_labels_a_training_job_time_limit(tmp_path):
    def train(hp, reporter):
        for step in range(100):
            reporter.report("score", hp["x"], step=step)
            time.sleep(0.05)

    tuner = amtune.HyperparameterTuner(
        "score",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        strategy="Random",
        max_jobs=1,
        max_runtime_per_training_job=0.3,
        random_seed=0,
        runner="thread",
        quiet=True,
        db=str(tmp_path / "t.db"),
    )
    with pytest.raises(UnexpectedStatusException, match="MaxRuntimeInSeconds"):
        tuner.fit(train, job_name="t")  # its only training job failed
    jobs = ReportData.load(tuner.store, "t").jobs
    assert list(jobs["status"]) == ["Failed"]
    assert list(jobs["stop_kind"]) == [StopKind.TIMEOUT.value]


# ====================================================================== axes and decimation
def test_axes_follow_the_scaling_type():
    log = axis_for("lr", RANGES["learning_rate"])
    assert log.scale == "Logarithmic" and (log.lo, log.hi) == (-4.0, 0.0)
    assert np.allclose(log.coords([1e-3, 1.0]), [-3.0, 0.0])
    assert "0.001" in log.ticktext
    rev = axis_for("m", RANGES["momentum"])
    assert rev.scale == "ReverseLogarithmic"
    assert np.allclose(rev.coords([0.0, 0.9, 0.99]), [0.0, 1.0, 2.0])
    assert rev.ticktext[0] == "0" and "0.99" in rev.ticktext
    cat = axis_for("b", RANGES["batch_size"])
    assert list(cat.coords([16, 128, 99])[:2]) == [0.0, 3.0] and math.isnan(cat.coords([99])[0])
    assert cat.ticktext == ["16", "32", "64", "128"]
    lin = axis_for("d", RANGES["dropout"])
    assert lin.tickvals[0] == 0.0 and lin.tickvals[-1] == pytest.approx(0.5)
    auto = axis_for("a", amtune.ContinuousParameter(1.0, 1000.0))  # Auto -> Logarithmic
    assert auto.scale == "Logarithmic"


def test_curves_are_decimated_with_the_best_and_rule_stopped_jobs_kept(tmp_path):
    store = write_synthetic_job(tmp_path / "c.db", n_jobs=600, seed=1)
    data = ReportData.load(store, "synthetic")
    chosen = select(data)
    assert len(chosen) == MAX_CURVES
    loss = data.loss()
    best50 = data.jobs["seq"].to_numpy()[np.argsort(np.where(np.isfinite(loss), loss, np.inf))[:50]]
    assert set(best50) <= set(chosen)
    assert list(thin(10, 100)) == list(range(10))
    t = thin(1000, 100)
    assert len(t) == 100 and t[0] == 0 and t[-1] == 999


# ====================================================================== the page
def test_page_has_every_section_plotly_js_once_and_says_what_it_decimated(tmp_path):
    store = write_synthetic_job(tmp_path / "big.db", n_jobs=2500, parallel=8, seed=2)
    out = write_report(store, "synthetic", tmp_path / "r.html")
    text = out.read_text()
    for i in range(1, 10):
        assert f'data-section="{i}"' in text
    assert 'data-section="10"' not in text  # no endpoint tables in this store
    assert text.count("plotly.js v") == 1  # the library's banner: inlined once
    from amtune.report._plotly import plotly_js

    own = text.replace(plotly_js(), "")  # the page without the inlined library
    assert "<script src=" not in own and "http" not in own.split("<footer>")[0]  # nothing fetched
    assert "decimated" in text  # the learning curves and parallel coordinates say so
    assert "PED-ANOVA" in text and "inverse" in text
    doc = json.loads(
        text.split('id="amtune-table">', 1)[1].split("</script>", 1)[0].replace("<\\/", "</")
    )
    assert len(doc["rows"]) == 2500 and "FailureReason" in doc["columns"]


def test_figures_are_plotly_figures_and_handle_no_results(tmp_path):
    store = Store(tmp_path / "e.db")
    tuner = amtune.HyperparameterTuner(
        "score", {"x": amtune.ContinuousParameter(0.0, 1.0)}, strategy="Random", max_jobs=2,
        runner="thread", quiet=True, db=store.path, random_seed=0,
    )  # fmt: skip

    def train(hp, reporter):
        raise RuntimeError("broken training code")

    with pytest.raises(amtune.UnexpectedStatusException):  # a Failed tuning job raises (issue 11)
        tuner.fit(train, job_name="all-fail")
    for plot in (
        tuner.plot_history, tuner.plot_parallel_coordinates, tuner.plot_slices,
        tuner.plot_contour, tuner.plot_importances, tuner.plot_learning_curves,
        tuner.plot_timeline,
    ):  # fmt: skip
        assert isinstance(plot(), go.Figure)
    page = build_page(ReportData.load(tuner.store, "all-fail"))
    html = render_html(page)
    assert "no training job has a succeeded objective" in html
    assert tuner.importances() == []
    assert "Failed" in tuner._repr_html_()


def test_values_from_the_store_are_escaped(tmp_path):
    space = {"opt": amtune.CategoricalParameter(["<script>alert(1)</script>", "b"])}
    tuner = amtune.HyperparameterTuner(
        "score", space, strategy="Grid", runner="thread", quiet=True, db=tmp_path / "x.db",
    )  # fmt: skip
    tuner.fit(lambda hp, reporter: 1.0, job_name="esc")
    html = tuner.report(tmp_path / "x.html").read_text()
    body = html.split("</head>", 1)[1]
    assert "<script>alert(1)</script>" not in body.replace("<\\/script>", "")


def test_tuner_report_and_notebook_display(tmp_path):
    tuner = amtune.HyperparameterTuner(
        "score", {"x": amtune.ContinuousParameter(-2.0, 2.0), "k": amtune.IntegerParameter(1, 4)},
        strategy="Random", max_jobs=8, max_parallel_jobs=2, runner="thread", quiet=True,
        db=tmp_path / "t.db", random_seed=4,
    )  # fmt: skip
    assert "no tuning job yet" in tuner._repr_html_()
    with pytest.raises(RuntimeError, match="fit"):
        tuner.report(tmp_path / "r.html")
    tuner.fit(lambda hp, reporter: -(hp["x"] ** 2) - hp["k"], job_name="nb")
    path = tuner.report(tmp_path / "sub" / "r.html")
    assert path.exists() and path.stat().st_size > 1_000_000
    with pytest.raises(ValueError, match="directory"):
        tuner.report(tmp_path)
    html = tuner._repr_html_()
    assert "<svg" in html and "Tuning job nb" in html and "<script" not in html
    d = tuner.describe()
    plain = dict(d)
    assert d == plain and isinstance(d, dict)
    assert json.dumps(d, default=str) == json.dumps(plain, default=str)
    assert pickle.loads(pickle.dumps(d)) == plain
    assert "<svg" in d._repr_html_() and d["HyperParameterTuningJobName"] == "nb"
    assert describe(tuner.store, "nb") == plain


# ====================================================================== endpoints (section 10)
def test_endpoint_section_when_an_endpoint_serves_a_training_job(tmp_path):
    store = write_synthetic_job(tmp_path / "ep.db", n_jobs=30)
    write_endpoint(
        store.path,
        "ep",
        {"A": "synthetic-00001", "B": "synthetic-00002"},
        shadow={"S": "synthetic-00003"},
    )
    write_endpoint(store.path, "other", {"X": "not-a-job-of-this-tuning-job"})
    data = ReportData.load(store, "synthetic")
    assert [(v.endpoint, v.variant, v.shadow) for v in data.endpoints] == [
        ("ep", "A", False),
        ("ep", "B", False),
        ("ep", "S", True),
    ]
    a = data.endpoints[0]
    assert a.training_job == "synthetic-00001" and len(a.timestamp) == 10
    assert list(a.counts["Invocations"][:3]) == [100, 101, 102]
    assert list(a.counts["Invocation4XXErrors"][:3]) == [0, 1, 2]
    p50, p99 = a.latency_us["ModelLatency p50"], a.latency_us["ModelLatency p99"]
    assert np.all(p50 < p99) and np.all(np.abs(np.log(p50 / 2000.0)) < 0.2)  # within the bins
    html = render_html(build_page(data))
    assert 'data-section="10"' in html and "fig-endpoints" in html


def test_no_endpoint_section_without_serve_tables_or_a_served_job(tmp_path):
    store = write_synthetic_job(tmp_path / "no.db", n_jobs=10)
    assert ReportData.load(store, "synthetic").endpoints == []
    write_endpoint(store.path, "other", {"X": "elsewhere"})
    assert ReportData.load(store, "synthetic").endpoints == []


def test_endpoint_metrics_written_by_the_endpoint_service_are_read_as_it_answers(tmp_path):
    # the service's own state and metrics recorder write the tables; the report reads what
    # GetMetricStatistics answers
    from amtune.serve.cwmetrics import MetricsRecorder, get_metric_statistics
    from amtune.serve.state import ServeState

    store = write_synthetic_job(tmp_path / "sv.db", n_jobs=10)
    job = store.training_jobs("synthetic")[2]
    st = ServeState(store.path)
    url = (Path(job["job_dir"]) / "model").as_uri()
    st.put_resource("serve_models", "m", "arn:m", {"PrimaryContainer": {"ModelDataUrl": url}}, 0.0)
    config = {"ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "m"}]}
    st.put_resource("serve_endpoint_configs", "c", "arn:c", config, 0.0)
    st.insert_endpoint(
        {"name": "ep", "arn": "arn:ep", "config_name": "c", "status": "InService",
         "creation_time": 0.0, "last_modified_time": 0.0, "variants": [], "shadow_variants": []}
    )  # fmt: skip
    rec = MetricsRecorder(st)
    for i in range(90):
        rec.record(
            "ep", "AllTraffic", 6000.0 + 2 * i,
            {"Invocations": 1, "Invocation4XXErrors": 0, "Invocation5XXErrors": int(i % 10 == 0),
             "ModelLatency": 1000.0 + 20 * i, "OverheadLatency": 100.0},
        )  # fmt: skip
    rec.flush()
    (v,) = ReportData.load(store, "synthetic").endpoints
    assert (v.endpoint, v.variant, v.training_job) == ("ep", "AllTraffic", job["name"])
    assert list(v.timestamp) == [6000.0, 6060.0, 6120.0]
    assert list(v.counts["Invocations"]) == [30, 30, 30]
    assert list(v.counts["Invocation5XXErrors"]) == [3, 3, 3]
    dims = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}]
    ref = get_metric_statistics(
        st, MetricName="ModelLatency", Dimensions=dims, StartTime=0, EndTime=1e5,
        ExtendedStatistics=["p50", "p90", "p99"],
    )  # fmt: skip
    for q in ("p50", "p90", "p99"):
        expected = [p["ExtendedStatistics"][q] for p in ref["Datapoints"]]
        assert list(v.latency_us[f"ModelLatency {q}"]) == pytest.approx(expected)
    st.close()


def test_endpoint_tables_of_another_layout_are_an_error(tmp_path):
    store = write_synthetic_job(tmp_path / "bad.db", n_jobs=5)
    with sqlite3.connect(store.path) as conn:
        conn.execute("CREATE TABLE serve_metrics (endpoint TEXT, value REAL)")
    with pytest.raises(EndpointLayoutError, match="serve_endpoints lacks"):
        ReportData.load(store, "synthetic")


# ====================================================================== CLI
def test_cli_report(tmp_path, capsys):
    store = write_synthetic_job(tmp_path / "cli.db", n_jobs=40, seed=5)
    store.close()
    out = tmp_path / "cli.html"
    assert main(["report", "synthetic", "--db", str(tmp_path / "cli.db"), "-o", str(out)]) == 0
    assert out.exists() and "report written to" in capsys.readouterr().out
    assert main(["report", "nope", "--db", str(tmp_path / "cli.db"), "-o", str(out)]) == 1
    assert "no tuning job named 'nope'" in capsys.readouterr().err
    assert main(["report", "synthetic", "--db", str(tmp_path / "none.db")]) == 1
    assert "no store" in capsys.readouterr().err


def test_analyse_labels_both_methods(hyperband_store):
    a = analyse(ReportData.load(hyperband_store, "synthetic"))
    assert [i.method for i in a.importances] == [
        ImportanceMethod.PED_ANOVA,
        ImportanceMethod.GP_LENGTHSCALE,
    ]
    assert not a.notes


@pytest.mark.parametrize(
    "name",
    ["amtune.report.data", "amtune.report.importance", "amtune.report.page", "amtune.report.axes"],
)
def test_docstring_examples(name):
    import doctest
    import importlib

    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    failed = sum(runner.run(test, out=report.append).failed for test in tests)
    assert failed == 0, "".join(report)


def test_the_contour_is_drawn_over_the_gps_two_most_important_ranges():
    from amtune.report.figures.parameters import contour_pair
    from amtune.report.importance import Importances

    ped = Importances(ImportanceMethod.PED_ANOVA, {"a": 0.5, "b": 0.3, "c": 0.2}, 50)
    gp = Importances(ImportanceMethod.GP_LENGTHSCALE, {"a": 0.1, "b": 0.3, "c": 0.6}, 50)
    assert contour_pair([ped, gp], ["a", "b", "c"]) == ("c", "b")
    assert contour_pair([ped], ["a", "b", "c"]) == ("a", "b")
    assert contour_pair([], ["a", "b", "c"]) == ("a", "b")
    assert contour_pair([], ["a"]) is None


def test_a_tuning_job_without_training_jobs_has_a_report(tmp_path):
    import report_store

    store = Store(tmp_path / "z.db")
    store.create_tuning_job("empty", report_store._config("Random", 5, 2, 0), 1.7e9)
    html = write_report(store, "empty", tmp_path / "z.html").read_text()
    assert "no training job yet" in html and 'data-section="9"' in html

"""The report opened in a real headless browser (Debian's Chromium driven by Playwright).

Every section must render (each figure drawn by plotly.js, the table filled) with no JavaScript
error and no request leaving the file. Screenshots are kept as test artifacts in
``$AMTUNE_TEST_ARTIFACTS`` (default ``test-artifacts/`` at the repository root, git-ignored).

Needs ``apt-get install chromium`` and ``pip install playwright`` (in the ``test`` extra). Without
them the tests are skipped, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("plotly")

from report_browser import chromium_path, open_report
from report_store import write_endpoint, write_synthetic_job

from amtune.report import write_report

ARTIFACTS = Path(
    os.environ.get("AMTUNE_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts")
)


def _need_browser() -> None:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("the browser tests need " + " and ".join(missing))
        pytest.skip("needs " + " and ".join(missing))


def _check_all_sections(opened, sections: int, n_jobs: int) -> None:
    assert opened.errors == []
    assert opened.requests == []  # offline: plotly.js and the data are in the file
    assert opened.first_row_after_sort == str(n_jobs)  # sorted by "#", descending
    got = {s["number"]: s for s in opened.sections}
    assert sorted(got) == list(range(1, sections + 1))
    for n, s in got.items():
        assert s["rendered"] == s["plots"], f"section {n} ({s['key']}): a figure did not render"
        assert not s["webglMissing"], f"section {n}: WebGL missing"
        assert s["text"] > 50, f"section {n} is empty"
    assert got[1]["tableRows"] >= 6  # search space table
    assert got[4]["canvases"] > 0  # parallel coordinates draw with WebGL
    assert got[9]["tableRows"] > 0  # the training jobs table was filled by its script
    for n in (3, 4, 5, 6, 7, 8):
        assert got[n]["plots"] >= 1 and all(t > 0 for t in got[n]["traces"]), n


@pytest.mark.slow
def test_every_section_renders_in_chromium_with_no_javascript_error(tmp_path):
    _need_browser()
    store = write_synthetic_job(tmp_path / "s.db", n_jobs=150, strategy="Hyperband", running=3)
    # an endpoint with two production variants and a shadow serving three of its training jobs
    write_endpoint(
        store.path,
        "ep",
        {"A": "synthetic-00001", "B": "synthetic-00002"},
        shadow={"S": "synthetic-00004"},
    )
    out = write_report(store, "synthetic", tmp_path / "report.html")
    opened = open_report(out, screenshot=ARTIFACTS / "report-synthetic.png")
    _check_all_sections(opened, 10, 150)
    assert (ARTIFACTS / "report-synthetic.png").stat().st_size > 10_000


@pytest.mark.slow
def test_the_demo_tuning_job_report_renders_and_is_screenshot(tmp_path):
    _need_browser()
    from amtune.demo.main import run_demo
    from amtune.store import Store

    db = tmp_path / "demo.db"
    assert run_demo(max_jobs=6, max_parallel_jobs=2, db=str(db), quiet=True, name="demo") == 0
    out = write_report(Store(db), "demo", tmp_path / "demo.html")
    opened = open_report(out, screenshot=ARTIFACTS / "report-demo.png")
    _check_all_sections(opened, 9, 6)


def test_docs_screenshot_command_is_documented():
    # docs/report.png is made by this script from the demo's tuning job (see the README)
    script = Path(__file__).resolve().parents[1] / "docs" / "make_report_png.py"
    assert script.exists()
    assert "run_demo" in script.read_text() and sys.executable

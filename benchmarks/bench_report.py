"""Size and speed of the HTML report against the number of training jobs (the bar: 10,000 training
jobs in under 10 s and 25 MB).

A synthetic tuning job (tests/report_store.py: 6 ranges, 27 epochs per job, failures, retries,
early-stopped jobs) is written straight into a store, then the report is written with
``amtune.report.write_report`` (timed: reading the store, importances, figures, HTML) and, when
Chromium and Playwright are installed, opened in headless Chromium (timed: from navigation until
every figure and the table are drawn; the per-figure times come from the page itself).

    python benchmarks/bench_report.py [--jobs 100 1000 10000] [--no-browser]

Prints one row per size; the figures in the README come from this command.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from report_store import write_synthetic_job  # noqa: E402

from amtune.report import write_report  # noqa: E402


def browser_seconds(path: Path) -> tuple[float, dict[str, float]] | None:
    """Seconds from navigation to the page's ``data-rendered`` mark, and its per-figure ms."""
    try:
        from playwright.sync_api import sync_playwright
        from report_browser import CHROMIUM_ARGS, chromium_path
    except ImportError:
        return None
    exe = chromium_path()
    if exe is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.resolve().as_uri(), timeout=300_000)
            page.wait_for_selector("body[data-rendered=yes]", timeout=300_000)
            seconds = time.perf_counter() - t0
            timings = page.evaluate("window.amtuneTimings")
        finally:
            browser.close()
    return seconds, {k: float(v) for k, v in timings.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    print(
        f"{'jobs':>7} {'metric rows':>11} {'write (s)':>9} {'size (MB)':>9} {'browser (s)':>11}"
        "  slowest figures in the browser (ms)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.jobs:
            store = write_synthetic_job(Path(tmp) / f"r{n}.db", n_jobs=n, parallel=16, seed=0)
            rows = len(store.metrics("synthetic"))
            out = Path(tmp) / f"r{n}.html"
            t0 = time.perf_counter()
            write_report(store, "synthetic", out)
            seconds = time.perf_counter() - t0
            size = out.stat().st_size / 1e6
            opened = None if a.no_browser else browser_seconds(out)
            shown = "-" if opened is None else f"{opened[0]:.1f}"
            slow = ""
            if opened is not None:
                top = sorted(opened[1].items(), key=lambda kv: -kv[1])[:3]
                slow = ", ".join(f"{k.removeprefix('fig-')} {v:.0f}" for k, v in top)
            print(f"{n:>7} {rows:>11} {seconds:>9.2f} {size:>9.1f} {shown:>11}  {slow}")
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

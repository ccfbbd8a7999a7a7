"""Make docs/report.png, the README's screenshot: the report of the demo's tuning job.

Run from the repository root (needs ``pip install . && pip install --group test`` and
``apt-get install chromium``):

    python docs/make_report_png.py            # 20 training jobs, 2 in parallel, about a minute

It runs ``amtune demo`` into a temporary folder, writes the report and screenshots its top part
in headless Chromium (tests/report_browser.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from report_browser import open_report  # noqa: E402

from amtune.demo.main import run_demo  # noqa: E402
from amtune.report import write_report  # noqa: E402
from amtune.store import Store  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "amtune.db"
        run_demo(max_jobs=20, max_parallel_jobs=2, db=str(db), quiet=True, name="demo")
        html = write_report(Store(db), "demo", Path(tmp) / "report.html")
        out = ROOT / "docs" / "report.png"
        opened = open_report(html, screenshot=out, clip_height=2690, scale=0.6, interact=False)
        if opened.errors:
            print("\n".join(opened.errors), file=sys.stderr)
            return 1
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

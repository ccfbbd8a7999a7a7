"""Open an amtune HTML report in headless Chromium (Playwright driving the system's Chromium).

Used by tests/test_report_browser.py and docs/make_report_png.py. The browser is Debian's
``chromium`` package (``apt-get install chromium``), found as ``$AMTUNE_CHROMIUM``, ``chromium``
or ``chromium-browser`` on the PATH; Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# WebGL (parallel coordinates, large scatter plots) runs on SwiftShader when there is no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-dev-shm-usage"]

SECTION_STATE_JS = """
() => Array.from(document.querySelectorAll("section[data-section]")).map(s => {
  const plots = Array.from(s.querySelectorAll("div.plot"));
  return {
    key: s.id,
    number: +s.dataset.section,
    plots: plots.length,
    rendered: plots.filter(p => p.classList.contains("js-plotly-plot")
                                && p.querySelector(".main-svg") !== null).length,
    traces: plots.map(p => (p.data || []).length),
    canvases: s.querySelectorAll("canvas").length,
    tableRows: s.querySelectorAll("table tbody tr").length,
    text: s.innerText.length,
    webglMissing: s.innerText.indexOf("WebGL is not supported") >= 0,
  };
})
"""


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    env = os.environ.get("AMTUNE_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Opened:
    """What the browser saw: JavaScript errors, per-section state, load time."""

    errors: list[str] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    requests: list[str] = field(default_factory=list)  # every URL asked for other than the file
    first_row_after_sort: str = ""  # the first cell of the table after sorting by "#" twice


def open_report(
    path: str | os.PathLike[str],
    screenshot: str | os.PathLike[str] | None = None,
    full_page: bool = True,
    clip_height: int | None = None,
    width: int = 1280,
    timeout_s: float = 120.0,
    interact: bool = True,
    scale: float = 1.0,
) -> Opened:
    """Load ``path`` (file://), wait until its script has run, collect errors and section state;
    optionally save a PNG screenshot (the whole page, or its top ``clip_height`` pixels), at
    ``scale`` device pixels per CSS pixel."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set AMTUNE_CHROMIUM)")
    out = Opened()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(
                viewport={"width": width, "height": 900}, device_scale_factor=scale
            )
            page.on("pageerror", lambda e: out.errors.append(f"pageerror: {e}"))
            page.on(
                "console",
                lambda m: (
                    out.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            url = Path(path).resolve().as_uri()

            def route(r: Any) -> None:  # the report works offline: nothing else is fetched
                if r.request.url == url:
                    r.continue_()
                else:
                    out.requests.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            t0 = time.perf_counter()
            page.goto(url, timeout=timeout_s * 1000)
            page.wait_for_selector("body[data-rendered=yes]", timeout=timeout_s * 1000)
            out.seconds = time.perf_counter() - t0
            if (
                interact
            ):  # sort the table by "#" (descending: it starts ascending), page on and back
                page.click("#jobs-table th:nth-child(1)")
                page.click("#jobs-next")
                page.click("#jobs-prev")
                out.first_row_after_sort = page.evaluate(
                    "() => (document.querySelector('#jobs-table tbody tr td') || {}).textContent"
                    " || ''"
                )
            out.sections = page.evaluate(SECTION_STATE_JS)
            if screenshot is not None:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                if clip_height is not None:
                    page.screenshot(
                        path=str(screenshot),
                        clip={"x": 0, "y": 0, "width": width, "height": clip_height},
                        full_page=True,
                    )
                else:
                    page.screenshot(path=str(screenshot), full_page=full_page)
        finally:
            browser.close()
    return out

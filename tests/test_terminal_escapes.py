"""Text from training jobs cannot drive the terminal (ANSI escape injection): a failure reason, a
hyperparameter value and log lines carrying a clear-screen sequence and a carriage return are shown
escaped by the live progress line, ``describe``, ``logs`` and the HTML report (amtune/text.py)."""

import io
import sys

import pytest

import amtune
from amtune.cli import main
from amtune.progress import Progress, format_status
from amtune.tuning.tuner import HyperparameterTuner

EVIL = "\x1b[2J\rEVIL"
SHOWN = "\\x1b[2J\\rEVIL"  # how it must appear


def _clean(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text, repr(text[:300])


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A tuning job whose failing command prints EVIL, fails with it in its last output, and has
    a categorical value carrying an escape sequence."""
    db = tmp_path_factory.mktemp("esc") / "a.db"
    code = (
        "import sys; print('loss=1.5'); print('colour \\x1b[31m red \\x1b[2J\\rEVIL', flush=True);"
        "sys.exit(0 if '--tag' in sys.argv and 'ok' in sys.argv[-1] else 3)"
    )
    t = HyperparameterTuner(
        "loss",
        {"tag": amtune.CategoricalParameter(["ok\x1b[31m", "bad"])},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        strategy="Grid",
        max_jobs=2,
        objective_type="Minimize",
        db=db,
        quiet=True,
    )
    t.fit([sys.executable, "-c", code], job_name="esc")
    rows = t.store.training_jobs("esc")
    failed = next(r for r in rows if r["status"] == "Failed")
    assert EVIL in failed["failure_reason"]  # stored as it came
    return db, failed["name"]


def _run(capsys, *args):
    main(list(args))
    return capsys.readouterr().out


def test_describe(job, capsys):
    db, _ = job
    out = _run(capsys, "describe", "esc", "--db", str(db))
    _clean(out)
    assert "ok\\x1b[31m" in out  # the best job's hyperparameter value, escaped


def test_logs(job, capsys):
    db, failed = job
    out = _run(capsys, "logs", "esc", "--db", str(db))
    _clean(out)
    out = _run(capsys, "logs", "esc", failed, "--db", str(db))
    _clean(out)
    assert SHOWN in out  # the failure reason and the log line
    assert "\\x1b[31m red" in out


def test_jobs(job, capsys):
    db, _ = job
    _clean(_run(capsys, "jobs", "esc", "--db", str(db)))


def test_report(job, tmp_path):
    db, _ = job
    main(["report", "esc", "--db", str(db), "-o", str(tmp_path / "r.html")])
    page = (tmp_path / "r.html").read_text()
    _clean(page)
    # the failure reason in the table's data: escaped, then JSON-encoded (each backslash doubled)
    assert SHOWN.replace("\\", "\\\\") in page


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [True, False])
def test_the_progress_line(tty):
    """On a terminal (rich's live line) and elsewhere (one line per job): escaped, and a name
    with rich markup is shown as it is (not parsed: "[/b]" alone would raise MarkupError)."""
    stream = _Tty() if tty else io.StringIO()
    p = Progress(True, stream=stream)
    p.update(format_status("job[/b]" + EVIL, {"Completed": 1}, 0.5, 1.0, 2), force=True)
    p.line("job-001 Failed " + EVIL)
    p.close("end[/b]" + EVIL)
    out = stream.getvalue()
    assert "\x1b[2J" not in out and SHOWN in out and "end[/b]" in out
    if not tty:  # (on a terminal, rich writes its own cursor controls)
        _clean(out)

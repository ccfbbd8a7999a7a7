"""The CLI's answers to bad input: one ``amtune: error:`` line (no traceback), and no empty store
file left behind by a command that needs an existing one."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from amtune.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there


@pytest.mark.parametrize(
    "argv",
    [
        ["resume", "nope"],
        ["deploy", "nope"],
        ["endpoint", "metrics", "nope"],
        ["endpoint", "invoke", "nope", "--body", "1"],
        ["endpoint", "update-weights", "nope", "A=1"],
        ["endpoint", "describe", "nope"],
    ],
)
def test_a_missing_store_is_an_error_and_is_not_created(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    rc = main([*argv, "--db", "a.db"])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("amtune: error: no store at"), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_deploy_from_a_store_without_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("uvicorn")
    from amtune.serve.state import ServeState

    ServeState(tmp_path / "s.db").close()  # an endpoint service's store: no job tables
    assert main(["deploy", "nope", "--db", str(tmp_path / "s.db")]) == 1
    assert "amtune: error: no training or tuning jobs in" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_serve_port_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["endpoint", "serve", "--port", port, "--db", str(tmp_path / "d.db")])
    assert info.value.code == 2
    assert "argument --port" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()


def test_serve_on_a_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        rc = main(["endpoint", "serve", "--port", str(port), "--db", str(tmp_path / "d.db")])
    err = capsys.readouterr().err
    assert rc == 2 and "amtune: error: --host/--port: cannot listen on" in err, err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "--url: must be an http:// URL"),
        ("ftp://127.0.0.1/", "--url: must be an http:// URL"),
        ("http://[::1", "--url: not a URL"),
        ("http://127.0.0.1:99999", "--url: not a URL"),
    ],
)
def test_invoke_with_a_bad_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    rc = main(["endpoint", "invoke", "e1", "--body", "1", "--url", url])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err, err


def test_invoke_a_closed_port(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("httpx")
    url = f"http://127.0.0.1:{_free_port()}"
    rc = main(["endpoint", "invoke", "e1", "--body", "1", "--url", url])
    err = capsys.readouterr().err
    assert rc == 1 and f"amtune: error: cannot reach the endpoint service at {url}" in err, err


def test_a_config_that_is_not_utf8_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_bytes(b"a\xff: 1\n")
    assert main(["run", "c.yaml", "--db", "e.db"]) == 2
    err = capsys.readouterr().err
    assert "c.yaml: the config file is not UTF-8 text (byte 0xff at offset 1" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    # `amtune describe NAME | head -1`: the reader goes away; no BrokenPipeError traceback
    import os
    import subprocess
    import sys

    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    db = tmp_path / "a.db"
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        strategy="Random",
        max_jobs=30,
        runner="thread",
        db=db,
        quiet=True,
    )
    t.fit(lambda hp, reporter: hp["x"], job_name="piped")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "amtune", "jobs", "piped", "--db", str(db)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader is gone before the command writes
    with p.stderr:
        err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err

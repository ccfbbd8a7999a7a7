"""A service whose store was deleted (or replaced by a new file of the same name) stops by itself:
nobody can reach or stop it through the store any more (`amtune endpoint shutdown` reads the
service's address from the store)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")


def _wait_for(pred, timeout: float = 20.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("replace", [False, True])
def test_a_service_whose_store_is_gone_stops(tmp_path: Path, replace: bool) -> None:
    db = tmp_path / "amtune.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "amtune.serve", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert "endpoint service" in proc.stdout.readline()
        assert _wait_for(db.exists)
        time.sleep(0.5)
        assert proc.poll() is None  # serving
        for p in tmp_path.glob("amtune.db*"):
            p.unlink()
        if replace:
            db.write_bytes(b"")  # a new file of the same name (a rerun that made a new store)
        assert _wait_for(lambda: proc.poll() is not None), "the service kept running"
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=10)  # also closes the pipes
    assert "was deleted or replaced; stopping" in err

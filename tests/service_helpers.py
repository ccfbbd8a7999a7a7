"""The endpoint service for tests that deploy: started on a store, stopped whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def running_service(db: Path) -> Iterator[Any]:
    """``with running_service(db) as svc:`` a loopback service on the store ``db`` (skips the test
    without uvicorn, the ``serve`` extra)."""
    pytest.importorskip("uvicorn")
    from amtune.serve.service import EndpointService

    svc = EndpointService(db, seed=0).start()
    try:
        yield svc
    finally:
        svc.stop()

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


def query_protocol_client(tmp_path: Path, url: str, **client_args: Any) -> Any:
    """A ``cloudwatch`` client speaking the query protocol, as botocore did before CloudWatch's
    JSON protocol: the installed service model with its protocol set to ``query``."""
    import gzip
    import json

    import boto3
    import botocore
    import botocore.session

    src = Path(botocore.__file__).parent / "data" / "cloudwatch"
    version = sorted(p.name for p in src.iterdir() if p.is_dir())[-1]
    model = json.loads(gzip.open(src / version / "service-2.json.gz").read())
    model["metadata"]["protocol"] = "query"
    model["metadata"]["protocols"] = ["query"]
    dest = tmp_path / "botocore-data" / "cloudwatch" / version
    dest.mkdir(parents=True)
    (dest / "service-2.json").write_text(json.dumps(model))
    bs = botocore.session.Session()
    bs.set_config_variable("data_path", str(tmp_path / "botocore-data"))
    client = boto3.Session(botocore_session=bs).client(
        "cloudwatch", endpoint_url=url, **client_args
    )
    assert client.meta.service_model.protocol == "query"
    return client

"""The process that runs one transform job created through the control plane
(:mod:`amtune.serve.transform_jobs_api`): ``python -m amtune.serve.transform_run --db DB NAME``.

It reads the job's request from the store, transforms the data with the SDK's
:class:`~amtune.sagemaker.transformer.Transformer` (the model is the service's, so it answers as
it does at an endpoint), stops when StopTransformJob asks, and records the end: ``Completed``,
``Stopped`` or ``Failed`` with the reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from amtune.serve.state import ServeState

_POLL = 0.2


def run(db: str, name: str) -> str:
    """Run transform job ``name`` of the store ``db``; return its final status."""
    from amtune.sagemaker.exceptions import UnexpectedStatusException
    from amtune.sagemaker.session import Session
    from amtune.sagemaker.transform_jobs import transformer_arguments
    from amtune.sagemaker.transformer import Transformer

    state = ServeState(db)
    row = state.get_transform_job(name)
    if row is None:
        raise SystemExit(f"amtune: error: no transform job {name!r} in {db}")
    state.update_transform_job(name, pid=os.getpid(), start_time=time.time())
    req = row["request"]
    inp = req["TransformInput"]
    dp = req.get("DataProcessing") or {}
    status, reason = "Failed", None
    try:
        transformer = Transformer(
            **transformer_arguments(req),
            env=req.get("Environment"),
            sagemaker_session=Session(db=db),
        )
        transformer.records_jobs = False  # the control plane recorded this job
        filters: dict[str, Any] = {
            arg: dp[key]
            for arg, key in (
                ("input_filter", "InputFilter"),
                ("output_filter", "OutputFilter"),
                ("join_source", "JoinSource"),
            )
            if dp.get(key) is not None
        }
        transformer.transform(
            inp["DataSource"]["S3DataSource"]["S3Uri"],
            content_type=inp.get("ContentType"),
            compression_type=inp.get("CompressionType"),
            split_type=inp.get("SplitType"),
            job_name=name,
            wait=False,
            logs=True,
            **filters,
        )
        job = transformer.latest_transform_job
        assert job is not None
        while job.describe()["TransformJobStatus"] == "InProgress":
            time.sleep(_POLL)
            current = state.get_transform_job(name)
            if current is not None and current["stop_requested"]:
                job.stop()
        try:
            job.wait(logs=False)
        except UnexpectedStatusException:
            pass
        d = job.describe()
        status, reason = d["TransformJobStatus"], d.get("FailureReason")
    except Exception as exc:  # a bad argument or a model that cannot be loaded: the job fails
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
    finally:
        state.update_transform_job(name, status=status, failure_reason=reason, end_time=time.time())
        state.close()
    if reason:
        print(f"amtune: transform job {name}: {status}: {reason}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m amtune.serve.transform_run")
    p.add_argument("--db", required=True, help="the store")
    p.add_argument("name", help="the transform job")
    a = p.parse_args(argv)
    return 0 if run(a.db, a.name) in ("Completed", "Stopped") else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

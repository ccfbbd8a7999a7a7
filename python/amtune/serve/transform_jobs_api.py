"""Batch transform jobs through the control plane: CreateTransformJob, DescribeTransformJob,
ListTransformJobs and StopTransformJob, as the AWS notebooks that use boto3's low-level API call
them (with boto3's ``transform_job_completed_or_stopped`` waiter).

CreateTransformJob validates the request in the service (a bad one is a ``ValidationException``
naming the field, and nothing is written), records the job (``serve_transform_jobs``) and runs it
in a process of its own (:mod:`amtune.serve.transform_run`), which transforms the data as the
SDK's :class:`~amtune.sagemaker.transformer.Transformer` does and records the end. Local paths
only: ``TransformInput``'s ``S3Uri`` is a file or directory and ``TransformOutput``'s
``S3OutputPath`` a directory; relative ones resolve against the service's working directory.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from amtune.sagemaker.estimator import TRAINING_JOB_NAME_RE
from amtune.serve.detached import log_tail, start_detached
from amtune.serve.listing import paged
from amtune.serve.state import ServeState
from amtune.tuning.liveness import process_exists

_CHOICES = {
    "TransformInput.SplitType": ("None", "Line"),
    "TransformInput.CompressionType": ("None", "Gzip"),
    "TransformInput.DataSource.S3DataSource.S3DataType": ("S3Prefix",),
    "TransformOutput.AssembleWith": ("None", "Line"),
    "BatchStrategy": ("MultiRecord", "SingleRecord"),
}
_DATA_PROCESSING_FIELDS = (
    ("input_filter", "InputFilter"),
    ("output_filter", "OutputFilter"),
    ("join_source", "JoinSource"),
)
#: how long a job process may take to record its start before the job is marked Failed
START_GRACE = 120.0


def _ts(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, tz=timezone.utc)


class TransformJobsApi:
    """The transform job actions of the control plane (state in ``state``; ``error`` builds
    the API error to raise)."""

    def __init__(
        self,
        state: ServeState,
        error: Callable[..., Exception],
        account: str = "123456789012",
        workdir: Path | None = None,
    ) -> None:
        self.state = state
        self.error = error
        self.account = account
        self.workdir = Path(workdir) if workdir is not None else Path.cwd()
        self.requests_dir = state.path.parent / "amtune-requests"
        self._lock = threading.Lock()

    def actions(self) -> dict[str, Callable[[dict[str, Any], str], dict[str, Any]]]:
        return {
            "CreateTransformJob": self.create_transform_job,
            "DescribeTransformJob": self.describe_transform_job,
            "ListTransformJobs": self.list_transform_jobs,
            "StopTransformJob": self.stop_transform_job,
        }

    def arn(self, region: str, name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{self.account}:transform-job/{name}"

    def _map(self, req: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        v = req.get(key)
        if not isinstance(v, Mapping):
            raise self.error(f"1 validation error detected: Value at '{key}' must not be null")
        return v

    def _local(self, uri: Any, field: str, must_exist: bool) -> str:
        """The absolute local path of ``uri`` (a ``file://`` URL's host and path; relative to the
        service's working directory); an S3 URI is an error naming ``field``."""
        from amtune._file_urls import file_url_path
        from amtune.sagemaker.inputs import local_path, local_uri

        if isinstance(uri, str) and uri.startswith("file://"):
            uri = file_url_path(uri)  # file://data/x is data/x (host and path, as local mode)
        if isinstance(uri, str) and not uri.startswith(("s3://", "/")):
            uri = str(self.workdir / uri)
        try:
            return local_path(uri, field) if must_exist else str(local_uri(uri, field).resolve())
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def _check_output_dir(self, path: str) -> None:
        """``TransformOutput.S3OutputPath`` (a local path here) must be a directory or one the
        job can create: an existing file, or a file where a parent directory should be, is an
        error naming the field before the job is recorded."""
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise self.error(
                f"TransformOutput.S3OutputPath: must be a directory (the job writes one output "
                f"file per input file into it), but {p} is a file"
            )
        parent = next((a for a in p.parents if a.exists()), None)
        if not p.exists() and parent is not None and not parent.is_dir():
            raise self.error(
                f"TransformOutput.S3OutputPath: {p} cannot be created: {parent} is a file"
            )
        target = p if p.exists() else parent
        if target is not None and not os.access(target, os.W_OK | os.X_OK):
            raise self.error(
                f"TransformOutput.S3OutputPath: {p} cannot be written: {target} is not writable"
            )

    # ------------------------------------------------------------------ actions
    def create_transform_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = req.get("TransformJobName")
        if not isinstance(name, str) or not TRAINING_JOB_NAME_RE.match(name):
            raise self.error(
                f"TransformJobName: 1-63 letters, digits and hyphens, starting and ending with a "
                f"letter or digit, got {name!r}"
            )
        model = req.get("ModelName")
        if not isinstance(model, str) or self.state.get_resource("serve_models", model) is None:
            raise self.error(
                f'Could not find model "arn:aws:sagemaker:{region}:{self.account}:model/{model}".'
            )
        tags = req.pop("Tags", None) or []
        inp = dict(self._map(req, "TransformInput"))
        out = dict(self._map(req, "TransformOutput"))
        ds = dict(self._map(inp, "DataSource"))
        s3 = dict(self._map(ds, "S3DataSource"))
        values = {
            "TransformInput.SplitType": inp.get("SplitType", "None"),
            "TransformInput.CompressionType": inp.get("CompressionType", "None"),
            "TransformInput.DataSource.S3DataSource.S3DataType": s3.get("S3DataType"),
            "TransformOutput.AssembleWith": out.get("AssembleWith", "None"),
            "BatchStrategy": req.get("BatchStrategy", "MultiRecord"),
        }
        for field, value in values.items():
            if value not in _CHOICES[field]:
                raise self.error(
                    f"{field}: must be one of {', '.join(_CHOICES[field])} locally, got {value!r}"
                )
        self._check_data_processing(req, inp, out)
        payload = req.get("MaxPayloadInMB")
        if payload is not None and (
            isinstance(payload, bool) or not isinstance(payload, int) or payload < 0
        ):
            raise self.error(f"MaxPayloadInMB: must be an integer >= 0, got {payload!r}")
        s3["S3Uri"] = self._local(
            s3.get("S3Uri"), "TransformInput.DataSource.S3DataSource.S3Uri", True
        )
        out["S3OutputPath"] = self._local(
            out.get("S3OutputPath"), "TransformOutput.S3OutputPath", False
        )
        self._check_output_dir(out["S3OutputPath"])
        ds["S3DataSource"] = s3
        inp["DataSource"] = ds
        request = {**req, "TransformInput": inp, "TransformOutput": out}
        arn = self.arn(region, name)
        with self._lock:
            if self.state.get_transform_job(name) is not None:
                raise self.error(f"Job with name {name} already exists.", code="ResourceInUse")
            self.state.insert_transform_job(name, arn, request, time.time())
        if tags:
            self.state.add_tags(arn, tags)
        log = self.requests_dir / f"transform-{name}.log"
        cmd = [
            sys.executable,
            "-X",
            "faulthandler",
            "-m",
            "amtune.serve.transform_run",
            "--db",
            str(self.state.path),
        ]
        try:
            start_detached([*cmd, name], log, self.workdir)
        except RuntimeError as exc:
            self._fail(name, str(exc))
        return {"TransformJobArn": arn}

    def _check_data_processing(
        self, req: Mapping[str, Any], inp: Mapping[str, Any], out: Mapping[str, Any]
    ) -> None:
        """``DataProcessing``'s filters and join, checked as the job will apply them (errors name
        the request's fields)."""
        from amtune.sagemaker.data_processing import DataProcessing

        dp = req.get("DataProcessing") or {}
        if not isinstance(dp, Mapping):
            raise self.error(f"DataProcessing: must be an object, got {dp!r}")
        try:
            DataProcessing.create(
                dp.get("InputFilter"),
                dp.get("OutputFilter"),
                dp.get("JoinSource"),
                inp.get("ContentType"),
                out.get("Accept"),
                split_lines=inp.get("SplitType", "None") != "None",
            )
        except ValueError as exc:
            message = str(exc)
            for arg, key in _DATA_PROCESSING_FIELDS:
                if message.startswith(arg + ":"):
                    message = f"DataProcessing.{key}" + message[len(arg) :]
            raise self.error(message) from None

    def _fail(self, name: str, reason: str) -> None:
        self.state.update_transform_job(
            name, status="Failed", failure_reason=reason, end_time=time.time()
        )

    def _row(self, name: Any, region: str) -> dict[str, Any]:
        row = self.state.get_transform_job(name) if isinstance(name, str) else None
        if row is None:
            raise self.error(f"Could not find job to update with name {name}")
        if row["status"] in ("InProgress", "Stopping") and not self._alive(row):
            log = self.requests_dir / f"transform-{name}.log"
            self._fail(name, f"the transform process ended: {log_tail(log) or 'no output'}")
            row = self.state.get_transform_job(name) or row
        return row

    @staticmethod
    def _alive(row: Mapping[str, Any]) -> bool:
        if row["pid"] is None:  # not started yet: give it time
            return bool(time.time() - row["creation_time"] < START_GRACE)
        return process_exists(int(row["pid"]))

    def describe_transform_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        row = self._row(req.get("TransformJobName"), region)
        r = row["request"]
        doc: dict[str, Any] = {
            "TransformJobName": row["name"],
            "TransformJobArn": row["arn"],
            "TransformJobStatus": row["status"],
            "ModelName": r["ModelName"],
            "TransformInput": r["TransformInput"],
            "TransformOutput": r["TransformOutput"],
            "TransformResources": r.get("TransformResources", {}),
            "CreationTime": _ts(row["creation_time"]),
        }
        for k in (
            "MaxConcurrentTransforms",
            "ModelClientConfig",
            "MaxPayloadInMB",
            "BatchStrategy",
            "Environment",
            "DataProcessing",
            "DataCaptureConfig",
            "ExperimentConfig",
        ):
            if k in r:
                doc[k] = r[k]
        if row["failure_reason"] and row["status"] in ("Failed", "Stopped"):
            doc["FailureReason"] = row["failure_reason"]
        if row["start_time"] is not None:
            doc["TransformStartTime"] = _ts(row["start_time"])
        if row["end_time"] is not None:
            doc["TransformEndTime"] = _ts(row["end_time"])
        return doc

    def list_transform_jobs(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        rows = [self._row(r["name"], region) for r in self.state.list_transform_jobs()]
        status = req.get("StatusEquals")
        items = [
            {
                "name": r["name"],
                "arn": r["arn"],
                "status": r["status"],
                "creation_time": r["creation_time"],
                "last_modified_time": r["end_time"] or r["start_time"] or r["creation_time"],
                "end_time": r["end_time"],
                "failure_reason": r["failure_reason"],
            }
            for r in rows
            if status is None or r["status"] == status
        ]
        page, token = paged(items, req, "Descending")
        summaries = []
        for r in page:
            s: dict[str, Any] = {
                "TransformJobName": r["name"],
                "TransformJobArn": r["arn"],
                "CreationTime": _ts(r["creation_time"]),
                "LastModifiedTime": _ts(r["last_modified_time"]),
                "TransformJobStatus": r["status"],
            }
            if r["end_time"] is not None:
                s["TransformEndTime"] = _ts(r["end_time"])
            if r["failure_reason"] and r["status"] == "Failed":
                s["FailureReason"] = r["failure_reason"]
            summaries.append(s)
        return token | {"TransformJobSummaries": summaries}

    def stop_transform_job(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        row = self._row(req.get("TransformJobName"), region)
        if row["status"] == "InProgress":
            self.state.update_transform_job(row["name"], status="Stopping", stop_requested=1)
        return {}

"""The SDK ``Transformer``'s transform jobs in the store, where the control plane finds them.

SageMaker knows every transform job the SDK starts, so a notebook reads one back with boto3
(``describe_transform_job(TransformJobName=transformer.latest_transform_job.name)``, the
``transform_job_completed_or_stopped`` waiter), ``Session.describe_transform_job`` /
``wait_for_transform_job`` / ``stop_transform_job``, or ``Transformer.attach(name)``. amtune's
:class:`~amtune.sagemaker.transformer.Transformer` runs its jobs in the notebook's process, so it
records each one in the store's ``serve_transform_jobs`` table as CreateTransformJob records one
(:mod:`amtune.serve.transform_jobs_api`): the request, this process as the job's process, the
start, a stop asked through StopTransformJob, and the end.

:class:`TransformJobRecord` is that row, seen from the job; :class:`AttachedTransformJob` is
``latest_transform_job`` of a transformer rebuilt by ``Transformer.attach``, which follows the
job through the session's control plane.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from amtune.serve.state import ServeState

if TYPE_CHECKING:
    from amtune.sagemaker.session import Session

__all__ = [
    "REQUEST_FIELDS",
    "AttachedTransformJob",
    "TransformJobRecord",
    "transformer_arguments",
]

#: the fields of a DescribeTransformJob document that CreateTransformJob sends
REQUEST_FIELDS = (
    "TransformJobName",
    "ModelName",
    "MaxConcurrentTransforms",
    "ModelClientConfig",
    "MaxPayloadInMB",
    "BatchStrategy",
    "Environment",
    "TransformInput",
    "TransformOutput",
    "DataCaptureConfig",
    "TransformResources",
    "DataProcessing",
    "ExperimentConfig",
)
#: how often a running job reads whether StopTransformJob asked it to stop (seconds)
STOP_POLL = 0.2


def transformer_arguments(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Transformer`` arguments of a CreateTransformJob request or a DescribeTransformJob
    document: its model, resources, batch strategy, output and payload limit."""
    resources = doc.get("TransformResources") or {}
    out = doc.get("TransformOutput") or {}
    return {
        "model_name": doc["ModelName"],
        "instance_count": resources.get("InstanceCount", 1),
        "instance_type": resources.get("InstanceType", "local"),
        "strategy": doc.get("BatchStrategy"),
        "assemble_with": out.get("AssembleWith"),
        "output_path": out.get("S3OutputPath"),
        "output_kms_key": out.get("KmsKeyId"),
        "accept": out.get("Accept"),
        "max_concurrent_transforms": doc.get("MaxConcurrentTransforms"),
        "max_payload": doc.get("MaxPayloadInMB"),
        "volume_kms_key": resources.get("VolumeKmsKeyId"),
    }


class TransformJobRecord:
    """The store's row of one transform job run in this process (see the module doc)."""

    def __init__(self, db: str | os.PathLike[str], name: str) -> None:
        self.db = db
        self.name = name
        self._stop_asked = False
        self._checked = 0.0

    @classmethod
    def create(
        cls, db: str | os.PathLike[str], description: Mapping[str, Any]
    ) -> TransformJobRecord:
        """Record the job of ``description`` (a DescribeTransformJob document) as InProgress and
        run by this process. A job of that name already in the store is SageMaker's
        ``ResourceInUse`` error, as CreateTransformJob answers."""
        from amtune.serve.deployment import ControlPlaneError

        name = str(description["TransformJobName"])
        request = {k: description[k] for k in REQUEST_FIELDS if k in description}
        now = time.time()
        state = ServeState(db)
        try:
            try:
                state.insert_transform_job(name, str(description["TransformJobArn"]), request, now)
            except sqlite3.IntegrityError:
                raise ControlPlaneError(
                    {
                        "Error": {
                            "Code": "ResourceInUse",
                            "Message": f"Job with name {name} already exists.",
                        }
                    },
                    "CreateTransformJob",
                ) from None
            state.update_transform_job(name, pid=os.getpid(), start_time=now)
        finally:
            state.close()
        return cls(db, name)

    def stop_requested(self) -> bool:
        """Whether StopTransformJob asked the job to stop (read at most every
        :data:`STOP_POLL` seconds)."""
        now = time.monotonic()
        if not self._stop_asked and now - self._checked >= STOP_POLL:
            self._checked = now
            state = ServeState(self.db)
            try:
                row = state.get_transform_job(self.name)
            finally:
                state.close()
            self._stop_asked = bool(row and row["stop_requested"])
        return self._stop_asked

    def finish(self, status: str, failure_reason: str | None) -> None:
        """Record the end: ``Completed``, ``Stopped`` or ``Failed`` (with its reason)."""
        state = ServeState(self.db)
        try:
            state.update_transform_job(
                self.name, status=status, failure_reason=failure_reason, end_time=time.time()
            )
        finally:
            state.close()


class AttachedTransformJob:
    """``latest_transform_job`` of ``Transformer.attach(name)``: ``name``/``job_name``, and
    ``describe()``, ``wait()`` and ``stop()`` through the session's control plane, as the SDK's
    job object calls DescribeTransformJob and StopTransformJob."""

    def __init__(self, session: Session, name: str) -> None:
        self.sagemaker_session = session
        self.name = name
        self.job_name = name

    def describe(self) -> dict[str, Any]:
        """The DescribeTransformJob document."""
        return self.sagemaker_session.describe_transform_job(self.name)

    def wait(self, logs: bool = True) -> None:
        """Block until the job ends; :class:`~amtune.UnexpectedStatusException` if it Failed."""
        self.sagemaker_session.wait_for_transform_job(self.name)

    def stop(self) -> None:
        """StopTransformJob (the job ends Stopped after the file in flight)."""
        self.sagemaker_session.stop_transform_job(self.name)

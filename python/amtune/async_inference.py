"""``sagemaker.async_inference``: :class:`AsyncInferenceConfig`, for ``deploy(...,
async_inference_config=...)``.

The endpoint config keeps it as ``AsyncInferenceConfig`` (``DescribeEndpointConfig`` shows it).
Locally the endpoint answers ordinary ``InvokeEndpoint`` calls; ``InvokeEndpointAsync`` and
``predict_async`` are not provided, so nothing is written to the output path. As in the SDK, a
path left out is filled in by ``deploy`` (:func:`default_paths`): here under the session's
local default bucket.

>>> c = AsyncInferenceConfig(output_path="out/", max_concurrent_invocations_per_instance=4)
>>> d = c._to_request_dict()
>>> d["OutputConfig"], d["ClientConfig"]
({'S3OutputPath': 'out/', 'S3FailurePath': None}, {'MaxConcurrentInvocationsPerInstance': 4})
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["AsyncInferenceConfig", "default_paths"]


class AsyncInferenceConfig:
    """An asynchronous endpoint's settings, with the SDK's arguments: where answers
    (``output_path``) and failures (``failure_path``) go, the concurrent invocations per instance,
    a KMS key and the notification config (``{"SuccessTopic": ..., "ErrorTopic": ...,
    "IncludeInferenceResponseIn": [...]}``), kept as given."""

    def __init__(
        self,
        output_path: str | None = None,
        max_concurrent_invocations_per_instance: int | None = None,
        kms_key_id: str | None = None,
        notification_config: Mapping[str, Any] | None = None,
        failure_path: str | None = None,
    ) -> None:
        self.output_path = output_path
        self.max_concurrent_invocations_per_instance = max_concurrent_invocations_per_instance
        self.kms_key_id = kms_key_id
        self.notification_config = notification_config
        self.failure_path = failure_path

    def _to_request_dict(self) -> dict[str, Any]:
        """The endpoint config's ``AsyncInferenceConfig`` (the SDK's method name)."""
        output: dict[str, Any] = {
            "S3OutputPath": self.output_path,
            "S3FailurePath": self.failure_path,
        }
        d: dict[str, Any] = {"OutputConfig": output}
        if self.max_concurrent_invocations_per_instance:
            d["ClientConfig"] = {
                "MaxConcurrentInvocationsPerInstance": self.max_concurrent_invocations_per_instance
            }
        if self.kms_key_id:
            output["KmsKeyId"] = self.kms_key_id
        if self.notification_config:
            output["NotificationConfig"] = dict(self.notification_config)
        return d


def default_paths(config: Any, bucket: str | os.PathLike[str], name: str) -> None:
    """Fill in an async config's missing ``output_path`` / ``failure_path`` as the SDK's
    ``deploy`` does (``<bucket>/async-endpoint-outputs/<name>`` and
    ``.../async-endpoint-failures/<name>``), with ``bucket`` the session's local default bucket.
    A config given as a request dict is left as it is (the SDK takes only its objects)."""
    if config is None or isinstance(config, Mapping):
        return
    for attr, folder in (
        ("output_path", "async-endpoint-outputs"),
        ("failure_path", "async-endpoint-failures"),
    ):
        if getattr(config, attr, "") is None:
            setattr(config, attr, os.path.join(os.fspath(bucket), folder, name))

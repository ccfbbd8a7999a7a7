"""``sagemaker.serverless``: :class:`ServerlessInferenceConfig`, for ``deploy(...,
serverless_inference_config=...)``.

The endpoint config keeps the variant's ``ServerlessConfig`` (``DescribeEndpointConfig`` shows
it); locally the variant is served by one ordinary model server, as any other.

>>> ServerlessInferenceConfig(memory_size_in_mb=1024)._to_request_dict()
{'MemorySizeInMB': 1024, 'MaxConcurrency': 5}
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServerlessInferenceConfig"]


class ServerlessInferenceConfig:
    """A serverless variant's settings, with the SDK's arguments and defaults: memory in MB
    (1024 to 6144 in steps of 1024; the endpoint service refuses other sizes, as SageMaker
    does), the maximum number of concurrent invocations, and optionally a provisioned
    concurrency."""

    def __init__(
        self,
        memory_size_in_mb: int = 2048,
        max_concurrency: int = 5,
        provisioned_concurrency: int | None = None,
    ) -> None:
        self.memory_size_in_mb = memory_size_in_mb
        self.max_concurrency = max_concurrency
        self.provisioned_concurrency = provisioned_concurrency

    def _to_request_dict(self) -> dict[str, Any]:
        """The variant's ``ServerlessConfig`` (the SDK's method name)."""
        d: dict[str, Any] = {
            "MemorySizeInMB": self.memory_size_in_mb,
            "MaxConcurrency": self.max_concurrency,
        }
        if self.provisioned_concurrency is not None:
            d["ProvisionedConcurrency"] = self.provisioned_concurrency
        return d

    def __repr__(self) -> str:
        return (
            f"ServerlessInferenceConfig(memory_size_in_mb={self.memory_size_in_mb!r}, "
            f"max_concurrency={self.max_concurrency!r}, "
            f"provisioned_concurrency={self.provisioned_concurrency!r})"
        )

"""``sagemaker.model_monitor``: only :class:`DataCaptureConfig`, for ``deploy(...,
data_capture_config=...)`` (kept in the endpoint config; nothing is captured locally). The rest
of Model Monitor (monitoring schedules, baselining jobs, ``DefaultModelMonitor``, ...) is not
run locally and not provided.

>>> from amtune.model_monitor import DataCaptureConfig
>>> DataCaptureConfig(True, 100, "captures/")._to_request_dict()["InitialSamplingPercentage"]
100
"""

from __future__ import annotations

from typing import Any

from amtune.model_monitor.data_capture_config import DataCaptureConfig

__all__ = ["DataCaptureConfig"]


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"module 'amtune.model_monitor' has no attribute {name!r}: amtune provides only "
        f"DataCaptureConfig of sagemaker.model_monitor; Model Monitor itself is not run locally"
    )

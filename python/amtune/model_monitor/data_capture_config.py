"""``sagemaker.model_monitor.data_capture_config``: :class:`DataCaptureConfig`."""

from __future__ import annotations

from amtune.sagemaker.model import DataCaptureConfig

__all__ = ["DataCaptureConfig"]

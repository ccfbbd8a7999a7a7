"""``sagemaker.model``: ``from amtune.model import Model``."""

from __future__ import annotations

from amtune.sagemaker.model import DataCaptureConfig, Model

__all__ = ["DataCaptureConfig", "Model"]

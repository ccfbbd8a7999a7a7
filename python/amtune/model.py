"""``sagemaker.model``: ``from amtune.model import Model, FrameworkModel``."""

from __future__ import annotations

from amtune.sagemaker.model import DataCaptureConfig, FrameworkModel, Model

__all__ = ["DataCaptureConfig", "FrameworkModel", "Model"]

"""``sagemaker.pytorch.model``: ``PyTorchModel`` and ``PyTorchPredictor``."""

from __future__ import annotations

from amtune.sagemaker.model import PyTorchModel
from amtune.serve.deployment import PyTorchPredictor

__all__ = ["PyTorchModel", "PyTorchPredictor"]

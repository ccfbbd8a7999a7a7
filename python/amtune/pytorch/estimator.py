"""``sagemaker.pytorch.estimator``: ``from amtune.pytorch.estimator import PyTorch``."""

from __future__ import annotations

from amtune.sagemaker.estimator import PyTorch

__all__ = ["PyTorch"]

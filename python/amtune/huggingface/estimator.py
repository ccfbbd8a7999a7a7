"""``sagemaker.huggingface.estimator``: ``from amtune.huggingface.estimator import HuggingFace``."""

from __future__ import annotations

from amtune.sagemaker.estimator import HuggingFace

__all__ = ["HuggingFace"]

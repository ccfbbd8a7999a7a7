"""``sagemaker.huggingface.model``: ``HuggingFacePredictor``."""

from __future__ import annotations

from amtune.serve.deployment import HuggingFacePredictor

__all__ = ["HuggingFacePredictor"]

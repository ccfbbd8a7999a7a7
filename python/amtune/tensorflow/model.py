"""``sagemaker.tensorflow.model``: ``TensorFlowPredictor``."""

from __future__ import annotations

from amtune.serve.deployment import TensorFlowPredictor

__all__ = ["TensorFlowPredictor"]

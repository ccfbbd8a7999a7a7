"""``sagemaker.tensorflow.estimator``: ``from amtune.tensorflow.estimator import TensorFlow``."""

from __future__ import annotations

from amtune.sagemaker.estimator import TensorFlow

__all__ = ["TensorFlow"]

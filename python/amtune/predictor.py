"""``sagemaker.predictor``: ``from amtune.predictor import Predictor``."""

from __future__ import annotations

from amtune.serve.deployment import Predictor

__all__ = ["Predictor"]

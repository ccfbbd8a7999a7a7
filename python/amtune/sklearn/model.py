"""``sagemaker.sklearn.model``: ``SKLearnModel`` and ``SKLearnPredictor``."""

from __future__ import annotations

from amtune.sagemaker.model import SKLearnModel
from amtune.serve.deployment import SKLearnPredictor

__all__ = ["SKLearnModel", "SKLearnPredictor"]

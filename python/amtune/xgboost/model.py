"""``sagemaker.xgboost.model``: ``XGBoostModel`` and ``XGBoostPredictor``."""

from __future__ import annotations

from amtune.sagemaker.model import XGBoostModel
from amtune.serve.deployment import XGBoostPredictor

__all__ = ["XGBoostModel", "XGBoostPredictor"]

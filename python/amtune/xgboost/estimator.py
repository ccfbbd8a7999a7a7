"""``sagemaker.xgboost.estimator``: ``from amtune.xgboost.estimator import XGBoost``."""

from __future__ import annotations

from amtune.sagemaker.estimator import XGBoost

__all__ = ["XGBoost"]

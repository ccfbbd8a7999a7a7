"""``sagemaker.xgboost``: ``XGBoost``, ``XGBoostModel`` and ``XGBoostPredictor`` (also in
``amtune.xgboost.estimator`` and ``.model``).
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes

_LAZY = {
    "XGBoost": "amtune.sagemaker.estimator",
    "XGBoostModel": "amtune.sagemaker.model",
    "XGBoostPredictor": "amtune.serve.deployment",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

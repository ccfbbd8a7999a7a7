"""``amtune.sklearn``: :class:`AmtuneSearchCV` (scikit-learn hyperparameter search, extra
``amtune[sklearn]``), and the SageMaker SDK's ``sagemaker.sklearn`` names: ``SKLearn``,
``SKLearnModel``, ``SKLearnPredictor`` (also in ``amtune.sklearn.estimator`` and ``.model``).
Each is imported when first used, so the SDK names need no scikit-learn here.
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes

_LAZY = {
    "AmtuneSearchCV": "amtune.sklearn.search_cv",
    "SKLearn": "amtune.sagemaker.estimator",
    "SKLearnModel": "amtune.sagemaker.model",
    "SKLearnPredictor": "amtune.serve.deployment",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

"""``sagemaker.tensorflow``: ``TensorFlow`` and ``TensorFlowPredictor`` (also in
``amtune.tensorflow.estimator`` and ``.model``). There is no ``TensorFlowModel``: amtune serves
these models with an ``inference.py`` through ``amtune.Model`` (see the README).
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes

_LAZY = {
    "TensorFlow": "amtune.sagemaker.estimator",
    "TensorFlowPredictor": "amtune.serve.deployment",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

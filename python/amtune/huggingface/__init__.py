"""``sagemaker.huggingface``: ``HuggingFace`` and ``HuggingFacePredictor`` (also in
``amtune.huggingface.estimator`` and ``.model``). There is no ``HuggingFaceModel``: amtune serves
these models with an ``inference.py`` through ``amtune.Model`` (see the README).
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes

_LAZY = {
    "HuggingFace": "amtune.sagemaker.estimator",
    "HuggingFacePredictor": "amtune.serve.deployment",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

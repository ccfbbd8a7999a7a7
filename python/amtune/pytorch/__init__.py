"""``sagemaker.pytorch``: ``PyTorch``, ``PyTorchModel`` and ``PyTorchPredictor`` (also in
``amtune.pytorch.estimator`` and ``.model``).
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes

_LAZY = {
    "PyTorch": "amtune.sagemaker.estimator",
    "PyTorchModel": "amtune.sagemaker.model",
    "PyTorchPredictor": "amtune.serve.deployment",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)

"""``sagemaker.transformer``: ``from amtune.transformer import Transformer``."""

from __future__ import annotations

from amtune.sagemaker.transformer import Transformer

__all__ = ["Transformer"]

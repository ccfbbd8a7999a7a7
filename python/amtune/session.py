"""``from amtune.session import Session, production_variant``, as ``sagemaker.session``
(:mod:`amtune.sagemaker.session`)."""

from __future__ import annotations

from amtune.sagemaker.session import Session, get_execution_role, production_variant

__all__ = ["Session", "get_execution_role", "production_variant"]

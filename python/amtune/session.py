"""``from amtune.session import Session, production_variant``, as ``sagemaker.session``
(:mod:`amtune.sagemaker.session`); ``s3_input`` is the SDK's deprecated alias of
``TrainingInput``."""

from __future__ import annotations

from amtune.sagemaker.session import Session, get_execution_role, production_variant, s3_input

__all__ = ["Session", "get_execution_role", "production_variant", "s3_input"]

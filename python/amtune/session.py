"""``from amtune.session import Session, production_variant, container_def``, as
``sagemaker.session`` (:mod:`amtune.sagemaker.session`, :mod:`amtune.sagemaker.container_defs`);
``s3_input`` is the SDK's deprecated alias of ``TrainingInput``."""

from __future__ import annotations

from amtune.sagemaker.container_defs import container_def, pipeline_container_def
from amtune.sagemaker.session import Session, get_execution_role, production_variant, s3_input

__all__ = [
    "Session",
    "container_def",
    "get_execution_role",
    "pipeline_container_def",
    "production_variant",
    "s3_input",
]

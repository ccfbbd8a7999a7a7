"""``sagemaker.utils`` helpers a notebook uses to name its jobs and models.

>>> name_from_base("xgb").startswith("xgb-")
True
"""

from __future__ import annotations

from amtune.sagemaker.names import (
    base_from_name,
    base_name_from_image,
    name_from_base,
    name_from_image,
    sagemaker_short_timestamp,
    sagemaker_timestamp,
    unique_name_from_base,
)

__all__ = [
    "base_from_name",
    "base_name_from_image",
    "name_from_base",
    "name_from_image",
    "sagemaker_short_timestamp",
    "sagemaker_timestamp",
    "unique_name_from_base",
]

"""``sagemaker.utils`` helpers a notebook uses to name its jobs and models.

>>> name_from_base("xgb").startswith("xgb-")
True
"""

from __future__ import annotations

from amtune.sagemaker.session import base_name_from_image, name_from_base

__all__ = ["base_name_from_image", "name_from_base"]

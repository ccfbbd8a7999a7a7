"""``sagemaker.sklearn.estimator``: ``from amtune.sklearn.estimator import SKLearn``."""

from __future__ import annotations

from amtune.sagemaker.estimator import SKLearn

__all__ = ["SKLearn"]

"""``from amtune.estimator import Estimator``, as ``sagemaker.estimator``
(:mod:`amtune.sagemaker.estimator`)."""

from __future__ import annotations

from amtune.sagemaker.estimator import Estimator, EstimatorBase, Framework

__all__ = ["Estimator", "EstimatorBase", "Framework"]

"""``from amtune.inputs import TrainingInput``, as ``sagemaker.inputs``
(:mod:`amtune.sagemaker.inputs`)."""

from __future__ import annotations

from amtune.sagemaker.inputs import TrainingInput

__all__ = ["TrainingInput"]

"""``from amtune.inputs import TrainingInput``, as ``sagemaker.inputs``
(:mod:`amtune.sagemaker.inputs`), with ``FileSystemInput`` (a local directory here) and
``ShuffleConfig``."""

from __future__ import annotations

from amtune.sagemaker.inputs import FileSystemInput, ShuffleConfig, TrainingInput

__all__ = ["FileSystemInput", "ShuffleConfig", "TrainingInput"]

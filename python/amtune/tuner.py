"""``from amtune.tuner import HyperparameterTuner, IntegerParameter, ...``, as ``sagemaker.tuner``
(the tuner, its ranges and its configuration classes).

>>> from amtune.tuner import HyperparameterTuner, WarmStartTypes
>>> WarmStartTypes.TRANSFER_LEARNING.value
'TransferLearning'
"""

from __future__ import annotations

from amtune.sagemaker.config import (
    HyperbandStrategyConfig,
    InstanceConfig,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)
from amtune.space import CategoricalParameter, ContinuousParameter, IntegerParameter
from amtune.tuning.tuner import HyperparameterTuner

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "HyperbandStrategyConfig",
    "HyperparameterTuner",
    "InstanceConfig",
    "IntegerParameter",
    "StrategyConfig",
    "TuningJobCompletionCriteriaConfig",
    "WarmStartConfig",
    "WarmStartTypes",
]

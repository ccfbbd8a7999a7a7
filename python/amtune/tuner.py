"""``from amtune.tuner import HyperparameterTuner, IntegerParameter, ...``, as ``sagemaker.tuner``
(the tuner, its ranges and its configuration classes).

>>> from amtune.tuner import HyperparameterTuner, WarmStartTypes
>>> WarmStartTypes.TRANSFER_LEARNING.value
'TransferLearning'
"""

from __future__ import annotations

from amtune._lazy import lazy_attributes
from amtune.sagemaker.config import (
    HyperbandStrategyConfig,
    InstanceConfig,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)
from amtune.space import CategoricalParameter, ContinuousParameter, IntegerParameter
from amtune.space import Parameter as ParameterRange
from amtune.tuning.tuner import (
    HyperparameterTuner,
    create_identical_dataset_and_algorithm_tuner,
    create_transfer_learning_tuner,
)

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "HyperbandStrategyConfig",
    "HyperparameterTuner",
    "InstanceConfig",
    "IntegerParameter",
    "ParameterRange",
    "StrategyConfig",
    "TuningJobCompletionCriteriaConfig",
    "WarmStartConfig",
    "WarmStartTypes",
    "create_identical_dataset_and_algorithm_tuner",
    "create_transfer_learning_tuner",
]

# the SDK's tuner module also exposes its analytics class (imported when first used: pandas)
__getattr__ = lazy_attributes(
    __name__, {"HyperparameterTuningJobAnalytics": "amtune.sagemaker.analytics"}
)

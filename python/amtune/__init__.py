"""amtune: automatic model tuning with SageMaker semantics and a compiled Bayesian-optimization
core.

>>> import amtune
>>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(-2.0, 2.0)})
>>> opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
>>> trial = opt.ask()[0]
>>> _ = opt.tell(trial.id, trial.params["x"] ** 2)
>>> opt.best is not None
True
"""

from __future__ import annotations

from amtune._ext import build_info
from amtune.optimizer import Optimizer, Trial
from amtune.sagemaker.config import (
    BestObjectiveNotImproving,
    ConvergenceDetected,
    HyperbandStrategyConfig,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)
from amtune.strategies import GridSearch, RandomSearch, Strategy
from amtune.version import VERSION as __version__

__all__ = [
    "BestObjectiveNotImproving",
    "CategoricalParameter",
    "ContinuousParameter",
    "ConvergenceDetected",
    "Estimator",
    "GridSearch",
    "HuggingFace",
    "HyperbandStrategyConfig",
    "HyperparameterTuner",
    "HyperparameterTuningJobAnalytics",
    "IntegerParameter",
    "Optimizer",
    "Parameter",
    "PyTorch",
    "RandomSearch",
    "Reporter",
    "SKLearn",
    "SearchSpace",
    "StopTraining",
    "Strategy",
    "StrategyConfig",
    "TensorFlow",
    "TrainingInput",
    "TrainingJobAnalytics",
    "Trial",
    "TuningJobCompletionCriteriaConfig",
    "UnexpectedStatusException",
    "WarmStartConfig",
    "WarmStartTypes",
    "XGBoost",
    "__version__",
    "build_info",
]

# Tuning jobs load pandas; import them on first use so that ``import amtune`` stays light.
_LAZY = {
    "HyperparameterTuner": "amtune.tuning.tuner",
    "Reporter": "amtune.runners.reporter",
    "StopTraining": "amtune.runners.reporter",
    # SageMaker SDK names (issue 11): estimators, single training jobs, the SDK's exception
    "Estimator": "amtune.sagemaker.estimator",
    "SKLearn": "amtune.sagemaker.estimator",
    "XGBoost": "amtune.sagemaker.estimator",
    "PyTorch": "amtune.sagemaker.estimator",
    "TensorFlow": "amtune.sagemaker.estimator",
    "HuggingFace": "amtune.sagemaker.estimator",
    "TrainingInput": "amtune.sagemaker.inputs",
    "UnexpectedStatusException": "amtune.sagemaker.exceptions",
    "HyperparameterTuningJobAnalytics": "amtune.sagemaker.analytics",
    "TrainingJobAnalytics": "amtune.sagemaker.analytics",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'amtune' has no attribute {name!r}")

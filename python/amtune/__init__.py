"""amtune: automatic model tuning with SageMaker semantics and a compiled Bayesian-optimization core.

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
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)
from amtune.strategies import GridSearch, RandomSearch, Strategy

__version__ = "0.1.0"

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "GridSearch",
    "IntegerParameter",
    "Optimizer",
    "Parameter",
    "RandomSearch",
    "SearchSpace",
    "Strategy",
    "Trial",
    "__version__",
    "build_info",
]

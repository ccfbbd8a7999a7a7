"""Built-in algorithms: XGBoost, Linear Learner and k-NN, run as SageMaker runs its images.

Each algorithm is a training program under the SageMaker training contract (``python -m
amtune.builtin.xgboost`` reads its hyperparameters, channels and model directory from the ``SM_*``
environment and ``input/config/*.json``), validates SageMaker's documented hyperparameters, reads
``train``/``validation``/``test`` channels in CSV (label first, no header; XGBoost also libsvm),
writes a model artifact and prints SageMaker's predefined metrics in the format the real images
log, so the predefined metric definitions match it. A tuning job on a built-in algorithm needs no
metric definitions:

>>> import amtune
>>> from amtune.builtin import algorithm_for_image, recommended_ranges
>>> algo = algorithm_for_image(amtune.image_uris.retrieve("xgboost", version="1.7-1"))
>>> algo.name, algo.objective_direction("validation:rmse")
('xgboost', 'Minimize')
>>> recommended_ranges("xgboost")["eta"]
ContinuousParameter(0.1, 0.5, scaling_type='Auto')
"""

from __future__ import annotations

from amtune.builtin.algorithms import (
    ALGORITHMS,
    Algorithm,
    algorithm,
    algorithm_for_command,
    algorithm_for_image,
    algorithm_for_job_config,
    predefined_metric_definitions,
    recommended_ranges,
)
from amtune.builtin.hyperparameters import HyperparameterError

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "BuiltinTuner",
    "HyperparameterError",
    "algorithm",
    "algorithm_for_command",
    "algorithm_for_image",
    "algorithm_for_job_config",
    "predefined_metric_definitions",
    "recommended_ranges",
]


def __getattr__(name: str) -> object:
    # BuiltinTuner loads the tuning layer (pandas); import it on first use.
    if name == "BuiltinTuner":
        from amtune.builtin.tuning import BuiltinTuner

        return BuiltinTuner
    raise AttributeError(f"module 'amtune.builtin' has no attribute {name!r}")

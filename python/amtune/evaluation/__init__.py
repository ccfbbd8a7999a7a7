"""Offline evaluation: holdout and k-fold training jobs, batch inference on historical data.

* :mod:`.config`: ``Holdout`` / ``KFold`` configs (SageMaker-style dicts) and when to use which.
* :mod:`.splits`: the seeded split of the ``train`` channel, written once per config and data.
* :mod:`.kfold_runner`: a training job as ``K`` fold runs whose mean is its objective.
* :mod:`.apply`: how a tuning job uses them (:func:`apply_evaluation`).
* :mod:`.transform`, :mod:`.evaluate`: ``amtune transform`` and ``amtune evaluate``.

>>> from amtune.evaluation import parse_evaluation
>>> parse_evaluation({"Type": "Holdout", "ValidationFraction": 0.25, "Seed": 3})
Holdout(validation_fraction=0.25, seed=3)
"""

from __future__ import annotations

from amtune.evaluation.config import Holdout, KFold, parse_evaluation

__all__ = ["Holdout", "KFold", "parse_evaluation"]

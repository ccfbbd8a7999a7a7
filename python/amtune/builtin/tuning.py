"""Tuning jobs on a built-in algorithm from the Python API: :class:`BuiltinTuner`.

The algorithm supplies what a custom training script would need the user to write: the training
command, the predefined metric definitions, the objective's direction, SageMaker's recommended
ranges, and the ``_tuning_objective_metric`` static hyperparameter that SageMaker passes to its
algorithms (XGBoost then computes the objective's metric even when ``eval_metric`` omits it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amtune.builtin.algorithms import Algorithm, algorithm
from amtune.builtin.range_checks import check_static_hyperparameters
from amtune.space import Parameter
from amtune.tuning.tuner import HyperparameterTuner

__all__ = ["BuiltinTuner", "check_static_hyperparameters"]

#: The resource hyperparameter of each algorithm for Hyperband (its MaxResource default).
RESOURCE = {"xgboost": "num_round", "linear-learner": "epochs"}


class BuiltinTuner(HyperparameterTuner):
    """A ``HyperparameterTuner`` on a built-in algorithm (``"xgboost"``, ``"linear-learner"``,
    ``"knn"`` or an :class:`~amtune.builtin.Algorithm`).

    ``hyperparameter_ranges`` defaults to SageMaker's recommended ranges of the algorithm's quick
    start hyperparameters; ``objective_type`` to the objective's documented direction;
    ``static_hyperparameters`` are checked against the algorithm's table now (a bad value is a
    ``ValueError`` here, not a failed training job), and the quick start's defaults
    (XGBoost: ``num_round=100``) are added when not given. With ``strategy="Hyperband"`` the
    resource is XGBoost's ``num_round`` / Linear Learner's ``epochs`` (``MaxResource`` defaults to
    its static value). Other arguments are ``HyperparameterTuner``'s; ``channels`` must hold
    ``train``. ``evaluation``: a holdout or k-fold config (:mod:`amtune.evaluation`), e.g.
    ``{"Type": "KFold", "K": 5}``.

    >>> import os, tempfile
    >>> t = BuiltinTuner("xgboost", "validation:auc", channels={"train": "."},
    ...                  static_hyperparameters={"objective": "binary:logistic"},
    ...                  db=os.path.join(tempfile.mkdtemp(), "a.db"))
    >>> t.objective_type, sorted(t.space.ranges)
    ('Maximize', ['alpha', 'eta', 'max_depth', 'min_child_weight', 'subsample'])
    >>> t.space.static["_tuning_objective_metric"], t.space.static["num_round"]
    ('validation:auc', 100)
    """

    def __init__(
        self,
        algorithm_name: str | Algorithm,
        objective_metric_name: str,
        hyperparameter_ranges: Mapping[str, Parameter] | None = None,
        objective_type: str | None = None,
        *,
        static_hyperparameters: Mapping[str, Any] | None = None,
        channels: Mapping[str, Any] | None = None,
        evaluation: Any = None,
        **kwargs: Any,
    ) -> None:
        algo = (
            algorithm_name if isinstance(algorithm_name, Algorithm) else algorithm(algorithm_name)
        )
        if kwargs.get("metric_definitions"):
            raise ValueError(
                f"metric_definitions: a built-in algorithm ({algo.title}) emits its predefined "
                f"metrics; do not give metric definitions"
            )
        kwargs.pop("metric_definitions", None)
        direction = algo.objective_direction(objective_metric_name)
        ranges = (
            dict(hyperparameter_ranges)
            if hyperparameter_ranges is not None
            else algo.recommended_ranges(algo.quick_start)
        )
        static = dict(static_hyperparameters or {})
        for k, v in algo.quick_start_static.items():
            if k not in static and k not in ranges:
                static[k] = v
        static["_tuning_objective_metric"] = objective_metric_name
        ranges = check_static_hyperparameters(algo, ranges, static)
        chans = dict(channels or {})
        if "train" not in chans:
            raise ValueError(f"channels: {algo.title} needs a 'train' channel")
        if kwargs.get("strategy") == "Hyperband" and kwargs.get("strategy_config") is None:
            res = RESOURCE.get(algo.name)
            if res is not None and res in static:
                kwargs["strategy_config"] = {"max_resource": int(static[res])}
        super().__init__(
            objective_metric_name,
            ranges,
            objective_type or direction,
            algo.metric_definitions(),
            static_hyperparameters=static,
            channels=chans,
            evaluation=evaluation,
            **kwargs,
        )
        self.algorithm = algo

    def fit(  # type: ignore[override]
        self, job_name: str | None = None, wait: bool = True, quiet: bool | None = None
    ) -> None:
        """Run the tuning job (the training command is the algorithm's)."""
        super().fit(self.algorithm.command, job_name=job_name, wait=wait, quiet=quiet)

    @classmethod
    def _from_config(cls, cfg: Mapping[str, Any], db: Any = None) -> HyperparameterTuner:
        # attach/resume rebuild a plain tuner: the stored config holds the command, the metric
        # definitions and the static hyperparameters the algorithm contributed.
        return HyperparameterTuner._from_config(cfg, db)

    def _to_config(self, train: Any) -> dict[str, Any]:
        cfg = super()._to_config(train)
        # The image this algorithm is on SageMaker: deploy, transform and evaluate find the
        # algorithm's inference module by it.
        cfg["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = (
            self.algorithm.image_uri()
        )
        return cfg

"""k-NN's hyperparameters as SageMaker documents them ("k-NN hyperparameters"; recommended
tuning ranges from "Tune a k-NN model")."""

from __future__ import annotations

from amtune.builtin.hyperparameters import (
    Categorical,
    HyperparameterTable,
    Integer,
    Interval,
    Recommended,
)
from amtune.builtin.metric_specs import KNN

HYPERPARAMETERS = HyperparameterTable(
    "knn",
    [
        Integer("feature_dim", Interval(1, None), required=True),
        Integer("k", Interval(1, None), required=True, recommended=Recommended(1, 1024)),
        Categorical("predictor_type", ("classifier", "regressor"), required=True),
        Integer(
            "sample_size",
            Interval(1, None),
            required=True,
            recommended=Recommended(256, 20_000_000),
        ),
        Integer("dimension_reduction_target", Interval(1, None)),
        Categorical("dimension_reduction_type", ("sign", "fjlt")),
        Integer("faiss_index_ivf_nlists", Interval(1, None), words=("auto",), default="auto"),
        Categorical(
            "faiss_index_pq_m",
            (
                "1",
                "2",
                "3",
                "4",
                "8",
                "12",
                "16",
                "20",
                "24",
                "28",
                "32",
                "40",
                "48",
                "56",
                "64",
                "96",
            ),
        ),
        Categorical("index_metric", ("L2", "INNER_PRODUCT", "COSINE"), default="L2"),
        Categorical(
            "index_type", ("faiss.Flat", "faiss.IVFFlat", "faiss.IVFPQ"), default="faiss.Flat"
        ),
        Integer("mini_batch_size", Interval(1, None), default=5000),
        Categorical("_tuning_objective_metric", tuple(m.name for m in KNN)),
    ],
)

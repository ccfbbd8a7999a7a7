"""XGBoost's hyperparameters as SageMaker's XGBoost algorithm documents and validates them.

Names, types, valid ranges and defaults follow SageMaker's "XGBoost hyperparameters" page and
the recommended tuning ranges its "Tune an XGBoost model" page; the defaults shown are the ones
XGBoost applies when a hyperparameter is not given (amtune passes only the given ones to
``xgboost.train``, as the SageMaker image does).
"""

from __future__ import annotations

from amtune.builtin.hyperparameters import (
    Categorical,
    CommaList,
    Continuous,
    Hyperparameter,
    HyperparameterTable,
    Integer,
    Interval,
    Recommended,
)
from amtune.builtin.metric_specs import XGBOOST, XGBOOST_METRICS_DIRECTION

_BOOL = ("true", "false")

OBJECTIVES = (
    "binary:hinge",
    "binary:logistic",
    "binary:logitraw",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:map",
    "rank:ndcg",
    "rank:pairwise",
    "reg:absoluteerror",
    "reg:gamma",
    "reg:linear",  # SageMaker's old name of reg:squarederror (mapped)
    "reg:logistic",
    "reg:pseudohubererror",
    "reg:quantileerror",
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "survival:aft",
    "survival:cox",
)

#: eval_metric values: XGBoost's own and the ones amtune computes like SageMaker's image does.
EVAL_METRICS = (
    *sorted(XGBOOST_METRICS_DIRECTION),
    "aft-nloglik",
    "aucpr",
    "cox-nloglik",
    "gamma-deviance",
    "gamma-nloglik",
    "interval-regression-accuracy",
    "mape",
    "mphe",
    "poisson-nloglik",
    "rmsle",
    "tweedie-nloglik",
)
#: metrics computed by amtune (XGBoost has no such eval_metric); see amtune.builtin.xgb_metrics
CUSTOM_METRICS = ("accuracy", "f1", "mse")


class _EvalMetric(Hyperparameter):
    """An eval_metric item: a known metric, or ``error@t`` / ``ndcg@n`` / ``map@n``."""

    def rule(self) -> str:
        return f"one of {', '.join(EVAL_METRICS)} (or error@t, ndcg@n, map@n)"

    def convert(self, raw: object) -> str:
        s = str(raw).strip()
        if s in EVAL_METRICS:
            return s
        name, at, t = s.partition("@")
        if at and name in ("error", "ndcg", "map", "ndcg-", "map-"):
            float(t)
            return s
        raise ValueError


def _c(name: str, lo: float | None, hi: float | None, **kw: object) -> Continuous:
    lo_open = bool(kw.pop("lo_open", False))
    hi_open = bool(kw.pop("hi_open", False))
    return Continuous(name, Interval(lo, hi, lo_open, hi_open), **kw)


def _rec(lo: float, hi: float) -> Recommended:
    return Recommended(lo, hi, scaling_type="Auto")


HYPERPARAMETERS = HyperparameterTable(
    "xgboost",
    [
        Integer(
            "num_round",
            Interval(1, None),
            required=True,
            recommended=_rec(1, 4000),
            doc="number of boosting rounds",
        ),
        Integer("num_class", Interval(2, None), doc="classes (multi:softmax, multi:softprob)"),
        _c("alpha", 0, None, default=0.0, recommended=_rec(0, 1000), doc="L1 regularization"),
        _c("base_score", None, None, doc="initial prediction score"),
        Categorical("booster", ("gbtree", "gblinear", "dart"), default="gbtree"),
        _c("colsample_bylevel", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.1, 1)),
        _c("colsample_bynode", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.1, 1)),
        _c("colsample_bytree", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.5, 1)),
        Integer("csv_weights", Interval(0, 1), default=0, doc="1: CSV column 2 is a weight"),
        Categorical("deterministic_histogram", _BOOL, case_insensitive=True),
        Integer("early_stopping_rounds", Interval(1, None)),
        _c("eta", 0, 1, default=0.3, recommended=_rec(0.1, 0.5), doc="learning rate"),
        CommaList("eval_metric", _EvalMetric("eval_metric")),
        _c("gamma", 0, None, default=0.0, recommended=_rec(0, 5)),
        Categorical("grow_policy", ("depthwise", "lossguide"), default="depthwise"),
        Hyperparameter("interaction_constraints"),
        _c("lambda", 0, None, default=1.0, recommended=_rec(0, 1000), doc="L2 regularization"),
        _c("lambda_bias", 0, 1, default=0.0),
        Integer("max_bin", Interval(2, None), default=256),
        _c("max_delta_step", 0, None, default=0.0, recommended=_rec(0, 10)),
        Integer("max_depth", Interval(0, None), default=6, recommended=_rec(0, 10)),
        Integer("max_leaves", Interval(0, None), default=0),
        _c("min_child_weight", 0, None, default=1.0, recommended=_rec(0, 120)),
        Hyperparameter("monotone_constraints"),
        Categorical("normalize_type", ("tree", "forest"), default="tree"),
        Integer("nthread", Interval(1, None)),
        Categorical("objective", OBJECTIVES, default="reg:squarederror"),
        Integer("one_drop", Interval(0, 1), default=0),
        Categorical("predictor", ("auto", "cpu_predictor", "gpu_predictor")),
        Categorical("process_type", ("default", "update"), default="default"),
        _c("rate_drop", 0, 1, default=0.0),
        Integer("refresh_leaf", Interval(0, 1), default=1),
        Categorical("sample_type", ("uniform", "weighted"), default="uniform"),
        Categorical("save_model_on_termination", _BOOL, case_insensitive=True, default="false"),
        _c("scale_pos_weight", 0, None, lo_open=True, default=1.0),
        Integer("seed", Interval(-(2**31), 2**31 - 1, True, True), default=0),
        Categorical("single_precision_histogram", _BOOL, case_insensitive=True),
        _c("sketch_eps", 0, 1, lo_open=True, hi_open=True),
        _c("skip_drop", 0, 1, default=0.0),
        _c("subsample", 0, 1, lo_open=True, default=1.0, recommended=_rec(0.5, 1)),
        Categorical("tree_method", ("auto", "exact", "approx", "hist", "gpu_hist"), default="auto"),
        _c("tweedie_variance_power", 1, 2, lo_open=True, hi_open=True, default=1.5),
        _c("huber_slope", 0, None, lo_open=True),
        _c("quantile_alpha", 0, 1, lo_open=True, hi_open=True),
        CommaList(
            "updater",
            Categorical(
                "updater",
                (
                    "grow_colmaker",
                    "grow_histmaker",
                    "grow_quantile_histmaker",
                    "sync",
                    "refresh",
                    "prune",
                    "shotgun",
                    "coord_descent",
                ),
            ),
        ),
        Categorical("dsplit", ("row", "col")),
        Categorical("aft_loss_distribution", ("normal", "logistic", "extreme")),
        _c("aft_loss_distribution_scale", 0, None, lo_open=True),
        Categorical("use_dask_gpu_training", _BOOL, case_insensitive=True),
        Integer("verbosity", Interval(0, 3), default=1),
        Categorical("_tuning_objective_metric", tuple(m.name for m in XGBOOST)),
    ],
    ignored=("_kfold", "_num_cv_round"),
)

#: Accepted for compatibility and not passed to XGBoost (removed in XGBoost 2/3, or GPU/cluster
#: settings with no local meaning).
NOT_PASSED = (
    "csv_weights",
    "deterministic_histogram",
    "dsplit",
    "early_stopping_rounds",
    "eval_metric",
    "lambda_bias",
    "num_round",
    "predictor",
    "save_model_on_termination",
    "single_precision_histogram",
    "sketch_eps",
    "use_dask_gpu_training",
    "_tuning_objective_metric",
)

#: The hyperparameters SageMaker names as having the largest effect on the XGBoost objective.
MOST_EFFECTIVE = ("alpha", "min_child_weight", "subsample", "eta", "num_round")
#: What the quick start (``amtune tune-builtin xgboost``) tunes by default: the above, with
#: ``num_round`` static (it sets the cost of a job; early stopping and Hyperband work on it) and
#: ``max_depth`` added.
QUICK_START = ("alpha", "min_child_weight", "subsample", "eta", "max_depth")

"""Linear Learner's hyperparameters as SageMaker documents them ("Linear learner
hyperparameters"; recommended tuning ranges from "Tune a linear learner model")."""

from __future__ import annotations

from amtune.builtin.hyperparameters import (
    Categorical,
    Continuous,
    HyperparameterTable,
    Integer,
    Interval,
    Recommended,
)
from amtune.builtin.metric_specs import LINEAR_LEARNER

_BOOL = ("true", "false")
_AUTO = ("auto",)

PREDICTOR_TYPES = ("binary_classifier", "multiclass_classifier", "regressor")
LOSSES = (
    "auto",
    "logistic",
    "squared_loss",
    "absolute_loss",
    "hinge_loss",
    "eps_insensitive_squared_loss",
    "eps_insensitive_absolute_loss",
    "quantile_loss",
    "huber_loss",
    "softmax_loss",
)
SELECTION_CRITERIA = (
    "accuracy",
    "f_beta",
    "precision_at_target_recall",
    "recall_at_target_precision",
    "loss_function",
)


def _c(
    name: str, lo: float | None, hi: float | None, lo_open: bool = False, **kw: object
) -> Continuous:
    hi_open = bool(kw.pop("hi_open", False))
    return Continuous(name, Interval(lo, hi, lo_open, hi_open), **kw)


HYPERPARAMETERS = HyperparameterTable(
    "linear-learner",
    [
        Categorical("predictor_type", PREDICTOR_TYPES, required=True),
        Integer("feature_dim", Interval(1, None), words=_AUTO, default="auto"),
        Integer("num_classes", Interval(3, 1_000_000), doc="required for multiclass_classifier"),
        Integer("accuracy_top_k", Interval(1, None), default=3),
        Categorical("balance_multiclass_weights", _BOOL, case_insensitive=True, default="false"),
        _c("beta_1", 0, 1, hi_open=True, words=_AUTO, default="auto"),
        _c("beta_2", 0, 1, hi_open=True, words=_AUTO, default="auto"),
        _c("bias_lr_mult", 0, None, True, words=_AUTO, default="auto"),
        _c("bias_wd_mult", 0, None, words=_AUTO, default="auto"),
        Categorical(
            "binary_classifier_model_selection_criteria", SELECTION_CRITERIA, default="accuracy"
        ),
        Integer("early_stopping_patience", Interval(1, None), default=3),
        _c("early_stopping_tolerance", 0, None, True, default=0.001),
        Integer("epochs", Interval(1, None), default=15),
        _c("f_beta", 0, None, True, default=1.0),
        _c("huber_delta", 0, None, default=1.0),
        _c("init_bias", None, None, default=0.0),
        Categorical("init_method", ("uniform", "normal"), default="uniform"),
        _c("init_scale", 0, None, True, default=0.07),
        _c("init_sigma", 0, None, True, default=0.01),
        _c("l1", 0, None, words=_AUTO, default="auto", recommended=Recommended(1e-7, 1.0)),
        _c(
            "learning_rate",
            0,
            None,
            True,
            words=_AUTO,
            default="auto",
            recommended=Recommended(1e-5, 1.0),
        ),
        Categorical("loss", LOSSES, default="auto"),
        _c("loss_insensitivity", 0, None, True, default=0.01),
        _c("lr_scheduler_factor", 0, 1, True, hi_open=True, words=_AUTO, default="auto"),
        _c("lr_scheduler_minimum_lr", 0, None, True, words=_AUTO, default="auto"),
        Integer("lr_scheduler_step", Interval(1, None), words=_AUTO, default="auto"),
        _c("margin", 0, None, True, default=1.0),
        Integer(
            "mini_batch_size", Interval(1, None), default=1000, recommended=Recommended(100, 5000)
        ),
        _c("momentum", 0, 1, hi_open=True, words=_AUTO, default="auto"),
        Categorical("normalize_data", _BOOL, case_insensitive=True, default="true"),
        Categorical("normalize_label", _BOOL, case_insensitive=True, words=_AUTO, default="auto"),
        Integer("num_calibration_samples", Interval(1, None), default=10_000_000),
        Integer("num_models", Interval(1, None), words=_AUTO, default="auto"),
        Integer("num_point_for_scaler", Interval(1, None), default=10_000),
        Categorical("optimizer", ("auto", "sgd", "adam", "rmsprop"), default="auto"),
        _c(
            "positive_example_weight_mult",
            0,
            None,
            True,
            words=("auto", "balanced"),
            default=1.0,
            recommended=Recommended(1e-5, 1e5),
        ),
        _c("quantile", 0, 1, True, hi_open=True, default=0.5),
        _c("target_precision", 0, 1, True, default=0.8),
        _c("target_recall", 0, 1, True, default=0.8),
        Categorical("unbias_data", _BOOL, case_insensitive=True, words=_AUTO, default="auto"),
        Categorical("unbias_label", _BOOL, case_insensitive=True, words=_AUTO, default="auto"),
        Categorical(
            "use_bias",
            _BOOL,
            case_insensitive=True,
            default="true",
            recommended=Recommended(values=("true", "false")),
        ),
        Categorical("use_lr_scheduler", _BOOL, case_insensitive=True, default="true"),
        _c("wd", 0, None, words=_AUTO, default="auto", recommended=Recommended(1e-7, 1.0)),
        Categorical("_tuning_objective_metric", tuple(m.name for m in LINEAR_LEARNER)),
    ],
)

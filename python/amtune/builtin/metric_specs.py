"""Predefined metrics of the built-in algorithms: name, regex (as SageMaker defines it) and the
direction to optimize.

The regexes are SageMaker's own. They are written against the log as CloudWatch shows it, where a
TAB is rendered ``#011``: the XGBoost images print ``[3]\\ttrain-rmse:0.41\\tvalidation-rmse:0.44``
and CloudWatch shows ``[3]#011train-rmse:0.41#011validation-rmse:0.44``. amtune's metric parser
matches each line both raw and rendered, so these regexes work on local output unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from amtune.metrics import MAX_METRIC_DEFINITIONS

MAXIMIZE = "Maximize"
MINIMIZE = "Minimize"

#: SageMaker's number regex in the XGBoost image's metric definitions.
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


@dataclass(frozen=True)
class MetricSpec:
    """A predefined metric: ``name`` (e.g. ``validation:auc``), ``regex``, ``direction``
    (``Maximize``/``Minimize``) and whether SageMaker documents it as a tuning ``objective``."""

    name: str
    regex: str
    direction: str
    objective: bool = True

    def definition(self) -> dict[str, str]:
        return {"Name": self.name, "Regex": self.regex}


# ---------------------------------------------------------------- XGBoost
# The documented objective metrics (docs: "Tune an XGBoost Model", evaluation metrics computed by
# the XGBoost algorithm), each emitted for the train and the validation channel.
XGBOOST_METRICS_DIRECTION = {
    "accuracy": MAXIMIZE,
    "auc": MAXIMIZE,
    "error": MINIMIZE,
    "f1": MAXIMIZE,
    "logloss": MINIMIZE,
    "mae": MINIMIZE,
    "map": MAXIMIZE,
    "merror": MINIMIZE,
    "mlogloss": MINIMIZE,
    "mse": MINIMIZE,
    "ndcg": MAXIMIZE,
    "rmse": MINIMIZE,
}


def _xgb(channel: str, metric: str) -> MetricSpec:
    return MetricSpec(
        f"{channel}:{metric}",
        rf".*\[[0-9]+\].*#011{channel}-{metric}:{_NUMBER}.*",
        XGBOOST_METRICS_DIRECTION[metric],
        objective=True,
    )


XGBOOST = tuple(
    _xgb(ch, m) for ch in ("validation", "train") for m in sorted(XGBOOST_METRICS_DIRECTION)
)

# ---------------------------------------------------------------- Linear Learner
# Regexes as SageMaker attaches them to linear-learner training jobs (DescribeTrainingJob's
# AlgorithmSpecification.MetricDefinitions); the algorithm logs lines such as
# "#quality_metric: host=algo-1, epoch=3, validation binary_classification_cross_entropy_objective
# <loss>=0.41" per epoch and "#quality_metric: host=algo-1, test binary_classification_accuracy
# <score>=0.93" for the final model.
_QM = "#quality_metric: host=\\S+, "


def _ll(name: str, regex: str, direction: str, objective: bool = True) -> MetricSpec:
    return MetricSpec(name, regex, direction, objective)


def _ll_final(channel: str, metric: str, kind: str, direction: str) -> MetricSpec:
    pattern = {
        "binary_f_beta": "binary_f_\\S+",
        "macro_f_beta": "macro_f_\\S+",
        "multiclass_top_k_accuracy": "multiclass_top_k_accuracy_\\S+",
    }.get(metric, metric)
    return _ll(
        f"{channel}:{metric}",
        f"{_QM}{channel} {pattern} <{kind}>=(\\S+)",
        direction,
        objective=channel != "train",
    )


_LL_FINAL = (
    ("absolute_loss", "loss", MINIMIZE),
    ("binary_classification_accuracy", "score", MAXIMIZE),
    ("binary_f_beta", "score", MAXIMIZE),
    ("dcg", "score", MAXIMIZE),
    ("macro_f_beta", "score", MAXIMIZE),
    ("macro_precision", "score", MAXIMIZE),
    ("macro_recall", "score", MAXIMIZE),
    ("mse", "loss", MINIMIZE),
    ("multiclass_accuracy", "score", MAXIMIZE),
    ("multiclass_top_k_accuracy", "score", MAXIMIZE),
    ("precision", "score", MAXIMIZE),
    ("recall", "score", MAXIMIZE),
    ("rmse", "loss", MINIMIZE),
    ("roc_auc_score", "score", MAXIMIZE),
)

LINEAR_LEARNER = (
    _ll(
        "validation:objective_loss",
        f"{_QM}epoch=\\S+, validation \\S+_objective <loss>=(\\S+)",
        MINIMIZE,
    ),
    _ll("test:objective_loss", f"{_QM}test \\S+_objective <loss>=(\\S+)", MINIMIZE),
    *(
        _ll_final(ch, m, kind, d)
        for ch in ("validation", "test")
        for m, kind, d in _LL_FINAL
        if not (ch == "test" and m == "rmse")  # SageMaker documents validation:rmse only
    ),
    _ll(
        "train:objective_loss",
        f"{_QM}epoch=\\S+, train \\S+_objective <loss>=(\\S+)",
        MINIMIZE,
        objective=False,
    ),
    _ll(
        "validation:objective_loss:final",
        f"{_QM}validation \\S+_objective <loss>=(\\S+)",
        MINIMIZE,
        objective=False,
    ),
    _ll(
        "train:objective_loss:final",
        f"{_QM}train \\S+_objective <loss>=(\\S+)",
        MINIMIZE,
        objective=False,
    ),
    _ll("train:progress", "#progress_metric: host=\\S+, completed (\\S+) %", MAXIMIZE, False),
)

# ---------------------------------------------------------------- k-NN
# k-NN logs "#test_score (algo-1) : ('accuracy', 0.98)" and
# "#quality_metric: host=algo-1, test accuracy <score>=0.98" after scoring the test channel.
KNN = (
    MetricSpec("test:accuracy", f"{_QM}test accuracy <score>=(\\S+)", MAXIMIZE),
    MetricSpec("test:mse", f"{_QM}test mse <loss>=(\\S+)", MINIMIZE),
)

for _table in (XGBOOST, LINEAR_LEARNER, KNN):
    if len(_table) > MAX_METRIC_DEFINITIONS:  # pragma: no cover - a table error
        raise AssertionError("too many predefined metric definitions")

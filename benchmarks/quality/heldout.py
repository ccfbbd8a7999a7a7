"""Held-out tuning problems: XGBoost on scikit-learn's bundled data sets (added 2026-11-30).

These problems were added after amtune's defaults were fixed; no default was chosen on them. They
are a generalization check of the defaults chosen on the ``tuning`` suite (``tuning.py``), so they
form their own suite (``run.py``: ``--problems xgboost``; ``quality.md``: "held-out: XGBoost") and
never join ``tuning.SUITE``.

The search spaces are copied from published definitions, not fitted to amtune:

* ``xgb-*`` (space A): the ranges of AWS's SageMaker XGBoost tuning example notebook,
  amazon-sagemaker-examples, ``hyperparameter_tuning/xgboost_direct_marketing/
  hpo_xgboost_direct_marketing_sagemaker_python_sdk.ipynb`` (read at commit c4da8588e467, the
  parent of c79ad65de, 2023-07-17, which removed that directory): eta ContinuousParameter(0, 1),
  min_child_weight ContinuousParameter(1, 10), alpha ContinuousParameter(0, 2), max_depth
  IntegerParameter(1, 10), with ``num_round=100`` fixed; no scaling type is given (SageMaker's
  "Auto"), so every range is linear here. eta = 0 lies in the range and is evaluated as it is
  (XGBoost accepts it; the model then predicts its base score).
* ``xgbdoc-*`` (space B): the "Recommended Ranges" of SageMaker's "Tune an XGBoost Model" page,
  table "Tunable XGBoost Hyperparameters" (awsdocs/amazon-sagemaker-developer-guide,
  ``doc_source/xgboost-tuning.md``; docs.aws.amazon.com/sagemaker/latest/dg/xgboost-tuning.html):
  alpha [0, 1000], lambda [0, 1000], eta [0.1, 0.5], gamma [0, 5], min_child_weight [0, 120],
  max_depth integer [0, 10] (XGBoost reads 0 as no depth limit), subsample [0.5, 1],
  colsample_bytree [0.5, 1], all linear (the page gives no scaling; the continuous ranges start
  at 0, where a log scale is undefined). num_round: the page recommends [1, 4000]; it is capped
  here at [10, 300] on a logarithmic scale so that one evaluation (3 fits) stays well under a
  second on one core.

Every model uses ``tree_method="hist"``, ``n_jobs=1`` and ``random_state=0`` (row subsampling
included), and the folds are fixed (``tuning.cv_loss``), so every evaluation is deterministic.
Losses as in ``tuning.py``: breast cancer log loss, wine error rate (as most wine problems there),
diabetes 1 - R^2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmarks.quality.tuning import TuningSpec, _p, _reg

#: the date these problems were added (after amtune's defaults were fixed)
ADDED = "2026-11-30"
#: the suite's name in the report (``suite_report.suite_of``)
SUITE_NAME = "held-out: XGBoost"


def _model(regression: bool, **kw: Any) -> Any:
    from xgboost import XGBClassifier, XGBRegressor

    base = dict(tree_method="hist", n_jobs=1, random_state=0, verbosity=0)
    return (XGBRegressor if regression else XGBClassifier)(**base, **kw)


def _xgb_notebook(c: Mapping[str, Any], regression: bool = False) -> Any:
    """Space A: the SageMaker example notebook's four ranges, num_round = 100."""
    return _model(
        regression,
        n_estimators=100,
        learning_rate=float(c["eta"]),
        min_child_weight=float(c["min_child_weight"]),
        reg_alpha=float(c["alpha"]),
        max_depth=int(c["max_depth"]),
    )


XGB_NOTEBOOK_PARAMS = (
    _p("eta", "Continuous", 0.0, 1.0),
    _p("min_child_weight", "Continuous", 1.0, 10.0),
    _p("alpha", "Continuous", 0.0, 2.0),
    _p("max_depth", "Integer", 1, 10),
)


def _xgb_doc(c: Mapping[str, Any], regression: bool = False) -> Any:
    """Space B: SageMaker's documented recommended ranges (num_round capped, see above)."""
    return _model(
        regression,
        n_estimators=int(c["num_round"]),
        learning_rate=float(c["eta"]),
        reg_alpha=float(c["alpha"]),
        reg_lambda=float(c["lambda"]),
        gamma=float(c["gamma"]),
        min_child_weight=float(c["min_child_weight"]),
        max_depth=int(c["max_depth"]),
        subsample=float(c["subsample"]),
        colsample_bytree=float(c["colsample_bytree"]),
    )


XGB_DOC_PARAMS = (
    _p("alpha", "Continuous", 0.0, 1000.0),
    _p("lambda", "Continuous", 0.0, 1000.0),
    _p("eta", "Continuous", 0.1, 0.5),
    _p("gamma", "Continuous", 0.0, 5.0),
    _p("min_child_weight", "Continuous", 0.0, 120.0),
    _p("max_depth", "Integer", 0, 10),
    _p("subsample", "Continuous", 0.5, 1.0),
    _p("colsample_bytree", "Continuous", 0.5, 1.0),
    # documented [1, 4000]; capped so that an evaluation stays well under a second
    _p("num_round", "Integer", 10, 300, log=True),
)


XGB_SPECS: tuple[TuningSpec, ...] = (
    TuningSpec("xgb-breast", "XGBoost", "breast", "logloss", XGB_NOTEBOOK_PARAMS, _xgb_notebook),
    TuningSpec("xgb-wine", "XGBoost", "wine", "error", XGB_NOTEBOOK_PARAMS, _xgb_notebook),
    TuningSpec(
        "xgb-diabetes", "XGBoost", "diabetes", "1-r2", XGB_NOTEBOOK_PARAMS, _reg(_xgb_notebook)
    ),
    TuningSpec("xgbdoc-breast", "XGBoost", "breast", "logloss", XGB_DOC_PARAMS, _xgb_doc),
    TuningSpec("xgbdoc-wine", "XGBoost", "wine", "error", XGB_DOC_PARAMS, _xgb_doc),
    TuningSpec("xgbdoc-diabetes", "XGBoost", "diabetes", "1-r2", XGB_DOC_PARAMS, _reg(_xgb_doc)),
)

#: the held-out suite (``run.py --problems xgboost``)
SUITE = tuple(s.name for s in XGB_SPECS)


def suites() -> dict[str, tuple[str, tuple[TuningSpec, ...]]]:
    """Every held-out suite: its name in ``run.py`` -> (its name in the report, its problems)."""
    from benchmarks.quality import heldout_lightgbm

    return {
        "xgboost": (SUITE_NAME, XGB_SPECS),
        "lightgbm": (heldout_lightgbm.SUITE_NAME, heldout_lightgbm.LGBM_SPECS),
    }


def all_specs() -> tuple[TuningSpec, ...]:
    """The problems of every held-out suite."""
    return tuple(s for _, specs in suites().values() for s in specs)


def suite_name(problem: str) -> str | None:
    """The report's name of the held-out suite that holds ``problem`` (without ``~noisy``)."""
    return next(
        (n for n, specs in suites().values() if any(s.name == problem for s in specs)), None
    )

"""Held-out tuning problems: LightGBM in FLAML's search space (added 2026-12-01).

Like the XGBoost problems of ``heldout.py``, these were added after amtune's defaults were fixed,
and no default was chosen on them: they check whether the defaults generalize. They form their
own suite (``run.py``: ``--problems lightgbm``; ``quality.md``: "held-out: LightGBM").

The XGBoost problems use SageMaker's linear ranges. This space is the opposite case, the one a
careful user writes: almost every range on a logarithmic scale, integers included. It is FLAML's
published search space for LightGBM (Wang et al. 2021, "FLAML: A Fast and Lightweight AutoML
Library", MLSys; ``flaml/automl/model.py``, ``LGBMEstimator.search_space``), unchanged:

* ``n_estimators`` and ``num_leaves``: integers in [4, min(32768, n)] on a log scale, n the
  number of training rows (FLAML's upper bound; here the rows of the whole data set);
* ``min_child_samples``: integer in [2, 2^7 + 1], log scale;
* ``learning_rate``: [1/1024, 1], log scale;
* ``log_max_bin``: integer in [3, 11], log scale; LightGBM's ``max_bin`` is 2^v - 1;
* ``colsample_bytree``: [0.01, 1], linear;
* ``reg_alpha`` and ``reg_lambda``: [1/1024, 1024], log scale.

The data sets are the ones of ``heldout.py`` (scikit-learn's digits would take up to 9 s an
evaluation). Every model uses ``n_jobs=1`` and ``random_state=0``, and the folds are fixed
(``tuning.cv_loss``), so every evaluation is deterministic; the slowest configuration of the
space takes about 1 s (diabetes, n_estimators = num_leaves = 442). Losses as in ``heldout.py``:
breast cancer log loss, wine error rate, diabetes 1 - R^2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmarks.quality.tuning import TuningSpec, _p, _reg, load_data

#: the date these problems were added (after amtune's defaults were fixed)
ADDED = "2026-12-01"
#: the suite's name in the report (``suite_report.suite_of``)
SUITE_NAME = "held-out: LightGBM"


def _lightgbm(c: Mapping[str, Any], regression: bool = False) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    return (LGBMRegressor if regression else LGBMClassifier)(
        n_estimators=int(c["n_estimators"]),
        num_leaves=int(c["num_leaves"]),
        min_child_samples=int(c["min_child_samples"]),
        learning_rate=float(c["learning_rate"]),
        max_bin=(1 << int(c["log_max_bin"])) - 1,
        colsample_bytree=float(c["colsample_bytree"]),
        reg_alpha=float(c["reg_alpha"]),
        reg_lambda=float(c["reg_lambda"]),
        n_jobs=1,
        random_state=0,
        verbose=-1,
    )


def flaml_params(data: str) -> tuple[Any, ...]:
    """FLAML's LightGBM ranges for the data set ``data`` (the tree counts depend on its size)."""
    upper = max(5, min(32768, len(load_data(data)[1])))  # FLAML: "upper must be larger than lower"
    return (
        _p("n_estimators", "Integer", 4, upper, log=True),
        _p("num_leaves", "Integer", 4, upper, log=True),
        _p("min_child_samples", "Integer", 2, 2**7 + 1, log=True),
        _p("learning_rate", "Continuous", 1 / 1024, 1.0, log=True),
        _p("log_max_bin", "Integer", 3, 11, log=True),
        _p("colsample_bytree", "Continuous", 0.01, 1.0),
        _p("reg_alpha", "Continuous", 1 / 1024, 1024.0, log=True),
        _p("reg_lambda", "Continuous", 1 / 1024, 1024.0, log=True),
    )


LGBM_SPECS: tuple[TuningSpec, ...] = (
    TuningSpec("lgbm-breast", "LightGBM", "breast", "logloss", flaml_params("breast"), _lightgbm),
    TuningSpec("lgbm-wine", "LightGBM", "wine", "error", flaml_params("wine"), _lightgbm),
    TuningSpec(
        "lgbm-diabetes", "LightGBM", "diabetes", "1-r2", flaml_params("diabetes"), _reg(_lightgbm)
    ),
)

#: the held-out suite (``run.py --problems lightgbm``)
SUITE = tuple(s.name for s in LGBM_SPECS)

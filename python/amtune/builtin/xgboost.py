"""The built-in XGBoost algorithm: ``python -m amtune.builtin.xgboost`` (SageMaker's algorithm
mode).

Trains ``xgboost.train`` on the ``train`` channel with the ``validation`` channel (optional) as an
evaluation set, and logs every round as SageMaker's XGBoost image does::

    [0]\ttrain-rmse:0.4311\tvalidation-rmse:0.4502

(values at full precision), which the predefined metric definitions (``train:rmse``,
``validation:rmse``, ...) match. Hyperparameters are SageMaker's
(:mod:`amtune.builtin.xgboost_spec`); only the given ones reach XGBoost, so its own defaults
apply, exactly as in a direct ``xgboost.train`` call with the same parameters.
``_tuning_objective_metric`` (set by a tuning job) adds the objective's metric to
``eval_metric``. Data: CSV (label first, no header; empty fields are missing values;
``csv_weights=1`` reads column 2 as weights) or libsvm. The model is saved as ``xgboost-model``
(XGBoost's UBJSON format) in the model directory. On SIGTERM (a stop from early stopping,
Hyperband or ``amtune stop``) training ends after the current round and the model is saved.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.contract import AlgorithmError, TrainingEnvironment, emit, run_algorithm
from amtune.builtin.data import Dataset, read_channel
from amtune.builtin.xgb_metrics import custom_metric
from amtune.builtin.xgboost_spec import CUSTOM_METRICS, HYPERPARAMETERS, NOT_PASSED

MODEL_FILE = "xgboost-model"


def xgboost_params(hps: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """``(params for xgboost.train, eval metrics XGBoost computes, metrics amtune computes)``
    from validated SageMaker hyperparameters."""
    params = {k: v for k, v in hps.items() if k not in NOT_PASSED}
    if params.get("objective") == "reg:linear":
        params["objective"] = "reg:squarederror"
    if params.get("tree_method") == "gpu_hist":
        params["tree_method"] = "hist"  # no GPU locally: the same algorithm on the CPU
    if "interaction_constraints" in params:
        params["interaction_constraints"] = str(params["interaction_constraints"])
    if "monotone_constraints" in params:
        params["monotone_constraints"] = str(params["monotone_constraints"])
    if "updater" in params:
        params["updater"] = ",".join(params["updater"])
    metrics = list(hps.get("eval_metric", []))
    tuning = hps.get("_tuning_objective_metric")
    if tuning:
        m = tuning.split(":", 1)[1]
        if m not in metrics:
            metrics.append(m)
    builtin = [m for m in metrics if m not in CUSTOM_METRICS]
    custom = [m for m in metrics if m in CUSTOM_METRICS]
    if builtin:
        params["eval_metric"] = builtin
    return params, builtin, custom


def _check(hps: dict[str, Any], train: Dataset) -> None:
    objective = hps.get("objective", "reg:squarederror")
    multi = objective in ("multi:softmax", "multi:softprob")
    if multi and "num_class" not in hps:
        raise AlgorithmError(
            f"hyperparameter 'num_class': required with objective {objective!r} (the number of "
            f"classes, >= 2)"
        )
    if not multi and "num_class" in hps:
        raise AlgorithmError(
            f"hyperparameter 'num_class': only for the multi:softmax and multi:softprob "
            f"objectives, not {objective!r}"
        )
    metrics = list(hps.get("eval_metric", []))
    tuning = hps.get("_tuning_objective_metric")
    if tuning:
        metrics.append(tuning.split(":", 1)[1])
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        raise AlgorithmError(
            f"hyperparameter 'eval_metric': auc applies to binary classification and ranking "
            f"objectives (binary:*, rank:*), not {objective!r}"
        )
    y = train.y
    if objective in ("binary:logistic", "reg:logistic", "binary:logitraw", "binary:hinge"):
        bad = np.flatnonzero((y < 0) | (y > 1))
        if bad.size:
            raise AlgorithmError(
                f"channel 'train': row {bad[0] + 1}: label {float(y[bad[0]])!r} must be in "
                f"[0, 1] for objective {objective!r}"
            )
    if multi:
        k = int(hps["num_class"])
        bad = np.flatnonzero((y < 0) | (y >= k) | (y != np.floor(y)))
        if bad.size:
            raise AlgorithmError(
                f"channel 'train': row {bad[0] + 1}: label {float(y[bad[0]])!r} must be an "
                f"integer in [0, num_class={k})"
            )


def _dmatrix(ds: Dataset) -> Any:
    import xgboost as xgb

    return xgb.DMatrix(ds.X, label=ds.y, weight=ds.weights, missing=np.nan)


class _Stop:
    """SIGTERM: finish the current round, save the model, exit 0."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: Any) -> None:
        self.requested = True


def _log_callback(stop: _Stop) -> Any:
    import xgboost as xgb

    class LogMetrics(xgb.callback.TrainingCallback):
        """Logs ``[i]\\t<data>-<metric>:<value>...`` after every round."""

        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            parts = [f"[{epoch}]"]
            for data, metrics in evals_log.items():
                for name, values in metrics.items():
                    v = values[-1]
                    v = v[0] if isinstance(v, tuple) else v
                    parts.append(f"{data}-{name}:{float(v)!r}")
            if len(parts) > 1:
                emit("\t".join(parts))
            return stop.requested

    return LogMetrics()


def save_model(booster: Any, model_dir: Path) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(booster.save_raw("ubj")))
    tmp.replace(path)
    return path


def train(env: TrainingEnvironment) -> None:
    import xgboost as xgb

    hps = HYPERPARAMETERS.parse(env.hyperparameters, fill_defaults=False)
    train_path = env.channel("train")
    if train_path is None:
        raise AlgorithmError("channel 'train': required (the training data), not given")
    weights = hps.get("csv_weights") == 1
    tr = read_channel(
        train_path, "train", env.content_types.get("train"), allow_missing=True, weights=weights
    )
    _check(hps, tr)
    val_path = env.channel("validation")
    va = None
    if val_path is not None:
        va = read_channel(
            val_path,
            "validation",
            # the image reads every channel as the train channel's ContentType
            env.content_types.get("validation") or env.content_types.get("train"),
            allow_missing=True,
            weights=weights,
            n_features=tr.n_features,
        )
    for ch in sorted(set(env.channels) - {"train", "validation"}):
        emit(f"[amtune] channel {ch!r} is not used by XGBoost (train, validation)")
    params, _, custom = xgboost_params(hps)
    dtrain = _dmatrix(tr)
    evals = [(dtrain, "train")]
    if va is not None:
        evals.append((_dmatrix(va), "validation"))
    early = hps.get("early_stopping_rounds")
    if early is not None and va is None:
        raise AlgorithmError(
            "hyperparameter 'early_stopping_rounds': needs a validation channel to watch"
        )
    emit(
        f"[amtune] XGBoost {xgb.__version__}: train {tr.n_rows} rows x {tr.n_features} features"
        + (f", validation {va.n_rows} rows" if va is not None else "")
    )
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=int(hps["num_round"]),
        evals=evals,
        custom_metric=custom_metric(custom, str(params.get("objective", "reg:squarederror"))),
        early_stopping_rounds=early,
        verbose_eval=False,
        callbacks=[_log_callback(stop)],
    )
    path = save_model(booster, env.model_dir)
    emit(f"[amtune] model saved to {path}" + (" (stopped on request)" if stop.requested else ""))


def main() -> int:
    return run_algorithm(train)


if __name__ == "__main__":
    raise SystemExit(main())

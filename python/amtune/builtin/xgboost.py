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
``csv_weights=1`` reads column 2 as weights), libsvm, or Parquet (``application/x-parquet``: the
label in the first column, every column numeric; a directory's files are read as one table, as the
image's ``pyarrow.parquet.read_table`` does). The model is saved as ``xgboost-model``
(XGBoost's UBJSON format) in the model directory. On SIGTERM (a stop from early stopping,
Hyperband or ``amtune stop``) training ends after the current round and the model is saved.

The image version (``--image-version=<tag>`` in the command, which amtune adds for a job on a
``sagemaker-xgboost:<tag>`` or ``xgboost:1`` image; default ``1.7-1``) decides what differs
between images (:mod:`amtune.builtin.xgboost_spec`): the 0.72 ... 1.0-1 images accept ``silent``
(``silent=1`` is ``verbosity=0``), later ones refuse it; the legacy ``xgboost:1`` image reads no
Parquet. Early stopping (``early_stopping_rounds``, with a ``validation`` channel) is the
image's: from 1.3-1 on, ``xgboost.callback.EarlyStopping`` on ``validation-<metric>``, where the
metric is the tuning objective's, else the last ``eval_metric`` (none: no early stopping),
maximized for the image's maximized metrics (``accuracy``, ``auc``, ``f1``, ``map``, ``ndcg``,
...), and the saved model is the best iteration's; before 1.3-1, ``xgboost.train``'s
``early_stopping_rounds`` (the last metric of the validation set, XGBoost's direction, every
round kept).
"""

from __future__ import annotations

import functools
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.contract import AlgorithmError, TrainingEnvironment, emit, run_algorithm
from amtune.builtin.data import PARQUET, Dataset, media_type_of, read_channel
from amtune.builtin.xgb_metrics import custom_metric
from amtune.builtin.xgboost_spec import (
    CUSTOM_METRICS,
    NOT_PASSED,
    XGB_MAXIMIZE_METRICS,
    ImageVersion,
    image_version,
    split_image_option,
)

MODEL_FILE = "xgboost-model"


def xgboost_params(hps: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """``(params for xgboost.train, eval metrics XGBoost computes, metrics amtune computes)``
    from validated SageMaker hyperparameters."""
    params = {k: v for k, v in hps.items() if k not in NOT_PASSED}
    _silent_to_verbosity(params)
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


def _silent_to_verbosity(params: dict[str, Any]) -> None:
    """``silent`` (the 0.72 ... 1.0-1 images) as XGBoost 1.0 read it: ``1`` is silent mode
    (``verbosity=0``, whatever ``verbosity`` says), ``0`` leaves ``verbosity`` as it is. Current
    XGBoost has no ``silent``: it never reaches ``xgboost.train``."""
    if params.pop("silent", 0) == 1:
        params["verbosity"] = 0


def _image(tag: str | None) -> ImageVersion:
    """The image version of the command's ``--image-version`` (None: the default)."""
    try:
        return image_version(tag)
    except ValueError as exc:
        raise AlgorithmError(f"--image-version: {exc}") from None


def _check_content_type(image: ImageVersion, channel: str, declared: str | None) -> None:
    """The legacy image reads no Parquet: refuse a channel declared as Parquet, naming it."""
    if declared and not image.reads_parquet and media_type_of(declared) == PARQUET:
        raise AlgorithmError(
            f"channel {channel!r}: content type {declared!r} is not supported by the "
            f"{image.label} image (text/csv or text/libsvm); Parquet channels need a "
            f"sagemaker-xgboost image (0.90-1 or later)"
        )


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


def early_stopping_metric(hps: dict[str, Any]) -> str | None:
    """The metric early stopping watches on the 1.3-1 and later images: the tuning objective's
    metric name (``validation:auc`` -> ``auc``, whatever its data set), else the last
    ``eval_metric``; None when there is neither (then the image does not stop early)."""
    tuning = hps.get("_tuning_objective_metric")
    if tuning:
        return str(tuning).split(":", 1)[-1].split(",")[-1]
    metrics = list(hps.get("eval_metric", []))
    return str(metrics[-1]) if metrics else None


def _early_stopping(rounds: int, metric: str, hps: dict[str, Any]) -> Any:
    """The image's early stopping (1.3-1 on): ``validation-<metric>``, maximized when the image
    lists the metric as maximized, keeping the best iteration's model. ``gblinear`` cannot be
    cut to an iteration, so its model keeps every round (the image's job fails there)."""
    import xgboost as xgb

    maximize = metric in XGB_MAXIMIZE_METRICS
    emit(
        f"[amtune] early stopping: validation-{metric}, "
        f"{'maximized' if maximize else 'minimized'}, {rounds} rounds without improvement"
    )
    return xgb.callback.EarlyStopping(
        rounds=rounds,
        metric_name=metric,
        data_name="validation",
        maximize=maximize,
        save_best=hps.get("booster") != "gblinear",
    )


def save_model(booster: Any, model_dir: Path) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(booster.save_raw("ubj")))
    tmp.replace(path)
    return path


def _read(
    env: TrainingEnvironment,
    image: ImageVersion,
    channel: str,
    declared: str | None,
    weights: bool,
    n_features: int | None = None,
) -> Dataset | None:
    """A channel's records (None when the job has no such channel)."""
    path = env.channel(channel)
    if path is None:
        return None
    _check_content_type(image, channel, declared)
    return read_channel(
        path,
        channel,
        declared,
        allow_missing=True,
        weights=weights,
        n_features=n_features,
        parquet=image.reads_parquet,
    )


def train(env: TrainingEnvironment, image_tag: str | None = None) -> None:
    """Train on ``env``'s channels as the XGBoost image of version ``image_tag`` does (None: the
    default, 1.7-1)."""
    import xgboost as xgb

    image = _image(image_tag)
    hps = image.hyperparameters.parse(env.hyperparameters, fill_defaults=False)
    weights = hps.get("csv_weights") == 1
    declared = env.content_types.get("train")
    tr = _read(env, image, "train", declared, weights)
    if tr is None:
        raise AlgorithmError("channel 'train': required (the training data), not given")
    _check(hps, tr)
    # the image reads every channel as the train channel's ContentType
    val_type = env.content_types.get("validation") or declared
    va = _read(env, image, "validation", val_type, weights, tr.n_features)
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
        f"[amtune] XGBoost {xgb.__version__} as the {image.label} image: train {tr.n_rows} rows "
        f"x {tr.n_features} features" + (f", validation {va.n_rows} rows" if va is not None else "")
    )
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    callbacks = [_log_callback(stop)]
    if early is not None and image.early_stopping_callback:
        watch = early_stopping_metric(hps)
        if watch is None:
            emit(
                "[amtune] early_stopping_rounds: no eval_metric nor tuning objective to watch, "
                f"so no early stopping (as the {image.label} image)"
            )
        else:
            callbacks.append(_early_stopping(int(early), watch, hps))
        early = None
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=int(hps["num_round"]),
        evals=evals,
        custom_metric=custom_metric(custom, str(params.get("objective", "reg:squarederror"))),
        early_stopping_rounds=early,
        verbose_eval=False,
        callbacks=callbacks,
    )
    best = booster.attr("best_iteration")
    if best is not None and len(callbacks) > 1:
        emit(f"[amtune] early stopping: the model is the best iteration's, [{best}]")
    path = save_model(booster, env.model_dir)
    emit(f"[amtune] model saved to {path}" + (" (stopped on request)" if stop.requested else ""))


def main() -> int:
    """``python -m amtune.builtin.xgboost [--image-version=<tag>]``: the image version option is
    taken off the arguments before the training contract reads them (``--name value``
    hyperparameters when there is no ``hyperparameters.json`` nor ``SM_HPS``)."""
    tag, sys.argv[1:] = split_image_option(sys.argv[1:])
    return run_algorithm(functools.partial(train, image_tag=tag))


if __name__ == "__main__":
    raise SystemExit(main())

"""The built-in Linear Learner algorithm: ``python -m amtune.builtin.linear_learner``.

A linear model (:mod:`amtune.builtin.linear_model`) for ``binary_classifier``,
``multiclass_classifier`` or ``regressor`` (``predictor_type``), trained for ``epochs`` passes of
mini-batch optimization over the ``train`` channel (CSV, label first). Like SageMaker's Linear
Learner it logs, per epoch::

    #quality_metric: host=algo-1, epoch=3, train square_loss_objective <loss>=0.41
    #quality_metric: host=algo-1, epoch=3, validation square_loss_objective <loss>=0.44

stops early when the validation objective has not improved by ``early_stopping_tolerance``
(relative) for ``early_stopping_patience`` epochs (keeping the best epoch's model), picks the
binary decision threshold by ``binary_classifier_model_selection_criteria`` on the validation
channel (else the train channel), and logs the final model's metrics on the validation and test
channels (``#quality_metric: host=algo-1, test binary_classification_accuracy <score>=0.93``).

Where SageMaker's ``auto`` trains several models in parallel and keeps the best, amtune trains one:
``optimizer=auto`` is Adam, ``learning_rate=auto`` is 0.01 for Adam/RMSProp and 0.1 for SGD,
``wd``/``l1=auto`` are 0, ``momentum=auto`` is 0, ``positive_example_weight_mult=auto`` is 1.
Training is deterministic (rows are shuffled with a fixed seed). The model is saved as
``linear-learner-model.npz`` in the model directory.
"""

from __future__ import annotations

import json
import math
import signal
from pathlib import Path
from typing import Any

import numpy as np

from amtune.builtin.contract import AlgorithmError, TrainingEnvironment, emit, run_algorithm
from amtune.builtin.data import Dataset, read_channel
from amtune.builtin.linear_learner_spec import HYPERPARAMETERS
from amtune.builtin.linear_model import (
    OBJECTIVE_NAMES,
    Array,
    LinearModel,
    LossConfig,
    Optimizer,
    loss_and_grad,
)

MODEL_FILE = "linear-learner-model.npz"
_LOSSES = {
    "binary_classifier": ("logistic", "hinge_loss"),
    "multiclass_classifier": ("softmax_loss",),
    "regressor": (
        "squared_loss",
        "absolute_loss",
        "eps_insensitive_squared_loss",
        "eps_insensitive_absolute_loss",
        "quantile_loss",
        "huber_loss",
    ),
}
_AUTO_LOSS = {
    "binary_classifier": "logistic",
    "multiclass_classifier": "softmax_loss",
    "regressor": "squared_loss",
}


def _num(v: Any, auto: float) -> float:
    return auto if v == "auto" else float(v)


def _check_labels(ds: Dataset, channel: str, predictor: str, num_classes: int) -> None:
    y = ds.y
    if predictor == "binary_classifier":
        bad = np.flatnonzero((y != 0) & (y != 1))
        rule = "0 or 1 (binary_classifier)"
    elif predictor == "multiclass_classifier":
        bad = np.flatnonzero((y < 0) | (y >= num_classes) | (y != np.floor(y)))
        rule = f"an integer in [0, num_classes={num_classes}) (multiclass_classifier)"
    else:
        return
    if bad.size:
        raise AlgorithmError(
            f"channel {channel!r}: row {bad[0] + 1}: label {float(y[bad[0]])!r} must be {rule}"
        )


class _Trainer:
    def __init__(self, hp: dict[str, Any], n_features: int) -> None:
        self.hp = hp
        self.predictor = hp["predictor_type"]
        self.k = int(hp["num_classes"]) if self.predictor == "multiclass_classifier" else 1
        loss = hp["loss"] if hp["loss"] != "auto" else _AUTO_LOSS[self.predictor]
        if loss not in _LOSSES[self.predictor]:
            raise AlgorithmError(
                f"hyperparameter 'loss': {loss!r} does not apply to predictor_type "
                f"{self.predictor!r} (valid: auto, {', '.join(_LOSSES[self.predictor])})"
            )
        self.loss = LossConfig(
            loss,
            margin=float(hp["margin"]),
            eps=float(hp["loss_insensitivity"]),
            quantile=float(hp["quantile"]),
            delta=float(hp["huber_delta"]),
        )
        self.objective_name = OBJECTIVE_NAMES[loss] + "_objective"
        kind = "adam" if hp["optimizer"] == "auto" else hp["optimizer"]
        lr = _num(hp["learning_rate"], 0.1 if kind == "sgd" else 0.01)
        self.opt = Optimizer(
            kind,
            lr,
            momentum=_num(hp["momentum"], 0.0),
            beta_1=_num(hp["beta_1"], 0.9),
            beta_2=_num(hp["beta_2"], 0.999),
        )
        self.wd = _num(hp["wd"], 0.0)
        self.l1 = _num(hp["l1"], 0.0)
        self.bias_lr_mult = _num(hp["bias_lr_mult"], 1.0)
        self.bias_wd_mult = _num(hp["bias_wd_mult"], 0.0)
        self.use_bias = hp["use_bias"] == "true"
        self.n_features = n_features

    def init_model(self, tr: Dataset, rng: np.random.Generator) -> LinearModel:
        hp = self.hp
        X = tr.dense()
        n_scale = min(int(hp["num_point_for_scaler"]), X.shape[0])
        if hp["normalize_data"] == "true":
            mean = X[:n_scale].mean(axis=0)
            scale = X[:n_scale].std(axis=0)
            scale[scale == 0] = 1.0
        else:
            mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        shape = (X.shape[1], self.k)
        if hp["init_method"] == "normal":
            w = rng.normal(0.0, float(hp["init_sigma"]), size=shape)
        else:
            s = float(hp["init_scale"])
            w = rng.uniform(-s, s, size=shape)
        b = np.full(self.k, float(hp["init_bias"]))
        label_mean, label_scale = 0.0, 1.0
        norm_label = hp["normalize_label"]
        if norm_label == "true" and self.predictor != "regressor":
            raise AlgorithmError("hyperparameter 'normalize_label': true applies to regressor only")
        if self.predictor == "regressor" and norm_label in ("auto", "true"):
            label_mean = float(tr.y[:n_scale].mean())
            label_scale = float(tr.y[:n_scale].std()) or 1.0
        return LinearModel(w, b, mean, scale, label_mean, label_scale)

    def sample_weights(self, y: Array) -> Array:
        wt = np.ones_like(y)
        if self.predictor == "binary_classifier":
            mult = self.hp["positive_example_weight_mult"]
            if mult == "balanced":
                pos = float(np.sum(y == 1))
                m = (len(y) - pos) / pos if pos else 1.0
            else:
                m = _num(mult, 1.0)
            wt[y == 1] = m
        elif self.predictor == "multiclass_classifier" and (
            self.hp["balance_multiclass_weights"] == "true"
        ):
            counts = np.bincount(y.astype(np.int64), minlength=self.k).astype(np.float64)
            per = np.where(counts > 0, len(y) / (self.k * np.maximum(counts, 1)), 0.0)
            wt = per[y.astype(np.int64)]
        return wt

    def target(self, model: LinearModel, y: Array) -> Array:
        if self.predictor == "regressor":
            return (y - model.label_mean) / model.label_scale
        return y

    def objective(self, model: LinearModel, X: Array, y: Array) -> float:
        """The mean loss (unweighted, in the training units) of ``model`` on ``(X, y)``."""
        z = ((X - model.mean) / model.scale) @ model.w + model.b
        loss, _ = loss_and_grad(self.loss, z, self.target(model, y), np.ones_like(y))
        return loss

    def epoch(
        self, model: LinearModel, X: Array, y: Array, wt: Array, rng: np.random.Generator
    ) -> None:
        hp = self.hp
        bs = int(hp["mini_batch_size"])
        order = rng.permutation(X.shape[0])
        Xs = (X - model.mean) / model.scale
        t = self.target(model, y)
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            z = Xs[idx] @ model.w + model.b
            _, gz = loss_and_grad(self.loss, z, t[idx], wt[idx])
            gw = Xs[idx].T @ gz + self.wd * model.w
            self.opt.t += 1
            self.opt.step("w", model.w, gw)
            if self.use_bias:
                gb = gz.sum(axis=0) + self.wd * self.bias_wd_mult * model.b
                self.opt.step("b", model.b, gb, self.bias_lr_mult)
            if self.l1 > 0:  # proximal step for the L1 penalty
                thr = self.opt.lr * self.l1
                model.w[:] = np.sign(model.w) * np.maximum(np.abs(model.w) - thr, 0.0)
            self._schedule()

    def _schedule(self) -> None:
        hp = self.hp
        if hp["use_lr_scheduler"] != "true":
            return
        step = 100 if hp["lr_scheduler_step"] == "auto" else int(hp["lr_scheduler_step"])
        if self.opt.t % step == 0:
            factor = _num(hp["lr_scheduler_factor"], 0.99)
            floor = _num(hp["lr_scheduler_minimum_lr"], 1e-5)
            self.opt.lr = max(self.opt.lr * factor, min(floor, self.opt.lr))


def _scores(model: LinearModel, X: Array, predictor: str) -> Array:
    """Binary: P(y=1); multiclass: class probabilities; regressor: the prediction."""
    z = model.output(X)
    if predictor == "binary_classifier":
        return np.asarray(1.0 / (1.0 + np.exp(-z[:, 0])), dtype=np.float64)
    if predictor == "multiclass_classifier":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)
    return np.asarray(z[:, 0] * model.label_scale + model.label_mean, dtype=np.float64)


def choose_threshold(score: Array, y: Array, hp: dict[str, Any]) -> float:
    """The binary decision threshold by ``binary_classifier_model_selection_criteria``."""
    crit = hp["binary_classifier_model_selection_criteria"]
    if crit == "loss_function":
        return 0.5
    cands = np.unique(np.concatenate([score, [0.5]]))
    best_t, best = 0.5, -math.inf
    pos = max(float(np.sum(y == 1)), 1.0)
    for t in cands:
        pred = score >= t
        tp = float(np.sum(pred & (y == 1)))
        npred = max(float(np.sum(pred)), 1.0)
        prec, rec = tp / npred, tp / pos
        if crit == "accuracy":
            val = float(np.mean(pred == (y == 1)))
        elif crit == "f_beta":
            b2 = float(hp["f_beta"]) ** 2
            val = (1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec > 0 else 0.0
        elif crit == "precision_at_target_recall":
            val = prec if rec >= float(hp["target_recall"]) else -math.inf
        else:  # recall_at_target_precision
            val = rec if prec >= float(hp["target_precision"]) else -math.inf
        if val > best:
            best, best_t = val, float(t)
    return best_t


def final_metrics(
    model: LinearModel, ds: Dataset, hp: dict[str, Any], threshold: float
) -> list[tuple[str, str, float]]:
    """``(metric, kind, value)`` of the final model on a channel, named as Linear Learner logs."""
    from sklearn import metrics as skm

    predictor = hp["predictor_type"]
    X, y = ds.dense(), ds.y
    s = _scores(model, X, predictor)
    out: list[tuple[str, str, float]] = []
    if predictor == "binary_classifier":
        pred = (s >= threshold).astype(np.float64)
        beta = float(hp["f_beta"])
        out += [
            ("binary_classification_accuracy", "score", float(np.mean(pred == y))),
            (
                f"binary_f_{beta:.3f}",
                "score",
                float(skm.fbeta_score(y, pred, beta=beta, zero_division=0)),
            ),
            ("precision", "score", float(skm.precision_score(y, pred, zero_division=0))),
            ("recall", "score", float(skm.recall_score(y, pred, zero_division=0))),
        ]
        if len(np.unique(y)) == 2:
            out.append(("roc_auc_score", "score", float(skm.roc_auc_score(y, s))))
    elif predictor == "multiclass_classifier":
        pred = np.argmax(s, axis=1).astype(np.float64)
        k = int(hp["accuracy_top_k"])
        labels = np.arange(s.shape[1])
        beta = float(hp["f_beta"])
        out += [
            ("multiclass_accuracy", "score", float(np.mean(pred == y))),
            (
                f"multiclass_top_k_accuracy_{k}",
                "score",
                1.0
                if k >= s.shape[1]
                else float(skm.top_k_accuracy_score(y, s, k=k, labels=labels)),
            ),
            ("dcg", "score", _dcg(s, y)),
            (
                "macro_precision",
                "score",
                float(
                    skm.precision_score(y, pred, labels=labels, average="macro", zero_division=0)
                ),
            ),
            (
                "macro_recall",
                "score",
                float(skm.recall_score(y, pred, labels=labels, average="macro", zero_division=0)),
            ),
            (
                f"macro_f_{beta:.3f}",
                "score",
                float(
                    skm.fbeta_score(
                        y, pred, beta=beta, labels=labels, average="macro", zero_division=0
                    )
                ),
            ),
        ]
    else:
        r = s - y
        mse = float(np.mean(r**2))
        out += [
            ("mse", "loss", mse),
            ("rmse", "loss", math.sqrt(mse)),
            ("absolute_loss", "loss", float(np.mean(np.abs(r)))),
        ]
    return out


def _dcg(prob: Array, y: Array) -> float:
    """Mean discounted cumulative gain of the true class's rank: ``1 / log2(1 + rank)``."""
    order = np.argsort(-prob, axis=1)
    rank = np.argmax(order == y.astype(np.int64)[:, None], axis=1) + 1
    return float(np.mean(1.0 / np.log2(1.0 + rank)))


def train(env: TrainingEnvironment) -> None:
    hp = HYPERPARAMETERS.parse(env.hyperparameters)
    predictor = hp["predictor_type"]
    if predictor == "multiclass_classifier" and "num_classes" not in hp:
        raise AlgorithmError(
            "hyperparameter 'num_classes': required with predictor_type multiclass_classifier "
            "(an integer from 3 to 1000000)"
        )
    train_path = env.channel("train")
    if train_path is None:
        raise AlgorithmError("channel 'train': required (the training data), not given")
    kw: dict[str, Any] = {"libsvm": False}
    tr = read_channel(train_path, "train", env.content_types.get("train"), **kw)
    if hp["feature_dim"] != "auto" and int(hp["feature_dim"]) != tr.n_features:
        raise AlgorithmError(
            f"hyperparameter 'feature_dim': {hp['feature_dim']} does not match the "
            f"{tr.n_features} feature columns of the train channel"
        )
    num_classes = int(hp.get("num_classes", 2))
    _check_labels(tr, "train", predictor, num_classes)
    others: dict[str, Dataset] = {}
    for ch in ("validation", "test"):
        p = env.channel(ch)
        if p is not None:
            others[ch] = read_channel(
                p, ch, env.content_types.get(ch), n_features=tr.n_features, **kw
            )
            _check_labels(others[ch], ch, predictor, num_classes)
    trainer = _Trainer(hp, tr.n_features)
    rng = np.random.default_rng(0)
    model = trainer.init_model(tr, rng)
    X, y = tr.dense(), tr.y
    wt = trainer.sample_weights(y)
    va = others.get("validation")
    Xv = va.dense() if va is not None else None
    host = env.host
    epochs = int(hp["epochs"])
    patience = int(hp["early_stopping_patience"])
    tol = float(hp["early_stopping_tolerance"])
    best_loss, best_model, since = math.inf, None, 0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    emit(
        f"[amtune] Linear Learner ({predictor}, loss {trainer.loss.name}, optimizer "
        f"{trainer.opt.kind}, learning rate {trainer.opt.lr:g}): train {tr.n_rows} rows x "
        f"{tr.n_features} features"
    )
    for e in range(epochs):
        trainer.epoch(model, X, y, wt, rng)
        tl = trainer.objective(model, X, y)
        emit(
            f"#quality_metric: host={host}, epoch={e}, train {trainer.objective_name} <loss>={tl!r}"
        )
        watched = tl
        if va is not None and Xv is not None:
            vl = trainer.objective(model, Xv, va.y)
            emit(
                f"#quality_metric: host={host}, epoch={e}, validation {trainer.objective_name} "
                f"<loss>={vl!r}"
            )
            watched = vl
        emit(f"#progress_metric: host={host}, completed {100.0 * (e + 1) / epochs:g} % of epochs")
        if not math.isfinite(watched):
            raise AlgorithmError(
                f"training diverged at epoch {e} (objective {watched}); lower learning_rate"
            )
        if watched < best_loss * (1.0 - tol) or best_model is None:
            best_loss, since = watched, 0
            best_model = model.copy()
        else:
            since += 1
            if since >= patience:
                emit(f"[amtune] early stopping at epoch {e}: no improvement for {patience} epochs")
                break
        if stop[0]:
            emit("[amtune] stopped on request; saving the best model so far")
            break
    assert best_model is not None
    model = best_model
    threshold = 0.5
    if predictor == "binary_classifier":
        sel = va if va is not None else tr
        threshold = choose_threshold(_scores(model, sel.dense(), predictor), sel.y, hp)
    emit(
        f"#quality_metric: host={host}, train {trainer.objective_name} <loss>="
        f"{trainer.objective(model, X, y)!r}"
    )
    for ch, ds in others.items():
        emit(
            f"#quality_metric: host={host}, {ch} {trainer.objective_name} <loss>="
            f"{trainer.objective(model, ds.dense(), ds.y)!r}"
        )
        for name, kind, value in final_metrics(model, ds, hp, threshold):
            emit(f"#quality_metric: host={host}, {ch} {name} <{kind}>={value!r}")
    save(model, env.model_dir, hp, threshold)


def save(model: LinearModel, model_dir: Path, hp: dict[str, Any], threshold: float) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    meta = {
        "predictor_type": hp["predictor_type"],
        "threshold": threshold,
        "num_classes": int(hp.get("num_classes", 2)),
    }
    with open(path, "wb") as fh:
        np.savez(fh, meta=np.asarray(json.dumps(meta)), **model.to_arrays())
    emit(f"[amtune] model saved to {path}")
    return path


def main() -> int:
    return run_algorithm(train)


if __name__ == "__main__":
    raise SystemExit(main())

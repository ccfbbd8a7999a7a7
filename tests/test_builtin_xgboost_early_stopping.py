"""Early stopping of the built-in XGBoost algorithm, per image version, as
``aws/sagemaker-xgboost-container`` does it: from 1.3-1 on an ``EarlyStopping`` callback on
``validation-<metric>`` (the tuning objective's metric, else the last ``eval_metric``), maximized
for ``accuracy``, ``auc``, ``f1``, ... and keeping the best iteration's model; before 1.3-1,
``xgboost.train``'s ``early_stopping_rounds``."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builtin_helpers import logged_metrics, run_inprocess, write_csv

xgb = pytest.importorskip("xgboost")

from amtune.builtin import xgboost as algo  # noqa: E402
from amtune.builtin.xgboost_spec import XGB_MAXIMIZE_METRICS, image_version  # noqa: E402

ROUNDS = 5


@pytest.fixture(scope="module")
def channels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A noisy 4-class problem whose validation accuracy keeps rising for many rounds at a
    small ``eta``."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(900, 6))
    score = X[:, 0] + 0.7 * X[:, 1] * X[:, 2] + 0.5 * X[:, 3] + np.sin(2 * X[:, 4])
    score += rng.normal(scale=0.3, size=900)
    y = np.digitize(score, [-0.8, 0.0, 0.8]).astype(float)
    write_csv(root / "train" / "t.csv", X[:600], y[:600])
    write_csv(root / "validation" / "v.csv", X[600:], y[600:])
    return {"train": root / "train", "validation": root / "validation"}


HPS = {
    "num_round": "120",
    "objective": "multi:softmax",
    "num_class": "4",
    "eta": "0.2",
    "max_depth": "3",
    "eval_metric": "accuracy",
    "early_stopping_rounds": str(ROUNDS),
}


def _run(
    tmp_path: Path,
    channels: dict[str, Path],
    capfd: pytest.CaptureFixture[str],
    tag: str | None,
    **extra: str,
) -> tuple[dict[str, list[float]], Any, str]:
    rc = run_inprocess(
        functools.partial(algo.train, image_tag=tag), {**HPS, **extra}, channels, tmp_path / "job"
    )
    out = capfd.readouterr().out
    assert rc == 0, out
    booster = xgb.Booster()
    booster.load_model(bytearray((tmp_path / "job" / "model" / "xgboost-model").read_bytes()))
    return logged_metrics(out), booster, out


@pytest.mark.parametrize("tag", ["1.3-1", "1.5-1", "1.7-1", "3.0-5", None])
def test_accuracy_is_maximized_and_the_best_model_kept(
    tmp_path: Path, channels: dict[str, Path], capfd: pytest.CaptureFixture[str], tag: str | None
) -> None:
    got, booster, out = _run(tmp_path, channels, capfd, tag)
    acc = got["validation-accuracy"]
    assert len(acc) > 3 * (ROUNDS + 1)  # ran on while accuracy rose (it stopped at 6)
    best = int(np.argmax(acc))  # the first maximum, as EarlyStopping keeps it
    assert acc[best] > acc[0]
    assert len(acc) == best + ROUNDS + 1 or len(acc) == int(HPS["num_round"])
    assert booster.num_boosted_rounds() == best + 1  # the best iteration's model
    assert "validation-accuracy, maximized" in out


@pytest.mark.parametrize("tag", ["1", "1.0-1", "1.2-1", "1.2-2"])
def test_the_images_before_1_3_keep_xgboost_early_stopping_rounds(
    tmp_path: Path, channels: dict[str, Path], capfd: pytest.CaptureFixture[str], tag: str
) -> None:
    got, booster, _ = _run(tmp_path, channels, capfd, tag)
    # XGBoost minimizes the custom accuracy: it stops ROUNDS rounds after the first
    # round, keeping every round
    assert len(got["validation-accuracy"]) == ROUNDS + 1
    assert booster.num_boosted_rounds() == ROUNDS + 1


def test_the_tuning_objective_is_watched_before_the_last_eval_metric(
    tmp_path: Path, channels: dict[str, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    got, booster, out = _run(
        tmp_path,
        channels,
        capfd,
        "1.7-1",
        eval_metric="accuracy,mlogloss",
        _tuning_objective_metric="validation:accuracy",
    )
    assert "validation-accuracy, maximized" in out
    acc = got["validation-accuracy"]
    assert booster.num_boosted_rounds() == int(np.argmax(acc)) + 1


def test_the_last_eval_metric_is_minimized_when_not_maximized(
    tmp_path: Path, channels: dict[str, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    got, booster, out = _run(tmp_path, channels, capfd, "1.7-1", eval_metric="accuracy,merror")
    assert "validation-merror, minimized" in out
    err = got["validation-merror"]
    assert booster.num_boosted_rounds() == int(np.argmin(err)) + 1


def test_no_metric_to_watch_means_no_early_stopping(
    tmp_path: Path, channels: dict[str, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    hps = {k: v for k, v in HPS.items() if k != "eval_metric"}
    rc = run_inprocess(
        functools.partial(algo.train, image_tag="1.7-1"),
        {**hps, "num_round": "12"},
        channels,
        tmp_path / "job",
    )
    out = capfd.readouterr().out
    assert rc == 0, out
    assert "no early stopping" in out
    assert len(logged_metrics(out)["validation-mlogloss"]) == 12


def test_metric_choice_and_directions() -> None:
    assert algo.early_stopping_metric({"eval_metric": ["auc", "logloss"]}) == "logloss"
    assert (
        algo.early_stopping_metric(
            {"eval_metric": ["logloss"], "_tuning_objective_metric": "validation:auc"}
        )
        == "auc"
    )
    assert algo.early_stopping_metric({}) is None
    assert {"accuracy", "auc", "aucpr", "f1", "map", "ndcg", "r2"} <= XGB_MAXIMIZE_METRICS
    assert not {"rmse", "logloss", "error", "merror", "mse"} & XGB_MAXIMIZE_METRICS
    assert not image_version("1.2-2").early_stopping_callback
    assert image_version("1.3-1").early_stopping_callback

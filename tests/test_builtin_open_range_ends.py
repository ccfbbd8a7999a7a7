"""A built-in algorithm's continuous range may end on an open end of its hyperparameter's valid
values, as AWS's Hyperband notebook tunes XGBoost's ``colsample_bylevel`` over
``ContinuousParameter(0, 1)`` (valid values ``(0, 1]``): the range is accepted, and no proposal
is the excluded value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import amtune

pytest.importorskip("xgboost")

from amtune.builtin import BuiltinTuner, HyperparameterError
from amtune.builtin.range_checks import inside_open_ends
from amtune.builtin.xgboost_spec import HYPERPARAMETERS as XGBOOST_HYPERPARAMETERS

XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def test_an_end_on_an_open_bound_moves_inside_by_one_float_step():
    ranges = {
        "colsample_bylevel": amtune.ContinuousParameter(0.0, 1.0),  # (0, 1]
        "sketch_eps": amtune.ContinuousParameter(0.0, 1.0, "Linear"),  # (0, 1)
        "eta": amtune.ContinuousParameter(0.0, 1.0),  # [0, 1]: unchanged
        "alpha": amtune.ContinuousParameter(0.0, 2.0),  # [0, inf): unchanged
    }
    out = inside_open_ends(ranges, XGBOOST_HYPERPARAMETERS)
    # inside by a step 32-bit floats keep (the algorithms read float32: 5e-324 would be 0)
    c = out["colsample_bylevel"]
    assert c.min_value > 0 and np.float32(c.min_value) > 0 and c.max_value == 1
    assert c.scale == "Linear"  # Auto over [0, 1] is linear and stays linear (not 38 decades)
    e = out["sketch_eps"]
    assert 0 < np.float32(e.min_value) and np.float32(e.max_value) < 1
    assert e.scaling_type == "Linear"
    assert out["eta"] is ranges["eta"] and out["alpha"] is ranges["alpha"]


def test_a_tuner_of_the_xgboost_image_accepts_the_notebooks_ranges(tmp_path: Path):
    est = amtune.Estimator(
        image_uri=XGB_IMAGE,
        role="arn:aws:iam::111122223333:role/R",
        instance_count=1,
        instance_type="ml.m5.xlarge",
        hyperparameters={"objective": "binary:logistic", "num_round": 5},
        db=str(tmp_path / "amtune.db"),
        notices=False,
    )
    tuner = amtune.HyperparameterTuner(
        est,
        "validation:auc",
        {
            "colsample_bylevel": amtune.ContinuousParameter(0, 1),
            "colsample_bytree": amtune.ContinuousParameter(0, 1),
        },
        max_jobs=4,
        quiet=True,
    )
    for name in ("colsample_bylevel", "colsample_bytree"):
        assert np.float32(tuner.space.ranges[name].min_value) > 0
        assert tuner.space.ranges[name].scale == "Linear"
    # the proposals spread over the range as for [0, 1] (not piled at the bottom on a log scale)
    vals = np.array([c["colsample_bylevel"] for c in tuner.space.sample(200, seed=0)])
    assert 0.3 < np.median(vals) < 0.7 and (np.float32(vals) > 0).all()


def test_builtin_tuner_accepts_it_and_a_range_beyond_the_bound_is_still_refused(tmp_path: Path):
    kw = {
        "static_hyperparameters": {"objective": "binary:logistic", "num_round": 5},
        "channels": {"train": str(tmp_path)},
        "max_jobs": 2,
        "quiet": True,
        "db": str(tmp_path / "amtune.db"),
    }
    t = BuiltinTuner(
        "xgboost", "validation:auc", {"subsample": amtune.ContinuousParameter(0, 1)}, **kw
    )
    assert t.space.ranges["subsample"].min_value > 0
    with pytest.raises(HyperparameterError, match=r"subsample.*must be a number in \(0, 1\]"):
        BuiltinTuner(
            "xgboost", "validation:auc", {"subsample": amtune.ContinuousParameter(-0.1, 1)}, **kw
        )

"""Shared fixtures. Hypothesis runs a modest, deterministic profile so the suite stays fast."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import amtune

settings.register_profile(
    "amtune",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("amtune-long", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("AMTUNE_HYPOTHESIS_PROFILE", "amtune"))


@pytest.fixture
def mixed_space() -> amtune.SearchSpace:
    """One range of every kind and scale, plus a static hyperparameter."""
    return amtune.SearchSpace(
        {
            "lr": amtune.ContinuousParameter(1e-5, 1.0, "Logarithmic"),
            "momentum": amtune.ContinuousParameter(0.0, 0.999, "ReverseLogarithmic"),
            "dropout": amtune.ContinuousParameter(0.0, 0.5, "Linear"),
            "layers": amtune.IntegerParameter(1, 8, "Linear"),
            "batch": amtune.IntegerParameter(16, 4096, "Logarithmic"),
            "opt": amtune.CategoricalParameter(["adam", "sgd", 1, True]),
        },
        static={"epochs": 10},
    )


@pytest.fixture
def finite_space() -> amtune.SearchSpace:
    """Integer and categorical ranges only: 3 x 4 = 12 configurations."""
    return amtune.SearchSpace(
        {
            "depth": amtune.IntegerParameter(2, 4),
            "act": amtune.CategoricalParameter(["relu", "tanh", 1, "1"]),
        }
    )

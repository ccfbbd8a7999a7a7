"""Shared fixtures and helpers: search spaces, a SageMaker request factory, a tuner factory and a
SIGTERM-trapping training script. Hypothesis runs a modest, deterministic profile so the suite
stays fast."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# ====================================================================== shared helpers
def sagemaker_request(
    name: str | None = None,
    *,
    strategy: str = "Random",
    objective_type: str = "Minimize",
    metric: str = "loss",
    max_jobs: int | None = 2,
    max_parallel_jobs: int = 1,
    ranges: dict[str, Any] | None = None,
    static: dict[str, str] | None = None,
    command: list[str] | None = None,
    regex: str = "loss=(.*)",
    htc: dict[str, Any] | None = None,
    tjd: dict[str, Any] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A small CreateHyperParameterTuningJob request: one continuous range ``x`` in [0, 1], a
    training command and the objective's metric definition. ``htc``/``tjd`` add fields to
    ``HyperParameterTuningJobConfig``/``TrainingJobDefinition``, ``top`` to the request."""
    limits: dict[str, Any] = {"MaxParallelTrainingJobs": max_parallel_jobs}
    if max_jobs is not None:
        limits = {"MaxNumberOfTrainingJobs": max_jobs, **limits}
    doc: dict[str, Any] = {
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": objective_type, "MetricName": metric},
            "ResourceLimits": limits,
            "ParameterRanges": ranges
            or {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]},
            **(htc or {}),
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingCommand": command or ["python", "t.py"],
                "MetricDefinitions": [{"Name": metric, "Regex": regex}],
            },
            **({"StaticHyperParameters": static} if static else {}),
            **(tjd or {}),
        },
        **top,
    }
    if name is not None:
        doc = {"HyperParameterTuningJobName": name, **doc}
    return doc


@pytest.fixture(name="sagemaker_request")
def sagemaker_request_fixture() -> Callable[..., dict[str, Any]]:
    """The factory :func:`sagemaker_request`."""
    return sagemaker_request


@pytest.fixture
def make_tuner(tmp_path: Path) -> Callable[..., Any]:
    """``make_tuner(objective="loss", ranges=None, **kw)``: a quiet HyperparameterTuner on a store
    in ``tmp_path``, Random strategy, minimizing, thread runner, seed 0 unless ``kw`` says
    otherwise; ``ranges`` defaults to ``x`` in [0, 1]."""
    from amtune.tuning.tuner import HyperparameterTuner

    def make(objective: str = "loss", ranges: Any = None, **kw: Any) -> HyperparameterTuner:
        kw.setdefault("strategy", "Random")
        kw.setdefault("objective_type", "Minimize")
        kw.setdefault("random_seed", 0)
        kw.setdefault("runner", "thread")
        kw.setdefault("quiet", True)
        kw.setdefault("db", tmp_path / "amtune.db")
        if ranges is None:
            ranges = {"x": amtune.ContinuousParameter(0.0, 1.0)}
        return HyperparameterTuner(objective, ranges, **kw)

    return make


SIGTERM_SCRIPT = """\
import argparse, os, signal, sys, time
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
p.add_argument("--epochs", type=int, default={epochs})
a, _ = p.parse_known_args()
def on_term(signum, frame):
    open(os.path.join(os.environ["SM_MODEL_DIR"], "sigterm"), "w").close()
    if a.x > {ignore_at_or_below}:
        sys.exit(0)  # a clean exit on SIGTERM; the others ignore it and get SIGKILL
signal.signal(signal.SIGTERM, on_term)
for epoch in range(a.epochs):
    print(f"epoch {{epoch}} loss={{(1.2 - a.x) * 10 / (epoch + 1)}}", flush=True)
    time.sleep({sleep})
"""


@pytest.fixture
def sigterm_script(tmp_path: Path) -> Callable[..., Path]:
    """``sigterm_script(epochs=12, sleep=0.05, ignore_at_or_below=None)``: write a training
    script that prints ``epoch E loss=...`` once per epoch (``--epochs`` overrides ``epochs``),
    leaves a ``sigterm`` file in ``SM_MODEL_DIR`` when it gets SIGTERM and then exits cleanly,
    unless its ``--x`` is at or below ``ignore_at_or_below`` (it ignores SIGTERM and is killed
    after the grace period). Returns its path."""

    def write(
        epochs: int = 12, sleep: float = 0.05, ignore_at_or_below: float | None = None
    ) -> Path:
        path = tmp_path / "train.py"
        bound = "float('-inf')" if ignore_at_or_below is None else repr(ignore_at_or_below)
        path.write_text(SIGTERM_SCRIPT.format(epochs=epochs, sleep=sleep, ignore_at_or_below=bound))
        return path

    return write

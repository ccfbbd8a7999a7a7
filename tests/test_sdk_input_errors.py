"""SDK and integration arguments get one error naming the argument and the rule, not another
library's exception from deep inside (inputcheck2 F9)."""

from __future__ import annotations

from pathlib import Path

import pytest

import amtune
from amtune.errors import FieldError
from amtune.sagemaker.estimator import SKLearn
from amtune.serve.deployment import Predictor
from amtune.tuning.tuner import HyperparameterTuner

RANGES = {"x": amtune.ContinuousParameter(0.0, 1.0)}


def test_tuner_arguments_name_themselves(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with pytest.raises(FieldError, match=r"strategy_config: must be a dict of strategy options"):
        HyperparameterTuner("loss", RANGES, strategy_config="x", db=db)
    with pytest.raises(FieldError, match=r"channels\.train: must be a path, got None"):
        HyperparameterTuner("loss", RANGES, channels={"train": None}, db=db)
    with pytest.raises(FieldError, match=r"cluster: unknown protocol 'bogus'"):
        HyperparameterTuner("loss", RANGES, cluster="bogus://x", db=db)
    assert not db.exists()


def test_a_hyperparameter_that_json_cannot_write_is_named(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("pass\n")
    est = SKLearn(
        entry_point=str(tmp_path / "t.py"),
        hyperparameters={"a": object()},
        db=tmp_path / "a.db",
        notices=False,
    )
    with pytest.raises(TypeError, match=r"hyperparameters\['a'\]: must be JSON-serializable"):
        est.fit()


def test_a_predictor_checks_its_serializer_and_deserializer() -> None:
    with pytest.raises(TypeError, match=r"serializer: must be an object with a serialize\(\)"):
        Predictor("ep", "http://127.0.0.1:9", serializer="csv")
    with pytest.raises(TypeError, match=r"deserializer: must be an object with a deserialize\(\)"):
        Predictor("ep", "http://127.0.0.1:9", deserializer="json")


def test_the_optuna_sampler_checks_seed_and_deterministic_objective() -> None:
    optuna_mod = pytest.importorskip("amtune.integrations.optuna")
    with pytest.raises(ValueError, match=r"seed must be from 0 to 2\*\*32 - 1, got -1"):
        optuna_mod.AmtuneSampler(seed=-1)
    with pytest.raises(TypeError, match="deterministic_objective must be a bool"):
        optuna_mod.AmtuneSampler(deterministic_objective="yes")

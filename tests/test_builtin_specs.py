"""Image URIs, predefined metric definitions and hyperparameter tables of the built-in algorithms."""

from __future__ import annotations

import re

import pytest

import amtune
from amtune import image_uris
from amtune.builtin import (
    HyperparameterError,
    algorithm,
    algorithm_for_image,
    predefined_metric_definitions,
    recommended_ranges,
)


@pytest.mark.parametrize(
    ("uri", "algo", "version", "region"),
    [
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "xgboost",
            "1.7-1",
            "us-east-1",
        ),
        (
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3",
            "xgboost",
            "1.0-1",
            "us-west-2",
        ),
        (
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.5-1",
            "xgboost",
            "1.5-1",
            "cn-north-1",
        ),
        (
            "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest",
            "xgboost",
            "1",
            "us-east-1",
        ),
        (
            "644912444149.dkr.ecr.eu-west-2.amazonaws.com/linear-learner:1",
            "linear-learner",
            "1",
            "eu-west-2",
        ),
        ("382416733822.dkr.ecr.us-east-1.amazonaws.com/knn:1", "knn", "1", "us-east-1"),
        (
            "999999999999.dkr.ecr.xx-newregion-9.amazonaws.com/sagemaker-xgboost:9.9-9",
            "xgboost",
            "9.9-9",
            "xx-newregion-9",
        ),
        ("sagemaker-xgboost:1.7-1", "xgboost", "1.7-1", None),
    ],
)
def test_parse_recognises_real_images(
    uri: str, algo: str, version: str, region: str | None
) -> None:
    img = image_uris.parse(uri)
    assert (img.algorithm, img.version, img.region) == (algo, version, region)
    assert algorithm_for_image(uri) is algorithm(algo)


@pytest.mark.parametrize(
    "uri",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "",
        "not a uri",
    ],
)
def test_custom_images_are_not_builtin(uri: str) -> None:
    assert algorithm_for_image(uri) is None
    with pytest.raises(ValueError, match="not a SageMaker built-in algorithm image"):
        image_uris.parse(uri)
    assert predefined_metric_definitions(uri) == []


def test_retrieve_round_trips_and_matches_the_sdk_format() -> None:
    uri = amtune.image_uris.retrieve("xgboost", region=None, version="1.7-1")
    assert image_uris.parse(uri).algorithm == "xgboost"
    assert image_uris.retrieve("xgboost", "eu-west-1", "1.5-1") == (
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.5-1"
    )
    assert image_uris.retrieve("linear-learner", "us-west-2") == (
        "174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:1"
    )
    assert image_uris.retrieve("knn", "cn-north-1").endswith(".amazonaws.com.cn/knn:1")
    assert image_uris.retrieve("xgboost", "us-east-1", "1").endswith("/xgboost:1")
    for name in ("xgboost", "linear-learner", "knn"):
        assert algorithm_for_image(image_uris.retrieve(name)) is algorithm(name)


def test_retrieve_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert ".eu-west-1." in image_uris.retrieve("knn")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"framework": "lightgbm"}, "framework: amtune knows the images of huggingface, knn"),
        ({"framework": "xgboost", "version": "0.5"}, "version: XGBoost versions are"),
        ({"framework": "knn", "version": "2"}, "version: knn has version '1'"),
        ({"framework": "xgboost", "region": "mars-1"}, "region: no sagemaker-xgboost registry"),
    ],
)
def test_retrieve_errors(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        image_uris.retrieve(**kwargs)


def test_predefined_definitions_are_valid_and_named_as_documented() -> None:
    from amtune.metrics import validate_metric_definitions

    for name, documented in [
        (
            "xgboost",
            {
                "validation:auc",
                "validation:rmse",
                "validation:error",
                "validation:logloss",
                "validation:accuracy",
                "validation:f1",
                "validation:mae",
                "validation:map",
                "validation:merror",
                "validation:mlogloss",
                "validation:mse",
                "validation:ndcg",
                "train:rmse",
            },
        ),
        (
            "linear-learner",
            {
                "validation:objective_loss",
                "validation:binary_classification_accuracy",
                "test:objective_loss",
                "test:roc_auc_score",
                "validation:rmse",
                "test:multiclass_top_k_accuracy",
                "validation:binary_f_beta",
            },
        ),
        ("knn", {"test:accuracy", "test:mse"}),
    ]:
        defs = predefined_metric_definitions(name)
        assert validate_metric_definitions(defs) == defs
        assert documented <= {d["Name"] for d in defs}


def _matches(defs: list[dict[str, str]], line: str) -> dict[str, float]:
    out = {}
    for d in defs:
        m = re.search(d["Regex"], line)
        if m:
            out[d["Name"]] = float(m.group(1))
    return out


def test_xgboost_regexes_match_the_cloudwatch_rendering() -> None:
    defs = predefined_metric_definitions(image_uris.retrieve("xgboost"))
    raw = "[7]\ttrain-rmse:0.25\tvalidation-rmse:0.5e-1\tvalidation-auc:0.875"
    assert _matches(defs, raw) == {}  # SageMaker's regexes are written against "#011"
    got = _matches(defs, raw.replace("\t", "#011"))
    assert got == {"train:rmse": 0.25, "validation:rmse": 0.05, "validation:auc": 0.875}


def test_linear_learner_regexes_tell_epoch_and_final_lines_apart() -> None:
    defs = predefined_metric_definitions("linear-learner")
    epoch = (
        "#quality_metric: host=algo-1, epoch=3, validation "
        "binary_classification_cross_entropy_objective <loss>=0.41"
    )
    final = "#quality_metric: host=algo-1, validation binary_classification_accuracy <score>=0.93"
    f1 = "#quality_metric: host=algo-1, test binary_f_1.000 <score>=0.8"
    assert _matches(defs, epoch) == {"validation:objective_loss": 0.41}
    assert _matches(defs, final) == {"validation:binary_classification_accuracy": 0.93}
    assert _matches(defs, f1) == {"test:binary_f_beta": 0.8}


def test_objective_errors_list_what_the_algorithm_emits() -> None:
    with pytest.raises(
        ValueError,
        match=r"not emitted by the built-in k-NN algorithm; it emits: test:accuracy, test:mse",
    ):
        algorithm("knn").objective_direction("validation:accuracy")
    assert algorithm("linear-learner").objective_direction("test:mse") == "Minimize"


def test_recommended_ranges_are_sagemakers() -> None:
    r = recommended_ranges("xgboost")
    assert set(r) == {
        "alpha",
        "colsample_bylevel",
        "colsample_bynode",
        "colsample_bytree",
        "eta",
        "gamma",
        "lambda",
        "max_delta_step",
        "max_depth",
        "min_child_weight",
        "num_round",
        "subsample",
    }
    assert (r["num_round"].min_value, r["num_round"].max_value) == (1, 4000)
    assert isinstance(r["max_depth"], amtune.IntegerParameter)
    ll = recommended_ranges("linear-learner")
    assert (ll["wd"].min_value, ll["wd"].max_value) == (1e-7, 1.0)
    assert isinstance(ll["use_bias"], amtune.CategoricalParameter)
    k = recommended_ranges("knn")
    assert (k["k"].min_value, k["k"].max_value) == (1, 1024)
    with pytest.raises(ValueError, match="'objective' is not a tunable hyperparameter of XGBoost"):
        recommended_ranges("xgboost", ["objective"])


@pytest.mark.parametrize(
    ("algo", "hps", "match"),
    [
        (
            "xgboost",
            {"num_round": "10", "eta": "1.5"},
            r"hyperparameter 'eta': must be a number in \[0, 1\], got '1.5'",
        ),
        ("xgboost", {"eta": "0.1"}, "hyperparameter 'num_round': required by xgboost"),
        (
            "xgboost",
            {"num_round": "2.5"},
            r"hyperparameter 'num_round': must be an integer >= 1, got '2.5'",
        ),
        (
            "xgboost",
            {"num_round": "5", "subsample": "0"},
            r"'subsample': must be a number in \(0, 1\]",
        ),
        ("xgboost", {"num_round": "5", "objective": "reg:wrong"}, "'objective': must be one of"),
        (
            "xgboost",
            {"num_round": "5", "eval_metric": "auc,bogus"},
            "'eval_metric': must be a comma-separated list",
        ),
        ("xgboost", {"num_round": "5", "etaa": "0.1"}, "'etaa': not a hyperparameter of xgboost"),
        ("linear-learner", {}, "'predictor_type': required"),
        (
            "linear-learner",
            {"predictor_type": "regressor", "wd": "-1"},
            r"'wd': must be a number >= 0 or 'auto'",
        ),
        (
            "linear-learner",
            {"predictor_type": "regressor", "use_bias": "maybe"},
            "'use_bias': must be one of 'true', 'false'",
        ),
        (
            "knn",
            {"k": "3", "predictor_type": "classifier", "sample_size": "10"},
            "'feature_dim': required",
        ),
        (
            "knn",
            {"feature_dim": 2, "k": "0", "predictor_type": "classifier", "sample_size": "10"},
            "'k': must be an integer >= 1",
        ),
    ],
)
def test_hyperparameter_errors_name_the_rule(algo: str, hps: dict[str, str], match: str) -> None:
    with pytest.raises(HyperparameterError, match=match):
        algorithm(algo).hyperparameters.parse(hps)


def test_hyperparameters_accept_strings_numbers_and_booleans() -> None:
    hp = algorithm("linear-learner").hyperparameters.parse(
        {
            "predictor_type": "binary_classifier",
            "use_bias": False,
            "wd": "auto",
            "epochs": 3.0,
            "positive_example_weight_mult": "balanced",
            "learning_rate": 0.01,
        }
    )
    assert hp["use_bias"] == "false" and hp["wd"] == "auto" and hp["epochs"] == 3
    assert hp["positive_example_weight_mult"] == "balanced" and hp["learning_rate"] == 0.01
    assert hp["mini_batch_size"] == 1000  # documented default filled
    xgb = algorithm("xgboost").hyperparameters.parse(
        {
            "num_round": "10",
            "eval_metric": "auc,error@0.7",
            "sagemaker_region": "us-east-1",
            "_kfold": "5",
        },
        fill_defaults=False,
    )
    assert xgb == {"num_round": 10, "eval_metric": ["auc", "error@0.7"]}

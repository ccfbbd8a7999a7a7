"""SageMaker SDK names a notebook reaches through ``import sagemaker`` that live in submodules or
in the SDK's v1 spelling: ``get_execution_role``, ``sagemaker.estimator`` / ``.inputs`` /
``.tuner`` / ``.utils``, ``train_instance_count`` and the like, ``tuner._current_job_name``."""

from __future__ import annotations

import importlib
import re
import warnings

import pytest

import amtune
import amtune as sagemaker  # a notebook's `import sagemaker`, with the import changed


def test_get_execution_role_is_a_placeholder_role():
    role = sagemaker.get_execution_role()
    assert role.startswith("arn:aws:iam::") and ":role/" in role
    from amtune.session import get_execution_role

    assert get_execution_role(sagemaker_session=None, use_default=True) == role


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("estimator", "Estimator"),
        ("inputs", "TrainingInput"),
        ("tuner", "HyperparameterTuner"),
        ("tuner", "IntegerParameter"),
        ("tuner", "WarmStartTypes"),
        ("utils", "name_from_base"),
        ("session", "production_variant"),
        ("model", "Model"),
        ("predictor", "Predictor"),
        ("transformer", "Transformer"),
        ("serializers", "CSVSerializer"),
        ("deserializers", "JSONDeserializer"),
        ("analytics", "TrainingJobAnalytics"),
        ("analytics", "HyperparameterTuningJobAnalytics"),
        ("sklearn", "SKLearn"),
        ("sklearn.estimator", "SKLearn"),
        ("sklearn.model", "SKLearnModel"),
        ("sklearn.model", "SKLearnPredictor"),
        ("pytorch", "PyTorch"),
        ("pytorch.estimator", "PyTorch"),
        ("pytorch.model", "PyTorchModel"),
        ("pytorch.model", "PyTorchPredictor"),
        ("xgboost", "XGBoost"),
        ("xgboost.estimator", "XGBoost"),
        ("xgboost.model", "XGBoostModel"),
        ("xgboost.model", "XGBoostPredictor"),
        ("tensorflow", "TensorFlow"),
        ("tensorflow.estimator", "TensorFlow"),
        ("tensorflow.model", "TensorFlowPredictor"),
        ("huggingface", "HuggingFace"),
        ("huggingface.model", "HuggingFacePredictor"),
        ("s3", "S3Uploader"),
        ("s3", "S3Downloader"),
    ],
)
def test_sdk_submodules_are_reachable_both_ways(module, name):
    # `sagemaker.inputs.TrainingInput` after `import sagemaker`, and `from sagemaker.tuner import`
    parent = sagemaker
    for part in module.split("."):
        if not hasattr(parent, part):  # a package's submodule: imported as the SDK's are
            importlib.import_module(f"{parent.__name__}.{part}")
        parent = getattr(parent, part)
    attr = getattr(parent, name)
    assert getattr(importlib.import_module(f"amtune.{module}"), name) is attr
    # the SDK's class of that name, wherever amtune defines it
    assert attr.__name__ == name


def test_the_sdk_packages_do_not_shadow_their_libraries():
    """``amtune.xgboost`` and ``amtune.sklearn`` hold the SDK's names; the libraries stay the
    libraries, and ``AmtuneSearchCV`` stays in ``amtune.sklearn``."""
    xgboost = pytest.importorskip("xgboost")
    pytest.importorskip("sklearn")
    from amtune.sklearn import AmtuneSearchCV

    assert hasattr(xgboost, "DMatrix")
    assert AmtuneSearchCV.__module__ == "amtune.sklearn.search_cv"
    with pytest.raises(AttributeError, match=r"amtune\.sklearn"):
        _ = amtune.sklearn.GridSearchCV  # not re-exported


def test_the_sdk_v1_argument_names_are_read_with_a_warning():
    with pytest.warns(DeprecationWarning, match="is the SageMaker SDK v1 name of") as seen:
        est = amtune.Estimator(
            command=["true"],
            train_instance_count=1,
            train_instance_type="local",
            train_max_run=60,
            notices=False,
        )
    assert est.instance_type == "local" and est.instance_count == 1 and est.max_run == 60
    assert len(seen) == 3 and "'train_instance_type'" in str(seen[1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="train_instance_typo"):
            amtune.Estimator(command=["true"], train_instance_typo=1, notices=False)


def test_tuner_current_job_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tuner = amtune.HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        strategy="Random",
        max_jobs=1,
        runner="thread",
        quiet=True,
    )
    assert tuner._current_job_name is None
    tuner.fit(lambda hp, reporter: hp["x"], job_name="cur-name")
    assert tuner._current_job_name == "cur-name"


def test_a_missing_tensorflow_inference_script_says_why(tmp_path):
    from amtune.serve.inference_code import find_inference_code

    desc = {"HyperParameters": {"sagemaker_program": '"train.py"'}}
    code = find_inference_code(
        desc, {"amtune": {"source_dir": str(tmp_path)}}, tmp_path / "m", "TensorFlow"
    )
    assert not code.found
    msg = code.missing("tf-job")
    assert "TensorFlow model is served by its framework's own model server" in msg
    assert len(code.looked) == len(set(code.looked))  # each directory once


def test_a_tuning_job_is_named_after_its_estimators_jobs(tmp_path, monkeypatch):
    # the SDK: base_tuning_job_name defaults to the estimator's base_job_name, else its image
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text("print('loss: 0.5')\n")
    md = [{"Name": "loss", "Regex": "loss: ([0-9.]+)"}]
    ranges = {"x": amtune.ContinuousParameter(0.0, 1.0)}
    tf = amtune.TensorFlow(entry_point="train.py", metric_definitions=md, notices=False)
    named = amtune.SKLearn(
        entry_point="train.py", metric_definitions=md, base_job_name="my-rf", notices=False
    )
    plain = amtune.HyperparameterTuner("loss", ranges, objective_type="Minimize", max_jobs=1)
    for est, prefix in ((tf, "tensorflow-tr"), (named, "my-rf-"), (None, "amtune-")):
        tuner = (
            plain
            if est is None
            else amtune.HyperparameterTuner(est, "loss", ranges, objective_type="Minimize")
        )
        name = tuner._default_name()
        assert name.startswith(prefix) and len(name) <= 32 and "--" not in name, name
    # a long base name is cut so that the name stays within SageMaker's 32 characters (it was 33)
    long = amtune.HyperparameterTuner(
        "loss", ranges, objective_type="Minimize", base_tuning_job_name="a" * 40
    )
    assert len(long._default_name()) == 32
    # the SDK's name_from_base(base, 32, short=True): 20 characters of the base and the minute
    # (notebook sweep 13: three tuning jobs "custom-automl-rf/-gb/-en" became indistinguishable)
    rf = amtune.HyperparameterTuner(
        "loss", ranges, objective_type="Minimize", base_tuning_job_name="custom-automl-rf",
        db=tmp_path / "a.db",
    )  # fmt: skip
    name = rf._default_name()
    assert re.fullmatch(r"custom-automl-rf-\d{6}-\d{4}", name), name
    # taken (a second tuning job of that base in the same minute): still unique, within 32
    rf.store.create_tuning_job(name, {}, 0.0)
    other = rf._default_name()
    assert other != name and other.startswith("custom-automl") and len(other) <= 32


def test_s3_helpers_work_on_local_paths(tmp_path):
    """``sagemaker.s3``'s S3Uploader / S3Downloader on the local paths a notebook's S3 URIs
    became (as uploaded, listed by prefix, downloaded and read back)."""
    from amtune.s3 import S3Downloader, S3Uploader, s3_path_join

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.csv").write_text("1,2\n")
    (tmp_path / "src" / "sub").mkdir()
    (tmp_path / "src" / "sub" / "b.csv").write_text("3,4\n")
    bucket = tmp_path / "bucket"
    up = S3Uploader.upload(str(tmp_path / "src" / "train.csv"), s3_path_join(str(bucket), "data"))
    assert up == str(bucket / "data" / "train.csv")
    assert S3Uploader.upload(str(tmp_path / "src"), str(bucket / "all")) == str(bucket / "all")
    assert S3Downloader.list(str(bucket / "all")) == [
        str(bucket / "all" / "sub" / "b.csv"), str(bucket / "all" / "train.csv"),
    ]  # fmt: skip
    assert S3Downloader.list(str(bucket / "al")) == S3Downloader.list(str(bucket / "all"))
    got = S3Downloader.download(str(bucket / "all"), str(tmp_path / "down"))
    assert sorted(got) == [
        str(tmp_path / "down" / "sub" / "b.csv"),
        str(tmp_path / "down" / "train.csv"),
    ]
    body = S3Uploader.upload_string_as_file_body("x", f"file://{bucket}/notes/n.txt")
    assert S3Downloader.read_file(body) == "x" and S3Downloader.read_bytes(body) == b"x"
    with pytest.raises(ValueError, match="desired_s3_uri: S3 is not available locally"):
        S3Uploader.upload(str(tmp_path / "src" / "train.csv"), "s3://bucket/data")
    with pytest.raises(ValueError, match="no such file"):
        S3Downloader.download(str(bucket / "none"), str(tmp_path / "x"))


def test_tuner_config_classes_have_the_sdks_names_and_methods():
    """``sagemaker.tuner``'s configuration classes with ``to_input_req`` / ``from_job_desc``
    (notebook sweep 13: a notebook imports TuningJobCompletionCriteriaConfig from the tuner)."""
    from amtune.tuner import (
        HyperbandStrategyConfig,
        InstanceConfig,
        StrategyConfig,
        TuningJobCompletionCriteriaConfig,
    )

    cc = TuningJobCompletionCriteriaConfig(
        max_number_of_training_jobs_not_improving=5, target_objective_metric_value=0.9
    )
    req = cc.to_input_req()
    assert req == {
        "TargetObjectiveMetricValue": 0.9,
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
    }
    assert TuningJobCompletionCriteriaConfig.from_job_desc(req) == cc
    hb = HyperbandStrategyConfig(max_resource=30, min_resource=3)
    assert hb.to_input_req() == {"MinResource": 3, "MaxResource": 30}
    assert HyperbandStrategyConfig.from_job_desc(hb.to_input_req()) == hb
    assert StrategyConfig(hb).to_input_req() == {"HyperbandStrategyConfig": hb.to_input_req()}
    with pytest.raises(ValueError, match=r"HyperbandStrategyConfig\.MinResource: is required"):
        HyperbandStrategyConfig.from_job_desc({"MaxResource": 30})
    ic = InstanceConfig(instance_count=1, instance_type="ml.m5.xlarge")
    assert InstanceConfig.from_job_desc(ic.to_input_req()) == ic
    # the rest of what the SDK's tuner module exposes
    from amtune.tuner import ContinuousParameter, HyperparameterTuningJobAnalytics, ParameterRange

    assert isinstance(ContinuousParameter(0.0, 1.0), ParameterRange)
    assert HyperparameterTuningJobAnalytics.__module__ == "amtune.sagemaker.analytics"


def test_multi_algorithm_tuning_says_it_is_not_run():
    from amtune.tuner import HyperparameterTuner

    with pytest.raises(NotImplementedError, match=r"multi-algorithm tuning jobs .* not run"):
        HyperparameterTuner.create(estimator_dict={}, objective_metric_name_dict={})

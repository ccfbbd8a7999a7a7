"""The SageMaker SDK's tuner API: ``latest_tuning_job`` as a job object, ``StrategyConfig``,
``WarmStartTypes`` (also the SDK's own enum), ``hyperparameter_ranges()``, ``best_estimator()``,
the warm-start tuner helpers, ``attach(...).estimator`` and ``Estimator.attach``."""

from __future__ import annotations

import enum
import json
import pickle

import pytest

import amtune
from amtune import HyperparameterTuner


def quad(hp, reporter):
    reporter.report("loss", (hp["x"] - 0.3) ** 2)


def tuner(name="t", max_jobs=3, **kw):
    kw.setdefault("strategy", "Random")
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        max_jobs=max_jobs,
        runner="thread",
        quiet=True,
        **kw,
    )
    return t


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ====================================================================== latest_tuning_job
def test_latest_tuning_job_is_the_name_with_the_sdk_job_api(in_tmp):
    t = tuner()
    t.fit(quad, job_name="job-api", wait=False)
    job = t.latest_tuning_job
    job.wait()
    assert job == "job-api" and isinstance(job, str) and f"{job}" == "job-api"
    assert job.name == "job-api" and job.job_name == "job-api"
    assert job.describe()["HyperParameterTuningJobStatus"] == "Completed"
    assert json.dumps({"j": job}) == '{"j": "job-api"}'
    assert pickle.loads(pickle.dumps(job)) == "job-api"
    job.stop()  # an ended job: nothing to do
    attached = HyperparameterTuner.attach("job-api")
    assert attached.latest_tuning_job.name == "job-api"
    assert attached.latest_tuning_job.describe()["HyperParameterTuningJobName"] == "job-api"


def test_stop_through_latest_tuning_job(in_tmp):
    import threading

    release = threading.Event()

    def slow(hp, reporter):
        release.wait(5)
        reporter.report("loss", hp["x"])

    t = tuner(max_jobs=4)
    t.fit(slow, job_name="job-stop", wait=False)
    t.latest_tuning_job.stop()
    release.set()
    t.wait()
    assert t.latest_tuning_job.describe()["HyperParameterTuningJobStatus"] == "Stopped"


def test_a_stop_between_polls_is_not_lost(in_tmp, monkeypatch):
    # the driver reads the store's stop flag every POLL seconds; a stop() whose jobs all end
    # before the next poll must still end the tuning job Stopped, with no job started after it
    import threading

    from amtune.tuning import driver

    monkeypatch.setattr(driver, "POLL", 60.0)
    started, release = threading.Event(), threading.Event()

    def slow(hp, reporter):
        started.set()
        release.wait(5)
        reporter.report("loss", hp["x"])

    t = tuner(max_jobs=6, max_parallel_jobs=2)
    t.fit(slow, job_name="job-stop-poll", wait=False)
    assert started.wait(5)
    t.stop()
    release.set()
    t.wait()
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert sum(d["TrainingJobStatusCounters"].values()) == 2


# ====================================================================== config names
def test_strategy_config_is_exported_and_accepted(in_tmp):
    sc = amtune.StrategyConfig(
        hyperband_strategy_config=amtune.HyperbandStrategyConfig(max_resource=9, min_resource=1)
    )
    assert sc.to_input_req() == {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}}
    assert amtune.StrategyConfig.from_job_desc(sc.to_input_req()) == sc
    t = tuner(strategy="Hyperband", strategy_config=sc)
    assert t.strategy_config == {"min_resource": 1, "max_resource": 9}
    with pytest.raises(ValueError, match=r"strategy_config.*Hyperband"):
        tuner(strategy="Random", strategy_config=sc)
    with pytest.raises(TypeError, match="hyperband_strategy_config"):
        amtune.StrategyConfig(hyperband_strategy_config=5)


class SdkWarmStartTypes(enum.Enum):
    """The SageMaker SDK's own enum: another class with the same values."""

    IDENTICAL_DATA_AND_ALGORITHM = "IdenticalDataAndAlgorithm"
    TRANSFER_LEARNING = "TransferLearning"


@pytest.mark.parametrize(
    "kind",
    [
        amtune.WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM,
        SdkWarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM,
        "IdenticalDataAndAlgorithm",
    ],
)
def test_warm_start_types_enum_sdk_enum_and_string(in_tmp, kind):
    tuner(max_jobs=2, random_seed=0).fit(quad, job_name="parent")
    ws = amtune.WarmStartConfig(kind, parents={"parent"})
    assert ws.type is amtune.WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
    assert ws.warm_start_type == "IdenticalDataAndAlgorithm"
    assert ws.to_input_req() == {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    child = tuner(max_jobs=2, random_seed=1, warm_start_config=ws)
    child.fit(quad, job_name="child")
    d = child.describe()
    assert d["WarmStartConfig"]["WarmStartType"] == "IdenticalDataAndAlgorithm"
    assert "OverallBestTrainingJob" in d
    back = amtune.WarmStartConfig.from_job_desc(d["WarmStartConfig"])
    assert back.type is amtune.WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
    assert list(back.parents) == ["parent"]
    assert amtune.WarmStartConfig.from_job_desc(None) is None


def test_warm_start_type_errors_name_the_field(in_tmp):
    assert [m.value for m in amtune.WarmStartTypes] == [
        "IdenticalDataAndAlgorithm",
        "TransferLearning",
    ]
    with pytest.raises(ValueError, match=r"warm_start_config\.warm_start_type: must be one of"):
        tuner(warm_start_config=amtune.WarmStartConfig("Identical", ["p"]))
    with pytest.raises(ValueError, match=r"warm_start_config\.warm_start_type"):
        amtune.WarmStartConfig("Identical", ["p"]).type  # noqa: B018
    with pytest.raises(TypeError, match=r"warm_start_config\.parents"):
        tuner(warm_start_config=amtune.WarmStartConfig("TransferLearning", "parent"))


def test_an_sdk_shaped_warm_start_config_object_is_accepted(in_tmp):
    class SdkWarmStartConfig:  # the SDK's WarmStartConfig: attributes type and parents
        def __init__(self, warm_start_type, parents):
            self.type, self.parents = warm_start_type, set(parents)

    t = tuner(warm_start_config=SdkWarmStartConfig(SdkWarmStartTypes.TRANSFER_LEARNING, {"p"}))
    assert t.warm_start_config.type is amtune.WarmStartTypes.TRANSFER_LEARNING


# ====================================================================== tuner helpers
SCRIPT = """import argparse, json, os
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--opt", type=str)
p.add_argument("--depth", type=int, default=3)
a = p.parse_args()
os.makedirs(os.environ["SM_MODEL_DIR"], exist_ok=True)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
    json.dump(vars(a), f)
print(f"loss: {(a.lr - 0.3) ** 2 + (a.opt == 'sgd') + a.depth / 100}")
"""
METRICS = [{"Name": "loss", "Regex": r"loss: (\S+)"}]


def sklearn(tmp, **kw):
    (tmp / "train.py").write_text(SCRIPT)
    return amtune.SKLearn(
        "train.py",
        source_dir=str(tmp),
        hyperparameters={"depth": 4, "lr": 0.1},
        metric_definitions=METRICS,
        notices=False,
        **kw,
    )


def sklearn_tuner(est, max_jobs=3):
    return HyperparameterTuner(
        est,
        "loss",
        {
            "lr": amtune.ContinuousParameter(0.0, 1.0),
            "opt": amtune.CategoricalParameter(["adam", "sgd"]),
        },
        objective_type="Minimize",
        strategy="Random",
        max_jobs=max_jobs,
        max_parallel_jobs=3,
        random_seed=5,
        quiet=True,
    )


def test_hyperparameter_ranges_in_the_sdk_form(in_tmp):
    t = HyperparameterTuner(
        "loss",
        {
            "x": amtune.ContinuousParameter(0.1, 1.0, "Logarithmic"),
            "n": amtune.IntegerParameter(1, 5),
            "c": amtune.CategoricalParameter(["a", 2]),
        },
    )
    assert t.hyperparameter_ranges() == {
        "ContinuousParameterRanges": [
            {"Name": "x", "MinValue": "0.1", "MaxValue": "1.0", "ScalingType": "Logarithmic"}
        ],
        "IntegerParameterRanges": [
            {"Name": "n", "MinValue": "1", "MaxValue": "5", "ScalingType": "Auto"}
        ],
        "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "2"]}],
    }
    # a framework estimator's categorical values go JSON-encoded, as the SDK sends them
    ranges = sklearn_tuner(sklearn(in_tmp)).hyperparameter_ranges()
    assert ranges["CategoricalParameterRanges"] == [{"Name": "opt", "Values": ['"adam"', '"sgd"']}]


def test_best_estimator_is_attached_to_the_best_training_job(in_tmp):
    est = sklearn(in_tmp)
    t = sklearn_tuner(est)
    t.fit(job_name="best-est")
    best = t.best_training_job()
    b = t.best_estimator()
    assert type(b) is amtune.SKLearn
    assert b.latest_training_job.name == best and b.latest_training_job.job_name == best
    desc = t.describe()["BestTrainingJob"]["TunedHyperParameters"]
    hps = b.hyperparameters()
    assert json.loads(hps["lr"]) == float(desc["lr"]) and json.loads(hps["opt"]) == desc["opt"]
    assert json.loads(hps["depth"]) == 4  # the static one
    assert b.entry_point == "train.py" and b.source_dir == str(in_tmp)
    assert b.metric_definitions == METRICS
    assert b.model_data == b.describe()["ModelArtifacts"]["S3ModelArtifacts"]
    with open(f"{b.model_data}/model.json") as f:
        assert json.load(f)["opt"] == desc["opt"]
    b.latest_training_job.wait()  # ended: returns
    assert b.latest_training_job.describe()["TrainingJobName"] == best
    # an explicit best training job (the SDK's dict form)
    assert t.best_estimator({"TrainingJobName": best}).latest_training_job.name == best


def test_best_estimator_needs_an_estimator_and_a_best_job(in_tmp):
    t = tuner()
    t.fit(quad, job_name="fn")
    with pytest.raises(ValueError, match="trains a Python function"):
        t.best_estimator()
    none = tuner(max_jobs=1)
    with pytest.raises(amtune.UnexpectedStatusException):  # no objective: the job Failed
        none.fit(lambda hp, reporter: reporter.report("other", 1.0), job_name="no-best")
    with pytest.raises(ValueError, match="no best training job"):
        none.best_estimator()


def test_attach_rebuilds_the_estimator(in_tmp, capsys):
    est = sklearn(in_tmp, max_run=600, environment={"A": "1"})
    sklearn_tuner(est, max_jobs=1).fit(job_name="attach-est")
    attached = HyperparameterTuner.attach("attach-est")
    e = attached.estimator
    assert type(e) is amtune.SKLearn
    assert e.entry_point == "train.py" and e.source_dir == str(in_tmp)
    assert e.hyperparameters() == {"depth": "4"}  # the static ones (lr is tuned)
    assert e.metric_definitions == METRICS and e.max_run == 600 and e.environment == {"A": "1"}
    assert attached.describe()["HyperParameterTuningJobName"] == "attach-est"
    assert attached.best_estimator().latest_training_job.name == attached.best_training_job()
    # a training function has no estimator; a definition whose script is gone says so
    tuner().fit(quad, job_name="attach-fn")
    assert HyperparameterTuner.attach("attach-fn").estimator is None
    (in_tmp / "train.py").unlink()
    gone = HyperparameterTuner.attach("attach-est")
    assert gone.estimator is None and gone.describe()["HyperParameterTuningJobStatus"]
    assert "cannot be rebuilt" in capsys.readouterr().err


def test_estimator_attach_to_a_training_job_run_by_fit(in_tmp):
    est = sklearn(in_tmp)
    est.set_hyperparameters(opt="adam")
    est.fit(logs=False)
    name = est.latest_training_job.name
    back = amtune.SKLearn.attach(name)
    assert back.hyperparameters() == est.hyperparameters()
    assert back.model_data == est.model_data and back.latest_training_job.name == name


def test_warm_start_tuners_copy_the_tuner_and_add_the_parents(in_tmp):
    parent = tuner(max_jobs=2, max_parallel_jobs=2, early_stopping_type="Off")
    parent.fit(quad, job_name="ws-parent")
    tuner(max_jobs=2).fit(quad, job_name="ws-other")
    tl = parent.transfer_learning_tuner(additional_parents={"ws-other"})
    assert tl.warm_start_config.type is amtune.WarmStartTypes.TRANSFER_LEARNING
    assert set(tl.warm_start_config.parents) == {"ws-parent", "ws-other"}
    assert tl.objective_metric_name == "loss" and tl.objective_type == "Minimize"
    assert tl.max_jobs == 2 and tl.max_parallel_jobs == 2 and tl.strategy == "Random"
    assert tl.space.ranges == parent.space.ranges
    assert tl.random_seed is None  # the parent's drawn seed is not reused
    same = parent.identical_dataset_and_algorithm_tuner()
    assert same.warm_start_config.type is amtune.WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
    assert set(same.warm_start_config.parents) == {"ws-parent"}
    same.fit(quad, job_name="ws-child")
    assert "OverallBestTrainingJob" in same.describe()
    with pytest.raises(TypeError, match="additional_parents"):
        parent.transfer_learning_tuner(additional_parents="ws-other")


def test_warm_start_tuner_with_an_estimator(in_tmp):
    parent = sklearn_tuner(sklearn(in_tmp), max_jobs=1)
    parent.fit(job_name="ws-est")
    child = HyperparameterTuner.attach("ws-est").identical_dataset_and_algorithm_tuner()
    assert type(child.estimator) is amtune.SKLearn
    child.fit(job_name="ws-est-child")
    assert child.describe()["WarmStartConfig"]["ParentHyperParameterTuningJobs"] == [
        {"HyperParameterTuningJobName": "ws-est"}
    ]
    other = sklearn(in_tmp)
    other.set_hyperparameters(depth=5)
    tl = parent.transfer_learning_tuner(estimator=other)
    assert tl.estimator is other and tl.space.static["depth"] == "5"


def test_hyperband_config_takes_the_sdks_positional_order():
    # sagemaker.tuner.HyperbandStrategyConfig(max_resource, min_resource)
    cfg = amtune.HyperbandStrategyConfig(30, 1)
    assert (cfg.max_resource, cfg.min_resource) == (30, 1)
    assert cfg.to_sagemaker() == {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 30}}


def test_a_tuning_job_of_an_image_estimator_keeps_its_training_image(tmp_path):
    """The SDK's tuner sends the estimator's image as TrainingImage: describe() shows it and
    attach() rebuilds the estimator with it (for the built-in XGBoost here)."""
    pytest.importorskip("xgboost")
    import numpy as np

    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    data.mkdir()
    X = rng.normal(size=(60, 2))
    rows = [f"{int(a + b > 0)},{a:.4f},{b:.4f}" for a, b in X]
    (data / "train.csv").write_text("\n".join(rows) + "\n")
    image = amtune.image_uris.retrieve("xgboost", None, "1.7-1")
    est = amtune.Estimator(image, db=tmp_path / "amtune.db", notices=False)
    est.set_hyperparameters(objective="binary:logistic", num_round=3)
    tuner = amtune.HyperparameterTuner(
        est, "train:logloss", {"eta": amtune.ContinuousParameter(0.1, 0.5)},
        objective_type="Minimize", max_jobs=1, quiet=True,
    )  # fmt: skip
    tuner.fit({"train": amtune.TrainingInput(str(data), content_type="text/csv")}, job_name="img")
    d = tuner.describe()
    assert d["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] == image
    attached = amtune.HyperparameterTuner.attach("img", db=tmp_path / "amtune.db")
    assert attached.training_image == image
    assert attached.estimator.image_uri == image


def test_a_tuner_of_a_builtin_image_checks_its_hyperparameters_before_any_job(tmp_path):
    """A bad static hyperparameter of a built-in algorithm fails the tuner at once (as
    BuiltinTuner does), not each of its training jobs; the image version's table decides."""
    from amtune.errors import FieldError

    def tuner(version, **hps):
        est = amtune.Estimator(
            amtune.image_uris.retrieve("xgboost", None, version),
            db=tmp_path / "amtune.db", notices=False,
        )  # fmt: skip
        est.set_hyperparameters(objective="binary:logistic", num_round=3, **hps)
        return amtune.HyperparameterTuner(
            est, "validation:auc", {"eta": amtune.ContinuousParameter(0.1, 0.5)}, max_jobs=2,
        )  # fmt: skip

    with pytest.raises(FieldError, match=r"max_deph.*not a hyperparameter of xgboost"):
        tuner("1.7-1", max_deph=3)
    with pytest.raises(FieldError, match="silent"):
        tuner("1.7-1", silent=0)
    tuner("1.0-1", silent=0)  # the images before 1.2 accept it
    est = amtune.Estimator(amtune.image_uris.retrieve("xgboost", None, "1.7-1"),
                           db=tmp_path / "amtune.db", notices=False)  # fmt: skip
    est.set_hyperparameters(num_round=3)
    with pytest.raises(FieldError, match=r"hyperparameter_ranges\['eta'\]"):  # beyond [0, 1]
        amtune.HyperparameterTuner(
            est, "validation:auc", {"eta": amtune.ContinuousParameter(0.1, 1.5)}, max_jobs=2
        )

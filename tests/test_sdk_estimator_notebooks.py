"""Estimator behaviour the AWS example notebooks rely on (notebook sweep 8), without endpoints:

- F3: ``estimator.delete_endpoint()`` and ``tuner.delete_endpoint()`` exist, as in the SDK v2
  (``removed_function``): a no-op with a ``DeprecationWarning``;
- F5: ``dependencies=[...]`` are importable next to the entry point in training jobs (and tuning
  jobs), and ``attach`` gives them back;
- F9: ``create_model()`` of the framework estimators and of ``Estimator``, with the SDK's defaults;
- F10: ``fit(wait=False)`` prints nothing; ``wait()``/``logs()`` print the job's log from its start;
- F11: ``describe()["OutputDataConfig"]["S3OutputPath"]`` is the ``output_path`` given, while
  ``model_data`` stays the local model.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

import amtune
from amtune.sagemaker.estimator import (
    Estimator,
    HuggingFace,
    PyTorch,
    SKLearn,
    TensorFlow,
    XGBoost,
)
from amtune.sagemaker.model import Model, PyTorchModel, SKLearnModel, XGBoostModel
from amtune.sagemaker.sourcedir import MANIFEST
from amtune.serve.deployment import HuggingFacePredictor, TensorFlowPredictor

METRICS = [{"Name": "loss", "Regex": r"loss: ([0-9.]+)"}]

TRAIN = textwrap.dedent(
    """
    import argparse, os
    from my_custom_library import cross_validation
    import helpers
    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float, default=1.0)
    a, _ = p.parse_known_args()
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
        f.write(f"{cross_validation.K} {helpers.NAME}")
    print(f"loss: {a.x}")
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sagemaker-script-mode notebook's layout: a script in xgboost_script/, the library
    my_custom_library/ next to it (not inside), and a single-module dependency."""
    (tmp_path / "xgboost_script").mkdir()
    (tmp_path / "xgboost_script" / "train.py").write_text(TRAIN)
    lib = tmp_path / "my_custom_library"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    (lib / "cross_validation.py").write_text("K = 5\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "helpers.py").write_text("NAME = 'h'\n")
    return tmp_path


def _estimator(root: Path, **kw: object) -> SKLearn:
    kw.setdefault(
        "dependencies", [str(root / "my_custom_library"), str(root / "shared" / "helpers.py")]
    )
    return SKLearn(
        "train.py",
        source_dir=str(root / "xgboost_script"),
        framework_version="1.2-1",
        role="arn:aws:iam::111122223333:role/R",
        hyperparameters={"x": 0.5},
        metric_definitions=METRICS,
        db=root / "amtune.db",
        **kw,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------- F5 dependencies
def test_dependencies_are_importable_in_the_training_job_and_attach_keeps_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    est = _estimator(project)
    assert "dependencies" not in capsys.readouterr().err  # no longer "ignored"
    est.fit(job_name="deps", logs=False)
    assert (Path(est.model_data) / "model.txt").read_text() == "5 h"
    # the code the job ran from: the entry point and the dependencies side by side (the SDK's
    # sourcedir.tar.gz), named by sagemaker_submit_directory
    submit = Path(json.loads(est.describe()["HyperParameters"]["sagemaker_submit_directory"]))
    assert sorted(p.name for p in submit.iterdir() if p.name != MANIFEST) == [
        "helpers.py",
        "my_custom_library",
        "train.py",
    ]
    back = SKLearn.attach("deps", db=project / "amtune.db")
    assert back.source_dir == str(project / "xgboost_script")
    assert back.dependencies == est.dependencies
    assert back.entry_point == "train.py"


def test_dependencies_keep_the_pythonpath_of_the_estimators_environment(project: Path) -> None:
    # the code bundle goes first on PYTHONPATH; a PYTHONPATH the user set in environment= stays
    extra = project / "extra"
    extra.mkdir()
    (extra / "extra_module.py").write_text("VALUE = 7\n")
    (project / "xgboost_script" / "train.py").write_text(
        TRAIN.replace("import helpers", "import helpers, extra_module")
    )
    est = _estimator(project, environment={"PYTHONPATH": str(extra)}, notices=False)
    est.fit(job_name="deps-env", logs=False)
    assert (Path(est.model_data) / "model.txt").read_text() == "5 h"


def test_a_tuning_job_of_an_estimator_with_dependencies(project: Path) -> None:
    est = _estimator(project, notices=False)
    tuner = amtune.HyperparameterTuner(est, "loss", {"x": amtune.ContinuousParameter(0.1, 0.9)},
                                       objective_type="Minimize", max_jobs=2, quiet=True)  # fmt: skip
    tuner.fit(job_name="deps-tuning")
    assert tuner.describe()["TrainingJobStatusCounters"]["Completed"] == 2
    again = amtune.HyperparameterTuner.attach("deps-tuning", db=project / "amtune.db")
    assert again.estimator.dependencies == est.dependencies


def test_a_missing_dependency_is_an_error_naming_it(project: Path) -> None:
    est = _estimator(project, dependencies=[str(project / "nope")], notices=False)
    with pytest.raises(ValueError, match=r"dependencies\[0\]: no such file or directory"):
        est.fit(logs=False)
    with pytest.raises(ValueError, match="dependencies: must be a list"):
        _estimator(project, dependencies="my_custom_library")


def test_model_dependencies_go_into_its_code_directory(project: Path) -> None:
    model_dir = project / "model"
    model_dir.mkdir()
    m = SKLearnModel(
        str(model_dir),
        "role",
        entry_point="train.py",
        source_dir=str(project / "xgboost_script"),
        dependencies=[str(project / "my_custom_library")],
        sagemaker_session=amtune.Session(db=project / "amtune.db"),
    )
    env = m.prepare_container_def()["Environment"]
    submit = Path(env["SAGEMAKER_SUBMIT_DIRECTORY"])
    assert env["SAGEMAKER_PROGRAM"] == "train.py"
    assert (submit / "train.py").is_file() and (
        submit / "my_custom_library" / "__init__.py"
    ).is_file()


# ---------------------------------------------------------------------- F9 create_model
def test_framework_create_model_has_the_sdks_defaults(project: Path) -> None:
    est = _estimator(project, notices=False, py_version="py3")
    with pytest.raises(ValueError, match="not associated with a training job"):
        est.create_model()
    est.fit(logs=False)
    m = est.create_model()
    assert type(m) is SKLearnModel
    assert m.model_data == est.model_data
    assert m.entry_point == "train.py" and m.source_dir == str(project / "xgboost_script")
    assert m.dependencies == est.dependencies and m.role == est.role
    assert m.framework_version == "1.2-1" and m.py_version == "py3"
    assert m.name is not None and m.name.startswith("sagemaker-scikit-learn-")
    assert m.sagemaker_session.db == est.store.path
    # arguments given win; the rest go to the model
    other = project / "xgboost_script" / "serve.py"
    other.write_text("def model_fn(d):\n    return 1\n")
    m2 = est.create_model(role="r2", entry_point="serve.py", env={"A": "1"}, name="m2",
                          model_server_workers=2)  # fmt: skip
    assert (m2.role, m2.entry_point, m2.name) == ("r2", "serve.py", "m2")
    assert m2.env == {"A": "1", "SAGEMAKER_MODEL_SERVER_WORKERS": "2"}


@pytest.mark.parametrize(
    ("cls", "model_cls"),
    [(PyTorch, PyTorchModel), (XGBoost, XGBoostModel), (SKLearn, SKLearnModel)],
)
def test_each_framework_returns_its_model(tmp_path: Path, cls: type, model_cls: type) -> None:
    (tmp_path / "t.py").write_text("print('loss: 1')\n")
    est = cls(entry_point="t.py", source_dir=str(tmp_path), framework_version="1.0",
              metric_definitions=METRICS, db=tmp_path / "a.db", notices=False)  # fmt: skip
    est.fit(logs=False)
    m = est.create_model()
    assert type(m) is model_cls and m.model_data == est.model_data
    assert m.framework_version == "1.0" and m.entry_point == "t.py"


def test_generic_tensorflow_and_huggingface_create_model(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("print('loss: 1')\n")
    (tmp_path / "inference.py").write_text("def model_fn(d):\n    return 1\n")
    common = dict(source_dir=str(tmp_path), metric_definitions=METRICS, db=tmp_path / "a.db",
                  notices=False)  # fmt: skip
    est = Estimator("my-image:1", "role", 1, "ml.m5.large", entry_point="t.py", **common)
    est.fit(logs=False)
    m = est.create_model()
    assert type(m) is Model and m.image_uri == "my-image:1" and m.role == "role"
    assert m.model_data == est.model_data and m.entry_point is None  # as the SDK's
    tf = TensorFlow(entry_point="t.py", framework_version="2.11", py_version="py39", **common)
    tf.fit(logs=False)
    m = tf.create_model(entry_point="inference.py", source_dir=str(tmp_path))
    assert type(m) is Model and m.predictor_cls is TensorFlowPredictor
    assert m.entry_point == "inference.py" and m.model_data == tf.model_data
    hf = HuggingFace(entry_point="t.py", transformers_version="4.26", pytorch_version="1.13",
                     py_version="py39", **common)  # fmt: skip
    hf.fit(logs=False)
    m = hf.create_model()
    assert m.predictor_cls is HuggingFacePredictor and m.source_dir == str(tmp_path)


# ---------------------------------------------------------------------- F3 delete_endpoint
def test_delete_endpoint_is_the_sdks_no_op_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("print('loss: 1')\n")
    est = SKLearn("t.py", source_dir=str(tmp_path), metric_definitions=METRICS,
                  db=tmp_path / "a.db", notices=False)  # fmt: skip
    with pytest.warns(DeprecationWarning, match=r"delete_endpoint\(\) was removed in SageMaker"):
        assert est.delete_endpoint() is None
    tuner = amtune.HyperparameterTuner(est, "loss", {"x": amtune.ContinuousParameter(0, 1)})
    with pytest.warns(DeprecationWarning, match="predictor.delete_endpoint"):
        assert tuner.delete_endpoint() is None


# ---------------------------------------------------------------------- F10 logs
SLOW = "import time\nprint('epoch 1', flush=True)\ntime.sleep(0.6)\nprint('loss: 0.25')\n"


def test_fit_without_waiting_prints_nothing_and_wait_replays_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "slow.py").write_text(SLOW)
    est = SKLearn("slow.py", source_dir=str(tmp_path), metric_definitions=METRICS,
                  db=tmp_path / "a.db", notices=False)  # fmt: skip
    est.fit(wait=False, job_name="bg")  # logs=True, the SDK's default, but not waiting
    assert est.describe()["TrainingJobStatus"] == "InProgress"  # the job runs on
    time.sleep(0.3)
    assert capsys.readouterr().out == ""
    est.latest_training_job.wait()  # logs="All": the whole log, from the start
    out = capsys.readouterr().out
    assert out.index("epoch 1") < out.index("loss: 0.25")
    assert est.describe()["TrainingJobStatus"] == "Completed"
    est.logs()
    assert "epoch 1" in capsys.readouterr().out
    est.wait(logs="None")
    assert capsys.readouterr().out == ""


def test_logs_follows_a_running_job_to_its_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "slow.py").write_text(SLOW)
    est = SKLearn("slow.py", source_dir=str(tmp_path), metric_definitions=METRICS,
                  db=tmp_path / "a.db", notices=False)  # fmt: skip
    est.fit(wait=False, job_name="bg2")
    est.logs()  # the SDK's logs(): follows until the job ends
    assert est.describe()["TrainingJobStatus"] == "Completed"
    out = capsys.readouterr().out
    assert "epoch 1" in out and "loss: 0.25" in out


# ---------------------------------------------------------------------- F11 output_path
@pytest.mark.parametrize("given", ["s3://bucket/DEMO-mnist", "local-out"])
def test_describe_reports_the_output_path_as_given(tmp_path: Path, given: str) -> None:
    (tmp_path / "t.py").write_text("print('loss: 1')\n")
    out = given if given.startswith("s3://") else str(tmp_path / given)
    est = PyTorch(entry_point="t.py", source_dir=str(tmp_path), output_path=out,
                  metric_definitions=METRICS, db=tmp_path / "a.db", notices=False)  # fmt: skip
    est.fit(logs=False, job_name="outjob")
    d = est.describe()
    assert d["OutputDataConfig"]["S3OutputPath"] == out
    model = Path(d["ModelArtifacts"]["S3ModelArtifacts"])
    assert est.model_data == str(model) and model.is_dir() and model.parent.name == "outjob"
    if not given.startswith("s3://"):  # a local output_path holds the job, as before
        assert model.is_relative_to(out)
    # without an output_path, the job's output directory (unchanged)
    plain = PyTorch(entry_point="t.py", source_dir=str(tmp_path), metric_definitions=METRICS,
                    db=tmp_path / "a.db", notices=False)  # fmt: skip
    plain.fit(logs=False, job_name="plainjob")
    assert plain.describe()["OutputDataConfig"]["S3OutputPath"] == str(
        Path(plain.model_data).parent / "output"
    )


def test_a_training_requests_output_data_config_is_reported(tmp_path: Path) -> None:
    """``amtune train`` (and boto3's CreateTrainingJob) keep the request's OutputDataConfig for
    DescribeTrainingJob, as SageMaker reports it."""
    from amtune.cli import main
    from amtune.sagemaker.training import describe_training_job
    from amtune.store import Store

    (tmp_path / "t.py").write_text("print('loss: 1')\n")
    req = {
        "TrainingJobName": "req-out",
        "AlgorithmSpecification": {"TrainingInputMode": "File", "MetricDefinitions": METRICS},
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
        "HyperParameters": {"sagemaker_program": '"t.py"'},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }
    (tmp_path / "req.json").write_text(json.dumps(req))
    assert (
        main(["train", str(tmp_path / "req.json"), "--db", str(tmp_path / "a.db"), "--quiet"]) == 0
    )
    with Store(tmp_path / "a.db") as store:
        d = describe_training_job(store, "req-out")
    assert d["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/output"}
    assert Path(d["ModelArtifacts"]["S3ModelArtifacts"]).is_dir()


@pytest.mark.parametrize("instance_type", ["local", "local_gpu"])
def test_local_mode_instance_types_train_here_without_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], instance_type: str
) -> None:
    (tmp_path / "t.py").write_text(
        "import os\nprint('loss: 1', os.environ['SM_CURRENT_INSTANCE_TYPE'])\n"
    )
    est = PyTorch(entry_point="t.py", source_dir=str(tmp_path), instance_type=instance_type,
                  role="r", metric_definitions=METRICS, db=tmp_path / "a.db")  # fmt: skip
    assert "instance_type" not in capsys.readouterr().err
    est.fit()
    assert f"loss: 1 {instance_type}" in capsys.readouterr().out
    assert est.describe()["ResourceConfig"]["InstanceType"] == instance_type

"""Notebook re-check 19: what the SageMaker SDK v2 (2.257.6) and the API do and amtune now does
too.

- F1 the SDK ``Transformer``'s jobs are known to the control plane, as SageMaker knows every job
  the SDK starts: DescribeTransformJob (``sm.describe_transform_job(TransformJobName=
  transformer.latest_transform_job.name)``), ListTransformJobs, ``Session.describe_transform_job``
  / ``wait_for_transform_job``, and StopTransformJob stops one; a job name in use is
  ``ResourceInUse``;
- F2 ``Transformer.attach(name, sagemaker_session)`` rebuilds a transformer from a transform job;
- F3 ``Session.stop_training_job`` (a job this process runs too), ``stop_transform_job`` (an
  ended or unknown job is left alone, as the SDK does), ``logs_for_transform_job`` and
  ``get_caller_identity_arn``;
- F4 ``sagemaker.Predictor``, ``sagemaker.container_def`` and ``pipeline_container_def`` (also in
  ``sagemaker.session``), for ``Session.create_model(name, role, container_def(...))``;
- F5 the ranges' ``is_valid``, ``cast_to_type``, ``as_tuning_range``, ``as_json_range`` and
  ``ParameterRange.__all_types__``;
- F6 a tuner's ``wait()`` and ``stop_tuning_job()`` before ``fit()`` raise the SDK's
  ``ValueError("No tuning job available")`` instead of doing nothing, and the tuner's other
  methods raise that ``ValueError`` too (still a ``RuntimeError``);
- F7 ``Model.enable_network_isolation()``;
- F8 ``tuner.best_training_job()`` (and ``tuner.deploy()``) of a tuning job with no best training
  job raise the SDK's "Best training job not available for tuning job: ..." instead of
  returning None;
- F9 ``sagemaker.predictor``'s SDK v1 names that SDK v2 keeps, deprecated (``csv_serializer``,
  ``json_serializer``, ``npy_serializer``, ``csv_deserializer``, ``json_deserializer``,
  ``numpy_deserializer``, ``RealTimePredictor``), warning as v2 does;
- F10 ``sagemaker.inputs.FileSystemInput`` (its ``directory_path`` a local directory here) and
  ``ShuffleConfig`` (kept in the channel's config);
- F11 ``sagemaker.model.FrameworkModel`` (``model_data`` first; the framework models are ones) and
  ``training_image_uri(region)``;
- F12 an amtune ``Session(db=...)`` given as ``sagemaker_session`` names the store, as the SDK's
  calls go where their session goes: an estimator's jobs, ``Estimator.attach``,
  ``HyperparameterTuner.attach`` and the analytics classes use it (``db=`` still wins);
- F13 ``tuner.fit(include_cls_metadata=True)`` records a generic estimator's class, and
  ``HyperparameterTuner.attach`` rebuilds a user's estimator class from its module, or the class
  ``estimator_cls`` names, as the SDK does.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
from transform_helpers import threshold_model, threshold_service

import amtune
from amtune.parameter import ParameterRange


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, amtune.Session]]:
    files = {f"part-{i}.csv": "0.1,1\n0.9,2\n" for i in range(8)}
    with threshold_service(tmp_path, files) as session:
        yield tmp_path, session


# ---------------------------------------------------------------------------------------- F1
def test_transformer_jobs_are_described_and_listed_by_the_control_plane(
    setup: tuple[Path, amtune.Session],
) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(
        1, "ml.m5.xlarge", assemble_with="Line", accept="text/csv", max_concurrent_transforms=2
    )
    t.transform(str(root / "batch"), content_type="text/csv", split_type="Line", logs=False)
    assert t.latest_transform_job is not None
    name = t.latest_transform_job.name
    sm = s.sagemaker_client  # boto3, as the notebooks call it
    d = sm.describe_transform_job(TransformJobName=name)
    assert d["TransformJobStatus"] == "Completed"
    assert d["ModelName"] == t.model_name
    assert d["TransformInput"]["SplitType"] == "Line"
    assert d["TransformInput"]["ContentType"] == "text/csv"
    assert d["TransformOutput"] == {
        "S3OutputPath": t.output_path,
        "Accept": "text/csv",
        "AssembleWith": "Line",
    }
    assert d["MaxConcurrentTransforms"] == 2
    assert d["TransformStartTime"] <= d["TransformEndTime"]
    names = [j["TransformJobName"] for j in sm.list_transform_jobs()["TransformJobSummaries"]]
    assert names == [name]
    assert s.wait_for_transform_job(name)["TransformJobStatus"] == "Completed"
    sm.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5}
    )
    # a failed job is Failed there too, with its reason
    (root / "bad.csv").write_text("fail,1\n")
    with pytest.raises(amtune.UnexpectedStatusException):
        t.transform(str(root / "bad.csv"), content_type="text/csv", logs=False)
    assert t.latest_transform_job is not None
    bad = s.describe_transform_job(t.latest_transform_job.name)
    assert bad["TransformJobStatus"] == "Failed" and "cannot read" in bad["FailureReason"]


def test_a_transform_job_name_in_use_is_resource_in_use(
    setup: tuple[Path, amtune.Session],
) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(1, "ml.m5.xlarge")
    csv = {"content_type": "text/csv", "logs": False}
    t.transform(str(root / "batch" / "part-0.csv"), job_name="batch-1", **csv)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Job with name batch-1 already exists") as e:
        t.transform(str(root / "batch" / "part-1.csv"), job_name="batch-1", **csv)  # type: ignore[arg-type]
    assert e.value.response["Error"]["Code"] == "ResourceInUse"  # type: ignore[attr-defined]
    assert t.latest_transform_job is not None and t.latest_transform_job.name == "batch-1"


def test_stop_transform_job_through_the_control_plane_stops_the_sdk_job(
    setup: tuple[Path, amtune.Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, s = setup
    t = threshold_model(root, s, env={"SLEEP": "0.4"}).transformer(1, "ml.m5.xlarge")
    t.transform(str(root / "batch"), content_type="text/csv", wait=False, logs=False)
    job = t.latest_transform_job
    assert job is not None
    deadline = time.monotonic() + 30
    while not any(Path(str(t.output_path)).glob("*.out")) and time.monotonic() < deadline:
        time.sleep(0.05)
    s.stop_transform_job(job.name)
    t.wait()
    assert job.describe()["TransformJobStatus"] == "Stopped"
    assert s.describe_transform_job(job.name)["TransformJobStatus"] == "Stopped"
    assert len(list(Path(str(t.output_path)).glob("*.out"))) < 8  # it stopped midway


# ---------------------------------------------------------------------------------------- F2
def test_transformer_attach_rebuilds_the_transformer(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(
        1,
        "ml.c5.xlarge",
        strategy="SingleRecord",
        assemble_with="Line",
        accept="text/csv",
        max_payload=1,
        output_path=str(root / "out"),
    )
    t.transform(str(root / "batch"), content_type="text/csv", split_type="Line", logs=False)
    assert t.latest_transform_job is not None
    name = t.latest_transform_job.name
    again = amtune.Transformer.attach(name, sagemaker_session=s)
    assert isinstance(again, amtune.Transformer)
    assert (again.model_name, again.instance_type, again.instance_count) == (
        t.model_name,
        "ml.c5.xlarge",
        1,
    )
    assert (again.strategy, again.assemble_with, again.accept, again.max_payload) == (
        "SingleRecord",
        "Line",
        "text/csv",
        1,
    )
    assert again.output_path == str(root / "out")
    assert again.base_transform_job_name == name
    assert again.latest_transform_job is not None
    assert again.latest_transform_job.name == name
    assert again.latest_transform_job.describe()["TransformJobStatus"] == "Completed"
    again.wait()  # an ended job: returns
    with pytest.raises(ValueError, match="Could not find job"):
        amtune.Transformer.attach("no-such-job", sagemaker_session=s)


# ---------------------------------------------------------------------------------------- F3
def test_session_stops_a_training_job_this_process_runs(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import time\nprint('start', flush=True)\ntime.sleep(60)\n")
    est = amtune.Estimator(
        command=[sys.executable, str(tmp_path / "train.py")],
        db=tmp_path / "amtune.db",
        notices=False,
    )
    est.fit(wait=False, logs=False, job_name="slow-1")
    s = amtune.Session(db=tmp_path / "amtune.db")
    t0 = time.monotonic()
    s.stop_training_job("slow-1")
    assert est.latest_training_job is not None
    est.latest_training_job.wait(logs="None")
    assert est.latest_training_job.describe()["TrainingJobStatus"] == "Stopped"
    assert time.monotonic() - t0 < 30


def test_session_transform_job_helpers(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(1, "ml.m5.xlarge")
    t.transform(str(root / "batch" / "part-0.csv"), content_type="text/csv", logs=False)
    assert t.latest_transform_job is not None
    name = t.latest_transform_job.name
    s.logs_for_transform_job(name, wait=True)  # an ended job: returns
    s.stop_transform_job(name)  # already ended: left alone, as the SDK does
    s.stop_transform_job("no-such-job")  # a ValidationException: left alone too
    assert s.describe_transform_job(name)["TransformJobStatus"] == "Completed"
    assert s.get_caller_identity_arn() == amtune.get_execution_role()


# ---------------------------------------------------------------------------------------- F4
def test_top_level_predictor_and_container_defs(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    from amtune.predictor import Predictor
    from amtune.session import container_def as session_container_def

    assert amtune.Predictor is Predictor
    assert amtune.container_def is session_container_def
    c = amtune.container_def(
        "my-image:1",
        str(root / "model"),
        {
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": str(root / "code"),
        },
    )
    assert c["Image"] == "my-image:1" and c["ModelDataUrl"] == str(root / "model")
    assert amtune.container_def("img")["Environment"] == {}
    s.create_model("from-def", amtune.get_execution_role(), c)
    assert s.describe_model("from-def")["PrimaryContainer"]["Image"] == "my-image:1"
    model = threshold_model(root, s)
    defs = amtune.pipeline_container_def([model, model], "ml.m5.xlarge")
    assert len(defs) == 2 and defs[0]["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    with pytest.raises(ValueError, match="container_mode: must be one of"):
        amtune.container_def("img", container_mode="Multi")


# ---------------------------------------------------------------------------------------- F5
def test_parameter_ranges_have_the_sdks_methods() -> None:
    cont = amtune.ContinuousParameter(0.01, 1.0, "Logarithmic")
    assert cont.as_tuning_range("eta") == {
        "Name": "eta",
        "MinValue": "0.01",
        "MaxValue": "1.0",
        "ScalingType": "Logarithmic",
    }
    assert cont.is_valid(0.5) and not cont.is_valid(2)
    assert amtune.ContinuousParameter.cast_to_type("0.5") == 0.5
    integer = amtune.IntegerParameter(1, 10)
    assert integer.as_tuning_range("depth")["MinValue"] == "1"
    assert amtune.IntegerParameter.cast_to_type("3") == 3 and integer.is_valid(10)
    cat = amtune.CategoricalParameter(["adam", 32, True])
    assert cat.as_tuning_range("opt") == {"Name": "opt", "Values": ["adam", "32", "True"]}
    assert cat.as_json_range("opt") == {"Name": "opt", "Values": ['"adam"', '"32"', '"True"']}
    assert cat.is_valid("adam") and cat.is_valid("32") and not cat.is_valid("sgd")
    assert amtune.CategoricalParameter.cast_to_type(32) == "32"
    assert ParameterRange.__all_types__ == ("Continuous", "Categorical", "Integer")


# ---------------------------------------------------------------------------------------- F6
def test_tuner_methods_before_fit_raise_the_sdks_value_error(tmp_path: Path) -> None:
    tuner = amtune.HyperparameterTuner(
        amtune.Estimator(command=[sys.executable, "-c", "pass"], db=tmp_path / "a.db"),
        "loss",
        {"x": amtune.ContinuousParameter(0, 1)},
        metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
    )
    for method in (tuner.wait, tuner.stop_tuning_job, tuner.describe, tuner.best_training_job):
        with pytest.raises(ValueError, match="No tuning job available"):
            method()
    with pytest.raises(RuntimeError, match="No tuning job available"):  # as amtune raised it
        tuner.analytics()


# ---------------------------------------------------------------------------------------- F7
def test_model_enable_network_isolation(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    assert threshold_model(root, s).enable_network_isolation() is False
    assert (
        threshold_model(root, s, enable_network_isolation=True).enable_network_isolation() is True
    )


# ---------------------------------------------------------------------------------------- F8
def test_best_training_job_without_one_raises_as_the_sdk(tmp_path: Path) -> None:
    est = amtune.Estimator(
        command=[sys.executable, "-c", "print('no metric')"],
        metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
        db=tmp_path / "amtune.db",
        notices=False,
    )
    tuner = amtune.HyperparameterTuner(est, "loss", {"x": amtune.ContinuousParameter(0, 1)})
    with pytest.raises(amtune.UnexpectedStatusException):
        tuner.fit(job_name="no-best")
    for call in (tuner.best_training_job, lambda: tuner.deploy(1, "ml.m5.large")):
        with pytest.raises(
            ValueError, match="Best training job not available for tuning job: no-best"
        ):
            call()


# ---------------------------------------------------------------------------------------- F9
def test_sdk_v1_predictor_names_are_kept_deprecated(setup: tuple[Path, amtune.Session]) -> None:
    import io

    from amtune.predictor import (
        Predictor,
        RealTimePredictor,
        csv_serializer,
        json_deserializer,
        numpy_deserializer,
    )

    with pytest.warns(DeprecationWarning, match="The csv_serializer has been renamed"):
        assert csv_serializer.serialize([[1, 2], [3, 4]]) == "1,2\n3,4"
    assert csv_serializer.CONTENT_TYPE == "text/csv"
    with pytest.warns(DeprecationWarning, match="The json_deserializer has been renamed"):
        assert json_deserializer.deserialize(io.BytesIO(b"[1, 2]"), "application/json") == [1, 2]
    assert numpy_deserializer.ACCEPT == ("application/x-npy",)
    _, s = setup
    with pytest.warns(DeprecationWarning, match="The class RealTimePredictor has been renamed"):
        p = RealTimePredictor("v1-names", sagemaker_session=s)
    assert isinstance(p, Predictor) and p.endpoint_name == "v1-names"
    p.serializer = csv_serializer  # as the v1 notebooks set it
    assert p.content_type == "text/csv"


# ---------------------------------------------------------------------------------------- F10
def test_file_system_input_is_a_local_directory_channel(tmp_path: Path) -> None:
    from amtune.inputs import FileSystemInput, ShuffleConfig, TrainingInput

    (tmp_path / "fsx").mkdir()
    (tmp_path / "fsx" / "train.csv").write_text("1,2\n")
    (tmp_path / "train.py").write_text(
        "import os\nprint('files=' + ','.join(os.listdir(os.environ['SM_CHANNEL_TRAIN'])))\n"
    )
    est = amtune.Estimator(
        command=[sys.executable, str(tmp_path / "train.py")],
        db=tmp_path / "amtune.db",
        notices=False,
    )
    fs = FileSystemInput("fs-0123", "FSxLustre", str(tmp_path / "fsx"), content_type="text/csv")
    assert fs.config["DataSource"]["FileSystemDataSource"]["FileSystemAccessMode"] == "ro"
    est.fit({"train": fs}, logs=False)
    assert est.latest_training_job is not None
    d = est.latest_training_job.describe()
    assert d["TrainingJobStatus"] == "Completed"
    assert d["InputDataConfig"][0]["ContentType"] == "text/csv"
    with pytest.raises(ValueError, match="file_system_type: must be one of FSxLustre, EFS"):
        FileSystemInput("fs-0123", "NFS", "/mnt")
    with pytest.raises(ValueError, match="file_system_access_mode: must be one of ro, rw"):
        FileSystemInput("fs-0123", "EFS", "/mnt", file_system_access_mode="w")
    shuffled = TrainingInput(str(tmp_path / "fsx"), shuffle_config=ShuffleConfig(7))
    assert shuffled.config["ShuffleConfig"] == {"Seed": 7}


# ---------------------------------------------------------------------------------------- F11
def test_framework_model_and_training_image_uri_region(
    setup: tuple[Path, amtune.Session],
) -> None:
    from amtune.model import FrameworkModel

    root, s = setup
    m = FrameworkModel(
        str(root / "model"),
        "my-image:2",
        amtune.get_execution_role(),
        "inference.py",
        source_dir=str(root / "code"),
        sagemaker_session=s,
    )
    c = m.prepare_container_def()
    assert c["Image"] == "my-image:2" and c["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert c["ModelDataUrl"] == str(root / "model")
    assert isinstance(amtune.SKLearnModel(str(root / "model"), sagemaker_session=s), FrameworkModel)
    est = amtune.SKLearn(entry_point="train.py", framework_version="1.2-1", notices=False)
    uri = est.training_image_uri(region="eu-west-1")
    assert uri is not None and ".eu-west-1." in uri and "sagemaker-scikit-learn:1.2-1" in uri


# ---------------------------------------------------------------------------------------- F12
def test_a_sessions_store_is_the_store_of_what_is_given_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default store would be ./amtune.db
    (tmp_path / "train.py").write_text(
        "import sys\nprint('loss=' + sys.argv[sys.argv.index('--x') + 1])\n"
    )
    s = amtune.Session(db=tmp_path / "elsewhere" / "amtune.db")
    est = amtune.Estimator(
        command=[sys.executable, str(tmp_path / "train.py")],
        metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
        hyperparameters={"x": 0.5},
        sagemaker_session=s,
        notices=False,
    )
    assert est.store.path == s.db
    est.fit(job_name="in-session", logs=False)
    tuner = amtune.HyperparameterTuner(
        est, "loss", {"x": amtune.ContinuousParameter(0, 1)}, objective_type="Minimize"
    )
    tuner.fit(job_name="tj-in-session", quiet=True)
    assert not (tmp_path / "amtune.db").exists()
    again = amtune.Estimator.attach("in-session", sagemaker_session=s)
    assert again.sagemaker_session is s and again.model_data == est.model_data
    attached = amtune.HyperparameterTuner.attach("tj-in-session", sagemaker_session=s)
    assert attached.best_training_job() == tuner.best_training_job()
    frame = amtune.HyperparameterTuningJobAnalytics("tj-in-session", sagemaker_session=s)
    assert len(frame.dataframe()) == 1
    series = amtune.TrainingJobAnalytics("in-session", ["loss"], sagemaker_session=s)
    assert list(series.dataframe()["value"]) == [0.5]


# ---------------------------------------------------------------------------------------- F13
class MyEstimator(amtune.Estimator):
    """A user's estimator class, which ``attach`` finds in this module."""


def test_include_cls_metadata_and_estimator_cls(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import sys\nprint('loss=' + sys.argv[sys.argv.index('--x') + 1])\n"
    )
    db = tmp_path / "amtune.db"

    def tuner(est: amtune.Estimator, name: str, **fit: object) -> dict[str, str]:
        t = amtune.HyperparameterTuner(est, "loss", {"x": amtune.ContinuousParameter(0, 1)})
        t.fit(job_name=name, quiet=True, **fit)  # type: ignore[arg-type]
        return dict(t.describe()["TrainingJobDefinition"]["StaticHyperParameters"])

    args = {
        "command": [sys.executable, str(tmp_path / "train.py")],
        "metric_definitions": [{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
        "db": db,
        "notices": False,
    }
    static = tuner(MyEstimator(**args), "with-cls", include_cls_metadata=True)  # type: ignore[arg-type]
    assert json.loads(static["sagemaker_estimator_class_name"]) == "MyEstimator"
    assert json.loads(static["sagemaker_estimator_module"]) == __name__
    assert type(amtune.HyperparameterTuner.attach("with-cls", db=db).estimator) is MyEstimator
    # without it a generic estimator records no class (as in the SDK): attach gives an Estimator
    static = tuner(MyEstimator(**args), "no-cls")  # type: ignore[arg-type]
    assert "sagemaker_estimator_class_name" not in static
    assert type(amtune.HyperparameterTuner.attach("no-cls", db=db).estimator) is amtune.Estimator
    named = amtune.HyperparameterTuner.attach(
        "no-cls", db=db, estimator_cls=f"{__name__}.MyEstimator"
    )
    assert type(named.estimator) is MyEstimator
    sdk_name = amtune.HyperparameterTuner.attach(
        "no-cls", db=db, estimator_cls="sagemaker.estimator.Estimator"
    )
    assert type(sdk_name.estimator) is amtune.Estimator
    with pytest.raises(ValueError, match="estimator_cls: must name an estimator class"):
        amtune.HyperparameterTuner.attach("no-cls", db=db, estimator_cls="nowhere.Nothing")

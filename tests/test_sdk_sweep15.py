"""Notebook re-check 15 (F1-F3, F5-F8): what the SageMaker SDK v2 (2.257.6) does and amtune now
does too.

- F1/F2 ``CSVSerializer``: the SDK's row rules (a list of CSV strings is one row per string; only a
  mutable sequence of sequences is several rows), cells written by :mod:`csv` (a NumPy scalar as
  its plain text), a DataFrame by ``DataFrame.to_csv``;
- F3 ``JSONSerializer``: a str is JSON-encoded; ``NumpySerializer``'s ``dtype`` is for lists only;
- F5 ``WarmStartConfig.parents`` is a set;
- F6 ``create_transfer_learning_tuner``, ``create_identical_dataset_and_algorithm_tuner``,
  ``override_resource_config``, ``sagemaker_session``, ``hyperparameter_ranges_dict()`` and
  ``latest_tuning_job.sagemaker_session``;
- F7 ``max_jobs`` left out is 1 (the grid with ``strategy="Grid"``), ``max_parallel_jobs`` 1;
- F8 ``estimator.deploy`` / ``tuner.deploy`` name the endpoint config after the endpoint.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import amtune
from amtune import HyperparameterTuner
from amtune.sagemaker.config import InstanceConfig, WarmStartConfig, WarmStartTypes
from amtune.serializers import (
    CSVSerializer,
    IdentitySerializer,
    JSONSerializer,
    NumpySerializer,
)


# ====================================================================== F1/F2 CSVSerializer
@pytest.mark.parametrize(
    ("data", "body"),
    [
        # F1: the notebooks' list of CSV strings: one row (one record) per string
        (["0.00632,18.00,2.310", "0.02731,0.00,7.070"], "0.00632,18.00,2.310\n0.02731,0.00,7.070"),
        (["42", "81"], "42\n81"),
        ("1,2,3", "1,2,3"),  # a str as it is
        ([1, 2, 3], "1,2,3"),
        ([[1, 2], [3, 4.5]], "1,2\n3,4.5"),
        ([(1, 2), (3, 4)], "1,2\n3,4"),  # a list of tuples: rows
        # only a mutable sequence holds rows: a tuple of tuples is one row of tuple cells
        (((1, 2), (3, 4)), '"(1, 2)","(3, 4)"'),
        ((1, 2), "1,2"),
        # F2: NumPy scalars as their text, not their repr
        ([np.float64(3.0), np.float64(0.25)], "3.0,0.25"),
        ([np.int64(3), np.float32(0.1), True], "3,0.1,True"),
        (list(np.array([[1.0, 2.0], [3.0, 4.0]])), "1.0,2.0\n3.0,4.0"),
        (np.array([0.1, 0.2], dtype=np.float32), "0.1,0.2"),  # float32 stays 0.1
        (np.array([1.5, 2.5]), "1.5,2.5"),
        (np.array([[1, 2], [3, 4]]), "1,2\n3,4"),
        (np.zeros((2, 1, 2)), "0.0,0.0\n0.0,0.0"),  # each row flattened
        ([0.1, 1e-7, 1e20], "0.1,1e-07,1e+20"),
        ([[1, "x,y"], [2, 'q"']], '1,"x,y"\n2,"q"""'),  # csv quoting
        ([None, 1], ",1"),
        (pd.Series([0.5, 1.5], index=[3, 4]), "0.5,1.5"),  # one row, by position
    ],
)
def test_csv_serializer_follows_the_sdks_row_rules(data: Any, body: str) -> None:
    assert CSVSerializer().serialize(data) == body


def test_csv_serializer_writes_a_dataframe_as_to_csv_does() -> None:
    df = pd.DataFrame({"code": [1, 2], "x": [0.5, 1.5], "s": ["a", "b,c"]})
    out = CSVSerializer().serialize(df)
    assert out == '1,0.5,a\n2,1.5,"b,c"\n'  # ints stay ints; to_csv's trailing newline
    assert out == df.to_csv(header=False, index=False)


def test_csv_serializer_reads_files_and_keeps_bytes() -> None:
    assert CSVSerializer().serialize(io.StringIO("1,2\n3,4")) == "1,2\n3,4"
    assert CSVSerializer().serialize(b"1,2") == b"1,2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "empty row"),
        ([[1, 2], []], "empty row"),
        (np.array([]), "empty row"),
        (5, "cannot write int 5 as a CSV row"),
        ([[1, 2], 3], "cannot write int 3 as a CSV row"),
        ({"a": 1}, "a dict has no CSV rows"),
    ],
)
def test_csv_serializer_errors_name_the_data(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"CSVSerializer: data: .*{message}"):
        CSVSerializer().serialize(data)


def test_serializers_check_their_content_type_as_the_sdk_does() -> None:
    assert CSVSerializer("text/csv; charset=utf-8").CONTENT_TYPE == "text/csv; charset=utf-8"
    for cls in (CSVSerializer, JSONSerializer, NumpySerializer, IdentitySerializer):
        with pytest.raises(ValueError, match=f"{cls.__name__}: content_type must be a string"):
            cls(content_type=3)  # type: ignore[arg-type]


# ====================================================================== F3 JSON and NumPy
def test_json_serializer_encodes_a_str() -> None:
    s = JSONSerializer()
    assert s.serialize("I love this") == '"I love this"'
    assert json.loads(s.serialize("I love this")) == "I love this"
    # an already-encoded document is encoded again, as the SDK sends it
    assert s.serialize('{"a": 1}') == '"{\\"a\\": 1}"'
    assert s.serialize({"a": np.array([1, 2]), "b": "x"}) == '{"a": [1, 2], "b": "x"}'
    assert s.serialize(np.array([[1.5], [2.0]])) == "[[1.5], [2.0]]"
    assert s.serialize([np.float64(0.25), 1]) == "[0.25, 1]"
    assert s.serialize(io.StringIO('{"x": 1}')) == '{"x": 1}'  # a file's contents
    assert s.serialize(b'{"x": 1}') == b'{"x": 1}'  # bytes: amtune sends them as they are


def test_numpy_serializer_applies_dtype_to_lists_only() -> None:
    def load(body: bytes) -> Any:
        return np.load(io.BytesIO(body))

    s = NumpySerializer(dtype="float32")
    assert load(s.serialize([1, 2])).dtype == np.float32
    assert load(s.serialize((1, 2))).dtype == np.int64  # a tuple keeps its own type (SDK)
    assert load(s.serialize(np.array([1, 2]))).dtype == np.int64
    assert load(s.serialize([[]])).shape == (1, 0)  # a non-empty list of an empty row
    with pytest.raises(ValueError, match="NumpySerializer: data: cannot serialize an empty list"):
        s.serialize([])
    with pytest.raises(ValueError, match="NumpySerializer: data: cannot serialize an empty array"):
        s.serialize(np.array([]))
    with pytest.raises(ValueError, match=r"NumpySerializer: data: an array of Python objects"):
        NumpySerializer().serialize([{"a": 1}])


# ====================================================================== F5 WarmStartConfig
def test_warm_start_parents_are_a_set() -> None:
    ws = WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, parents=["p2", "p1", "p2"])
    assert ws.parents == {"p1", "p2"} and isinstance(ws.parents, set)
    ws.parents.add("p3")  # a set's methods, as on the SDK's
    assert ws.to_input_req() == {
        "ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": p} for p in ("p1", "p2", "p3")
        ],
        "WarmStartType": "TransferLearning",
    }
    back = WarmStartConfig.from_job_desc(ws.to_input_req())
    assert back is not None and back.parents == {"p1", "p2", "p3"} and back == ws
    assert WarmStartConfig("TransferLearning", {"p"}) == WarmStartConfig("TransferLearning", ["p"])


def test_a_request_naming_a_parent_twice_is_refused() -> None:
    doc = {
        "WarmStartType": "TransferLearning",
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "p"}] * 2,
    }
    with pytest.raises(
        ValueError, match=r"WarmStartConfig\.ParentHyperParameterTuningJobs\[1\]: .*named twice"
    ):
        WarmStartConfig.from_sagemaker(doc)


def test_warm_start_parents_keep_their_validation() -> None:
    with pytest.raises(TypeError, match=r"warm_start_config\.parents: must be a set or list"):
        WarmStartConfig("TransferLearning", "parent").validate()
    with pytest.raises(ValueError, match=r"warm_start_config\.parents: 1 to 5 parent"):
        WarmStartConfig("TransferLearning", set()).validate()
    with pytest.raises(ValueError, match=r"warm_start_config\.parents\[0\]: must be a tuning"):
        WarmStartConfig("TransferLearning", [["p"]]).validate()


# ====================================================================== tuner helpers (F5-F7)
def quad(hp: dict[str, Any], reporter: Any) -> None:
    reporter.report("loss", (hp["x"] - 0.3) ** 2)


def _tuner(**kw: Any) -> HyperparameterTuner:
    kw.setdefault("strategy", "Random")
    return HyperparameterTuner(
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        runner="thread",
        quiet=True,
        **kw,
    )


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_max_jobs_left_out_is_one_as_in_the_sdk(in_tmp: Path) -> None:
    t = _tuner()
    assert t.max_jobs == 1 and t.max_parallel_jobs == 1
    t.fit(quad, job_name="one")
    assert t.describe()["TrainingJobStatusCounters"]["Completed"] == 1
    assert t.describe()["HyperParameterTuningJobConfig"]["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 1,
        "MaxParallelTrainingJobs": 1,
    }
    grid = HyperparameterTuner(
        "loss", {"n": amtune.IntegerParameter(1, 4)}, strategy="Grid", runner="thread"
    )
    assert grid.max_jobs == 4  # the whole grid


def test_warm_start_tuners_and_the_description_agree_on_the_parents(in_tmp: Path) -> None:
    for name in ("par-1", "par-2"):
        _tuner(max_jobs=2, random_seed=0).fit(quad, job_name=name)
    child = amtune.tuner.create_transfer_learning_tuner("par-1", additional_parents={"par-2"})
    assert isinstance(child, HyperparameterTuner)
    assert child.warm_start_config is not None
    assert child.warm_start_config.type is WarmStartTypes.TRANSFER_LEARNING
    assert child.warm_start_config.parents == {"par-1", "par-2"}
    child.fit(quad, job_name="child-tl")
    back = WarmStartConfig.from_job_desc(child.describe()["WarmStartConfig"])
    # the SDK's integ test compares these two
    assert back is not None and back.parents == child.warm_start_config.parents
    assert back.type == child.warm_start_config.type
    same = amtune.tuner.create_identical_dataset_and_algorithm_tuner(
        "child-tl", db=in_tmp / "amtune.db"
    )
    assert same.warm_start_config is not None
    assert same.warm_start_config.type is WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
    assert same.warm_start_config.parents == {"child-tl"}
    from amtune.tuner import (  # also where sagemaker.tuner users import them
        create_identical_dataset_and_algorithm_tuner,
        create_transfer_learning_tuner,
    )

    assert create_transfer_learning_tuner is amtune.tuner.create_transfer_learning_tuner
    assert callable(create_identical_dataset_and_algorithm_tuner)


def test_override_resource_config_keeps_the_instance_configs(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = _tuner()
    assert t.instance_configs is None
    configs = [InstanceConfig(1, "ml.m4.xlarge", 30), InstanceConfig(1, "ml.m5.xlarge", 30)]
    t.override_resource_config(instance_configs=configs)
    assert t.instance_configs == configs
    assert "override_resource_config: instance_configs: no local meaning" in capsys.readouterr().err
    t.override_resource_config(instance_configs=None)  # the SDK's way to remove them
    assert t.instance_configs is None
    with pytest.raises(TypeError, match=r"instance_configs: a dict of estimator name"):
        t.override_resource_config(instance_configs={"est": configs})
    with pytest.raises(TypeError, match=r"instance_configs\[1\]: must be an InstanceConfig"):
        t.override_resource_config(instance_configs=[configs[0], "ml.m5.xlarge"])
    with pytest.raises(TypeError, match=r"instance_configs: must be a list of InstanceConfig"):
        t.override_resource_config(instance_configs=configs[0])
    t.fit(quad, job_name="with-configs")  # nothing else changes
    assert t.describe()["HyperParameterTuningJobStatus"] == "Completed"


def test_sagemaker_session_and_hyperparameter_ranges_dict(in_tmp: Path) -> None:
    t = _tuner()
    s = t.sagemaker_session
    assert isinstance(s, amtune.Session) and s.db == (in_tmp / "amtune.db").resolve()
    assert t.sagemaker_session is s
    assert t.hyperparameter_ranges_dict() is None  # one estimator, as the SDK's
    assert t.hyperparameter_ranges()["ContinuousParameterRanges"][0]["Name"] == "x"
    # an estimator's own amtune Session of the same store is the tuner's
    own = amtune.Session(db=in_tmp / "amtune.db")
    est = amtune.Estimator(command=["true"], db=in_tmp / "amtune.db", sagemaker_session=own)
    t2 = HyperparameterTuner(
        est, "loss", {"x": amtune.ContinuousParameter(0.0, 1.0)},
        metric_definitions=[{"Name": "loss", "Regex": "loss=(\\S+)"}],
    )  # fmt: skip
    assert t2.sagemaker_session is own


# ====================================================================== with a service (F6, F8)
from deploy_scripts import INFERENCE as SERVING  # noqa: E402
from deploy_scripts import TRAIN  # noqa: E402


class Env:
    def __init__(self, root: Path, url: str, est: Any, tuner: HyperparameterTuner) -> None:
        self.root, self.url, self.est, self.tuner = root, url, est, tuner
        self.session = amtune.Session(db=root / "amtune.db", url=url)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    pytest.importorskip("uvicorn")
    from amtune.serve.service import EndpointService

    root = tmp_path_factory.mktemp("sweep15")
    src = root / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "serving.py").write_text(SERVING)
    est = amtune.Estimator(
        entry_point="train.py",
        source_dir=str(src),
        hyperparameters={"scale": 3.0},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        db=root / "amtune.db",
        notices=False,
    )
    est.fit(job_name="scaler", logs=False)
    tuner = HyperparameterTuner(
        est, "loss", {"scale": amtune.ContinuousParameter(1.0, 3.0)}, objective_type="Minimize",
        max_jobs=2, max_parallel_jobs=2, random_seed=0, quiet=True,
    )  # fmt: skip
    tuner.fit(job_name="scaler-tuning")
    svc = EndpointService(root / "amtune.db", seed=0).start()
    try:
        yield Env(root, svc.url, est, tuner)
    finally:
        svc.stop()


def _config_name(env: Env, endpoint: str) -> str:
    return str(env.session.describe_endpoint(endpoint)["EndpointConfigName"])


def test_estimator_deploy_names_the_config_after_the_endpoint(env: Env) -> None:
    p = env.est.deploy(
        1, "ml.m5.large", serializer=CSVSerializer(), endpoint_name="named-ep", url=env.url
    )
    try:
        assert _config_name(env, "named-ep") == "named-ep"
        assert json.loads(p.predict([1, 2.5])) == [3.0, 7.5]  # the fitted job's model
    finally:
        p.delete_endpoint(delete_endpoint_config=False)
    # its config is left: the same name again is SageMaker's error, as the SDK meets it
    with pytest.raises(ValueError, match="already exist"):
        env.est.deploy(1, "ml.m5.large", endpoint_name="named-ep", url=env.url)
    # the notebooks' cleanup cell: the config by the endpoint's name
    env.session.delete_endpoint_config("named-ep")
    # no name: the endpoint is named after the training job, and so is its config
    p = env.est.deploy(1, "ml.m5.large", url=env.url)
    try:
        assert p.endpoint_name == "scaler" and _config_name(env, "scaler") == "scaler"
        # a name an endpoint (or a config) has already: the next suffix, for the config too
        q = env.est.deploy(1, "ml.m5.large", url=env.url)
        try:
            assert q.endpoint_name == "scaler-2" and _config_name(env, "scaler-2") == "scaler-2"
        finally:
            q.delete_endpoint()
    finally:
        p.delete_endpoint(delete_endpoint_config=False)
    q = env.est.deploy(1, "ml.m5.large", url=env.url)  # "scaler" is still a config's name
    try:
        assert q.endpoint_name.startswith("scaler-")
        assert _config_name(env, q.endpoint_name) == q.endpoint_name
    finally:
        q.delete_endpoint()
        env.session.delete_endpoint_config("scaler")


def test_tuner_deploy_names_the_config_after_the_endpoint(env: Env) -> None:
    best = env.tuner.describe()["BestTrainingJob"]
    p = env.tuner.deploy(1, "ml.m5.large", url=env.url)
    try:
        name = best["TrainingJobName"]
        assert p.endpoint_name == name and _config_name(env, name) == name
    finally:
        p.delete_endpoint()
    p = env.tuner.deploy(
        1, "ml.m5.large", serializer=CSVSerializer(), endpoint_name="tuned-ep", url=env.url
    )
    try:
        assert _config_name(env, "tuned-ep") == "tuned-ep"
        scale = float(best["TunedHyperParameters"]["scale"])
        assert json.loads(p.predict([1.0])) == [pytest.approx(scale)]
    finally:
        p.delete_endpoint()


def test_latest_tuning_job_session_describes_with_boto3(env: Env) -> None:
    pytest.importorskip("boto3")
    job = env.tuner.latest_tuning_job
    assert job is not None
    sm = job.sagemaker_session.sagemaker_client  # test_stop_tuning_job's chain
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=job.name)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["HyperParameterTuningJobName"] == "scaler-tuning"
    assert job.sagemaker_session is env.tuner.sagemaker_session
    attached = HyperparameterTuner.attach("scaler-tuning", db=env.root / "amtune.db")
    assert attached.latest_tuning_job is not None
    again = attached.latest_tuning_job.sagemaker_session.sagemaker_client
    assert (
        again.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="scaler-tuning")[
            "BestTrainingJob"
        ]["TrainingJobName"]
        == env.tuner.best_training_job()
    )

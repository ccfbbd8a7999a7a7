"""Deploying and batch-transforming what a framework estimator trained, as the AWS notebooks of
sweep 8 do, on a real endpoint service (127.0.0.1):

- F2: ``instance_type="local"`` / ``"local_gpu"`` (the SDK's local mode) in ``estimator.deploy``,
  ``model.deploy``, ``tuner.deploy`` and ``transformer``: the local machine, as every amtune
  endpoint; the control plane itself still refuses ``local``, as the real API does;
- F5: the model server of a model deployed from an estimator with ``dependencies`` (or built with
  ``Model(dependencies=...)``) imports them;
- F9: ``estimator.create_model().deploy()``;
- F8: ``estimator.transformer()`` names its jobs after the estimator's base job name;
- F4: a transform job's input given as a key prefix that is not a directory.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("uvicorn")
import amtune
from amtune.sagemaker.estimator import SKLearn
from amtune.sagemaker.model import SKLearnModel
from amtune.serve.deployment import DEFAULT_INSTANCE_TYPE, ServiceClient
from amtune.serve.service import EndpointService

# train_deploy_scikitlearn_without_dependencies.py's shape: sagemaker_training at the top, and
# (as in the XGBoost variant) a library given as a dependency, used by training and serving
SCRIPT = textwrap.dedent(
    """
    import json, os
    from sagemaker_training import environment
    from my_custom_library import scale

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["k"]

    def predict_fn(data, model):
        return scale.times(data, model)

    if __name__ == "__main__":
        env = environment.Environment()
        with open(os.path.join(env.model_dir, "model.json"), "w") as f:
            json.dump({"k": env.hyperparameters["k"]}, f)
        print("loss: 0.5")
    """
)


class Env:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.db = root / "amtune.db"
        self.url = url
        self.session = amtune.Session(db=self.db, url=url)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("nb-train-deploy")
    (root / "code").mkdir()
    (root / "code" / "script.py").write_text(SCRIPT)
    lib = root / "my_custom_library"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    (lib / "scale.py").write_text(
        "import numpy as np\n\ndef times(data, k):\n    return np.asarray(data) * k\n"
    )
    svc = EndpointService(root / "amtune.db", seed=0).start()
    try:
        yield Env(root, svc.url)
    finally:
        svc.stop()


@pytest.fixture(scope="module")
def est(env: Env) -> SKLearn:
    e = SKLearn(
        "script.py",
        source_dir=str(env.root / "code"),
        framework_version="1.2-1",
        instance_type="local",
        role="role",
        hyperparameters={"k": 3},
        metric_definitions=[{"Name": "loss", "Regex": r"loss: ([0-9.]+)"}],
        dependencies=[str(env.root / "my_custom_library")],
        sagemaker_session=env.session,
        db=env.db,
    )
    e.fit(job_name="sk-deps", logs=False)
    return e


def _instance_type(env: Env, endpoint: str) -> Any:
    d = env.session.describe_endpoint(endpoint)
    cfg = env.session.describe_endpoint_config(d["EndpointConfigName"])
    return cfg["ProductionVariants"][0]["InstanceType"]


def test_estimator_deploy_local_serves_with_the_dependencies(env: Env, est: SKLearn) -> None:
    p = est.deploy(1, "local", endpoint_name="sk-local", url=env.url)
    try:
        assert p.predict(np.array([[1.0, 2.0]])).tolist() == [[3.0, 6.0]]
        assert _instance_type(env, "sk-local") == DEFAULT_INSTANCE_TYPE
    finally:
        p.delete_endpoint()


def test_create_model_deploys_on_local_gpu(env: Env, est: SKLearn) -> None:
    m = est.create_model()
    assert m.sagemaker_session is env.session  # the estimator's own session
    p = m.deploy(1, "local_gpu", endpoint_name="sk-model")
    try:
        assert p.predict(np.array([[2.0]])).tolist() == [[6.0]]
        assert _instance_type(env, "sk-model") == DEFAULT_INSTANCE_TYPE
    finally:
        p.delete_endpoint()


def test_a_model_built_with_dependencies_serves_them(env: Env, est: SKLearn) -> None:
    m = SKLearnModel(
        est.model_data,
        "role",
        entry_point="script.py",
        source_dir=str(env.root / "code"),
        dependencies=[str(env.root / "my_custom_library")],
        sagemaker_session=env.session,
    )
    p = m.deploy(1, "ml.m5.xlarge", endpoint_name="sk-built")
    try:
        assert p.predict(np.array([[1.0]])).tolist() == [[3.0]]
    finally:
        p.delete_endpoint()


def test_tuner_deploy_local(env: Env, est: SKLearn) -> None:
    tuner = amtune.HyperparameterTuner(est, "loss", {"k": amtune.IntegerParameter(2, 4)},
                                       objective_type="Minimize", max_jobs=1, quiet=True)  # fmt: skip
    tuner.fit(job_name="sk-tune")
    p = tuner.deploy(1, "local", endpoint_name="sk-tuned", url=env.url)
    try:
        assert _instance_type(env, "sk-tuned") == DEFAULT_INSTANCE_TYPE
        assert len(p.predict(np.array([[1.0]])).tolist()) == 1
    finally:
        p.delete_endpoint()


def test_the_control_plane_still_refuses_local(env: Env, est: SKLearn) -> None:
    client = ServiceClient(env.url)
    try:
        client.call("CreateModel", ModelName="plain", PrimaryContainer={"Image": "x"},
                    ExecutionRoleArn="arn:aws:iam::123456789012:role/r")  # fmt: skip
        variant = {"VariantName": "A", "ModelName": "plain", "InstanceType": "local",
                   "InitialInstanceCount": 1}  # fmt: skip
        with pytest.raises(ValueError, match="Value 'local' at 'instanceType'"):
            client.call(
                "CreateEndpointConfig", EndpointConfigName="c", ProductionVariants=[variant]
            )
    finally:
        client.close()


def test_transformer_is_named_after_the_estimator_and_reads_a_key_prefix(
    env: Env, est: SKLearn
) -> None:
    batch = env.root / "bucket" / "batch"
    batch.mkdir(parents=True)
    np.save(batch / "input.npy", np.array([[1.0, 2.0]]))
    (batch / "other.txt").write_text("not selected")
    t = est.transformer(1, "local", accept="application/json")
    assert t.base_transform_job_name == "sagemaker-scikit-learn"
    t.transform(str(batch / "in"), content_type="application/x-npy")  # selects input.npy
    job = t.latest_transform_job
    assert job is not None and job.job_name.startswith("sagemaker-scikit-learn-")
    assert job.describe()["TransformJobStatus"] == "Completed", job.describe()
    out = Path(str(t.output_path))
    assert sorted(p.name for p in out.iterdir()) == ["input.npy.out"]
    assert (out / "input.npy.out").read_text() == "[[3.0, 6.0]]"
    with pytest.raises(ValueError, match="no file whose path starts with it"):
        t.transform(str(batch / "nothing"))


def test_create_transform_job_reads_a_key_prefix(env: Env, est: SKLearn) -> None:
    """boto3's CreateTransformJob shares the rule (its input goes through the same path check and
    the SDK's Transformer)."""
    batch = env.root / "bucket" / "api"
    batch.mkdir(parents=True)
    np.save(batch / "rows.npy", np.array([[2.0]]))
    t = est.transformer(1, "ml.m5.large")
    client = ServiceClient(env.url)
    try:
        client.call(
            "CreateTransformJob",
            TransformJobName="api-prefix",
            ModelName=t.model_name,
            TransformInput={
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(batch / "ro")}
                },
                "ContentType": "application/x-npy",
            },
            TransformOutput={
                "S3OutputPath": str(env.root / "api-out"),
                "Accept": "application/json",
            },
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )
        deadline = time.monotonic() + 120
        while True:
            d = client.call("DescribeTransformJob", TransformJobName="api-prefix")
            if d["TransformJobStatus"] != "InProgress":
                break
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        client.close()
    assert d["TransformJobStatus"] == "Completed", d.get("FailureReason")
    assert (env.root / "api-out" / "rows.npy.out").read_text() == "[[6.0]]"

"""nbcheck13, against a real endpoint service and model servers on 127.0.0.1 (one service for the
module, on a temporary store, stopped at the end):

- F3: the SDK's ``StringSerializer`` (``text/csv``, ``text/libsvm``) and the new deserializers
  through a Predictor;
- F7: ``Model.create()`` and ``Predictor.update_endpoint()`` (SDK v2's way of putting another
  model on an endpoint), with the SDK's rules for missing arguments and several variants;
- F9: ``Session.create_model_from_job``, ``create_endpoint_config_from_existing``,
  ``endpoint_from_job``, ``endpoint_from_model_data`` (the Packt A/B notebook's flow);
- F11: Session errors are botocore ``ClientError`` s with boto3's code and message, and still
  ``ValueError`` s;
- F13/F14: a relative ``file://`` URL naming a single model file is served.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from service_helpers import running_service

pytest.importorskip("uvicorn")
import amtune
from amtune.deserializers import (
    JSONDeserializer,
    JSONLinesDeserializer,
    PandasDeserializer,
    StreamDeserializer,
)
from amtune.predictor import Predictor
from amtune.serializers import StringSerializer
from amtune.sklearn import SKLearnModel

INFERENCE = textwrap.dedent(
    """
    import json, os

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["k"]

    def input_fn(body, content_type):
        text = body.decode() if isinstance(body, bytes) else body
        rows = [r for r in text.splitlines() if r.strip()]
        if content_type == "text/libsvm":
            return [float(r.split()[0]) for r in rows]
        if content_type == "text/csv":
            return [float(r.split(",")[0]) for r in rows]
        raise ValueError("unsupported content type " + content_type)

    def predict_fn(data, model):
        return [model * x for x in data]

    def output_fn(prediction, accept):
        if accept.startswith("application/jsonlines"):
            return "\\n".join(json.dumps({"y": p}) for p in prediction), accept
        if accept.startswith("text/csv"):
            return "y\\n" + "\\n".join(str(p) for p in prediction), "text/csv"
        return json.dumps({"y": prediction}), "application/json"
    """
)


class Env:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.session = amtune.Session(db=root / "amtune.db", url=url)

    def model(self, data: str, **kw: object) -> SKLearnModel:
        return SKLearnModel(
            model_data=str(self.root / data),
            role="r",
            entry_point="inference.py",
            source_dir=str(self.root / "code"),
            sagemaker_session=self.session,
            **kw,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("sweep13")
    (root / "code").mkdir()
    (root / "code" / "inference.py").write_text(INFERENCE)
    for name, k in (("m1", 1), ("m2", 2), ("m3", 3)):
        (root / name).mkdir()
        (root / name / "model.json").write_text(json.dumps({"k": k}))
    with running_service(root / "amtune.db") as svc:
        yield Env(root, svc.url)


# ----------------------------------------------------------------------------------------- F3
def test_string_serializer_and_deserializers_through_a_predictor(env: Env) -> None:
    p = env.model("m2").deploy(
        1,
        "local",
        serializer=StringSerializer(content_type="text/csv"),
        deserializer=JSONLinesDeserializer(),
        endpoint_name="ser",
    )
    try:
        assert p.content_type == "text/csv"
        assert p.predict("1,9\n3,9") == [{"y": 2.0}, {"y": 6.0}]
        p.serializer = StringSerializer(content_type="text/libsvm")  # the XGBoost doc's
        assert p.predict("4 1:0.5 2:1") == [{"y": 8.0}]
        with pytest.raises(ValueError, match="StringSerializer: data must be a str"):
            p.predict([[1.0]])
        p.deserializer = PandasDeserializer()
        df = p.predict("1\n2")
        assert df["y"].tolist() == [2.0, 4.0]
        p.deserializer = StreamDeserializer(accept="application/json")
        stream, content_type = p.predict("5")
        assert content_type.startswith("application/json")
        assert json.loads(stream.read()) == {"y": [10.0]}
    finally:
        p.delete_endpoint()


# ----------------------------------------------------------------------------------------- F7
def test_model_create_then_update_endpoint(env: Env) -> None:
    s = env.session
    p = env.model("m1").deploy(
        1,
        "ml.m5.large",
        serializer=StringSerializer("text/csv"),
        deserializer=JSONDeserializer(),
        endpoint_name="upd",
    )
    try:
        old_config = p.describe()["EndpointConfigName"]
        two = env.model("m2", name="model-two")
        assert two.create(instance_type="ml.m5.large") is None  # the SDK returns nothing
        assert two.name == "model-two"
        assert s.describe_model("model-two")["ModelName"] == "model-two"
        unnamed = env.model("m3")
        unnamed.create()
        assert unnamed.name is not None and unnamed.name.startswith("sagemaker-scikit-learn-")
        # the SDK's rule: a model or instance change needs both the count and the type
        with pytest.raises(ValueError, match="Missing initial_instance_count and/or instance_type"):
            p.update_endpoint(model_name="model-two")
        p.update_endpoint(model_name="model-two", initial_instance_count=1, instance_type="local")
        d = p.describe()
        assert d["EndpointStatus"] == "InService"
        assert d["EndpointConfigName"] != old_config
        assert d["EndpointConfigName"].startswith(old_config + "-")  # name_from_base(current)
        assert [v["VariantName"] for v in d["ProductionVariants"]] == ["AllTraffic"]
        assert p.predict("1") == {"y": [2.0]}
        config = s.describe_endpoint_config(d["EndpointConfigName"])
        assert config["ProductionVariants"][0]["ModelName"] == "model-two"
        assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"
        # without model or instance changes the variants are kept; tags replace the old ones
        p.update_endpoint(tags={"team": "ml"}, wait=True)
        newer = p.describe()["EndpointConfigName"]
        kept = s.describe_endpoint_config(newer)["ProductionVariants"]
        assert [v["ModelName"] for v in kept] == ["model-two"]
        arn = s.describe_endpoint_config(newer)["EndpointConfigArn"]
        assert s.call("ListTags", ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]
    finally:
        p.delete_endpoint()


def test_update_endpoint_with_several_variants(env: Env) -> None:
    from amtune.session import production_variant

    s = env.session
    env.model("m1", name="ab-one").create()
    env.model("m3", name="ab-three").create()
    s.endpoint_from_production_variants(
        "ab13",
        [
            production_variant("ab-one", "ml.m5.large", 1, "A", 1),
            production_variant("ab-three", "ml.m5.large", 1, "B", 1),
        ],
    )
    p = Predictor("ab13", s, serializer=StringSerializer("text/csv"))
    try:
        with pytest.raises(ValueError, match="multiple models: ab-one, ab-three"):
            p.update_endpoint(initial_instance_count=1, instance_type="ml.m5.large")
        p.update_endpoint(
            initial_instance_count=1, instance_type="ml.m5.large", model_name="ab-three"
        )
        d = p.describe()
        assert [v["VariantName"] for v in d["ProductionVariants"]] == ["AllTraffic"]
        assert json.loads(p.predict("1")) == {"y": [3.0]}
    finally:
        p.delete_endpoint()


# ---------------------------------------------------------------------------------------- F11
def test_session_errors_are_client_errors(env: Env) -> None:
    from botocore.exceptions import ClientError

    s = env.session
    boto = s.sagemaker_client
    for call, boto_call in (
        (lambda: s.delete_endpoint("nope"), lambda: boto.delete_endpoint(EndpointName="nope")),
        (
            lambda: s.delete_endpoint_config("nope"),
            lambda: boto.delete_endpoint_config(EndpointConfigName="nope"),
        ),
        (lambda: s.delete_model("nope"), lambda: boto.delete_model(ModelName="nope")),
        (lambda: s.describe_endpoint("nope"), lambda: boto.describe_endpoint(EndpointName="nope")),
    ):
        with pytest.raises(ClientError) as ours:
            call()
        with pytest.raises(ClientError) as theirs:
            boto_call()
        assert isinstance(ours.value, ValueError)  # as amtune raised it before
        assert ours.value.response["Error"] == {
            "Code": theirs.value.response["Error"]["Code"],
            "Message": theirs.value.response["Error"]["Message"],
        }
        assert ours.value.response["Error"]["Code"] == "ValidationException"
        assert "Could not find" in ours.value.response["Error"]["Message"]
        assert ours.value.operation_name == theirs.value.operation_name
        assert str(ours.value) == str(theirs.value)


def test_deploy_onto_an_existing_endpoint_name_is_a_client_error(env: Env) -> None:
    from botocore.exceptions import ClientError

    p = env.model("m1").deploy(1, "ml.m5.large", endpoint_name="taken", wait=False)
    try:
        with pytest.raises(ClientError, match="already existing") as e:
            env.model("m1").deploy(1, "ml.m5.large", endpoint_name="taken", wait=False)
        assert e.value.response["Error"]["Code"] == "ValidationException"
    finally:
        env.session.wait_for_endpoint("taken", poll=0.1)
        p.delete_endpoint()


# ----------------------------------------------------------------------------------------- F9
@pytest.fixture(scope="module")
def xgb_job(env: Env) -> str:
    pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    data = env.root / "train"
    data.mkdir()
    np.savetxt(data / "train.csv", np.c_[2 * x[:, 0], x], delimiter=",")
    est = amtune.Estimator(
        amtune.image_uris.retrieve("xgboost", "us-east-1", "1.7-1"),
        "arn:aws:iam::123456789012:role/r",
        hyperparameters={"objective": "reg:squarederror", "num_round": "3"},
        db=env.root / "amtune.db",
        notices=False,
    )
    est.fit({"train": amtune.TrainingInput(str(data), content_type="text/csv")}, logs=False,
            job_name="xgb13")  # fmt: skip
    return "xgb13"


def test_packt_ab_flow(env: Env, xgb_job: str) -> None:
    from amtune.session import production_variant

    s = env.session
    desc = s.describe_training_job(xgb_job)
    assert s.create_model_from_job(xgb_job) == xgb_job
    m = s.describe_model(xgb_job)
    assert m["PrimaryContainer"]["Image"] == desc["AlgorithmSpecification"]["TrainingImage"]
    assert m["PrimaryContainer"]["ModelDataUrl"] == desc["ModelArtifacts"]["S3ModelArtifacts"]
    # the job's RoleArn, as the SDK's create_model_from_job takes it (nbcheck17 F3)
    assert m["ExecutionRoleArn"] == desc["RoleArn"] == "arn:aws:iam::123456789012:role/r"
    assert s.create_model_from_job(xgb_job, name="xgb13-b", role="my-role") == "xgb13-b"
    assert s.describe_model("xgb13-b")["ExecutionRoleArn"] == "my-role"

    s.create_endpoint_config("cfg13-a", xgb_job, 1, "ml.m5.large", tags={"k": "v"}, kms_key="key-1")
    out = s.create_endpoint_config_from_existing(
        "cfg13-a",
        "cfg13-b",
        new_production_variants=[
            production_variant(xgb_job, "ml.m5.large", 1, "A", 1),
            production_variant("xgb13-b", "ml.m5.large", 1, "B", 1),
        ],
    )
    assert out == "cfg13-b"
    b = s.describe_endpoint_config("cfg13-b")
    assert [v["VariantName"] for v in b["ProductionVariants"]] == ["A", "B"]
    assert b["KmsKeyId"] == "key-1"  # kept from the existing config
    assert s.call("ListTags", ResourceArn=b["EndpointConfigArn"])["Tags"] == [
        {"Key": "k", "Value": "v"}
    ]
    s.create_endpoint_config_from_existing("cfg13-a", "cfg13-c", new_kms_key="key-2")
    c = s.describe_endpoint_config("cfg13-c")
    assert c["KmsKeyId"] == "key-2"
    assert c["ProductionVariants"][0]["ModelName"] == xgb_job

    assert s.endpoint_from_job(xgb_job, 1, "ml.m5.large", name="ep13") == "ep13"
    runtime = s.sagemaker_runtime_client
    r = runtime.invoke_endpoint(EndpointName="ep13", Body=b"1.0,0.0", ContentType="text/csv")
    assert abs(float(r["Body"].read()) - 2.0) < 2.0
    with pytest.raises(ValueError, match='Endpoint with name "ep13" already exists'):
        s.endpoint_from_model_data(
            desc["ModelArtifacts"]["S3ModelArtifacts"],
            desc["AlgorithmSpecification"]["TrainingImage"],
            1,
            "ml.m5.large",
            name="ep13",
        )
    with pytest.raises(ValueError, match="model_s3_location: amtune serves local model data"):
        s.endpoint_from_model_data("s3://b/model.tar.gz", "img", 1, "ml.m5.large")
    s.delete_endpoint("ep13")


# ---------------------------------------------------------------------------------- F13, F14
def test_relative_file_url_to_a_single_model_file_is_served(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(env.root)
    single = env.root / "single"
    single.mkdir()
    (single / "model.json").write_text(json.dumps({"k": 5}))
    p = SKLearnModel(
        model_data="file://single/model.json",  # the no_compressed_model sample's form
        role="r",
        entry_point="inference.py",
        source_dir="code",
        sagemaker_session=env.session,
    ).deploy(
        1,
        "local",
        serializer=StringSerializer("text/csv"),
        deserializer=JSONDeserializer(),
        endpoint_name="single13",
    )
    try:
        assert p.predict("2") == {"y": [10.0]}
    finally:
        p.delete_endpoint()

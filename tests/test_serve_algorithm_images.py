"""What a model's image decides when it is served (AWS example notebooks, nbcheck7): the
algorithm images without script mode ignore the model's script, DescribeEndpoint lists the
deployed images and a serverless variant's config, the runtime operations amtune does not do
answer an error naming them, and a model server that crashes leaves a traceback in its log."""

from __future__ import annotations

import pickle
import tarfile
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("uvicorn")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from amtune import image_uris  # noqa: E402
from amtune.serve.endpoints import model_spec, script_less_image  # noqa: E402
from amtune.serve.service import EndpointService  # noqa: E402
from amtune.serve.supervisor import ModelServer, ModelServerError, ModelSpec  # noqa: E402

XGB_MODULE = "amtune.builtin.xgboost_inference"
LEGACY_XGB = image_uris.retrieve("xgboost", "us-east-1", "latest")  # .../xgboost:1
# deploy_all_options_xgb's code_inference/model.py, whose model_fn calls an undefined name: it
# fails wherever it runs, and the notebook works because the xgboost:1 image never runs it
BROKEN_SCRIPT = textwrap.dedent(
    """
    def model_fn(model_dir):
        prin("loading")
    """
)
SCRIPT = textwrap.dedent(
    """
    def model_fn(model_dir):
        return "script"

    def transform_fn(model, body, content_type, accept):
        return "answered by the script", "text/plain"
    """
)


def clients(url: str) -> tuple[Any, Any]:
    kw: dict[str, Any] = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
    }
    return boto3.client("sagemaker", **kw), boto3.client("sagemaker-runtime", **kw)


def wait_status(sm: Any, name: str, want: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        d: dict[str, Any] = sm.describe_endpoint(EndpointName=name)
        if d["EndpointStatus"] == want:
            return d
        if d["EndpointStatus"] == "Failed" or time.monotonic() > deadline:
            raise AssertionError(f"{name} is {d['EndpointStatus']}, not {want}: {d}")
        time.sleep(0.05)


def endpoint(sm: Any, name: str, container: dict[str, Any], **variant: Any) -> None:
    sm.create_model(
        ModelName=name, PrimaryContainer=container, ExecutionRoleArn="arn:aws:iam::1:role/r"
    )
    pv = {"VariantName": "AllTraffic", "ModelName": name, **variant}
    if "ServerlessConfig" not in pv:
        pv.update(InitialInstanceCount=1, InstanceType="ml.m5.large")
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[pv])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[EndpointService]:
    svc = EndpointService(tmp_path / "amtune.db", seed=0, invocation_timeout=30.0).start()
    try:
        yield svc
    finally:
        svc.stop()


@pytest.fixture
def control_plane(tmp_path: Path) -> Iterator[EndpointService]:
    svc = EndpointService(tmp_path / "cp.db", serve_models=False).start()
    try:
        yield svc
    finally:
        svc.stop()


def _code(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "code_inference"
    d.mkdir(exist_ok=True)
    (d / "model.py").write_text(text)
    return d


# ====================================================================== images without script mode
@pytest.mark.parametrize(
    ("image", "module"),
    [
        (LEGACY_XGB, XGB_MODULE),
        ("382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest", XGB_MODULE),
        ("xgboost:0.72", XGB_MODULE),
        (
            image_uris.retrieve("linear-learner", "us-east-1"),
            "amtune.builtin.linear_learner_inference",
        ),
        (image_uris.retrieve("knn", "us-west-2"), "amtune.builtin.knn_inference"),
        (image_uris.retrieve("xgboost", "us-east-1", "0.90-1"), None),
        (image_uris.retrieve("xgboost", "us-east-1", "1.7-1"), None),
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", None),
        ("amtune/script-mode:local", None),
    ],
)
def test_which_images_have_no_script_mode(image: str, module: str | None) -> None:
    assert script_less_image(image) == module


def test_an_algorithm_image_serves_its_own_module_and_says_what_it_ignored(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "model" / "code").mkdir(parents=True)
    (tmp_path / "model" / "code" / "inference.py").write_text(BROKEN_SCRIPT)
    code = _code(tmp_path, BROKEN_SCRIPT)
    env = {"SAGEMAKER_PROGRAM": "model.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
    spec = model_spec(
        {
            "PrimaryContainer": {
                "Image": LEGACY_XGB,
                "ModelDataUrl": str(tmp_path / "model"),
                "Environment": env,
            }
        },
        tmp_path / "cache",
    )
    assert (spec.program, spec.submit_dir, spec.env["AMTUNE_IMAGE"]) == (
        XGB_MODULE,
        None,
        LEGACY_XGB,
    )
    err = capfd.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert err.startswith(f"amtune: notice: image {LEGACY_XGB} has no script mode")
    assert "SAGEMAKER_PROGRAM='model.py'" in err and f"SAGEMAKER_SUBMIT_DIRECTORY='{code}'" in err
    assert f"the model's {tmp_path / 'model' / 'code' / 'inference.py'}" in err
    assert err.rstrip().endswith(f"serving {XGB_MODULE}")


def test_the_ignored_submit_directory_need_not_exist(tmp_path: Path) -> None:
    # the SDK's "s3://.../sourcedir.tar.gz": never read, so never an error
    spec = model_spec(
        {
            "PrimaryContainer": {
                "Image": image_uris.retrieve("knn", "us-east-1"),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": "s3://bucket/sourcedir.tar.gz",
                },
            }
        },
        tmp_path,
    )
    assert spec.program == "amtune.builtin.knn_inference"


def test_a_script_mode_image_runs_the_script(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "model").mkdir()
    code = _code(tmp_path, SCRIPT)
    spec = model_spec(
        {
            "PrimaryContainer": {
                "Image": image_uris.retrieve("xgboost", "us-east-1", "0.90-2"),
                "ModelDataUrl": str(tmp_path / "model"),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "model.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                },
            }
        },
        tmp_path / "cache",
    )
    assert (spec.program, spec.submit_dir) == ("model.py", str(code))
    assert capfd.readouterr().err == ""


def _xgb_model(tmp_path: Path) -> tuple[Path, np.ndarray, Any]:
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(float)
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 5)
    model = tmp_path / "xgboost-model"
    model.write_bytes(pickle.dumps(booster))  # as the notebook's model.tar.gz holds it
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        t.add(model, arcname="xgboost-model")
    return archive, X[:2], booster.predict(xgb.DMatrix(X[:2]))


def test_the_legacy_xgboost_image_ignores_the_script_at_an_endpoint(
    service: EndpointService, tmp_path: Path
) -> None:
    # deploy_all_options_xgb: XGBoostModel(entry_point="model.py", framework_version="latest")
    archive, rows, want = _xgb_model(tmp_path)
    code = _code(tmp_path, BROKEN_SCRIPT)
    sm, rt = clients(service.url)
    env = {"SAGEMAKER_PROGRAM": "model.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
    endpoint(sm, "legacy", {"Image": LEGACY_XGB, "ModelDataUrl": str(archive), "Environment": env})
    wait_status(sm, "legacy", "InService")
    body = "\n".join(",".join(map(str, r)) for r in rows)
    r = rt.invoke_endpoint(EndpointName="legacy", Body=body, ContentType="text/csv")
    # the xgboost:1 answer: the predictions comma-joined on one line
    answer = r["Body"].read().decode()
    assert r["ContentType"] == "text/csv" and "\n" not in answer
    np.testing.assert_allclose([float(v) for v in answer.split(",")], want, rtol=1e-6)


def test_a_script_mode_xgboost_image_runs_the_script_at_an_endpoint(
    service: EndpointService, tmp_path: Path
) -> None:
    archive, _, _ = _xgb_model(tmp_path)
    code = _code(tmp_path, SCRIPT)
    sm, rt = clients(service.url)
    env = {"SAGEMAKER_PROGRAM": "model.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
    image = image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    endpoint(sm, "script", {"Image": image, "ModelDataUrl": str(archive), "Environment": env})
    wait_status(sm, "script", "InService")
    r = rt.invoke_endpoint(EndpointName="script", Body=b"1,2,3", ContentType="text/csv")
    assert r["Body"].read() == b"answered by the script"


# ====================================================================== DescribeEndpoint
def test_describe_endpoint_lists_the_deployed_images(control_plane: EndpointService) -> None:
    sm, _ = clients(control_plane.url)
    image = image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
    t0 = time.time()
    endpoint(sm, "img", {"Image": image, "ModelDataUrl": "/nowhere"})
    d = wait_status(sm, "img", "InService")
    (deployed,) = d["ProductionVariants"][0]["DeployedImages"]
    assert deployed["SpecifiedImage"] == deployed["ResolvedImage"] == image
    assert isinstance(deployed["ResolutionTime"], datetime)
    assert t0 - 1 <= deployed["ResolutionTime"].timestamp() <= time.time() + 1
    # UpdateEndpoint to another model: its image
    other = image_uris.retrieve("knn", "us-east-1")
    sm.create_model(
        ModelName="knn", PrimaryContainer={"Image": other}, ExecutionRoleArn="arn:aws:iam::1:role/r"
    )
    sm.create_endpoint_config(
        EndpointConfigName="knn",
        ProductionVariants=[
            {
                "VariantName": "B",
                "ModelName": "knn",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
            }
        ],
        ShadowProductionVariants=[
            {
                "VariantName": "S",
                "ModelName": "img",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.update_endpoint(EndpointName="img", EndpointConfigName="knn")
    d = wait_status(sm, "img", "InService")
    assert [i["SpecifiedImage"] for i in d["ProductionVariants"][0]["DeployedImages"]] == [other]
    assert [i["SpecifiedImage"] for i in d["ShadowProductionVariants"][0]["DeployedImages"]] == [
        image
    ]


def test_a_serverless_variant_shows_its_config_not_instance_counts(
    control_plane: EndpointService,
) -> None:
    sm, _ = clients(control_plane.url)
    config = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    image = image_uris.retrieve("xgboost", "us-east-1", "1.0-1")
    endpoint(sm, "sls", {"Image": image}, ServerlessConfig=config)
    v = wait_status(sm, "sls", "InService")["ProductionVariants"][0]
    assert v["CurrentServerlessConfig"] == v["DesiredServerlessConfig"] == config
    assert "CurrentInstanceCount" not in v and "DesiredInstanceCount" not in v
    assert v["DeployedImages"][0]["SpecifiedImage"] == image


# ====================================================================== runtime operations not done
def test_invoke_endpoint_async_is_an_error_naming_it(control_plane: EndpointService) -> None:
    _, rt = clients(control_plane.url)
    with pytest.raises(ClientError) as info:
        rt.invoke_endpoint_async(EndpointName="ep", InputLocation="s3://bucket/input.csv")
    err = info.value.response["Error"]
    assert err["Code"] == "UnknownOperationException"
    assert "InvokeEndpointAsync is not supported by amtune's endpoint service" in err["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_invoke_endpoint_with_response_stream_is_an_error_naming_it(
    control_plane: EndpointService,
) -> None:
    _, rt = clients(control_plane.url)
    with pytest.raises(ClientError) as info:
        rt.invoke_endpoint_with_response_stream(EndpointName="ep", Body=b"1")
    err = info.value.response["Error"]
    assert err["Code"] == "UnknownOperationException"
    assert "InvokeEndpointWithResponseStream is not supported" in err["Message"]


# ====================================================================== a crash leaves a traceback
def test_a_model_server_that_crashes_leaves_a_traceback_in_its_log(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(
        "import ctypes\n\ndef model_fn(model_dir):\n    return ctypes.string_at(0)\n"
    )
    (tmp_path / "model").mkdir()
    server = ModelServer(
        ModelSpec(str(tmp_path / "model"), "inference.py", str(code)),
        "ep/v/0",
        tmp_path / "logs",
        startup_timeout=60,
    )
    with pytest.raises(ModelServerError, match="exited with code -11"):
        server.start()
    log = server.log_path.read_text()
    assert "Fatal Python error: Segmentation fault" in log
    assert 'inference.py", line 4 in model_fn' in log

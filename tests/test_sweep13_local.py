"""nbcheck13, what needs no endpoint service:

- F12: ``amtune.LocalSession``, ``amtune.local.LocalSession`` and
  ``amtune.local.local_session.LocalSession`` (the SDK's local-mode session);
- F13: a relative ``file://`` URL as model data is the current directory's file, as SageMaker's
  local mode reads it (host and path joined); F14: a single model file is served from its
  directory;
- F9: the SDK Session's S3 helpers (``upload_string_as_file_body``, ``read_s3_file``,
  ``list_s3_files``, ``download_data``) on the local bucket directory, and ``expand_role``.
"""

from __future__ import annotations

import os
import tarfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

import amtune
from amtune.sagemaker.session import _absolute_container


# ---------------------------------------------------------------------------------------- F12
def test_local_session_import_paths() -> None:
    import amtune.local
    import amtune.local.local_session
    from amtune.local import LocalSession

    assert amtune.LocalSession is LocalSession is amtune.local.local_session.LocalSession
    assert "LocalSession" in amtune.__all__
    assert issubclass(LocalSession, amtune.Session)


def test_local_session_is_a_session_with_a_config(tmp_path: Path) -> None:
    sess = amtune.LocalSession(db=tmp_path / "amtune.db")
    assert sess.config is None and sess.local_mode is True
    cfg = {"local": {"local_code": True}}
    sess.config = cfg  # what every aws-samples/amazon-sagemaker-local-mode script does
    assert sess.config is cfg
    sess.config = {"local": {"local_code": False, "serving_port": 8080, "region_name": "x"}}
    sess.config = None
    # the SDK's local-mode schema: exactly "local", its known keys and their types
    for bad, rule in (
        ({"local_code": True}, "the one key 'local'"),
        ({"local": {"local_code": "yes"}}, r"\['local_code'\]: must be a bool"),
        ({"local": {"serving_port": True}}, r"\['serving_port'\]: must be a int"),
        ({"local": {"gpu": True}}, "unknown key 'gpu'"),
        ({"local": 1}, r"config\['local'\]: must be a dict"),
    ):
        with pytest.raises(ValueError, match=rule):
            sess.config = bad
    # otherwise a normal amtune Session
    assert sess.default_bucket() == str(tmp_path / "amtune-bucket")
    assert amtune.Session(db=tmp_path / "amtune.db").config is None  # the SDK's Session has it too


def test_local_session_takes_the_sdks_arguments(tmp_path: Path) -> None:
    class Boto:
        region_name = "eu-west-1"

    bucket = tmp_path / "bucket"
    sess = amtune.LocalSession(Boto(), str(bucket), db=tmp_path / "amtune.db")
    assert sess.boto_region_name == "eu-west-1"
    assert sess.default_bucket() == str(bucket)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        amtune.LocalSession(disable_local_code=False, db=tmp_path / "amtune.db")  # no warning
    from amtune.local import IgnoredArgumentWarning

    with pytest.warns(IgnoredArgumentWarning) as rec:
        sess = amtune.LocalSession(
            s3_endpoint_url="http://localhost:9000",
            disable_local_code=True,
            default_bucket_prefix="p",
            db=tmp_path / "amtune.db",
        )
    (w,) = rec
    assert "s3_endpoint_url" in str(w.message) and "disable_local_code" in str(w.message)
    assert "default_bucket_prefix" in str(w.message)
    assert Path(w.filename).resolve() == Path(__file__).resolve()  # points at the caller
    assert sess.s3_endpoint_url == "http://localhost:9000"
    with pytest.raises(TypeError):
        amtune.LocalSession(sagemaker_client=object())  # type: ignore[call-arg]  # not the SDK's


# ---------------------------------------------------------------------------------- F13, F14
@pytest.fixture
def model_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dummy.model").write_text("x")
    with tarfile.open(tmp_path / "model.tar.gz", "w:gz") as t:
        t.add(tmp_path / "dummy.model", "dummy.model")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "my-xgboost-model").write_text("booster")
    return tmp_path


def test_relative_file_urls_resolve_as_in_local_mode(model_files: Path) -> None:
    sess = amtune.Session(db=model_files / "amtune.db")
    tar = str(model_files / "model.tar.gz")
    for url, want in (
        ("file://model.tar.gz", tar),  # was the current directory: the wrong model served
        ("file://./model.tar.gz", tar),  # was /model.tar.gz
        ("./model.tar.gz", tar),
        (f"file://{tar}", tar),  # file:///abs stays absolute
        ("file://model", str(model_files / "model")),
        ("file://model/my-xgboost-model", str(model_files / "model" / "my-xgboost-model")),
    ):
        m = amtune.Model("sagemaker-xgboost:1.7-1", model_data=url, sagemaker_session=sess)
        assert m.model_data == want, url
    with pytest.raises(ValueError, match=r"model_data: no such file or directory: model\.tgz"):
        amtune.Model("img", model_data="file://model.tgz", sagemaker_session=sess)


def test_a_single_model_file_is_served_from_its_directory(model_files: Path) -> None:
    sess = amtune.Session(db=model_files / "amtune.db")
    m = amtune.Model(
        "sagemaker-xgboost:1.7-1",
        model_data="file://model/my-xgboost-model",
        sagemaker_session=sess,
    )
    # the model directory holds the file, as local mode mounts the file's directory
    assert m.prepare_container_def()["ModelDataUrl"] == str(model_files / "model")
    tar = amtune.Model("img", model_data="model.tar.gz", sagemaker_session=sess)
    assert tar.prepare_container_def()["ModelDataUrl"] == str(model_files / "model.tar.gz")


def test_session_create_model_resolves_relative_file_urls(model_files: Path) -> None:
    c = _absolute_container(
        {
            "ModelDataUrl": "file://model/my-xgboost-model",
            "Environment": {"SAGEMAKER_SUBMIT_DIRECTORY": "file://model"},
        }
    )
    assert c["ModelDataUrl"] == str(model_files / "model")
    assert c["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == str(model_files / "model")
    assert _absolute_container({"ModelDataUrl": "file://./model.tar.gz"})["ModelDataUrl"] == str(
        model_files / "model.tar.gz"
    )
    assert _absolute_container({"ModelDataUrl": "s3://b/m.tar.gz"})["ModelDataUrl"] == (
        "s3://b/m.tar.gz"  # the service refuses it with a FailureReason
    )


# ---------------------------------------------------------------------------- F9 (no service)
def test_session_s3_helpers_on_the_local_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sess = amtune.Session(db=tmp_path / "amtune.db")
    bucket = sess.default_bucket()
    p = sess.upload_string_as_file_body("1,2\n", bucket, "data/train.csv")
    assert p == os.path.join(bucket, "data", "train.csv")
    assert sess.read_s3_file(bucket, "data/train.csv") == "1,2\n"
    sess.upload_string_as_file_body("3", bucket, "data/train/part-0.csv")
    sess.upload_string_as_file_body("4", bucket, "data/test.csv", kms_key="k")
    sess.upload_string_as_file_body("5", None, "other/x.csv")  # None: the default bucket
    # keys as S3 lists a prefix: every key that starts with it
    assert sess.list_s3_files(bucket, "data/tr") == ["data/train.csv", "data/train/part-0.csv"]
    assert sess.list_s3_files(bucket, "data/") == [
        "data/test.csv",
        "data/train.csv",
        "data/train/part-0.csv",
    ]
    assert sess.list_s3_files(bucket, "") == [
        "data/test.csv",
        "data/train.csv",
        "data/train/part-0.csv",
        "other/x.csv",
    ]
    assert sess.list_s3_files(bucket, "nothing/") == []
    # download_data names the copies by their key below the prefix ...
    got = sess.download_data(str(tmp_path / "dl"), bucket, "data/train/")
    assert got == [str(tmp_path / "dl" / "part-0.csv")]
    # ... or, when the prefix has an extension, by their base name (the SDK's rule)
    got = sess.download_data("dl2", bucket, "data/train.csv")
    assert got == [str(tmp_path / "dl2" / "train.csv")]
    assert (tmp_path / "dl2" / "train.csv").read_text() == "1,2\n"
    got = sess.download_data("dl3", bucket, "data/")
    assert sorted(os.path.relpath(f, tmp_path / "dl3") for f in got) == [
        "test.csv",
        "train.csv",
        os.path.join("train", "part-0.csv"),
    ]
    assert sess.download_data("dl4", bucket, "nothing/") == []  # as the SDK: nothing, no error
    # a missing file is S3's NoSuchKey, also a ValueError
    with pytest.raises(ValueError, match="key_prefix: no such file") as e:
        sess.read_s3_file(bucket, "data/missing.csv")
    assert getattr(e.value, "response", {}).get("Error", {}).get("Code") == "NoSuchKey"
    with pytest.raises(ValueError, match="bucket: must be a local directory"):
        sess.read_s3_file("s3://bucket", "k")
    with pytest.raises(ValueError, match="key: must be a non-empty object key"):
        sess.upload_string_as_file_body("x", bucket, "")
    with pytest.raises(ValueError, match="bucket: no such directory"):
        sess.list_s3_files(str(tmp_path / "no-bucket"), "")


def test_download_data_stays_inside_path(tmp_path: Path) -> None:
    sess = amtune.Session(db=tmp_path / "amtune.db")
    bucket = sess.default_bucket()
    sess.upload_string_as_file_body("a", bucket, "d/x.csv")
    sess.upload_string_as_file_body("b", bucket, "d/x/y.csv")
    # the SDK names "d/x.csv" below the prefix "d/x" as "../x.csv" and refuses it
    with pytest.raises(ValueError, match="outside path"):
        sess.download_data(str(tmp_path / "out"), bucket, "d/x")
    assert not (tmp_path / "out").exists()  # nothing copied


def test_expand_role(tmp_path: Path) -> None:
    sess = amtune.Session(db=tmp_path / "amtune.db")
    assert sess.expand_role("SageMakerRole") == "arn:aws:iam::123456789012:role/SageMakerRole"
    arn = "arn:aws:iam::111122223333:role/service-role/X"
    assert sess.expand_role(arn) == arn
    with pytest.raises(ValueError, match="role: must be a role name or ARN"):
        sess.expand_role("")


def test_the_service_reads_file_urls_and_single_files_as_local_mode(model_files: Path) -> None:
    """CreateModel through boto3 reaches the service as it is: the service reads a relative
    ``file://`` URL as host and path joined (it read ``file://model.tar.gz`` as its own working
    directory) and serves a single model file from its directory."""
    from amtune.serve.endpoints import _local_path, _unpack

    tar = model_files / "model.tar.gz"
    assert _local_path("file://model.tar.gz", "ModelDataUrl") == tar
    assert _local_path("file://./model.tar.gz", "ModelDataUrl") == tar
    assert _local_path(f"file://{tar}", "ModelDataUrl") == tar
    single = _local_path("file://model/my-xgboost-model", "ModelDataUrl")
    assert _unpack(single, model_files / "cache") == model_files / "model"
    assert (_unpack(tar, model_files / "cache") / "dummy.model").read_text() == "x"


def test_the_report_attributes_relative_file_urls(model_files: Path) -> None:
    from amtune.report.endpoints import _model_path

    request = {"PrimaryContainer": {"ModelDataUrl": "file://model/my-xgboost-model"}}
    assert _model_path(request) == model_files / "model" / "my-xgboost-model"


def test_transform_jobs_read_relative_file_urls_from_the_services_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative ``file://`` URL in a CreateTransformJob request is relative to the service's
    working directory, like a relative path (it was relative to wherever the process ran)."""
    from amtune.serve.transform_jobs_api import TransformJobsApi

    work = tmp_path / "service"
    (work / "data").mkdir(parents=True)
    (work / "data" / "x.csv").write_text("1\n")
    monkeypatch.chdir(tmp_path)  # another directory
    state = SimpleNamespace(path=tmp_path / "amtune.db")  # only its directory is read here
    api = TransformJobsApi(state, ValueError, workdir=work)  # type: ignore[arg-type]
    for uri in ("file://data/x.csv", "file://./data/x.csv", "data/x.csv"):
        assert api._local(uri, "S3Uri", must_exist=True) == str(work / "data" / "x.csv"), uri
    assert api._local(f"file://{work}/data/x.csv", "S3Uri", must_exist=True) == str(
        work / "data" / "x.csv"
    )

"""The built-in XGBoost algorithm behaves as the image version a job or model names: ``silent``
(accepted by the 0.72 ... 1.0-1 images), the real-time CSV answer (comma-joined up to 1.2-1, one
prediction per line from 1.2-2; one per line in a batch transform), and Parquet channels (every
``sagemaker-xgboost`` image, not the legacy ``xgboost:1``), as ``aws/sagemaker-xgboost-container``
does."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from builtin_helpers import classification, logged_metrics, run_inprocess, write_csv

xgb = pytest.importorskip("xgboost")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from amtune import image_uris  # noqa: E402
from amtune.builtin import algorithm  # noqa: E402
from amtune.builtin import xgboost as algo  # noqa: E402
from amtune.builtin.data import DataError, read_channel  # noqa: E402
from amtune.builtin.inference_io import BATCH_ENV, IMAGE_ENV  # noqa: E402
from amtune.builtin.xgboost_inference import serving_image  # noqa: E402
from amtune.builtin.xgboost_spec import (  # noqa: E402
    HYPERPARAMETERS_WITH_SILENT,
    CsvAnswer,
    image_version,
    split_image_option,
)
from amtune.sagemaker.train_request import builtin_command  # noqa: E402
from amtune.serve.endpoints import model_spec  # noqa: E402
from amtune.serve.handler import Handler  # noqa: E402

XGB_MODULE = "amtune.builtin.xgboost_inference"
ROWS = b"0.1,0.2,0.3\n0.9,0.2,0.3"
X_ROWS = np.array([[0.1, 0.2, 0.3], [0.9, 0.2, 0.3]])
SILENT_REFUSED = "hyperparameter 'silent': not a hyperparameter of xgboost (valid: "


def _uri(version: str) -> str:
    return image_uris.retrieve("xgboost", "us-east-1", version)


# ====================================================================== versions
COMMA, PER_ACCEPT = CsvAnswer.COMMA_JOINED, CsvAnswer.PER_ACCEPT


@pytest.mark.parametrize(
    ("tag", "silent", "csv", "parquet"),
    [
        ("1", True, COMMA, False),
        ("latest", True, COMMA, False),
        ("0.90-1", True, COMMA, True),
        ("0.90-2", True, COMMA, True),
        ("1.0-1", True, COMMA, True),
        ("1.2-1", False, COMMA, True),
        ("1.2-2", False, PER_ACCEPT, True),
        ("1.3-1", False, PER_ACCEPT, True),
        ("1.5-1", False, PER_ACCEPT, True),
        ("1.7-1", False, PER_ACCEPT, True),
        ("3.0-5", False, PER_ACCEPT, True),
        (None, False, PER_ACCEPT, True),
    ],
)
def test_what_each_image_version_does(
    tag: str | None, silent: bool, csv: CsvAnswer, parquet: bool
) -> None:
    v = image_version(tag)
    assert (v.accepts_silent, v.csv_answer, v.reads_parquet) == (silent, csv, parquet)


def test_a_malformed_version_is_refused() -> None:
    with pytest.raises(ValueError) as info:
        image_version("1.7")
    assert str(info.value) == (
        "XGBoost image version '1.7': expected '1' (the legacy image) or "
        "<major>.<minor>-<build> such as '1.7-1'"
    )


@pytest.mark.parametrize(
    ("image", "extra"),
    [
        (_uri("1.0-1"), ["--image-version=1.0-1"]),
        (_uri("1"), ["--image-version=1"]),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.2-2-cpu-py3",
            ["--image-version=1.2-2"],
        ),
        (_uri("1.7-1"), ["--image-version=1.7-1"]),
        (image_uris.retrieve("knn", "us-east-1"), []),
    ],
)
def test_the_training_command_carries_the_image_version(image: str, extra: list[str]) -> None:
    found = builtin_command(image)
    assert found is not None
    command, _ = found
    module = "amtune.builtin.xgboost" if extra else "amtune.builtin.knn"
    assert command == [sys.executable, "-m", module, *extra]


def test_split_image_option() -> None:
    assert split_image_option(["--image-version=0.90-2", "--eta", "0.1"]) == (
        "0.90-2",
        ["--eta", "0.1"],
    )
    assert split_image_option(["--eta", "0.1", "--image-version", "1"]) == ("1", ["--eta", "0.1"])
    assert split_image_option(["--eta", "0.1"]) == (None, ["--eta", "0.1"])


# ====================================================================== silent
def _params(hps: dict[str, str]) -> dict[str, object]:
    return algo.xgboost_params(HYPERPARAMETERS_WITH_SILENT.parse(hps, fill_defaults=False))[0]


def test_silent_maps_to_verbosity() -> None:
    assert _params({"num_round": "3", "silent": "1"}) == {"verbosity": 0}
    assert _params({"num_round": "3", "silent": "1", "verbosity": "2"}) == {"verbosity": 0}
    assert _params({"num_round": "3", "silent": "0"}) == {}
    assert _params({"num_round": "3", "silent": "0", "verbosity": "2"}) == {"verbosity": 2}


def _train_dir(tmp_path: Path, n: int = 80) -> Path:
    X, y = classification(n, d=3, seed=2)
    write_csv(tmp_path / "train" / "t.csv", X, y)
    return tmp_path / "train"


def _train(tmp_path: Path, tag: str | None, hps: dict[str, str], job: str = "job") -> int:
    return run_inprocess(
        functools.partial(algo.train, image_tag=tag),
        {"num_round": "2", **hps},
        {"train": _train_dir(tmp_path)},
        tmp_path / job,
    )


def _failure(tmp_path: Path, job: str = "job") -> str:
    return (tmp_path / job / "output" / "failure").read_text().strip()


@pytest.mark.parametrize("tag", ["1", "0.90-1", "0.90-2", "1.0-1"])
def test_silent_trains_on_the_images_before_1_2(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], tag: str
) -> None:
    assert _train(tmp_path, tag, {"silent": "1", "objective": "binary:logistic"}) == 0
    assert (tmp_path / "job" / "model" / "xgboost-model").is_file()
    assert "silent" not in capfd.readouterr().err  # XGBoost never saw it


@pytest.mark.parametrize("tag", ["1.2-1", "1.5-1", "1.7-1", None])
def test_silent_is_refused_from_1_2_on(tmp_path: Path, tag: str | None) -> None:
    assert _train(tmp_path, tag, {"silent": "1"}) == 1
    assert _failure(tmp_path).startswith(SILENT_REFUSED)


def test_silent_keeps_its_range(tmp_path: Path) -> None:
    assert _train(tmp_path, "1.0-1", {"silent": "2"}) == 1
    assert _failure(tmp_path) == "hyperparameter 'silent': must be an integer in [0, 1], got '2'"


def test_a_bad_image_version_fails_the_job(tmp_path: Path) -> None:
    assert _train(tmp_path, "1.x", {}) == 1
    assert _failure(tmp_path) == (
        "--image-version: XGBoost image version '1.x': expected '1' (the legacy image) or "
        "<major>.<minor>-<build> such as '1.7-1'"
    )


def _contract_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str]) -> Path:
    for k in [k for k in os.environ if k.startswith(("SM_", "AMTUNE_JOB"))]:
        monkeypatch.delenv(k)
    job = tmp_path / "job"
    monkeypatch.setenv("AMTUNE_JOB_DIR", str(job))
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(_train_dir(tmp_path)))
    monkeypatch.setattr(sys, "argv", ["xgboost", *argv])
    return job


def test_main_reads_the_option_and_leaves_the_hyperparameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no hyperparameters.json nor SM_HPS: the contract reads --name value arguments
    job = _contract_env(
        monkeypatch, tmp_path, ["--image-version=1.0-1", "--num_round", "2", "--silent", "1"]
    )
    assert algo.main() == 0
    assert (job / "model" / "xgboost-model").is_file()
    assert sys.argv == ["xgboost", "--num_round", "2", "--silent", "1"]


def test_main_without_the_option_is_the_default_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _contract_env(monkeypatch, tmp_path, ["--num_round", "2", "--silent", "1"])
    assert algo.main() == 1
    assert (job / "output" / "failure").read_text().startswith(SILENT_REFUSED)


# ====================================================================== Parquet
def _write_parquet(path: Path, X: np.ndarray, y: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(np.column_stack([y, X]), columns=["label", *map(str, range(X.shape[1]))])
    frame.to_parquet(path, engine="pyarrow", index=False)
    return path


def test_parquet_trains_as_csv_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    X, y = classification(300, d=4, seed=3)
    Xt, yt, Xv, yv = X[:200], y[:200], X[200:], y[200:]
    # a Spark-like directory: two parts and a _SUCCESS marker
    _write_parquet(tmp_path / "pq" / "train" / "part-0.parquet", Xt[:120], yt[:120])
    _write_parquet(tmp_path / "pq" / "train" / "part-1.parquet", Xt[120:], yt[120:])
    (tmp_path / "pq" / "train" / "_SUCCESS").write_bytes(b"")
    _write_parquet(tmp_path / "pq" / "validation" / "v.parquet", Xv, yv)
    write_csv(tmp_path / "csv" / "train" / "t.csv", Xt, yt)
    write_csv(tmp_path / "csv" / "validation" / "v.csv", Xv, yv)
    hps = {"num_round": "5", "objective": "binary:logistic", "eval_metric": "auc", "seed": "1"}

    def run(fmt: str, ctype: str) -> dict[str, list[float]]:
        base = tmp_path / fmt
        channels = {"train": base / "train", "validation": base / "validation"}
        code = run_inprocess(algo.train, hps, channels, tmp_path / f"job-{fmt}", {"train": ctype})
        out = capsys.readouterr().out
        assert code == 0
        assert (
            "as the sagemaker-xgboost:1.7-1 image: train 200 rows x 4 features, validation 100 rows"
            in out
        )
        return logged_metrics(out)

    got = run("pq", "application/x-parquet")
    assert got == run("csv", "text/csv")
    assert len(got["validation-auc"]) == 5


def test_parquet_is_found_without_a_content_type(tmp_path: Path) -> None:
    X, y = classification(40, d=3, seed=4)
    _write_parquet(tmp_path / "train" / "data", X, y)  # no extension: by the magic bytes
    ds = read_channel(tmp_path / "train", "train", parquet=True)
    assert (ds.n_rows, ds.n_features, ds.content_type) == (40, 3, "application/x-parquet")
    assert np.array_equal(ds.y, y) and np.array_equal(ds.dense(), X)
    with pytest.raises(DataError) as info:  # Linear Learner and k-NN read no Parquet
        read_channel(tmp_path / "train", "train", libsvm=False)
    assert str(info.value) == (
        f"channel 'train': {tmp_path / 'train' / 'data'} is a Parquet file, which this algorithm "
        f"does not read (text/csv or text/libsvm)"
    )


def _parquet_failure(
    tmp_path: Path,
    frames: dict[str, object],
    tag: str | None = None,
    ctype: str = "application/x-parquet",
) -> str:
    d = tmp_path / "train"
    d.mkdir(parents=True)
    for name, frame in frames.items():
        frame.to_parquet(d / name, engine="pyarrow", index=False)  # type: ignore[attr-defined]
    code = run_inprocess(
        functools.partial(algo.train, image_tag=tag),
        {"num_round": "2"},
        {"train": d},
        tmp_path / "job",
        {"train": ctype},
    )
    assert code == 1
    return _failure(tmp_path)


def test_parquet_rules(tmp_path: Path) -> None:
    good = pd.DataFrame({"y": [1.0, 0.0], "a": [0.5, 0.25], "b": [1, 2]})

    text = pd.DataFrame({"y": [1.0, 0.0], "a": ["x", "y"]})
    assert _parquet_failure(tmp_path / "1", {"p.parquet": text}) == (
        f"channel 'train': {tmp_path / '1' / 'train' / 'p.parquet'}: column 2 ('a') holds text, not "
        f"numbers (the label first, then the features; every column numeric)"
    )
    nan_label = pd.DataFrame({"y": [1.0, None], "a": [0.5, 0.25]})
    assert _parquet_failure(tmp_path / "2", {"p.parquet": nan_label}) == (
        f"channel 'train': {tmp_path / '2' / 'train' / 'p.parquet'}, row 2: the label (column 1) "
        f"is not a finite number: nan"
    )
    narrow = pd.DataFrame({"y": [1.0], "a": [0.5]})
    assert _parquet_failure(tmp_path / "3", {"a.parquet": good, "b.parquet": narrow}) == (
        f"channel 'train': {tmp_path / '3' / 'train' / 'b.parquet'}: 2 columns, but "
        f"{tmp_path / '3' / 'train' / 'a.parquet'} has 3 (the label first, then the features)"
    )
    assert _parquet_failure(tmp_path / "4", {"p.parquet": good}, ctype="text/x-parquet") == (
        "channel 'train': content type 'text/x-parquet' is not supported (text/csv, text/libsvm "
        "or application/x-parquet)"
    )
    assert _parquet_failure(tmp_path / "5", {"p.parquet": good}, tag="1") == (
        "channel 'train': content type 'application/x-parquet' is not supported by the "
        "xgboost:1 (XGBoost 0.72) image (text/csv or text/libsvm); Parquet channels need a "
        "sagemaker-xgboost image (0.90-1 or later)"
    )


def test_parquet_missing_features_are_nan(tmp_path: Path) -> None:
    frame = pd.DataFrame({"y": [1.0, 0.0, 1.0], "a": [0.5, None, 0.25]})
    _write_parquet(tmp_path / "t" / "p.parquet", frame[["a"]].to_numpy(), frame["y"].to_numpy())
    ds = read_channel(tmp_path / "t", "train", "parquet", allow_missing=True, parquet=True)
    assert np.isnan(ds.dense()[1, 0]) and ds.y.tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(DataError, match=r"p\.parquet, row 2: column 2 is null"):
        read_channel(tmp_path / "t", "train", "parquet", parquet=True)


def test_validation_parquet_must_match_the_train_features(tmp_path: Path) -> None:
    X, y = classification(30, d=3, seed=5)
    _write_parquet(tmp_path / "t" / "p.parquet", X, y)
    _write_parquet(tmp_path / "v" / "p.parquet", X[:, :2], y)
    code = run_inprocess(
        algo.train,
        {"num_round": "2"},
        {"train": tmp_path / "t", "validation": tmp_path / "v"},
        tmp_path / "job",
        {"train": "application/x-parquet"},
    )
    assert code == 1
    assert _failure(tmp_path) == (
        "channel 'validation': 2 feature columns, but the train channel has 3"
    )


def test_parquet_without_pyarrow_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = classification(10, d=2, seed=6)
    _write_parquet(tmp_path / "t" / "p.parquet", X, y)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(DataError) as info:
        read_channel(tmp_path / "t", "train", "application/x-parquet", parquet=True)
    assert str(info.value) == (
        "channel 'train': reading Parquet (application/x-parquet) needs the package 'pyarrow', "
        "which is not installed: pip install pyarrow"
    )


# ====================================================================== serving
@functools.cache
def _model_dir(root: Path, objective: str) -> Path:
    X = np.random.default_rng(0).random((60, 3))
    params: dict[str, object] = {"objective": objective}
    if objective.startswith("multi"):
        params["num_class"] = 2
    b = xgb.train(params, xgb.DMatrix(X, label=(X[:, 0] > 0.5).astype(float)), 3)
    d = root / objective.replace(":", "-")
    d.mkdir()
    (d / "xgboost-model").write_bytes(bytes(b.save_raw("ubj")))
    return d


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def _handler(
    models: Path,
    monkeypatch: pytest.MonkeyPatch,
    image: str | None,
    objective: str = "binary:logistic",
) -> Handler:
    if image is None:
        monkeypatch.delenv(IMAGE_ENV, raising=False)
    else:
        monkeypatch.setenv(IMAGE_ENV, image)
    monkeypatch.delenv(BATCH_ENV, raising=False)
    return Handler.load(_model_dir(models, objective), XGB_MODULE)


def _preds(h: Handler) -> list[object]:
    return h.model.predict(xgb.DMatrix(X_ROWS)).tolist()  # type: ignore[no-any-return]


OLD = [_uri("1"), _uri("0.90-1"), _uri("0.90-2"), _uri("1.0-1"), _uri("1.2-1")]
NEW = [_uri("1.2-2"), _uri("1.3-1"), _uri("1.5-1"), _uri("1.7-1"), None]


@pytest.mark.parametrize("image", OLD)
@pytest.mark.parametrize("accept", [None, "text/csv", "application/json", "text/plain"])
def test_old_images_answer_comma_joined_csv_whatever_the_accept(
    models: Path, monkeypatch: pytest.MonkeyPatch, image: str, accept: str | None
) -> None:
    h = _handler(models, monkeypatch, image)
    r = h.invoke(ROWS, "text/csv", accept)
    assert (r.status, r.content_type) == (200, "text/csv")
    assert r.body == ",".join(map(str, _preds(h))).encode()
    assert b"\n" not in r.body


@pytest.mark.parametrize("image", NEW)
def test_new_images_answer_one_prediction_per_line(
    models: Path, monkeypatch: pytest.MonkeyPatch, image: str | None
) -> None:
    h = _handler(models, monkeypatch, image)
    r = h.invoke(ROWS, "text/csv", "text/csv")
    assert (r.status, r.content_type) == (200, "text/csv")
    assert r.body == "".join(f"{p}\n" for p in _preds(h)).encode()
    assert h.invoke(ROWS, "text/csv", "application/json").content_type == "application/json"
    assert h.invoke(ROWS, "text/csv", "text/plain").status == 406


def test_old_images_join_rows_of_class_probabilities_as_lists(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = _handler(models, monkeypatch, _uri("1.0-1"), "multi:softprob")
    body = h.invoke(ROWS, "text/csv").body.decode()
    rows = _preds(h)
    assert body == f"{rows[0]},{rows[1]}"
    assert body.startswith("[") and body.count("[") == 2


@pytest.mark.parametrize("image", [OLD[0], OLD[-1], NEW[0], NEW[-1]])
def test_a_batch_transform_gets_one_prediction_per_line(
    models: Path, monkeypatch: pytest.MonkeyPatch, image: str | None
) -> None:
    h = _handler(models, monkeypatch, image)
    monkeypatch.setenv(BATCH_ENV, "True")
    r = h.invoke(ROWS, "text/csv", "text/csv")
    assert (r.status, r.content_type) == (200, "text/csv")
    assert r.body == "".join(f"{p}\n" for p in _preds(h)).encode()


def test_serving_image_of_the_model_server(tmp_path: Path) -> None:
    assert serving_image({IMAGE_ENV: _uri("0.90-2")}).tag == "0.90-2"
    assert serving_image({IMAGE_ENV: "sagemaker-xgboost:latest"}).tag == "1.7-1"
    assert (
        serving_image({IMAGE_ENV: "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-xgboost:3"}).tag
        == "1.7-1"
    )
    assert serving_image({IMAGE_ENV: image_uris.retrieve("knn", "us-east-1")}).tag == "1.7-1"
    assert serving_image(
        {IMAGE_ENV: "382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest"}
    ).legacy
    # CreateModel's Image reaches the inference module (endpoints and batch transform alike)
    (tmp_path / "m").mkdir()
    spec = model_spec(
        {"PrimaryContainer": {"Image": _uri("1.0-1"), "ModelDataUrl": str(tmp_path / "m")}},
        tmp_path / "cache",
    )
    assert (spec.program, spec.env[IMAGE_ENV]) == (XGB_MODULE, _uri("1.0-1"))
    assert algorithm("xgboost").inference_module == XGB_MODULE

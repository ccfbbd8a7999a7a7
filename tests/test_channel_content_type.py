"""A channel's ``ContentType`` (``TrainingInput(content_type=...)``, a request's
``InputDataConfig[*].ContentType``) reaches ``inputdataconfig.json`` and ``SM_INPUT_DATA_CONFIG``
as SageMaker writes them, and the built-in algorithms read it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from amtune.runners.environment import prepare_job_dir
from amtune.runners.spec import JobSpec
from amtune.sagemaker.toolkit import request_content_types

SCRIPT = textwrap.dedent(
    """
    import json, os
    with open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "inputdataconfig.json")) as f:
        idc = json.load(f)
    out = {"file": idc, "env": json.loads(os.environ["SM_INPUT_DATA_CONFIG"]),
           "channels": json.loads(os.environ["SM_CHANNELS"])}
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "seen.json"), "w") as f:
        json.dump(out, f)
    """
)


def test_request_content_types() -> None:
    idc = [
        {"ChannelName": "train", "ContentType": "text/csv; label_size=1"},
        {"ChannelName": "validation"},
        {"ChannelName": "test", "ContentType": ""},
        "not a channel",
    ]
    assert request_content_types(idc) == {"train": "text/csv; label_size=1"}
    assert request_content_types(None) == {}


def test_job_spec_content_types_reach_inputdataconfig(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    spec = JobSpec(
        "t", 1, "t-1", {}, tmp_path / "job", {"train": str(data), "validation": str(data)},
        content_types={"train": "libsvm", "gone": "text/csv"},
    )  # fmt: skip
    env = prepare_job_dir(spec)
    idc = json.loads((tmp_path / "job" / "input" / "config" / "inputdataconfig.json").read_text())
    assert idc["train"]["ContentType"] == "libsvm" and "ContentType" not in idc["validation"]
    assert set(idc) == {"train", "validation"}
    assert idc["train"]["TrainingInputMode"] == "File"
    assert json.loads(env["SM_INPUT_DATA_CONFIG"])["train"]["ContentType"] == "libsvm"


def test_training_input_content_type_reaches_the_script(tmp_path: Path) -> None:
    import amtune

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(SCRIPT)
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.csv").write_text("1,2\n")
    est = amtune.Estimator(
        entry_point="train.py", source_dir=str(src), db=tmp_path / "amtune.db", notices=False
    )
    est.fit(
        {"train": amtune.TrainingInput(str(data), content_type="text/csv"), "other": str(data)},
        job_name="ct",
        logs=False,
    )
    seen = json.loads((Path(est.model_data) / "seen.json").read_text())
    assert seen["file"]["train"]["ContentType"] == "text/csv"
    assert "ContentType" not in seen["file"]["other"]
    assert seen["env"] == seen["file"]
    assert sorted(seen["channels"]) == ["other", "train"]


def test_builtin_xgboost_reads_the_declared_content_type(tmp_path: Path) -> None:
    pytest.importorskip("xgboost")
    import amtune

    rng = np.random.default_rng(1)
    X = rng.random((80, 3))
    y = (X[:, 0] > 0.5).astype(int)
    data = tmp_path / "train"
    data.mkdir()
    # libsvm records in a file named .csv: sniffing by the extension would read it as CSV
    (data / "part.csv").write_text(
        "".join(f"{t} " + " ".join(f"{j}:{v:.4f}" for j, v in enumerate(r)) + "\n"
                for t, r in zip(y, X, strict=True))
    )  # fmt: skip
    est = amtune.Estimator(
        amtune.image_uris.retrieve("xgboost", None, "1.7-1"),
        db=tmp_path / "amtune.db",
        notices=False,
    )
    est.set_hyperparameters(objective="binary:logistic", num_round=2)
    chans = {
        "train": amtune.TrainingInput(str(data), content_type="text/x-libsvm"),
        "validation": str(data),  # read as the train channel's type, as the image does
    }
    est.fit(chans, job_name="xgb-libsvm", logs=False)
    assert est.describe()["TrainingJobStatus"] == "Completed"
    idc = est.describe()["InputDataConfig"]
    assert idc[0]["ContentType"] == "text/x-libsvm"


def test_a_tuning_jobs_training_jobs_see_it_also_after_attach(tmp_path: Path) -> None:
    import amtune

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(SCRIPT + 'print("loss: 1.0")\n')
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.csv").write_text("1,2\n")
    est = amtune.Estimator(
        entry_point="train.py",
        source_dir=str(src),
        metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}],
        db=tmp_path / "amtune.db",
        notices=False,
    )
    tuner = amtune.HyperparameterTuner(
        est, "loss", {"x": amtune.ContinuousParameter(0.0, 1.0)}, max_jobs=1, quiet=True
    )
    tuner.fit({"train": amtune.TrainingInput(str(data), content_type="text/csv")}, job_name="tct")
    (job,) = tuner.analytics()["TrainingJobName"]
    model = Path(
        amtune.HyperparameterTuner.attach("tct", db=tmp_path / "amtune.db")
        .best_estimator()
        .model_data
    )
    seen = json.loads((model / "seen.json").read_text())
    assert seen["file"]["train"]["ContentType"] == "text/csv", job
    attached = amtune.HyperparameterTuner.attach("tct", db=tmp_path / "amtune.db")
    assert attached.content_types == {"train": "text/csv"}  # kept in the store for a resume

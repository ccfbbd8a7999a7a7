"""A relative ``output_path`` (plain or a ``file://`` URL) is taken from the caller's directory,
as SageMaker's local mode reads it (``file://model/`` is ``./model``), so that the training
script, which runs in its code directory, gets channel and model paths that exist (notebook
sweep 13, aws-samples/amazon-sagemaker-local-mode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amtune.sagemaker.inputs import local_output_dir
from amtune.sklearn import SKLearn

SHOW = """\
import os, sys
for var in ("SM_CHANNEL_TRAIN", "SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR"):
    if not os.path.isdir(os.environ[var]):
        sys.exit(f"{var} {os.environ[var]} does not exist from {os.getcwd()}")
print("loss: 1")
"""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("file://model/", "model"),
        ("file://./model", "model"),
        ("relmodel", "relmodel"),
        ("file://a/b", "a/b"),
    ],
)
def test_relative_locations_are_taken_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert local_output_dir(given, "output_path") == str(tmp_path / expected)


def test_absolute_locations_and_s3_uris(tmp_path: Path) -> None:
    assert local_output_dir(f"file://{tmp_path}/out", "output_path") == f"{tmp_path}/out"
    assert local_output_dir(str(tmp_path), "output_path") == str(tmp_path)
    with pytest.raises(ValueError, match="output_path: an S3 output location is not available"):
        local_output_dir("s3://bucket/out", "output_path")


@pytest.mark.parametrize("given", ["file://model/", "relmodel"])
def test_a_script_mode_job_with_a_relative_output_path_finds_its_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code = tmp_path / "code"
    code.mkdir()
    (code / "show.py").write_text(SHOW)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1,2\n")
    est = SKLearn(
        entry_point="show.py",
        source_dir=str(code),
        output_path=given,
        metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}],
        db=tmp_path / "a.db",
        notices=False,
    )
    est.fit({"train": "data"}, logs=False, job_name="rel")
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    model = Path(d["ModelArtifacts"]["S3ModelArtifacts"])
    root = tmp_path / given.removeprefix("file://").strip("/")
    assert model.is_relative_to(root)
    assert not (tmp_path / "file:").exists()
    # describe() reports the location as given, as SageMaker does
    assert d["OutputDataConfig"]["S3OutputPath"] == given
    assert os.path.isabs(est.output_path)

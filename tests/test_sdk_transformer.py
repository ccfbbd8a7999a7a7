"""Batch transform with the SDK's names: ``Transformer``, ``Model.transformer()`` and
``estimator.transformer()``, with the models kept by an endpoint service on 127.0.0.1 (control
plane only: the transform runs in this process)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
from transform_helpers import INFERENCE, threshold_model, threshold_service

import amtune

TRAIN = textwrap.dedent(
    """
    import json, os
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"threshold": 0.5}, f)
    print("done")
    """
)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, amtune.Session]]:
    files = {"a.csv": "0.1,1\n0.9,2\n\n0.7,3\n", "sub/b.csv": "0.6,1\n"}
    with threshold_service(tmp_path, files) as session:
        yield tmp_path, session


def test_model_transformer_writes_out_files_as_sagemaker(
    setup: tuple[Path, amtune.Session],
) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(
        1, "ml.m5.xlarge", assemble_with="Line", accept="text/csv"
    )
    t.transform(str(root / "batch"), content_type="text/csv", split_type="Line")
    job = t.latest_transform_job
    assert job is not None and job.describe()["TransformJobStatus"] == "Completed"
    assert t.output_path == str(Path(s.default_bucket()) / job.job_name)
    out = Path(t.output_path)
    assert (out / "a.csv.out").read_text() == "0\n1\n1\n"
    assert (out / "sub" / "b.csv.out").read_text() == "1\n"
    # the SDK's default (no split): the whole file is one request, its answer the output
    t2 = amtune.Transformer(
        t.model_name,
        1,
        "ml.m5.xlarge",
        accept="application/json",
        sagemaker_session=s,
        output_path=str(root / "whole"),
    )
    t2.transform(str(root / "batch" / "a.csv"), content_type="text/csv", wait=False)
    t2.wait()
    assert (root / "whole" / "a.csv.out").read_text() == "[0, 1, 1]"
    # SingleRecord: one request per record
    t3 = amtune.Transformer(
        t.model_name,
        1,
        "ml.m5.xlarge",
        strategy="SingleRecord",
        assemble_with="Line",
        accept="application/json",
        sagemaker_session=s,
        output_path=str(root / "single"),
    )
    t3.transform(str(root / "batch" / "a.csv"), content_type="text/csv", split_type="Line")
    assert (root / "single" / "a.csv.out").read_text() == "[0]\n[1]\n[1]\n"


def test_failed_transform_raises_the_sdks_exception(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    (root / "bad.csv").write_text("fail,1\n")
    t = threshold_model(root, s).transformer(1, "ml.m5.xlarge")
    with pytest.raises(amtune.UnexpectedStatusException, match=r"Transform job .*cannot read"):
        t.transform(str(root / "bad.csv"), content_type="text/csv")
    assert t.latest_transform_job is not None
    assert t.latest_transform_job.describe()["TransformJobStatus"] == "Failed"


def test_transform_arguments_are_checked(setup: tuple[Path, amtune.Session]) -> None:
    root, s = setup
    t = threshold_model(root, s).transformer(1, "ml.m5.xlarge")
    with pytest.raises(ValueError, match="data: must be a local file or directory"):
        t.transform("s3://bucket/batch")
    with pytest.raises(ValueError, match="split_type: must be one of"):
        t.transform(str(root / "batch"), split_type="RecordIO")
    with pytest.raises(ValueError, match="join_source: not supported"):
        t.transform(str(root / "batch"), join_source="Input")
    with pytest.raises(ValueError, match="No transform job available"):
        t.wait()
    with pytest.raises(ValueError, match="assemble_with: must be one of"):
        amtune.Transformer("m", 1, "ml.m5.xlarge", assemble_with="Lines", sagemaker_session=s)


def test_estimator_transformer_serves_the_entry_point(
    setup: tuple[Path, amtune.Session],
) -> None:
    root, _ = setup
    (root / "code" / "train.py").write_text(TRAIN + INFERENCE)
    (root / "code" / "inference.py").unlink()  # the entry point serves, as deploy() does
    (root / "train").mkdir()
    (root / "train" / "x.csv").write_text("1\n")
    est = amtune.SKLearn(
        entry_point="train.py",
        source_dir=str(root / "code"),
        framework_version="1.2-1",
        instance_type="ml.c4.xlarge",
        role="role",
        db=root / "amtune.db",
        notices=False,
    )
    est.fit({"train": str(root / "train")}, logs=False)
    transformer = est.transformer(instance_count=1, instance_type="ml.m5.xlarge")
    transformer.transform(str(root / "batch"), content_type="text/csv", split_type="Line")
    transformer.wait()
    assert Path(transformer.output_path, "a.csv.out").read_text() == "[0, 1, 1]"
    assert transformer.model_name == est.latest_training_job.name

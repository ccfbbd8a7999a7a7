"""Job directories (issue 10, items 6 and 10): an ``output_path`` that is a file and a missing
``working_dir`` are config errors naming the field; a job directory that leads out of the jobs
root through a symlink is refused."""

import os
import sys

import pytest

from amtune.config.loader import ConfigError, load_config
from amtune.errors import FieldError
from amtune.sagemaker.exceptions import UnexpectedStatusException

YAML = """\
name: j
objective: {metric: loss, type: Minimize}
max_jobs: 1
hyperparameters: {x: {type: Continuous, min: 0, max: 1}}
metric_definitions: [{Name: loss, Regex: 'loss=(\\S+)'}]
command: python t.py
"""


def test_output_path_that_is_a_file(tmp_path, make_tuner):
    (tmp_path / "afile").write_text("")
    with pytest.raises(FieldError, match=r"^output_path: must be a directory"):
        make_tuner(output_path=tmp_path / "afile")
    p = tmp_path / "job.yaml"
    p.write_text(YAML + "output_path: afile\n")
    with pytest.raises(ConfigError, match=r"^output_path: must be a directory"):
        load_config(p)


def test_a_missing_working_dir(tmp_path, make_tuner):
    with pytest.raises(FieldError, match=r"^working_dir: must be an existing directory"):
        make_tuner(working_dir=tmp_path / "nowhere")
    p = tmp_path / "job.yaml"
    p.write_text(YAML + "working_dir: nowhere\n")
    with pytest.raises(ConfigError, match=r"^working_dir: must be an existing directory"):
        load_config(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["job.yaml"]


def test_a_path_with_a_nul_names_the_field(tmp_path):
    p = tmp_path / "job.yaml"
    p.write_text(YAML + 'working_dir: "a\\0b"\n')
    with pytest.raises(ConfigError, match=r"^working_dir: .*NUL"):
        load_config(p)


@pytest.mark.parametrize("link", ["tuning", "training"])
def test_a_job_directory_that_leaves_the_jobs_root_is_refused(tmp_path, link):
    import amtune
    from amtune.tuning.tuner import HyperparameterTuner

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "store" / "amtune-jobs"
    t = HyperparameterTuner(
        "loss",
        {"x": amtune.CategoricalParameter(["1"])},
        metric_definitions=[{"Name": "loss", "Regex": r"loss=(\S+)"}],
        strategy="Grid",
        max_jobs=1,
        objective_type="Minimize",
        db=tmp_path / "store" / "amtune.db",
        quiet=True,
    )
    cmd = [sys.executable, "-c", "print('loss=1')"]
    root.mkdir(parents=True)
    if link == "tuning":
        os.symlink(outside, root / "sym")
    else:  # the training job's own directory (its name is a function of its inputs)
        from types import SimpleNamespace

        from amtune.tuning.driver import Driver

        name = Driver._job_name(SimpleNamespace(name="sym"), 1, {"x": "1"})
        (root / "sym").mkdir()
        os.symlink(outside, root / "sym" / name)
    with pytest.raises(UnexpectedStatusException, match="leads out of"):
        t.fit(cmd, job_name="sym")  # its only training job failed: the tuning job is Failed
    (row,) = t.store.training_jobs("sym")
    assert row["status"] == "Failed" and "leads out of" in row["failure_reason"]
    assert list(outside.iterdir()) == []

"""Job directories (issue 10, items 6 and 10): an ``output_path`` that is a file and a missing
``working_dir`` are config errors naming the field; a job directory that leads out of the jobs
root through a symlink is refused."""

import os
import sys

import pytest

from amtune.config.loader import ConfigError, load_config
from amtune.errors import FieldError

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
    with pytest.raises(FieldError, match="^output_path: must be a directory"):
        make_tuner(output_path=tmp_path / "afile")
    p = tmp_path / "job.yaml"
    p.write_text(YAML + "output_path: afile\n")
    with pytest.raises(ConfigError, match="^output_path: must be a directory"):
        load_config(p)


def test_a_missing_working_dir(tmp_path, make_tuner):
    with pytest.raises(FieldError, match="^working_dir: must be an existing directory"):
        make_tuner(working_dir=tmp_path / "nowhere")
    p = tmp_path / "job.yaml"
    p.write_text(YAML + "working_dir: nowhere\n")
    with pytest.raises(ConfigError, match="^working_dir: must be an existing directory"):
        load_config(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["job.yaml"]


def test_a_path_with_a_nul_names_the_field(tmp_path):
    p = tmp_path / "job.yaml"
    p.write_text(YAML + 'working_dir: "a\\0b"\n')
    with pytest.raises(ConfigError, match="^working_dir: .*NUL"):
        load_config(p)

"""Names are checked with full matches (issue 10, item 7): ``abc\\n`` is not a valid name."""

import pytest

import amtune
from amtune.config.loader import ConfigError, load_config
from amtune.errors import FieldError


def test_a_tuning_job_name_ending_in_a_newline_is_rejected(make_tuner, tmp_path):
    t = make_tuner(max_jobs=1)
    with pytest.raises(FieldError, match=r"^job_name:"):
        t.fit(lambda hp, r: 0.0, job_name="abc\n")
    assert not (tmp_path / "amtune-jobs").exists()


def test_a_channel_name_ending_in_a_newline_is_rejected(make_tuner, tmp_path):
    with pytest.raises(FieldError, match=r"^channels:"):
        make_tuner(channels={"train\n": str(tmp_path)})


@pytest.mark.parametrize(
    ("yaml_edit", "field"),
    [('name: "abc\\n"', "name"), ('channels: {"train\\n": "."}', "channels")],
)
def test_config_names_ending_in_a_newline_are_rejected(tmp_path, yaml_edit, field):
    p = tmp_path / "job.yaml"
    p.write_text(
        "objective: {metric: loss, type: Minimize}\nmax_jobs: 1\n"
        "hyperparameters: {x: {type: Continuous, min: 0, max: 1}}\n"
        "metric_definitions: [{Name: loss, Regex: 'loss=(\\S+)'}]\ncommand: python t.py\n"
        + yaml_edit
        + "\n"
    )
    with pytest.raises(ConfigError, match=rf"^{field}"):
        load_config(p)
    assert amtune  # the package imports

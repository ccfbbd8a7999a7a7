"""What a process launch cannot carry is refused at validation, naming the field, before anything
is written; a launch that raises anyway is a Failed training job (issue 10, items 4 and 12)."""

import os
import sys

import pytest

import amtune
from amtune.config.loader import ConfigError, load_config
from amtune.errors import FieldError
from amtune.runners.command import CommandRunner
from amtune.runners.events import JobEnded
from amtune.runners.spec import JobSpec

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}


@pytest.mark.parametrize(
    ("kwargs", "path", "rule"),
    [
        ({"static_hyperparameters": {"a=b": 1}}, r"static_hyperparameters\['a=b'\]", "'='"),
        ({"static_hyperparameters": {"a": "v\0"}}, r"static_hyperparameters\['a'\]", "NUL"),
        ({"static_hyperparameters": {"X": 1}}, r"static_hyperparameters\['X'\]", "SM_HP_X"),
        ({"env": {"A=B": "1"}}, r"env\['A=B'\]", "'='"),
        ({"env": {"A": "1\0"}}, r"env\['A'\]", "NUL"),
        ({"env": {"A\0": "1"}}, r"env\['A\\x00'\]", "NUL"),
        (
            {"hyperparameter_ranges": {"x": amtune.CategoricalParameter(["a", "b\0"])}},
            r"hyperparameter_ranges\['x'\]\.values\[1\]",
            "NUL",
        ),
        (
            {"hyperparameter_ranges": {"x=y": amtune.ContinuousParameter(0.0, 1.0)}},
            r"hyperparameter_ranges\['x=y'\]",
            "'='",
        ),
    ],
)
def test_unlaunchable_inputs_are_rejected_by_the_tuner(make_tuner, tmp_path, kwargs, path, rule):
    kwargs.setdefault("hyperparameter_ranges", X)
    ranges = kwargs.pop("hyperparameter_ranges")
    with pytest.raises(FieldError, match=rf"^{path}: .*{rule}"):
        make_tuner(ranges=ranges, **kwargs)
    assert not (tmp_path / "amtune.db").exists()


def test_channels_that_differ_only_in_case_are_rejected(make_tuner, tmp_path):
    with pytest.raises(FieldError, match=r"^channels\['TRAIN'\]: .*SM_CHANNEL_TRAIN"):
        make_tuner(channels={"train": str(tmp_path), "TRAIN": str(tmp_path)})


YAML = """\
name: j
objective: {metric: loss, type: Minimize}
max_jobs: 1
hyperparameters: {x: {type: Continuous, min: 0, max: 1}}
metric_definitions: [{Name: loss, Regex: 'loss=(\\S+)'}]
command: python t.py
"""


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('env: {"A=B": "1"}', r"^env\['A=B'\]: "),
        ('env: {"A": "x\\0"}', r"^env\['A'\]: .*NUL"),
        ('static_hyperparameters: {"k=v": 1}', r"^static_hyperparameters\['k=v'\]: "),
        ("static_hyperparameters: {X: 1}", r"^static_hyperparameters\['X'\]: .*SM_HP_X"),
        ("channels: {a: ., A: .}", r"^channels\['A'\]: .*SM_CHANNEL_A"),
    ],
)
def test_config_files_name_the_field(tmp_path, extra, field):
    p = tmp_path / "job.yaml"
    p.write_text(YAML + extra + "\n")
    with pytest.raises(ConfigError, match=field):
        load_config(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["job.yaml"]


def test_a_launch_that_raises_is_a_failed_training_job(tmp_path):
    """Whatever Popen raises (here a NUL byte it refuses) ends the job as Failed with the
    reason, it never reaches the driver as an exception."""
    events = []

    class Q:
        def put(self, ev):
            events.append(ev)

    runner = CommandRunner([sys.executable, "-c", "pass"], [{"Name": "m", "Regex": "m=(1)"}])
    spec = JobSpec("t", 1, "t-1", {"x": "bad\0value"}, tmp_path / "t-1", {}, 1)
    handle = runner.start(spec, Q())
    assert not handle.alive()
    (ev,) = events
    assert isinstance(ev, JobEnded) and not ev.outcome.ok
    assert (
        "could not start" in ev.outcome.failure_reason and "null byte" in ev.outcome.failure_reason
    )
    assert os.path.exists(tmp_path / "t-1" / "train.log")

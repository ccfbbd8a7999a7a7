"""Smaller input defects (issue 10, item 12): control characters escaped in human-readable
output, duplicate keys rejected, AMTUNE_NUM_THREADS checked, the nested field named."""

import copy
import json

import pytest

import amtune
from amtune.cli import main
from amtune.config.loader import ConfigError, load_config, parse_config

ESC = "\x1b[2J\x1b[31m"


def _hostile_job(make_tuner):
    t = make_tuner(
        ranges={"opt": amtune.CategoricalParameter([f"a{ESC}", "b\r"])},
        strategy="Grid",
        max_jobs=2,
    )

    def train(hp, reporter):
        if hp["opt"] == "b\r":
            raise RuntimeError(f"bad {ESC}")
        return 1.0

    t.fit(train, job_name="esc")
    return t


@pytest.mark.parametrize("cmd", [["jobs", "esc"], ["describe", "esc"], ["list"]])
def test_control_characters_are_escaped(make_tuner, tmp_path, capsys, cmd):
    _hostile_job(make_tuner)
    assert main([*cmd, "--db", str(tmp_path / "amtune.db")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out
    if cmd[0] == "jobs":
        assert "\\x1b[2J" in out and "b\\r" in out


def test_printable():
    from amtune.text import printable

    assert printable("a\x1b[0mb\x07\u202e") == "a\\x1b[0mb\\x07\\u202e"
    assert printable("ok é ✓") == "ok é ✓"


YAML = """\
name: j
objective: {metric: loss, type: Minimize}
max_jobs: 1
hyperparameters: {x: {type: Continuous, min: 0, max: 1}}
metric_definitions: [{Name: loss, Regex: 'loss=(\\S+)'}]
command: python t.py
"""


def test_duplicate_yaml_keys_are_rejected(tmp_path):
    p = tmp_path / "job.yaml"
    p.write_text(YAML + "max_jobs: 5\n")
    with pytest.raises(ConfigError, match=r"^max_jobs: this key is given twice.*line 7"):
        load_config(p)
    p.write_text(YAML.replace("{x: {type", "{x: {type: Continuous, type"))
    with pytest.raises(ConfigError, match=r"^type: this key is given twice"):
        load_config(p)


def test_duplicate_json_keys_are_rejected(tmp_path):
    p = tmp_path / "job.json"
    p.write_text('{"name": "a", "name": "b"}')
    with pytest.raises(ConfigError, match=r"^name: this key is given twice"):
        load_config(p)


def test_a_bad_amtune_num_threads_names_the_variable(monkeypatch):
    monkeypatch.setenv("AMTUNE_NUM_THREADS", "abc")
    space = amtune.SearchSpace({"x": amtune.ContinuousParameter(0.0, 1.0)})
    with pytest.raises(ValueError, match=r"^AMTUNE_NUM_THREADS: .*positive integer.*'abc'"):
        amtune.Optimizer(space, strategy="Bayesian")


def test_categorical_values_error_names_the_field(tmp_path):
    from test_config import SM

    doc = copy.deepcopy(SM)
    doc["HyperParameterTuningJobConfig"]["ParameterRanges"]["CategoricalParameterRanges"][0][
        "Values"
    ] = "abc"
    (tmp_path / "data" / "train").mkdir(parents=True)
    with pytest.raises(
        ConfigError, match=r"ParameterRanges\.CategoricalParameterRanges\[0\]\.Values: "
    ):
        parse_config(json.loads(json.dumps(doc)), tmp_path)

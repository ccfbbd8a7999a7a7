"""Metric regexes cannot freeze the driver (issue 10, item 3): RE2 matches in linear time, and a
regex RE2 cannot compile is a config error naming the metric definition."""

import subprocess
import sys
import textwrap

import pytest

from amtune.errors import FieldError
from amtune.metrics import MetricParser

HOSTILE = textwrap.dedent("""
    from amtune.metrics import MetricParser
    p = MetricParser([{"Name": "val_loss", "Regex": r"val_loss=((\\d+)+)x"}])
    for n in (30, 40, 10_000):
        assert p.parse_line("val_loss=" + "1" * n) == ([], [])
    assert p.parse_line("val_loss=" + "1" * 30 + "x") == ([("val_loss", float("1" * 30))], [])
    print("ok")
""")


def test_a_backtracking_regex_matches_in_linear_time():
    # With a backtracking engine the first line takes ~2^30 steps (hours) holding the GIL.
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize(
    ("regex", "why"),
    [(r"(a)\1", "invalid escape sequence"), (r"(?<=loss=)(\d+)", "invalid perl operator")],
)
def test_a_regex_re2_cannot_compile_names_the_definition(regex, why):
    defs = [{"Name": "ok", "Regex": "a=(1)"}, {"Name": "bad", "Regex": regex}]
    with pytest.raises(
        FieldError, match=rf"^metric_definitions\[1\]\.Regex: does not compile.*{why}.*metric 'bad'"
    ):
        MetricParser(defs)


def test_a_config_with_such_a_regex_fails_before_anything_is_written(tmp_path):
    from amtune.config.loader import ConfigError, load_config

    p = tmp_path / "job.yaml"
    p.write_text(
        "name: j\nobjective: {metric: loss, type: Minimize}\nmax_jobs: 1\n"
        "hyperparameters: {x: {type: Continuous, min: 0, max: 1}}\n"
        "metric_definitions: [{Name: loss, Regex: '(l)\\1=(\\d+)'}]\ncommand: python t.py\n"
    )
    with pytest.raises(
        ConfigError, match=r"metric_definitions\[0\]\.Regex: does not compile.*metric 'loss'"
    ):
        load_config(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["job.yaml"]

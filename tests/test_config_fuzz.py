"""Config loading fuzzed (issue 10): any document gives one clear error naming a field (a
``ConfigError``) or a valid job; never another exception, never a file written."""

import copy
import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_config import AMTUNE_YAML, SM

from amtune.config.loader import ConfigError, JobConfig, load_config

AMTUNE = yaml.safe_load(AMTUNE_YAML)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "1e400", "Logarithmic", "a=b", "x\0y", "../..", "\x1b[2J"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(doc, prefix=()):
    """Every path to a value in a document (dict keys and list indices)."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated(draw):
    """A valid config of either shape with a few values replaced, keys deleted or added."""
    doc = copy.deepcopy(draw(st.sampled_from([SM, AMTUNE])))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(documents)
        else:
            parent[path[-1]] = draw(documents)
    return doc


def _check(doc, suffix):
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        (base / "data" / "train").mkdir(parents=True)
        p = base / f"job{suffix}"
        try:
            text = json.dumps(doc) if suffix == ".json" else yaml.safe_dump(doc)
        except (ValueError, yaml.YAMLError):
            return  # not representable in that format (e.g. NaN in strict JSON)
        p.write_text(text)
        before = sorted(os.walk(base))
        try:
            cfg = load_config(p)
        except ConfigError as exc:
            assert isinstance(exc.path, str) and exc.path, exc
            assert isinstance(exc.rule, str) and exc.rule, exc
        else:
            assert isinstance(cfg, JobConfig)
        assert sorted(os.walk(base)) == before  # nothing written


@given(mutated(), st.sampled_from([".json", ".yaml"]))
def test_mutated_configs_give_a_job_or_a_field_error(doc, suffix):
    _check(doc, suffix)


@given(documents, st.sampled_from([".json", ".yaml"]))
def test_arbitrary_documents_give_a_field_error(doc, suffix):
    _check(doc, suffix)


def test_what_the_fuzzer_found(tmp_path):
    """An empty key is named (quoted) in the path; a data source set to null is not a source."""
    doc = copy.deepcopy(SM)
    doc[""] = 1
    p = tmp_path / "a.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert err.value.path == "['']"
    doc = copy.deepcopy(SM)
    doc["TrainingJobDefinition"]["InputDataConfig"][0]["DataSource"] = {"S3DataSource": None}
    p.write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert err.value.path == "TrainingJobDefinition.InputDataConfig[0].DataSource"
    assert "exactly one of" in err.value.rule

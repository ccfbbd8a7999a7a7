import pytest

from amtune.metrics import MAX_METRIC_DEFINITIONS, MetricParser, validate_metric_definitions


def test_parse_line_takes_group_one_and_every_match():
    p = MetricParser(
        [{"Name": "loss", "Regex": r"loss=([-0-9.eE+]+)"}, {"Name": "acc", "Regex": r"acc: (\S+)"}]
    )
    found, warnings = p.parse_line("step 3 loss=1.5e-2 acc: 0.75 loss=0.01")
    assert found == [("loss", 0.015), ("loss", 0.01), ("acc", 0.75)]
    assert warnings == []


def test_non_numeric_capture_is_skipped_with_a_warning():
    p = MetricParser([{"Name": "acc", "Regex": r"acc=(\S+)"}])
    found, warnings = p.parse_line("acc=nan-ish")
    assert found == []
    assert len(warnings) == 1 and "acc" in warnings[0] and "nan-ish" in warnings[0]
    found, warnings = p.parse_line("acc=inf")
    assert found == [] and warnings


@pytest.mark.parametrize(
    ("defs", "match"),
    [
        (
            [{"Name": "a", "Regex": "a=[0-9]+"}],
            r"metric_definitions\[0\]\.Regex: needs a capture group",
        ),
        (
            [{"Name": "a", "Regex": "a=([0-9]+"}],
            r"metric_definitions\[0\]\.Regex: does not compile",
        ),
        (
            [{"Name": "a", "Regex": "(x)"}, {"Name": "a", "Regex": "(y)"}],
            r"metric_definitions\[1\]\.Name: metric 'a' is defined twice",
        ),
        ([{"Name": "", "Regex": "(x)"}], r"metric_definitions\[0\]\.Name"),
        ([{"Name": "a", "Regex": "(x)", "Other": 1}], r"metric_definitions\[0\]: unknown field"),
        (
            [{"Name": f"m{i}", "Regex": "(x)"} for i in range(MAX_METRIC_DEFINITIONS + 1)],
            "at most 40",
        ),
    ],
)
def test_invalid_definitions_name_the_entry(defs, match):
    with pytest.raises(ValueError, match=match):
        validate_metric_definitions(defs)


def test_forty_definitions_are_allowed():
    defs = [{"Name": f"m{i}", "Regex": f"m{i}=(\\d+)"} for i in range(MAX_METRIC_DEFINITIONS)]
    assert len(validate_metric_definitions(defs)) == MAX_METRIC_DEFINITIONS


def test_definitions_must_be_a_list_of_dicts():
    with pytest.raises(TypeError):
        validate_metric_definitions("loss=(.*)")
    with pytest.raises(TypeError):
        validate_metric_definitions(["loss=(.*)"])

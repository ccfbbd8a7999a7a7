"""Batch transform's DataProcessing (``input_filter``, ``join_source``, ``output_filter``) as
SageMaker documents it ("Associate prediction results with input records"): the JSONPath subset
and the join as pure functions, then whole transform jobs of a model that fails when a filter
did not do its work (a CSV ID column or a JSON object reaching it cannot be summed)."""

from __future__ import annotations

import doctest
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amtune.sagemaker import data_processing
from amtune.sagemaker.data_processing import (
    DataProcessing,
    JsonPath,
    RecordFormat,
    csv_fields,
    join_record,
)

CSV = RecordFormat.CSV
JSONL = RecordFormat.JSON_LINES


def select(path: str, record: Any) -> Any:
    return JsonPath.parse(path, "output_filter").select(record)


# ============================================================================ the JSONPath subset
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", [10, 11, 12, 13, 14]),
        ("$[0]", 10),
        ("$[-1]", 14),
        ("$[-2]", 13),
        ("$[0,-1]", [10, 14]),
        ("$[1,3,1]", [11, 13, 11]),
        ("$[ 0 , 2 ]", [10, 12]),
        # a slice's end is inclusive, as SageMaker documents ($[1:4]: 2nd to 5th column)
        ("$[1:3]", [11, 12, 13]),
        ("$[1:]", [11, 12, 13, 14]),
        ("$[:1]", [10, 11]),
        ("$[-2:]", [13, 14]),
        ("$[:-2]", [10, 11, 12, 13]),
        ("$[1:-2]", [11, 12, 13]),
        ("$[3:1]", []),
        ("$[2:99]", [12, 13, 14]),
        ("$[0,3:]", [10, 13, 14]),  # the API reference's "$[0,5:]": indexes and one range
        ("$[*]", [10, 11, 12, 13, 14]),
        ("$.*", [10, 11, 12, 13, 14]),
    ],
)
def test_index_paths_on_an_array(path: str, expected: Any) -> None:
    assert select(path, [10, 11, 12, 13, 14]) == expected


def test_name_paths_on_objects() -> None:
    record = {"id": "a", "features": [1, 2, 3], "meta": {"src": "x", "n": 2}}
    assert select("$.id", record) == "a"
    assert select("$['id']", record) == "a"
    assert select("$['a@b.c']", {"a@b.c": 1}) == 1
    assert select('$["features"][-1]', record) == 3
    assert select("$.features[1:]", record) == [2, 3]
    assert select("$.meta.src", record) == "x"
    assert select("$.meta.*", record) == ["x", 2]
    assert select("$[*]", {"a": 1, "b": 2}) == [1, 2]
    # several names: an object of those keys (missing ones left out), as SageMaker's
    # "$['id','SageMakerOutput']" example gives
    assert select("$['id','features']", record) == {"id": "a", "features": [1, 2, 3]}
    assert select("$.meta.['src','none']", record) == {"src": "x"}
    # a several-values path skips what is missing; a one-value path fails
    assert select("$[*].src", [{"src": 1}, {"other": 2}, 5]) == [1]
    with pytest.raises(ValueError, match=r"output_filter \$\.nope: no key 'nope'"):
        select("$.nope", record)
    with pytest.raises(ValueError, match=r"selects a key, but the value is an array"):
        select("$.id", [1, 2])
    with pytest.raises(ValueError, match=r"selects by index, but the value is an object"):
        select("$[0]", record)


@pytest.mark.parametrize("path", ["$[5]", "$[-6]", "$[0,5]", "$[1:,7]"])
def test_an_index_out_of_range_is_an_error(path: str) -> None:
    # the API reference: "If you specify indexes that aren't within the dimension size of the
    # joined dataset, you get an error."
    with pytest.raises(
        ValueError, match=r"output_filter .*: index -?\d+ is out of range for an array of 5"
    ):
        select(path, [10, 11, 12, 13, 14])


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("", r"must start with '\$'"),
        ("features", r"must start with '\$'"),
        ("$..id", r"recursive descent '\.\.' is not supported"),
        ("$[?(@.a > 1)]", r"filter expressions \[\?\(\.\.\.\)\] are not supported"),
        ("$[(@.length-1)]", r"script expressions \[\(\.\.\.\)\] are not supported"),
        ("$[@]", r"\[@\] is not an index, a list of indexes or a \[start:end\] range"),
        ("$[0:2,5:]", r"only one \[start:end\] range is supported in a union"),
        ("$[1:4:2]", r"slice steps \[start:end:step\] are not supported"),
        ("$[a]", r"is not an index, a list of indexes or a \[start:end\] range"),
        ("$['a',1]", r"is not a list of quoted names"),
        ("$['a','b'].c", r"several names in brackets \['a','b'\] must be the path's last step"),
        ("$[0", r"the '\[' at position 1 is not closed"),
        ("$[]", r"empty brackets"),
        ("$.", r"a name or '\*' must follow the '\.'"),
        ("$ .a", r"unexpected ' ' at position 1"),
        ("$." + "a" * 62, r"at most 63 characters \(SageMaker's limit\), got 64"),
    ],
)
@pytest.mark.parametrize("field", ["input_filter", "output_filter"])
def test_unsupported_paths_are_errors_naming_the_argument(field: str, path: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: .*{rule}"):
        JsonPath.parse(path, field)


# ========================================================================= records and the join
def test_csv_records_keep_their_text() -> None:
    assert csv_fields('id 1,"a, ""b""",1.50,,1e3') == ["id 1", '"a, ""b"""', "1.50", "", "1e3"]
    dp = DataProcessing.create("$[2:]", "$[0,-1]", "Input", content_type="text/csv")
    chunks = [b'id 1,"a, b",1.50,1e3\r\n', b"id2,x,002,3\n"]
    records = dp.input_records(chunks)
    assert records == ['id 1,"a, b",1.50,1e3', "id2,x,002,3"]
    assert dp.request_body(chunks, records) == b"1.50,1e3\n002,3\n"
    assert dp.output_body(records, b"0.10\n1.0\n", assemble_line=True) == b"id 1,0.10\nid2,1.0\n"
    assert join_record("id2,x,002,3", "1.0,0.00", CSV) == "id2,x,002,3,1.0,0.00"


def test_json_join_adds_sagemaker_output_or_wraps_the_input() -> None:
    assert join_record('{"id":1,"x":[1]}', "0.5", JSONL) == '{"id":1,"x":[1],"SageMakerOutput":0.5}'
    # SageMaker: a joined JSON record is an object; other inputs go under SageMakerInput
    wrapped = '{"SageMakerInput":["a",1],"SageMakerOutput":[0.5,2]}'
    assert join_record('["a", 1]', "[0.5, 2]", JSONL) == wrapped
    for primitive, dumped in (('"text"', '"text"'), ("5", "5"), ("null", "null"), ("true", "true")):
        assert join_record(primitive, "1", JSONL) == (
            f'{{"SageMakerInput":{dumped},"SageMakerOutput":1}}'
        )
    with pytest.raises(ValueError, match=r"^join_source: the model's output record is not JSON"):
        join_record('{"id":1}', "1,2", JSONL)


def test_arguments_are_checked_against_the_content_types() -> None:
    with pytest.raises(
        ValueError, match=r"^join_source: must be one of None, 'None', 'Input', got 'input'"
    ):
        DataProcessing.create(None, None, "input", content_type="text/csv")
    with pytest.raises(
        ValueError, match=r"^input_filter: not supported for content_type 'application/x-npy'"
    ):
        DataProcessing.create("$[1:]", None, None, content_type="application/x-npy")
    with pytest.raises(ValueError, match=r"^output_filter: not supported for accept None"):
        DataProcessing.create(None, "$[0]", None, content_type=None)
    with pytest.raises(
        ValueError, match=r"^output_filter: \"\$\['id'\]\" selects by name, but a CSV record"
    ):
        DataProcessing.create(None, "$['id']", "Input", content_type="text/csv")
    # without a join the output filter reads the model's answer: the accept type's records
    dp = DataProcessing.create(
        None, "$.score", None, content_type="text/csv", accept="application/jsonlines"
    )
    assert (
        dp.output_body(["1,2", "3,4"], b'{"score":3}\n{"score":7}\n', assemble_line=True)
        == b"3\n7\n"
    )
    # SageMaker's defaults do nothing
    assert not DataProcessing.create("$", "$", "None", content_type=None).active


def test_module_doctests() -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(data_processing) if t.examples]
    report: list[str] = []
    assert sum(runner.run(t, out=report.append).failed for t in tests) == 0, "".join(report)
    assert sum(len(t.examples) for t in tests) >= 20


# =================================================================== transform jobs of a model
pytest.importorskip("uvicorn")
import amtune  # noqa: E402
from amtune.serve.service import EndpointService  # noqa: E402

# sums each record's values (a CSV line, or a JSON array per line): an ID column or a JSON
# object that the input filter should have removed makes the request fail
INFERENCE = textwrap.dedent(
    """
    import json

    def model_fn(model_dir):
        return None

    def transform_fn(model, body, content_type, accept):
        text = body.decode() if isinstance(body, bytes) else body
        lines = [line for line in text.splitlines() if line.strip()]
        if content_type == "text/csv":
            sums = [sum(float(v) for v in line.split(",")) for line in lines]
        else:
            values = [json.loads(line) for line in lines]
            sums = [sum(v) if isinstance(v, list) else v for v in values]
        if accept == "application/json":  # one array for the request, as the SKLearn container
            return json.dumps(sums), accept
        if accept == "application/jsonlines":
            return "".join(json.dumps({"score": s}) + "\\n" for s in sums), accept
        return "".join(f"{s:g}\\n" for s in sums), accept
    """
)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, amtune.Session, str]]:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inference.py").write_text(INFERENCE)
    (tmp_path / "model").mkdir()
    svc = EndpointService(tmp_path / "amtune.db", serve_models=False).start()
    try:
        s = amtune.Session(db=tmp_path / "amtune.db", url=svc.url)
        model = amtune.Model(
            "my-image:1",
            str(tmp_path / "model"),
            entry_point="inference.py",
            source_dir=str(tmp_path / "code"),
            sagemaker_session=s,
        )
        name = model.transformer(1, "ml.m5.xlarge").model_name
        yield tmp_path, s, name
    finally:
        svc.stop()


def run(
    setup: tuple[Path, amtune.Session, str],
    data: str,
    suffix: str,
    transformer_args: dict[str, Any],
    **transform_args: Any,
) -> tuple[Any, str]:
    """Transform ``data`` (one file's text); the transformer and the output file's text."""
    root, s, name = setup
    (root / f"in{suffix}").write_text(data)
    out = root / "out"
    t = amtune.Transformer(
        name, 1, "ml.m5.xlarge", output_path=str(out), sagemaker_session=s, **transformer_args
    )
    t.transform(str(root / f"in{suffix}"), logs=False, **transform_args)
    return t, (out / f"in{suffix}.out").read_text()


CSV_DATA = "id1,1.50,2\nid2,3,4\n\nid3,0.25,0.25\n"


@pytest.mark.parametrize("strategy", ["MultiRecord", "SingleRecord"])
def test_csv_id_column_dropped_joined_and_kept(setup: Any, strategy: str) -> None:
    args = {"strategy": strategy, "assemble_with": "Line", "accept": "text/csv"}
    csv = {"content_type": "text/csv", "split_type": "Line"}
    t, text = run(
        setup,
        CSV_DATA,
        ".csv",
        args,
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,-1]",
        **csv,
    )
    assert text == "id1,3.5\nid2,7\nid3,0.5\n"
    assert t.latest_transform_job.describe()["DataProcessing"] == {
        "InputFilter": "$[1:]",
        "OutputFilter": "$[0,-1]",
        "JoinSource": "Input",
    }
    # the joined record is the input line as written, a comma and the output line
    _, text = run(setup, CSV_DATA, ".csv", args, input_filter="$[1:]", join_source="Input", **csv)
    assert text == "id1,1.50,2,3.5\nid2,3,4,7\nid3,0.25,0.25,0.5\n"
    # no join: the output filter reads the model's answer (one column: $[0])
    _, text = run(setup, CSV_DATA, ".csv", args, input_filter="$[-2:]", output_filter="$[0]", **csv)
    assert text == "3.5\n7\n0.5\n"
    # without the input filter the ID column reaches the model, which fails
    with pytest.raises(amtune.UnexpectedStatusException, match="could not convert string to float"):
        run(setup, CSV_DATA, ".csv", args, join_source="Input", **csv)


def test_multirecord_batches_are_joined_one_to_one(
    setup: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # ~1.5 MB of records: two MultiRecord requests of up to 1 MB, each answer's lines joined to
    # that request's own records
    root, s, name = setup
    n = 70_000
    (root / "big.csv").write_text("".join(f"r{i:06d},{i}.5000,{i % 3}\n" for i in range(n)))
    args = {
        "strategy": "MultiRecord",
        "assemble_with": "Line",
        "accept": "text/csv",
        "max_payload": 1,
    }
    t = amtune.Transformer(
        name, 1, "ml.m5.xlarge", output_path=str(root / "big"), sagemaker_session=s, **args
    )
    t.transform(
        str(root / "big.csv"),
        content_type="text/csv",
        split_type="Line",
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,-1]",
    )
    assert "2 request(s) of 1 file(s)" in capsys.readouterr().out
    expected = "".join(f"r{i:06d},{i + 0.5 + i % 3:g}\n" for i in range(n))
    assert (root / "big" / "big.csv.out").read_text() == expected


def test_an_output_count_mismatch_fails_the_job(setup: Any) -> None:
    # the model answers one JSON array for a request of three records: nothing to join one to one
    args = {"strategy": "MultiRecord", "assemble_with": "Line", "accept": "application/json"}
    with pytest.raises(amtune.UnexpectedStatusException) as err:
        run(
            setup,
            CSV_DATA,
            ".csv",
            args,
            content_type="text/csv",
            split_type="Line",
            input_filter="$[1:]",
            join_source="Input",
        )
    reason = err.value.args[0]
    assert (
        "in.csv (request 1): join_source='Input' needs one output record per input record" in reason
    )
    assert "the model answered 1 record(s) (lines) to a request of 3 record(s)" in reason
    root = setup[0]
    assert not (root / "out" / "in.csv.out").exists()
    # one record a request: each answer is its record's output
    args["strategy"] = "SingleRecord"
    _, text = run(
        setup,
        CSV_DATA,
        ".csv",
        args,
        content_type="text/csv",
        split_type="Line",
        input_filter="$[1:]",
        join_source="Input",
    )
    assert text == "id1,1.50,2,[3.5]\nid2,3,4,[7.0]\nid3,0.25,0.25,[0.5]\n"


JSONL_DATA = '{"id": "a", "features": [1, 2]}\n{"id": "b", "features": [3, 4], "w": 1.0}\n'


def test_json_lines_objects(setup: Any) -> None:
    args = {"assemble_with": "Line", "accept": "application/jsonlines"}
    jl = {
        "content_type": "application/jsonlines",
        "split_type": "Line",
        "input_filter": "$.features",
        "join_source": "Input",
    }
    _, text = run(setup, JSONL_DATA, ".jsonl", args, output_filter="$.SageMakerOutput", **jl)
    assert text == '{"score":3}\n{"score":7}\n'
    _, text = run(
        setup, JSONL_DATA, ".jsonl", args, output_filter="$['id','SageMakerOutput']", **jl
    )
    assert (
        text
        == '{"id":"a","SageMakerOutput":{"score":3}}\n{"id":"b","SageMakerOutput":{"score":7}}\n'
    )
    _, text = run(setup, JSONL_DATA, ".jsonl", args, **jl)
    assert text == (
        '{"id":"a","features":[1,2],"SageMakerOutput":{"score":3}}\n'
        '{"id":"b","features":[3,4],"w":1.0,"SageMakerOutput":{"score":7}}\n'
    )
    _, text = run(setup, JSONL_DATA, ".jsonl", args, output_filter="$.SageMakerOutput.*", **jl)
    assert text == "[3]\n[7]\n"


def test_json_arrays_union_and_wildcard(setup: Any) -> None:
    data = '["a", 1, 2, 3]\n["b", 4, 5, 6]\n'
    args = {"strategy": "SingleRecord", "assemble_with": "Line", "accept": "text/csv"}
    jl = {"content_type": "application/jsonlines", "split_type": "Line"}
    # an array input record goes under SageMakerInput, the output under SageMakerOutput
    _, text = run(
        setup,
        data,
        ".jsonl",
        args,
        input_filter="$[1,3]",
        join_source="Input",
        output_filter="$.SageMakerInput[0]",
        **jl,
    )
    assert text == '"a"\n"b"\n'
    _, text = run(setup, data, ".jsonl", args, input_filter="$[-3:-2]", join_source="Input", **jl)
    assert text == (
        '{"SageMakerInput":["a",1,2,3],"SageMakerOutput":3}\n'
        '{"SageMakerInput":["b",4,5,6],"SageMakerOutput":9}\n'
    )
    # a wildcard: every value of the object
    _, text = run(setup, '{"x": 1, "y": 2.5}\n', ".jsonl", args, input_filter="$.*", **jl)
    assert text == "3.5\n"


def test_a_json_document_without_split_is_one_record(setup: Any) -> None:
    doc = '{\n  "id": 7,\n  "features": [1, 2, 3]\n}\n'
    args = {"accept": "application/json"}
    t, text = run(
        setup,
        doc,
        ".json",
        args,
        content_type="application/json",
        input_filter="$.features",
        join_source="Input",
        output_filter="$['id','SageMakerOutput']",
    )
    assert text == '{"id":7,"SageMakerOutput":[6]}'  # assemble_with None: as the answer ends
    assert t.latest_transform_job.describe()["TransformJobStatus"] == "Completed"


def test_record_errors_fail_the_job_with_the_reason(setup: Any) -> None:
    args = {"assemble_with": "Line", "accept": "application/jsonlines"}
    jl = {"content_type": "application/jsonlines", "split_type": "Line"}
    with pytest.raises(
        amtune.UnexpectedStatusException,
        match=r"in\.jsonl \(request 1\): input_filter \$\.features: no key 'features'",
    ):
        run(setup, '{"x": [1]}\n', ".jsonl", args, input_filter="$.features", **jl)
    with pytest.raises(
        amtune.UnexpectedStatusException, match=r"output_filter \$\[5\]: index 5 is out of range"
    ):
        run(
            setup,
            "1,2\n",
            ".csv",
            {"accept": "text/csv"},
            content_type="text/csv",
            split_type="Line",
            join_source="Input",
            output_filter="$[5]",
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"input_filter": "$..x"},
            r"input_filter: '\$\.\.x' is not a JSONPath SageMaker supports: recursive descent",
        ),
        ({"output_filter": "$[0:1,3:]"}, r"output_filter: .*only one \[start:end\] range"),
        ({"output_filter": "$.id"}, r"output_filter: '\$\.id' selects by name, but a CSV record"),
        (
            {"join_source": "Output"},
            r"join_source: must be one of None, 'None', 'Input', got 'Output'",
        ),
        (
            {"join_source": "Input", "content_type": "application/x-npy"},
            r"join_source: not supported for content_type 'application/x-npy'",
        ),
    ],
)
def test_transform_checks_the_arguments_first(
    setup: Any, kwargs: dict[str, Any], message: str
) -> None:
    root, s, name = setup
    (root / "x.csv").write_text("1,2\n")
    t = amtune.Transformer(name, 1, "ml.m5.xlarge", accept="text/csv", sagemaker_session=s)
    args = {"content_type": "text/csv", "split_type": "Line", **kwargs}
    with pytest.raises(ValueError, match=message):
        t.transform(str(root / "x.csv"), **args)
    assert t.latest_transform_job is None  # no job was started


def test_defaults_change_nothing_but_are_described(setup: Any) -> None:
    args = {"assemble_with": "Line", "accept": "text/csv"}
    t, text = run(
        setup,
        "1,2\n3,4\n",
        ".csv",
        args,
        content_type="text/csv",
        split_type="Line",
        input_filter="$",
        join_source="None",
        output_filter="$",
    )
    assert text == "3\n7\n"
    assert t.latest_transform_job.describe()["DataProcessing"] == {
        "InputFilter": "$",
        "OutputFilter": "$",
        "JoinSource": "None",
    }
    t, _ = run(setup, "1,2\n", ".csv", args, content_type="text/csv", split_type="Line")
    assert "DataProcessing" not in t.latest_transform_job.describe()

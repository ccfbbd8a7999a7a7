"""Batch transform's ``DataProcessing``: ``InputFilter``, ``JoinSource`` and ``OutputFilter``.

SageMaker (CreateTransformJob's ``DataProcessing``; the SDK's ``transform(input_filter=...,
join_source=..., output_filter=...)``) works on the records of CSV and JSON data:

1. ``InputFilter`` selects the part of each input record that is sent to the model (``"$[1:]"``
   drops a CSV line's first column, an ID).
2. ``JoinSource="Input"`` joins each output record to its *original* input record: a CSV joined
   record is the input line, a comma and the output line; a JSON object input gets the output
   under the key ``"SageMakerOutput"``; a JSON array input gets it appended (an array output's
   elements, one by one). The model must answer one record (line) per input record.
3. ``OutputFilter`` selects the part of the joined record (or of the output record when not
   joining) that is written (``"$[0,-1]"``: the ID and the prediction).

A CSV record (``text/csv``) is a line taken as a JSON array of its columns' text: only index
paths apply, and selected columns are written back as they were (numbers are not reformatted;
quoted fields stay quoted). A JSON record (``application/json``, ``application/jsonlines``) is a
parsed document, written back compactly (``{"a":1}``).

Filters are the JSONPath subset SageMaker supports (:class:`JsonPath`): ``$``, ``.name``,
``['name']``, ``['a','b']``, ``[n]`` (``-1`` is the last), ``[n,m,...]``, ``[start:end]`` and
``*``. As SageMaker documents it, a slice's ``end`` is *inclusive* (``$[1:4]`` is the second
through fifth columns; an omitted bound is the first or last element).

>>> dp = DataProcessing.create("$[1:]", "$[0,-1]", "Input", content_type="text/csv")
>>> chunks = [b"id1,0.50,2\\n", b"id2,1,3\\n"]
>>> records = dp.input_records(chunks)
>>> dp.request_body(chunks, records)
b'0.50,2\\n1,3\\n'
>>> dp.output_body(records, b"1\\n0\\n", assemble_line=True)
b'id1,1\\nid2,0\\n'
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "JOIN_SOURCES",
    "OUTPUT_KEY",
    "DataProcessing",
    "JsonPath",
    "RecordFormat",
    "csv_fields",
    "describe",
    "filter_record",
    "join_record",
    "output_records",
]

JOIN_SOURCES = (None, "None", "Input")
INPUT_KEY = "SageMakerInput"
OUTPUT_KEY = "SageMakerOutput"  # where a JSON object input record gets the output
MAX_FILTER_LENGTH = 63  # CreateTransformJob's length constraint on both filters
SUPPORTED = "$, .name, ['name'], ['a','b'], [n], [n,m,...], [start:end] and *"


class RecordFormat(enum.Enum):
    """What a record is, from the data's content type (``None`` when it is neither).

    >>> RecordFormat.of("text/csv; charset=utf-8")
    <RecordFormat.CSV: 'text/csv'>
    >>> RecordFormat.of("application/x-npy") is None
    True
    """

    CSV = "text/csv"
    JSON = "application/json"
    JSON_LINES = "application/jsonlines"

    @classmethod
    def of(cls, content_type: str | None) -> RecordFormat | None:
        if not content_type:
            return None
        media = content_type.split(";", 1)[0].strip().lower()
        if media == "application/x-jsonlines":
            media = cls.JSON_LINES.value
        return next((f for f in cls if f.value == media), None)


# ============================================================================ the JSONPath subset
@dataclass(frozen=True)
class _Name:
    name: str


@dataclass(frozen=True)
class _Names:
    names: tuple[str, ...]


@dataclass(frozen=True)
class _Wildcard:
    pass


_Slice = tuple[int | None, int | None]


@dataclass(frozen=True)
class _Indexes:
    members: tuple[int | _Slice, ...]


_Step = _Name | _Names | _Wildcard | _Indexes
_NAME = re.compile(r"[^.\[\]\s'\"*()?@,]+")
_INT = re.compile(r"-?\d+")
_SLICE = re.compile(r"(-?\d+)?\s*:\s*(-?\d+)?")
_QUOTED = re.compile("'([^']*)'|\"([^\"]*)\"")
_NAMES = re.compile(rf"\s*(?:{_QUOTED.pattern})\s*(?:,\s*(?:{_QUOTED.pattern})\s*)*")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"an array of {len(value)} value(s)"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"


def _slice_indexes(bounds: _Slice, size: int) -> range:
    """The indexes ``[start:end]`` selects, ``end`` inclusive, negative bounds from the end."""
    start, end = bounds
    first = 0 if start is None else start + size if start < 0 else start
    last = size - 1 if end is None else end + size if end < 0 else end
    return range(max(first, 0), min(last, size - 1) + 1)


@dataclass(frozen=True)
class JsonPath:
    """A filter of the JSONPath subset SageMaker supports, parsed for the argument ``field``.

    A path with a wildcard, a slice or several indexes selects several values and gives them as
    an array; otherwise it gives the one value (several names in brackets give an object of
    those keys). A missing key or a value of the wrong type is an error for a one-value path and
    is skipped by a several-values one; an index out of range is always an error, as in
    SageMaker.

    >>> JsonPath.parse("$[0,-1]", "output_filter").select(["id1", "0.5", "2", "1"])
    ['id1', '1']
    >>> JsonPath.parse("$[1:2]", "input_filter").select([10, 11, 12, 13])
    [11, 12]
    >>> JsonPath.parse("$.features", "input_filter").select({"id": 7, "features": [1, 2]})
    [1, 2]
    >>> record = {"id": 7, "x": 1, "SageMakerOutput": 0.5}
    >>> JsonPath.parse("$['id','SageMakerOutput']", "output_filter").select(record)
    {'id': 7, 'SageMakerOutput': 0.5}
    >>> JsonPath.parse("$.*", "output_filter").select({"a": 1, "b": [2]})
    [1, [2]]
    >>> JsonPath.parse("$..id", "input_filter")
    Traceback (most recent call last):
    ...
    ValueError: input_filter: '$..id' is not a JSONPath SageMaker supports: recursive descent \
'..' is not supported (supported: $, .name, ['name'], ['a','b'], [n], [n,m,...], [start:end] and *)
    """

    text: str
    field: str
    steps: tuple[_Step, ...]

    @classmethod
    def parse(cls, text: Any, field: str) -> JsonPath:
        """Parse ``text``; a ``ValueError`` naming ``field`` and the rule when it is not one."""
        if not isinstance(text, str):
            raise ValueError(f"{field}: must be a JSONPath string such as '$[1:]', got {text!r}")
        if len(text) > MAX_FILTER_LENGTH:
            raise ValueError(
                f"{field}: at most {MAX_FILTER_LENGTH} characters (SageMaker's limit), "
                f"got {len(text)}"
            )

        def bad(rule: str) -> ValueError:
            return ValueError(
                f"{field}: {text!r} is not a JSONPath SageMaker supports: {rule} "
                f"(supported: {SUPPORTED})"
            )

        if not text.startswith("$"):
            raise bad("it must start with '$' (the record)")
        steps: list[_Step] = []
        i, n = 1, len(text)
        while i < n:
            c = text[i]
            if c == ".":
                if text.startswith("..", i):
                    raise bad("recursive descent '..' is not supported")
                i += 1
                if i < n and text[i] == "[":  # "$.a.['b','c']", as SageMaker's examples write
                    continue
                if i < n and text[i] == "*":
                    steps.append(_Wildcard())
                    i += 1
                    continue
                m = _NAME.match(text, i)
                if m is None:
                    raise bad(f"a name or '*' must follow the '.' at position {i - 1}")
                steps.append(_Name(m.group()))
                i = m.end()
            elif c == "[":
                end = _closing_bracket(text, i)
                if end is None:
                    raise bad(f"the '[' at position {i} is not closed")
                steps.append(_bracket(text[i + 1 : end].strip(), bad))
                i = end + 1
            else:
                raise bad(f"unexpected {c!r} at position {i}")
        if any(isinstance(s, _Names) for s in steps[:-1]):
            raise bad("several names in brackets ['a','b'] must be the path's last step")
        return cls(text, field, tuple(steps))

    @property
    def is_root(self) -> bool:
        """``$``: the whole record (no filtering)."""
        return not self.steps

    @property
    def definite(self) -> bool:
        """Whether the path selects one value (else: an array of the values it selects)."""
        return all(
            isinstance(s, (_Name, _Names))
            or (isinstance(s, _Indexes) and len(s.members) == 1 and isinstance(s.members[0], int))
            for s in self.steps
        )

    @property
    def uses_names(self) -> bool:
        """Whether a step selects a key by name (no use on a CSV record, an array)."""
        return any(isinstance(s, (_Name, _Names)) for s in self.steps)

    def select(self, record: Any) -> Any:
        """The part of ``record`` (parsed JSON, or a CSV line's list of columns) selected."""
        nodes = [record]
        for step in self.steps:
            nodes = [found for node in nodes for found in self._step(step, node)]
        return nodes[0] if self.definite else nodes

    def _error(self, message: str) -> ValueError:
        return ValueError(f"{self.field} {self.text}: {message}")

    def _step(self, step: _Step, node: Any) -> list[Any]:
        strict = self.definite
        if isinstance(step, _Wildcard):
            if isinstance(node, dict):
                return list(node.values())
            return list(node) if isinstance(node, list) else []
        if isinstance(step, (_Name, _Names)):
            if not isinstance(node, dict):
                if strict:
                    raise self._error(f"selects a key, but the value is {_kind(node)}")
                return []
            if isinstance(step, _Names):
                return [{k: node[k] for k in step.names if k in node}]
            if step.name in node:
                return [node[step.name]]
            if strict:
                raise self._error(f"no key {step.name!r} in the object")
            return []
        if not isinstance(node, list):
            if strict:
                raise self._error(f"selects by index, but the value is {_kind(node)}")
            return []
        found: list[Any] = []
        for member in step.members:
            if isinstance(member, int):
                k = member + len(node) if member < 0 else member
                if not 0 <= k < len(node):
                    raise self._error(f"index {member} is out of range for {_kind(node)}")
                found.append(node[k])
            else:
                found.extend(node[k] for k in _slice_indexes(member, len(node)))
        return found


def _closing_bracket(text: str, start: int) -> int | None:
    quote = None
    for i in range(start + 1, len(text)):
        c = text[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "]":
            return i
    return None


def _bracket(inner: str, bad: Callable[[str], ValueError]) -> _Step:
    """The step ``[inner]`` (``bad(rule)``: the error to raise)."""
    if not inner:
        raise bad("empty brackets '[]'")
    if inner.startswith("?"):
        raise bad("filter expressions [?(...)] are not supported")
    if inner.startswith("("):
        raise bad("script expressions [(...)] are not supported")
    if inner == "*":
        return _Wildcard()
    if inner[0] in "'\"":
        if not _NAMES.fullmatch(inner):
            raise bad(f"[{inner}] is not a list of quoted names such as ['id','SageMakerOutput']")
        keys = tuple(a or b for a, b in _QUOTED.findall(inner))
        return _Name(keys[0]) if len(keys) == 1 else _Names(keys)
    members: list[int | _Slice] = []
    for part in (p.strip() for p in inner.split(",")):
        if _INT.fullmatch(part):
            members.append(int(part))
        elif part.count(":") > 1:
            raise bad(f"slice steps [start:end:step] are not supported ([{inner}])")
        elif (m := _SLICE.fullmatch(part)) is not None:
            start, end = (None if b is None else int(b) for b in m.groups())
            members.append((start, end))
        else:
            raise bad(f"[{inner}] is not an index, a list of indexes or a [start:end] range")
    if sum(not isinstance(m, int) for m in members) > 1:
        raise bad(f"only one [start:end] range is supported in a union, not [{inner}]")
    return _Indexes(tuple(members))


# ============================================================================== records
def csv_fields(line: str) -> list[str]:
    """A CSV line's columns as written (RFC 4180 quotes kept; commas inside them are text).

    >>> csv_fields('7,"a, b",1.50')
    ['7', '"a, b"', '1.50']
    """
    fields, start, quoted = [], 0, False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            fields.append(line[start:i])
            start = i + 1
    fields.append(line[start:])
    return fields


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _load(text: str, field: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"{field}: {what} is not JSON ({exc.msg}): {shown!r}") from None


def filter_record(text: str, fmt: RecordFormat, path: JsonPath) -> str:
    """Apply ``path`` to one record's text and write the selection as a record of ``fmt``.

    >>> path = JsonPath.parse("$[1:]", "input_filter")
    >>> filter_record("id1,0.50,2", RecordFormat.CSV, path)
    '0.50,2'
    >>> filter_record('{"id":1,"features":[1,2]}', RecordFormat.JSON_LINES,
    ...               JsonPath.parse("$.features", "input_filter"))
    '[1,2]'
    """
    if path.is_root:
        return text
    if fmt is RecordFormat.CSV:
        selected = path.select(csv_fields(text))
        return ",".join(selected) if isinstance(selected, list) else str(selected)
    return _dump(path.select(_load(text, path.field, "a record")))


def join_record(input_text: str, output_text: str, fmt: RecordFormat) -> str:
    """``JoinSource="Input"``: one output record joined to its original input record.

    >>> join_record("id1,0.50,2", "1", RecordFormat.CSV)
    'id1,0.50,2,1'
    >>> join_record('{"id":1}', '{"label":1}', RecordFormat.JSON_LINES)
    '{"id":1,"SageMakerOutput":{"label":1}}'
    >>> join_record("[1,2,3]", "[1]", RecordFormat.JSON_LINES)
    '{"SageMakerInput":[1,2,3],"SageMakerOutput":[1]}'
    """
    if fmt is RecordFormat.CSV:
        return f"{input_text},{output_text}"
    record = _load(input_text, "join_source", "an input record")
    output = _load(output_text, "join_source", "the model's output record")
    if isinstance(record, dict):
        return _dump({**record, OUTPUT_KEY: output})
    # SageMaker: a joined JSON record is an object; any other input goes under SageMakerInput
    return _dump({INPUT_KEY: record, OUTPUT_KEY: output})


def output_records(answer: str, fmt: RecordFormat | None, n_inputs: int) -> list[str]:
    """The records of the model's answer to a request of ``n_inputs`` records: its non-empty
    lines, or (JSON, one input record) the whole answer.

    >>> output_records("1\\n0\\n", RecordFormat.CSV, 2)
    ['1', '0']
    >>> output_records('{\\n "a": 1\\n}\\n', RecordFormat.JSON, 1)
    ['{\\n "a": 1\\n}']
    """
    if fmt is not RecordFormat.CSV and n_inputs == 1:
        whole = answer.strip()
        return [whole] if whole else []
    return [line.rstrip("\r") for line in answer.split("\n") if line.strip()]


def describe(
    input_filter: str | None, output_filter: str | None, join_source: str | None
) -> dict[str, str] | None:
    """DescribeTransformJob's ``DataProcessing`` (``None`` when none of the three is given).

    >>> describe("$[1:]", None, "Input")
    {'InputFilter': '$[1:]', 'OutputFilter': '$', 'JoinSource': 'Input'}
    """
    if input_filter is None and output_filter is None and join_source is None:
        return None
    return {
        "InputFilter": input_filter or "$",
        "OutputFilter": output_filter or "$",
        "JoinSource": join_source or "None",
    }


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


@dataclass(frozen=True)
class DataProcessing:
    """A transform job's data processing, checked against its content types.

    :meth:`create` checks the three arguments (a ``ValueError`` naming the argument and the
    rule); :meth:`input_records`, :meth:`request_body` and :meth:`output_body` then handle one
    request: its records, what is sent to the model, and what is written for its answer.
    ``split_lines``: the data is split into lines (``SplitType="Line"``); without it an
    ``application/json`` file is one record, while CSV and JSON Lines records are lines anyway.

    >>> DataProcessing.create(None, None, "Left", content_type="text/csv")
    Traceback (most recent call last):
    ...
    ValueError: join_source: must be one of None, 'None', 'Input', got 'Left'
    >>> DataProcessing.create("$.id", None, None, content_type="text/csv")
    Traceback (most recent call last):
    ...
    ValueError: input_filter: '$.id' selects by name, but a CSV record is an array of its \
columns: select them by index, such as '$[1:]' or '$[0,-1]'
    """

    input_filter: JsonPath
    output_filter: JsonPath
    join: bool
    input_format: RecordFormat | None
    output_format: RecordFormat | None
    split_lines: bool = True

    @classmethod
    def create(
        cls,
        input_filter: str | None,
        output_filter: str | None,
        join_source: str | None,
        content_type: str | None,
        accept: str | None = None,
        split_lines: bool = True,
    ) -> DataProcessing:
        if join_source not in JOIN_SOURCES:
            shown = ", ".join(repr(j) for j in JOIN_SOURCES)
            raise ValueError(f"join_source: must be one of {shown}, got {join_source!r}")
        inp = JsonPath.parse("$" if input_filter is None else input_filter, "input_filter")
        out = JsonPath.parse("$" if output_filter is None else output_filter, "output_filter")
        join = join_source == "Input"
        in_fmt = RecordFormat.of(content_type)
        # the record the output filter reads: the joined record (an input record's format), or
        # the model's output record (the accept type's format, else the input's)
        out_fmt = in_fmt if join else RecordFormat.of(accept) or in_fmt
        checks = (
            ("input_filter", inp, in_fmt, not inp.is_root, f"content_type {content_type!r}"),
            ("join_source", None, in_fmt, join, f"content_type {content_type!r}"),
            (
                "output_filter",
                out,
                out_fmt,
                not out.is_root,
                f"content_type {content_type!r}" if join else f"accept {accept!r}",
            ),
        )
        for field, path, fmt, used, given in checks:
            if not used:
                continue
            if fmt is None:
                raise ValueError(
                    f"{field}: not supported for {given}: SageMaker filters and joins CSV "
                    f"(text/csv) and JSON (application/json, application/jsonlines) records only"
                )
            if path is not None and fmt is RecordFormat.CSV and path.uses_names:
                raise ValueError(
                    f"{field}: {path.text!r} selects by name, but a CSV record is an array of "
                    f"its columns: select them by index, such as '$[1:]' or '$[0,-1]'"
                )
        return cls(inp, out, join, in_fmt, out_fmt, split_lines)

    @property
    def active(self) -> bool:
        """Whether anything is done (SageMaker's defaults, ``"$"``, ``"None"`` and ``"$"``, do
        nothing)."""
        return self.join or not self.input_filter.is_root or not self.output_filter.is_root

    @property
    def per_record_output(self) -> bool:
        """Whether the output is written record by record (joined and/or filtered)."""
        return self.join or not self.output_filter.is_root

    def input_records(self, chunks: Sequence[bytes]) -> list[str]:
        """The records of one request's data (``chunks``: its lines, or the whole file)."""
        if self.input_format is None:  # nothing reads the records: they are only counted
            return ["" for _ in chunks]
        texts = [_decode(c, "the input data") for c in chunks]
        if self.input_format is RecordFormat.JSON and not self.split_lines:
            return [t.strip() for t in texts if t.strip()]
        return [line.rstrip("\r") for t in texts for line in t.split("\n") if line.strip()]

    def request_body(self, chunks: Sequence[bytes], records: Sequence[str]) -> bytes:
        """What is sent to the model for a request of ``chunks`` (its :meth:`input_records`:
        ``records``): the data as it is, or each record through the input filter."""
        fmt = self.input_format
        if fmt is None or self.input_filter.is_root:
            return b"".join(chunks)
        filtered = [filter_record(r, fmt, self.input_filter) for r in records]
        if fmt is RecordFormat.JSON and not self.split_lines:
            return "".join(filtered).encode()
        return "".join(f"{r}\n" for r in filtered).encode()

    def output_body(self, records: Sequence[str], answer: bytes, assemble_line: bool) -> bytes:
        """What is written for the model's ``answer`` to ``records``: each output record joined
        to its input record and/or filtered, one per line (``assemble_line``: each ends with a
        newline; otherwise the last does only if the answer's did)."""
        text = _decode(answer, "the model's answer")
        fmt = self.input_format if self.join else self.output_format
        outputs = output_records(text, fmt, len(records))
        if self.join and len(outputs) != len(records):
            raise ValueError(
                f"join_source='Input' needs one output record per input record, as in "
                f"SageMaker: the model answered {len(outputs)} record(s) (lines) to a request "
                f"of {len(records)} record(s); make it answer one line per record, or use "
                f"strategy='SingleRecord'"
            )
        written = []
        for i, output in enumerate(outputs):
            record = join_record(records[i], output, fmt) if self.join and fmt else output
            if not self.output_filter.is_root and fmt is not None:
                record = filter_record(record, fmt, self.output_filter)
            written.append(record)
        body = "\n".join(written)
        if written and (assemble_line or text.endswith("\n")):
            body += "\n"
        return body.encode()

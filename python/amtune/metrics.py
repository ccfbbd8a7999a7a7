"""Metric definitions: regexes matched against a training job's output, SageMaker style.

A metric definition is ``{"Name": ..., "Regex": ...}``; capture group 1 of the regex is the value.
At most :data:`MAX_METRIC_DEFINITIONS` definitions are allowed (SageMaker's limit). Every line of a
training job's stdout and stderr is matched against every definition; every match is an emission
(stored with its time and step), and the last emission of a metric is its final value. A capture
that is not a number is skipped with a warning written to the job's log.

Regexes are compiled and matched by RE2 (``google-re2``), whose matching takes time linear in the
line's length whatever the regex: a backtracking pattern such as ``((\\d+)+)x`` cannot freeze the
driver, its heartbeat or the time limits. RE2 accepts SageMaker's regex syntax except
backreferences and lookaround assertions; a definition it cannot compile is a config error naming
the definition.

>>> from amtune.metrics import MetricParser
>>> p = MetricParser([{"Name": "validation:accuracy", "Regex": r"accuracy=([0-9.eE+-]+)"}])
>>> p.parse_line("epoch 3 validation:accuracy=0.91")
([('validation:accuracy', 0.91)], [])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import re2

from amtune.errors import FieldError, FieldTypeError
from amtune.sagemaker.cloudwatch import has_control, render

MAX_METRIC_DEFINITIONS = 40
MAX_METRIC_NAME_LENGTH = 255
MAX_REGEX_LENGTH = 500


def validate_metric_definitions(
    definitions: Sequence[Mapping[str, Any]] | None, path: str = "metric_definitions"
) -> list[dict[str, str]]:
    """Check and normalize metric definitions; raise ``ValueError`` naming the faulty entry."""
    if definitions is None:
        return []
    if isinstance(definitions, (str, bytes)) or not isinstance(definitions, Sequence):
        raise FieldTypeError(
            f"{path}", f"must be a list of {{'Name', 'Regex'}} dicts, got {definitions!r}"
        )
    if len(definitions) > MAX_METRIC_DEFINITIONS:
        raise FieldError(
            f"{path}",
            f"at most {MAX_METRIC_DEFINITIONS} metric definitions, got {len(definitions)}",
        )
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, d in enumerate(definitions):
        where = f"{path}[{i}]"
        if not isinstance(d, Mapping):
            raise FieldTypeError(f"{where}", f"must be a dict with Name and Regex, got {d!r}")
        extra = set(d) - {"Name", "Regex"}
        if extra:
            raise FieldError(f"{where}", f"unknown field(s) {sorted(extra)}; allowed: Name, Regex")
        name, regex = d.get("Name"), d.get("Regex")
        if not isinstance(name, str) or not name or len(name) > MAX_METRIC_NAME_LENGTH:
            raise FieldError(
                f"{where}.Name",
                f"must be a non-empty string of at most {MAX_METRIC_NAME_LENGTH} "
                f"characters, got {name!r}",
            )
        if name in seen:
            raise FieldError(f"{where}.Name", f"metric {name!r} is defined twice")
        seen.add(name)
        if not isinstance(regex, str) or not regex or len(regex) > MAX_REGEX_LENGTH:
            raise FieldError(
                f"{where}.Regex",
                f"must be a non-empty string of at most {MAX_REGEX_LENGTH} "
                f"characters, got {regex!r}",
            )
        try:
            compiled = compile_regex(regex)
        except re2.error as exc:
            why = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise FieldError(
                f"{where}.Regex",
                f"does not compile with RE2 (linear-time matching; backreferences and "
                f"lookaround are not supported): {why}; metric {name!r}, regex {regex!r}",
            ) from None
        if compiled.groups < 1:
            raise FieldError(
                f"{where}.Regex",
                f"needs a capture group for the value, e.g. 'loss=([0-9.]+)'; got {regex!r}",
            )
        out.append({"Name": name, "Regex": regex})
    return out


def compile_regex(regex: str) -> Any:
    """``regex`` compiled by RE2 (raises ``re2.error``; RE2 logs nothing to stderr)."""
    options = re2.Options()
    options.log_errors = False
    return re2.compile(regex, options)


def to_float(value: Any) -> float | None:
    """The finite float in ``value`` (a number or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


class MetricParser:
    """Match output lines against metric definitions.

    Each line is matched as printed and, when it holds control characters, as CloudWatch shows
    it (a TAB as ``#011``, see :mod:`amtune.sagemaker.cloudwatch`), so the regexes of SageMaker's
    images match locally; a definition that matches the printed line is not matched again.
    ``not_numbers`` keeps, per metric, the last capture that was not a number.

    >>> rx = r".*\\[[0-9]+\\].*#011validation-rmse:([0-9.]+)"
    >>> p = MetricParser([{"Name": "rmse", "Regex": rx}])
    >>> p.parse_line("[4]\\ttrain-rmse:0.5\\tvalidation-rmse:0.75")
    ([('rmse', 0.75)], [])
    """

    def __init__(self, definitions: Sequence[Mapping[str, Any]] | None) -> None:
        defs = validate_metric_definitions(definitions)
        self.definitions = defs
        self._compiled = [(d["Name"], compile_regex(d["Regex"])) for d in defs]
        self.not_numbers: dict[str, str] = {}

    def parse_line(self, line: str) -> tuple[list[tuple[str, float]], list[str]]:
        """``(emissions, warnings)`` for one line: every numeric match of every definition."""
        rendered = render(line) if has_control(line) else None
        found: list[tuple[str, float]] = []
        warnings: list[str] = []
        for name, rx in self._compiled:
            matches = list(rx.finditer(line))
            if not matches and rendered is not None:
                matches = list(rx.finditer(rendered))
            for m in matches:
                raw = m.group(1)
                v = to_float(raw)
                if v is None:
                    self.not_numbers[name] = str(raw)
                    warnings.append(
                        f"[amtune] warning: metric {name!r}: matched but not a number: {raw!r}; "
                        f"emission ignored"
                    )
                else:
                    found.append((name, v))
        return found, warnings

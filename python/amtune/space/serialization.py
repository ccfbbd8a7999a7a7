"""SageMaker's ``ParameterRanges`` document and the store's JSON form of a search space's ranges.

>>> from amtune.space.parameters import IntegerParameter
>>> doc = ranges_to_sagemaker({"depth": IntegerParameter(2, 9, "Linear")})
>>> doc["IntegerParameterRanges"]
[{'Name': 'depth', 'MinValue': '2', 'MaxValue': '9', 'ScalingType': 'Linear'}]
>>> ranges_from_sagemaker(doc)["depth"]
IntegerParameter(2, 9, scaling_type='Linear')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amtune.errors import FieldError, FieldTypeError
from amtune.space.parameters import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    NumericParameter,
    Parameter,
)

#: SageMaker's limits on a ``ParameterRanges`` document (the API reference of ``ParameterRanges``
#: and botocore's service model): at most 30 ranges in all, each of the three lists included, and
#: 1-30 values of at most 256 characters per categorical range.
MAX_RANGES = 30
MAX_CATEGORICAL_VALUES = 30
MAX_VALUE_CHARS = 256


def ranges_from_sagemaker(
    parameter_ranges: Mapping[str, Any], path: str = "ParameterRanges"
) -> dict[str, Parameter]:
    """The ranges of a SageMaker ``ParameterRanges`` document (bounds may be strings), with
    SageMaker's limits (``MAX_RANGES``...); errors name the field under ``path``."""
    if not isinstance(parameter_ranges, Mapping):
        raise FieldTypeError(path, f"must be a dict, got {type(parameter_ranges).__name__}")
    known = {
        "ContinuousParameterRanges",
        "IntegerParameterRanges",
        "CategoricalParameterRanges",
        "AutoParameters",
    }
    unknown = set(parameter_ranges) - known
    if unknown:
        raise FieldError(path, f"unknown field(s) {sorted(unknown)}")
    if parameter_ranges.get("AutoParameters"):
        raise FieldError(f"{path}.AutoParameters", "automatic range inference is not supported")
    ranges: dict[str, Parameter] = {}

    def entries(field: str) -> list[Any]:
        items = parameter_ranges.get(field) or []
        if not isinstance(items, list):
            raise FieldTypeError(f"{path}.{field}", "must be a list")
        for i, r in enumerate(items):
            if not isinstance(r, Mapping):
                raise FieldTypeError(f"{path}.{field}[{i}]", "must be a dict")
        if len(items) > MAX_RANGES:
            raise FieldError(
                f"{path}.{field}",
                f"at most {MAX_RANGES} ranges (as in SageMaker), got {len(items)}",
            )
        return items

    def add(where: str, name: Any, p: Parameter) -> None:
        if not isinstance(name, str):
            raise FieldError(f"{where}.Name", f"must be a string, got {name!r}")
        if name in ranges:
            raise FieldError(where, f"parameter {name!r} is defined twice")
        ranges[name] = p

    for kind, klass in (("Continuous", ContinuousParameter), ("Integer", IntegerParameter)):
        for i, r in enumerate(entries(f"{kind}ParameterRanges")):
            where = f"{path}.{kind}ParameterRanges[{i}]"
            extra = set(r) - {"Name", "MinValue", "MaxValue", "ScalingType"}
            if extra:
                raise FieldError(where, f"unknown field(s) {sorted(extra)}")
            if "MinValue" not in r or "MaxValue" not in r or "Name" not in r:
                raise FieldError(where, "needs Name, MinValue and MaxValue")
            lo, hi = r["MinValue"], r["MaxValue"]
            if kind == "Integer":
                lo = _int_from_str(f"{where}.MinValue", lo)
                hi = _int_from_str(f"{where}.MaxValue", hi)
            add(where, r["Name"], _build(where, klass, lo, hi, r.get("ScalingType", "Auto")))
    for i, r in enumerate(entries("CategoricalParameterRanges")):
        where = f"{path}.CategoricalParameterRanges[{i}]"
        if set(r) != {"Name", "Values"}:
            raise FieldError(where, "needs exactly Name and Values")
        values = r["Values"]
        if isinstance(values, list):
            if len(values) > MAX_CATEGORICAL_VALUES:
                raise FieldError(
                    f"{where}.Values",
                    f"at most {MAX_CATEGORICAL_VALUES} values (as in SageMaker), got {len(values)}",
                )
            for j, v in enumerate(values):
                if isinstance(v, str) and len(v) > MAX_VALUE_CHARS:
                    raise FieldError(
                        f"{where}.Values[{j}]",
                        f"at most {MAX_VALUE_CHARS} characters (as in SageMaker), got {len(v)}",
                    )
        add(where, r["Name"], _build(f"{where}.Values", CategoricalParameter, values))
    if len(ranges) > MAX_RANGES:
        raise FieldError(
            path,
            f"at most {MAX_RANGES} ranges in all (as in SageMaker: the limit holds for the three "
            f"lists together), got {len(ranges)}",
        )
    return ranges


def _build(where: str, klass: Any, *args: Any) -> Parameter:
    """``klass(*args)``; its error names the field ``where``."""
    try:
        p: Parameter = klass(*args)
    except FieldError:
        raise
    except TypeError as exc:
        raise FieldTypeError(where, str(exc)) from None
    except ValueError as exc:
        raise FieldError(where, str(exc)) from None
    return p


def ranges_to_sagemaker(ranges: Mapping[str, Parameter]) -> dict[str, list[dict[str, Any]]]:
    """The ``ParameterRanges`` document (values as strings, as SageMaker writes them)."""
    out: dict[str, list[dict[str, Any]]] = {
        "ContinuousParameterRanges": [],
        "IntegerParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    for name, p in ranges.items():
        if isinstance(p, CategoricalParameter):
            out["CategoricalParameterRanges"].append(
                {"Name": name, "Values": [str(v) for v in p.values]}
            )
        elif isinstance(p, NumericParameter):
            out[f"{p.kind}ParameterRanges"].append(
                {
                    "Name": name,
                    "MinValue": str(p.min_value),
                    "MaxValue": str(p.max_value),
                    "ScalingType": p.scaling_type,
                }
            )
    return out


def ranges_to_json(ranges: Mapping[str, Parameter]) -> dict[str, Any]:
    """The store's form of the ranges (``config["amtune"]["ranges"]``): typed bounds."""
    out: dict[str, Any] = {}
    for name, p in ranges.items():
        if isinstance(p, CategoricalParameter):
            out[name] = {"kind": "Categorical", "values": list(p.values)}
        elif isinstance(p, NumericParameter):
            out[name] = {
                "kind": p.kind,
                "min": p.min_value,
                "max": p.max_value,
                "scaling": p.scaling_type,
            }
    return out


def ranges_from_json(doc: Mapping[str, Any]) -> dict[str, Parameter]:
    """The ranges written by :func:`ranges_to_json`."""
    ranges: dict[str, Parameter] = {}
    for name, d in doc.items():
        if d["kind"] == "Categorical":
            ranges[name] = CategoricalParameter(d["values"])
        elif d["kind"] == "Integer":
            ranges[name] = IntegerParameter(d["min"], d["max"], d["scaling"])
        else:
            ranges[name] = ContinuousParameter(d["min"], d["max"], d["scaling"])
    return ranges


def _int_from_str(path: str, v: Any) -> Any:
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            raise FieldError(path, f"must be an integer, got {v!r}") from None
    return v

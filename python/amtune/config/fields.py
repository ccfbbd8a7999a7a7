"""Field types of the config models: each validates a value by amtune's rule, reports it in one
sentence (``must be an integer >= 1, got 0``) and describes itself in the JSON Schema."""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable
from typing import Annotated, Any, TypeAlias

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from amtune.sagemaker.names import TUNING_JOB_NAME_RE

#: The error type of amtune's rules (its message is the rule).
RULE = "amtune_rule"


def rule_error(rule: str) -> PydanticCustomError:
    return PydanticCustomError(RULE, "{rule}", {"rule": rule})


def integer_check(
    lo: int | None = 1, hi: int | None = None, strings: bool = False
) -> Callable[[Any], int]:
    """A check of an integer in ``[lo, hi]`` (``strings``: SageMaker's integers may be strings)."""
    words = "an integer"
    if lo is not None and hi is None:
        words += f" >= {lo}"
    elif lo is not None and hi is not None:
        words += f" from {lo} to {hi}"

    def check(v: Any) -> int:
        if strings and isinstance(v, str):
            try:
                v = int(v)
            except ValueError:
                pass
        ok = isinstance(v, int) and not isinstance(v, bool)
        if not ok or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise rule_error(f"must be {words}, got {v!r}")
        return int(v)

    return check


def integer_schema(lo: int | None = 1, hi: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    if lo is not None:
        schema["minimum"] = lo
    if hi is not None:
        schema["maximum"] = hi
    return schema


def choice_check(
    values: tuple[str, ...], words: str | None = None, aliases: dict[Any, str] | None = None
) -> Callable[[Any], str]:
    """A check of one of ``values`` (``aliases`` maps other inputs to one of them, e.g. YAML's
    ``false`` for an unquoted ``Off``)."""

    def check(v: Any) -> str:
        if aliases is not None and isinstance(v, bool) and v in aliases:
            v = aliases[v]
        if not isinstance(v, str) or v not in values:
            raise rule_error(f"must be {words or 'one of ' + ', '.join(values)}, got {v!r}")
        return v

    return check


PositiveInt: TypeAlias = Annotated[
    int, PlainValidator(integer_check(1)), WithJsonSchema(integer_schema(1))
]
NonNegativeInt: TypeAlias = Annotated[
    int, PlainValidator(integer_check(0)), WithJsonSchema(integer_schema(0))
]


def _positive(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise rule_error(f"must be a number > 0, got {v!r}")
    return float(v) if isinstance(v, float) else int(v)


PositiveNumber: TypeAlias = Annotated[
    float, PlainValidator(_positive), WithJsonSchema({"type": "number", "exclusiveMinimum": 0})
]


def _nonempty(v: Any) -> str:
    if not isinstance(v, str) or not v:
        raise rule_error(f"must be a non-empty string, got {v!r}")
    return v


NonEmptyString: TypeAlias = Annotated[
    str, PlainValidator(_nonempty), WithJsonSchema({"type": "string", "minLength": 1})
]


def _command(v: Any) -> list[str]:
    if isinstance(v, str):
        cmd = shlex.split(v)
    elif isinstance(v, list) and all(isinstance(a, str) for a in v):
        cmd = list(v)
    else:
        raise rule_error(f"must be a list of strings (or one string), got {v!r}")
    if not cmd or not all(cmd):
        raise rule_error(f"must be a non-empty list of non-empty strings, got {v!r}")
    return cmd


Command: TypeAlias = Annotated[
    list[str],
    PlainValidator(_command),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            ]
        }
    ),
]


def _job_name(v: Any) -> str:
    if not isinstance(v, str) or not TUNING_JOB_NAME_RE.fullmatch(v):
        raise rule_error(
            "1-32 letters, digits and hyphens, starting and ending with a letter or "
            f"digit (SageMaker's rule), got {v!r}"
        )
    return v


JobName: TypeAlias = Annotated[
    str,
    PlainValidator(_job_name),
    WithJsonSchema({"type": "string", "pattern": TUNING_JOB_NAME_RE.pattern, "maxLength": 32}),
]


def mapping_check(v: Any) -> dict[str, Any]:
    """A check of an object (mapping); its keys as strings."""
    if not isinstance(v, dict):
        raise rule_error(f"must be an object (mapping), got {type(v).__name__} {v!r}")
    return {str(k): x for k, x in v.items()}


#: A free-form object (validated by the semantic checks).
Mapping_: TypeAlias = Annotated[
    dict[str, Any], PlainValidator(mapping_check), WithJsonSchema({"type": "object"})
]


def _path(v: Any) -> str:
    if not isinstance(v, str) or not v:
        raise rule_error(f"must be a path (string), got {v!r}")
    return v


Path_: TypeAlias = Annotated[
    str, PlainValidator(_path), WithJsonSchema({"type": "string", "minLength": 1})
]


def _number(v: Any) -> int | float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise rule_error(f"must be a finite number, got {v!r}")
    return v


Number: TypeAlias = Annotated[float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
Integer: TypeAlias = Annotated[
    int, PlainValidator(integer_check(None)), WithJsonSchema(integer_schema(None))
]


def _scalar(v: Any) -> str | int | float | bool:
    if not isinstance(v, (str, int, float, bool)):
        raise rule_error(f"must be a string, number or bool, got {v!r}")
    return v


Scalar: TypeAlias = Annotated[
    Any, PlainValidator(_scalar), WithJsonSchema({"type": ["string", "number", "boolean"]})
]


def _env_value(v: Any) -> str:
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise rule_error(f"must be a string or number, got {v!r}")
    return str(v)


EnvValue: TypeAlias = Annotated[
    str, PlainValidator(_env_value), WithJsonSchema({"type": ["string", "number"]})
]


def _string(v: Any) -> str:
    if not isinstance(v, str):
        raise rule_error(f"must be a string (as in SageMaker), got {v!r}")
    return v


SageMakerString: TypeAlias = Annotated[
    str, PlainValidator(_string), WithJsonSchema({"type": "string"})
]


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise rule_error(f"must be a list, got {v!r}")
    return list(v)


List_: TypeAlias = Annotated[list[Any], PlainValidator(_list), WithJsonSchema({"type": "array"})]

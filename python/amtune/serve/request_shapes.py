"""SageMaker's request shapes, checked as the service checks them, before anything is written.

:func:`check_request` walks a control-plane request against its input shape in botocore's
``sagemaker`` service model (botocore is in the ``serve`` extra; ``service="cloudwatch"`` for
CloudWatch's): JSON types, required members, lengths of strings, lists and maps, number ranges
(``integer`` members hold 32 bits and ``long`` members 64, a larger number being SageMaker's
``SerializationException``), enums and patterns. :func:`check_tags` checks a
``Tags`` list by SageMaker's rules (at most 50 ``{Key, Value}`` objects; Key 1-128 and Value 0-256
characters of letters, separators, numbers and ``_.:/=+-@``) without the model. Both raise
:class:`ShapeError` for the first broken rule; its message names the member path, 1-based as
SageMaker counts list members (``ProductionVariants.1.VariantName``), and the rule:

>>> check_tags([{"Key": "team", "Value": "ml"}])
[{'Key': 'team', 'Value': 'ml'}]
>>> try:
...     check_tags([{"Key": "bad#key", "Value": ""}])
... except ShapeError as exc:
...     print(str(exc).replace(": Member", ":\\nMember"))
1 validation error detected: Value 'bad#key' at 'Tags.1.Key' failed to satisfy constraint:
Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$

Local conveniences the service accepts on purpose are exempt from the model's rule (see
``_EXEMPT``): local paths and ``file://`` URLs where SageMaker wants ``s3://`` or ``https://``,
``MaxResults`` above 100 (amtune's own clients list everything in one page), any role (no IAM
here), and the instance type, which the control plane checks itself.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any


class ShapeError(ValueError):
    """A request that breaks its shape (SageMaker's ``ValidationException``): ``path`` is the
    member (``ProductionVariants.1.VariantName``) and ``missing`` whether a required member is
    absent (CloudWatch answers that one as ``MissingParameter``); ``code`` is SageMaker's error
    code (``SerializationException`` for a number no ``integer``/``long`` can hold)."""

    def __init__(
        self,
        message: str,
        path: str = "",
        missing: bool = False,
        code: str = "ValidationException",
    ) -> None:
        super().__init__(message)
        self.path = path
        self.missing = missing
        self.code = code


#: the value ranges of botocore's ``integer`` (32-bit) and ``long`` (64-bit) shapes: a number
#: outside them is no value of the shape (SageMaker cannot even read it: SerializationException)
INTEGER_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


#: SageMaker's TagKey / TagValue pattern, as the service model spells it
TAG_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
MAX_TAGS = 50


def tag_text_ok(text: str) -> bool:
    """Whether ``text`` matches :data:`TAG_PATTERN`: every character a letter (``L*``), a
    separator (``Z*``), a number (``N*``) or one of ``_.:/=+-@``.

    >>> tag_text_ok("Équipe 1"), tag_text_ok("a#b")
    (True, False)
    """
    return all(c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


def _render(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) > 80:
        text = f"{text[:60]}... ({len(text)} characters)"
    return f"'{text}'"


def _fail(path: str, value: Any, rule: str) -> ShapeError:
    return ShapeError(
        f"1 validation error detected: Value {_render(value)} at '{path}' failed to satisfy "
        f"constraint: Member must {rule}",
        path,
        value is None and rule == "not be null",
    )


def check_tags(tags: Any, path: str = "Tags") -> list[dict[str, str]]:
    """``tags`` (a request's ``Tags``; None is none) as a list of ``{Key, Value}`` dicts, or
    :class:`ShapeError` naming the first broken rule (at most ``MAX_TAGS`` tags)."""
    if tags is None:
        return []
    if not isinstance(tags, list):
        raise _fail(path, tags, "be a list of {Key, Value} objects")
    if len(tags) > MAX_TAGS:
        raise _fail(path, f"{len(tags)} tags", f"have length less than or equal to {MAX_TAGS}")
    out = []
    for i, tag in enumerate(tags, 1):
        where = f"{path}.{i}"
        if not isinstance(tag, dict):
            raise _fail(where, tag, "be an object with Key and Value")
        for member, lo, hi in (("Key", 1, 128), ("Value", 0, 256)):
            text = tag.get(member)
            if text is None:
                raise _fail(f"{where}.{member}", None, "not be null")
            if not isinstance(text, str):
                raise _fail(f"{where}.{member}", text, "be a string")
            if len(text) < lo:
                raise _fail(f"{where}.{member}", text, f"have length greater than or equal to {lo}")
            if len(text) > hi:
                raise _fail(f"{where}.{member}", text, f"have length less than or equal to {hi}")
            if not tag_text_ok(text):
                raise _fail(
                    f"{where}.{member}", text, f"satisfy regular expression pattern: {TAG_PATTERN}"
                )
        out.append({"Key": tag["Key"], "Value": tag["Value"]})
    return out


@functools.lru_cache(maxsize=4)
def service_model(service: str = "sagemaker") -> dict[str, Any] | None:
    """botocore's service model of ``service`` (``sagemaker``, ``cloudwatch``; None without
    botocore)."""
    try:
        from botocore.loaders import Loader
    except ImportError:  # pragma: no cover - botocore is in the serve extra
        return None
    model: dict[str, Any] = Loader().load_service_model(service, "service-2")
    return model


#: shape name -> the model's rules amtune does not apply to it, and why
_EXEMPT: dict[str, frozenset[str]] = {
    # local directories, .tar.gz files and file:// URLs are model data and output locations here
    "Url": frozenset({"pattern"}),
    "DestinationS3Uri": frozenset({"pattern"}),
    # amtune's own clients (deploy, the CLI, Session) list everything with MaxResults=100000
    "MaxResults": frozenset({"max"}),
    # a role's name or any placeholder will do: local model servers and jobs need no IAM role
    # (the SDK's notebooks and amtune's tests pass role="SageMakerRole", "role", ...)
    "RoleArn": frozenset({"pattern", "min"}),
    # ControlPlane._validate_variant checks it, with the message boto3 users know
    "ProductionVariantInstanceType": frozenset({"enum"}),
}


#: enums taken in any case: the List actions that sort with ``listing.paged`` read ``SortBy`` so
#: (moto's tests send ``SortBy="name"``)
_CASELESS_ENUMS = frozenset(
    {
        "ModelSortKey",
        "EndpointSortKey",
        "EndpointConfigSortKey",
        "SortBy",
        "HyperParameterTuningJobSortByOptions",
    }
)


@functools.cache
def _matcher(pattern: str) -> Callable[[str], bool] | None:
    """A full-match test for a (Java) pattern of the model, or None when Python's ``re`` cannot
    express it (``\\p{..}`` classes other than the tag pattern's): such a rule is not checked."""
    bare = pattern.removeprefix("^").removesuffix("$")
    if bare == TAG_PATTERN[1:-1]:
        return tag_text_ok
    if r"\p{" in bare:
        return None
    try:
        rx = re.compile(bare)
    except re.error:
        return None
    return lambda s: rx.fullmatch(s) is not None


def check_request(
    operation: str,
    request: Mapping[str, Any],
    relax: Mapping[str, frozenset[str]] | None = None,
    service: str = "sagemaker",
) -> None:
    """Check ``request`` against ``operation``'s input shape in ``service``'s model;
    :class:`ShapeError` names the first broken rule. Unknown members are let through (amtune
    takes a few of its own); a JSON null is an absent member. ``integer`` and ``long`` members
    must be in their 32- and 64-bit ranges (:data:`INTEGER_RANGE`). ``relax`` (shape name ->
    rules) exempts more rules for this request. Without botocore, or for an operation the model
    lacks, nothing is checked."""
    model = service_model(service)
    if model is None:
        return
    op = model["operations"].get(operation)
    if op is None or "input" not in op:
        return
    exempt: dict[str, frozenset[str]] = dict(_EXEMPT) if service == "sagemaker" else {}
    for name, rules in (relax or {}).items():
        exempt[name] = exempt.get(name, frozenset()) | rules
    _check(model["shapes"], op["input"]["shape"], request, "", exempt)


def check_shape(shape: str, value: Any, path: str, service: str = "sagemaker") -> None:
    """Check ``value`` (at member ``path``) against the model's shape named ``shape``, as
    :func:`check_request` checks a whole request (the same exemptions)."""
    model = service_model(service)
    if model is None or shape not in model["shapes"]:
        return
    _check(model["shapes"], shape, value, path, dict(_EXEMPT) if service == "sagemaker" else {})


def _check(
    shapes: Mapping[str, Any],
    name: str,
    value: Any,
    path: str,
    exempt: Mapping[str, frozenset[str]],
) -> None:
    shape = shapes[name]
    kind = shape["type"]
    skip = exempt.get(name, frozenset())
    where = path or name

    def size(n: int, what: str) -> None:
        if "min" in shape and "min" not in skip and n < shape["min"]:
            raise _fail(where, value, f"have length greater than or equal to {shape['min']}")
        if "max" in shape and "max" not in skip and n > shape["max"]:
            raise _fail(where, what, f"have length less than or equal to {shape['max']}")

    if kind == "structure":
        if not isinstance(value, dict):
            raise _fail(where, value, "be an object")
        prefix = f"{path}." if path else ""
        for member in shape.get("required", ()):
            if value.get(member) is None:
                raise _fail(f"{prefix}{member}", None, "not be null")
        members = shape.get("members", {})
        for key, item in value.items():
            if key in members and item is not None:
                _check(shapes, members[key]["shape"], item, f"{prefix}{key}", exempt)
    elif kind == "list":
        if not isinstance(value, list):
            raise _fail(where, value, "be a list")
        size(len(value), f"{len(value)} members")
        for i, item in enumerate(value, 1):
            if item is None:
                raise _fail(f"{where}.{i}", None, "not be null")
            _check(shapes, shape["member"]["shape"], item, f"{where}.{i}", exempt)
    elif kind == "map":
        if not isinstance(value, dict):
            raise _fail(where, value, "be an object (a map)")
        size(len(value), f"{len(value)} entries")
        for key, item in value.items():
            _check(shapes, shape["key"]["shape"], key, where, exempt)
            if item is None:
                raise _fail(f"{where}.{key}", None, "not be null")
            _check(shapes, shape["value"]["shape"], item, f"{where}.{key}", exempt)
    elif kind == "string":
        if not isinstance(value, str):
            raise _fail(where, value, "be a string")
        enum = shape.get("enum", ()) if "enum" not in skip else ()
        if name in _CASELESS_ENUMS:
            ok = not enum or value.lower() in {e.lower() for e in enum}
        else:
            ok = not enum or value in enum
        if not ok:
            raise _fail(where, value, f"satisfy enum value set: [{', '.join(shape['enum'])}]")
        size(len(value), value)
        if "pattern" in shape and "pattern" not in skip:
            matches = _matcher(shape["pattern"])
            if matches is not None and not matches(value):
                rule = f"satisfy regular expression pattern: {shape['pattern']}"
                raise _fail(where, value, rule)
    elif kind in ("integer", "long", "float", "double"):
        integral = kind in ("integer", "long")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, value, "be an integer" if integral else "be a number")
        if integral and not isinstance(value, int):
            raise _fail(where, value, "be an integer")
        if not math.isfinite(value):
            raise _fail(where, value, "be a finite number")
        if integral:
            lo, hi = INTEGER_RANGE[kind]
            if not lo <= value <= hi:
                bits = 32 if kind == "integer" else 64
                exc = _fail(where, value, f"be a {bits}-bit integer ({lo} to {hi})")
                exc.code = "SerializationException"
                raise exc
        if "min" in shape and value < shape["min"]:
            raise _fail(where, value, f"have value greater than or equal to {shape['min']}")
        if "max" in shape and "max" not in skip and value > shape["max"]:
            raise _fail(where, value, f"have value less than or equal to {shape['max']}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(where, value, "be a boolean")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _fail(where, value, "be a timestamp (epoch seconds)")
    elif kind == "blob" and not isinstance(value, str):
        raise _fail(where, value, "be a base64 string")

"""The filters and pages of the control plane's List actions.

>>> rows = [{"name": n, "creation_time": t, "status": "InService"} for n, t in (("b", 2), ("a", 1))]
>>> paged(rows, {"MaxResults": 1}, "Ascending")
([{'name': 'a', 'creation_time': 1, 'status': 'InService'}], {'NextToken': '1'})
>>> paged(rows, {"NextToken": "1", "MaxResults": 1}, "Ascending")[0][0]["name"]
'b'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from amtune.serve.request_shapes import ShapeError

#: SortBy values (any case) -> row column; anything else sorts by creation time
_SORT_COLUMNS = {"name": "name", "status": "status", "creationtime": "creation_time"}


_TOKEN = re.compile(r"[0-9]{1,18}")


def window(req: Mapping[str, Any], default: int = 100) -> tuple[int, int]:
    """``(start, limit)`` of a List request's ``NextToken`` and ``MaxResults`` (default
    ``default``); :class:`ShapeError` for a token this service did not give or a ``MaxResults``
    that is not an integer >= 1.

    >>> window({"NextToken": "x"})
    Traceback (most recent call last):
    ...
    amtune.serve.request_shapes.ShapeError: Invalid pagination token
    """
    token = req.get("NextToken")
    if token is None or token == "":
        start = 0
    elif isinstance(token, str) and _TOKEN.fullmatch(token):
        start = int(token)
    else:
        raise ShapeError("Invalid pagination token")
    limit = req.get("MaxResults")
    if limit is None:
        return start, default
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ShapeError(
            f"1 validation error detected: Value '{limit}' at 'MaxResults' failed to satisfy "
            f"constraint: Member must be an integer greater than or equal to 1"
        )
    return start, limit


def _time(req: Mapping[str, Any], key: str) -> float | None:
    t = req.get(key)
    if t is None:
        return None
    try:
        if isinstance(t, bool):
            raise TypeError
        return float(t)
    except (TypeError, ValueError):
        raise ShapeError(
            f"1 validation error detected: Value '{t}' at '{key}' failed to satisfy constraint: "
            f"Member must be a timestamp (epoch seconds)"
        ) from None


def paged(
    rows: list[dict[str, Any]],
    req: Mapping[str, Any],
    default_order: str,
    default_sort: str = "CreationTime",
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``rows`` (with ``name``, ``creation_time`` and maybe ``last_modified_time`` and
    ``status``) filtered by ``NameContains`` and ``CreationTime``/``LastModifiedTime``
    ``Before``/``After``, sorted by ``SortBy`` (default ``default_sort``) in ``SortOrder``
    (default ``default_order``), and the page of ``NextToken``/``MaxResults`` with the next
    token. The training jobs' and tuning jobs' defaults are the API reference's (botocore's
    service model: CreationTime, Ascending and Name, Ascending). The reference gives the models',
    endpoint configs' and endpoints' as CreationTime, Descending, but moto's tests, which this
    service passes (``tests/test_serve_moto.py``), expect them oldest first when no ``SortBy`` is
    given (``ControlPlane._filter``)."""
    nc = req.get("NameContains")
    if nc is not None and not isinstance(nc, str):
        raise ShapeError(
            f"1 validation error detected: Value '{nc}' at 'NameContains' failed to satisfy "
            f"constraint: Member must be a string"
        )
    if nc:
        rows = [r for r in rows if nc in r["name"]]
    for key, col, before in (
        ("CreationTimeBefore", "creation_time", True),
        ("CreationTimeAfter", "creation_time", False),
        ("LastModifiedTimeBefore", "last_modified_time", True),
        ("LastModifiedTimeAfter", "last_modified_time", False),
    ):
        t = _time(req, key)
        if t is not None:
            rows = [r for r in rows if col in r and (r[col] < t if before else r[col] > t)]
    col = _SORT_COLUMNS.get(str(req.get("SortBy") or default_sort).lower(), "creation_time")
    descending = (req.get("SortOrder") or default_order) == "Descending"
    rows = sorted(rows, key=lambda r: (r[col], r["name"]), reverse=descending)
    start, limit = window(req)
    token = {"NextToken": str(start + limit)} if start + limit < len(rows) else {}
    return rows[start : start + limit], token

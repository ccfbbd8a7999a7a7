"""The filters and pages of the control plane's List actions.

>>> rows = [{"name": n, "creation_time": t, "status": "InService"} for n, t in (("b", 2), ("a", 1))]
>>> paged(rows, {"MaxResults": 1}, "Ascending")
([{'name': 'a', 'creation_time': 1, 'status': 'InService'}], {'NextToken': '1'})
>>> paged(rows, {"NextToken": "1", "MaxResults": 1}, "Ascending")[0][0]["name"]
'b'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: SortBy values (any case) -> row column; anything else sorts by creation time
_SORT_COLUMNS = {"name": "name", "status": "status", "creationtime": "creation_time"}


def window(req: Mapping[str, Any]) -> tuple[int, int]:
    """``(start, limit)`` of a List request's ``NextToken`` and ``MaxResults`` (default 100)."""
    return int(req.get("NextToken") or 0), int(req.get("MaxResults") or 100)


def paged(
    rows: list[dict[str, Any]], req: Mapping[str, Any], default_order: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``rows`` (with ``name``, ``creation_time`` and maybe ``last_modified_time`` and
    ``status``) filtered by ``NameContains`` and ``CreationTime``/``LastModifiedTime``
    ``Before``/``After``, sorted by ``SortBy`` (default creation time) in ``SortOrder`` (default
    ``default_order``), and the page of ``NextToken``/``MaxResults`` with the next token."""
    nc = req.get("NameContains")
    if nc:
        rows = [r for r in rows if nc in r["name"]]
    for key, col, before in (
        ("CreationTimeBefore", "creation_time", True),
        ("CreationTimeAfter", "creation_time", False),
        ("LastModifiedTimeBefore", "last_modified_time", True),
        ("LastModifiedTimeAfter", "last_modified_time", False),
    ):
        t = req.get(key)
        if t is not None:
            rows = [
                r for r in rows if col in r and (r[col] < float(t) if before else r[col] > float(t))
            ]
    col = _SORT_COLUMNS.get(str(req.get("SortBy") or "").lower(), "creation_time")
    descending = (req.get("SortOrder") or default_order) == "Descending"
    rows = sorted(rows, key=lambda r: (r[col], r["name"]), reverse=descending)
    start, limit = window(req)
    token = {"NextToken": str(start + limit)} if start + limit < len(rows) else {}
    return rows[start : start + limit], token

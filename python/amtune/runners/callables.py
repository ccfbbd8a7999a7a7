"""Training callables by import path (``module:qualname``), so that a resumed job finds its
training function again.

>>> import os.path
>>> callable_ref(os.path.join)
'posixpath:join'
>>> import_callable("posixpath:join") is os.path.join
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def callable_ref(fn: Callable[..., Any]) -> str | None:
    """``module:qualname`` when ``fn`` can be imported again by that name, else None."""
    mod = getattr(fn, "__module__", None)
    qn = getattr(fn, "__qualname__", None)
    if not mod or not qn or "<" in qn:
        return None
    return f"{mod}:{qn}"


def import_callable(ref: str) -> Callable[..., Any]:
    mod, _, qn = ref.partition(":")
    obj: Any = importlib.import_module(mod)
    for part in qn.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]

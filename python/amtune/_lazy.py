"""Module attributes imported when first used (PEP 562), for the modules that give the
SageMaker SDK's names (``amtune.pytorch``, ``amtune.sklearn``, ...) without importing what they
name until a notebook uses it.

>>> getattr_ = lazy_attributes("demo", {"dumps": "json"})
>>> getattr_("dumps")({"a": 1})
'{"a": 1}'
>>> getattr_("nope")
Traceback (most recent call last):
...
AttributeError: module 'demo' has no attribute 'nope'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(module: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that gives ``names[name]``'s attribute ``name``."""
    table = dict(names)

    def __getattr__(name: str) -> Any:
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__

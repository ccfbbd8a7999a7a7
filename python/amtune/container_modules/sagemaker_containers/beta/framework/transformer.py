"""``sagemaker_containers.beta.framework.transformer``: importable (scripts import it with the
rest) but empty: any of its names raises an ``ImportError`` saying what the stand-in provides."""

from __future__ import annotations

from typing import Any

from ._missing import missing


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise missing(__name__, name)

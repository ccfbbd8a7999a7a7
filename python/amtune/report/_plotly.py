"""The one place that imports plotly, with the install hint when it is missing."""

from __future__ import annotations

import importlib
from types import ModuleType


def graph_objects() -> ModuleType:
    """``plotly.graph_objects``, or an ImportError that says how to install it."""
    try:
        go: ModuleType = importlib.import_module("plotly.graph_objects")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the amtune report needs plotly: install it with pip install 'amtune[report]'"
        ) from None
    return go


def plotly_js() -> str:
    """The plotly.js bundle shipped with the installed plotly (inlined once per report)."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the amtune report needs plotly: install it with pip install 'amtune[report]'"
        ) from None
    return str(get_plotlyjs())


def make_subplots(**kwargs: object) -> object:
    """``plotly.subplots.make_subplots`` (an ImportError with the install hint without plotly)."""
    graph_objects()
    from plotly.subplots import make_subplots as _make

    return _make(**kwargs)

"""Search strategies: ``Random``, ``Grid``, ``Bayesian`` and ``Hyperband``.

``Hyperband`` proposes like ``Random``; its rung rule (stopping training jobs at intermediate
resources) is applied by tuning jobs (:mod:`amtune.rules.hyperband`).
"""

from __future__ import annotations

import inspect
from typing import Any

from amtune.strategies.base import History, SearchSpaceExhausted, Strategy
from amtune.strategies.grid import GridSearch
from amtune.strategies.hyperband import HyperbandSearch
from amtune.strategies.random_search import RandomSearch

__all__ = [
    "GridSearch",
    "History",
    "HyperbandSearch",
    "RandomSearch",
    "SearchSpaceExhausted",
    "Strategy",
    "make_strategy",
]


def _registry() -> dict[str, Any]:
    from amtune.strategies.bayesian import BayesianSearch

    return {
        "Random": RandomSearch,
        "Grid": GridSearch,
        "Bayesian": BayesianSearch,
        "Hyperband": HyperbandSearch,
    }


def make_strategy(strategy: str | Strategy, **options: Any) -> Strategy:
    """A strategy instance from its SageMaker name (``Random``, ``Grid``, ``Bayesian``,
    ``Hyperband``) or itself.

    >>> make_strategy("Grid").name
    'Grid'
    """
    if isinstance(strategy, Strategy):
        if options:
            raise ValueError(f"strategy options {sorted(options)} given with a Strategy instance")
        return strategy
    reg = _registry()
    if strategy not in reg:
        raise ValueError(f"strategy must be one of {sorted(reg)}, got {strategy!r}")
    cls = reg[strategy]
    allowed = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(
            f"strategy options: unknown option(s) {unknown} for the {strategy} strategy "
            f"(allowed: {', '.join(allowed) or 'none'})"
        )
    return cls(**options)  # type: ignore[no-any-return]

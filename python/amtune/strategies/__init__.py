"""Search strategies: ``Random``, ``Grid``, ``Bayesian`` and ``Hyperband``.

``Hyperband`` proposes like ``Random``; its rung rule (stopping training jobs at intermediate
resources) is applied by tuning jobs (:mod:`amtune.hyperband`).
"""

from __future__ import annotations

import inspect
from typing import Any

from amtune.strategies.base import History, SearchSpaceExhausted, Strategy
from amtune.strategies.grid import GridSearch
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


class HyperbandSearch(RandomSearch):
    """Hyperband's proposals: Random search. ``min_resource``/``max_resource`` are the options of
    the rung rule that tuning jobs apply (see :mod:`amtune.hyperband`); alone, in an
    ``Optimizer``, this is Random search."""

    name = "Hyperband"

    def __init__(self, min_resource: int | None = None, max_resource: int | None = None) -> None:
        super().__init__()
        from amtune.hyperband import HyperbandStrategyConfig

        cfg = HyperbandStrategyConfig(min_resource, max_resource)
        # validate what is given (MaxResource may be inferred later by a tuning job)
        cfg.resolve(None if max_resource is not None else {"epochs": 20000}, "Hyperband")
        self.config = cfg


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

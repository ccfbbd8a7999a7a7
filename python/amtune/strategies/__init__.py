"""Search strategies: ``Random``, ``Grid``, ``Bayesian`` (and ``Hyperband`` in tuning jobs)."""

from __future__ import annotations

from typing import Any

from amtune.strategies.base import History, SearchSpaceExhausted, Strategy
from amtune.strategies.grid import GridSearch
from amtune.strategies.random_search import RandomSearch

__all__ = [
    "GridSearch",
    "History",
    "RandomSearch",
    "SearchSpaceExhausted",
    "Strategy",
    "make_strategy",
]


def _registry() -> dict[str, Any]:
    from amtune.strategies.bayesian import BayesianSearch

    return {"Random": RandomSearch, "Grid": GridSearch, "Bayesian": BayesianSearch}


def make_strategy(strategy: str | Strategy, **options: Any) -> Strategy:
    """A strategy instance from its SageMaker name (``Random``, ``Grid``, ``Bayesian``) or itself.

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
    try:
        return reg[strategy](**options)  # type: ignore[no-any-return]
    except TypeError as exc:
        raise ValueError(
            f"strategy {strategy!r}: invalid options {sorted(options)}: {exc}"
        ) from None

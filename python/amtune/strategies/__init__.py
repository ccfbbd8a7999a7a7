"""Search strategies: ``Random``, ``Grid``, ``Bayesian`` and ``Hyperband``.

``Hyperband`` proposes like ``Random``; its rung rule (stopping training jobs at intermediate
resources) is applied by tuning jobs (:mod:`amtune.rules.hyperband`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from amtune.errors import FieldError
from amtune.space.search_space import SearchSpace
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
    "build_strategy",
    "check_strategy",
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
    return build_strategy(strategy, options)


def build_strategy(
    strategy: str | Strategy,
    options: Mapping[str, Any],
    name_path: str = "strategy",
    options_path: str = "strategy options",
) -> Strategy:
    """:func:`make_strategy` with the field paths its errors name: an unknown strategy raises
    :class:`~amtune.errors.FieldError` at ``name_path``, an unknown option at ``options_path``
    (an option's bad value raises the strategy's own ``ValueError``/``TypeError``)."""
    if isinstance(strategy, Strategy):
        if options:
            raise FieldError(options_path, f"{sorted(options)} given with a Strategy instance")
        return strategy
    reg = _registry()
    if strategy not in reg:
        raise FieldError(name_path, f"must be one of {sorted(reg)}, got {strategy!r}")
    cls = reg[strategy]
    allowed = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise FieldError(
            options_path,
            f"unknown option(s) {unknown} for the {strategy} strategy "
            f"(allowed: {', '.join(allowed) or 'none'})",
        )
    return cls(**options)  # type: ignore[no-any-return]


def check_strategy(
    strategy: str | Strategy,
    options: Mapping[str, Any],
    space: SearchSpace,
    name_path: str = "strategy",
    options_path: str = "strategy_config",
) -> None:
    """Check that ``strategy`` exists, takes ``options`` and accepts the ranges of ``space``;
    every problem is a :class:`~amtune.errors.FieldError` at ``name_path`` or ``options_path``.

    >>> import amtune
    >>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(0.0, 1.0)})
    >>> try:
    ...     check_strategy("Grid", {}, space)
    ... except ValueError as exc:
    ...     print(exc.path, "|", exc.rule[:40])
    strategy | the Grid strategy needs integer or categ
    """
    try:
        probe = build_strategy(strategy, options, name_path, options_path)
    except FieldError:
        raise
    except (ValueError, TypeError) as exc:  # an option's value, checked by the strategy
        raise FieldError(options_path, str(exc)) from None
    try:
        probe.bind(space, 0)
    except (ValueError, TypeError) as exc:
        raise FieldError(name_path, str(exc)) from None

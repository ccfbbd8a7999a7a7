"""Random search: uniform in the encoded space, without repeats on finite spaces.

Helpers shared with Grid (and usable by other strategies) number the configurations of a finite
space in grid order: mixed radix over the ranges in their given order, the last range varying
fastest, integers ascending and categorical values in their listed order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from amtune.space import SearchSpace
from amtune.strategies.base import History, SearchSpaceExhausted, Strategy

#: Finite spaces up to this size may be enumerated to draw the last unused configurations exactly.
_ENUMERATE_LIMIT = 1_000_000
#: Rejection-sampling rounds tried before enumerating the unused configurations.
_REJECTION_ROUNDS = 8


def config_keys(space_canon: np.ndarray) -> list[bytes]:
    """Hashable identity of canonical encoded rows (discrete coordinates are exact cell centres)."""
    arr = np.ascontiguousarray(space_canon, dtype=np.float64)
    return [row.tobytes() for row in arr]


def _offsets(space: SearchSpace) -> np.ndarray:
    """Raw value of digit 0 per range: min_value for integers, index 0 for categoricals."""
    return np.array(
        [
            float(getattr(space.ranges[n], "min_value", 0)) if k == "Integer" else 0.0
            for n, k in zip(space.names, space.kinds(), strict=True)
        ]
    )


def _finite_cards(space: SearchSpace) -> list[int]:
    cards = space.cardinalities()
    if any(c == 0 for c in cards):
        continuous = [n for n, c in zip(space.names, cards, strict=True) if c == 0]
        raise ValueError(
            f"only integer and categorical ranges can be enumerated; continuous: {continuous}"
        )
    return cards


def grid_raw(space: SearchSpace, indices: Any) -> np.ndarray:
    """Raw ``(m, d)`` values (as ``SearchSpace.to_raw`` gives) of configurations by grid index."""
    cards = _finite_cards(space)
    if (space.size or 1) < 2**62:
        flat = np.asarray(indices, dtype=np.int64).reshape(-1)
        raw = np.empty((flat.shape[0], len(cards)))
        for j in range(len(cards) - 1, -1, -1):
            flat, digit = np.divmod(flat, cards[j])
            raw[:, j] = digit
    else:  # beyond int64: Python integers
        rows = []
        for index in np.asarray(indices, dtype=object).reshape(-1).tolist():
            rest: int = int(index)
            row: list[int] = []
            for k in reversed(cards):
                rest, place = divmod(rest, k)
                row.append(place)
            rows.append(row[::-1])
        raw = np.array(rows, dtype=np.float64).reshape(-1, len(cards))
    out: np.ndarray = raw + _offsets(space)
    return out


def grid_indices(space: SearchSpace, X: np.ndarray) -> list[int]:
    """Grid index of each encoded row of a finite space (rows are snapped to their cells)."""
    cards = _finite_cards(space)
    if len(X) == 0:
        return []
    raw = np.asarray(space.engine.decode(space.check_unit(X))) - _offsets(space)
    digits = np.rint(raw).astype(np.int64)
    if (space.size or 1) < 2**62:
        idx = np.zeros(digits.shape[0], dtype=np.int64)
        for j, k in enumerate(cards):
            idx = idx * k + digits[:, j]
        return [int(i) for i in idx]
    out = []
    for row in digits.tolist():
        i = 0
        for d, k in zip(row, cards, strict=True):
            i = i * k + d
        out.append(i)
    return out


def enumerate_grid(space: SearchSpace) -> np.ndarray:
    """Every configuration of a finite space, encoded, in grid order (last range varies fastest)."""
    size = space.size
    if size is None or size > _ENUMERATE_LIMIT:
        raise ValueError(
            f"enumerate_grid: the space must be finite with at most "
            f"{_ENUMERATE_LIMIT} configurations, got {size}"
        )
    return np.asarray(space.engine.encode(grid_raw(space, np.arange(size))))


def _cell_weights(space: SearchSpace) -> np.ndarray:
    """Probability of every configuration (grid order) under uniform sampling of ``[0, 1]^d``."""
    weights = np.ones(1)
    for name, k in zip(space.names, space.cardinalities(), strict=True):
        p = space.ranges[name]
        w = np.full(k, 1.0 / k)
        if p.kind == "Integer" and getattr(p, "scale", "Linear") == "Logarithmic":
            lo = float(getattr(p, "min_value", 1))
            edges = np.log(lo - 0.5 + np.arange(k + 1))
            w = np.diff(edges) / (edges[-1] - edges[0])
        weights = np.multiply.outer(weights, w).reshape(-1)
    return weights


def _seen_indices(space: SearchSpace, history: History) -> set[int]:
    rows = np.vstack([history.X, history.pending]) if len(history.pending) else history.X
    return set(grid_indices(space, rows))


def unused_discrete(strategy: Strategy, n: int, history: History) -> np.ndarray:
    """``n`` distinct canonical points of a finite space, none finished or pending.

    Draws uniformly in ``[0, 1]^d`` and rejects used cells; when few unused configurations remain,
    draws among them with their cells' probabilities. Raises ``SearchSpaceExhausted`` (changing
    nothing) when fewer than ``n`` remain.
    """
    space = strategy.space
    size = space.size
    if size is None:
        raise ValueError("unused_discrete needs a finite search space")
    seen = _seen_indices(space, history)
    remaining = size - len(seen)
    if n > remaining:
        raise SearchSpaceExhausted(
            f"the search space has {size} distinct configurations and {len(seen)} are already "
            f"evaluated or pending: cannot propose {n} more"
        )
    chosen: list[int] = []
    rounds = 0
    while len(chosen) < n:
        if size <= _ENUMERATE_LIMIT and (rounds >= _REJECTION_ROUNDS or remaining <= 2 * n):
            free = np.setdiff1d(np.arange(size), np.fromiter(seen, np.int64, len(seen)))
            w = _cell_weights(space)[free]
            pick = strategy.rng.choice(free, size=n - len(chosen), replace=False, p=w / w.sum())
            chosen.extend(int(i) for i in pick)
            break
        rounds += 1
        cand = space.sample_unit(max(2 * (n - len(chosen)), 16), strategy.next_seed())
        for i in grid_indices(space, cand):
            if i not in seen:
                seen.add(i)
                chosen.append(i)
                if len(chosen) == n:
                    break
    return np.asarray(space.engine.encode(grid_raw(space, chosen)))


class RandomSearch(Strategy):
    """Each proposal uniform in ``[0, 1]^d``: log-uniform on Logarithmic ranges, and so on.

    On a finite space (integer and categorical ranges only) no configuration is proposed twice
    (finished, failed, added or pending ones count) until the space is exhausted; asking for more
    than remain raises ``SearchSpaceExhausted``, a ValueError.

    >>> import amtune
    >>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(-1.0, 1.0)})
    >>> opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
    >>> [t.params["x"] for t in opt.ask(2)] == [t.params["x"] for t in
    ...     amtune.Optimizer(space, strategy="Random", random_seed=0).ask(2)]
    True
    >>> small = amtune.SearchSpace({"k": amtune.IntegerParameter(1, 3)})
    >>> sorted(t.params["k"] for t in amtune.Optimizer(small, "Random", random_seed=1).ask(3))
    [1, 2, 3]
    """

    name = "Random"

    def ask(self, n: int, history: History) -> np.ndarray:
        if self.space.is_finite:
            return unused_discrete(self, n, history)
        return self.space.sample_unit(n, self.next_seed())

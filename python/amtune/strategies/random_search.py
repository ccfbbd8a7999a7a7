"""Random search: uniform in the encoded space, without repeats on finite spaces."""

from __future__ import annotations

import numpy as np

from amtune.strategies.base import History, Strategy

#: Finite spaces up to this size are enumerated to draw unused configurations exactly.
_ENUMERATE_LIMIT = 1_000_000


def config_keys(space_canon: np.ndarray) -> list[bytes]:
    """Hashable identity of canonical encoded rows (discrete coordinates are exact cell centres)."""
    arr = np.ascontiguousarray(space_canon, dtype=np.float64)
    return [row.tobytes() for row in arr]


def unused_discrete(strategy: Strategy, n: int, history: History) -> np.ndarray:
    """``n`` distinct canonical points of a finite space not among finished or pending trials."""
    space = strategy.space
    size = space.size
    assert size is not None
    seen_rows = np.vstack([history.X, history.pending]) if history.pending.size else history.X
    seen = set(config_keys(space.canonicalize(seen_rows))) if seen_rows.size else set()
    remaining = size - len(seen)
    if n > remaining:
        raise ValueError(
            f"the search space has {size} distinct configurations and {len(seen)} are already "
            f"evaluated or pending: cannot propose {n} more"
        )
    if size <= _ENUMERATE_LIMIT and remaining <= 4 * n + 64:
        grid = enumerate_grid(space)
        keys = config_keys(grid)
        free = np.array([i for i, k in enumerate(keys) if k not in seen], dtype=np.int64)
        pick = strategy.rng.choice(free, size=n, replace=False)
        return grid[pick]
    out: list[np.ndarray] = []
    while len(out) < n:
        cand = space.canonicalize(space.sample_unit(max(2 * (n - len(out)), 16), strategy.next_seed()))
        for row, key in zip(cand, config_keys(cand)):
            if key not in seen:
                seen.add(key)
                out.append(row)
                if len(out) == n:
                    break
    return np.array(out)


def enumerate_grid(space) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Every configuration of a finite space, encoded, in grid order (last range varies fastest)."""
    cards = space.cardinalities()
    if any(c == 0 for c in cards):
        raise ValueError("only integer and categorical ranges can be enumerated")
    axes = []
    for name, k in zip(space.names, cards):
        p = space.ranges[name]
        values = np.arange(k, dtype=np.float64)
        if p.kind == "Integer":
            values = values + p.min_value
        axes.append(values)
    if not axes:
        return np.empty((1, 0))
    mesh = np.meshgrid(*axes, indexing="ij")
    raw = np.stack([m.reshape(-1) for m in mesh], axis=1)
    return np.asarray(space._core.encode(raw))


class RandomSearch(Strategy):
    """Each proposal uniform in ``[0, 1]^d``: log-uniform on Logarithmic ranges, and so on.

    >>> import amtune
    >>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(-1.0, 1.0)})
    >>> opt = amtune.Optimizer(space, strategy="Random", random_seed=0)
    >>> [t.params["x"] for t in opt.ask(2)] == [t.params["x"] for t in
    ...     amtune.Optimizer(space, strategy="Random", random_seed=0).ask(2)]
    True
    """

    name = "Random"

    def ask(self, n: int, history: History) -> np.ndarray:
        if self.space.is_finite:
            return unused_discrete(self, n, history)
        return self.space.sample_unit(n, self.next_seed())

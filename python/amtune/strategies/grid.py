"""Grid search over integer and categorical ranges, as SageMaker's Grid strategy."""

from __future__ import annotations

import numpy as np

from amtune.space import SearchSpace
from amtune.strategies.base import History, Strategy
from amtune.strategies.random_search import config_keys, enumerate_grid


class GridSearch(Strategy):
    """Every combination once, in a stable order.

    The order is the product of the ranges in the order they were given, the last range varying
    fastest; integers ascend and categorical values keep their listed order. The number of trials
    is the number of combinations. Continuous ranges are rejected, as SageMaker does.

    >>> import amtune
    >>> space = amtune.SearchSpace({"a": amtune.IntegerParameter(1, 2),
    ...                             "b": amtune.CategoricalParameter(["x", "y"])})
    >>> [t.params for t in amtune.Optimizer(space, strategy="Grid").ask(4)]
    [{'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'x'}, {'a': 2, 'b': 'y'}]
    """

    name = "Grid"

    def bind(self, space: SearchSpace, seed: int) -> None:
        continuous = [n for n, p in space.ranges.items() if p.kind == "Continuous"]
        if continuous:
            raise ValueError(
                f"the Grid strategy needs integer or categorical ranges only; continuous: {continuous}"
            )
        super().bind(space, seed)
        self._grid = enumerate_grid(space)
        self._keys = config_keys(self._grid)
        self._cursor = 0

    def ask(self, n: int, history: History) -> np.ndarray:
        seen_rows = np.vstack([history.X, history.pending]) if history.pending.size else history.X
        seen = set(config_keys(self.space.canonicalize(seen_rows))) if seen_rows.size else set()
        out: list[int] = []
        i = self._cursor
        while len(out) < n and i < len(self._keys):
            if self._keys[i] not in seen:
                out.append(i)
            i += 1
        if len(out) < n:
            raise ValueError(
                f"the grid has {len(self._keys)} combinations and all are evaluated or pending: "
                f"cannot propose {n} more"
            )
        self._cursor = i
        return self._grid[out]

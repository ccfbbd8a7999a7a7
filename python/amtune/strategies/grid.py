"""Grid search over integer and categorical ranges, as SageMaker's Grid strategy."""

from __future__ import annotations

import numpy as np

from amtune.space import SearchSpace
from amtune.strategies.base import History, SearchSpaceExhausted, Strategy
from amtune.strategies.random_search import grid_indices, grid_raw


class GridSearch(Strategy):
    """Every combination once, in a stable order.

    The order is the product of the ranges in the order they were given, the last range varying
    fastest; integers ascend and categorical values keep their listed order. The number of trials
    is the number of combinations: configurations already finished, added or pending are skipped,
    and asking past the end raises ``SearchSpaceExhausted`` (a ValueError). Continuous ranges are
    rejected, as SageMaker does. The grid is never materialized, so huge grids cost nothing until
    asked.

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
                "the Grid strategy needs integer or categorical ranges only (as in SageMaker); "
                f"continuous range(s): {continuous}"
            )
        super().bind(space, seed)
        self._size = int(space.size or 1)
        self._cursor = 0  # every grid index below it was proposed once

    def ask(self, n: int, history: History) -> np.ndarray:
        rows = np.vstack([history.X, history.pending]) if len(history.pending) else history.X
        seen = set(grid_indices(self.space, rows))
        remaining = self._size - len(seen)
        if n > remaining:
            raise SearchSpaceExhausted(
                f"the grid has {self._size} combinations and {len(seen)} are evaluated or "
                f"pending: cannot propose {n} more"
            )
        out: list[int] = []
        # Indices below the cursor that are not seen were proposed and then forgotten (or their
        # trials dropped): offer them again first, in grid order.
        if sum(1 for i in seen if i < self._cursor) < self._cursor:
            for i in range(self._cursor):
                if i not in seen:
                    out.append(i)
                    if len(out) == n:
                        break
        i = self._cursor
        while len(out) < n:
            if i not in seen:
                out.append(i)
            i += 1
        self._cursor = max(self._cursor, i)
        return np.asarray(self.space.engine.encode(grid_raw(self.space, out)))

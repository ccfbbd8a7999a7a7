"""How much of a metric's series one training job keeps (in memory and in the store).

A training job may emit a metric millions of times (a metric line per batch). Every emission goes
to the rules (early stopping, Hyperband rungs) as it comes; what is *kept* is bounded per training
job and metric: every emission up to :data:`KEEP_ALL` of them, then a decimated series whose
stride doubles each time the count doubles (emission ``k >= KEEP_ALL`` is kept when ``k`` is a
multiple of ``2 ** (floor(log2(k / KEEP_ALL)) + 1)``), plus the last emission, which is the final
value. A job that emits ``n`` times keeps at most ``KEEP_ALL * (1 + log2(n / KEEP_ALL) / 2) + 1``
emissions (about 51,000 for 3 million). Kept emissions carry their emission index as their step,
so the steps of a decimated series stay exact.

>>> [k for k in range(KEEP_ALL - 2, KEEP_ALL + 9) if keep(k)][:6] == [
...     KEEP_ALL - 2, KEEP_ALL - 1, KEEP_ALL, KEEP_ALL + 2, KEEP_ALL + 4, KEEP_ALL + 6]
True
>>> sum(keep(k) for k in range(3_000_000)) < 52_000
True
"""

from __future__ import annotations

#: Emissions of one metric of one training job kept in full before decimation starts.
KEEP_ALL = 10_000


def keep(k: int) -> bool:
    """Whether emission ``k`` (0-based, per training job and metric) is kept."""
    if k < KEEP_ALL:
        return True
    stride = 2 << ((k // KEEP_ALL).bit_length() - 1)  # 2 ** (floor(log2(k / KEEP_ALL)) + 1)
    return k % stride == 0

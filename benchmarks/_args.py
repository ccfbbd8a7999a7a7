"""Command-line arguments shared by the benchmark scripts."""

from __future__ import annotations


def int_list(text: str) -> list[int]:
    """Integers written as ``0-9``, ``1,8,32`` or ``0,3,5-7`` (ranges inclusive).

    >>> int_list("0,3,5-7")
    [0, 3, 5, 6, 7]
    """
    out: list[int] = []
    for part in text.split(","):
        lo, dash, hi = part.partition("-")
        out.extend(range(int(lo), int(hi) + 1) if dash else [int(lo)])
    return out

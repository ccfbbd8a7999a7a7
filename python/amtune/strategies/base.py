"""What every search strategy implements, and the history it sees."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from amtune.space import SearchSpace


def check_choice(name: str, value: object, choices: Collection[str]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError naming the option and its choices.

    >>> check_choice("noise_map", "log", ("log", "variance"))
    'log'
    >>> check_choice("noise_map", "lin", ("log", "variance"))
    Traceback (most recent call last):
    ValueError: noise_map must be 'log' or 'variance', got 'lin'
    """
    if not isinstance(value, str) or value not in choices:
        names = [repr(c) for c in choices]
        allowed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


class SearchSpaceExhausted(ValueError):
    """A strategy was asked for more distinct configurations than remain in a finite space."""


@dataclass(frozen=True)
class History:
    """Everything a strategy may condition on, in the encoded space.

    ``X`` holds the finished trials (``(n, d)`` in ``[0, 1]``), ``y`` their objective values in the
    *minimization* sense (``NaN`` for failed trials), ``pending`` the trials asked but not told yet.
    Arrays are read-only views owned by the optimizer; a strategy must not keep references across
    calls (they may be reallocated) unless it copies them.
    """

    X: np.ndarray
    y: np.ndarray
    pending: np.ndarray

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


class Strategy(ABC):
    """A proposal rule. ``bind`` is called once by the optimizer; ``ask`` returns encoded points.

    ``ask`` must not change the strategy's state when it raises (the optimizer then records
    nothing either), and on a finite space it must not return a configuration that is pending or
    repeated within the batch.
    """

    name: str = ""

    def bind(self, space: SearchSpace, seed: int) -> None:
        """Attach to a search space with a seed; the same seed gives the same proposals."""
        self.space = space
        self.seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed))

    @abstractmethod
    def ask(self, n: int, history: History) -> np.ndarray:
        """Return ``n`` new points of ``[0, 1]^d`` (rows), distinct from pending ones."""

    def claim_replicate(self, x: np.ndarray) -> bool:
        """Whether the encoded configuration ``x``, a repeat of an evaluated one, is a replicate
        the strategy proposed on purpose (answered ``True`` once per such proposal). A tuning job
        drops other exact repeats and asks again."""
        return False

    def max_trials(self) -> int | None:
        """How many distinct proposals this strategy can make in total, or None if unbounded."""
        return self.space.size

    def next_seed(self) -> int:
        """A fresh 64-bit seed drawn from the strategy's stream (for the compiled core)."""
        return int(self.rng.integers(0, 2**63 - 1))

"""Big-history mode of the Bayesian strategy (issue 4); the model itself is in the compiled core.

Design (``cpp/include/amtune/local_model.hpp``):

* Up to ``big_history_threshold`` finished trials (default 256) the Gaussian process is exact: it
  is conditioned on every trial, its Cholesky factor extended row by row between hyperparameter
  refits (a full refit when the history grew by half, warm-started refits in between, always on
  a bounded subset of at most ``max_fit_points`` = 128 trials).
* Beyond it, each proposal conditions the GP on at most ``local_points`` + ``max_fit_points``
  (256 + 128) trials: the ``local_points`` nearest to the incumbent in the kernel's metric and the
  space-filling fit subset. Proposals maximize log-EI inside a TuRBO-1 trust region around the
  incumbent (side 0.8 at the start, doubled after 3 improving batches, halved once failing batches
  hold max(4, d) trials, restarted below 2^-7; a batch is the trials learnt since the previous
  proposal), one in ten over the whole space (the exploration component).
  Hyperparameters are refitted every 20 trials on the trials nearest to the incumbent.
* Nothing of size n x n is ever held: memory is O(n d) for the history and O(m^2) for the model;
  ``tell()`` costs O(1) and a proposal O(n d + m^3 + candidates m^2), so the time per proposal
  hardly grows with n, and the first proposal after a resumed history (``Optimizer.add_many``)
  costs one full hyperparameter fit on 128 trials more.

Why 256: the exact model's proposal cost grows as n^2 (candidates are screened against all n
trials) while the local model's is flat; they cross between 256 and 512 trials at d = 20, and at 256
trials the local set would hold the whole history anyway. The trust region also improved the
regret on the 20-dimensional big-history problems (see the README and
``benchmarks/results/quality.md``), where the exact model stalls after a few hundred trials.
``big_history_threshold=None`` keeps the exact model at any size.
"""

from __future__ import annotations

import numbers

#: Finished trials beyond which the big-history mode is used (chosen by measurement, see README).
DEFAULT_BIG_HISTORY_THRESHOLD = 256
#: Nearest trials of the local model.
DEFAULT_LOCAL_POINTS = 256


def _int_option(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_big_history_options(threshold: object, local_points: object) -> tuple[int | None, int]:
    """Validate the big-history options; returns ``(threshold or None, local_points)``."""
    if threshold is not None and (not _int_option(threshold) or int(threshold) < 1):  # type: ignore[call-overload]
        raise ValueError(
            f"big_history_threshold must be a positive integer or None, got {threshold!r}"
        )
    if not _int_option(local_points) or not 16 <= int(local_points) <= 4096:  # type: ignore[call-overload]
        raise ValueError(f"local_points must be an integer in [16, 4096], got {local_points!r}")
    return (None if threshold is None else int(threshold)), int(local_points)  # type: ignore[call-overload]

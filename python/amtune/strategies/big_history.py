"""Big-history mode of the Bayesian strategy (issue 4); the model itself is in the compiled core.

See ``cpp/include/amtune/local_model.hpp``. Up to ``big_history_threshold`` finished trials the
Bayesian strategy conditions its Gaussian process on every trial; beyond it, on a bounded set:
the ``local_points`` trials nearest to the incumbent (in the kernel's lengthscale-scaled metric)
plus the hyperparameter-fit subset (the best quarter and a space-filling selection of the rest).
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

"""Hyperband's proposals and its resource limits.

Hyperband proposes like Random search (SageMaker's Hyperband samples configurations itself); its
rung rule, which stops training jobs at intermediate resources, is applied by tuning jobs
(:mod:`amtune.rules.hyperband`). Alone, in an ``Optimizer``, ``"Hyperband"`` is Random search.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from amtune.errors import FieldError, FieldTypeError
from amtune.strategies.random_search import RandomSearch

#: Hyperband's reduction factor: a rung keeps the top 1/ETA of its values.
ETA = 3
#: SageMaker's upper limit on MaxResource.
MAX_RESOURCE_LIMIT = 20000
#: Static hyperparameters SageMaker reads MaxResource from when it is not given.
EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")


def as_int(v: Any) -> int | None:
    """An integer (or a string of one, as SageMaker's static hyperparameters are), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None


def resolve_resources(
    min_resource: Any,
    max_resource: Any,
    static: Mapping[str, Any] | None = None,
    path: str = "strategy_config",
    names: tuple[str, str] = ("min_resource", "max_resource"),
) -> tuple[int, int]:
    """``(MinResource, MaxResource)`` with the defaults filled (MinResource 1, MaxResource from the
    static epochs) and validated; raises ``ValueError``/``TypeError`` naming ``path.<field>`` and
    the rule.

    >>> resolve_resources(None, None, {"epochs": "27"})
    (1, 27)
    """
    lo_name, hi_name = names
    lo = min_resource
    if lo is None:
        lo = 1
    elif isinstance(lo, bool) or not isinstance(lo, numbers.Integral):
        raise FieldTypeError(f"{path}.{lo_name}", f"must be an integer >= 1, got {lo!r}")
    lo = int(lo)
    if lo < 1:
        raise FieldError(f"{path}.{lo_name}", f"must be an integer >= 1, got {lo!r}")
    hi = max_resource
    if hi is None:
        for k in EPOCH_KEYS:
            if static and k in static:
                hi = as_int(static[k])
                if hi is None:
                    raise FieldError(
                        f"{path}.{hi_name}",
                        f"not given, and the static hyperparameter "
                        f"{k!r} = {static[k]!r} is not an integer to infer it from",
                    )
                break
        else:
            raise FieldError(
                f"{path}.{hi_name}",
                f"required unless a static hyperparameter "
                f"({', '.join(EPOCH_KEYS)}) gives the number of epochs",
            )
    elif isinstance(hi, bool) or not isinstance(hi, numbers.Integral):
        raise FieldTypeError(f"{path}.{hi_name}", f"must be an integer, got {hi!r}")
    hi = int(hi)
    if not lo <= hi <= MAX_RESOURCE_LIMIT:
        raise FieldError(
            f"{path}.{hi_name}",
            f"must be an integer from {lo_name} ({lo}) to {MAX_RESOURCE_LIMIT}, got {hi}",
        )
    return lo, hi


class HyperbandSearch(RandomSearch):
    """Hyperband's proposals: Random search. ``min_resource``/``max_resource`` are the options of
    the rung rule that tuning jobs apply (see :mod:`amtune.rules.hyperband`); alone, in an
    ``Optimizer``, this is Random search.

    >>> HyperbandSearch(min_resource=1, max_resource=9).max_resource
    9
    """

    name = "Hyperband"

    def __init__(self, min_resource: int | None = None, max_resource: int | None = None) -> None:
        super().__init__()
        # validate what is given (MaxResource may be inferred later by a tuning job)
        static = None if max_resource is not None else {"epochs": MAX_RESOURCE_LIMIT}
        lo, hi = resolve_resources(min_resource, max_resource, static, "Hyperband")
        self.min_resource = lo
        self.max_resource = None if max_resource is None else hi

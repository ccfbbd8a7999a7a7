"""A built-in algorithm's tuned ranges and static hyperparameters, checked against its
hyperparameter table before any training job runs (:class:`~amtune.builtin.BuiltinTuner`, and a
tuner of ``Estimator(image_uri)`` for a built-in image)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amtune.builtin.algorithms import Algorithm
from amtune.builtin.hyperparameters import HyperparameterError
from amtune.space import CategoricalParameter, Parameter


def _representative(p: Parameter) -> Any:
    if isinstance(p, CategoricalParameter):
        return p.values[0]
    return p.min_value  # type: ignore[attr-defined]


def check_static_hyperparameters(
    algo: Algorithm,
    ranges: Mapping[str, Parameter],
    static: Mapping[str, Any],
    table: Any = None,
) -> None:
    """Raise :class:`HyperparameterError` when a range or static hyperparameter is not one of the
    algorithm's, a static value breaks its rule, a required one is missing, or a range reaches
    outside the hyperparameter's valid values. ``table``: the image version's hyperparameters
    (default the algorithm's)."""
    table = algo.hyperparameters if table is None else table
    for name in ranges:
        if name not in table.params:
            raise HyperparameterError(
                f"hyperparameter_ranges[{name!r}]: not a hyperparameter of {algo.name} (valid: "
                f"{', '.join(sorted(table.params))})"
            )
    table.parse({**static, **{n: _representative(p) for n, p in ranges.items()}})
    for name, p in ranges.items():
        ends = (
            list(p.values)
            if isinstance(p, CategoricalParameter)
            else [
                p.min_value,  # type: ignore[attr-defined]
                p.max_value,  # type: ignore[attr-defined]
            ]
        )
        for v in ends:
            try:
                table[name].parse(v)
            except HyperparameterError as exc:
                raise HyperparameterError(f"hyperparameter_ranges[{name!r}]: {exc}") from None

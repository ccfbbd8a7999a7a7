"""What a process launch can carry: checked when a job is configured, before anything is written.

A training command gets every hyperparameter as ``--name value`` arguments and as ``SM_HP_<NAME>``
environment variables, every channel as ``SM_CHANNEL_<NAME>``, and the ``env`` entries as they are.
The operating system refuses a NUL character in any argument, variable name or value and an ``=``
in a variable name; and two names that differ only in case would become one variable. Each of these
is an error naming the field and the rule.

>>> check_launchable(["x"], {"epochs": 3}, {"opt": ["sgd"]}, {"MY_FLAG": "1"}, ["train"])
>>> try:
...     check_launchable(["x"], {"X": 3}, {}, {}, [])
... except ValueError as exc:
...     print(exc.path)
static_hyperparameters['X']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from amtune.errors import FieldError


def _no_nul(path: str, what: str, text: str) -> None:
    if "\0" in text:
        raise FieldError(path, f"{what} contains a NUL character, which a process cannot receive")


def check_launchable(
    tuned: Iterable[str],
    static: Mapping[str, Any],
    categorical_values: Mapping[str, Sequence[Any]],
    env: Mapping[str, Any],
    channels: Iterable[str],
) -> None:
    """Raise :class:`FieldError` for a name or value a training process could not receive."""
    seen: dict[str, str] = {}
    named = [(n, f"hyperparameter_ranges[{n!r}]", "tuned") for n in tuned]
    named += [(n, f"static_hyperparameters[{n!r}]", "static") for n in static]
    for name, path, kind in named:
        _no_nul(path, "the name", name)
        if "=" in name:
            raise FieldError(
                path,
                f"the name {name!r} contains '=', which an environment variable name "
                f"(SM_HP_<NAME>) cannot hold",
            )
        var = f"SM_HP_{name.upper()}"
        if var in seen:
            raise FieldError(
                path,
                f"{name!r} and the {seen[var]} would both be the environment variable "
                f"{var}; rename one",
            )
        seen[var] = f"{kind} {name!r}"
    for name, value in static.items():
        _no_nul(f"static_hyperparameters[{name!r}]", "the value", str(value))
    for name, values in categorical_values.items():
        for i, v in enumerate(values):
            _no_nul(f"hyperparameter_ranges[{name!r}].values[{i}]", "the value", str(v))
    for key, value in env.items():
        path = f"env[{key!r}]"
        if not isinstance(key, str) or not key:
            raise FieldError(path, "an environment variable needs a non-empty name")
        _no_nul(path, "the name", key)
        if "=" in key:
            raise FieldError(path, f"an environment variable name cannot contain '=', got {key!r}")
        _no_nul(path, "the value", str(value))
    upper: dict[str, str] = {}
    for ch in channels:
        var = f"SM_CHANNEL_{ch.upper()}"
        if var in upper:
            raise FieldError(
                f"channels[{ch!r}]",
                f"channels {upper[var]!r} and {ch!r} would both be the environment variable "
                f"{var}; channel names must differ in more than case",
            )
        upper[var] = ch


def check_directories(output_path: str | None, working_dir: str | None) -> None:
    """``output_path`` (where job directories go) is a directory or does not exist yet;
    ``working_dir`` (where commands run) is an existing directory."""
    if output_path is not None:
        _no_nul("output_path", "the path", output_path)
        p = Path(output_path)
        if p.exists() and not p.is_dir():
            raise FieldError(
                "output_path", f"must be a directory (job directories go there), got a file: {p}"
            )
    if working_dir is not None:
        _no_nul("working_dir", "the path", working_dir)
        if not Path(working_dir).is_dir():
            raise FieldError(
                "working_dir",
                f"must be an existing directory (commands run there), got {working_dir!r}",
            )

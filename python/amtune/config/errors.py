"""The one error of configuration files: :class:`ConfigError`, with the field's path and the rule.

Structural problems (an unknown or missing field, a wrong type, a value out of range) come from
the pydantic models (:mod:`.models`), whose errors carry the field's location; semantic ones come
from the validators of ranges, strategies and rules, which raise
:class:`~amtune.errors.FieldError` with the path they were given, or a plain ``ValueError`` about
the value :func:`at` names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from amtune.errors import FieldError


class ConfigError(FieldError):
    """A configuration error: ``path`` names the field (``HyperParameterTuningJobConfig.Strategy``,
    ``hyperparameters.depth.min``; empty for the whole file) and ``rule`` what is wrong.

    >>> err = ConfigError("max_jobs", "must be an integer >= 1, got 0")
    >>> str(err)
    'max_jobs: must be an integer >= 1, got 0'
    """


def field_path(loc: Sequence[str | int]) -> str:
    """``("a", "b", 0, "c")`` as ``a.b[0].c``.

    >>> field_path(("TrainingJobDefinition", "InputDataConfig", 0, "ChannelName"))
    'TrainingJobDefinition.InputDataConfig[0].ChannelName'
    """
    out = ""
    for part in loc:
        out = join(out, part)
    return out


def _key(part: str) -> str:
    """A key as it reads in a path: quoted when it is empty or holds spaces, brackets or
    control characters (so the error still names it)."""
    plain = part and all(c.isprintable() and not c.isspace() and c not in "[]'\"" for c in part)
    return part if plain else f"[{part!r}]"


def join(path: str, sub: str | int) -> str:
    """``path`` extended by a key or a list index."""
    if isinstance(sub, int):
        return f"{path}[{sub}]"
    key = _key(str(sub))
    if not path or key.startswith("["):
        return path + key
    return f"{path}.{key}"


@contextmanager
def at(path: str) -> Iterator[None]:
    """Turn what a validator raises into a :class:`ConfigError`: a ``FieldError`` keeps its own
    path (the validator was given the full one), any other ``ValueError``/``TypeError`` is about
    the field ``path``."""
    try:
        yield
    except ConfigError:
        raise
    except FieldError as exc:
        raise ConfigError(exc.path, exc.rule) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(path, str(exc)) from None

"""Stand-in for ``sagemaker_containers.beta.framework``, the parts that AWS example scripts (the
scikit-learn featurizers of inference pipelines) use: ``content_types``, ``encoders``
(``encode``/``decode`` and the ``array_to_*``/``*_to_numpy`` converters), ``errors``,
``worker.Response`` (an ``output_fn`` may return it; amtune's model server reads its body,
content type and status), ``env`` (the job's directories) and ``entry_point``. ``modules`` and
``transformer`` import, but their names do not exist; any other part of the original
(``trainer``, ``server``, ``training_env``, ...) raises an ``ImportError`` saying what is
provided and what to use instead. The original package does not import on Python >= 3.10; when
it is installed and importable it wins, as for every stand-in.
"""

from __future__ import annotations

from typing import Any

from ... import entry_point
from . import (
    content_types,
    encoders,
    env,
    errors,
    modules,
    transformer,
    worker,
)
from ._missing import missing

__all__ = [
    "content_types",
    "encoders",
    "entry_point",
    "env",
    "errors",
    "modules",
    "transformer",
    "worker",
]

#: the original's other parts, left out
_LEFT_OUT = frozenset(
    {
        "mpi",
        "files",
        "functions",
        "logging",
        "mapping",
        "params",
        "process",
        "runner",
        "server",
        "trainer",
        "training_env",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LEFT_OUT:
        raise missing(__name__, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

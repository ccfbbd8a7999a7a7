"""Load the compiled core, choosing the best instruction-set variant this CPU supports.

A source build (``pip install .``) compiles one module, ``amtune._core``, for the host CPU. A portable
build (``AMTUNE_ARCH=portable``) ships ``_core`` for baseline x86-64 plus ``_core_x86_64_v3`` (AVX2/FMA)
and ``_core_x86_64_v4`` (AVX-512); the best one the CPU runs is chosen here. Set ``AMTUNE_ISA`` to
``x86-64``, ``x86-64-v3`` or ``x86-64-v4`` to force a level (for testing and benchmarking).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

_VARIANTS = (
    ("x86-64-v4", "_core_x86_64_v4", ("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma")),
    ("x86-64-v3", "_core_x86_64_v3", ("avx2", "fma")),
)


def _load() -> ModuleType:
    try:
        base = importlib.import_module("amtune._core")
    except ImportError as exc:  # pragma: no cover - exercised only on broken installs
        raise ImportError(
            "amtune's compiled core (amtune._core) could not be imported: was amtune built? "
            "Install it with `pip install .` from the source tree (for development: "
            "`pip install --no-build-isolation -ve .`). Original error: " + str(exc)
        ) from exc
    forced = os.environ.get("AMTUNE_ISA")
    features = base.cpu_features()
    for level, module, needs in _VARIANTS:
        if forced and forced != level:
            continue
        if not all(features.get(flag, False) for flag in needs):
            continue
        try:
            return importlib.import_module("amtune." + module)
        except ImportError:
            continue  # not a portable build: only `_core` exists
    return base


core: Any = _load()


def build_info() -> dict[str, Any]:
    """How the compiled core was built and which variant is in use.

    >>> import amtune
    >>> sorted(amtune.build_info())[:3]
    ['build_type', 'cpu_features', 'eigen']
    """
    info = dict(core.build_info())
    info["module"] = core.__name__
    info["cpu_features"] = dict(core.cpu_features())
    return info

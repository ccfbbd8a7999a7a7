"""Load the compiled core, choosing the best instruction-set variant this CPU supports.

A source build (``pip install .``) compiles one module, ``amtune._core``, for the host CPU
(``isa_level`` ``native``). A portable build (``AMTUNE_ARCH=portable``) ships ``_core`` for
baseline x86-64 plus ``_core_x86_64_v3`` (AVX2/FMA) and ``_core_x86_64_v4`` (AVX-512); the best
one the CPU runs is chosen here. The environment variable ``AMTUNE_ISA`` forces a level
(``x86-64``, ``x86-64-v3``, ``x86-64-v4``, or the base module's own level such as ``native``), for
testing and benchmarking; a level this build lacks or this CPU cannot run is an ImportError.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

#: (level, module, CPU features it needs), best first.
_VARIANTS = (
    ("x86-64-v4", "_core_x86_64_v4",
     ("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma")),
    ("x86-64-v3", "_core_x86_64_v3", ("avx2", "fma")),
)

_BUILD_HINT = (
    "was amtune built? Install it with `pip install .` from the source tree (for development: "
    "`pip install --no-build-isolation -ve .`), and do not import it from inside the source "
    "tree's python/ folder of an unbuilt checkout."
)


def _load() -> ModuleType:
    try:
        base = importlib.import_module("amtune._core")
    except ImportError as exc:
        raise ImportError(
            f"amtune's compiled core (amtune._core) could not be imported: {_BUILD_HINT} "
            f"Original error: {exc}"
        ) from exc
    forced = os.environ.get("AMTUNE_ISA", "").strip()
    base_level = str(base.build_info()["isa_level"])
    if forced and forced == base_level:
        return base
    known = [base_level] + [level for level, _, _ in _VARIANTS]
    if forced and forced not in known:
        raise ImportError(f"AMTUNE_ISA must be one of {known} for this build, got {forced!r}")
    features = base.cpu_features()
    for level, module, needs in _VARIANTS:
        if forced and forced != level:
            continue
        missing = [flag for flag in needs if not features.get(flag, False)]
        if missing:
            if forced:
                raise ImportError(
                    f"AMTUNE_ISA={forced} but this CPU lacks {', '.join(missing)}"
                )
            continue
        try:
            return importlib.import_module("amtune." + module)
        except ImportError as exc:
            if forced:
                raise ImportError(
                    f"AMTUNE_ISA={forced} but amtune.{module} cannot be imported (this is a "
                    f"{base_level!r} build; portable builds, AMTUNE_ARCH=portable, have every "
                    f"level): {exc}"
                ) from None
            continue  # not a portable build: only `_core` exists
    return base


core: Any = _load()


def build_info() -> dict[str, Any]:
    """How the compiled core was built and which variant is in use.

    ``isa_level`` is ``native`` for a source build tuned to the building CPU, or ``x86-64``,
    ``x86-64-v3``, ``x86-64-v4`` for the variant a portable build chose; ``module`` names it,
    ``simd`` lists Eigen's instruction sets, ``cpu_features`` what this CPU supports.

    >>> import amtune
    >>> info = amtune.build_info()
    >>> sorted(info)
    ['build_type', 'cpu_features', 'eigen', 'isa_level', 'module', 'simd', 'version']
    >>> info["build_type"]
    'Release'
    """
    info = dict(core.build_info())
    info["module"] = core.__name__
    info["cpu_features"] = dict(core.cpu_features())
    return info

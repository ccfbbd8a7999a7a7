"""Load the compiled core, choosing the best instruction-set variant this CPU supports.

A source build (``pip install .``) compiles one module, ``amtune._core``, for the host CPU
(``isa_level`` ``native``). A portable build (``AMTUNE_ARCH=portable``) ships ``_core`` for
baseline x86-64 plus ``_core_x86_64_v3`` (AVX2/FMA) and ``_core_x86_64_v4`` (AVX-512); the best
one the CPU runs is chosen here, from the CPU flags the operating system reports (on Linux,
``/proc/cpuinfo``; elsewhere the baseline module is used), before anything is imported: the
variants bind the same C++ types, so exactly one of them may be loaded in a process. The
environment variable ``AMTUNE_ISA`` forces a level (``x86-64``, ``x86-64-v3``, ``x86-64-v4``, or
the base module's own level such as ``native``), for testing and benchmarking; a level this build
lacks or this CPU cannot run is an ImportError.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any

#: CPU flags (as /proc/cpuinfo names them) of the x86-64 micro-architecture levels.
_V3 = ("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave")
_V4 = (*_V3, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")
#: (level, module, CPU flags it needs), best first.
_VARIANTS = (
    ("x86-64-v4", "_core_x86_64_v4", _V4),
    ("x86-64-v3", "_core_x86_64_v3", _V3),
)
_PORTABLE_BASE = "x86-64"

__all__ = ["build_info", "core"]

_BUILD_HINT = (
    "was amtune built? Install it with `pip install .` from the source tree (for development: "
    "`pip install --no-build-isolation -ve .`), and do not import it from inside the source "
    "tree's python/ folder of an unbuilt checkout."
)


def _cpu_flags() -> set[str] | None:
    """The CPU flags the kernel reports (Linux), or None when unknown."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return None


def _import(module: str) -> ModuleType:
    try:
        return importlib.import_module("amtune." + module)
    except ImportError as exc:
        raise ImportError(
            f"amtune's compiled core (amtune.{module}) could not be imported: {_BUILD_HINT} "
            f"Original error: {exc}"
        ) from exc


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec("amtune." + module) is not None
    except (ImportError, ValueError):
        return False


def _load() -> ModuleType:
    forced = os.environ.get("AMTUNE_ISA", "").strip()
    variants = [(level, module, needs) for level, module, needs in _VARIANTS if _has(module)]
    if not variants:  # a source build: one module
        base = _import("_core")
        level = str(base.build_info()["isa_level"])
        if forced and forced != level:
            raise ImportError(
                f"AMTUNE_ISA={forced} but this is a {level!r} build with one module, "
                "amtune._core (portable builds, AMTUNE_ARCH=portable, have every x86-64 level)"
            )
        return base
    known = [level for level, _, _ in variants] + [_PORTABLE_BASE]
    if forced and forced not in known:
        raise ImportError(f"AMTUNE_ISA must be one of {known} for this build, got {forced!r}")
    flags = _cpu_flags()
    for level, module, needs in variants:
        if forced and forced != level:
            continue
        missing = [] if flags is None and forced else [f for f in needs if f not in (flags or ())]
        if missing:
            if forced:
                raise ImportError(f"AMTUNE_ISA={forced} but this CPU lacks {', '.join(missing)}")
            continue
        return _import(module)
    return _import("_core")


if TYPE_CHECKING:  # mypy reads the stubs of the compiled module (_core.pyi)
    import amtune._core as core
else:
    core = _load()


def build_info() -> dict[str, Any]:
    """How the compiled core was built and which variant is in use.

    ``isa_level`` is ``native`` for a source build tuned to the building CPU, or ``x86-64``,
    ``x86-64-v3``, ``x86-64-v4`` for the variant a portable build chose; ``module`` names it,
    ``compiled_features`` the instruction sets the module was compiled to use, ``simd`` the ones
    Eigen vectorizes with, ``cpu_features`` what this CPU supports.

    >>> import amtune
    >>> info = amtune.build_info()
    >>> sorted(info)  # doctest: +NORMALIZE_WHITESPACE
    ['build_type', 'compiled_features', 'cpu_features', 'eigen', 'isa_level', 'module', 'simd',
     'version']
    >>> info["build_type"]
    'Release'
    """
    info = dict(core.build_info())
    info["module"] = core.__name__
    info["cpu_features"] = dict(core.cpu_features())
    return info

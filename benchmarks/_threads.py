"""Cap BLAS/OpenMP/torch threads so benchmarks do not oversubscribe a small shared machine.

Must run before numpy, scipy or torch are imported; the entry points import it first.
"""

from __future__ import annotations

import os

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "AMTUNE_NUM_THREADS",  # amtune's own thread pool: 1 puts it on the same footing as the peers
)


def limit_threads(n: int = 1) -> dict[str, str]:
    """Set the thread variables (unless the caller set them) and return them."""
    for var in THREAD_VARS:
        os.environ.setdefault(var, str(n))
    return {var: os.environ[var] for var in THREAD_VARS}


def limit_torch_threads() -> None:
    """torch reads OMP_NUM_THREADS at import, but set it explicitly too."""
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

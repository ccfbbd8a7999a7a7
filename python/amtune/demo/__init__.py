"""``amtune demo``: generate example data, then tune the bundled script-mode training script.

The tuning job: maximize ``validation:accuracy`` of a small NumPy MLP (``amtune/demo/train.py``, an
unchanged SageMaker script-mode script) over learning rate, momentum, hidden units, L2 and batch
size, with the Bayesian strategy and parallel training jobs, recorded in the default store.
"""

from __future__ import annotations

__all__ = ["run_demo"]


def __getattr__(name: str) -> object:  # lazy re-export
    if name == "run_demo":
        from amtune.demo.main import run_demo

        return run_demo
    raise AttributeError(name)

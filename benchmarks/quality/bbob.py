"""BBOB's 24 noiseless functions (COCO, Hansen et al. 2009), from the ``coco-experiment`` package.

A problem is named ``bbob-f<function>-d<dimension>-i<instance>`` (``bbob-f06-d05-i02``); the
instance fixes COCO's random shift of the optimum, rotation and optimal value ``fopt``. The domain
is COCO's box [-5, 5]^d (linear ranges). ``fopt`` is the value at COCO's own optimal parameter
(``Problem._best_parameter``), so regrets are exact. COCO's observer (its logging) is not used:
the harness stores its own traces.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from typing import Any

import numpy as np

NAME = re.compile(r"^bbob-f(\d{2})-d(\d{2})-i(\d{2})$")

#: COCO's function names (Hansen, Finck, Ros, Auger 2009: Real-parameter black-box optimization
#: benchmarking 2009: noiseless functions definitions)
FUNCTIONS = {
    1: "sphere",
    2: "ellipsoid (separable)",
    3: "Rastrigin (separable)",
    4: "Bueche-Rastrigin",
    5: "linear slope",
    6: "attractive sector",
    7: "step ellipsoid",
    8: "Rosenbrock",
    9: "Rosenbrock (rotated)",
    10: "ellipsoid",
    11: "discus",
    12: "bent cigar",
    13: "sharp ridge",
    14: "different powers",
    15: "Rastrigin",
    16: "Weierstrass",
    17: "Schaffer F7",
    18: "Schaffer F7 (ill-conditioned)",
    19: "Griewank-Rosenbrock",
    20: "Schwefel",
    21: "Gallagher 101 peaks",
    22: "Gallagher 21 peaks",
    23: "Katsuura",
    24: "Lunacek bi-Rastrigin",
}


def name(function: int, dim: int, instance: int) -> str:
    return f"bbob-f{function:02d}-d{dim:02d}-i{instance:02d}"


@functools.cache
def _coco(function: int, dim: int, instance: int) -> tuple[Any, Any, float]:
    """(suite, problem, fopt); the suite is kept alive with its problem."""
    import cocoex

    cocoex.log_level("error")
    suite = cocoex.Suite(
        "bbob", "", f"function_indices:{function} dimensions:{dim} instance_indices:{instance}"
    )
    problem = next(iter(suite))
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # COCO writes the optimal parameter to a file in the working directory
        try:
            problem._best_parameter("print")
            xopt = np.loadtxt("._bbob_problem_best_parameter.txt", ndmin=1)
        finally:
            os.chdir(cwd)
    fopt = float(problem(xopt))
    return suite, problem, fopt


def evaluate(function: int, dim: int, instance: int, x: np.ndarray) -> float:
    return float(_coco(function, dim, instance)[1](np.asarray(x, dtype=np.float64)))


def fopt(function: int, dim: int, instance: int) -> float:
    return _coco(function, dim, instance)[2]

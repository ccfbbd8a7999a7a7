"""Test functions with known optima for the quality benchmarks.

Every problem is a list of named parameters (continuous, integer or categorical, all on a linear
scale) and a function of a ``{name: value}`` configuration; ``optimum`` is the global minimum, so
the simple regret of a run is ``min(values) - optimum``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "Continuous", "Integer" or "Categorical"
    low: float = 0.0
    high: float = 1.0
    choices: tuple[Any, ...] = ()
    #: logarithmic scale (the scaling type a user would choose, e.g. for a learning rate)
    log: bool = False


@dataclass(frozen=True)
class Problem:
    name: str
    params: tuple[Param, ...]
    fn: Callable[[np.ndarray], float] = field(repr=False)
    optimum: float
    description: str = ""
    #: decodes a configuration to the argument of ``fn`` (default: the vector of continuous values)
    to_arg: Callable[[Mapping[str, Any]], Any] | None = field(default=None, repr=False)
    #: standard deviation of the Gaussian noise added to every evaluation (0: noise-free); a noisy
    #: problem is scored on the noise-free value (``true_value``)
    noise_sd: float = 0.0

    @property
    def dim(self) -> int:
        return len(self.params)

    def true_value(self, config: Mapping[str, Any]) -> float:
        """The noise-free value of a configuration."""
        arg = (
            self.to_arg(config)
            if self.to_arg is not None
            else np.array([float(config[p.name]) for p in self.params])
        )
        return float(self.fn(arg))

    def observe(self, config: Mapping[str, Any], rng: np.random.Generator) -> tuple[float, float]:
        """(value the optimizer sees, noise-free value)."""
        f = self.true_value(config)
        return (f + self.noise_sd * float(rng.standard_normal()) if self.noise_sd else f), f

    def __call__(self, config: Mapping[str, Any]) -> float:
        arg = (
            self.to_arg(config)
            if self.to_arg is not None
            else np.array([float(config[p.name]) for p in self.params])
        )
        return float(self.fn(arg))


def _box(d: int, low: float, high: float) -> tuple[Param, ...]:
    return tuple(Param(f"x{i}", "Continuous", low, high) for i in range(d))


# --------------------------------------------------------------------------- functions
def branin(x: np.ndarray) -> float:
    a, b, c = 1.0, 5.1 / (4 * math.pi**2), 5.0 / math.pi
    r, s, t = 6.0, 10.0, 1.0 / (8 * math.pi)
    return a * (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * math.cos(x[0]) + s


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x: np.ndarray) -> float:
    return float(-(_H6_ALPHA * np.exp(-(_H6_A * (x - _H6_P) ** 2).sum(axis=1))).sum())


def ackley(x: np.ndarray) -> float:
    d = x.size
    return float(
        -20.0 * math.exp(-0.2 * math.sqrt(float(x @ x) / d))
        - math.exp(float(np.cos(2 * math.pi * x).sum()) / d)
        + 20.0
        + math.e
    )


def rosenbrock(x: np.ndarray) -> float:
    return float((100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum())


def levy(x: np.ndarray) -> float:
    w = 1.0 + (x - 1.0) / 4.0
    head = math.sin(math.pi * w[0]) ** 2
    mid = ((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2)).sum()
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


ST_MIN_PER_DIM = -39.16616570377142  # at x_i = -2.903534


def styblinski_tang(x: np.ndarray) -> float:
    return float(0.5 * (x**4 - 16 * x**2 + 5 * x).sum())


# --------------------------------------------------------------------------- mixed problem
#: The mixed integer/categorical problem. A categorical ``variant`` in {a, b, c, d} chooses where
#: the optimum of 4 continuous coordinates (x0..x3 in [-5, 5]) and of 3 integers (n0..n2 in
#: [0, 20]) lies, and adds an offset:
#:     f = sum_i [ z_i^2 / 4 + 1 - cos(2 pi z_i) ] + sum_j (n_j - m_j)^2 / 4 + offset_v,
#:     z = x - s_v,   m = m_v.
#: The cosine term gives ~10 local minima per continuous coordinate (Rastrigin-like). Every term is
#: >= 0 and offset_a = 0, so the global minimum is 0 at variant a, x = s_a, n = m_a.
MIXED_VARIANTS = ("a", "b", "c", "d")
MIXED_SHIFT = {
    "a": np.array([1.5, -2.0, 3.0, -0.5]),
    "b": np.array([-3.0, 1.0, 0.5, 2.5]),
    "c": np.array([2.5, 2.5, -1.5, -3.5]),
    "d": np.array([-1.0, -4.0, 4.0, 1.0]),
}
MIXED_INT_TARGET = {
    "a": np.array([3, 12, 17]),
    "b": np.array([15, 5, 8]),
    "c": np.array([8, 18, 2]),
    "d": np.array([10, 10, 10]),
}
MIXED_OFFSET = {"a": 0.0, "b": 0.5, "c": 1.0, "d": 1.5}


def _mixed_arg(config: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
    x = np.array([float(config[f"x{i}"]) for i in range(4)])
    n = np.array([round(float(config[f"n{j}"])) for j in range(3)])
    return x, n, str(config["variant"])


def mixed(arg: tuple[np.ndarray, np.ndarray, str]) -> float:
    x, n, v = arg
    z = x - MIXED_SHIFT[v]
    cont = (z**2 / 4 + 1 - np.cos(2 * math.pi * z)).sum()
    ints = ((n - MIXED_INT_TARGET[v]) ** 2).sum() / 4
    return float(cont + ints + MIXED_OFFSET[v])


_MIXED_PARAMS = (
    *_box(4, -5.0, 5.0),
    *(Param(f"n{j}", "Integer", 0, 20) for j in range(3)),
    Param("variant", "Categorical", choices=MIXED_VARIANTS),
)

# --------------------------------------------------------------------------- registry
PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        Problem(
            "branin",
            (Param("x0", "Continuous", -5.0, 10.0), Param("x1", "Continuous", 0.0, 15.0)),
            branin,
            0.39788735772973816,
            "Branin, x0 in [-5, 10], x1 in [0, 15]",
        ),
        Problem(
            "hartmann6", _box(6, 0.0, 1.0), hartmann6, -3.322368011415511, "Hartmann-6, [0, 1]^6"
        ),
        Problem("ackley10", _box(10, -5.0, 10.0), ackley, 0.0, "Ackley, [-5, 10]^10"),
        Problem("rosenbrock10", _box(10, -5.0, 10.0), rosenbrock, 0.0, "Rosenbrock, [-5, 10]^10"),
        Problem("levy20", _box(20, -10.0, 10.0), levy, 0.0, "Levy, [-10, 10]^20"),
        Problem(
            "mixed",
            _MIXED_PARAMS,
            mixed,
            0.0,
            "4 continuous [-5, 5] + 3 integers [0, 20] + categorical variant {a,b,c,d}",
            to_arg=_mixed_arg,
        ),
        # big-history suite (issue 4)
        Problem("ackley20", _box(20, -5.0, 10.0), ackley, 0.0, "Ackley, [-5, 10]^20"),
        Problem("rosenbrock20", _box(20, -5.0, 10.0), rosenbrock, 0.0, "Rosenbrock, [-5, 10]^20"),
        Problem(
            "styblinski20",
            _box(20, -5.0, 5.0),
            styblinski_tang,
            20 * ST_MIN_PER_DIM,
            "Styblinski-Tang, [-5, 5]^20",
        ),
    ]
}

STANDARD_SUITE: Sequence[str] = (
    "branin",
    "hartmann6",
    "ackley10",
    "rosenbrock10",
    "levy20",
    "mixed",
)
BIG_SUITE: Sequence[str] = ("ackley20", "rosenbrock20", "levy20", "styblinski20")


# --------------------------------------------------------------------------- broad suites (issue 12)
NOISY = "~noisy"


def _bbob_problem(nm: str) -> Problem:
    from benchmarks.quality import bbob

    m = bbob.NAME.match(nm)
    assert m is not None
    f, d, i = (int(g) for g in m.groups())
    return Problem(
        nm,
        _box(d, -5.0, 5.0),
        lambda x, f=f, d=d, i=i: bbob.evaluate(f, d, i, x),
        bbob.fopt(f, d, i),
        f"BBOB f{f} ({bbob.FUNCTIONS[f]}), d = {d}, instance {i}, [-5, 5]^d",
    )


def _tuning_problem(nm: str) -> Problem:
    from benchmarks.quality import heldout, tuning

    spec = next(s for s in (*tuning.TUNING_SPECS, *heldout.all_specs()) if s.name == nm)
    return Problem(
        nm,
        spec.params,
        lambda c, spec=spec: tuning.cv_loss(spec, c),
        math.nan,  # unknown: scored by bayesmark's normalized score
        f"{spec.model} on {spec.data}, 3-fold CV {spec.loss}",
        to_arg=lambda c: c,
    )


def get_problem(nm: str) -> Problem:
    """A problem by name: the fixed ones above, ``bbob-fFF-dDD-iII``, a tuning problem
    (``tuning.TUNING_SPECS``), a held-out problem (``heldout.all_specs()``), or any of these with the suffix ``~noisy``: additive Gaussian noise
    of standard deviation ``tuning.NOISE_SD`` (the noisy suite uses the tuning problems, whose
    losses are error rates or of that order)."""
    from benchmarks.quality import bbob, heldout, tuning

    base, noisy, _ = nm.partition(NOISY)
    if base in PROBLEMS:
        p = PROBLEMS[base]
    elif bbob.NAME.match(base):
        p = _bbob_problem(base)
    elif any(s.name == base for s in (*tuning.TUNING_SPECS, *heldout.all_specs())):
        p = _tuning_problem(base)
    else:
        raise KeyError(f"unknown problem {nm!r}")
    if noisy:
        p = replace(p, name=nm, noise_sd=tuning.NOISE_SD, description=p.description + ", noisy")
    return p


def bbob_suite(
    dims: Sequence[int], instances: Sequence[int], functions: Sequence[int] = tuple(range(1, 25))
) -> list[str]:
    from benchmarks.quality import bbob

    return [bbob.name(f, d, i) for d in dims for f in functions for i in instances]


def tuning_suite() -> list[str]:
    from benchmarks.quality import tuning

    return list(tuning.SUITE)


def heldout_suites() -> dict[str, list[str]]:
    """The held-out suites (``heldout.suites()``: XGBoost, LightGBM) by their ``run.py`` names,
    added after amtune's defaults were fixed."""
    from benchmarks.quality import heldout

    return {name: [s.name for s in specs] for name, (_, specs) in heldout.suites().items()}

"""Sessions that hold n finished trials and time one proposal, shared by ``bench_ask.py`` and
``ask_scaling.py``.

The history is ``n`` uniform random points of ``[-5, 5]^d`` with their Styblinski-Tang values,
recorded at once (amtune ``add_many``, Optuna ``study.add_trials``), as a resumed job would.
``ask()`` makes one proposal and keeps it pending; ``tell()`` records its value, so repeated
``ask``/``tell`` pairs measure the steady state of a running job (n grows by one each time).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from benchmarks._threads import limit_threads

limit_threads()

METHODS = ("amtune-bayes", "optuna-tpe", "optuna-gp")
LABELS = {
    "amtune-bayes": "amtune Bayesian",
    "optuna-tpe": "Optuna TPE",
    "optuna-gp": "Optuna GPSampler",
}


def styblinski_tang(X: np.ndarray) -> np.ndarray:
    return 0.5 * (X**4 - 16 * X**2 + 5 * X).sum(axis=-1)


def history(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, n, d])
    X = rng.uniform(-5.0, 5.0, size=(n, d))
    return X, styblinski_tang(X)


def amtune_has_bayesian() -> bool:
    import amtune

    try:
        amtune.Optimizer(
            amtune.SearchSpace({"x": amtune.ContinuousParameter(0.0, 1.0)}), strategy="Bayesian"
        )
    except (ValueError, KeyError, NotImplementedError, ImportError):
        return False
    return True


class AmtuneSession:
    def __init__(self, n: int, d: int, seed: int = 0, **options: Any) -> None:
        import amtune

        self.names = [f"x{i}" for i in range(d)]
        space = amtune.SearchSpace(
            {k: amtune.ContinuousParameter(-5.0, 5.0, scaling_type="Linear") for k in self.names}
        )
        self.opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=seed, **options)
        X, y = history(n, d, seed)
        self.opt.add_many(
            [dict(zip(self.names, row.tolist(), strict=True)) for row in X], y.tolist()
        )
        self._last: Any = None

    def ask(self) -> None:
        self._last = self.opt.ask(1)[0]

    def tell(self) -> None:
        x = np.array([self._last.params[k] for k in self.names])
        self.opt.tell(self._last.id, float(styblinski_tang(x)))
        self._last = None


class OptunaSession:
    def __init__(self, sampler: str, n: int, d: int, seed: int = 0) -> None:
        import optuna
        from optuna.distributions import FloatDistribution

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if sampler == "optuna-gp":
            import torch

            torch.set_num_threads(1)
            smp: Any = optuna.samplers.GPSampler(seed=seed)
        else:
            smp = optuna.samplers.TPESampler(seed=seed)
        self.names = [f"x{i}" for i in range(d)]
        self.dists = {k: FloatDistribution(-5.0, 5.0) for k in self.names}
        self.study = optuna.create_study(direction="minimize", sampler=smp)
        X, y = history(n, d, seed)
        self.study.add_trials(
            [
                optuna.trial.create_trial(
                    params=dict(zip(self.names, row.tolist(), strict=True)),
                    distributions=self.dists,
                    value=v,
                )
                for row, v in zip(X, y.tolist(), strict=True)
            ]
        )
        self._last: Any = None

    def ask(self) -> None:
        # a fixed search space: the sampler's relative (joint) proposal happens inside ask()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._last = self.study.ask(self.dists)

    def tell(self) -> None:
        x = np.array([self._last.params[k] for k in self.names])
        self.study.tell(self._last, float(styblinski_tang(x)))
        self._last = None


def make_session(method: str, n: int, d: int, seed: int = 0, **options: Any) -> Any:
    if method == "amtune-bayes":
        return AmtuneSession(n, d, seed, **options)
    if method in ("optuna-tpe", "optuna-gp"):
        return OptunaSession(method, n, d, seed)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")

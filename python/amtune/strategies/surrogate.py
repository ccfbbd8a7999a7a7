"""The Bayesian strategy's Gaussian-process model on its own: fit it to any history, then ask it
for predictions, lengthscales and noise.

:class:`Surrogate` is the compiled engine behind ``strategy="Bayesian"`` (``core.BayesEngine``)
used without its proposals: the same kernel (Matern-5/2 with one lengthscale per range, Hamming
distance for categorical ranges), priors, maximum-a-posteriori fit (L-BFGS on analytic gradients,
from several starts, on at most ``max_fit_points`` trials), input warping of ``Auto``-scaled ranges,
handling of failed trials and big-history bound. There is one GP fit in amtune, in C++; the
convergence rule (:mod:`amtune.rules.completion`), transfer learning
(:mod:`amtune.rules.warm_start`) and the report's parameter importances use it through this class.

Differences from the strategy's own model: outputs are only standardized (no Yeo-Johnson power
transform, ``output_warping=False``), so the model is Gaussian in the units of the values and
:meth:`Surrogate.predict` answers in those units. The standardization scales by a power of two
first, so values of any finite magnitude (``1e200`` or ``1e-200``) work.

Units and conventions:

* ``values`` are to be minimized as far as failures go: a NaN (a failed trial) is replaced by the
  largest finite value, as the strategy does; negate a maximized objective first.
* Lengthscales are on the encoded space ``[0, 1]`` of each range (after the input warping of an
  ``Auto``-scaled range): a short lengthscale means the objective changes quickly along that range,
  a lengthscale much longer than 1 means it hardly depends on it. For a categorical range the
  lengthscale weighs the indicator "different value".
* Beyond ``big_history_threshold`` trials the posterior is conditioned on the ``local_points``
  trials nearest to the best one plus the fit subset (as the strategy's big-history mode, see
  :mod:`amtune.strategies.big_history`), so a fit costs about the same at 1,000 or 50,000 trials;
  predictions far from the best trial then rest on the fit subset only.

>>> import amtune
>>> from amtune.strategies.surrogate import Surrogate
>>> space = amtune.SearchSpace({"x": amtune.ContinuousParameter(0.0, 1.0),
...                             "noise": amtune.ContinuousParameter(0.0, 1.0)})
>>> configs = space.sample(30, seed=0)
>>> values = [(c["x"] - 0.3) ** 2 for c in configs]  # depends on x only
>>> model = Surrogate(space, configs, values, seed=0)
>>> model.lengthscales["x"] < model.lengthscales["noise"]
True
>>> mean, sd = model.predict([{"x": 0.3, "noise": 0.5}])
>>> abs(float(mean[0])) < 0.05 and float(sd[0]) < 0.05
True
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from amtune._ext import core
from amtune.space import SearchSpace
from amtune.strategies.base import check_choice
from amtune.strategies.big_history import (
    DEFAULT_BIG_HISTORY_THRESHOLD,
    DEFAULT_LOCAL_POINTS,
    check_big_history_options,
)

__all__ = ["Surrogate", "candidate_points", "hyper_dict", "input_spec", "minimize_encoded"]

_KINDS = dict(core.Kind.__members__)
#: how the MAP reads the lengthscale prior: as a density of log(l) or of l (``BayesianSearch``)
LENGTHSCALE_MAPS = ("log", "length")
Array = npt.NDArray[np.float64]


def input_spec(space: SearchSpace, warping: bool = True) -> core.InputSpec:
    """What the GP knows of ``space``'s ranges: kinds, numbers of values (64-bit: an integer range
    may hold more than 2^31 values) and, with ``warping``, which ranges learn an input warping
    (numeric ranges whose scaling type is ``Auto``)."""
    warp = [
        warping and p.kind != "Categorical" and getattr(p, "scaling_type", None) == "Auto"
        for p in space.ranges.values()
    ]
    return core.InputSpec([_KINDS[k] for k in space.kinds()], space.cardinalities(), warp)


def hyper_dict(h: core.Hyper) -> dict[str, Any]:
    """The hyperparameters as a dict (standardized output units; lengthscales in log form)."""
    return {
        "log_ls": np.asarray(h.log_ls),
        "log_sf2": h.log_sf2,
        "log_noise": h.log_noise,
        "mean": h.mean,
        "log_wa": np.asarray(h.log_wa),
        "log_wb": np.asarray(h.log_wb),
        "noise_floor": h.noise_floor,
        "noise": h.noise,
    }


def _threads(num_threads: int | None) -> int:
    if num_threads is not None:
        if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"num_threads must be a positive integer or None, got {num_threads!r}")
        return num_threads
    return env_threads()


def env_threads() -> int:
    """The ``AMTUNE_NUM_THREADS`` environment variable (0 when unset or empty: all cores)."""
    env = os.environ.get("AMTUNE_NUM_THREADS", "").strip()
    if not env:
        return 0
    if not env.isdigit() or int(env) < 1:
        raise ValueError(
            f"AMTUNE_NUM_THREADS: the environment variable must be a positive integer (threads "
            f"of the compiled core) or unset, got {env!r}"
        )
    return int(env)


class Surrogate:
    """The Bayesian strategy's Gaussian-process model fitted to ``(configs, values)``.

    ``configs`` are configurations of ``space`` (dicts, as ``Trial.params``) and ``values`` their
    objective values (NaN or None for a failed trial; see the module docstring for the units and
    conventions). Without ``configs`` the model is fitted by a later :meth:`fit`. A refit on a grown
    history warm-starts from the previous hyperparameters on the strategy's schedule (a full fit
    from several starts once the history grew by half).

    Options: ``seed`` (the random starts of the hyperparameter fit), ``deterministic`` (``True``:
    noise variance fixed at ``1e-8``; ``False``: learned; ``None``, the default: chosen by evidence
    at each full fit, as :class:`~amtune.strategies.bayesian.BayesianSearch` does),
    ``input_warping`` (learn a warping of ``Auto``-scaled ranges), ``max_fit_points`` (trials the
    hyperparameter fit uses), ``big_history_threshold`` and ``local_points`` (the big-history
    bound), ``num_threads``, ``lengthscale_map`` (how the lengthscale prior is read, see
    :class:`~amtune.strategies.bayesian.BayesianSearch`). Its default here is ``"log"``, not the
    strategy's ``"length"``: the convergence rule of the completion criteria measures the
    remaining improvement on this model and was calibrated with it, and with the shorter prior
    mode the model of a flat, noisy objective in one dimension explains half of the noise with a
    lengthscale of 0.014, so the rule would not see that nothing is left
    (``tests/test_completion.py``). The strategy's proposals gained from the shorter mode.

    >>> import amtune
    >>> space = amtune.SearchSpace({"lr": amtune.ContinuousParameter(1e-4, 1.0, "Logarithmic"),
    ...                             "depth": amtune.IntegerParameter(1, 10)})
    >>> configs = space.sample(25, seed=1)
    >>> values = [abs(c["depth"] - 4) + 0.01 * c["lr"] for c in configs]
    >>> model = Surrogate(space, configs, values)
    >>> sorted(model.lengthscales)
    ['depth', 'lr']
    >>> model.lengthscales["depth"] < model.lengthscales["lr"]
    True
    >>> mean, sd = model.predict([{"lr": 0.01, "depth": 4}, {"lr": 0.01, "depth": 9}])
    >>> bool(mean[0] < mean[1])
    True
    """

    def __init__(
        self,
        space: SearchSpace,
        configs: Sequence[Mapping[str, Any]] | None = None,
        values: Sequence[float | None] | npt.ArrayLike | None = None,
        *,
        seed: int = 0,
        deterministic: bool | None = None,
        input_warping: bool = True,
        max_fit_points: int = 128,
        big_history_threshold: int | None = DEFAULT_BIG_HISTORY_THRESHOLD,
        local_points: int = DEFAULT_LOCAL_POINTS,
        num_threads: int | None = None,
        lengthscale_map: str = "log",
    ) -> None:
        if not isinstance(space, SearchSpace):
            raise TypeError(f"space must be an amtune.SearchSpace, got {type(space).__name__}")
        if space.dim == 0:
            raise ValueError("Surrogate: the search space has no tunable range")
        if isinstance(max_fit_points, bool) or not isinstance(max_fit_points, int):
            raise ValueError(f"max_fit_points must be an integer >= 8, got {max_fit_points!r}")
        check_choice("lengthscale_map", lengthscale_map, LENGTHSCALE_MAPS)
        threshold, local = check_big_history_options(big_history_threshold, local_points)
        self.space = space
        self.seed = int(seed)
        self._engine = core.BayesEngine(
            space.engine,
            input_spec(space, bool(input_warping)),
            deterministic=deterministic is True,
            select_noise=deterministic is None,
            threads=_threads(num_threads),
            max_fit_points=max_fit_points,
            output_warping=False,
            big_threshold=threshold or 0,
            local_points=local,
            ls_map_on_length=lengthscale_map == "length",
        )
        self._n = 0
        if configs is not None:
            if values is None:
                raise ValueError("Surrogate: configs need values")
            self.fit(configs, values)
        elif values is not None:
            raise ValueError("Surrogate: values need configs")

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        configs: Sequence[Mapping[str, Any]],
        values: Sequence[float | None] | npt.ArrayLike,
        *,
        seed: int | None = None,
    ) -> Surrogate:
        """(Re)fit the model to ``configs`` and their ``values``; returns ``self``."""
        return self.fit_encoded(self.space.encode(list(configs)), values, seed=seed)

    def fit_encoded(
        self,
        X: npt.ArrayLike,
        values: Sequence[float | None] | npt.ArrayLike,
        *,
        seed: int | None = None,
    ) -> Surrogate:
        """(Re)fit the model to encoded configurations ``X`` (n, dim) and their ``values``."""
        Xa = self._encoded(X, "X")
        y = np.array(
            [np.nan if v is None else v for v in np.asarray(values, dtype=object).ravel()],
            dtype=np.float64,
        )
        if y.shape[0] != Xa.shape[0]:
            raise ValueError(f"Surrogate.fit: {Xa.shape[0]} configurations but {y.shape[0]} values")
        if np.isinf(y).any():
            raise ValueError(
                "Surrogate.fit: values must be finite numbers, or NaN/None for a failure"
            )
        if not np.isfinite(y).any():
            raise ValueError("Surrogate.fit: at least one value must be finite")
        s = self.seed if seed is None else int(seed)
        self._engine.fit(Xa, y, s & (2**64 - 1))
        self._n = int(y.shape[0])
        return self

    def fantasize(self, X: npt.ArrayLike) -> None:
        """Condition the model on encoded points ``X`` at their posterior mean (Kriging believer:
        the mean is unchanged, the uncertainty shrinks around them) until the next fit."""
        self._require_fit()
        self._engine.fantasize(self._encoded(X, "X"))

    # ------------------------------------------------------------------ predictions
    def predict(self, configs: Sequence[Mapping[str, Any]]) -> tuple[Array, Array]:
        """Posterior mean and standard deviation of the objective at ``configs`` (units of the
        values; the standard deviation is the model's uncertainty about the mean, without the
        evaluation noise, see :attr:`noise_sd`)."""
        return self.predict_encoded(self.space.encode(list(configs)))

    def predict_encoded(self, X: npt.ArrayLike) -> tuple[Array, Array]:
        """:meth:`predict` at encoded points ``X`` (n, dim)."""
        self._require_fit()
        mean, sd = self._engine.predict(self._encoded(X, "X"))
        return np.asarray(mean), np.asarray(sd)

    def predict_grad(self, x: npt.ArrayLike) -> tuple[float, float, Array, Array]:
        """Mean, variance and their gradients with respect to the encoded point ``x`` (zero along
        categorical ranges), in the units of the values."""
        self._require_fit()
        xa = np.ascontiguousarray(x, dtype=np.float64).ravel()
        if xa.shape[0] != self.space.dim:
            raise ValueError(f"Surrogate.predict_grad: x must have {self.space.dim} entries")
        m, v, dm, dv = self._engine.predict_grad(xa)
        return float(m), float(v), np.asarray(dm), np.asarray(dv)

    # ------------------------------------------------------------------ fitted quantities
    @property
    def lengthscales(self) -> dict[str, float]:
        """Lengthscale per range name, on the encoded space (see the module docstring)."""
        self._require_fit()
        ls = np.asarray(self._engine.hyper.lengthscales)
        return {name: float(v) for name, v in zip(self.space.names, ls, strict=True)}

    @property
    def noise_sd(self) -> float:
        """Standard deviation of the evaluation noise, in the units of the values."""
        self._require_fit()
        return float(np.sqrt(self._engine.hyper.noise) * self._engine.output_scale)

    @property
    def signal_sd(self) -> float:
        """Prior standard deviation of the objective around its mean, in the units of the values."""
        self._require_fit()
        return float(np.sqrt(np.exp(self._engine.hyper.log_sf2)) * self._engine.output_scale)

    @property
    def neg_log_posterior(self) -> float:
        """Negative log posterior of the hyperparameters at the fitted (MAP) values, on the fit
        subset and in standardized units (lower is a better fit)."""
        self._require_fit()
        return float(self._engine.map_value)

    @property
    def n_observations(self) -> int:
        """Trials of the last fit."""
        return self._n

    @property
    def model_points(self) -> int:
        """Trials the posterior is conditioned on (fewer than :attr:`n_observations` beyond the
        big-history threshold)."""
        return int(self._engine.model_points)

    def hyperparameters(self) -> dict[str, Any]:
        """Every fitted hyperparameter in the model's parametrization (standardized units, log
        lengthscales, warping parameters), plus ``warping`` (whether the input warping is used)."""
        self._require_fit()
        out = hyper_dict(self._engine.hyper)
        out["warping"] = self._engine.uses_warping
        return out

    # ------------------------------------------------------------------ helpers
    def _require_fit(self) -> None:
        if not self._n:
            raise RuntimeError("Surrogate: the model is not fitted yet (call fit)")

    def _encoded(self, X: npt.ArrayLike, name: str) -> Array:
        Xa = np.ascontiguousarray(X, dtype=np.float64)
        if Xa.ndim == 1 and self.space.dim and Xa.size % self.space.dim == 0:
            Xa = Xa.reshape(-1, self.space.dim)
        if Xa.ndim != 2 or Xa.shape[1] != self.space.dim:
            raise ValueError(
                f"Surrogate: {name} must be encoded points of shape (n, {self.space.dim}), "
                f"got shape {Xa.shape}"
            )
        return Xa

    def __repr__(self) -> str:
        return f"Surrogate({self.space!r}, n_observations={self._n})"


# ---------------------------------------------------------------------- searching the model
def candidate_points(
    space: SearchSpace,
    X: npt.ArrayLike,
    n: int,
    seed: int,
    around: npt.ArrayLike | None = None,
    sd: float = 0.05,
) -> Array:
    """Canonical encoded candidates for searching a model over ``space``: ``n`` scrambled Halton
    points, 16 Gaussian perturbations (``sd`` in the encoded space) of each row of ``around``, and
    the rows of ``X``."""
    d = space.dim
    parts = [np.asarray(core.halton(n, d, seed & (2**64 - 1), 0))]
    if around is not None and np.size(around):
        rng = np.random.default_rng(seed & (2**64 - 1))
        rep = np.repeat(np.asarray(around, dtype=np.float64).reshape(-1, d), 16, axis=0)
        parts.append(np.clip(rep + rng.normal(0.0, sd, rep.shape), 0.0, 1.0))
    Xa = np.asarray(X, dtype=np.float64)
    if Xa.size:
        parts.append(Xa.reshape(-1, d))
    return np.ascontiguousarray(space.canonicalize(np.vstack(parts)))


def minimize_encoded(
    space: SearchSpace,
    fun: Callable[[Array], tuple[float, Array]],
    x0: npt.ArrayLike,
    max_iter: int = 50,
) -> tuple[Array, float]:
    """Minimize ``fun(x) -> (value, gradient)`` from the encoded point ``x0`` by box-constrained
    L-BFGS over the continuous and integer coordinates (categorical ones stay fixed), then
    canonicalize; returns ``(x, fun(x)[0])`` at the canonical point."""
    x0a = np.ascontiguousarray(x0, dtype=np.float64).ravel()
    lo, hi = np.zeros(space.dim), np.ones(space.dim)
    for i, kind in enumerate(space.kinds()):
        if kind == "Categorical":
            lo[i] = hi[i] = x0a[i]
    x, _, _, _ = core.minimize_box(fun, x0a, lo, hi, max_iter)
    xc: Array = space.canonicalize(np.asarray(x).reshape(1, -1))[0]
    return xc, float(fun(xc)[0])

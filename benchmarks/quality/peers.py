"""One ask/tell adapter per method, all driven by the same loop in ``run.py``.

Each adapter proposes one configuration at a time (``ask() -> dict``), receives its value
(``tell(config, value)``) and can be warm-started with earlier evaluations (``load``) so that an
interrupted or shorter run can be extended. Every method uses its library defaults, including its
own initial design; ``INIT_DESIGN`` documents what each one does.

Method names: ``random``, ``optuna-tpe``, ``optuna-gp``, ``skopt-gp``, ``amtune-bayes`` and
``amtune-random``. ``amtune-bayes:key=value,...`` passes options to ``amtune.Optimizer``.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmarks.quality.problems import Problem

INIT_DESIGN = {
    "random": "uniform random points throughout",
    "optuna-tpe": "10 random points (TPESampler n_startup_trials=10), "
    "multivariate TPE (Optuna 5 default)",
    "optuna-gp": "10 random points (GPSampler n_startup_trials=10), then GP + logEI",
    "skopt-gp": "10 random points (n_initial_points=10), GP (Matern, noise='gaussian') + gp_hedge, "
    "as gp_minimize",
    "amtune-bayes": "amtune default: scrambled Halton design of 10 points (min(max(5, d + 1), 10) before issue 12), "
    "then GP + LogEI",
    "amtune-random": "amtune RandomSearch strategy",
    "hebo": "HEBO defaults: its own initial design (rand_sample), then GP + MACE + NSGA-II",
    "smac": "SMAC3 HyperparameterOptimizationFacade defaults: Sobol initial design, "
    "random forest + log EI",
}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


class Adapter:
    name = ""
    version = ""
    #: whether ``load`` can extend a stored run (else an interrupted run starts again)
    can_load = True

    def __init__(self, problem: Problem, seed: int) -> None:
        self.problem = problem
        self.seed = seed

    def ask(self) -> dict[str, Any]:
        raise NotImplementedError

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        raise NotImplementedError

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        """``q`` configurations to evaluate in parallel (``max_parallel_jobs``). Default: ``q``
        sequential asks with nothing told in between (the library sees them as pending)."""
        if q == 1:
            return [self.ask()]
        raise NotImplementedError(f"{self.name}: no batch proposals")

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        if len(configs) == 1:
            self.tell(configs[0], values[0])
            return
        raise NotImplementedError(f"{self.name}: no batch proposals")

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        for c, v in zip(configs, values, strict=True):
            self.tell(c, v)


# --------------------------------------------------------------------------- random
class RandomAdapter(Adapter):
    name = "random"

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        self.rng = np.random.default_rng([seed, 12345])
        self.version = f"numpy {np.__version__}"

    def ask(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in self.problem.params:
            if p.kind == "Continuous" and p.log:
                out[p.name] = float(np.exp(self.rng.uniform(np.log(p.low), np.log(p.high))))
            elif p.kind == "Continuous":
                out[p.name] = float(self.rng.uniform(p.low, p.high))
            elif p.kind == "Integer" and p.log:  # every integer gets its share of the log interval
                u = self.rng.uniform(np.log(p.low - 0.5 + 1e-9), np.log(p.high + 0.5))
                out[p.name] = int(min(max(round(float(np.exp(u))), p.low), p.high))
            elif p.kind == "Integer":
                out[p.name] = int(self.rng.integers(int(p.low), int(p.high) + 1))
            else:
                out[p.name] = p.choices[int(self.rng.integers(len(p.choices)))]
        return out

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        pass

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        return [self.ask() for _ in range(q)]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        pass

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        # a fresh stream, so an extended run does not repeat its first points
        self.rng = np.random.default_rng([self.seed, 12345, len(values)])


# --------------------------------------------------------------------------- optuna
class OptunaAdapter(Adapter):
    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        import optuna
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
            IntDistribution,
        )

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self.dists: dict[str, Any] = {}
        for p in problem.params:
            if p.kind == "Continuous":
                self.dists[p.name] = FloatDistribution(p.low, p.high, log=p.log)
            elif p.kind == "Integer":
                self.dists[p.name] = IntDistribution(int(p.low), int(p.high), log=p.log)
            else:
                self.dists[p.name] = CategoricalDistribution(list(p.choices))
        self.study = optuna.create_study(direction="minimize", sampler=self.make_sampler(seed))
        self._trials: dict[int, Any] = {}
        self.version = f"optuna {optuna.__version__}"

    def make_sampler(self, seed: int) -> Any:
        raise NotImplementedError

    def ask(self) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning etc.
            trial = self.study.ask(self.dists)
        params = dict(trial.params)
        self._last = (trial, params)
        return params

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        trial, params = self._last
        if params is not config and params != dict(config):
            raise RuntimeError("optuna adapter: tell() must follow its own ask()")
        self.study.tell(trial, value)

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        out = []
        self._batch = []
        for _ in range(q):
            out.append(self.ask())
            self._batch.append(self._last)
        return out

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        for (trial, _), v in zip(self._batch, values, strict=True):
            self.study.tell(trial, float(v))

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        ft = self._optuna.trial.create_trial
        self.study.add_trials(
            [
                ft(params=dict(c), distributions=self.dists, value=float(v))
                for c, v in zip(configs, values, strict=True)
            ]
        )
        # reseed so an extended run does not replay the same random stream
        self.study.sampler.reseed_rng()


class OptunaTPEAdapter(OptunaAdapter):
    name = "optuna-tpe"

    def make_sampler(self, seed: int) -> Any:
        return self._optuna.samplers.TPESampler(seed=seed)


class OptunaGPAdapter(OptunaAdapter):
    name = "optuna-gp"

    def make_sampler(self, seed: int) -> Any:
        from benchmarks._threads import limit_torch_threads

        limit_torch_threads()
        return self._optuna.samplers.GPSampler(seed=seed)


# --------------------------------------------------------------------------- scikit-optimize
class SkoptAdapter(Adapter):
    name = "skopt-gp"

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        import skopt
        from skopt.space import Categorical, Integer, Real
        from skopt.utils import cook_estimator

        dims = []
        for p in problem.params:
            prior = "log-uniform" if p.log else "uniform"
            if p.kind == "Continuous":
                dims.append(Real(p.low, p.high, prior=prior, name=p.name))
            elif p.kind == "Integer":
                dims.append(Integer(int(p.low), int(p.high), prior=prior, name=p.name))
            else:
                dims.append(Categorical(list(p.choices), name=p.name))
        rng = np.random.RandomState(seed)
        space = skopt.space.Space(dims)
        # exactly what gp_minimize does with its defaults
        est = cook_estimator(
            "GP", space=space, random_state=rng.randint(0, np.iinfo(np.int32).max), noise="gaussian"
        )
        self.opt = skopt.Optimizer(
            space,
            base_estimator=est,
            n_initial_points=10,
            initial_point_generator="random",
            acq_func="gp_hedge",
            acq_optimizer="auto",
            random_state=rng,
            acq_func_kwargs={"xi": 0.01, "kappa": 1.96},
            acq_optimizer_kwargs={"n_points": 10000, "n_restarts_optimizer": 5, "n_jobs": 1},
        )
        self.names = [p.name for p in problem.params]
        self.version = f"scikit-optimize {_version('scikit-optimize')}"

    def _row(self, config: Mapping[str, Any]) -> list[Any]:
        return [config[n] for n in self.names]

    def ask(self) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = self.opt.ask()
        return {
            n: (v.item() if hasattr(v, "item") else v) for n, v in zip(self.names, x, strict=True)
        }

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.tell(self._row(config), float(value))

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        if q == 1:
            return [self.ask()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xs = self.opt.ask(n_points=q)  # constant liar (strategy "cl_min"), the default
        return [
            {n: (v.item() if hasattr(v, "item") else v) for n, v in zip(self.names, x, strict=True)}
            for x in xs
        ]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.tell([self._row(c) for c in configs], [float(v) for v in values])

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.tell([self._row(c) for c in configs], [float(v) for v in values])


# --------------------------------------------------------------------------- amtune
class AmtuneAdapter(Adapter):
    strategy = "Bayesian"

    def __init__(
        self, problem: Problem, seed: int, options: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(problem, seed)
        import amtune

        params: dict[str, Any] = {}
        for p in problem.params:
            scaling = "Logarithmic" if p.log else "Linear"
            if p.kind == "Continuous":
                params[p.name] = amtune.ContinuousParameter(p.low, p.high, scaling_type=scaling)
            elif p.kind == "Integer":
                params[p.name] = amtune.IntegerParameter(
                    int(p.low), int(p.high), scaling_type=scaling
                )
            else:
                params[p.name] = amtune.CategoricalParameter(list(p.choices))
        self.space = amtune.SearchSpace(params)
        self.options = dict(options or {})
        self.opt = amtune.Optimizer(
            self.space, strategy=self.strategy, random_seed=seed, **self.options
        )
        self.version = f"amtune {amtune.__version__} ({_git_head()})"
        self._last: Any = None

    def ask(self) -> dict[str, Any]:
        trial = self.opt.ask(1)[0]
        self._last = trial
        return dict(trial.params)

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        self.opt.tell(self._last.id, float(value))

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        self._batch = self.opt.ask(q)
        return [dict(t.params) for t in self._batch]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        for t, v in zip(self._batch, values, strict=True):
            self.opt.tell(t.id, float(v))

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        self.opt.add_many([dict(c) for c in configs], [float(v) for v in values])


class AmtuneRandomAdapter(AmtuneAdapter):
    strategy = "Random"


def _git_head() -> str:
    import subprocess
    from pathlib import Path

    try:
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "python",
                "cpp",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --------------------------------------------------------------------------- HEBO, SMAC3
class RemoteAdapter(Adapter):
    """HEBO or SMAC3 in their own virtual environment (``AMTUNE_PEERS_PYTHON``, default
    ``/tmp/peers-venv/bin/python``), served by ``remote.py``; see ``peers_extra.py``."""

    def __init__(self, problem: Problem, seed: int, budget: int = 100) -> None:
        super().__init__(problem, seed)
        import json
        import os
        import subprocess
        from pathlib import Path

        self._json = json
        python = os.environ.get("AMTUNE_PEERS_PYTHON", "/tmp/peers-venv/bin/python")
        root = Path(__file__).resolve().parents[2]
        env = dict(os.environ, PYTHONPATH=str(root))
        self.proc = subprocess.Popen(
            [python, "-m", "benchmarks.quality.remote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=str(root),
            env=env,
        )
        init = {
            "method": self.name,
            "problem": problem.name,
            "seed": seed,
            "budget": budget,
            "noise_sd": problem.noise_sd,
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "low": p.low,
                    "high": p.high,
                    "choices": list(p.choices),
                    "log": p.log,
                }
                for p in problem.params
            ],
        }
        hello = self._call(init)
        self.version = hello["version"]
        self.can_load = bool(hello["can_load"])

    def _call(self, req: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(self._json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: the peer process ended (exit {self.proc.wait()})")
        reply: dict[str, Any] = self._json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.name}: {reply['error']}")
        return reply

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        return list(self._call({"cmd": "ask", "q": q})["configs"])

    def ask(self) -> dict[str, Any]:
        return self.ask_batch(1)[0]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        self._call(
            {
                "cmd": "tell",
                "configs": [dict(c) for c in configs],
                "values": [float(v) for v in values],
            }
        )

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        self.tell_batch([config], [value])

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        self._call(
            {
                "cmd": "load",
                "configs": [dict(c) for c in configs],
                "values": [float(v) for v in values],
            }
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


class HeboRemote(RemoteAdapter):
    name = "hebo"


class SmacRemote(RemoteAdapter):
    name = "smac"


ADAPTERS: dict[str, type[Adapter]] = {
    a.name if a.name else "": a
    for a in (RandomAdapter, OptunaTPEAdapter, OptunaGPAdapter, SkoptAdapter)
}
ADAPTERS["hebo"] = HeboRemote
ADAPTERS["smac"] = SmacRemote
ADAPTERS["amtune-bayes"] = AmtuneAdapter
ADAPTERS["amtune-random"] = AmtuneRandomAdapter


def parse_method(spec: str) -> tuple[str, dict[str, Any]]:
    """``"amtune-bayes:foo=1,bar=x"`` -> ``("amtune-bayes", {"foo": 1, "bar": "x"})``; options
    may also be joined by ``+`` (``amtune-bayes:foo=1+bar=x``) inside a comma list of methods.

    A ``#label`` suffix (``amtune-bayes#v0``) only names the stored runs (e.g. a code version)."""
    spec = spec.partition("#")[0]
    base, _, opts = spec.partition(":")
    if base not in ADAPTERS:
        raise ValueError(f"unknown method {base!r}; choose from {', '.join(ADAPTERS)}")
    options: dict[str, Any] = {}
    for item in filter(None, opts.replace("+", ",").split(",")):
        key, eq, raw = item.partition("=")
        if not eq:
            raise ValueError(f"method option {item!r} must be key=value")
        value: Any = raw
        for conv in (int, float):
            try:
                value = conv(raw)
                break
            except ValueError:
                pass
        if raw in ("true", "false", "True", "False"):
            value = raw.lower() == "true"
        elif raw in ("none", "None"):
            value = None
        options[key] = value
    if options and not base.startswith("amtune"):
        raise ValueError(f"method {base!r} takes no options")
    return base, options


def make_adapter(spec: str, problem: Problem, seed: int, budget: int = 100) -> Adapter:
    base, options = parse_method(spec)
    cls = ADAPTERS[base]
    if issubclass(cls, AmtuneAdapter):
        return cls(problem, seed, options)
    if issubclass(cls, RemoteAdapter):
        return cls(problem, seed, budget)
    return cls(problem, seed)

"""HEBO and SMAC3 adapters. They run in their own virtual environment (HEBO 0.3.6 requires
numpy < 1.25 and pymoo 0.6.0, older than the project's), driven by ``remote.py`` over
stdin/stdout; the objective is evaluated in the harness's process, as for every other method.
``benchmarks/quality/README.md`` has the pinned install that works for HEBO.

    python -m venv /tmp/peers-venv && /tmp/peers-venv/bin/pip install smac pyrfr
    export AMTUNE_PEERS_PYTHON=/tmp/peers-venv/bin/python

Library defaults: ``HEBO(space, scramble_seed=seed)`` (GP with input and output warping, MACE
acquisition ensemble optimized by NSGA-II, its own initial design of ``rand_sample`` points), and
SMAC3's ``HyperparameterOptimizationFacade`` (random forest + log EI, Sobol initial design of its
default size, local and random search of the acquisition, ``deterministic`` set from the problem).
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmarks.quality.peers import Adapter
from benchmarks.quality.problems import Problem


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


class HeboAdapter(Adapter):
    name = "hebo"
    can_load = True

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        import pandas as pd
        import torch
        from hebo.design_space.design_space import DesignSpace
        from hebo.optimizers.hebo import HEBO

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        np.random.seed(seed)  # noqa: NPY002  (HEBO draws from the global numpy stream)
        torch.manual_seed(seed)
        self._pd = pd
        specs: list[dict[str, Any]] = []
        for p in problem.params:
            if p.kind == "Continuous":
                kind = "pow" if p.log else "num"
                specs.append({"name": p.name, "type": kind, "lb": p.low, "ub": p.high})
            elif p.kind == "Integer":
                kind = "pow_int" if p.log else "int"
                specs.append({"name": p.name, "type": kind, "lb": int(p.low), "ub": int(p.high)})
            else:
                specs.append({"name": p.name, "type": "cat", "categories": list(p.choices)})
        self.space = DesignSpace().parse(specs)
        self.opt = HEBO(self.space, scramble_seed=seed)
        self.version = f"HEBO {importlib.metadata.version('HEBO')}"
        self.names = [p.name for p in problem.params]

    def _configs(self, df: Any) -> list[dict[str, Any]]:
        out = []
        for _, row in df.iterrows():
            c: dict[str, Any] = {}
            for p in self.problem.params:
                v = _plain(row[p.name])
                c[p.name] = round(float(v)) if p.kind == "Integer" else v
            out.append(c)
        return out

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._rec = self.opt.suggest(n_suggestions=q)
        return self._configs(self._rec)

    def ask(self) -> dict[str, Any]:
        return self.ask_batch(1)[0]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.observe(self._rec, np.asarray(values, dtype=float).reshape(-1, 1))

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        self.tell_batch([config], [value])

    def load(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        df = self._pd.DataFrame([{n: c[n] for n in self.names} for c in configs])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.observe(df, np.asarray(values, dtype=float).reshape(-1, 1))


class SmacAdapter(Adapter):
    name = "smac"
    can_load = False  # SMAC's runhistory would need its trial infos: a stored run starts again

    def __init__(self, problem: Problem, seed: int, budget: int = 100) -> None:
        super().__init__(problem, seed)
        from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer
        from smac import HyperparameterOptimizationFacade, Scenario

        cs = ConfigurationSpace(seed=seed)
        for p in problem.params:
            if p.kind == "Continuous":
                cs.add(Float(p.name, (p.low, p.high), log=p.log))
            elif p.kind == "Integer":
                cs.add(Integer(p.name, (int(p.low), int(p.high)), log=p.log))
            else:
                cs.add(Categorical(p.name, list(p.choices)))
        self._tmp = tempfile.TemporaryDirectory()
        scenario = Scenario(
            cs,
            deterministic=problem.noise_sd == 0,
            n_trials=budget,
            seed=seed,
            output_directory=self._tmp.name,  # type: ignore[arg-type]
        )

        def target(config: Any, seed: int = 0) -> float:
            raise RuntimeError("ask/tell only")

        self.smac = HyperparameterOptimizationFacade(
            scenario, target, overwrite=True, logging_level=40
        )
        self.version = f"SMAC3 {importlib.metadata.version('smac')}"
        self._pending: list[Any] = []

    def ask_batch(self, q: int) -> list[dict[str, Any]]:
        self._pending = [self.smac.ask() for _ in range(q)]
        return [{k: _plain(v) for k, v in dict(info.config).items()} for info in self._pending]

    def ask(self) -> dict[str, Any]:
        return self.ask_batch(1)[0]

    def tell_batch(self, configs: Sequence[Mapping[str, Any]], values: Sequence[float]) -> None:
        from smac.runhistory.dataclasses import TrialValue

        for info, v in zip(self._pending, values, strict=True):
            self.smac.tell(info, TrialValue(cost=float(v)))

    def tell(self, config: Mapping[str, Any], value: float) -> None:
        self.tell_batch([config], [value])


EXTRA_ADAPTERS: dict[str, type[Adapter]] = {"hebo": HeboAdapter, "smac": SmacAdapter}

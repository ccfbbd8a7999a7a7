"""Quality under parallelism (issue 14): best value after N evaluations with P parallel training
jobs, amtune's Bayesian strategy vs Random at the same P, run as real tuning jobs in simulated time.

    AMTUNE_NUM_THREADS=1 PYTHONPATH=$PWD/python python -m benchmarks.quality.parallel \\
        [--problems hartmann6,rosenbrock10,mixed] [--parallel 1,8,32] [--seeds 0-4] [--budget 200]

Writes ``benchmarks/results/parallel_quality.json`` (every run) and ``parallel_quality.md``.

**Why the tuning-job layer, not an ask/tell loop.** What matters is the exact sequence of proposals
a tuning job with ``max_parallel_jobs = P`` makes: at the start one ``ask(P)``, then one ``ask`` per
finished training job, made while the other P - 1 are still running and pending in the strategy
(Kriging-believer fantasies), including the driver's own steps (``_ask_unseen`` re-asks a
proposal that repeats an evaluated one). A separate ask/tell simulation would have to copy that
logic and could drift from it; here the real ``HyperparameterTuner`` runs (``runner="thread"``,
store in a temporary directory), so the measured proposals are the ones a user gets.

**Simulated time.** The training callable does not sleep: :class:`SimulatedWorkers` gives each
training job a duration (uniform in [0.5, 1.5) time units, drawn from a hash of its
hyperparameters and the seed, so it does not depend on thread timing) and holds every job until
all P slots are taken (fewer once the budget is fully started); then the job with the earliest
simulated end returns its value, the simulated clock moves to that end, and the driver proposes
the next configuration with the P - 1 others pending. Jobs therefore finish out of start order,
as on a real fleet, and each run is deterministic for its seed.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import math
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._args import int_list
from benchmarks._threads import limit_threads

THREADS = limit_threads()

import amtune  # noqa: E402
from benchmarks.quality.problems import Problem, get_problem  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "results"
PROBLEMS = ("hartmann6", "rosenbrock10", "mixed")
STRATEGIES = ("Bayesian", "Random")


class SimulatedWorkers:
    """P workers in simulated time for a training callable run by the thread runner.

    ``train(hp, reporter)`` registers the job with its simulated end and blocks; whenever as many
    jobs are registered as can run at once (``min(P, budget - finished)``), the one with the
    earliest end is released and returns its objective value. ``values`` are the objective values
    in order of (simulated) completion.
    """

    def __init__(self, problem: Problem, parallel: int, budget: int, seed: int) -> None:
        self.problem = problem
        self.parallel = parallel
        self.budget = budget
        self.seed = seed
        self.now = 0.0
        self.values: list[float] = []
        self.max_running = 0
        self._running: list[tuple[float, str]] = []  # heap of (simulated end, job key)
        self._released: set[str] = set()
        self._cond = threading.Condition()

    def _duration(self, key: str) -> float:
        h = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return 0.5 + int.from_bytes(h[:8], "big") / 2.0**64

    def train(self, hp: Mapping[str, Any], reporter: Any) -> float:
        key = json.dumps(sorted(hp.items()), default=str) + reporter.job_name
        with self._cond:
            heapq.heappush(self._running, (self.now + self._duration(key), key))
            self.max_running = max(self.max_running, len(self._running))
            self._release()
            while key not in self._released:
                if not self._cond.wait(timeout=600):
                    raise RuntimeError("simulated worker: no release in 600 s (driver stalled?)")
            self._released.discard(key)
            value = self.problem(hp)
            self.values.append(value)
            return value

    def _release(self) -> None:
        """Release jobs (earliest simulated end first) while every slot that can be busy is."""
        while self._running and len(self._running) >= min(
            self.parallel, self.budget - self._n_released
        ):
            end, key = heapq.heappop(self._running)
            self.now = end
            self._released.add(key)
            self._cond.notify_all()

    @property
    def _n_released(self) -> int:
        return len(self.values) + len(self._released)


def space_of(problem: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in problem.params:
        scaling = "Logarithmic" if p.log else "Linear"
        if p.kind == "Continuous":
            out[p.name] = amtune.ContinuousParameter(p.low, p.high, scaling_type=scaling)
        elif p.kind == "Integer":
            out[p.name] = amtune.IntegerParameter(int(p.low), int(p.high), scaling_type=scaling)
        else:
            out[p.name] = amtune.CategoricalParameter(list(p.choices))
    return out


def run_one(
    problem: Problem, strategy: str, parallel: int, seed: int, budget: int, db: Path
) -> dict[str, Any]:
    """One tuning job; its best value, the best after each quarter of the budget, timings."""
    workers = SimulatedWorkers(problem, parallel, budget, seed)
    tuner = amtune.HyperparameterTuner(
        "loss",
        space_of(problem),
        objective_type="Minimize",
        strategy=strategy,
        max_jobs=budget,
        max_parallel_jobs=parallel,
        random_seed=seed,
        runner="thread",
        db=db,
        quiet=True,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    tuner.fit(workers.train, job_name=f"{problem.name}-{strategy}-p{parallel}-s{seed}")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    desc = tuner.describe()
    if desc["HyperParameterTuningJobStatus"] != "Completed" or len(workers.values) != budget:
        raise RuntimeError(f"tuning job did not complete its {budget} jobs: {desc}")
    best = np.minimum.accumulate(np.array(workers.values))
    return {
        "problem": problem.name,
        "strategy": strategy,
        "parallel": parallel,
        "seed": seed,
        "budget": budget,
        "best": float(best[-1]),
        "regret": float(best[-1] - problem.optimum),
        "best_at": {str(k): float(best[k - 1]) for k in (budget // 4, budget // 2, budget)},
        "max_running": workers.max_running,
        "simulated_time": workers.now,
        "wall_s": wall,
        "cpu_s": cpu,
    }


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def table(runs: list[dict[str, Any]]) -> str:
    """Markdown: per problem and P, the median and mean simple regret of each strategy over the
    seeds, and on how many seeds Bayesian beat Random (same seed, same P)."""
    problems = list(dict.fromkeys(r["problem"] for r in runs))
    pars = sorted({r["parallel"] for r in runs})
    lines = [
        "| problem | d | P | Bayesian regret, median (mean) | Random regret, median (mean) "
        "| Bayesian better on | regret ratio B/R (median) | simulated time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pname in problems:
        d = get_problem(pname).dim
        for par in pars:
            by = {
                s: {
                    r["seed"]: r["regret"]
                    for r in runs
                    if r["problem"] == pname and r["parallel"] == par and r["strategy"] == s
                }
                for s in STRATEGIES
            }
            seeds = sorted(set(by["Bayesian"]) & set(by["Random"]))
            if not seeds:
                continue
            b = np.array([by["Bayesian"][s] for s in seeds])
            r = np.array([by["Random"][s] for s in seeds])
            wins = int(np.sum(b < r))
            ratio = np.median(b) / np.median(r) if np.median(r) > 0 else math.nan
            sim = np.median(
                [
                    x["simulated_time"]
                    for x in runs
                    if x["problem"] == pname and x["parallel"] == par
                ]
            )
            lines.append(
                f"| {pname} | {d} | {par} | {_fmt(float(np.median(b)))} ({_fmt(float(b.mean()))})"
                f" | {_fmt(float(np.median(r)))} ({_fmt(float(r.mean()))}) | {wins}/{len(seeds)}"
                f" | {_fmt(float(ratio))} | {sim:.1f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--parallel", default="1,8,32")
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument("--out", default=str(OUT / "parallel_quality"))
    ap.add_argument("--label", default="", help="a note written into the results")
    ap.add_argument("--report", action="store_true", help="only rewrite the table from the JSON")
    a = ap.parse_args(argv)
    out = Path(a.out)
    if a.report:
        saved = json.loads(out.with_suffix(".json").read_text())
        write_markdown(out, saved["meta"], saved["runs"])
        return 0
    runs: list[dict[str, Any]] = []
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        for pname in a.problems.split(","):
            problem = get_problem(pname)
            for par in int_list(a.parallel):
                for seed in int_list(a.seeds):
                    for strategy in a.strategies.split(","):
                        db = Path(tmp) / f"{pname}-{strategy}-{par}-{seed}.db"
                        r = run_one(problem, strategy, par, seed, a.budget, db)
                        runs.append(r)
                        print(
                            f"{pname:14s} P={par:3d} seed={seed} {strategy:8s} "
                            f"regret {r['regret']:.4g}  ({r['cpu_s']:.1f} s CPU)",
                            flush=True,
                        )
    cpu = time.process_time() - cpu0
    meta = {
        "command": " ".join(
            ["python -m benchmarks.quality.parallel", *(sys.argv[1:] if argv is None else argv)]
        ),
        "label": a.label,
        "threads": THREADS,
        "amtune": amtune.__version__,
        "python": platform.python_version(),
        "cpu_s": cpu,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    print(write_markdown(out, meta, runs))
    return 0


def write_markdown(out: Path, meta: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    budget = runs[0]["budget"]
    seeds = sorted({r["seed"] for r in runs})
    label = f"; {meta['label']}" if meta["label"] else ""
    md = (
        f"# Quality under parallelism\n\n"
        f"Simple regret (best value - optimum) after {budget} training jobs of a tuning job with "
        f"`max_parallel_jobs` = P, in simulated time (`benchmarks/quality/parallel.py`; job "
        f"durations uniform in [0.5, 1.5)), seeds {seeds[0]}-{seeds[-1]}; Bayesian vs Random at "
        f'the same P. "Bayesian better on": seeds where its regret is lower than Random\'s with '
        f'the same seed. "simulated time": median time the tuning job took, in mean job '
        f"durations.\n\n"
        f"`{meta['command']}` ({meta['date']}, {meta['cpu_s']:.0f} s CPU, AMTUNE_NUM_THREADS="
        f"{meta['threads'].get('AMTUNE_NUM_THREADS')}{label})\n\n" + table(runs) + "\n"
    )
    out.with_suffix(".md").write_text(md)
    return md


if __name__ == "__main__":
    sys.exit(main())

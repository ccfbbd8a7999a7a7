"""Run (method, problem, seed) optimization traces and store each as JSON; resumable.

    python -m benchmarks.quality.run --methods random,optuna-tpe --problems standard \\
        --seeds 0-9 --budget 100

Each run is stored in ``benchmarks/results/quality/raw/<problem>/<method>/s<seed>.json`` (its
values, cumulative optimizer seconds, versions) plus a gzipped sidecar with the configurations
(used only to extend a run, not committed). A run that already reached the budget is skipped; a
shorter or interrupted one is extended by loading its evaluations into a fresh optimizer (recorded
in ``resumed_at``); ``--force`` starts it again from scratch (e.g. after amtune changed).
Function evaluations are not timed: ``t_cum`` is the optimizer's own time (ask + tell).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._threads import limit_threads

THREADS = limit_threads()

from benchmarks.quality.peers import INIT_DESIGN, make_adapter, parse_method  # noqa: E402
from benchmarks.quality.problems import BIG_SUITE, PROBLEMS, STANDARD_SUITE  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "benchmarks" / "results" / "quality" / "raw"
SUITES = {"standard": STANDARD_SUITE, "big": BIG_SUITE}


def method_dir(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", spec)


def run_paths(problem: str, spec: str, seed: int) -> tuple[Path, Path]:
    d = RAW / problem / method_dir(spec)
    return d / f"s{seed}.json", d / f"s{seed}.params.json.gz"


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        a, dash, b = part.partition("-")
        seeds.extend(range(int(a), int(b) + 1) if dash else [int(a)])
    return seeds


def parse_list(text: str, suites: dict[str, Any] | None = None) -> list[str]:
    out: list[str] = []
    for item in filter(None, text.split(",")):
        if suites and item in suites:
            out.extend(suites[item])
        else:
            out.append(item)
    return list(dict.fromkeys(out))


def _jsonable(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _save(path: Path, side: Path, record: dict[str, Any], configs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, separators=(",", ":")))
    os.replace(tmp, path)
    stmp = side.with_name(side.name + ".tmp")
    with gzip.open(stmp, "wt") as fh:
        json.dump([{k: _jsonable(v) for k, v in c.items()} for c in configs], fh)
    os.replace(stmp, side)


def run_one(
    spec: str,
    problem_name: str,
    seed: int,
    budget: int,
    force: bool = False,
    max_seconds: float | None = None,
    checkpoint_every: int | None = None,
) -> str:
    problem = PROBLEMS[problem_name]
    path, side = run_paths(problem_name, spec, seed)
    record: dict[str, Any] | None = None
    configs: list[dict[str, Any]] = []
    if path.exists() and not force:
        record = json.loads(path.read_text())
        if len(record["values"]) >= budget:
            return f"skip (has {len(record['values'])})"
        if side.exists():
            with gzip.open(side, "rt") as fh:
                configs = json.load(fh)
        if len(configs) != len(record["values"]):
            record, configs = None, []  # cannot extend without the configurations: start again
    if checkpoint_every is None:
        checkpoint_every = max(25, budget // 20)
    base, options = parse_method(spec)
    adapter = make_adapter(spec, problem, seed)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if record is None:
        record = {
            "method": spec,
            "problem": problem_name,
            "seed": seed,
            "optimum": problem.optimum,
            "values": [],
            "t_cum": [],
            "resumed_at": [],
            "init_design": INIT_DESIGN[base],
            "options": options,
            "versions": [],
            "threads": THREADS,
            "host": platform.node(),
            "python": platform.python_version(),
            "started": now,
        }
    else:
        record["resumed_at"].append(len(record["values"]))
        t_load = time.perf_counter()
        adapter.load(configs, record["values"])
        record.setdefault("load_seconds", []).append(round(time.perf_counter() - t_load, 4))
    if adapter.version not in record["versions"]:
        record["versions"].append(adapter.version)
    record["budget"] = max(budget, record.get("budget", 0))
    record["stopped"] = None
    t_base = record["t_cum"][-1] if record["t_cum"] else 0.0
    spent = 0.0
    start_n = len(record["values"])
    for i in range(start_n, budget):
        t0 = time.perf_counter()
        config = adapter.ask()
        t1 = time.perf_counter()
        value = problem(config)
        t2 = time.perf_counter()
        adapter.tell(config, value)
        t3 = time.perf_counter()
        spent += (t1 - t0) + (t3 - t2)
        configs.append(dict(config))
        record["values"].append(value)
        record["t_cum"].append(round(t_base + spent, 5))
        if (i + 1) % checkpoint_every == 0:
            _save(path, side, record, configs)
        if max_seconds is not None and spent > max_seconds and i + 1 < budget:
            record["stopped"] = f"time limit {max_seconds:g} s after {i + 1} evaluations"
            break
    record["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    _save(path, side, record, configs)
    best = min(record["values"]) - problem.optimum
    return f"ran {start_n}->{len(record['values'])} in {spent:.1f} s, regret {best:.4g}" + (
        f" ({record['stopped']})" if record["stopped"] else ""
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--methods", required=True, help="comma list, e.g. random,optuna-tpe,amtune-bayes"
    )
    ap.add_argument(
        "--problems",
        default="standard",
        help=f"comma list of problems or suites ({', '.join(SUITES)}); "
        f"problems: {', '.join(PROBLEMS)}",
    )
    ap.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,5-7")
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--force", action="store_true", help="discard stored runs and start again")
    ap.add_argument(
        "--max-run-seconds",
        type=float,
        default=None,
        help="stop a run after this much optimizer time",
    )
    ap.add_argument(
        "--big",
        action="store_true",
        help="allow budgets above 500 (the big-history suite: 1000 or 5000 evaluations)",
    )
    args = ap.parse_args(argv)
    if args.budget > 500 and not args.big:
        ap.error("budgets above 500 need --big (they take long)")
    methods = parse_list(args.methods)
    for m in methods:
        parse_method(m)
    problems = parse_list(args.problems, SUITES)
    for p in problems:
        if p not in PROBLEMS:
            ap.error(
                f"unknown problem {p!r}; choose from {', '.join(PROBLEMS)} or {', '.join(SUITES)}"
            )
    print(f"threads: {THREADS}", flush=True)
    # seeds outermost: an interrupted sweep still covers every problem evenly
    for seed in parse_seeds(args.seeds):
        for problem in problems:
            for method in methods:
                t = time.perf_counter()
                msg = run_one(method, problem, seed, args.budget, args.force, args.max_run_seconds)
                print(
                    f"{method:>16} {problem:>13} seed {seed:>2}: {msg} "
                    f"[{time.perf_counter() - t:.1f} s wall]",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import math
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._args import int_list
from benchmarks._threads import limit_threads

THREADS = limit_threads()

from benchmarks.quality.peers import INIT_DESIGN, make_adapter, parse_method  # noqa: E402
from benchmarks.quality.problems import (  # noqa: E402
    BIG_SUITE,
    NOISY,
    PROBLEMS,
    STANDARD_SUITE,
    bbob_suite,
    get_problem,
    heldout_suites,
    tuning_suite,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = Path(
    os.environ.get("AMTUNE_QUALITY_RAW", ROOT / "benchmarks" / "results" / "quality" / "raw")
)


def suites(instances: list[int]) -> dict[str, list[str]]:
    """Named problem lists; BBOB suites take their instances from ``--instances``."""
    out: dict[str, list[str]] = {"standard": list(STANDARD_SUITE), "big": list(BIG_SUITE)}
    for d in (2, 5, 10, 20):
        out[f"bbob-d{d}"] = bbob_suite([d], instances)
    out["tuning"] = tuning_suite()
    out["tuning-noisy"] = [n + NOISY for n in tuning_suite()]
    # held out: added after amtune's defaults were fixed (heldout.py), never part of "tuning"
    for name, problems in heldout_suites().items():
        out[name] = problems
        out[name + "-noisy"] = [n + NOISY for n in problems]
    return out


def method_dir(spec: str, batch: int = 1) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", spec) + (f"@q{batch}" if batch > 1 else "")


def run_paths(problem: str, spec: str, seed: int, batch: int = 1) -> tuple[Path, Path]:
    d = RAW / problem / method_dir(spec, batch)
    return d / f"s{seed}.json", d / f"s{seed}.params.json.gz"


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
    batch: int = 1,
) -> str:
    problem = get_problem(problem_name)
    path, side = run_paths(problem_name, spec, seed, batch)
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
    adapter = make_adapter(spec, problem, seed, budget)
    if record is not None and not adapter.can_load:
        record, configs = None, []  # this peer cannot be warm-started: start again
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if record is None:
        record = {
            "method": spec,
            "problem": problem_name,
            "seed": seed,
            "optimum": problem.optimum,
            "values": [],
            "true_values": [],
            "batch": batch,
            "noise_sd": problem.noise_sd,
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
    # the noise of evaluation i depends only on (problem, seed, i): every method sees the same draws
    i = start_n
    last_save = i
    try:
        while i < budget:
            q = min(batch, budget - i)
            t0 = time.perf_counter()
            batch_configs = adapter.ask_batch(q)
            t1 = time.perf_counter()
            observed = [
                problem.observe(
                    c, np.random.default_rng([seed, 777, i + k, *_name_key(problem_name)])
                )
                for k, c in enumerate(batch_configs)
            ]
            t2 = time.perf_counter()
            adapter.tell_batch(batch_configs, [v for v, _ in observed])
            t3 = time.perf_counter()
            spent += (t1 - t0) + (t3 - t2)
            for c, (v, f) in zip(batch_configs, observed, strict=True):
                configs.append(dict(c))
                record["values"].append(v)
                record["true_values"].append(f)
                record["t_cum"].append(round(t_base + spent, 5))
            i += q
            if i - last_save >= checkpoint_every:
                _save(path, side, record, configs)
                last_save = i
            if max_seconds is not None and spent > max_seconds and i < budget:
                record["stopped"] = f"time limit {max_seconds:g} s after {i} evaluations"
                break
    finally:
        close = getattr(adapter, "close", None)
        if close is not None:
            close()
    record["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    _save(path, side, record, configs)
    best = min(record["values"]) - (0.0 if math.isnan(problem.optimum) else problem.optimum)
    return f"ran {start_n}->{len(record['values'])} in {spent:.1f} s, best {best:.4g}" + (
        f" ({record['stopped']})" if record["stopped"] else ""
    )


def _name_key(name: str) -> list[int]:
    return list(name.encode())


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
        help="comma list of problems or suites (standard, big, bbob-d2, bbob-d5, bbob-d10, "
        f"bbob-d20, tuning, tuning-noisy, xgboost, xgboost-noisy, lightgbm, lightgbm-noisy); problems: {', '.join(PROBLEMS)}, bbob-fFF-dDD-iII, "
        "the tuning problems of tuning.py, heldout.py and heldout_lightgbm.py, and NAME~noisy",
    )
    ap.add_argument("--instances", default="1", help="BBOB instances of the bbob-d* suites")
    ap.add_argument("--batch", type=int, default=1, help="proposals per round (q)")
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
    problems = parse_list(args.problems, suites(int_list(args.instances)))
    for p in problems:
        try:
            get_problem(p)
        except KeyError:
            ap.error(f"unknown problem {p!r}")
    print(f"threads: {THREADS}", flush=True)
    # seeds outermost: an interrupted sweep still covers every problem evenly
    for seed in int_list(args.seeds):
        for problem in problems:
            for method in methods:
                t = time.perf_counter()
                msg = run_one(
                    method,
                    problem,
                    seed,
                    args.budget,
                    args.force,
                    args.max_run_seconds,
                    batch=args.batch,
                )
                print(
                    f"{method:>16} {problem:>13} seed {seed:>2}: {msg} "
                    f"[{time.perf_counter() - t:.1f} s wall]",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Growth curve of one proposal with the number of finished trials (issue 4), with peak memory.

    python -m benchmarks.ask_scaling                      # writes benchmarks/results/ask_scaling.md
    python -m benchmarks.ask_scaling --sizes 100,1000 --methods amtune-bayes --out /tmp/x.md

    python -m benchmarks.ask_scaling --batch              # writes benchmarks/results/ask_batch.md

Each (method, n) runs in its own subprocess, so its peak resident memory (``ru_maxrss``) belongs to
that size alone. The child records n random Styblinski-Tang points in d = 20 at once (a resumed
job), times the first ``ask()`` ("cold"), then a few ask/tell pairs ("warm", the steady state; their
median is the headline figure). A method whose proposal exceeds ``--limit`` seconds (default 120)
or whose process exceeds ``--max-rss-gib`` is stopped and not run at larger sizes. Threads are
capped at 1.

``--batch`` (issue 14) measures batches and pending trials instead, amtune only, at n = 10,000,
d = 20 (``--batch-n``, ``--d``) in one process: the CPU time of ``ask(1)``, of ``ask(32)``, and of
``ask(1)`` while the 32 trials of the batch just proposed are pending, all from the same state
(every proposal is forgotten again, so no refit happens in between), interleaved over
``--batch-reps`` rounds; the ratios are of the medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import queue
import resource
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._threads import limit_threads

THREADS = limit_threads()

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (100, 1000, 2000, 5000, 10000, 20000, 50000)
DEFAULT_METHODS = ("amtune-bayes", "optuna-tpe", "optuna-gp")
#: warm asks per size; amtune's 25 span its periodic refits (every 20 trials in the big-history
#: mode), so the mean shows their amortized cost next to the median
REPS = {"amtune-bayes": 25, "optuna-tpe": 5, "optuna-gp": 3}
#: issue 4's targets for amtune at d = 20
TARGETS = {1000: "<= 25 ms", 10000: "<= 250 ms", 50000: "<= 1 s, <= 2 GiB"}


def _maxrss_mib() -> float:
    # Linux reports kilobytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


def child(method: str, n: int, d: int, reps: int, options: dict[str, Any]) -> None:
    from benchmarks._speed import amtune_has_bayesian, make_session

    if method == "amtune-bayes" and not amtune_has_bayesian():
        _emit(event="unavailable", why="amtune has no Bayesian strategy yet")
        return
    if method != "amtune-bayes":
        import optuna  # noqa: F401  (import cost outside the timings)

        if method == "optuna-gp":
            import torch  # noqa: F401
    _emit(event="imported", rss_mib=_maxrss_mib())
    t0 = time.perf_counter()
    s = make_session(method, n, d, **options)
    _emit(event="built", seconds=time.perf_counter() - t0, rss_mib=_maxrss_mib())
    _emit(event="asking")
    t0 = time.perf_counter()
    s.ask()
    _emit(event="cold", seconds=time.perf_counter() - t0, rss_mib=_maxrss_mib())
    for _ in range(reps):
        s.tell()
        _emit(event="asking")
        t0 = time.perf_counter()
        s.ask()
        _emit(event="warm", seconds=time.perf_counter() - t0, rss_mib=_maxrss_mib())
    _emit(event="done", rss_mib=_maxrss_mib())


def _rss_now_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def measure(
    method: str,
    n: int,
    d: int,
    reps: int,
    limit: float,
    max_rss_mib: float,
    options: dict[str, Any],
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.ask_scaling",
        "--child",
        json.dumps({"method": method, "n": n, "d": d, "reps": reps, "options": options}),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    res: dict[str, Any] = {"method": method, "n": n, "d": d, "warm": [], "status": "ok"}
    asking_since: float | None = None
    started = time.perf_counter()
    while True:
        try:
            line = lines.get(timeout=0.25)
        except queue.Empty:
            line = ""
        if line is None:
            break
        if line:
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = ev["event"]
            if kind == "unavailable":
                res["status"] = ev["why"]
            elif kind == "asking":
                asking_since = time.perf_counter()
            elif kind in ("cold", "warm"):
                asking_since = None
                if kind == "cold":
                    res["cold"] = ev["seconds"]
                else:
                    res["warm"].append(ev["seconds"])
                res["rss_mib"] = ev["rss_mib"]
            elif kind in ("built", "imported", "done"):
                res[f"{kind}_rss_mib"] = ev["rss_mib"]
                if kind == "built":
                    res["build_seconds"] = ev["seconds"]
        over_time = asking_since is not None and time.perf_counter() - asking_since > limit
        rss_now = _rss_now_mib(proc.pid)
        res["watched_rss_mib"] = max(res.get("watched_rss_mib", 0.0), rss_now)
        over_mem = rss_now > max_rss_mib
        over_build = time.perf_counter() - started > 3 * limit + 600
        if over_time or over_mem or over_build:
            proc.kill()
            res["status"] = (
                f"> {limit:g} s"
                if over_time
                else f"> {max_rss_mib / 1024:g} GiB"
                if over_mem
                else "building the history took too long"
            )
            if "cold" in res and over_time:
                res["status"] = f"warm ask > {limit:g} s"
            res["killed"] = True
            break
    proc.wait()
    if res["status"] == "ok" and proc.returncode != 0:
        err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
        last = err[-1] if err else f"exit code {proc.returncode}"
        res["error"] = "\n".join(err[-20:])
        res["status"] = "failed: " + (last if len(last) <= 80 else last[:77] + "...")
    return res


def _fmt_s(s: float | None) -> str:
    if s is None:
        return ""
    if s < 1:
        return f"{s * 1000:.3g} ms"
    return f"{s:.3g} s"


def _median(xs: list[float]) -> float | None:
    if not xs:
        return None
    ys = sorted(xs)
    m = len(ys) // 2
    return ys[m] if len(ys) % 2 else 0.5 * (ys[m - 1] + ys[m])


def headline(r: dict[str, Any] | None) -> float | None:
    """The warm median, or the cold ask when no warm ask finished."""
    if r is None:
        return None
    return _median(r["warm"]) if r["warm"] else r.get("cold")


def table(results: list[dict[str, Any]], methods: list[str], sizes: list[int]) -> list[str]:
    """Two markdown tables: proposal time (with ratios) and peak memory."""
    from benchmarks._speed import LABELS

    by = {(r["method"], r["n"]): r for r in results}
    peers = [m for m in methods if m != "amtune-bayes"]
    ours_on = "amtune-bayes" in methods
    head = ["finished trials"]
    if ours_on:
        head += ["amtune warm median (mean)", "amtune cold (resumed)"]
    head += [f"{LABELS[m]} warm (cold)" for m in peers]
    if ours_on:
        head += [f"{LABELS[m]} / amtune" for m in peers] + ["target (issue 4)"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    mem = [
        "| finished trials | " + " | ".join(LABELS[m] for m in methods) + " |",
        "|---" * (len(methods) + 1) + "|",
    ]

    def status(r: dict[str, Any]) -> str:
        return "" if r["status"] == "ok" else f" ({r['status']})"

    for n in sizes:
        cells = [f"{n:,}"]
        mcells = [f"{n:,}"]
        for m in methods:
            r = by.get((m, n))
            if r is None or "watched_rss_mib" not in r:
                mcells.append("")
            elif r.get("killed"):
                mcells.append(f"> {r['watched_rss_mib']:,.0f} MiB (stopped)")
            else:
                rss = r.get("done_rss_mib") or r.get("rss_mib") or r.get("watched_rss_mib")
                mcells.append(f"{rss:,.0f} MiB")
            if r is None:
                cells += ["", ""] if m == "amtune-bayes" else [""]
                continue
            h = headline(r)
            if m == "amtune-bayes":
                mean = f" ({_fmt_s(sum(r['warm']) / len(r['warm']))})" if r["warm"] else ""
                cells.append((_fmt_s(h) if h is not None else "-") + mean + status(r))
                cells.append(_fmt_s(r.get("cold")))
            else:
                cold = f" ({_fmt_s(r['cold'])})" if r.get("cold") is not None else ""
                cells.append((_fmt_s(h) if h is not None else "-") + cold + status(r))
        if ours_on:
            ours = headline(by.get(("amtune-bayes", n)))
            for m in peers:
                theirs = headline(by.get((m, n)))
                cells.append(f"{theirs / ours:.3g}x" if ours and theirs else "")
            cells.append(TARGETS.get(n, ""))
        lines.append("| " + " | ".join(cells) + " |")
        mem.append("| " + " | ".join(mcells) + " |")
    return [
        "## Time of one proposal",
        "",
        *lines,
        "",
        "## Peak resident memory of the measuring process",
        "",
        *mem,
    ]


def batch_figures(n: int, d: int, q: int, reps: int) -> dict[str, Any]:
    """Median CPU seconds of ask(1), ask(q) and ask(1) with q pending, from one state."""
    from benchmarks._speed import make_session

    s = make_session("amtune-bayes", n, d)
    opt = s.opt

    def forget(trials: list[Any]) -> None:
        for t in trials:
            opt.forget(t.id)

    def timed(k: int) -> tuple[float, list[Any]]:
        t0 = time.process_time()
        trials = opt.ask(k)
        return time.process_time() - t0, trials

    forget(opt.ask(1))  # the first proposal fits the model; the timed ones reuse it
    one: list[float] = []
    batch: list[float] = []
    pending: list[float] = []
    for _ in range(reps):
        t, tr = timed(1)
        one.append(t)
        forget(tr)
        t, tr = timed(q)
        batch.append(t)
        t, tr2 = timed(1)
        pending.append(t)
        forget(tr + tr2)
    med = {k: _median(v) or 0.0 for k, v in (("one", one), ("batch", batch), ("pending", pending))}
    return {"n": n, "d": d, "q": q, "reps": reps, **med}


def batch_main(args: argparse.Namespace, argv: list[str] | None) -> int:
    r = batch_figures(args.batch_n, args.d, 32, args.batch_reps)
    cmd = "python -m benchmarks.ask_scaling " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    load = os.getloadavg()
    text = "\n".join(
        [
            f"# Batches and pending trials at n = {r['n']:,}, d = {r['d']} (issue 14)",
            "",
            f"Generated {dt.datetime.now(dt.timezone.utc).isoformat(timespec='minutes')} on "
            f"{platform.node()} ({os.cpu_count()} cores, shared; load average "
            f"{load[0]:.1f} at the end), threads capped: "
            + ", ".join(f"{k}={v}" for k, v in THREADS.items())
            + ".",
            "",
            "Reproduce:",
            "",
            "```sh",
            cmd.strip(),
            "```",
            "",
            "Median CPU time over "
            f"{r['reps']} interleaved rounds from one state (history: n random Styblinski-Tang "
            "points, recorded at once; every proposal forgotten again).",
            "",
            "| proposal | CPU time | ratio | goal (issue 14) |",
            "|---|---|---|---|",
            f"| `ask(1)` | {_fmt_s(r['one'])} | 1 | |",
            f"| `ask(32)` | {_fmt_s(r['batch'])} | {r['batch'] / r['one']:.2f}x | <= 5x |",
            f"| `ask(1)` with the 32 pending | {_fmt_s(r['pending'])} | "
            f"{r['pending'] / r['one']:.2f}x | <= 1.5x |",
            "",
        ]
    )
    args.batch_out.parent.mkdir(parents=True, exist_ok=True)
    args.batch_out.write_text(text)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--limit", type=float, default=120.0, help="seconds allowed for one proposal")
    ap.add_argument("--max-rss-gib", type=float, default=6.0, help="kill a child above this RSS")
    ap.add_argument("--amtune-options", default="", help="key=value,... passed to amtune.Optimizer")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ask_scaling.md")
    ap.add_argument(
        "--json",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "ask_scaling.json",
        help="where to write the raw measurements",
    )
    ap.add_argument("--batch", action="store_true", help="measure batches and pending trials")
    ap.add_argument("--batch-n", type=int, default=10000, help="finished trials for --batch")
    ap.add_argument("--batch-reps", type=int, default=9, help="rounds for --batch")
    ap.add_argument(
        "--batch-out", type=Path, default=ROOT / "benchmarks" / "results" / "ask_batch.md"
    )
    args = ap.parse_args(argv)
    if args.batch:
        return batch_main(args, argv)
    if args.child:
        spec = json.loads(args.child)
        child(spec["method"], spec["n"], spec["d"], spec["reps"], spec["options"])
        return 0
    from benchmarks.quality.peers import parse_method

    _, amtune_opts = parse_method("amtune-bayes:" + args.amtune_options)
    sizes = [int(s) for s in args.sizes.split(",")]
    methods = [m for m in args.methods.split(",") if m]
    results: list[dict[str, Any]] = []
    for m in methods:
        gave_up = None
        for n in sizes:
            if gave_up:
                results.append({"method": m, "n": n, "d": args.d, "warm": [], "status": gave_up})
                continue
            print(f"{m} n={n:,} ...", file=sys.stderr, flush=True)
            r = measure(
                m,
                n,
                args.d,
                REPS[m],
                args.limit,
                args.max_rss_gib * 1024,
                amtune_opts if m == "amtune-bayes" else {},
            )
            results.append(r)
            print(json.dumps(r), flush=True)
            if r["status"] != "ok":
                gave_up = (
                    r["status"]
                    if "no Bayesian" in r["status"]
                    else f"not run: {r['status']} at n={n:,}"
                )
    cmd = "python -m benchmarks.ask_scaling " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    text = "\n".join(
        [
            "# One proposal versus the number of finished trials (d = 20)",
            "",
            f"Generated {dt.datetime.now(dt.timezone.utc).isoformat(timespec='minutes')} on "
            f"{platform.node()} ({os.cpu_count()} cores, shared), threads capped: "
            + ", ".join(f"{k}={v}" for k, v in THREADS.items())
            + ", torch.set_num_threads(1).",
            "",
            "Reproduce:",
            "",
            "```sh",
            cmd.strip(),
            "```",
            "",
            "History: n uniform random points of Styblinski-Tang in [-5, 5]^20 recorded at once "
            "(amtune `add_many`, Optuna `study.add_trials`). *Cold* = the first `ask()` after "
            "loading the history (a resumed job); *warm* = median (and, for amtune, mean over 25, "
            "which includes its periodic refits) of the following ask() calls, "
            "each "
            "after telling the previous proposal (a running job). Peak RSS = `ru_maxrss` of the "
            "process that measured that size alone (it includes the interpreter and library "
            "imports; "
            "torch is imported only for GPSampler). Ratios = peer warm time / amtune warm time, "
            f"measured in this run. A proposal that took more than {args.limit:g} s, or a process "
            f"above {args.max_rss_gib:g} GiB (a cap that protects the shared machine), stops that "
            "method at larger sizes.",
            "",
            *table(results, methods, sizes),
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

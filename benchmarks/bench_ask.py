"""Time of one ``ask()`` given n finished trials, amtune Bayesian against Optuna TPE and GPSampler.

Run on demand (it is outside ``testpaths``; benchmarks are disabled by default in pyproject).
``python -m benchmarks.bench_ask [pytest args]`` runs it and writes ``results/bench_ask.md``; or

    pytest benchmarks/bench_ask.py --benchmark-enable --benchmark-group-by=param:n,param:d \\
        --benchmark-columns=median,iqr,min,rounds --benchmark-sort=name

    # only amtune, or a quick subset
    pytest benchmarks/bench_ask.py --benchmark-enable -k "amtune and 1000"

The history is n random points of Styblinski-Tang in d dimensions (see ``_speed.py``). Two phases:

* ``warm``: one untimed ask/tell first, then every round tells the previous proposal and times the
  next ``ask()`` -- the steady state of a running job;
* ``cold``: every round builds a fresh optimizer from the n trials (untimed) and times its first
  ``ask()`` -- a resumed job.

A peer is skipped at a size where its first proposal took longer than ``AMTUNE_BENCH_MAX_S``
(default 60 s). Threads are capped at 1 (``benchmarks/_threads.py``, torch too).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from benchmarks._speed import amtune_has_bayesian, make_session

MAX_SECONDS = float(os.environ.get("AMTUNE_BENCH_MAX_S", "60"))
ROUNDS = {"amtune-bayes": 10, "optuna-tpe": 10, "optuna-gp": 3}
_first_ask: dict[tuple[str, int, int], float] = {}


def _rounds(method: str) -> int:
    return int(os.environ.get("AMTUNE_BENCH_ROUNDS", ROUNDS[method]))


def _check_available(method: str) -> None:
    if method == "amtune-bayes":
        if not amtune_has_bayesian():
            pytest.skip("amtune has no Bayesian strategy yet")
    else:
        pytest.importorskip("optuna")
        if method == "optuna-gp":
            pytest.importorskip("torch")


def _guard(method: str, n: int, d: int) -> None:
    for (m, n2, d2), t in _first_ask.items():
        if m == method and n2 <= n and d2 <= d and t > MAX_SECONDS:
            pytest.skip(f"{method}: a proposal took {t:.0f} s at n={n2}, d={d2}")


@pytest.mark.parametrize("phase", ["warm", "cold"])
@pytest.mark.parametrize("method", ["amtune-bayes", "optuna-tpe", "optuna-gp"])
@pytest.mark.parametrize("d", [10, 20])
@pytest.mark.parametrize("n", [50, 200, 500, 1000])
def test_ask(benchmark: Any, n: int, d: int, method: str, phase: str) -> None:
    _check_available(method)
    _guard(method, n, d)
    benchmark.group = f"ask n={n} d={d}"
    benchmark.extra_info.update(n=n, d=d, method=method, phase=phase)
    if phase == "warm":
        session = make_session(method, n, d)
        t0 = time.perf_counter()
        session.ask()
        _first_ask[(method, n, d)] = time.perf_counter() - t0
        _guard(method, n, d)

        def setup() -> None:
            if session._last is not None:
                session.tell()

        benchmark.pedantic(session.ask, setup=setup, rounds=_rounds(method), iterations=1)
    else:

        def fresh() -> tuple[tuple[Any, ...], dict[str, Any]]:
            return (make_session(method, n, d),), {}

        benchmark.pedantic(lambda s: s.ask(), setup=fresh, rounds=_rounds(method), iterations=1)


# --------------------------------------------------------------------------- markdown table
def markdown(bench_json: dict[str, Any], command: str) -> str:
    """Median seconds per (n, d, method, phase) and peer/amtune ratios from pytest-benchmark."""
    import datetime as dt
    import platform

    from benchmarks._speed import LABELS

    rows: dict[tuple[int, int], dict[tuple[str, str], float]] = {}
    for b in bench_json["benchmarks"]:
        info = b["extra_info"]
        rows.setdefault((info["n"], info["d"]), {})[(info["method"], info["phase"])] = b["stats"][
            "median"
        ]

    def fmt(s: float | None) -> str:
        if s is None:
            return ""
        return f"{s * 1000:.3g} ms" if s < 1 else f"{s:.3g} s"

    methods = ["amtune-bayes", "optuna-tpe", "optuna-gp"]
    peers = methods[1:]
    out = [
        "# One ask() given n finished trials (pytest-benchmark)",
        "",
        f"Generated {dt.datetime.now(dt.timezone.utc).isoformat(timespec='minutes')} on "
        f"{platform.node()} ({os.cpu_count()} shared cores); every library single-threaded "
        "(OMP/MKL/OpenBLAS/AMTUNE_NUM_THREADS=1, torch.set_num_threads(1)).",
        "",
        "Reproduce:",
        "",
        "```sh",
        command,
        "```",
        "",
        "Median time of one proposal; history = n random Styblinski-Tang points. *warm*: the next "
        "ask() of a running job (after telling the previous proposal); *cold*: the first ask() of "
        "an optimizer that just loaded the n trials. Ratios = peer / amtune, same phase, measured "
        "in this run.",
        "",
    ]
    for phase in ("warm", "cold"):
        head = ["n", "d"] + [LABELS[m] for m in methods] + [f"{LABELS[m]} / amtune" for m in peers]
        out += [f"## {phase}", "", "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
        for (n, d), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            ours = r.get(("amtune-bayes", phase))
            cells = [f"{n:,}", str(d)] + [fmt(r.get((m, phase))) for m in methods]
            for m in peers:
                t = r.get((m, phase))
                cells.append(f"{t / ours:.3g}x" if t and ours else "")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run this file under pytest-benchmark and write ``benchmarks/results/bench_ask.md``."""
    import json
    import shlex
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    extra = list(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory() as tmp:
        js = Path(tmp) / "bench.json"
        args = [
            str(Path(__file__)),
            "--benchmark-enable",
            "-p",
            "no:cacheprovider",
            "--benchmark-group-by=group",
            "--benchmark-columns=median,iqr,min,rounds",
            "--benchmark-sort=name",
            f"--benchmark-json={js}",
            *extra,
        ]
        rc = pytest.main(args)
        if not js.exists():
            return int(rc)
        command = "python -m benchmarks.bench_ask " + " ".join(shlex.quote(a) for a in extra)
        text = markdown(json.loads(js.read_text()), command.strip())
    out = root / "benchmarks" / "results" / "bench_ask.md"
    out.write_text(text)
    print(text)
    return int(rc)


if __name__ == "__main__":
    raise SystemExit(main())

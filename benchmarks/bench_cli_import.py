"""Import time of the command line and of the config loader (pydantic), best and median of N
fresh interpreters (``python -X importtime``). The CLI must stay under 0.3 s; the config models
are imported by ``amtune run`` only.

    python benchmarks/bench_cli_import.py [N]
"""

from __future__ import annotations

import os
import subprocess
import sys


def cumulative(module: str) -> float:
    """Seconds ``import module`` takes in a fresh interpreter (its cumulative import time)."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    line = [x for x in r.stderr.splitlines() if x.rstrip().endswith("| " + module)][-1]
    return int(line.split("|")[1]) / 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    for module in ("amtune.cli", "amtune.config.loader", "pydantic"):
        times = sorted(cumulative(module) for _ in range(n))
        print(f"{module:22s} best {times[0]:.3f} s  median {times[n // 2]:.3f} s  (n={n})")


if __name__ == "__main__":
    main()

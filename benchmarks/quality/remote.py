"""Serve one HEBO or SMAC3 adapter over stdin/stdout (one JSON object per line), so that these
peers run in their own virtual environment (``peers_extra.py``) while the harness evaluates the
objective. Requests: ``{"cmd": "ask", "q": 4}`` -> ``{"configs": [...]}``;
``{"cmd": "tell", "configs": [...], "values": [...]}``; ``{"cmd": "load", ...}``.
The first line describes the adapter: method, seed, budget and the problem's parameters.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from benchmarks._threads import limit_threads

limit_threads()


def main() -> int:
    from benchmarks.quality.peers_extra import EXTRA_ADAPTERS, SmacAdapter
    from benchmarks.quality.problems import Param, Problem

    out = sys.stdout
    sys.stdout = sys.stderr  # libraries that print must not corrupt the protocol
    init = json.loads(sys.stdin.readline())
    params = tuple(
        Param(p["name"], p["kind"], p["low"], p["high"], tuple(p["choices"]), p["log"])
        for p in init["params"]
    )
    problem = Problem(
        init["problem"], params, fn=lambda x: 0.0, optimum=0.0, noise_sd=init["noise_sd"]
    )
    cls = EXTRA_ADAPTERS[init["method"]]
    adapter: Any = (
        SmacAdapter(problem, init["seed"], init["budget"])
        if cls is SmacAdapter
        else cls(problem, init["seed"])
    )
    out.write(json.dumps({"version": adapter.version, "can_load": adapter.can_load}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "ask":
            reply: dict[str, Any] = {"configs": adapter.ask_batch(int(req["q"]))}
        elif req["cmd"] == "tell":
            adapter.tell_batch(req["configs"], req["values"])
            reply = {}
        elif req["cmd"] == "load":
            adapter.load(req["configs"], req["values"])
            reply = {}
        else:
            reply = {"error": f"unknown command {req['cmd']!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

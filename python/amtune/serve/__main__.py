"""``python -m amtune.serve --db PATH [--host H] [--port P]``: run the endpoint service."""

from __future__ import annotations

import argparse
import os
import sys

from amtune.serve.service import EndpointService


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m amtune.serve")
    p.add_argument("--db", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--detach", action="store_true", help="run in the background (double fork)")
    a = p.parse_args(argv)
    if a.detach:  # the launcher waits for this process only; the service is nobody's child
        if os.fork() > 0:
            return 0
        os.setsid()
    svc = EndpointService(a.db, a.host, a.port, seed=a.seed)
    print(f"amtune endpoint service for {svc.state.path}", flush=True)
    svc.serve_forever()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

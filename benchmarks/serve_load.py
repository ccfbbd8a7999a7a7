"""Load on a local endpoint (issue 16): traffic split, errors, overhead latency, throughput versus
calling a model server directly, a weight update under load and a model server killed under load.

    python -m benchmarks.serve_load                  # writes benchmarks/results/serve_load.{json,md}
    python -m benchmarks.serve_load --requests 2000  # a quick run

Everything runs on 127.0.0.1 and stops by itself: the endpoint service is a separate process
(``python -m amtune.serve``), the load generator an asyncio client with keep-alive connections
(one per concurrent caller). Each phase has its own endpoint, so its metrics (read back with the
GetMetricStatistics-shaped call; ``OverheadLatency`` percentiles come from the service's
log-binned histograms, +-5 %) belong to it alone.

Phases: (1) ``--requests`` (20,000) at concurrency 32 over variants A/B weighted 70/30 plus a
shadow S; (2) the same against A's model server directly; (3) open loop at ``--rate`` (500)
requests/s for ``--rate-seconds`` (10 s), through the router and directly; (4) weights 70/30 -> 30/70 after 2,000 of 12,000
requests; (5) B's model server SIGKILLed after 2,000 of 8,000 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from amtune.serve.cwmetrics import get_metric_statistics
from amtune.serve.state import ServeState

ROOT = Path(__file__).resolve().parents[1]
INFERENCE = textwrap.dedent(
    """
    import numpy as np

    def model_fn(model_dir):
        return np.array([0.5, -1.0, 2.0, 0.25])

    def predict_fn(data, model):
        return np.atleast_2d(data) @ model
    """
)
BODY = b"1.0,2.0,3.0,4.0"


# ====================================================================== load generator
class Result:
    def __init__(self) -> None:
        self.latency: list[float] = []
        self.status: Counter[int] = Counter()
        self.variant: list[str] = []  # per successful request, in completion order
        self.errors_by_variant: Counter[str] = Counter()
        self.t0 = 0.0
        self.t1 = 0.0

    @property
    def n(self) -> int:
        return sum(self.status.values())


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, req: bytes
) -> tuple[int, str, bytes]:
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, variant = 0, ""
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v)
        elif k == "x-amzn-invoked-production-variant":
            variant = v.strip()
    body = await reader.readexactly(length)
    return status, variant, body


async def load(
    port: int,
    path: str,
    n: int,
    concurrency: int,
    rate: float | None = None,
    on_progress: Callable[[int], Any] | None = None,
) -> Result:
    """``n`` requests over ``concurrency`` keep-alive connections (closed loop, or paced at
    ``rate`` requests/s when given)."""
    req = (
        f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/csv\r\n"
        f"accept: text/csv\r\ncontent-length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    res = Result()
    issued = 0
    done = 0

    async def worker() -> None:
        nonlocal issued, done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < n:
                k = issued
                issued += 1
                if rate is not None:
                    delay = res.t0 + k / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                t = time.perf_counter()
                try:
                    status, variant, _ = await _request(reader, writer, req)
                except (ConnectionError, asyncio.IncompleteReadError):
                    status, variant = 599, ""
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                res.latency.append(time.perf_counter() - t)
                res.status[status] += 1
                if status == 200:
                    res.variant.append(variant)
                done += 1
                if on_progress is not None:
                    await on_progress(done)
        finally:
            writer.close()

    res.t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    res.t1 = time.perf_counter()
    return res


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q / 100 * len(s)))] if s else float("nan")


# ====================================================================== setup
class Bench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db = workdir / "amtune.db"
        code = workdir / "code"
        code.mkdir()
        (code / "inference.py").write_text(INFERENCE)
        (workdir / "model").mkdir()
        self.log = open(workdir / "service.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amtune.serve", "--db", str(self.db), "--seed", "0"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.state = ServeState(self.db)
        deadline = time.monotonic() + 60
        while True:
            row = self.state.service()
            if row is not None and row["pid"] == self.proc.pid:
                self.port = int(row["port"])
                break
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"the service did not start; see {workdir / 'service.log'}")
            time.sleep(0.05)
        kw: dict[str, Any] = {
            "endpoint_url": f"http://127.0.0.1:{self.port}",
            "region_name": "us-east-1",
            "aws_access_key_id": "bench",
            "aws_secret_access_key": "bench",
            "config": Config(retries={"max_attempts": 1}),
        }
        self.sm = boto3.client("sagemaker", **kw)
        for m in ("model-a", "model-b", "model-s"):
            self.sm.create_model(
                ModelName=m,
                PrimaryContainer={
                    "Image": "bench",
                    "ModelDataUrl": str(workdir / "model"),
                    "Environment": {
                        "SAGEMAKER_PROGRAM": "inference.py",
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                    },
                },
                ExecutionRoleArn="arn:aws:iam::123456789012:role/bench",
            )

    def endpoint(self, name: str, weights: tuple[float, float], shadow: bool) -> None:
        pv = [
            {
                "VariantName": v,
                "ModelName": f"model-{v.lower()}",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": w,
            }
            for v, w in zip(("A", "B"), weights, strict=True)
        ]
        cfg: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": pv}
        if shadow:
            cfg["ShadowProductionVariants"] = [
                {
                    "VariantName": "S",
                    "ModelName": "model-s",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ]
        self.sm.create_endpoint_config(**cfg)
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        self.sm.get_waiter("endpoint_in_service").wait(
            EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )

    def server(self, endpoint: str, variant: str) -> tuple[int, int]:
        """(pid, port) of the newest model server of ``variant``."""
        rows = [
            e
            for e in self.state.events(endpoint)
            if e["variant"] == variant and e["event"] == "started"
        ]
        _, pid, _, port = rows[-1]["detail"].split()
        return int(pid), int(port)

    def overhead(self, endpoint: str, variant: str) -> dict[str, float]:
        time.sleep(2.5)  # the service flushes its metrics every 2 s
        out: dict[str, float] = {}
        for metric in ("OverheadLatency", "ModelLatency"):
            doc = get_metric_statistics(
                self.state,
                MetricName=metric,
                Dimensions=[
                    {"Name": "EndpointName", "Value": endpoint},
                    {"Name": "VariantName", "Value": variant},
                ],
                StartTime=0,
                EndTime=time.time() + 120,
                Period=3600 * 24 * 365 // 60 * 60,
                Statistics=["SampleCount"],
                ExtendedStatistics=["p50", "p99"],
            )
            (p,) = doc["Datapoints"]
            out[f"{metric}_p50_us"] = p["ExtendedStatistics"]["p50"]
            out[f"{metric}_p99_us"] = p["ExtendedStatistics"]["p99"]
            out[f"{metric}_n"] = p["SampleCount"]
        return out

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()
        self.state.close()


def summary(res: Result) -> dict[str, Any]:
    c = Counter(res.variant)
    ok = len(res.variant)
    return {
        "requests": res.n,
        "errors": res.n - res.status[200],
        "status": dict(res.status),
        "throughput_rps": res.n / (res.t1 - res.t0),
        "client_p50_ms": pct(res.latency, 50) * 1e3,
        "client_p99_ms": pct(res.latency, 99) * 1e3,
        "share_A": c["A"] / ok if ok else None,
        "share_B": c["B"] / ok if ok else None,
    }


# ====================================================================== phases
def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "requests": args.requests,
        "concurrency": args.concurrency,
    }
    with tempfile.TemporaryDirectory(prefix="amtune-bench-serve-") as tmp:
        b = Bench(Path(tmp))
        try:
            # (1) split, errors, overhead, throughput through the router
            b.endpoint("split", (0.7, 0.3), shadow=True)
            res = asyncio.run(
                load(b.port, "/endpoints/split/invocations", args.requests, args.concurrency)
            )
            s = summary(res)
            s.update({f"A_{k}": v for k, v in b.overhead("split", "A").items()})
            s.update({f"B_{k}": v for k, v in b.overhead("split", "B").items()})
            s.update({f"S_{k}": v for k, v in b.overhead("split", "S").items()})
            out["router"] = s
            print("router", json.dumps(s, indent=1), flush=True)

            # (2) the same load on A's model server directly
            _, port = b.server("split", "A")
            res = asyncio.run(load(port, "/invocations", args.requests, args.concurrency))
            out["direct"] = summary(res)
            out["throughput_ratio_router_vs_direct"] = (
                out["router"]["throughput_rps"] / out["direct"]["throughput_rps"]
            )
            print("direct", json.dumps(out["direct"], indent=1), flush=True)

            # (3) open loop at a fixed rate
            b.endpoint("rate", (0.7, 0.3), shadow=False)
            n = int(args.rate * args.rate_seconds)
            res = asyncio.run(
                load(b.port, "/endpoints/rate/invocations", n, args.concurrency, rate=args.rate)
            )
            s = summary(res)
            s.update({f"A_{k}": v for k, v in b.overhead("rate", "A").items()})
            s.update({f"B_{k}": v for k, v in b.overhead("rate", "B").items()})
            out["rate"] = {"target_rps": args.rate, **s}
            print("rate", json.dumps(out["rate"], indent=1), flush=True)
            _, port = b.server("rate", "A")
            res = asyncio.run(load(port, "/invocations", n, args.concurrency, rate=args.rate))
            out["rate_direct"] = {"target_rps": args.rate, **summary(res)}
            print("rate_direct", json.dumps(out["rate_direct"], indent=1), flush=True)

            # (4) weight update under load
            b.endpoint("reweight", (0.7, 0.3), shadow=False)
            total = max(int(args.requests * 0.6), 4000)  # the update comes after 2,000
            marks: dict[str, int] = {}

            async def reweight(done: int) -> None:
                if done == 2000 and "update" not in marks:
                    marks["update"] = -1
                    await asyncio.to_thread(
                        b.sm.update_endpoint_weights_and_capacities,
                        EndpointName="reweight",
                        DesiredWeightsAndCapacities=[
                            {"VariantName": "A", "DesiredWeight": 0.3},
                            {"VariantName": "B", "DesiredWeight": 0.7},
                        ],
                    )
                    marks["update"] = done_counter[0]

            done_counter = [0]

            async def progress(done: int) -> None:
                done_counter[0] = done
                await reweight(done)

            res = asyncio.run(
                load(
                    b.port,
                    "/endpoints/reweight/invocations",
                    total,
                    args.concurrency,
                    on_progress=progress,
                )
            )
            after = res.variant[marks["update"] + 1000 :]
            c = Counter(after)
            out["reweight"] = {
                "requests": res.n,
                "errors": res.n - res.status[200],
                "updated_after_request": marks["update"],
                "measured_requests": len(after),
                "share_B_after": c["B"] / len(after) if after else None,
                "target_B": 0.7,
            }
            print("reweight", json.dumps(out["reweight"], indent=1), flush=True)

            # (5) a model server killed under load
            b.endpoint("kill", (0.5, 0.5), shadow=False)
            pid, _ = b.server("kill", "B")
            killed: dict[str, float] = {}

            async def kill(done: int) -> None:
                if done == 2000 and not killed:
                    os.kill(pid, signal.SIGKILL)
                    killed["at"] = time.monotonic()

            res = asyncio.run(
                load(
                    b.port,
                    "/endpoints/kill/invocations",
                    max(int(args.requests * 0.4), 3000),
                    args.concurrency,
                    on_progress=kill,
                )
            )
            time.sleep(2.5)
            events = [(e["variant"], e["event"]) for e in b.state.events("kill")]
            errs = {}
            for v in ("A", "B"):
                doc = get_metric_statistics(
                    b.state,
                    MetricName="Invocation5XXErrors",
                    Dimensions=[
                        {"Name": "EndpointName", "Value": "kill"},
                        {"Name": "VariantName", "Value": v},
                    ],
                    StartTime=0,
                    EndTime=time.time() + 120,
                    Period=3600 * 24 * 365 // 60 * 60,
                    Statistics=["Sum", "SampleCount"],
                )
                (p,) = doc["Datapoints"]
                errs[v] = {"requests": p["SampleCount"], "5xx": p["Sum"]}
            out["kill"] = {
                "requests": res.n,
                "status": dict(res.status),
                "served_by_variant": dict(Counter(res.variant)),
                "metrics_5xx": errs,
                "restarted": ("B", "restarted") in events,
                "crashed_events": events.count(("B", "crashed")),
            }
            print("kill", json.dumps(out["kill"], indent=1), flush=True)
        finally:
            b.close()
    return out


def markdown(r: dict[str, Any]) -> str:
    ro, di, ra, rw, k = r["router"], r["direct"], r["rate"], r["reweight"], r["kill"]
    rd = r["rate_direct"]
    return textwrap.dedent(
        f"""\
        # Endpoint load (benchmarks/serve_load.py)

        {r["date"]}, {r["machine"]}; loopback; `python -m benchmarks.serve_load`

        | phase | requests | errors | throughput (req/s) | client p50 / p99 (ms) | OverheadLatency p50 / p99 (us) |
        |---|---|---|---|---|---|
        | router, A/B 70/30 + shadow S, concurrency {r["concurrency"]} | {ro["requests"]} | {ro["errors"]} | {ro["throughput_rps"]:.0f} | {ro["client_p50_ms"]:.2f} / {ro["client_p99_ms"]:.2f} | A {ro["A_OverheadLatency_p50_us"]:.0f} / {ro["A_OverheadLatency_p99_us"]:.0f} |
        | model server directly, concurrency {r["concurrency"]} | {di["requests"]} | {di["errors"]} | {di["throughput_rps"]:.0f} | {di["client_p50_ms"]:.2f} / {di["client_p99_ms"]:.2f} | - |
        | router, open loop at {ra["target_rps"]:.0f} req/s | {ra["requests"]} | {ra["errors"]} | {ra["throughput_rps"]:.0f} | {ra["client_p50_ms"]:.2f} / {ra["client_p99_ms"]:.2f} | A {ra["A_OverheadLatency_p50_us"]:.0f} / {ra["A_OverheadLatency_p99_us"]:.0f} |
        | model server directly, open loop at {rd["target_rps"]:.0f} req/s | {rd["requests"]} | {rd["errors"]} | {rd["throughput_rps"]:.0f} | {rd["client_p50_ms"]:.2f} / {rd["client_p99_ms"]:.2f} | - |

        - Traffic split (weights 70/30): A {ro["share_A"]:.2%}, B {ro["share_B"]:.2%} of {ro["requests"]} requests; the shadow S answered {ro["S_ModelLatency_n"]:.0f} copies.
        - Router throughput / direct throughput: {r["throughput_ratio_router_vs_direct"]:.2f}.
        - Weight update 70/30 -> 30/70 after request {rw["updated_after_request"]} of {rw["requests"]}: {rw["errors"]} errors; B's share over the {rw["measured_requests"]} requests from 1,000 after the update: {rw["share_B_after"]:.2%} (target 70 %).
        - B's model server SIGKILLed after 2,000 of {k["requests"]} requests: statuses {k["status"]}; 5XX by variant (metrics) {k["metrics_5xx"]}; restarted: {k["restarted"]}; served by variant {k["served_by_variant"]}.
        """
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.serve_load")
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=500.0)
    p.add_argument("--rate-seconds", type=float, default=10.0)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "serve_load"))
    a = p.parse_args(argv)
    r = run(a)
    Path(a.out + ".json").write_text(json.dumps(r, indent=2))
    Path(a.out + ".md").write_text(markdown(r))
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``amtune deploy`` and ``amtune endpoint ...``: the command line of the endpoints.

``register(subparsers)`` adds them to the ``amtune`` command (one line in :mod:`amtune.cli`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from amtune.store import DEFAULT_DB, NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from amtune.serve.state import ServeState


def _variant(spec: str) -> tuple[str, tuple[str, float]]:
    """``NAME=TRAINING_JOB:WEIGHT`` (weight defaults to 1)."""
    if "=" not in spec:
        raise argparse.ArgumentTypeError(
            f"--variant: expected NAME=TRAINING_JOB:WEIGHT, got {spec!r}"
        )
    name, rest = spec.split("=", 1)
    job, _, w = rest.rpartition(":") if ":" in rest else (rest, "", "1")
    try:
        weight = float(w)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--variant {spec!r}: the weight {w!r} is not a number"
        ) from None
    if not name or not job:
        raise argparse.ArgumentTypeError(
            f"--variant: expected NAME=TRAINING_JOB:WEIGHT, got {spec!r}"
        )
    return name, (job, weight)


def _shadow(spec: str) -> tuple[str, str]:
    name, _, job = spec.partition("=")
    if not name or not job:
        raise argparse.ArgumentTypeError(f"--shadow: expected NAME=TRAINING_JOB, got {spec!r}")
    return name, job


def _existing_store(db: str | None) -> None:
    """A missing store is an error naming it (the commands that read one create none)."""
    from amtune.store import NotFoundError, resolve_db_path

    path = resolve_db_path(db)
    if not path.exists():
        raise NotFoundError(f"no store at {path} (give --db PATH)")


def _client(a: argparse.Namespace, start: bool = False) -> Any:
    from amtune.serve.deployment import ServiceClient, service_url

    if a.url is not None:
        return ServiceClient(_checked_url(a.url))
    if not start:
        _existing_store(a.db)
    return ServiceClient(service_url(a.db, start=start))


def _checked_url(url: str) -> str:
    """``--url``: an http:// or https:// URL with a host (an error naming ``--url`` otherwise)."""
    from urllib.parse import urlsplit

    try:
        u = urlsplit(url)
        u.port  # noqa: B018 - raises for a port outside 0-65535
    except ValueError as exc:
        raise ValueError(f"--url: not a URL ({exc}): {url!r}") from None
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"--url: must be an http:// URL of the endpoint service, got {url!r}")
    return url


def port_number(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 (any free port) to 65535, got {port}")
    return port


def unreachable(exc: Exception, a: argparse.Namespace) -> str | None:
    """The message for a connection error of httpx talking to the endpoint service (None when
    ``exc`` is not one)."""
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is in the serve extra
        return None
    if not isinstance(exc, (httpx.TransportError, httpx.InvalidURL)):
        return None
    where = a.url or "the store's endpoint service"
    return f"cannot reach the endpoint service at {where}: {exc}"


def _print(doc: Any) -> None:
    print(json.dumps(doc, indent=2, default=str))


def _time(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def fmt(x: float | None) -> str:
    return "" if x is None else f"{x:10.4g}"


# ====================================================================== commands
def cmd_deploy(a: argparse.Namespace) -> int:
    from amtune.serve.deployment import deploy

    if a.job is None and not a.variant:
        print("amtune: error: give a TUNING_OR_TRAINING_JOB or --variant", file=sys.stderr)
        return 2
    _existing_store(a.db)  # the training jobs to serve are in it; a new empty one has none
    if a.url is not None:
        _checked_url(a.url)
    p = deploy(
        a.job,
        variants=dict(a.variant) if a.variant else None,
        shadows=dict(a.shadow) if a.shadow else None,
        endpoint_name=a.endpoint_name,
        initial_instance_count=a.instance_count,
        db=a.db,
        url=a.url,
    )
    d = p.describe()
    print(f"Endpoint {p.endpoint_name}: {d['EndpointStatus']} at {p.url}")
    for v in d["ProductionVariants"]:
        print(
            f"  {v['VariantName']}: weight {v['CurrentWeight']:g}, "
            f"{v['CurrentInstanceCount']} instance(s)"
        )
    for v in d.get("ShadowProductionVariants", []):
        print(f"  {v['VariantName']} (shadow)")
    print(
        f"  boto3.client('sagemaker-runtime', endpoint_url='{p.url}').invoke_endpoint("
        f"EndpointName='{p.endpoint_name}', Body=..., ContentType='text/csv')"
    )
    return 0


def cmd_serve(a: argparse.Namespace) -> int:
    from amtune.serve.service import EndpointService

    svc = EndpointService(a.db, a.host, a.port, seed=a.seed)
    try:
        svc.start()
    except OSError as exc:  # the address is in use, or not this machine's
        svc.manager.close()
        svc.state.close()
        raise ValueError(f"--host/--port: cannot listen on {a.host}:{a.port}: {exc}") from None
    print(
        f"amtune endpoint service at {svc.url} (store {svc.state.path}); Ctrl-C stops it",
        flush=True,
    )
    done = [False]

    def stop(*_: Any) -> None:
        done[0] = True

    signal.signal(signal.SIGTERM, stop)
    try:
        while not done[0]:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    svc.stop()
    return 0


def cmd_list(a: argparse.Namespace) -> int:
    eps = _client(a).call("ListEndpoints", MaxResults=100000)["Endpoints"]
    if a.json:
        _print(eps)
        return 0
    for e in eps:
        print(f"{e['EndpointName']:30} {e['EndpointStatus']:12} created {_time(e['CreationTime'])}")
    return 0


def cmd_describe(a: argparse.Namespace) -> int:
    _print(_client(a).call("DescribeEndpoint", EndpointName=a.name))
    return 0


def cmd_delete(a: argparse.Namespace) -> int:
    c = _client(a)
    d = c.call("DescribeEndpoint", EndpointName=a.name)
    c.call("DeleteEndpoint", EndpointName=a.name)
    if not a.keep_config:
        c.call("DeleteEndpointConfig", EndpointConfigName=d["EndpointConfigName"])
    print(f"Endpoint {a.name}: deleting")
    return 0


def cmd_invoke(a: argparse.Namespace) -> int:
    body = a.body.encode() if a.body is not None else sys.stdin.buffer.read()
    out, headers = _client(a).invoke(a.name, body, a.content_type, a.accept, a.target_variant)
    sys.stdout.buffer.write(out + (b"" if out.endswith(b"\n") else b"\n"))
    print(
        f"[variant {headers.get('x-amzn-invoked-production-variant')}, inference id "
        f"{headers.get('x-amzn-sagemaker-inference-id')}]",
        file=sys.stderr,
    )
    return 0


def cmd_update_weights(a: argparse.Namespace) -> int:
    desired = []
    for w in a.weights:
        name, _, val = w.partition("=")
        try:
            desired.append({"VariantName": name, "DesiredWeight": float(val)})
        except ValueError:
            print(f"amtune: error: weights: expected NAME=WEIGHT, got {w!r}", file=sys.stderr)
            return 2
    _client(a).call(
        "UpdateEndpointWeightsAndCapacities",
        EndpointName=a.name,
        DesiredWeightsAndCapacities=desired,
    )
    print(
        f"Endpoint {a.name}: weights "
        + ", ".join(f"{d['VariantName']}={d['DesiredWeight']:g}" for d in desired)
    )
    return 0


def cmd_metrics(a: argparse.Namespace) -> int:
    from amtune.serve.cwmetrics import UNITS

    c = _client(a)
    d = c.call("DescribeEndpoint", EndpointName=a.name)
    variants = [
        v["VariantName"] for v in (*d["ProductionVariants"], *d.get("ShadowProductionVariants", []))
    ]
    now = time.time()
    out: dict[str, Any] = {}
    for v in variants:
        for m in [a.metric] if a.metric else list(UNITS):
            doc = c.amtune(
                "metrics",
                MetricName=m,
                Dimensions=[
                    {"Name": "EndpointName", "Value": a.name},
                    {"Name": "VariantName", "Value": v},
                ],
                StartTime=now - 60 * a.minutes,
                EndTime=now + 60,
                Period=60,
                Statistics=["SampleCount", "Sum", "Average", "Maximum"],
                ExtendedStatistics=["p50", "p99"],
            )
            out.setdefault(v, {})[m] = doc["Datapoints"]
    if a.json:
        _print(out)
        return 0
    print(
        f"{'variant':12} {'minute (UTC)':17} {'metric':24} {'sum':>10} {'avg':>10} "
        f"{'p50':>10} {'p99':>10}"
    )
    for v, ms in out.items():
        for m, points in ms.items():
            for p in points:
                ext = p.get("ExtendedStatistics") or {}
                print(
                    f"{v:12} {_time(p['Timestamp'])[:16]:17} {m:24} {fmt(p['Sum'])} "
                    f"{fmt(p['Average'])} "
                    f"{fmt(ext.get('p50'))} {fmt(ext.get('p99'))}"
                )
    return 0


def cmd_feedback(a: argparse.Namespace) -> int:
    try:
        value: Any = float(a.value)
    except ValueError:
        value = a.value
    _client(a).amtune(
        "feedback", EndpointName=a.name, InferenceId=a.inference_id, GroundTruth=value
    )
    return 0


def cmd_online(a: argparse.Namespace) -> int:
    doc = _client(a).amtune("online", EndpointName=a.name, Metric=a.metric, Confidence=a.confidence)
    if a.json:
        _print(doc)
        return 0
    print(f"Endpoint {a.name}: online {doc['metric']} ({doc['confidence']:.0%} intervals)")
    for v in doc["variants"]:
        val = (
            "n/a"
            if v["value"] is None
            else f"{v['value']:.4g} [{v['ci_low']:.4g}, {v['ci_high']:.4g}]"
        )
        print(
            f"  {v['variant']}{' (shadow)' if v['shadow'] else ''}: n={v['n']}  {val}  "
            f"P(best)={doc['p_best'].get(v['variant'], 0):.3f}"
        )
    for c in doc["comparisons"]:
        print(f"  {c['statement']}")
    return 0


def cmd_shift(a: argparse.Namespace) -> int:
    _client(a).amtune(
        "shift-traffic",
        EndpointName=a.name,
        metric=a.metric,
        floor=a.floor,
        interval=a.interval,
        min_feedback=a.min_feedback,
    )
    print(
        f"Endpoint {a.name}: Thompson-sampling traffic shifting on {a.metric} (floor {a.floor:g})"
    )
    return 0


def _recorded(
    a: argparse.Namespace, read: Callable[[ServeState, str], list[dict[str, Any]]], what: str
) -> list[dict[str, Any]]:
    """The rows ``read(state, a.name)`` of the store; a NotFoundError when there are none."""
    from amtune.serve.state import ServeState

    st = ServeState(a.db)
    try:
        rows = read(st, a.name)
    finally:
        st.close()
    if not rows:
        raise NotFoundError(f"no {what} recorded for endpoint {a.name!r}")
    return rows


def cmd_history(a: argparse.Namespace) -> int:
    from amtune.serve.state import ServeState

    rows = _recorded(a, ServeState.weight_history, "weight changes")
    for r in rows:
        print(f"{_time(r['time'])}  {r['variant']:12} {r['weight']:8.4f}  {r['reason']}")
    return 0


def cmd_events(a: argparse.Namespace) -> int:
    from amtune.serve.state import ServeState

    rows = _recorded(a, ServeState.events, "model-server events")
    crashes: dict[str, int] = {}
    for r in rows:
        print(f"{_time(r['time'])}  {r['variant']}/{r['instance']}  {r['event']:15} {r['detail']}")
        if r["event"] == "crashed":
            crashes[r["variant"]] = crashes.get(r["variant"], 0) + 1
    print("crashes: " + (", ".join(f"{v} {n}" for v, n in crashes.items()) or "none"))
    return 0


def cmd_shutdown(a: argparse.Namespace) -> int:
    from amtune.serve.state import ServeState

    st = ServeState(a.db)
    row = st.service()
    st.close()
    if row is None:
        raise NotFoundError("no endpoint service runs for this store")
    try:
        os.kill(int(row["pid"]), signal.SIGTERM)
    except ProcessLookupError:
        pass
    print(f"Endpoint service (pid {row['pid']}) stopping")
    return 0


# ====================================================================== parser
def register(subparsers: Any) -> None:
    """Add ``deploy`` and ``endpoint`` to the ``amtune`` command."""

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--db", default=None, metavar="PATH", help=f"the store (default ./{DEFAULT_DB})"
        )
        p.add_argument("--url", default=None, help="the endpoint service (default: the store's)")
        return p

    d = common(
        subparsers.add_parser(
            "deploy",
            help="serve training jobs at a local endpoint",
            description="serve a tuning job's best training job, a training job, or several "
            "as production variants",
        )
    )
    d.add_argument(
        "job",
        nargs="?",
        metavar="TUNING_OR_TRAINING_JOB",
        help="what to serve; with --variant, the tuning job whose training jobs the variants may "
        "name by number or 'best'",
    )
    d.add_argument(
        "--variant",
        action="append",
        type=_variant,
        metavar="NAME=TRAINING_JOB:WEIGHT",
        help="a production variant and its traffic weight (repeatable)",
    )
    d.add_argument(
        "--shadow",
        action="append",
        type=_shadow,
        metavar="NAME=TRAINING_JOB",
        help="a shadow variant that gets a copy of the traffic (repeatable)",
    )
    d.add_argument("--endpoint-name", default=None, help="endpoint name (default: the job's)")
    d.add_argument(
        "--instance-count", type=int, default=1, help="model servers per variant (default 1)"
    )
    d.set_defaults(func=cmd_deploy)

    e = subparsers.add_parser(
        "endpoint", help="manage local endpoints", description="manage local endpoints"
    )
    sub = e.add_subparsers(
        dest="endpoint_command", required=True, metavar="ACTION", help="what to do"
    )

    def add(name: str, help: str, func: Any) -> argparse.ArgumentParser:
        p = common(sub.add_parser(name, help=help, description=help))
        p.set_defaults(func=func)
        return p

    s = add("serve", "run the endpoint service in the foreground", cmd_serve)
    s.add_argument("--host", default="127.0.0.1", help="listen address (default: loopback only)")
    s.add_argument(
        "--port", type=port_number, default=0, help="0 (default): any free port; up to 65535"
    )
    s.add_argument("--seed", type=int, default=None)
    add("list", "list endpoints", cmd_list).add_argument("--json", action="store_true")
    add("describe", "describe an endpoint (DescribeEndpoint)", cmd_describe).add_argument("name")
    dl = add("delete", "delete an endpoint (and its config)", cmd_delete)
    dl.add_argument("name")
    dl.add_argument("--keep-config", action="store_true")
    iv = add("invoke", "invoke an endpoint (body from --body or stdin)", cmd_invoke)
    iv.add_argument("name")
    iv.add_argument("--body", default=None)
    iv.add_argument("--content-type", default="text/csv")
    iv.add_argument("--accept", default=None)
    iv.add_argument("--target-variant", default=None)
    uw = add(
        "update-weights", "change variant weights (no model server restarts)", cmd_update_weights
    )
    uw.add_argument("name")
    uw.add_argument("weights", nargs="+", metavar="VARIANT=WEIGHT")
    mt = add("metrics", "per-variant CloudWatch-named metrics, 1-minute buckets", cmd_metrics)
    mt.add_argument("name")
    mt.add_argument("--metric", default=None)
    mt.add_argument("--minutes", type=int, default=60)
    mt.add_argument("--json", action="store_true")
    fb = add("feedback", "post the ground truth of an inference id", cmd_feedback)
    fb.add_argument("name")
    fb.add_argument("inference_id")
    fb.add_argument("value")
    on = add("online", "online metric per variant and which variant is better", cmd_online)
    on.add_argument("name")
    on.add_argument("--metric", default="accuracy", choices=("accuracy", "reward", "rmse", "auc"))
    on.add_argument("--confidence", type=float, default=0.95)
    on.add_argument("--json", action="store_true")
    sh = add(
        "shift-traffic", "Thompson-sampling traffic shifting toward the better variant", cmd_shift
    )
    sh.add_argument("name")
    sh.add_argument("--metric", default="accuracy", choices=("accuracy", "reward", "rmse", "auc"))
    sh.add_argument("--floor", type=float, default=0.05)
    sh.add_argument("--interval", type=float, default=30.0)
    sh.add_argument("--min-feedback", type=int, default=30)
    add("history", "every weight change of an endpoint", cmd_history).add_argument("name")
    add("events", "model-server starts, crashes and restarts", cmd_events).add_argument("name")
    add("shutdown", "stop the store's endpoint service", cmd_shutdown)

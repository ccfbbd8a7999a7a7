"""The endpoint service: one HTTP server on loopback for both of SageMaker's planes.

- Control plane (``boto3.client("sagemaker", endpoint_url=service.url)``): ``POST /`` with
  ``X-Amz-Target: SageMaker.<Action>`` and a JSON 1.1 body (:mod:`amtune.serve.controlplane`).
- Runtime (``boto3.client("sagemaker-runtime", endpoint_url=service.url)``):
  ``POST /endpoints/<name>/invocations`` (:mod:`amtune.serve.router`); InvokeEndpointAsync and
  InvokeEndpointWithResponseStream answer an ``UnknownOperationException`` that names them.
- CloudWatch (``boto3.client("cloudwatch", endpoint_url=service.url)``): GetMetricStatistics,
  GetMetricData and ListMetrics over the endpoint metrics (``AWS/SageMaker``) and the metrics the
  training jobs in the store emitted (``/aws/sagemaker/TrainingJobs``), in the JSON protocol
  (``X-Amz-Target: GraniteServiceVersion20100801.<Action>``) and the query protocol (a form body)
  of older botocore (:func:`amtune.serve.cloudwatch_api.cloudwatch_call`).
- amtune's own routes (JSON): ``POST /amtune/feedback`` (ground truth for an inference id),
  ``POST /amtune/metrics`` (GetMetricStatistics), ``POST /amtune/online`` (online test of an
  endpoint's variants), ``GET /ping``; ``POST /moto-api/reset`` only with ``allow_reset=True``
  (tests).

Requests are not authenticated (any credentials work); the service listens on 127.0.0.1 unless a
host is given. State lives in the store's SQLite file (:mod:`amtune.serve.state`); when the
service starts again on the same store, it starts the model servers of the endpoints it had.

>>> import tempfile, os, boto3
>>> svc = EndpointService(os.path.join(tempfile.mkdtemp(), "amtune.db")).start()
>>> sm = boto3.client("sagemaker", endpoint_url=svc.url, region_name="us-east-1",
...                   aws_access_key_id="x", aws_secret_access_key="x")
>>> sm.list_endpoints()["Endpoints"]
[]
>>> svc.stop()
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from amtune.serve.cloudwatch_api import (
    CLOUDWATCH_TARGET,
    CloudWatchError,
    cloudwatch_call,
    query_error,
    query_request,
    query_response,
)
from amtune.serve.controlplane import ApiError, ControlPlane
from amtune.serve.cwmetrics import FLUSH_SECONDS, MetricsRecorder, get_metric_statistics
from amtune.serve.endpoints import EndpointManager
from amtune.serve.modelserver import Receive, Scope, Send, read_body, respond
from amtune.serve.router import INVOCATION_TIMEOUT, Router, RuntimeApiError
from amtune.serve.state import ServeState

_log = logging.getLogger(__name__)
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
_INVOKE = re.compile(r"^/endpoints/([^/]+)/invocations$")
_UNSUPPORTED_INVOKE = re.compile(
    r"^/endpoints/([^/]+)/(async-invocations|invocations-response-stream)$"
)
_UNSUPPORTED_INVOKE_OPS = {
    "async-invocations": "InvokeEndpointAsync",
    "invocations-response-stream": "InvokeEndpointWithResponseStream",
}
_FORM = "application/x-www-form-urlencoded"
JSON11 = "application/x-amz-json-1.1"
JSON10 = "application/x-amz-json-1.0"
#: CloudWatch's error codes (query protocol) -> the error shapes of its JSON protocol
_CLOUDWATCH_ERRORS = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "MissingParameter": "MissingRequiredParameterException",
    "InvalidParameterCombination": "InvalidParameterCombinationException",
}


def _json_default(o: Any) -> Any:
    if isinstance(o, datetime):
        return o.timestamp()
    return str(o)


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, default=_json_default, allow_nan=False).encode()


#: SageMaker's JSON target prefix (``X-Amz-Target: SageMaker.<Action>``)
SAGEMAKER_TARGET = "SageMaker"
_NON_FINITE_MEMBER = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(?:NaN|-?Infinity)\b')


#: how deep a request body may nest (SageMaker's and CloudWatch's deepest requests nest about
#: ten levels; a body nested thousands deep would only exhaust Python's recursion later)
MAX_BODY_DEPTH = 100


class BodyError(ValueError):
    """A request body that is not a JSON document (SageMaker's ``SerializationException``)."""


def _no_constant(name: str) -> Any:
    raise BodyError(name)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request ``body`` (empty: ``{}``), or :class:`BodyError` saying why it
    is none: not JSON, not UTF-8, nested too deeply to read, not an object, or holding ``NaN`` /
    ``Infinity``, which Python's ``json`` would read but JSON (RFC 8259) has not (the member
    that holds one is named).

    >>> parse_body(b'{"a": 1}')
    {'a': 1}
    >>> try:
    ...     parse_body(b'{"StoppingCondition": {"MaxRuntimeInSeconds": NaN}}')
    ... except BodyError as exc:
    ...     print(exc)
    NaN at 'MaxRuntimeInSeconds' is not a JSON value (JSON has no NaN or Infinity)
    """
    try:
        doc = json.loads(body or b"{}", parse_constant=_no_constant)
    except BodyError as exc:
        text = body.decode("utf-8", "replace")
        m = _NON_FINITE_MEMBER.search(text)
        where = f" at '{m.group(1)}'" if m else ""
        raise BodyError(f"{exc}{where} is not a JSON value (JSON has no NaN or Infinity)") from None
    except RecursionError:
        raise BodyError("the request body is nested too deeply to be read") from None
    except UnicodeDecodeError as exc:
        raise BodyError(f"the request body is not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise BodyError(f"the request body is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BodyError("the request body must be a JSON object")
    if _depth(doc) > MAX_BODY_DEPTH:
        raise BodyError(
            f"the request body is nested more than {MAX_BODY_DEPTH} levels deep (no request of "
            f"the API nests that deep)"
        )
    return doc


def _depth(doc: Any) -> int:
    """How deep objects and arrays nest in ``doc`` (a scalar: 0), without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict):
            items: Any = node.values()
        elif isinstance(node, list):
            items = node
        else:
            continue
        deepest = max(deepest, d)
        stack.extend((v, d + 1) for v in items if isinstance(v, (dict, list)))
    return deepest


def _file_id(path: Path) -> tuple[int, int] | None:
    """The identity of a file (device, inode), None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class EndpointService:
    """Control plane + router + model servers for the endpoints kept in one store.

    ``serve_models=False`` runs the control plane alone (endpoints go InService without model
    servers; used to run moto's control-plane tests, whose models point at ECR and S3).
    ``seed`` makes the router's variant choice reproducible.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        serve_models: bool = True,
        seed: int | None = None,
        invocation_timeout: float = INVOCATION_TIMEOUT,
        startup_timeout: float = 120.0,
        allow_reset: bool = False,
        account: str = "123456789012",
        log_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.state = ServeState(db)
        self.host = host
        self._port = port
        self.allow_reset = allow_reset
        self.metrics = MetricsRecorder(self.state)
        self.router = Router(self.metrics, account=account, seed=seed, timeout=invocation_timeout)
        self.log_dir = (
            Path(log_dir) if log_dir is not None else self.state.path.parent / "amtune-endpoints"
        )
        self.manager = EndpointManager(
            self.state,
            self.router,
            self.log_dir,
            serve_models=serve_models,
            startup_timeout=startup_timeout,
        )
        self.control = ControlPlane(self.state, self.manager, account=account)
        self.shifters: list[Any] = []  # Thompson-sampling traffic shifters (shift_traffic)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        #: set when the store this service serves was deleted or replaced (store_gone)
        self.orphaned = threading.Event()
        self._store_id = _file_id(self.state.path)
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the endpoint service is not running; call start()")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    # ------------------------------------------------------------------ lifecycle
    def _bind(self) -> socket.socket:
        # IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (else 40 ms stalls)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
            sock.listen(1024)
        except BaseException:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        return sock

    def _config(self) -> Any:
        import uvicorn

        return uvicorn.Config(
            self, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=60
        )

    def start(self) -> EndpointService:
        """Serve on a background thread (returns once listening)."""
        import uvicorn

        sock = self._bind()
        self._server = uvicorn.Server(self._config())

        def run() -> None:
            asyncio.run(self._serve(sock))

        self._thread = threading.Thread(target=run, name="amtune-endpoint-service", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the endpoint service did not start (see the log above)")
            time.sleep(0.01)
        self._after_start()
        return self

    async def _serve(self, sock: socket.socket) -> None:
        try:
            await self._server.serve(sockets=[sock])
        finally:
            await self.router.aclose()
            sock.close()

    def _after_start(self) -> None:
        self.state.set_service(os.getpid(), self.host, int(self.port or 0), time.time())
        self._flusher = threading.Thread(target=self._flush_loop, name="amtune-flush", daemon=True)
        self._flusher.start()
        self._restore()

    def serve_forever(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM (the CLI's ``endpoint serve``)."""
        self.start()
        done = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        # a detached service whose store was deleted serves nothing anyone can reach: it ends
        while not done.wait(FLUSH_SECONDS) and not self.orphaned.is_set():
            pass
        self.stop()

    def stop(self) -> None:
        """Stop the model servers, the HTTP server, and flush the metrics."""
        self._stop.set()
        for sh in self.shifters:
            sh.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._flusher is not None:
            self._flusher.join(10)
        self.manager.close()
        self.flush()
        self.state.clear_service(os.getpid())
        self.state.close()

    def __enter__(self) -> EndpointService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def flush(self) -> None:
        log = self.router.drain_inference_log()
        if log:
            self.state.executemany("INSERT INTO serve_inferences VALUES (?, ?, ?, ?, ?, ?, ?)", log)
        self.metrics.flush()

    def store_gone(self) -> bool:
        """Whether the store file this service started on was deleted or replaced by another."""
        return _file_id(self.state.path) != self._store_id

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            if self.store_gone():
                print(
                    f"amtune: endpoint service: its store {self.state.path} was deleted or "
                    f"replaced; stopping",
                    file=sys.stderr,
                    flush=True,
                )
                self.orphaned.set()
                return
            self.flush()
            self.state.execute(
                "UPDATE serve_service SET heartbeat = ? WHERE pid = ?", (time.time(), os.getpid())
            )

    def _restore(self) -> None:
        """Start the model servers of the endpoints a previous service left in the store."""
        for e in self.state.list_endpoints():
            if e["status"] == "Deleting":
                self.state.delete_endpoint(e["name"])
                continue
            if e["status"] == "Failed":
                continue
            config = self.state.get_resource("serve_endpoint_configs", e["config_name"])
            if config is None:
                self.state.update_endpoint(
                    e["name"],
                    status="Failed",
                    failure_reason=f"its endpoint configuration {e['config_name']} was deleted",
                )
                continue
            models = {}
            req = config["request"]
            for v in (*req.get("ProductionVariants", []), *req.get("ShadowProductionVariants", [])):
                m = self.state.get_resource("serve_models", v["ModelName"])
                if m is not None:
                    models[v["ModelName"]] = m["request"]
            self.state.update_endpoint(e["name"], status="Creating")
            self.manager.create(e["name"], req, models)

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = False

        async def tracked(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self._route(scope, receive, tracked)
        except Exception as exc:  # a bug: a JSON InternalFailure, never a plain-text 500
            _log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if started:
                raise
            msg = f"amtune's endpoint service failed ({type(exc).__name__}: {exc})"
            await respond(
                send,
                500,
                _dumps({"__type": "InternalFailure", "message": msg}),
                JSON11,
                [(b"x-amzn-errortype", b"InternalFailure")],
            )

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        t0 = time.perf_counter()
        path, method = scope["path"], scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        m = _INVOKE.match(path)
        if m is not None and method == "POST":
            await self._invoke(m.group(1), headers, receive, send, t0)
        elif path == "/" and method == "POST" and "x-amz-target" in headers:
            await self._control(headers, await read_body(receive), send)
        elif path == "/" and method == "POST" and _FORM in headers.get("content-type", ""):
            await self._cloudwatch_query(await read_body(receive), send)
        elif (unsupported := _UNSUPPORTED_INVOKE.match(path)) is not None and method == "POST":
            await read_body(receive)
            await self._not_supported(_UNSUPPORTED_INVOKE_OPS[unsupported.group(2)], send)
        elif path == "/ping":
            await respond(send, 200, b"")
        elif path.startswith("/amtune/") and method == "POST":
            await self._amtune(path, await read_body(receive), send)
        elif path == "/moto-api/reset" and method == "POST" and self.allow_reset:
            self.reset()
            await respond(send, 200, b'{"status": "ok"}', "application/json")
        else:
            await respond(send, 404, b"not found")

    @staticmethod
    async def _not_supported(operation: str, send: Send) -> None:
        """A runtime operation amtune does not do, answered as an error boto3 parses."""
        exc = RuntimeApiError(
            400,
            "UnknownOperationException",
            f"The operation {operation} is not supported by amtune's endpoint service (not done "
            f"locally); InvokeEndpoint is.",
        )
        await respond(
            send, 400, exc.body(), "application/json", [(b"x-amzn-errortype", exc.code.encode())]
        )

    async def _invoke(
        self, endpoint: str, headers: Mapping[str, str], receive: Receive, send: Send, t0: float
    ) -> None:
        from urllib.parse import unquote

        body = await read_body(receive)
        try:
            ans = await self.router.invoke(unquote(endpoint), body, headers, t0)
        except RuntimeApiError as exc:
            await respond(
                send,
                exc.status,
                exc.body(),
                "application/json",
                [(b"x-amzn-errortype", exc.code.encode())],
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": ans.status,
                "headers": [
                    (b"content-length", str(len(ans.body)).encode()),
                    *((k.encode(), v.encode("latin-1")) for k, v in ans.headers),
                ],
            }
        )
        await send({"type": "http.response.body", "body": ans.body})

    async def _control(self, headers: Mapping[str, str], body: bytes, send: Send) -> None:
        target = headers["x-amz-target"]
        prefix, _, action = target.partition(".")
        if prefix == CLOUDWATCH_TARGET:
            await self._cloudwatch(action, body, send)
            return
        rm = _REGION.search(headers.get("authorization", ""))
        region = rm.group(1) if rm else "us-east-1"
        try:
            if prefix != SAGEMAKER_TARGET or not action:
                raise ApiError(
                    f"X-Amz-Target {target!r} names no operation of amtune's endpoint service: "
                    f"it takes {SAGEMAKER_TARGET}.<Action> and {CLOUDWATCH_TARGET}.<Action>",
                    code="UnknownOperationException",
                )
            try:
                req = parse_body(body)
            except BodyError as exc:
                raise ApiError(str(exc), "SerializationException") from None
            out = _dumps(self.control.call(action, req, region))
        except ApiError as exc:
            err = _dumps({"__type": exc.code, "message": exc.message})
            await respond(send, exc.status, err, JSON11)
            return
        except Exception as exc:  # a bug: SageMaker's InternalFailure, the traceback in the log
            _log.exception("%s failed", action)
            msg = f"{action} failed inside amtune's endpoint service ({type(exc).__name__}: {exc})"
            await respond(send, 500, _dumps({"__type": "InternalFailure", "message": msg}), JSON11)
            return
        await respond(send, 200, out, JSON11)

    async def _cloudwatch(self, action: str, body: bytes, send: Send) -> None:
        """CloudWatch's JSON protocol (boto3's ``cloudwatch`` client): GetMetricStatistics,
        GetMetricData and ListMetrics over the endpoint and training-job metrics
        (:func:`amtune.serve.cloudwatch_api.cloudwatch_call`)."""
        try:
            try:
                req = parse_body(body)
            except BodyError as exc:
                raise CloudWatchError("SerializationException", str(exc)) from None
            self.flush()  # this service's latest invocations count
            out = _dumps(_finite(cloudwatch_call(self.state, action, req)))
        except Exception as exc:
            if not isinstance(exc, CloudWatchError):  # a bug: the traceback in the log
                _log.exception("CloudWatch %s failed", action)
                exc = _internal_failure(action, exc)
            # CloudWatch is "awsQueryCompatible": botocore takes the code from this header
            shape = _CLOUDWATCH_ERRORS.get(exc.code, exc.code)
            hs = [(b"x-amzn-query-error", f"{exc.code};Sender".encode())]
            err = _dumps({"__type": shape, "message": exc.message})
            await respond(send, exc.status, err, JSON10, hs)
            return
        await respond(send, 200, out, JSON10)

    async def _cloudwatch_query(self, body: bytes, send: Send) -> None:
        """CloudWatch's query protocol (form in, XML out), which botocore used for CloudWatch
        before its JSON protocol: the same actions as :meth:`_cloudwatch`."""
        request_id = uuid.uuid4().hex
        action = "?"
        try:
            action, req = query_request(body)
            self.flush()
            out = query_response(
                action, _finite(cloudwatch_call(self.state, action, req)), request_id
            )
        except Exception as exc:
            if not isinstance(exc, CloudWatchError):
                _log.exception("CloudWatch %s failed", action)
                exc = _internal_failure(action, exc)
            await respond(send, exc.status, query_error(exc, request_id), "text/xml")
            return
        await respond(send, 200, out, "text/xml")

    async def _amtune(self, path: str, body: bytes, send: Send) -> None:
        from amtune.serve import online

        try:
            try:
                req = parse_body(body)
            except BodyError as exc:
                err = {"__type": "SerializationException", "message": str(exc)}
                await respond(send, 400, _dumps(err), JSON11)
                return
            if path == "/amtune/feedback":
                args = (self.state, req["EndpointName"], req["InferenceId"], req["GroundTruth"])
                try:
                    doc: Any = online.post_feedback(*args)
                except ValueError:  # its inference may still be in the unwritten log
                    self.flush()
                    doc = online.post_feedback(*args)
            elif path == "/amtune/metrics":
                self.flush()
                doc = get_metric_statistics(self.state, **req)
            elif path == "/amtune/online":
                self.flush()
                doc = online.evaluate(self.state, **req).to_dict()
            elif path == "/amtune/shift-traffic":
                name = req.pop("EndpointName")
                sh = self.shift_traffic(name, **req)
                doc = {"EndpointName": name, "Metric": sh.metric, "Floor": sh.floor}
            else:
                await respond(send, 404, b"not found")
                return
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            await respond(
                send, 400, _dumps({"__type": "ValidationException", "message": msg}), JSON11
            )
            return
        await respond(send, 200, _dumps(_finite(doc)), "application/json")

    def shift_traffic(
        self,
        endpoint: str,
        *,
        metric: str = "accuracy",
        floor: float = 0.05,
        interval: float = 30.0,
        min_feedback: int = 30,
        seed: int = 0,
    ) -> Any:
        """Start Thompson-sampling traffic shifting on ``endpoint``
        (:class:`amtune.serve.online.TrafficShifter`); returns the shifter."""
        from amtune.serve.online import TrafficShifter

        if self.state.get_endpoint(endpoint) is None:
            raise ValueError(f"EndpointName: no endpoint {endpoint!r}")

        def apply(name: str, desired: list[dict[str, Any]], reason: str) -> None:
            self.manager.set_weights_and_capacities(name, desired, reason)

        def step_after_flush() -> None:
            self.flush()

        sh = TrafficShifter(
            self.state,
            endpoint,
            apply,
            metric=metric,
            floor=floor,
            interval=interval,
            min_feedback=min_feedback,
            seed=seed,
            before=step_after_flush,
        )
        self.shifters.append(sh.start())
        return sh

    def reset(self) -> None:
        """Forget every endpoint, config and model (stops their servers); the test reset route."""
        for name in list(self.router.endpoints):
            ep = self.router.endpoints.pop(name)
            for s in ep.all_servers():
                self.manager.supervisor.forget(s)
                s.stop()
        self.state.reset()


def _internal_failure(action: str, exc: Exception) -> CloudWatchError:
    """CloudWatch's answer to an unexpected error (its ``InternalFailure``, HTTP 500)."""
    msg = f"{action} failed inside amtune's endpoint service ({type(exc).__name__}: {exc})"
    return CloudWatchError("InternalFailure", msg, status=500)


def _finite(doc: Any) -> Any:
    """NaN/inf as None (JSON has no NaN)."""
    if isinstance(doc, float) and not math.isfinite(doc):
        return None
    if isinstance(doc, dict):
        return {k: _finite(v) for k, v in doc.items()}
    if isinstance(doc, (list, tuple)):
        return [_finite(v) for v in doc]
    return doc

"""The router: SageMaker's InvokeEndpoint over the model servers of an endpoint's variants.

A request goes to one production variant chosen at random with probability weight / sum of
weights (or to ``X-Amzn-SageMaker-Target-Variant``), to the next healthy instance of that variant
(round robin). Shadow variants get a copy of the request; their answers are recorded (metrics and
the inference log) and never returned. The answer carries ``x-Amzn-Invoked-Production-Variant``.

Limits and errors as SageMaker documents them: a payload over 6 MB is a ``ValidationError``; a
model that answers with a status other than 200 gives ``ModelError`` (HTTP 424, with
``OriginalStatusCode`` and ``OriginalMessage``); a model that does not answer within 60 seconds
gives ``ModelError`` with original status 0; a lost connection to a model server is an
``InternalFailure`` (500) and a variant with no healthy instance is ``ServiceUnavailable`` (503).
"""

from __future__ import annotations

import asyncio
import bisect
import json
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amtune.serve.cwmetrics import MetricsRecorder
from amtune.serve.supervisor import ModelServer
from amtune.serve.upstream import UpstreamError, UpstreamPool

#: SageMaker's real-time payload limit (6 MB) and model response timeout (60 s).
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
INVOCATION_TIMEOUT = 60.0
#: The first bytes of each response kept in the inference log (for online testing).
LOGGED_RESPONSE_BYTES = 4096
_FORWARD = (
    "content-type",
    "accept",
    "x-amzn-sagemaker-custom-attributes",
    "x-amzn-sagemaker-inference-id",
)


class RuntimeApiError(Exception):
    """An InvokeEndpoint error as SageMaker Runtime answers it (``code`` is the error type)."""

    def __init__(self, status: int, code: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> bytes:
        return json.dumps({"message": self.message, **self.fields}).encode()


@dataclass
class VariantRuntime:
    """A production (or shadow) variant: its model servers and its current weight."""

    name: str
    model_name: str
    weight: float
    servers: list[ModelServer] = field(default_factory=list)
    shadow: bool = False
    #: the ContainerHostname of each container of the model (the first one serves)
    containers: list[str] = field(default_factory=list)
    _next: int = 0

    def pick(self) -> ModelServer | None:
        n = len(self.servers)
        for _ in range(n):
            s = self.servers[self._next % n]
            self._next += 1
            if s.healthy and s.port is not None:
                return s
        return None


class EndpointRuntime:
    """The variants of one endpoint as the router sees them (weights change in place)."""

    def __init__(self, name: str, variants: list[VariantRuntime], shadows: list[VariantRuntime]):
        self.name = name
        self.variants = variants
        self.shadows = shadows
        self.by_name = {v.name: v for v in variants}
        self._cum: list[float] = []
        self._recompute()

    def _recompute(self) -> None:
        cum, total = [], 0.0
        for v in self.variants:
            total += max(v.weight, 0.0)
            cum.append(total)
        self._cum = cum

    def set_weights(self, weights: Mapping[str, float]) -> None:
        for name, w in weights.items():
            self.by_name[name].weight = float(w)
        self._recompute()

    def choose(self, rng: random.Random) -> VariantRuntime:
        total = self._cum[-1] if self._cum else 0.0
        if total <= 0:  # every weight 0: SageMaker then splits evenly
            return self.variants[rng.randrange(len(self.variants))]
        i = bisect.bisect_right(self._cum, rng.random() * total)
        return self.variants[min(i, len(self.variants) - 1)]

    def all_servers(self) -> list[ModelServer]:
        return [s for v in (*self.variants, *self.shadows) for s in v.servers]


@dataclass
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


class Router:
    """Routes invocations; records metrics and the inference log."""

    def __init__(
        self,
        metrics: MetricsRecorder,
        *,
        account: str,
        region: str = "us-east-1",
        seed: int | None = None,
        timeout: float = INVOCATION_TIMEOUT,
        max_payload: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        self.endpoints: dict[str, EndpointRuntime] = {}
        self.metrics = metrics
        self.account = account
        self.region = region
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.max_payload = max_payload
        self.inference_log: list[tuple[Any, ...]] = []
        self.pool = UpstreamPool()
        self._background: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        for t in list(self._background):
            t.cancel()
        self.pool.close()

    # ------------------------------------------------------------------ invoke
    async def invoke(
        self, endpoint: str, body: bytes, headers: Mapping[str, str], t0: float | None = None
    ) -> Answer:
        """Route one invocation; ``t0`` (``time.perf_counter()``) is when the request arrived,
        for OverheadLatency."""
        if t0 is None:
            t0 = time.perf_counter()
        ep = self.endpoints.get(endpoint)
        if ep is None:
            raise RuntimeApiError(
                400,
                "ValidationError",
                f"Endpoint {endpoint} of account {self.account} not found.",
            )
        if len(body) > self.max_payload:
            raise RuntimeApiError(
                413,
                "ValidationError",
                f"Request payload is {len(body)} bytes; the maximum for an invocation is "
                f"{self.max_payload} bytes.",
            )
        target = headers.get("x-amzn-sagemaker-target-variant")
        if target is not None:
            variant = ep.by_name.get(target)
            if variant is None:
                raise RuntimeApiError(
                    400,
                    "ValidationError",
                    f"The variant {target} is not valid for endpoint {endpoint}; the variants "
                    f"are {sorted(ep.by_name)}.",
                )
        else:
            variant = ep.choose(self.rng)
        self._check_target_container(endpoint, variant, headers)
        inference_id = headers.get("x-amzn-sagemaker-inference-id") or uuid.uuid4().hex
        fwd = {k: headers[k] for k in _FORWARD if k in headers}
        fwd["x-amzn-sagemaker-inference-id"] = inference_id
        for shadow in ep.shadows:
            task = asyncio.create_task(self._shadow(ep, shadow, body, fwd, inference_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        status, rbody, rheaders, model_s = await self._forward(ep, variant, body, fwd)
        now = time.time()
        total_s = time.perf_counter() - t0
        self._record(ep, variant, now, status, model_s, total_s, inference_id, rbody)
        if status != 200:
            raise self._model_error(ep, variant, status, rbody)
        out = [
            ("content-type", rheaders.get("content-type", "application/octet-stream")),
            ("x-amzn-invoked-production-variant", variant.name),
            ("x-amzn-sagemaker-inference-id", inference_id),
        ]
        if "x-amzn-sagemaker-custom-attributes" in rheaders:
            out.append(
                (
                    "x-amzn-sagemaker-custom-attributes",
                    rheaders["x-amzn-sagemaker-custom-attributes"],
                )
            )
        return Answer(200, rbody, out)

    @staticmethod
    def _check_target_container(
        endpoint: str, variant: VariantRuntime, headers: Mapping[str, str]
    ) -> None:
        """``TargetContainerHostname`` (a multi-container model in Direct mode): amtune serves
        the model's first container only, so naming another one is an error, not its answer."""
        target = headers.get("x-amzn-sagemaker-target-container-hostname")
        if target is None or (variant.containers and target == variant.containers[0]):
            return
        if target not in variant.containers:
            raise RuntimeApiError(
                400,
                "ValidationError",
                f"The container host name {target} is not valid for endpoint {endpoint}; the "
                f"model's containers are {variant.containers or '(one unnamed container)'}.",
            )
        raise RuntimeApiError(
            400,
            "ValidationError",
            f"Endpoint {endpoint}: amtune serves the first container ({variant.containers[0]}) "
            f"of a multi-container model, not {target}; deploy {target}'s model on an endpoint "
            f"of its own.",
        )

    async def _forward(
        self, ep: EndpointRuntime, variant: VariantRuntime, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes, Mapping[str, str], float]:
        """(status, body, headers, model seconds); status < 100 marks a router-side failure:
        0 timeout, 1 connection lost, 2 no healthy instance."""
        server = variant.pick()
        port = None if server is None else server.port
        if port is None:
            return 2, b"", {}, 0.0
        t = time.perf_counter()
        try:
            status, rbody, rheaders = await self.pool.post(
                port, "/invocations", body, headers, self.timeout
            )
        except asyncio.TimeoutError:
            return 0, b"", {}, time.perf_counter() - t
        except UpstreamError:
            return 1, b"", {}, time.perf_counter() - t
        return status, rbody, rheaders, time.perf_counter() - t

    async def _shadow(
        self,
        ep: EndpointRuntime,
        shadow: VariantRuntime,
        body: bytes,
        headers: dict[str, str],
        inference_id: str,
    ) -> None:
        t0 = time.perf_counter()
        status, rbody, _, model_s = await self._forward(ep, shadow, body, headers)
        total_s = time.perf_counter() - t0
        self._record(ep, shadow, time.time(), status, model_s, total_s, inference_id, rbody)

    def _record(
        self,
        ep: EndpointRuntime,
        variant: VariantRuntime,
        now: float,
        status: int,
        model_s: float,
        total_s: float,
        inference_id: str,
        body: bytes,
    ) -> None:
        n = max(1, len(variant.servers))
        values = {
            "Invocations": 1.0,
            "InvocationsPerInstance": 1.0 / n,
            "Invocation4XXErrors": 1.0 if 400 <= status < 500 else 0.0,
            "Invocation5XXErrors": 1.0 if status >= 500 or status < 100 else 0.0,
        }
        if status >= 100:
            values["ModelLatency"] = model_s * 1e6
            values["OverheadLatency"] = max(0.0, total_s - model_s) * 1e6
        self.metrics.record(ep.name, variant.name, now, values)
        self.inference_log.append(
            (
                ep.name,
                inference_id,
                variant.name,
                int(variant.shadow),
                now,
                status,
                body[:LOGGED_RESPONSE_BYTES],
            )
        )

    def _model_error(
        self, ep: EndpointRuntime, variant: VariantRuntime, status: int, body: bytes
    ) -> RuntimeApiError:
        if status == 2:
            return RuntimeApiError(
                503,
                "ServiceUnavailable",
                f"No healthy instance of variant {variant.name} of endpoint {ep.name}: its model "
                f"server is restarting. Try your call again.",
            )
        if status == 1:
            return RuntimeApiError(
                500,
                "InternalFailure",
                f"The connection to the model server of variant {variant.name} was lost "
                f"(the model server exited).",
            )
        text = body.decode("utf-8", "replace")
        server = variant.servers[0] if variant.servers else None
        log = str(server.log_path) if server is not None else ""
        if status == 0:
            msg = (
                f"Your invocation timed out while waiting for a response from container primary "
                f"(the limit is {self.timeout:g} s)."
            )
        else:
            msg = text
        kind = "client" if 400 <= status < 500 else "server"
        return RuntimeApiError(
            424,
            "ModelError",
            f'Received {kind} error ({status}) from primary with message "{msg}". See {log} '
            f"for more information.",
            OriginalStatusCode=status,
            OriginalMessage=msg,
            LogStreamArn=log,
        )

    def drain_inference_log(self) -> Sequence[tuple[Any, ...]]:
        log, self.inference_log = self.inference_log, []
        return log

"""Endpoints at run time: start, update, reweight and stop the model servers of their variants.

The control plane records what was asked; an :class:`EndpointManager` makes it so on a
background thread and moves the endpoint's status (``Creating``/``Updating``/``Deleting`` to
``InService``, ``Failed`` or gone). Weights change in place in the router, so a weight update
never restarts a model server.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from amtune import image_uris
from amtune._archive import extracted
from amtune._file_urls import file_url_path
from amtune.serve.router import EndpointRuntime, Router, VariantRuntime
from amtune.serve.state import ServeState
from amtune.serve.supervisor import ModelServer, ModelServerError, ModelSpec, Supervisor

#: Built-in algorithms' inference modules, by a word of their training image.
BUILTIN_INFERENCE = {
    "xgboost": "amtune.builtin.xgboost_inference",
    "linear-learner": "amtune.builtin.linear_learner_inference",
    "knn": "amtune.builtin.knn_inference",
}

PROGRAM_ENV = "SAGEMAKER_PROGRAM"
SUBMIT_ENV = "SAGEMAKER_SUBMIT_DIRECTORY"


class ModelSourceError(ValueError):
    """A model's container cannot be served here (e.g. model data in S3)."""


def _local_path(url: str, what: str) -> Path:
    u = urlparse(url)
    if u.scheme in ("", "file"):
        # host and path joined, as SageMaker's local mode reads file://model.tar.gz (./model.tar.gz)
        p = Path(file_url_path(url)).expanduser()
        if not p.exists():
            raise ModelSourceError(f"{what}: {p} does not exist")
        return p.resolve()
    raise ModelSourceError(
        f"{what}: only local model data is served (a path or a file:// URL), got {url!r}"
    )


def _unpack(path: Path, cache: Path) -> Path:
    """A directory for ``path``: itself, or a .tar.gz extracted once into ``cache``."""
    if path.is_dir():
        return path
    found = extracted(path, cache)
    # a single model file: its directory, as SageMaker's local mode mounts it at /opt/ml/model
    return path.parent if found is None else found


def script_less_image(image: str) -> str | None:
    """The built-in inference module of ``image`` when it is an algorithm image without script
    mode (the legacy ``xgboost:1``/``0.72`` image, Linear Learner, k-NN), else None.

    Such an image serves its model with its own handler whatever the model's environment says;
    the ``sagemaker-xgboost`` images (0.90-1 and later) also run a user's script.

    >>> script_less_image("382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:1")
    'amtune.builtin.xgboost_inference'
    >>> script_less_image("sagemaker-xgboost:1.7-1") is None
    True
    """
    img = image_uris.try_parse(image)
    if img is None or img.framework_capable:
        return None
    return BUILTIN_INFERENCE.get(img.algorithm)


def model_spec(model: Mapping[str, Any], cache: Path) -> ModelSpec:
    """How to serve a CreateModel request's (primary) container on this machine.

    An algorithm image without script mode (:func:`script_less_image`) serves its built-in
    module, as SageMaker's container does: the model's ``SAGEMAKER_PROGRAM``,
    ``SAGEMAKER_SUBMIT_DIRECTORY`` and ``code/inference.py`` are ignored, with a one-line notice
    on stderr that names them.
    """
    container = model.get("PrimaryContainer") or (model.get("Containers") or [None])[0]
    if not container:
        raise ModelSourceError("the model has no PrimaryContainer")
    env = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
    image = str(container.get("Image") or "")
    url = container.get("ModelDataUrl")
    model_dir = _unpack(_local_path(url, "ModelDataUrl"), cache) if url else None
    # the PyTorch/TF model archive layout: code/inference.py next to the model
    code_dir = None
    if model_dir is not None and (model_dir / "code" / "inference.py").is_file():
        code_dir = model_dir / "code"
    submit_dir: Path | None = None
    program = script_less_image(image)
    if program is not None:
        ignored = [f"{k}={env[k]!r}" for k in (PROGRAM_ENV, SUBMIT_ENV) if env.get(k)]
        ignored += [f"the model's {code_dir / 'inference.py'}"] if code_dir else []
        if ignored:
            print(
                f"amtune: notice: image {image} has no script mode (as on SageMaker); ignored "
                f"{', '.join(ignored)}; serving {program}",
                file=sys.stderr,
                flush=True,
            )
        env.setdefault("AMTUNE_IMAGE", image)  # the module answers as this image's version does
    else:
        submit, program = env.get(SUBMIT_ENV), env.get(PROGRAM_ENV)
        submit_dir = _unpack(_local_path(submit, SUBMIT_ENV), cache) if submit else None
        if program is None and submit_dir is None and code_dir is not None:
            submit_dir, program = code_dir, "inference.py"
    if program is None and submit_dir is None:
        program = next((m for word, m in BUILTIN_INFERENCE.items() if word in image), None)
        if program is None:
            raise ModelSourceError(
                f"the model names no inference code: set Environment SAGEMAKER_PROGRAM "
                f"(and SAGEMAKER_SUBMIT_DIRECTORY), or use a built-in algorithm's image "
                f"(got Image {image!r})"
            )
        # the module answers as this image's version does (amtune.builtin.inference_io)
        env.setdefault("AMTUNE_IMAGE", image)
    if model_dir is None:
        model_dir = cache / "empty-model"
        model_dir.mkdir(parents=True, exist_ok=True)
    return ModelSpec(str(model_dir), program, None if submit_dir is None else str(submit_dir), env)


def _images(model: Mapping[str, Any] | None) -> list[str]:
    """The container images of a CreateModel request (primary container, else each container)."""
    if not model:
        return []
    containers = [model.get("PrimaryContainer")] if model.get("PrimaryContainer") else []
    containers = containers or list(model.get("Containers") or [])
    return [str(c["Image"]) for c in containers if isinstance(c, Mapping) and c.get("Image")]


def _variant_desc(
    v: Mapping[str, Any],
    model: Mapping[str, Any] | None = None,
    deployed_at: float | None = None,
) -> dict[str, Any]:
    """A ``ProductionVariantSummary``: weights, instance counts (a serverless variant: its
    ``Current``/``DesiredServerlessConfig`` instead) and the images of its model
    (``DeployedImages``; amtune pulls nothing, so the resolved image is the specified one)."""
    w = float(v.get("InitialVariantWeight", 1.0))
    d: dict[str, Any] = {"VariantName": v["VariantName"], "CurrentWeight": w, "DesiredWeight": w}
    serverless = v.get("ServerlessConfig")
    if isinstance(serverless, Mapping):
        d["CurrentServerlessConfig"] = dict(serverless)
        d["DesiredServerlessConfig"] = dict(serverless)
    else:
        n = v.get("InitialInstanceCount", 1)
        d["CurrentInstanceCount"] = d["DesiredInstanceCount"] = n
    t = time.time() if deployed_at is None else deployed_at
    d["DeployedImages"] = [
        {"SpecifiedImage": img, "ResolvedImage": img, "ResolutionTime": t} for img in _images(model)
    ]
    return d


class EndpointManager:
    """Runs the endpoints' model servers (``serve_models=False``: the control plane only)."""

    def __init__(
        self,
        state: ServeState,
        router: Router,
        log_dir: Path,
        *,
        serve_models: bool = True,
        startup_timeout: float = 120.0,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.state = state
        self.router = router
        self.log_dir = log_dir
        self.cache = log_dir / "models"
        self.serve_models = serve_models
        self.startup_timeout = startup_timeout
        self.supervisor = Supervisor()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="amtune-endpoint")
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self.on_change = on_change

    def close(self) -> None:
        self._closing.set()  # transitions under way start no more servers
        self._pool.shutdown(wait=True)
        for ep in list(self.router.endpoints.values()):
            self._stop_runtime(ep)
        self.router.endpoints.clear()
        self.supervisor.close()

    @staticmethod
    def describe_variants(
        config: Mapping[str, Any],
        models: Mapping[str, Any] | None = None,
        deployed_at: float | None = None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The production and shadow variants' summaries of an endpoint on ``config``
        (``models``: the CreateModel requests by name, for ``DeployedImages``)."""
        models = models or {}

        def desc(v: Mapping[str, Any]) -> dict[str, Any]:
            return _variant_desc(v, models.get(v.get("ModelName", "")), deployed_at)

        return (
            [desc(v) for v in config.get("ProductionVariants", [])],
            [desc(v) for v in config.get("ShadowProductionVariants", [])],
        )

    # ------------------------------------------------------------------ servers
    def _on_event(self, endpoint: str, variant: str, index: int) -> Any:
        def cb(kind: str, server: ModelServer, detail: str) -> None:
            self.state.record_event(time.time(), endpoint, variant, index, kind, detail)

        return cb

    def _start_variant(
        self,
        endpoint: str,
        v: Mapping[str, Any],
        models: Mapping[str, Any],
        shadow: bool,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> VariantRuntime:
        vr = VariantRuntime(
            v["VariantName"], v["ModelName"], float(v.get("InitialVariantWeight", 1.0)), [], shadow
        )
        model = models.get(v["ModelName"]) or {}
        vr.containers = [
            str(c.get("ContainerHostname") or f"container-{i + 1}")
            for i, c in enumerate(model.get("Containers") or [])
            if isinstance(c, Mapping)
        ]
        if not self.serve_models:
            return vr
        spec = model_spec(models[v["ModelName"]], self.cache)
        n = int(v.get("InitialInstanceCount", 1)) if "ServerlessConfig" not in v else 1
        self._add_servers(endpoint, vr, spec, n, cancelled)
        return vr

    def _add_servers(
        self,
        endpoint: str,
        vr: VariantRuntime,
        spec: ModelSpec,
        n: int,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        """Start ``n`` more servers of ``vr``, one after another; :class:`Cancelled` (with the
        new servers stopped) as soon as ``cancelled()`` says the endpoint is gone."""
        new = []
        try:
            for i in range(len(vr.servers), len(vr.servers) + n):
                if cancelled():
                    raise Cancelled(endpoint)
                s = ModelServer(
                    spec,
                    f"{endpoint}/{vr.name}/{i}",
                    self.log_dir / endpoint,
                    self._on_event(endpoint, vr.name, i),
                    self.startup_timeout,
                )
                new.append(s)
                s.start()
            if cancelled():
                raise Cancelled(endpoint)
        except BaseException:
            for s in new:
                s.stop()
            raise
        for s in new:
            self.supervisor.watch(s)
        vr.servers.extend(new)

    def _stop_runtime(self, ep: EndpointRuntime) -> None:
        for s in ep.all_servers():
            self.supervisor.forget(s)
            s.stop()

    def _build(
        self,
        name: str,
        config: Mapping[str, Any],
        models: Mapping[str, Any],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> EndpointRuntime:
        variants: list[VariantRuntime] = []
        shadows: list[VariantRuntime] = []
        try:
            for v in config.get("ProductionVariants", []):
                variants.append(self._start_variant(name, v, models, False, cancelled))
            for v in config.get("ShadowProductionVariants", []):
                shadows.append(self._start_variant(name, v, models, True, cancelled))
        except BaseException:
            self._stop_runtime(EndpointRuntime(name, variants, shadows))
            raise
        return EndpointRuntime(name, variants, shadows)

    def _run(self, fn: Callable[[], None]) -> None:
        if self.serve_models:
            self._pool.submit(fn)
        else:  # nothing to start: the transition completes before the call returns
            fn()

    def _changed(self, name: str) -> None:
        if self.on_change is not None:
            self.on_change(name)

    # ------------------------------------------------------------------ transitions
    def _born(self, name: str) -> float | None:
        """The creation time of endpoint ``name`` now: which endpoint of that name a transition
        was started for (one deleted while Creating and created again is another)."""
        row = self.state.get_endpoint(name)
        return None if row is None else float(row["creation_time"])

    def _gone(self, name: str, born: float | None) -> bool:
        """Whether the endpoint a transition was started for was deleted meanwhile (or is being
        deleted, or replaced by a new endpoint of the same name)."""
        row = self.state.get_endpoint(name)
        return row is None or _deleting(row) or float(row["creation_time"]) != born

    def _cancelled(self, name: str, born: float | None) -> Callable[[], bool]:
        """The test a transition of endpoint ``name`` asks before starting each model server:
        the endpoint was deleted or replaced meanwhile, or the service is stopping."""
        return lambda: self._closing.is_set() or self._gone(name, born)

    def create(self, name: str, config: Mapping[str, Any], models: Mapping[str, Any]) -> None:
        born = self._born(name)

        def work() -> None:
            try:
                ep = self._build(name, config, models, self._cancelled(name, born))
            except Cancelled:
                return
            except (ModelServerError, ModelSourceError, OSError, ValueError) as exc:
                with self._lock:
                    if not self._gone(name, born):
                        self.state.update_endpoint(
                            name,
                            status="Failed",
                            failure_reason=str(exc),
                            last_modified_time=time.time(),
                        )
                return
            with self._lock:
                if self._gone(name, born):
                    self._stop_runtime(ep)
                    return
                self.router.endpoints[name] = ep
                self.state.update_endpoint(name, status="InService", last_modified_time=time.time())
            self._changed(name)

        self._run(work)

    def update(
        self, name: str, config_name: str, config: Mapping[str, Any], models: Mapping[str, Any]
    ) -> None:
        born = self._born(name)

        def work() -> None:
            try:
                ep = self._build(name, config, models, self._cancelled(name, born))
            except Cancelled:
                return
            except (ModelServerError, ModelSourceError, OSError, ValueError) as exc:
                with self._lock:
                    if not self._gone(name, born):
                        self.state.update_endpoint(name, status="RollingBack")
                        self.state.update_endpoint(
                            name,
                            status="InService",
                            failure_reason=(
                                f"the update to {config_name} failed and was rolled back: {exc}"
                            ),
                            last_modified_time=time.time(),
                        )
                return
            variants, shadows = self.describe_variants(config, models)
            with self._lock:
                if self._gone(name, born):
                    self._stop_runtime(ep)
                    return
                old = self.router.endpoints.get(name)
                self.router.endpoints[name] = ep
                now = time.time()
                self.state.update_endpoint(
                    name,
                    status="InService",
                    config_name=config_name,
                    variants=variants,
                    shadow_variants=shadows,
                    last_modified_time=now,
                )
                self.state.record_weights(
                    now, name, {v.name: v.weight for v in ep.variants}, "UpdateEndpoint"
                )
            if old is not None:
                time.sleep(0.5)  # requests already routed to the old servers finish
                self._stop_runtime(old)
            self._changed(name)

        self._run(work)

    def set_weights_and_capacities(
        self, name: str, desired: Sequence[Mapping[str, Any]], reason: str
    ) -> None:
        """Apply new weights now (in place) and instance counts in the background (a scaling
        stops starting servers as soon as the endpoint is deleted)."""
        with self._lock:
            row = self.state.get_endpoint(name)
            if row is None:
                raise KeyError(name)
            born = float(row["creation_time"])
            variants = row["variants"]
            by = {v["VariantName"]: v for v in variants}
            weights: dict[str, float] = {}
            counts: dict[str, int] = {}
            for d in desired:
                v = by[d["VariantName"]]
                if d.get("DesiredWeight") is not None:
                    weights[v["VariantName"]] = float(d["DesiredWeight"])
                    v["DesiredWeight"] = v["CurrentWeight"] = float(d["DesiredWeight"])
                if d.get("DesiredInstanceCount") is not None:
                    counts[v["VariantName"]] = int(d["DesiredInstanceCount"])
                    v["DesiredInstanceCount"] = int(d["DesiredInstanceCount"])
            ep = self.router.endpoints.get(name)
            if ep is not None and weights:
                ep.set_weights(weights)
            now = time.time()
            if weights:
                self.state.record_weights(now, name, weights, reason)
            self.state.update_endpoint(
                name, status="Updating", variants=variants, last_modified_time=now
            )

        def work() -> None:
            failure = None
            if ep is not None and self.serve_models:
                for vname, n in counts.items():
                    vr = ep.by_name[vname]
                    try:
                        self._resize(name, vr, n, self._cancelled(name, born))
                    except Cancelled:
                        break
                    except (ModelServerError, OSError) as exc:
                        failure = str(exc)
            with self._lock:
                if self._gone(name, born):
                    # deleted meanwhile: DeleteEndpoint stopped the servers it saw; these too
                    if ep is not None and self.router.endpoints.get(name) is not ep:
                        self._stop_runtime(ep)
                    return
                row2 = self.state.get_endpoint(name)
                if row2 is None:
                    return
                for v in row2["variants"]:
                    if v["VariantName"] in counts:
                        actual = counts[v["VariantName"]]
                        if ep is not None and self.serve_models:
                            actual = len(ep.by_name[v["VariantName"]].servers)
                        v["CurrentInstanceCount"] = actual
                self.state.update_endpoint(
                    name,
                    status="InService",
                    variants=row2["variants"],
                    failure_reason=failure,
                    last_modified_time=time.time(),
                )
            self._changed(name)

        self._run(work)

    def _resize(
        self,
        endpoint: str,
        vr: VariantRuntime,
        n: int,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        if n > len(vr.servers) and vr.servers:
            spec = vr.servers[0].spec
            self._add_servers(endpoint, vr, spec, n - len(vr.servers), cancelled)
        while len(vr.servers) > n:
            s = vr.servers.pop()
            self.supervisor.forget(s)
            s.stop()

    def delete(self, name: str) -> None:
        # A Deleting endpoint takes no more invocations: it leaves the router at once; its model
        # servers stop in the background.
        with self._lock:
            ep = self.router.endpoints.pop(name, None)

        def work() -> None:
            with self._lock:  # a creation or update that finished meanwhile
                late = self.router.endpoints.pop(name, None)
            for runtime in {id(r): r for r in (ep, late) if r is not None}.values():
                self._stop_runtime(runtime)
            self.state.delete_endpoint(name)
            self._changed(name)

        self._run(work)


class Cancelled(Exception):
    """A transition given up because its endpoint was deleted (or replaced) meanwhile."""


def _deleting(row: Mapping[str, Any] | None) -> bool:
    """Whether an endpoint was deleted, or is being deleted, while a transition was under way."""
    return row is None or row["status"] == "Deleting"

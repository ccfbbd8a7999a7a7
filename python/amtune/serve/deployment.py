"""Deploy training jobs from the store to a local endpoint: ``amtune.serve.deploy``.

A training job's model is its job directory's ``model`` folder (what the training code wrote to
``SM_MODEL_DIR``); its inference code is ``inference.py`` found, in this order, in
``model/code/``, the tuning job's ``source_dir`` or working directory, the directory of the
training script, and the current directory; a built-in algorithm's training image serves with the
algorithm's own inference module.

The endpoint service of the store is reused when one runs (``serve_service`` row with a live
process); otherwise a detached one is started (``python -m amtune.serve --db ...``), so the
endpoint outlives the notebook, as a SageMaker endpoint does. ``amtune endpoint shutdown`` stops it.

Example (needs a store with a finished tuning job)::

    predictor = amtune.serve.deploy("my-tuning-job", endpoint_name="churn")
    predictor.predict([[1.0, 2.0, 3.0]])           # the best training job's model
    predictor = amtune.serve.deploy(variants={"A": ("job-001", 0.7), "B": ("job-007", 0.3)},
                                    shadows={"S": "job-009"}, endpoint_name="ab")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.evaluation.models import kfold_models
from amtune.serve.state import ServeState
from amtune.store import NotFoundError, resolve_db_path
from amtune.tuning.liveness import process_exists

DEFAULT_INSTANCE_TYPE = "ml.m5.large"


@dataclass(frozen=True)
class TrainingJobModel:
    """What serving a training job needs."""

    training_job: str
    model_dir: str
    submit_dir: str | None
    program: str | None
    image: str

    def container(self) -> dict[str, Any]:
        env: dict[str, str] = {}
        if self.program is not None:
            env["SAGEMAKER_PROGRAM"] = self.program
        if self.submit_dir is not None:
            env["SAGEMAKER_SUBMIT_DIRECTORY"] = self.submit_dir
        return {
            "Image": self.image,
            "ModelDataUrl": Path(self.model_dir).as_uri(),
            "Environment": env,
        }


def resolve_model(state: ServeState, name: str) -> TrainingJobModel:
    """The model of training job ``name``, or of the best training job of tuning job ``name``."""
    row = state.one("SELECT * FROM training_jobs WHERE name = ?", (name,))
    if row is None:
        tj = state.one("SELECT name FROM tuning_jobs WHERE name = ?", (name,))
        if tj is None:
            raise NotFoundError(f"no tuning job or training job named {name!r} in {state.path}")
        from amtune.analytics import describe
        from amtune.store import Store

        with Store(state.path) as store:
            best = describe(store, name).get("BestTrainingJob")
        if best is None:
            raise ValueError(f"tuning job {name!r} has no best training job yet (none completed)")
        row = state.one("SELECT * FROM training_jobs WHERE name = ?", (best["TrainingJobName"],))
        assert row is not None
    if row["status"] != "Completed":
        raise ValueError(
            f"training job {row['name']!r} is {row['status']}; only a Completed job's model can "
            f"be deployed"
        )
    if not row["job_dir"]:
        raise ValueError(
            f"training job {row['name']!r} has no job directory (it ran in a thread); run it "
            f"with runner='process' or as a command to keep its model"
        )
    model_dir = Path(row["job_dir"]) / "model"
    folds = kfold_models(Path(row["job_dir"]))
    if folds:  # amtune.evaluation: one model per fold, none of the job's own
        raise ValueError(
            f"training job {row['name']!r} is a k-fold training job: it has {folds} models, one "
            f"per fold (fold-<i>/model), and an endpoint serves one. Train the chosen "
            f"hyperparameters on the whole train channel (the same estimator or request without "
            f"evaluation, or with Holdout) and deploy that training job; or score a fold's model "
            f"offline with `amtune transform/evaluate {row['name']} --fold N`"
        )
    tuning = state.one("SELECT config FROM tuning_jobs WHERE name = ?", (row["tuning_job"],))
    cfg: dict[str, Any] = json.loads(tuning["config"]) if tuning else {}
    am = cfg.get("amtune") or {}
    algo = (cfg.get("TrainingJobDefinition") or {}).get("AlgorithmSpecification") or {}
    image = str(algo.get("TrainingImage") or "amtune/script-mode:local")
    if (model_dir / "code" / "inference.py").is_file():
        return TrainingJobModel(row["name"], str(model_dir), None, None, image)
    candidates: list[Path] = []
    for key in ("source_dir", "working_dir"):
        if am.get(key):
            candidates.append(Path(am[key]))
    cmd = am.get("command") or []
    for arg in cmd:
        if isinstance(arg, str) and arg.endswith(".py"):
            p = Path(arg)
            if not p.is_absolute():
                p = Path(am.get("working_dir") or Path.cwd()) / p
            candidates.append(p.parent)
            break
    candidates.append(Path.cwd())
    for c in candidates:
        if (c / "inference.py").is_file():
            return TrainingJobModel(
                row["name"], str(model_dir), str(c.resolve()), "inference.py", image
            )
    from amtune.serve.endpoints import BUILTIN_INFERENCE

    if any(word in image for word in BUILTIN_INFERENCE):
        return TrainingJobModel(row["name"], str(model_dir), None, None, image)
    raise ValueError(
        f"training job {row['name']!r}: no inference.py found (looked in "
        f"{', '.join(str(c) for c in [model_dir / 'code', *candidates])})"
    )


# ====================================================================== a client of the service
class ServiceClient:
    """Calls an endpoint service over HTTP (SageMaker's JSON 1.1 actions and amtune's routes)."""

    def __init__(self, url: str, timeout: float = 70.0) -> None:
        import httpx

        self.url = url.rstrip("/")
        self._http = httpx.Client(timeout=timeout)
        self._finalizer = weakref.finalize(self, self._http.close)

    def close(self) -> None:
        self._finalizer()

    def call(self, action: str, **request: Any) -> dict[str, Any]:
        r = self._http.post(
            self.url + "/",
            content=json.dumps(request, default=str),
            headers={
                "x-amz-target": f"SageMaker.{action}",
                "content-type": "application/x-amz-json-1.1",
            },
        )
        doc: dict[str, Any] = r.json() if r.content else {}
        if r.status_code != 200:
            raise ValueError(f"{action}: {doc.get('message', r.text)}")
        return doc

    def amtune(self, route: str, **request: Any) -> Any:
        r = self._http.post(f"{self.url}/amtune/{route}", content=json.dumps(request, default=str))
        doc = r.json()
        if r.status_code != 200:
            raise ValueError(f"{route}: {doc.get('message', r.text)}")
        return doc

    def invoke(
        self,
        endpoint: str,
        body: bytes,
        content_type: str,
        accept: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        headers = {"content-type": content_type}
        if accept:
            headers["accept"] = accept
        if target_variant:
            headers["x-amzn-sagemaker-target-variant"] = target_variant
        if inference_id:
            headers["x-amzn-sagemaker-inference-id"] = inference_id
        r = self._http.post(
            f"{self.url}/endpoints/{endpoint}/invocations", content=body, headers=headers
        )
        if r.status_code != 200:
            raise ValueError(f"InvokeEndpoint {endpoint}: {r.status_code} {r.text}")
        return r.content, dict(r.headers)

    def wait(self, endpoint: str, timeout: float = 300.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            d = self.call("DescribeEndpoint", EndpointName=endpoint)
            if d["EndpointStatus"] in ("InService", "Failed"):
                if d["EndpointStatus"] == "Failed":
                    raise RuntimeError(f"endpoint {endpoint} failed: {d.get('FailureReason')}")
                return d
            if time.monotonic() > deadline:
                raise TimeoutError(f"endpoint {endpoint} is still {d['EndpointStatus']}")
            time.sleep(0.1)


def service_url(
    db: str | os.PathLike[str] | None = None,
    *,
    start: bool = True,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 60.0,
) -> str:
    """The URL of the store's endpoint service; start a detached one if none runs."""
    path = resolve_db_path(db)
    state = ServeState(path)
    try:
        row = state.service()
        if row is not None and process_exists(int(row["pid"])):
            return (
                f"http://{'127.0.0.1' if row['host'] == '0.0.0.0' else row['host']}:{row['port']}"
            )
        if not start:
            raise NotFoundError(f"no endpoint service runs for {path} (amtune endpoint serve)")
        log_dir = path.parent / "amtune-endpoints"
        log_dir.mkdir(parents=True, exist_ok=True)
        launched = time.time()
        with open(log_dir / "service.log", "ab") as log:
            r = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "amtune.serve",
                    "--detach",
                    "--db",
                    str(path),
                    "--host",
                    host,
                    "--port",
                    str(port),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if r.returncode != 0:
            raise RuntimeError(
                f"the endpoint service did not start (see {log_dir / 'service.log'})"
            )
        deadline = time.monotonic() + timeout
        while True:
            row = state.service()
            if row is not None and row["started"] >= launched and process_exists(int(row["pid"])):
                return f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{row['port']}"
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the endpoint service did not start within {timeout:g} s "
                    f"(see {log_dir / 'service.log'})"
                )
            time.sleep(0.05)
    finally:
        state.close()


# ====================================================================== predictor
class Predictor:
    """A deployed endpoint, like the SageMaker SDK's ``Predictor``.

    ``predict(data)`` sends bytes/str as they are, a dict as JSON and anything else (lists,
    arrays) as CSV; the answer is decoded from JSON when its content type is JSON, else returned
    as bytes. ``last_inference_id`` is the id to post ground truth for (:meth:`feedback`).
    """

    def __init__(self, endpoint_name: str, url: str) -> None:
        self.endpoint_name = endpoint_name
        self.url = url
        self.client = ServiceClient(url)
        self.last_inference_id: str | None = None
        self.last_variant: str | None = None

    def predict(
        self,
        data: Any,
        *,
        content_type: str | None = None,
        accept: str = "application/json",
        target_variant: str | None = None,
        inference_id: str | None = None,
    ) -> Any:
        if isinstance(data, (bytes, str)):
            body = data.encode() if isinstance(data, str) else data
            ct = content_type or "text/csv"
        elif isinstance(data, Mapping):
            body, ct = json.dumps(data).encode(), content_type or "application/json"
        else:
            import io

            import numpy as np

            s = io.StringIO()
            np.savetxt(s, np.atleast_2d(np.asarray(data, dtype=float)), delimiter=",", fmt="%.17g")
            body, ct = s.getvalue().encode(), content_type or "text/csv"
        out, headers = self.client.invoke(
            self.endpoint_name, body, ct, accept, target_variant, inference_id
        )
        self.last_inference_id = headers.get("x-amzn-sagemaker-inference-id")
        self.last_variant = headers.get("x-amzn-invoked-production-variant")
        if headers.get("content-type", "").startswith("application/json"):
            return json.loads(out)
        return out

    def describe(self) -> dict[str, Any]:
        return self.client.call("DescribeEndpoint", EndpointName=self.endpoint_name)

    def update_weights(self, weights: Mapping[str, float]) -> None:
        self.client.call(
            "UpdateEndpointWeightsAndCapacities",
            EndpointName=self.endpoint_name,
            DesiredWeightsAndCapacities=[
                {"VariantName": k, "DesiredWeight": float(v)} for k, v in weights.items()
            ],
        )

    def feedback(self, inference_id: str, ground_truth: Any) -> None:
        self.client.amtune(
            "feedback",
            EndpointName=self.endpoint_name,
            InferenceId=inference_id,
            GroundTruth=ground_truth,
        )

    def online(self, metric: str = "accuracy", confidence: float = 0.95) -> dict[str, Any]:
        doc: dict[str, Any] = self.client.amtune(
            "online", EndpointName=self.endpoint_name, Metric=metric, Confidence=confidence
        )
        return doc

    def metrics(self, metric: str = "Invocations", variant: str | None = None) -> dict[str, Any]:
        dims = [{"Name": "EndpointName", "Value": self.endpoint_name}]
        if variant:
            dims.append({"Name": "VariantName", "Value": variant})
        now = time.time()
        doc: dict[str, Any] = self.client.amtune(
            "metrics",
            MetricName=metric,
            Dimensions=dims,
            StartTime=now - 3600,
            EndTime=now + 60,
            Period=60,
            Statistics=["Sum", "Average", "SampleCount", "Maximum"],
            ExtendedStatistics=["p50", "p99"],
        )
        return doc

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        d = self.describe()
        self.client.call("DeleteEndpoint", EndpointName=self.endpoint_name)
        if delete_endpoint_config:
            self.client.call("DeleteEndpointConfig", EndpointConfigName=d["EndpointConfigName"])


def _ref(state: ServeState, tuning_job: str | None, ref: str) -> str:
    """A training job named in ``--variant``: its name, or within ``tuning_job`` its sequence
    number or ``best`` (the tuning job's best training job)."""
    if tuning_job is None or state.one("SELECT 1 FROM training_jobs WHERE name = ?", (ref,)):
        return ref
    if state.one("SELECT 1 FROM tuning_jobs WHERE name = ?", (tuning_job,)) is None:
        raise NotFoundError(f"no tuning job named {tuning_job!r} in {state.path}")
    if ref == "best":
        return tuning_job  # resolve_model takes a tuning job's best training job
    if ref.isdigit():
        row = state.one(
            "SELECT name FROM training_jobs WHERE tuning_job = ? AND seq = ?",
            (tuning_job, int(ref)),
        )
        if row is None:
            raise NotFoundError(f"tuning job {tuning_job!r} has no training job number {ref}")
        return str(row["name"])
    return ref


def _unique(client: ServiceClient, base: str) -> str:
    names = {m["ModelName"] for m in client.call("ListModels", MaxResults=100000)["Models"]}
    if base not in names:
        return base
    i = 2
    while f"{base}-{i}" in names:
        i += 1
    return f"{base}-{i}"


def deploy(
    job: str | None = None,
    *,
    variants: Mapping[str, tuple[str, float]] | None = None,
    shadows: Mapping[str, str] | None = None,
    endpoint_name: str | None = None,
    initial_instance_count: int = 1,
    instance_type: str = DEFAULT_INSTANCE_TYPE,
    db: str | os.PathLike[str] | None = None,
    url: str | None = None,
    wait: bool = True,
) -> Predictor:
    """Serve a tuning job's best training job (or a training job) at a local endpoint, or several
    training jobs as production variants ``{name: (training_job, weight)}`` plus shadow variants
    ``{name: training_job}``. Returns a :class:`Predictor` once the endpoint is InService.

    With variants, ``job`` (optional) is a tuning job in which the variants' training jobs may also
    be named by sequence number (``"3"``) or ``"best"``; the endpoint is then named after it.
    """
    if job is None and not variants:
        raise ValueError("deploy: give a tuning or training job, or variants")
    if shadows and not variants and job is not None:
        variants = {"AllTraffic": ("best", 1.0)}
    if not isinstance(initial_instance_count, int) or initial_instance_count < 1:
        raise ValueError(
            f"initial_instance_count: must be an integer >= 1, got {initial_instance_count!r}"
        )
    plan: dict[str, tuple[str, float]] = (
        dict(variants) if variants else {"AllTraffic": (str(job), 1.0)}
    )
    context = job if variants else None
    for vname, (_, w) in plan.items():
        if not isinstance(w, (int, float)) or w < 0:
            raise ValueError(f"variants: weight of {vname!r} must be a number >= 0, got {w!r}")
    state = ServeState(db)
    try:
        resolved = {v: resolve_model(state, _ref(state, context, j)) for v, (j, _) in plan.items()}
        shadow_models = {
            v: resolve_model(state, _ref(state, context, j)) for v, j in (shadows or {}).items()
        }
    finally:
        state.close()
    client = ServiceClient(url or service_url(db))
    try:
        return _deploy(
            client,
            job,
            plan,
            resolved,
            shadow_models,
            endpoint_name,
            initial_instance_count,
            instance_type,
            wait,
        )
    finally:
        client.close()


def _deploy(
    client: ServiceClient,
    job: str | None,
    plan: dict[str, tuple[str, float]],
    resolved: dict[str, TrainingJobModel],
    shadow_models: dict[str, TrainingJobModel],
    endpoint_name: str | None,
    initial_instance_count: int,
    instance_type: str,
    wait: bool,
) -> Predictor:
    name = endpoint_name or _unique_endpoint(client, job or next(iter(plan.values()))[0])

    def model(m: TrainingJobModel) -> str:
        mname = _unique(client, m.training_job[:63])
        client.call(
            "CreateModel",
            ModelName=mname,
            PrimaryContainer=m.container(),
            ExecutionRoleArn="arn:aws:iam::123456789012:role/amtune-local",
        )
        return mname

    def pv(vname: str, m: TrainingJobModel, weight: float) -> dict[str, Any]:
        return {
            "VariantName": vname,
            "ModelName": model(m),
            "InitialInstanceCount": initial_instance_count,
            "InstanceType": instance_type,
            "InitialVariantWeight": weight,
        }

    config: dict[str, Any] = {
        "EndpointConfigName": _unique_config(client, name),
        "ProductionVariants": [pv(v, resolved[v], w) for v, (_, w) in plan.items()],
    }
    if shadow_models:
        config["ShadowProductionVariants"] = [pv(v, m, 1.0) for v, m in shadow_models.items()]
    client.call("CreateEndpointConfig", **config)
    client.call(
        "CreateEndpoint", EndpointName=name, EndpointConfigName=config["EndpointConfigName"]
    )
    if wait:
        client.wait(name)
    return Predictor(name, client.url)


def _unique_endpoint(client: ServiceClient, base: str) -> str:
    names = {
        e["EndpointName"] for e in client.call("ListEndpoints", MaxResults=100000)["Endpoints"]
    }
    base = base[:63]
    if base not in names:
        return base
    i = 2
    while f"{base}-{i}" in names:
        i += 1
    return f"{base}-{i}"


def _unique_config(client: ServiceClient, base: str) -> str:
    names = {
        c["EndpointConfigName"]
        for c in client.call("ListEndpointConfigs", MaxResults=100000)["EndpointConfigs"]
    }
    i = 1
    while f"{base}-config-{i}" in names:
        i += 1
    return f"{base}-config-{i}"

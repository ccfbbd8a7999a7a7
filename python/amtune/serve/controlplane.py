"""SageMaker's control plane for models, endpoint configs and endpoints (JSON 1.1 actions).

:meth:`ControlPlane.call` takes an action name (``CreateEndpoint``) and its request document and
returns the response document, or raises :class:`ApiError` (``ValidationException`` with
SageMaker's messages, e.g. ``Could not find model "arn:..."``). Requests and responses are the
documents boto3 sends and parses; times are epoch seconds.

Status transitions, as SageMaker's: CreateEndpoint ``Creating`` -> ``InService`` (or ``Failed``
with a ``FailureReason`` when a model server cannot start); UpdateEndpoint ``Updating`` ->
``InService`` on the new config (or ``RollingBack`` -> ``InService`` on the old one, with the
reason); UpdateEndpointWeightsAndCapacities ``Updating`` -> ``InService`` (weights apply at once,
without restarting any model server; instance counts start or stop servers); DeleteEndpoint
``Deleting`` -> gone. Starting and stopping model servers happens on a background thread.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from amtune.serve.endpoints import EndpointManager
from amtune.serve.jobs_api import JobsApi
from amtune.serve.limits import instance_count_error
from amtune.serve.listing import paged, window
from amtune.serve.request_shapes import ShapeError, check_request, check_tags, service_model
from amtune.serve.state import ServeState
from amtune.serve.transform_jobs_api import TransformJobsApi

#: Where a stored model keeps its CreateModel request as sent, when the service changed what it
#: serves (an S3 code location read from its own directory); DescribeModel answers this one.
DESCRIBED = "amtune:described"


class ApiError(Exception):
    """A SageMaker API error: HTTP ``status``, error ``code`` and message."""

    def __init__(self, message: str, code: str = "ValidationException", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _instance_types() -> list[str] | None:
    """ProductionVariantInstanceType's enum from botocore's service model (None without it)."""
    model = service_model()
    if model is None:  # pragma: no cover - botocore is in the serve extra
        return None
    return list(model["shapes"]["ProductionVariantInstanceType"]["enum"])


#: job actions whose requests are checked against the service model too (CreateTrainingJob with
#: the local exemptions of ``_JOB_RELAX``; CreateHyperParameterTuningJob is not: its own parser
#: checks it, with the model's ResourceLimits and ParameterRanges shapes, and its Tags are checked
#: here)
_SHAPE_CHECKED_JOB_ACTIONS = frozenset(
    {
        "CreateTrainingJob",
        "CreateTransformJob",
        "DescribeTransformJob",
        "ListTransformJobs",
        "StopTransformJob",
        "DescribeTrainingJob",
        "ListTrainingJobs",
        "StopTrainingJob",
        "DescribeHyperParameterTuningJob",
        "ListHyperParameterTuningJobs",
        "StopHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
    }
)


#: rules of the model the job Create actions do not apply, and why: channels, output and
#: checkpoint locations are local paths or file:// URLs here (``S3Uri``'s pattern wants s3:// or
#: https://); a training job runs as one local process whatever its instance type, which is
#: shown to the script only (the SDK's local mode sends ``local``)
_JOB_RELAX: dict[str, dict[str, frozenset[str]]] = {
    "CreateTrainingJob": {
        "S3Uri": frozenset({"pattern"}),
        "TrainingInstanceType": frozenset({"enum"}),
    },
    "CreateTransformJob": {"S3Uri": frozenset({"pattern"})},
}


#: an ARN of a SageMaker resource: its type and name (AddTags needs the resource to exist)
_ARN = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:([a-z-]+)/(.+)")


_SERVERLESS_MEMORY = (1024, 2048, 3072, 4096, 5120, 6144)
_ENDPOINT_STATUSES = (
    "OutOfService",
    "Creating",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "InService",
    "Deleting",
    "Failed",
    "UpdateRollbackFailed",
)


class ControlPlane:
    """The actions; state in :class:`ServeState`, model servers through an
    :class:`~amtune.serve.endpoints.EndpointManager`."""

    def __init__(
        self,
        state: ServeState,
        manager: EndpointManager,
        account: str = "123456789012",
    ) -> None:
        self.state = state
        self.manager = manager
        self.account = account
        self._lock = threading.RLock()
        self._instance_types: list[str] | None = None
        self.calls: Counter[str] = Counter()  # actions answered, by name
        self._actions: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
            "CreateModel": self.create_model,
            "DescribeModel": self.describe_model,
            "ListModels": self.list_models,
            "DeleteModel": self.delete_model,
            "CreateEndpointConfig": self.create_endpoint_config,
            "DescribeEndpointConfig": self.describe_endpoint_config,
            "ListEndpointConfigs": self.list_endpoint_configs,
            "DeleteEndpointConfig": self.delete_endpoint_config,
            "CreateEndpoint": self.create_endpoint,
            "DescribeEndpoint": self.describe_endpoint,
            "ListEndpoints": self.list_endpoints,
            "UpdateEndpoint": self.update_endpoint,
            "UpdateEndpointWeightsAndCapacities": self.update_weights_and_capacities,
            "DeleteEndpoint": self.delete_endpoint,
            "AddTags": self.add_tags,
            "ListTags": self.list_tags,
            "DeleteTags": self.delete_tags,
        }
        # training and tuning jobs: their own lock (a Create waits for its job process to start)
        self.jobs = JobsApi(state.path, ApiError, state.add_tags, account=account)
        self.transform_jobs = TransformJobsApi(state, ApiError, account=account)
        self._job_actions = {**self.jobs.actions(), **self.transform_jobs.actions()}

    @property
    def actions(self) -> list[str]:
        return sorted([*self._actions, *self._job_actions])

    def call(self, action: str, request: Mapping[str, Any], region: str = "us-east-1") -> Any:
        """Answer ``action``: the request is checked first (:func:`check_request` for the hosting
        actions, the training and transform jobs' actions and the tuning jobs' Describe/List/Stop
        actions, ``Tags`` of every Create action), so a bad one is a ``ValidationException`` (a
        ``SerializationException`` for a number no ``integer`` holds) naming the member, and
        nothing is written."""
        req = dict(request)
        try:
            if action in self._job_actions:
                self._check(action, req, action in _SHAPE_CHECKED_JOB_ACTIONS)
                with self._lock:
                    self.calls[action] += 1
                return self._job_actions[action](req, region)
            fn = self._actions.get(action)
            if fn is None:
                raise ApiError(
                    f"The action {action} is not supported by amtune's endpoint service; "
                    f"supported: {', '.join(self.actions)}",
                    code="UnknownOperationException",
                )
            self._check(action, req, True)
            with self._lock:
                self.calls[action] += 1
                return fn(req, region)
        except ShapeError as exc:
            raise ApiError(str(exc), exc.code) from None

    @staticmethod
    def _check(action: str, req: Mapping[str, Any], shape: bool) -> None:
        if action.startswith("Create") and "Tags" in req:
            check_tags(req["Tags"])
        if shape:
            check_request(action, req, _JOB_RELAX.get(action))

    def arn(self, region: str, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{self.account}:{kind}/{name}"

    @staticmethod
    def _name(req: Mapping[str, Any], key: str) -> str:
        v = req.get(key)
        if not isinstance(v, str) or not v:
            raise ApiError(f"1 validation error detected: Value at '{key}' must not be null")
        return v

    # ------------------------------------------------------------------ models
    def create_model(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "ModelName")
        arn = self.arn(region, "model", name)
        if self.state.get_resource("serve_models", name) is not None:
            raise ApiError(f'Cannot create already existing model "{arn}".')
        tags = check_tags(req.pop("Tags", None))
        containers = req.get("Containers")
        # a model without a container is accepted, as moto's tests (test_serve_moto.py) create one
        if req.get("PrimaryContainer") is not None and containers:
            raise ApiError(
                "1 validation error detected: PrimaryContainer, Containers: give one of them "
                "(a container definition, or a list of 1-15), not both"
            )
        given = copy.deepcopy(req)
        for container in [req.get("PrimaryContainer"), *(containers or [])]:
            if isinstance(container, dict):
                self._local_code(container)
        if req != given:  # DescribeModel answers the request as sent, as SageMaker's does
            req[DESCRIBED] = given
        with self.state.transaction():
            self.state.put_resource("serve_models", name, arn, req, time.time())
            self.state.add_tags(arn, tags)
        return {"ModelArn": arn}

    def _local_code(self, container: dict[str, Any]) -> None:
        """An S3 ``SAGEMAKER_SUBMIT_DIRECTORY`` (as a training job's description gives it) is
        the service's working directory when ``SAGEMAKER_PROGRAM`` is there: the rule by which
        CreateTrainingJob found the code of the same request."""
        env = container.get("Environment")
        if not isinstance(env, dict):
            return
        submit, program = env.get("SAGEMAKER_SUBMIT_DIRECTORY"), env.get("SAGEMAKER_PROGRAM")
        if isinstance(submit, str) and submit.startswith("s3://") and isinstance(program, str):
            if (self.jobs.workdir / program).is_file():
                env["SAGEMAKER_SUBMIT_DIRECTORY"] = str(self.jobs.workdir)

    def _model(self, name: str, region: str) -> dict[str, Any]:
        m = self.state.get_resource("serve_models", name)
        if m is None:
            raise ApiError(f'Could not find model "{self.arn(region, "model", name)}".')
        return m

    def describe_model(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        m = self._model(self._name(req, "ModelName"), region)
        sent = m["request"].get(DESCRIBED, m["request"])
        return {**sent, "ModelArn": m["arn"], "CreationTime": m["creation_time"]}

    def list_models(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        rows, token = self._filter(self.state.list_resources("serve_models"), req)
        return token | {
            "Models": [
                {"ModelName": r["name"], "ModelArn": r["arn"], "CreationTime": r["creation_time"]}
                for r in rows
            ]
        }

    def delete_model(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "ModelName")
        m = self._model(name, region)
        self.state.delete_resource("serve_models", name)
        self.state.delete_tags(m["arn"], [t["Key"] for t in self.state.tags(m["arn"])])
        return {}

    # ------------------------------------------------------------------ endpoint configs
    def _validate_variant(self, v: Mapping[str, Any], region: str) -> None:
        self._model(self._name(v, "ModelName"), region)
        self._name(v, "VariantName")
        it = v.get("InstanceType")
        if it is not None:
            if self._instance_types is None:
                self._instance_types = _instance_types() or []
            if self._instance_types and it not in self._instance_types:
                raise ApiError(
                    f"1 validation error detected: Value '{it}' at 'instanceType' failed to "
                    f"satisfy constraint: Member must satisfy enum value set: "
                    f"[{', '.join(self._instance_types)}]"
                )
        sc = v.get("ServerlessConfig")
        if sc is not None and sc.get("MemorySizeInMB") not in _SERVERLESS_MEMORY:
            raise ApiError(
                f"1 validation error detected: Value '{sc.get('MemorySizeInMB')}' at "
                f"'MemorySizeInMB' failed to satisfy constraint: Member must satisfy enum value "
                f"set: [{', '.join(map(str, _SERVERLESS_MEMORY))}]"
            )
        if sc is None:
            n = v.get("InitialInstanceCount", 1)
            if not isinstance(n, int) or n < 1:
                raise ApiError(
                    f"Value '{n}' at 'initialInstanceCount' failed to satisfy constraint: "
                    f"Member must have value greater than or equal to 1"
                )
        w = v.get("InitialVariantWeight", 1.0)
        if not isinstance(w, (int, float)) or w < 0:
            raise ApiError(
                f"Value '{w}' at 'initialVariantWeight' failed to satisfy constraint: Member "
                f"must have value greater than or equal to 0"
            )

    def create_endpoint_config(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointConfigName")
        arn = self.arn(region, "endpoint-config", name)
        if self.state.get_resource("serve_endpoint_configs", name) is not None:
            raise ApiError(f'Cannot create already existing endpoint configuration "{arn}".')
        variants = req.get("ProductionVariants") or []
        if not variants:
            raise ApiError("ProductionVariants: at least one production variant is required")
        shadows = req.get("ShadowProductionVariants") or []
        names = [v.get("VariantName") for v in (*variants, *shadows)]
        dup = sorted({n for n in names if names.count(n) > 1 and n is not None})
        if dup:
            raise ApiError(f"Variant names must be unique; repeated: {dup}")
        if len(shadows) > 1:
            # botocore's documentation of ShadowProductionVariants: "you can only specify ...
            # one variant for ShadowProductionVariants"
            raise ApiError(
                f"ShadowProductionVariants: at most one shadow variant, got {len(shadows)}"
            )
        for key, group in (("ProductionVariants", variants), ("ShadowProductionVariants", shadows)):
            for i, v in enumerate(group, 1):
                if v.get("InstanceType") is None and v.get("ServerlessConfig") is None:
                    raise ApiError(
                        f"1 validation error detected: {key}.{i}.InstanceType: required unless "
                        f"the variant has a ServerlessConfig"
                    )
                both = [k for k in ("InstanceType", "InitialInstanceCount") if k in v]
                if v.get("ServerlessConfig") is not None and both:
                    # a ServerlessConfig is "a serverless endpoint configuration instead of an
                    # instance-based endpoint configuration" (ProductionVariant.ServerlessConfig)
                    raise ApiError(
                        f"{key}.{i}: a variant with a ServerlessConfig has no "
                        f"{' or '.join(both)} (serverless instead of instance-based)"
                    )
        for v in (*variants, *shadows):
            self._validate_variant(v, region)
        self._check_capacity(req)
        tags = check_tags(req.pop("Tags", None))
        with self.state.transaction():
            self.state.put_resource("serve_endpoint_configs", name, arn, req, time.time())
            self.state.add_tags(arn, tags)
        return {"EndpointConfigArn": arn}

    def _check_capacity(self, config: Mapping[str, Any]) -> None:
        """Each variant's ``InitialInstanceCount`` within the local cap (model servers are
        processes here: :data:`~amtune.serve.endpoints.MAX_INSTANCES_PER_VARIANT`)."""
        if not self.manager.serve_models:
            return
        for key in ("ProductionVariants", "ShadowProductionVariants"):
            for i, v in enumerate(config.get(key) or (), 1):
                if isinstance(v, Mapping) and v.get("ServerlessConfig") is None:
                    n = v.get("InitialInstanceCount", 1)
                    msg = instance_count_error(n, f"{key}.{i}.InitialInstanceCount")
                    if msg is not None:
                        raise ApiError(msg)

    def _config(self, name: str, region: str) -> dict[str, Any]:
        c = self.state.get_resource("serve_endpoint_configs", name)
        if c is None:
            arn = self.arn(region, "endpoint-config", name)
            raise ApiError(f'Could not find endpoint configuration "{arn}".')
        return c

    def describe_endpoint_config(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        c = self._config(self._name(req, "EndpointConfigName"), region)
        return {**c["request"], "EndpointConfigArn": c["arn"], "CreationTime": c["creation_time"]}

    def list_endpoint_configs(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        rows, token = self._filter(self.state.list_resources("serve_endpoint_configs"), req)
        return token | {
            "EndpointConfigs": [
                {
                    "EndpointConfigName": r["name"],
                    "EndpointConfigArn": r["arn"],
                    "CreationTime": r["creation_time"],
                }
                for r in rows
            ]
        }

    def delete_endpoint_config(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointConfigName")
        c = self._config(name, region)
        self.state.delete_resource("serve_endpoint_configs", name)
        self.state.delete_tags(c["arn"], [t["Key"] for t in self.state.tags(c["arn"])])
        return {}

    # ------------------------------------------------------------------ endpoints
    def _endpoint(self, name: str, region: str) -> dict[str, Any]:
        e = self.state.get_endpoint(name)
        if e is None:
            raise ApiError(f'Could not find endpoint "{self.arn(region, "endpoint", name)}".')
        return e

    def _models_of(self, config: Mapping[str, Any], region: str) -> dict[str, dict[str, Any]]:
        req = config["request"]
        out = {}
        for v in (*req.get("ProductionVariants", []), *req.get("ShadowProductionVariants", [])):
            out[v["ModelName"]] = self._model(v["ModelName"], region)["request"]
        return out

    def create_endpoint(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointName")
        arn = self.arn(region, "endpoint", name)
        if self.state.get_endpoint(name) is not None:
            raise ApiError(f'Cannot create already existing endpoint "{arn}".')
        tags = check_tags(req.get("Tags"))
        config = self._config(self._name(req, "EndpointConfigName"), region)
        self._check_capacity(config["request"])
        models = self._models_of(config, region)
        now = time.time()
        variants, shadows = self.manager.describe_variants(config["request"], models, now)
        # the row, its weights and tags at once, after everything that can refuse the request
        with self.state.transaction():
            self.state.insert_endpoint(
                {
                    "name": name,
                    "arn": arn,
                    "config_name": config["name"],
                    "status": "Creating",
                    "creation_time": now,
                    "last_modified_time": now,
                    "variants": variants,
                    "shadow_variants": shadows,
                }
            )
            self.state.record_weights(
                now,
                name,
                {v["VariantName"]: v["CurrentWeight"] for v in variants},
                "CreateEndpoint",
            )
            self.state.add_tags(arn, tags)
        try:
            self.manager.create(name, config["request"], models)
        except BaseException:
            with self.state.transaction():
                self.state.delete_endpoint(name)
                self.state.delete_tags(arn, [t["Key"] for t in tags])
            raise
        return {"EndpointArn": arn}

    def describe_endpoint(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        e = self._endpoint(self._name(req, "EndpointName"), region)
        out: dict[str, Any] = {
            "EndpointName": e["name"],
            "EndpointArn": e["arn"],
            "EndpointConfigName": e["config_name"],
            "ProductionVariants": e["variants"],
            "EndpointStatus": e["status"],
            "CreationTime": e["creation_time"],
            "LastModifiedTime": e["last_modified_time"],
        }
        if e["shadow_variants"]:
            out["ShadowProductionVariants"] = e["shadow_variants"]
        if e["failure_reason"]:
            out["FailureReason"] = e["failure_reason"]
        return out

    def list_endpoints(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        status = req.get("StatusEquals")
        if status is not None and status not in _ENDPOINT_STATUSES:
            raise ApiError(
                f"Value '{status}' at 'statusEquals' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(_ENDPOINT_STATUSES)}]"
            )
        rows = [r for r in self.state.list_endpoints() if status is None or r["status"] == status]
        rows, token = self._filter(rows, req)
        return token | {
            "Endpoints": [
                {
                    "EndpointName": r["name"],
                    "EndpointArn": r["arn"],
                    "CreationTime": r["creation_time"],
                    "LastModifiedTime": r["last_modified_time"],
                    "EndpointStatus": r["status"],
                }
                for r in rows
            ]
        }

    def update_endpoint(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointName")
        e = self._endpoint(name, region)
        if e["status"] != "InService":
            raise ApiError(
                f'Cannot update in-progress endpoint "{e["arn"]}" (its status is {e["status"]}).'
            )
        config = self._config(self._name(req, "EndpointConfigName"), region)
        self._check_capacity(config["request"])
        models = self._models_of(config, region)
        self.state.update_endpoint(
            name, status="Updating", failure_reason=None, last_modified_time=time.time()
        )
        self.manager.update(name, config["name"], config["request"], models)
        return {"EndpointArn": e["arn"]}

    def update_weights_and_capacities(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointName")
        e = self._endpoint(name, region)
        desired = req.get("DesiredWeightsAndCapacities") or []
        if not desired:
            raise ApiError(
                "1 validation error detected: Value '[]' at 'DesiredWeightsAndCapacities' failed "
                "to satisfy constraint: Member must have length greater than or equal to 1"
            )
        for i, d in enumerate(desired, 1):
            if d.get("DesiredWeight") is None and d.get("DesiredInstanceCount") is None:
                raise ApiError(
                    f"DesiredWeightsAndCapacities.{i}: give DesiredWeight, DesiredInstanceCount "
                    f"or both for the variant {d.get('VariantName')!r}"
                )
        seen: set[str] = set()
        for d in desired:
            vn = d.get("VariantName")
            if vn in seen:
                raise ApiError(f'The variant name "{vn}" was non-unique within the request.')
            seen.add(vn)
        known = {v["VariantName"] for v in e["variants"]}
        missing = [d.get("VariantName") for d in desired if d.get("VariantName") not in known]
        if missing:
            raise ApiError(
                f'The variant name(s) "{", ".join(map(str, missing))}" is/are not present within '
                f'endpoint configuration "{e["config_name"]}".'
            )
        for d in desired:
            w = d.get("DesiredWeight")
            if w is not None and (not isinstance(w, (int, float)) or w < 0):
                raise ApiError(
                    f"Value '{w}' at 'desiredWeight' failed to satisfy constraint: Member must "
                    f"have value greater than or equal to 0"
                )
            n = d.get("DesiredInstanceCount")
            if n is not None and (not isinstance(n, int) or n < 0):
                raise ApiError(
                    f"Value '{n}' at 'desiredInstanceCount' failed to satisfy constraint: "
                    f"Member must have value greater than or equal to 0"
                )
        for i, d in enumerate(desired, 1):
            where = f"DesiredWeightsAndCapacities.{i}.DesiredInstanceCount"
            msg = instance_count_error(d.get("DesiredInstanceCount"), where)
            if msg is not None and self.manager.serve_models:
                raise ApiError(msg)
        if e["status"] != "InService":
            raise ApiError(
                f'Cannot update in-progress endpoint "{e["arn"]}" (its status is {e["status"]}).'
            )
        self.manager.set_weights_and_capacities(name, desired, reason="UpdateEndpointWeights")
        return {"EndpointArn": e["arn"]}

    def delete_endpoint(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        name = self._name(req, "EndpointName")
        e = self._endpoint(name, region)
        self.state.update_endpoint(name, status="Deleting", last_modified_time=time.time())
        self.state.delete_tags(e["arn"], [t["Key"] for t in self.state.tags(e["arn"])])
        self.manager.delete(name)
        return {}

    # ------------------------------------------------------------------ tags
    def add_tags(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        arn = self._name(req, "ResourceArn")
        tags = check_tags(req.get("Tags"))
        if not self._exists(arn):
            # SageMaker: a ValidationException for a resource that does not exist (or was deleted)
            raise ApiError(f'Could not find resource "{arn}".')
        self.state.add_tags(arn, tags)
        return {"Tags": tags}

    def _exists(self, arn: str) -> bool:
        """Whether ``arn`` names a model, endpoint config, endpoint, training, tuning or
        transform job in the store."""
        m = _ARN.fullmatch(arn)
        if m is None:
            return False
        kind, name = m.groups()
        if kind == "model":
            return self.state.get_resource("serve_models", name) is not None
        if kind == "endpoint-config":
            return self.state.get_resource("serve_endpoint_configs", name) is not None
        if kind == "endpoint":
            e = self.state.get_endpoint(name)
            return e is not None and e["status"] != "Deleting"
        if kind == "transform-job":
            return self.state.get_transform_job(name) is not None
        if kind == "training-job":
            from amtune.sagemaker.commands import has_training_job

            return has_training_job(self.jobs.store, name)
        if kind == "hyper-parameter-tuning-job":
            return self.jobs.store.has_tuning_job(name)
        return False

    def list_tags(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        arn = self._name(req, "ResourceArn")
        tags = self.state.tags(arn)
        start, limit = window(req, default=50)
        page = tags[start : start + limit]
        out: dict[str, Any] = {"Tags": page}
        if start + limit < len(tags):
            out["NextToken"] = str(start + limit)
        return out

    def delete_tags(self, req: dict[str, Any], region: str) -> dict[str, Any]:
        self.state.delete_tags(self._name(req, "ResourceArn"), req.get("TagKeys") or [])
        return {}

    # ------------------------------------------------------------------ listing
    @staticmethod
    def _filter(
        rows: list[dict[str, Any]], req: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The List actions' filters and pages; newest first when a ``SortBy`` is given."""
        return paged(rows, req, "Descending" if "SortBy" in req else "Ascending")

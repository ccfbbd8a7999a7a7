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

import io
import json
import os
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amtune.evaluation.models import kfold_models
from amtune.sagemaker.names import (
    DEFAULT_HOSTING_INSTANCE_TYPE,
    LOCAL_ROLE,
    Tags,
    format_tags,
    hosting_instance_type,
    name_from_base,
    production_variant,
)
from amtune.serve.inference_code import (
    FRAMEWORKS,
    find_inference_code,
    framework_name,
    hp_text,
)
from amtune.serve.limits import MAX_INSTANCES_PER_VARIANT
from amtune.serve.serializers import (
    AutoDeserializer,
    AutoSerializer,
    BytesDeserializer,
    CSVDeserializer,
    IdentitySerializer,
    JSONDeserializer,
    JSONSerializer,
    LibSVMSerializer,
    NumpyDeserializer,
    NumpySerializer,
    accept_of,
    content_type_of,
)
from amtune.serve.state import ServeState
from amtune.store import NotFoundError, resolve_db_path
from amtune.tuning.liveness import process_exists

DEFAULT_INSTANCE_TYPE = DEFAULT_HOSTING_INSTANCE_TYPE


@dataclass(frozen=True)
class TrainingJobModel:
    """What serving a training job needs; ``framework`` is the estimator's (``PyTorch``, ...) or
    None."""

    training_job: str
    model_dir: str
    submit_dir: str | None
    program: str | None
    image: str
    framework: str | None = None

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


def _builtin_algorithm(description: Mapping[str, Any]) -> Any:
    """The built-in algorithm a training job ran (from its own TrainingImage, else its training
    command), or None."""
    from amtune.sagemaker.requests import builtin_algorithms

    builtin = builtin_algorithms()
    return None if builtin is None else builtin.algorithm_for_job_config(description)


def resolve_model(state: ServeState, name: str, framework: str | None = None) -> TrainingJobModel:
    """The model of training job ``name``, or of the best training job of tuning job ``name``.

    The inference code, in this order: ``model/code/inference.py``; a built-in algorithm's own
    inference module (the job's ``TrainingImage``, else its training command, names the
    algorithm); ``inference.py`` in the training code's directories (the estimator's
    ``source_dir``, the tuning job's working directory, the training script's directory); the
    training script itself for a PyTorch, SKLearn or XGBoost estimator (``framework``, else the
    job's ``sagemaker_estimator_class_name``); ``inference.py`` in the current directory.
    """
    from amtune.sagemaker.training import describe_training_job
    from amtune.store import Store

    row = state.one("SELECT * FROM training_jobs WHERE name = ?", (name,))
    if row is None:
        tj = state.one("SELECT name FROM tuning_jobs WHERE name = ?", (name,))
        if tj is None:
            raise NotFoundError(f"no tuning job or training job named {name!r} in {state.path}")
        from amtune.analytics import describe

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
    # what the training job itself records: its request, or its tuning job's definition
    with Store(state.path) as store:
        desc = describe_training_job(store, row["name"])
    spec = desc.get("AlgorithmSpecification") or {}
    hps = desc.get("HyperParameters") or {}
    if framework is None:
        framework = framework_name(
            hp_text(hps.get("sagemaker_estimator_class_name")),
            hp_text(hps.get("sagemaker_estimator_module")),
        )
    tuning = state.one("SELECT config FROM tuning_jobs WHERE name = ?", (row["tuning_job"],))
    cfg: dict[str, Any] = json.loads(tuning["config"]) if tuning else {}
    image = str(spec.get("TrainingImage") or "amtune/script-mode:local")

    def found(submit_dir: str | None, program: str | None) -> TrainingJobModel:
        return TrainingJobModel(row["name"], str(model_dir), submit_dir, program, image, framework)

    if (model_dir / "code" / "inference.py").is_file():
        return found(None, None)
    algo = _builtin_algorithm(desc)
    if algo is not None:
        if not spec.get("TrainingImage"):  # a tuning job of an Estimator records the command
            from amtune import image_uris

            image = image_uris.retrieve(algo.name)
        return found(None, None)
    code = find_inference_code(desc, cfg, model_dir, framework)
    if not code.found:
        raise ValueError(code.missing(row["name"]))
    return found(code.submit_dir, code.program)


# ====================================================================== errors of InvokeEndpoint
if TYPE_CHECKING:

    class _ClientError(Exception):
        pass
else:
    try:  # the serve extra brings botocore: code catching botocore's ClientError keeps working
        from botocore.exceptions import ClientError as _ClientError
    except ImportError:  # pragma: no cover - without botocore, a plain exception
        _ClientError = Exception


class ServiceError(_ClientError, ValueError):
    """A call of the endpoint service that failed, shaped as boto3 raises it: a botocore
    ``ClientError`` (when botocore is installed) and a ``ValueError``, with
    ``response["Error"]["Code"]`` and ``["Message"]`` (the service's, as boto3 shows them), the
    error's other fields in ``response``, and ``operation_name``.

    >>> e = ServiceError({"Error": {"Code": "ValidationException", "Message": "no"}}, "DeleteModel")
    >>> str(e), isinstance(e, ValueError)
    ('An error occurred (ValidationException) when calling the DeleteModel operation: no', True)
    """

    def __init__(self, error_response: Mapping[str, Any], operation_name: str) -> None:
        error = error_response.get("Error") or {}
        Exception.__init__(
            self,
            f"An error occurred ({error.get('Code', 'Unknown')}) when calling the "
            f"{operation_name} operation: {error.get('Message', 'Unknown')}",
        )
        self.response = dict(error_response)
        self.operation_name = operation_name


class ControlPlaneError(ServiceError):
    """A control-plane action (CreateModel, DescribeEndpoint, DeleteEndpoint, ...) that the
    service refused: the ``ClientError`` boto3's ``sagemaker`` client raises for it (same code,
    e.g. ``ValidationException`` for ``Could not find endpoint ...``, and message), also a
    ``ValueError``."""


class InvokeEndpointError(ServiceError):
    """An InvokeEndpoint call that failed, shaped as boto3 raises it: a botocore ``ClientError``
    (when botocore is installed; also a ``ValueError``) with ``response["Error"]["Code"]`` and
    ``["Message"]``, the error's other fields (``OriginalStatusCode``, ...) in ``response``, and
    ``operation_name`` ``"InvokeEndpoint"``."""


class ModelError(InvokeEndpointError):
    """The model answered with a status other than 200 (SageMaker Runtime's ``ModelError``, HTTP
    424): ``response["OriginalStatusCode"]`` and ``["OriginalMessage"]`` hold its answer, as in
    the ``ModelError`` boto3 raises."""


def _error_doc(body: bytes) -> dict[str, Any]:
    """An error answer's JSON object, or ``{"message": <its text>}`` when it is not one."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    return doc if isinstance(doc, dict) else {"message": body.decode("utf-8", "replace")}


def invoke_error(status: int, headers: Mapping[str, str], body: bytes) -> InvokeEndpointError:
    """The exception for an InvokeEndpoint answer with HTTP ``status`` (not 200)."""
    doc = _error_doc(body)
    code = headers.get("x-amzn-errortype", "").split(":", 1)[0] or (
        "ValidationError" if 400 <= status < 500 else "InternalFailure"
    )
    fields = {k: v for k, v in doc.items() if k not in ("message", "Message")}
    response = {
        "Error": {"Code": code, "Message": str(doc.get("message", doc.get("Message", "")))},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": dict(headers)},
        **fields,
    }
    cls = ModelError if code == "ModelError" else InvokeEndpointError
    return cls(response, "InvokeEndpoint")


def control_plane_error(
    action: str, status: int, headers: Mapping[str, str], body: bytes
) -> ControlPlaneError:
    """The exception for a control-plane answer with HTTP ``status`` (not 200): the code from
    the JSON body's ``__type`` (else the ``x-amzn-errortype`` header), as botocore reads it."""
    doc = _error_doc(body)
    code = str(doc.get("__type") or headers.get("x-amzn-errortype", "")).split(":", 1)[0]
    code = code.rsplit("#", 1)[-1] or ("ValidationException" if status < 500 else "InternalFailure")
    response = {
        "Error": {"Code": code, "Message": str(doc.get("message", doc.get("Message", "")))},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": dict(headers)},
    }
    return ControlPlaneError(response, action)


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
        if r.status_code != 200:
            raise control_plane_error(action, r.status_code, r.headers, r.content)
        doc: dict[str, Any] = r.json() if r.content else {}
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
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        headers = {**(extra_headers or {}), "content-type": content_type}
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
            raise invoke_error(r.status_code, r.headers, r.content)
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
def _predictor_url(owner: str, sagemaker_session: Any, url: str | None) -> tuple[str, bool]:
    """The endpoint service's URL of a predictor, and whether it was built with the SDK's
    signature (a Session or nothing instead of a URL)."""
    if url is not None:
        if sagemaker_session is not None:
            raise TypeError(f"{owner}: give sagemaker_session or url, not both")
        return url, False
    if sagemaker_session is None:
        return service_url(None), True  # the default Session's service (./amtune.db)
    if isinstance(sagemaker_session, str):
        return sagemaker_session, False  # amtune's form: Predictor(endpoint_name, url)
    session_url = getattr(sagemaker_session, "url", None)  # amtune's Session starts it on demand
    if not isinstance(session_url, str):
        raise TypeError(
            f"{owner}: sagemaker_session must be an amtune Session (amtune.Session(), whose "
            f"endpoint service the predictor calls), None or the service's URL; got "
            f"{type(sagemaker_session).__name__}"
        )
    return session_url, True


class Predictor:
    """A deployed endpoint, like the SageMaker SDK's ``Predictor``.

    Two signatures, told apart by the second argument:

    - the SDK's, ``Predictor(endpoint_name, sagemaker_session=None, serializer=None,
      deserializer=None, component_name=None)``, e.g. to reconnect to an endpoint that exists:
      the endpoint service of the amtune ``Session`` given (started on demand, as the Session
      starts it), or without one of the default Session (``./amtune.db``);
    - amtune's, ``Predictor(endpoint_name, url)`` (also ``url=``): the service at ``url``.

    ``serializer`` turns ``predict``'s data into the request body and names its content type;
    ``deserializer`` names the ``Accept`` types and decodes the answer
    (:mod:`amtune.serve.serializers`, or the SDK's own objects). The framework predictors
    (:class:`PyTorchPredictor`, ...) default to the SDK's serializers whichever the signature.
    A plain ``Predictor`` defaults to the SDK's when built with the SDK's signature:
    ``IdentitySerializer`` (bytes or str sent as they are, ``application/octet-stream``) and
    ``BytesDeserializer`` (``Accept: */*``, the answer's bytes). Built with a URL it defaults
    to amtune's: bytes/str as they are, a dict as JSON and anything else (lists, arrays of 1 or 2
    dimensions) as CSV; ``Accept: */*`` (the model answers in its own default type), and the
    answer is decoded from JSON when its content type is JSON, else returned as bytes. The
    SDK's deploy methods (``Estimator.deploy``, ``Model.deploy``, the tuner of an estimator)
    give a plain ``Predictor`` the SDK's deserializer (:func:`deploy`'s ``sdk_defaults``): the
    answer's bytes.

    ``component_name`` (an inference component) must be None: amtune serves none. The SDK's
    removed keywords ``content_type`` and ``accept`` are accepted with a ``DeprecationWarning``
    (no-ops, as in the SDK), ``endpoint`` for ``endpoint_name`` too; any other keyword is
    ignored with a notice. A failed invocation raises :class:`ModelError` (the model's own
    error) or :class:`InvokeEndpointError`, as boto3 raises them. ``last_inference_id`` is the
    id to post ground truth for (:meth:`feedback`).
    """

    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: Any = None,
        deserializer: Any = None,
        component_name: str | None = None,
        *,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        endpoint_name = self._sdk_keywords(owner, endpoint_name, kwargs)
        if component_name is not None:
            raise ValueError(
                f"{owner}: component_name={component_name!r}: inference components are not "
                f"supported by amtune's endpoint service"
            )
        self.url, sdk = _predictor_url(owner, sagemaker_session, url)
        self.endpoint_name = endpoint_name
        self.component_name = component_name
        #: the Session given (None when built with a URL or without a Session)
        self.sagemaker_session = None if isinstance(sagemaker_session, str) else sagemaker_session
        self.client = ServiceClient(self.url)
        for arg, obj, method in (
            ("serializer", serializer, "serialize"),
            ("deserializer", deserializer, "deserialize"),
        ):
            if obj is not None and not callable(getattr(obj, method, None)):
                raise TypeError(
                    f"{arg}: must be an object with a {method}() method (amtune.{arg}s or the "
                    f"SDK's, e.g. CSVSerializer()), got {obj!r}"
                )
        self.serializer = self._default_serializer(sdk) if serializer is None else serializer
        self.deserializer = (
            self._default_deserializer(sdk) if deserializer is None else deserializer
        )
        self.last_inference_id: str | None = None
        self.last_variant: str | None = None

    @staticmethod
    def _sdk_keywords(owner: str, endpoint_name: str, kwargs: dict[str, Any]) -> str:
        """The SDK's keywords of ``**kwargs``: ``endpoint`` (renamed ``endpoint_name``),
        ``content_type`` and ``accept`` (removed: no-ops), each with a ``DeprecationWarning``
        as the SDK warns; a notice names any other, ignored as the SDK ignores it."""
        import warnings

        if "endpoint" in kwargs:
            warnings.warn(
                "endpoint has been renamed in sagemaker>=2: use endpoint_name",
                DeprecationWarning,
                stacklevel=3,
            )
            endpoint_name = kwargs.pop("endpoint")
        for name in ("content_type", "accept"):
            if name in kwargs:
                kwargs.pop(name)
                warnings.warn(
                    f"{name} is a no-op in sagemaker>=2: the serializer names the content type "
                    f"and the deserializer the accept types",
                    DeprecationWarning,
                    stacklevel=3,
                )
        if kwargs:
            print(
                f"amtune: notice: {owner}: no local meaning, ignored: {', '.join(sorted(kwargs))}",
                file=sys.stderr,
            )
        return endpoint_name

    def _default_serializer(self, sdk: bool) -> Any:
        return IdentitySerializer() if sdk else AutoSerializer()

    def _default_deserializer(self, sdk: bool) -> Any:
        return BytesDeserializer() if sdk else AutoDeserializer()

    @property
    def endpoint(self) -> str:
        """The SDK v1 name of :attr:`endpoint_name` (v2 keeps it, deprecated)."""
        import warnings

        warnings.warn(
            "The endpoint attribute has been renamed in sagemaker>=2: use endpoint_name",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.endpoint_name

    @property
    def content_type(self) -> str:
        """The request's content type (the serializer's)."""
        return content_type_of(self.serializer)

    @property
    def accept(self) -> tuple[str, ...]:
        """The accepted content types (the deserializer's)."""
        return tuple(a.strip() for a in accept_of(self.deserializer).split(","))

    def predict(
        self,
        data: Any,
        initial_args: Mapping[str, Any] | None = None,
        target_model: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        *,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> Any:
        """The endpoint's answer to ``data`` (serialized by the serializer, decoded by the
        deserializer). ``initial_args`` may set ``ContentType``, ``Accept``, ``TargetVariant``,
        ``InferenceId`` and ``CustomAttributes``, as the SDK's. ``target_model`` (multi-model
        endpoints) is not supported."""
        if target_model is not None:
            raise ValueError("predict: target_model: multi-model endpoints are not supported")
        args = dict(initial_args or {})
        ser = self.serializer
        body = ser.serialize(data)
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = bytes(body)
        chooser = getattr(ser, "content_type_for", None)
        ct = (
            content_type
            or args.get("ContentType")
            or (chooser(data) if callable(chooser) else content_type_of(ser))
        )
        acc = accept or args.get("Accept") or accept_of(self.deserializer)
        headers: dict[str, str] = {}
        attrs = custom_attributes or args.get("CustomAttributes")
        if attrs:
            headers["x-amzn-sagemaker-custom-attributes"] = str(attrs)
        out, rheaders = self.client.invoke(
            self.endpoint_name,
            body,
            str(ct),
            str(acc),
            target_variant or args.get("TargetVariant"),
            inference_id or args.get("InferenceId"),
            headers,
        )
        self.last_inference_id = rheaders.get("x-amzn-sagemaker-inference-id")
        self.last_variant = rheaders.get("x-amzn-invoked-production-variant")
        return self.deserializer.deserialize(io.BytesIO(out), rheaders.get("content-type"))

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

    def delete_model(self) -> None:
        """Delete the models of the endpoint's config (production and shadow variants), as the
        SDK's ``Predictor.delete_model``; call it before :meth:`delete_endpoint`, which deletes
        the config. Raises ``RuntimeError`` naming the models that could not be deleted."""
        config = self.client.call(
            "DescribeEndpointConfig", EndpointConfigName=self.describe()["EndpointConfigName"]
        )
        variants = [*config["ProductionVariants"], *config.get("ShadowProductionVariants", [])]
        failed = []
        for name in dict.fromkeys(v["ModelName"] for v in variants):
            try:
                self.client.call("DeleteModel", ModelName=name)
            except ValueError:
                failed.append(name)
        if failed:
            raise RuntimeError(
                f"One or more models cannot be deleted, please retry. \nFailed models: "
                f"{', '.join(failed)}"
            )

    def update_endpoint(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        accelerator_type: str | None = None,
        model_name: str | None = None,
        tags: Any = None,
        kms_key: str | None = None,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        max_instance_count: int | None = None,
        min_instance_count: int | None = None,
        wait: bool = True,
    ) -> None:
        """Move the endpoint to a new endpoint config, as the SDK's
        ``Predictor.update_endpoint``: the current config copied
        (:func:`copy_endpoint_config`, named ``<current config>-<time>``)
        with the changes given, then UpdateEndpoint (with ``wait``, until InService).

        With ``initial_instance_count``, ``instance_type``, ``accelerator_type`` or
        ``model_name``, the new config has ONE variant (``AllTraffic``) of ``model_name`` (an
        existing model, e.g. from ``Model.create()``), or of the endpoint's model when it has
        only one; ``initial_instance_count`` and ``instance_type`` are then both required, and
        a ``ValueError`` names what is missing, as in the SDK. Otherwise the variants are kept
        and only ``tags``, ``kms_key`` and ``data_capture_config_dict`` change.

        >>> Predictor.update_endpoint.__defaults__[-1]  # wait
        True
        """
        pvs = None
        if initial_instance_count or instance_type or accelerator_type or model_name:
            if instance_type is None or initial_instance_count is None:
                raise ValueError(
                    f"Missing initial_instance_count and/or instance_type: both are required to "
                    f"change the endpoint's model or instances. Provided values: "
                    f"initial_instance_count={initial_instance_count}, "
                    f"instance_type={instance_type}, accelerator_type={accelerator_type}, "
                    f"model_name={model_name}."
                )
            if (
                isinstance(initial_instance_count, int)
                and initial_instance_count > MAX_INSTANCES_PER_VARIANT
            ):
                raise ValueError(
                    f"initial_instance_count: at most {MAX_INSTANCES_PER_VARIANT} "
                    f"(MAX_INSTANCES_PER_VARIANT: each local instance is a model-server process "
                    f"on this machine), got {initial_instance_count}"
                )
            if model_name is None:
                current = self._model_names()
                if len(current) > 1:
                    raise ValueError(
                        f"Unable to choose a default model for a new EndpointConfig because the "
                        f"endpoint has multiple models: {', '.join(current)}; give model_name"
                    )
                model_name = current[0]
            scaling = {
                k: v
                for k, v in (
                    ("MaxInstanceCount", max_instance_count),
                    ("MinInstanceCount", min_instance_count),
                )
                if v
            }
            pvs = [
                production_variant(
                    model_name,
                    hosting_instance_type(instance_type),
                    initial_instance_count,
                    accelerator_type=accelerator_type,
                    managed_instance_scaling=scaling or None,
                )
            ]
        current_config = self.describe()["EndpointConfigName"]
        new_config = name_from_base(current_config)
        copy_endpoint_config(
            self.client.call,
            current_config,
            new_config,
            new_tags=tags,
            new_kms_key=kms_key,
            new_data_capture_config_dict=data_capture_config_dict,
            new_production_variants=pvs,
        )
        self.client.call(
            "UpdateEndpoint", EndpointName=self.endpoint_name, EndpointConfigName=new_config
        )
        if wait:
            self.client.wait(self.endpoint_name)

    def _model_names(self) -> list[str]:
        """The models of the endpoint's production variants (its current config)."""
        config = self.client.call(
            "DescribeEndpointConfig", EndpointConfigName=self.describe()["EndpointConfigName"]
        )
        return [v["ModelName"] for v in config["ProductionVariants"] if v.get("ModelName")]


class PyTorchPredictor(Predictor):
    """``sagemaker.pytorch.PyTorchPredictor``: NumPy arrays in and out (``application/x-npy``).
    Its arguments are :class:`Predictor`'s (the SDK's, or amtune's ``(endpoint_name, url)``)."""

    def _default_serializer(self, sdk: bool) -> Any:
        return NumpySerializer()

    def _default_deserializer(self, sdk: bool) -> Any:
        return NumpyDeserializer()


class SKLearnPredictor(PyTorchPredictor):
    """``sagemaker.sklearn.SKLearnPredictor``: NumPy arrays in and out (``application/x-npy``).
    Its arguments are :class:`Predictor`'s."""


class XGBoostPredictor(Predictor):
    """``sagemaker.xgboost.XGBoostPredictor``: LibSVM text in, CSV rows (lists of strings) out.
    Its arguments are :class:`Predictor`'s."""

    def _default_serializer(self, sdk: bool) -> Any:
        return LibSVMSerializer()

    def _default_deserializer(self, sdk: bool) -> Any:
        return CSVDeserializer()


class _JSONPredictor(Predictor):
    """JSON in and out."""

    def _default_serializer(self, sdk: bool) -> Any:
        return JSONSerializer()

    def _default_deserializer(self, sdk: bool) -> Any:
        return JSONDeserializer()


class TensorFlowPredictor(_JSONPredictor):
    """``sagemaker.tensorflow.TensorFlowPredictor(endpoint_name, sagemaker_session=None,
    serializer, deserializer, model_name=None, model_version=None, component_name=None)`` (or
    amtune's ``(endpoint_name, url)``, see :class:`Predictor`): JSON in and out. ``model_name``
    and ``model_version`` go with every request as the SDK sends them, in its custom attributes
    (``tfs-model-name=...,tfs-model-version=...``, after the caller's)."""

    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: Any = None,
        deserializer: Any = None,
        model_name: str | None = None,
        model_version: str | None = None,
        component_name: str | None = None,
        *,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            endpoint_name,
            sagemaker_session,
            serializer,
            deserializer,
            component_name,
            url=url,
            **kwargs,
        )
        attributes = [f"tfs-model-name={model_name}"] if model_name else []
        attributes += [f"tfs-model-version={model_version}"] if model_version else []
        self.model_attributes = ",".join(attributes) or None

    def predict(
        self,
        data: Any,
        initial_args: Mapping[str, Any] | None = None,
        target_model: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        *,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> Any:
        args = dict(initial_args or {})
        if self.model_attributes:
            given = custom_attributes or args.pop("CustomAttributes", None)
            custom_attributes = (
                f"{given},{self.model_attributes}" if given else self.model_attributes
            )
        return super().predict(
            data,
            args,
            target_model,
            target_variant,
            inference_id,
            custom_attributes,
            content_type=content_type,
            accept=accept,
        )


class HuggingFacePredictor(_JSONPredictor):
    """``sagemaker.huggingface.HuggingFacePredictor``: JSON in and out. Its arguments are
    :class:`Predictor`'s."""


#: the predictor class of each framework's model (``predictor_cls`` of the SDK's models)
PREDICTORS: dict[str, type[Predictor]] = {
    "PyTorch": PyTorchPredictor,
    "SKLearn": SKLearnPredictor,
    "XGBoost": XGBoostPredictor,
    "TensorFlow": TensorFlowPredictor,
    "HuggingFace": HuggingFacePredictor,
}


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


#: The SDK's ``deploy()`` arguments with no local meaning: accepted and ignored (one notice).
SDK_DEPLOY_IGNORED = frozenset(
    {
        "accelerator_type",
        "model_name",
        "kms_key",
        "tags",
        "volume_size",
        "model_data_download_timeout",
        "container_startup_health_check_timeout",
        "use_compiled_model",
        "inference_recommendation_id",
        "explainer_config",
        "endpoint_logging",
    }
)


def sdk_predictor_deserializer(predictor_cls: Any, deserializer: Any) -> Any:
    """The deserializer the SageMaker SDK's deploy methods give a predictor of
    ``predictor_cls``: ``deserializer`` when given; for a plain :class:`Predictor` (which the SDK
    builds for generic estimators and models) the SDK's ``BytesDeserializer`` (``Accept: */*``,
    the answer's bytes), where amtune's own default decodes JSON answers; None otherwise (the
    class's default)."""
    if deserializer is None and predictor_cls is Predictor:
        return BytesDeserializer()
    return deserializer


def config_request_dict(config: Any, what: str) -> dict[str, Any] | None:
    """An SDK config object's request dict (``DataCaptureConfig``, ``ServerlessInferenceConfig``,
    ``AsyncInferenceConfig``, ...: ``_to_request_dict()``), or a dict as it is; None for None."""
    if config is None:
        return None
    if isinstance(config, Mapping):
        return dict(config)
    to_dict = getattr(config, "to_request_dict", None) or getattr(config, "_to_request_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    raise TypeError(f"{what}: must be a {what} object or a dict, got {type(config).__name__}")


#: printed (once) when an endpoint config enables data capture
DATA_CAPTURE_NOTICE = (
    "DataCaptureConfig: data capture is not done locally; the config is kept with the endpoint "
    "configuration, nothing is captured"
)


def sdk_deploy_arguments(owner: str, kw: dict[str, Any]) -> dict[str, Any]:
    """``kw`` of an estimator's or tuner's ``deploy()`` without the SDK's arguments that have
    no local meaning (a notice names those given); the rest go to :func:`deploy`."""
    ignored = sorted(k for k in kw if k in SDK_DEPLOY_IGNORED and kw[k] is not None)
    if ignored:
        print(
            f"amtune: notice: {owner}.deploy: no local meaning, ignored: {', '.join(ignored)}",
            file=sys.stderr,
        )
    return {k: v for k, v in kw.items() if k not in SDK_DEPLOY_IGNORED}


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
    serializer: Any = None,
    deserializer: Any = None,
    framework: str | None = None,
    data_capture_config: Any = None,
    serverless_inference_config: Any = None,
    async_inference_config: Any = None,
    sdk_defaults: bool = False,
    sdk_names: bool = False,
) -> Predictor:
    """Serve a tuning job's best training job (or a training job) at a local endpoint, or several
    training jobs as production variants ``{name: (training_job, weight)}`` plus shadow variants
    ``{name: training_job}``. Returns a :class:`Predictor` once the endpoint is InService.

    With variants, ``job`` (optional) is a tuning job in which the variants' training jobs may also
    be named by sequence number (``"3"``) or ``"best"``; the endpoint is then named after it.

    ``framework`` is the estimator's (``PyTorch``, ``SKLearn``, ``XGBoost``, ``TensorFlow``,
    ``HuggingFace``; default: the one the training job records, a tuning job's
    ``sagemaker_estimator_class_name``). It chooses the inference code (:func:`resolve_model`)
    and the predictor (:data:`PREDICTORS`: its serializer and deserializer, unless
    ``serializer``/``deserializer`` are given, as to the SDK's ``deploy``).

    ``data_capture_config``, ``serverless_inference_config`` and ``async_inference_config`` (the
    SDK's objects or their request dicts) are kept in the endpoint config, as the SDK's
    ``deploy`` sends them: nothing is captured, and a serverless or asynchronous variant is
    served by one ordinary model server. ``sdk_defaults``: a plain :class:`Predictor` gets the
    SDK's deserializer (bytes, ``Accept: */*``) instead of amtune's JSON decoding
    (:func:`sdk_predictor_deserializer`), as the SDK's ``deploy`` methods return it.
    ``sdk_names``: the endpoint config has the endpoint's name, as the SDK's ``deploy`` names it
    (an existing config of that name is the service's ``ValidationException``), and an endpoint
    name left out is one that no endpoint and no endpoint config has; otherwise the config is
    ``<endpoint>-config-<i>``.
    """
    if framework is not None and framework not in FRAMEWORKS:
        raise ValueError(f"framework: must be one of {sorted(FRAMEWORKS)}, got {framework!r}")
    if job is None and not variants:
        raise ValueError("deploy: give a tuning or training job, or variants")
    if shadows and not variants and job is not None:
        variants = {"AllTraffic": ("best", 1.0)}
    extras = EndpointExtras(
        config_request_dict(data_capture_config, "DataCaptureConfig"),
        config_request_dict(serverless_inference_config, "ServerlessInferenceConfig"),
        config_request_dict(async_inference_config, "AsyncInferenceConfig"),
    )
    if extras.serverless is not None and initial_instance_count is None:
        initial_instance_count = 1  # a serverless variant has no instance count
    if (
        isinstance(initial_instance_count, bool)
        or not isinstance(initial_instance_count, int)
        or not 1 <= initial_instance_count <= MAX_INSTANCES_PER_VARIANT
    ):
        raise ValueError(
            f"initial_instance_count: must be an integer from 1 to {MAX_INSTANCES_PER_VARIANT} "
            f"(MAX_INSTANCES_PER_VARIANT: each local instance is a model-server process on this "
            f"machine), got {initial_instance_count!r}"
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
        if (
            state.one(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", ("training_jobs",)
            )
            is None
        ):
            # a store where no job ever ran (an endpoint service's own): nothing to deploy
            raise NotFoundError(f"no training or tuning jobs in {state.path}")
        resolved = {
            v: resolve_model(state, _ref(state, context, j), framework)
            for v, (j, _) in plan.items()
        }
        shadow_models = {
            v: resolve_model(state, _ref(state, context, j), framework)
            for v, j in (shadows or {}).items()
        }
    finally:
        state.close()
    frameworks = {m.framework for m in resolved.values()}
    predictor_cls = (
        PREDICTORS.get(frameworks.pop() or "", Predictor) if len(frameworks) == 1 else Predictor
    )
    if sdk_defaults:
        deserializer = sdk_predictor_deserializer(predictor_cls, deserializer)
    if extras.data_capture and extras.data_capture.get("EnableCapture"):
        print(f"amtune: notice: {DATA_CAPTURE_NOTICE}", file=sys.stderr, flush=True)
    client = ServiceClient(url or service_url(db))
    try:
        name = _deploy(
            client,
            job,
            plan,
            resolved,
            shadow_models,
            endpoint_name,
            initial_instance_count,
            instance_type,
            wait,
            extras,
            sdk_names,
        )
        return predictor_cls(name, client.url, serializer=serializer, deserializer=deserializer)
    finally:
        client.close()


@dataclass(frozen=True)
class EndpointExtras:
    """The SDK's optional endpoint settings, as request dicts: ``DataCaptureConfig`` and
    ``AsyncInferenceConfig`` of the endpoint config, a variant's ``ServerlessConfig``."""

    data_capture: dict[str, Any] | None = None
    serverless: dict[str, Any] | None = None
    asynchronous: dict[str, Any] | None = None


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
    extras: EndpointExtras | None = None,
    sdk_names: bool = False,
) -> str:
    extras = extras or EndpointExtras()
    base = job or next(iter(plan.values()))[0]
    name = endpoint_name or _unique_endpoint(client, base, also_configs=sdk_names)

    def model(m: TrainingJobModel) -> str:
        mname = _unique(client, m.training_job[:63])
        client.call(
            "CreateModel",
            ModelName=mname,
            PrimaryContainer=m.container(),
            ExecutionRoleArn=LOCAL_ROLE,
        )
        return mname

    def pv(vname: str, m: TrainingJobModel, weight: float) -> dict[str, Any]:
        v: dict[str, Any] = {"VariantName": vname, "ModelName": model(m)}
        if extras.serverless is not None:  # as the SDK's production_variant: no instances
            v["ServerlessConfig"] = dict(extras.serverless)
        else:
            v["InitialInstanceCount"] = initial_instance_count
            v["InstanceType"] = instance_type
        v["InitialVariantWeight"] = weight
        return v

    config: dict[str, Any] = {
        "EndpointConfigName": name if sdk_names else _unique_config(client, name),
        "ProductionVariants": [pv(v, resolved[v], w) for v, (_, w) in plan.items()],
    }
    if shadow_models:
        config["ShadowProductionVariants"] = [pv(v, m, 1.0) for v, m in shadow_models.items()]
    if extras.data_capture is not None:
        config["DataCaptureConfig"] = dict(extras.data_capture)
    if extras.asynchronous is not None:
        config["AsyncInferenceConfig"] = dict(extras.asynchronous)
    client.call("CreateEndpointConfig", **config)
    client.call(
        "CreateEndpoint", EndpointName=name, EndpointConfigName=config["EndpointConfigName"]
    )
    if wait:
        client.wait(name)
    return name


def _unique_endpoint(client: ServiceClient, base: str, also_configs: bool = False) -> str:
    """``base``, else ``base-2``, ``base-3``, ...: the first name no endpoint has (and, with
    ``also_configs``, no endpoint config: the SDK's config has the endpoint's name)."""
    names = {
        e["EndpointName"] for e in client.call("ListEndpoints", MaxResults=100000)["Endpoints"]
    }
    if also_configs:
        names |= {
            c["EndpointConfigName"]
            for c in client.call("ListEndpointConfigs", MaxResults=100000)["EndpointConfigs"]
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


def copy_endpoint_config(
    call: Callable[..., dict[str, Any]],
    existing_config_name: str,
    new_config_name: str,
    new_tags: Tags | None = None,
    new_kms_key: str | None = None,
    new_data_capture_config_dict: Mapping[str, Any] | None = None,
    new_production_variants: Sequence[Mapping[str, Any]] | None = None,
    new_explainer_config_dict: Mapping[str, Any] | None = None,
) -> str:
    """CreateEndpointConfig ``new_config_name`` as a copy of ``existing_config_name`` through
    ``call`` (a control-plane action), as the SDK's ``create_endpoint_config_from_existing``:
    each ``new_*`` given replaces the existing value (variants, tags, KMS key, data capture,
    explainer); otherwise the existing one is kept (its tags read with ListTags, without the
    reserved ``aws:`` ones). Its ``AsyncInferenceConfig`` is kept; shadow variants are not
    copied, as in the SDK. Returns ``new_config_name``."""
    old = call("DescribeEndpointConfig", EndpointConfigName=existing_config_name)
    pvs = [dict(v) for v in (new_production_variants or old["ProductionVariants"])]
    req: dict[str, Any] = {"EndpointConfigName": new_config_name, "ProductionVariants": pvs}
    if new_tags:
        tags = format_tags(new_tags)
    else:
        listed = call("ListTags", ResourceArn=old["EndpointConfigArn"]).get("Tags", [])
        tags = [t for t in listed if not str(t.get("Key", "")).startswith("aws:")]
    if tags:
        req["Tags"] = tags
    kms = new_kms_key or old.get("KmsKeyId")
    if kms is not None:
        req["KmsKeyId"] = kms
    capture = new_data_capture_config_dict or old.get("DataCaptureConfig")
    if capture is not None:
        req["DataCaptureConfig"] = dict(capture)
        if new_data_capture_config_dict and capture.get("EnableCapture"):
            print(f"amtune: notice: {DATA_CAPTURE_NOTICE}", file=sys.stderr, flush=True)
    if old.get("AsyncInferenceConfig") is not None:
        req["AsyncInferenceConfig"] = old["AsyncInferenceConfig"]
    explainer = new_explainer_config_dict or old.get("ExplainerConfig")
    if explainer is not None:
        req["ExplainerConfig"] = dict(explainer)
    call("CreateEndpointConfig", **req)
    return new_config_name

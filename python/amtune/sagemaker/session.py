"""``sagemaker.Session`` for models and endpoints, on amtune's local endpoint service.

:class:`Session` sends the same CreateModel, CreateEndpointConfig, CreateEndpoint,
UpdateEndpoint, Describe* and Delete* requests the SDK's session sends through boto3, to the
endpoint service of one store (:mod:`amtune.serve`): the service running for the store, or a
detached one started on the first call that needs it (as ``deploy()`` does; ``amtune endpoint
shutdown`` stops it). ``url=`` names a service instead.

:func:`production_variant` returns the SDK's ``ProductionVariant`` dict.

>>> from amtune.session import production_variant
>>> pv = production_variant("m-1", "ml.c5.xlarge", variant_name="A", initial_weight=3)
>>> pv["VariantName"], pv["ModelName"], pv["InitialVariantWeight"], pv["InitialInstanceCount"]
('A', 'm-1', 3, 1)
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.inputs import TrainingInput
from amtune.sagemaker.names import LOCAL_ACCOUNT, LOCAL_ROLE
from amtune.store import resolve_db_path

__all__ = [
    "LOCAL_ACCOUNT",
    "LOCAL_ROLE",
    "Session",
    "default_region",
    "get_execution_role",
    "production_variant",
    "s3_input",
]

DEFAULT_BUCKET_DIR = "amtune-bucket"
_notified: set[str] = set()


def _notice(msg: str) -> None:
    if msg not in _notified:
        _notified.add(msg)
        print(f"amtune: notice: {msg}", file=sys.stderr, flush=True)


def get_execution_role(sagemaker_session: Any = None, use_default: bool = False) -> str:
    """``sagemaker.get_execution_role()``: a placeholder role ARN (local jobs need no IAM role,
    so the estimators and models accept any ``role`` and ignore it), in the account of every
    other ARN amtune makes (:meth:`Session.account_id`).

    >>> get_execution_role()
    'arn:aws:iam::123456789012:role/amtune-local'
    """
    return LOCAL_ROLE


def default_region() -> str:
    """The region of a session given none: ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else
    ``us-east-1``."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class s3_input(TrainingInput):  # the SDK's (deprecated) lower-case name
    """``sagemaker.session.s3_input``: the SDK v1 name of :class:`~amtune.inputs.TrainingInput`,
    which SDK v2 keeps as a deprecated alias; it warns (``DeprecationWarning``) when made.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     s3_input("data/train", content_type="text/csv").config["ContentType"]
    'text/csv'
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            "The class sagemaker.session.s3_input has been renamed in sagemaker>=2: use "
            "sagemaker.inputs.TrainingInput",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(*args, **kwargs)


def name_from_base(base: str, max_length: int = 63) -> str:
    """``<base>-<UTC time to the millisecond>``, at most ``max_length`` characters (the SDK's
    generated names)."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(now)) + f"-{int(now * 1000) % 1000:03d}"
    return f"{base[: max_length - len(stamp) - 1]}-{stamp}"


def base_name_from_image(image: str | None, default: str = "Model") -> str:
    """The repository of an image URI (``sagemaker-scikit-learn``), else ``default``."""
    if not image:
        return default
    m = re.match(r"^(?:[^/]+/)?(?P<repo>[^:@]+)", image)
    return m["repo"].rsplit("/", 1)[-1] if m else default


def production_variant(
    model_name: str | None = None,
    instance_type: str | None = None,
    initial_instance_count: int | None = None,
    variant_name: str = "AllTraffic",
    initial_weight: float = 1,
    accelerator_type: str | None = None,
    serverless_inference_config: Mapping[str, Any] | None = None,
    volume_size: int | None = None,
    model_data_download_timeout: int | None = None,
    container_startup_health_check_timeout: int | None = None,
    managed_instance_scaling: Mapping[str, Any] | None = None,
    routing_config: Mapping[str, Any] | None = None,
    inference_ami_version: str | None = None,
) -> dict[str, Any]:
    """A ``ProductionVariant`` of a CreateEndpointConfig request, as
    ``sagemaker.session.production_variant`` builds it (the instance count defaults to 1)."""
    pv: dict[str, Any] = {"VariantName": variant_name}
    if model_name:
        pv["ModelName"] = model_name
        pv["InitialVariantWeight"] = initial_weight
    if accelerator_type:
        pv["AcceleratorType"] = accelerator_type
    if managed_instance_scaling:
        pv["ManagedInstanceScaling"] = dict(managed_instance_scaling)
    if serverless_inference_config:
        pv["ServerlessConfig"] = dict(serverless_inference_config)
        return pv
    pv["InitialInstanceCount"] = initial_instance_count or 1
    pv["InstanceType"] = instance_type
    for key, value in (
        ("VolumeSizeInGB", volume_size),
        ("ModelDataDownloadTimeoutInSeconds", model_data_download_timeout),
        ("ContainerStartupHealthCheckTimeoutInSeconds", container_startup_health_check_timeout),
        ("RoutingConfig", routing_config),
        ("InferenceAmiVersion", inference_ami_version),
    ):
        if value is not None:
            pv[key] = value
    return pv


#: the SDK's ``Tags``: a list of ``{"Key": ..., "Value": ...}`` dicts, or one dict of key -> value
Tags = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def format_tags(tags: Tags) -> list[dict[str, Any]]:
    """``tags`` as the request's ``Tags`` list, as the SDK's ``format_tags`` makes it: a dict
    becomes one ``{"Key": str(key), "Value": str(value)}`` per item; a list is kept (the service
    checks each tag).

    >>> format_tags({"team": "ml", "year": 2026})
    [{'Key': 'team', 'Value': 'ml'}, {'Key': 'year', 'Value': '2026'}]
    >>> format_tags([{"Key": "team", "Value": "ml"}])
    [{'Key': 'team', 'Value': 'ml'}]
    """
    if isinstance(tags, Mapping):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    if isinstance(tags, (str, bytes)):
        raise TypeError(f"tags: a dict or a list of {{Key, Value}} dicts, got {tags!r}")
    return [dict(t) if isinstance(t, Mapping) else t for t in tags]


def _local_url(value: Any) -> Any:
    """A relative local path made absolute (the service may run in another directory)."""
    if not isinstance(value, str) or not value or urlparse(value).scheme not in ("",):
        return value
    p = Path(value).expanduser()
    return str(p.resolve()) if p.exists() else value


def _absolute_container(c: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(c)
    if "ModelDataUrl" in out:
        out["ModelDataUrl"] = _local_url(out["ModelDataUrl"])
    env = out.get("Environment")
    if isinstance(env, Mapping) and "SAGEMAKER_SUBMIT_DIRECTORY" in env:
        out["Environment"] = {
            **env,
            "SAGEMAKER_SUBMIT_DIRECTORY": _local_url(env["SAGEMAKER_SUBMIT_DIRECTORY"]),
        }
    return out


class Session:
    """The SageMaker SDK's ``Session`` for models and endpoints, on the local endpoint service.

    ``boto_session`` (a boto3 session) only gives the region; ``db`` is the store whose endpoint
    service is used (default ``./amtune.db``, or ``AMTUNE_DB``); ``url`` names a running service
    instead. ``default_bucket`` is a local directory (default ``<store directory>/amtune-bucket``);
    :meth:`upload_data` copies into it and returns the local path, usable as a channel.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> s = Session(db=os.path.join(d, "amtune.db"))
    >>> s.default_bucket() == os.path.join(d, "amtune-bucket")
    True
    >>> with open(os.path.join(d, "train.csv"), "w") as f:
    ...     _ = f.write("1,2\\n")
    >>> s.upload_data(os.path.join(d, "train.csv"), key_prefix="demo") == os.path.join(
    ...     d, "amtune-bucket", "demo", "train.csv")
    True
    """

    def __init__(
        self,
        boto_session: Any = None,
        sagemaker_client: Any = None,
        sagemaker_runtime_client: Any = None,
        sagemaker_featurestore_runtime_client: Any = None,
        default_bucket: str | os.PathLike[str] | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
        url: str | None = None,
        **ignored: Any,
    ) -> None:
        self._boto_session = boto_session
        self.db = resolve_db_path(db)
        self._url = url.rstrip("/") if url else None
        self._client: Any = None
        self._sagemaker_client = sagemaker_client
        self._runtime_client = sagemaker_runtime_client
        self._default_bucket = None if default_bucket is None else os.fspath(default_bucket)
        if self._default_bucket is not None and self._default_bucket.startswith("s3://"):
            raise ValueError(
                f"default_bucket: must be a local directory, got {self._default_bucket!r}"
            )
        self.endpoint_arn: str | None = None
        self.default_bucket_prefix: str | None = None  # the SDK's; amtune adds no prefix

    # ------------------------------------------------------------------ the service
    @property
    def boto_region_name(self) -> str:
        """The region of ``boto_session``, else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else
        ``us-east-1``."""
        region = getattr(self._boto_session, "region_name", None)
        return str(region or default_region())

    @property
    def _region_name(self) -> str:
        """The SDK's attribute for :attr:`boto_region_name` (notebooks read it)."""
        return self.boto_region_name

    def account_id(self) -> str:
        """The AWS account of the ARNs amtune makes (``123456789012``), as the SDK's
        ``account_id()`` gives the caller's account."""
        return LOCAL_ACCOUNT

    @property
    def url(self) -> str:
        """The endpoint service's URL (a detached service is started when none runs)."""
        if self._url is None:
            from amtune.serve.deployment import service_url

            self._url = service_url(self.db)
        return self._url

    @property
    def boto_session(self) -> Any:
        """The boto3 session given, else one of :attr:`boto_region_name` (made when first used;
        a notebook reads ``sess.boto_session.region_name``). Without boto3: an object with
        ``region_name``."""
        if self._boto_session is None:
            try:
                import boto3
            except ImportError:
                from types import SimpleNamespace

                return SimpleNamespace(region_name=self.boto_region_name)
            self._boto_session = boto3.Session(region_name=self.boto_region_name)
        return self._boto_session

    @boto_session.setter
    def boto_session(self, value: Any) -> None:
        self._boto_session = value

    def _boto3_client(self, service: str) -> Any:
        try:
            import boto3
        except ImportError:
            raise RuntimeError(
                f"{service} client: boto3 is not installed (pip install boto3); the Session's "
                f"own methods work without it"
            ) from None
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=self.boto_region_name,
            aws_access_key_id="amtune",
            aws_secret_access_key="amtune",
        )

    @property
    def sagemaker_client(self) -> Any:
        """A boto3 ``sagemaker`` client of the store's endpoint service (started detached when
        none runs)."""
        if self._sagemaker_client is None:
            self._sagemaker_client = self._boto3_client("sagemaker")
        return self._sagemaker_client

    @property
    def sagemaker_runtime_client(self) -> Any:
        """A boto3 ``sagemaker-runtime`` client of the store's endpoint service (started
        detached when none runs)."""
        if self._runtime_client is None:
            self._runtime_client = self._boto3_client("sagemaker-runtime")
        return self._runtime_client

    def call(self, action: str, **request: Any) -> dict[str, Any]:
        """One control-plane action (``CreateModel``, ...) of the endpoint service; its error as
        a ``ValueError`` naming the action."""
        if self._client is None:
            from amtune.serve.deployment import ServiceClient

            self._client = ServiceClient(self.url)
        doc: dict[str, Any] = self._client.call(action, **request)
        return doc

    # ------------------------------------------------------------------ jobs
    def describe_training_job(self, job_name: str) -> dict[str, Any]:
        return self.call("DescribeTrainingJob", TrainingJobName=job_name)

    def describe_tuning_job(self, job_name: str) -> dict[str, Any]:
        return self.call("DescribeHyperParameterTuningJob", HyperParameterTuningJobName=job_name)

    def describe_transform_job(self, job_name: str) -> dict[str, Any]:
        return self.call("DescribeTransformJob", TransformJobName=job_name)

    def stop_tuning_job(self, name: str) -> None:
        self.call("StopHyperParameterTuningJob", HyperParameterTuningJobName=name)

    def _wait(
        self, kind: str, name: str, describe: Any, status_key: str, poll: float
    ) -> dict[str, Any]:
        """Poll ``describe()`` (every ``min(poll, 0.5)`` s) until job ``name`` has ended; raise
        :class:`~amtune.UnexpectedStatusException` if it Failed, as the SDK does."""
        interval = max(0.05, min(float(poll), 0.5))
        while True:
            desc: dict[str, Any] = describe()
            status = desc[status_key]
            if status in ("Completed", "Failed", "Stopped"):
                break
            time.sleep(interval)
        if status == "Failed":
            raise UnexpectedStatusException.for_job(kind, name, status, desc.get("FailureReason"))
        return desc

    def wait_for_job(self, job: str, poll: float = 5) -> dict[str, Any]:
        """Wait for training job ``job`` to end; its DescribeTrainingJob document."""
        return self._wait(
            "Training job", job, lambda: self.describe_training_job(job), "TrainingJobStatus", poll
        )

    def wait_for_tuning_job(self, job: str, poll: float = 5) -> dict[str, Any]:
        """Wait for tuning job ``job`` to end; its DescribeHyperParameterTuningJob document."""
        return self._wait(
            "Tuning job",
            job,
            lambda: self.describe_tuning_job(job),
            "HyperParameterTuningJobStatus",
            poll,
        )

    def wait_for_transform_job(self, job: str, poll: float = 5) -> dict[str, Any]:
        """Wait for transform job ``job`` to end; its DescribeTransformJob document."""
        return self._wait(
            "Transform job",
            job,
            lambda: self.describe_transform_job(job),
            "TransformJobStatus",
            poll,
        )

    def logs_for_job(
        self,
        job_name: str,
        wait: bool = False,
        poll: float = 10,
        log_type: str = "All",
        timeout: float | None = None,
    ) -> None:
        """Print training job ``job_name``'s output (its ``train.log``; each fold's of a k-fold
        job); with ``wait``, follow it until the job ends (every ``min(poll, 0.5)`` s, at most
        ``timeout`` s) and raise :class:`~amtune.UnexpectedStatusException` if it Failed."""
        from amtune.sagemaker.training import new_log_lines

        interval = max(0.05, min(float(poll), 0.5))
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        positions: dict[Path, int] = {}
        while True:
            desc = self.describe_training_job(job_name)
            job_dir = Path(desc["ModelArtifacts"]["S3ModelArtifacts"]).parent
            print(new_log_lines(job_dir, positions), end="")
            status = desc["TrainingJobStatus"]
            done = status in ("Completed", "Failed", "Stopped")
            if not wait or done or (deadline is not None and time.monotonic() > deadline):
                break
            time.sleep(interval)
        if wait and status == "Failed":
            raise UnexpectedStatusException.for_job(
                "Training job", job_name, status, desc.get("FailureReason")
            )

    # ------------------------------------------------------------------ local "S3"
    def default_bucket(self) -> str:
        """The local directory standing for the default bucket (created)."""
        d = Path(self._default_bucket or self.db.parent / DEFAULT_BUCKET_DIR).resolve()
        d.mkdir(parents=True, exist_ok=True)
        return str(d)

    def upload_data(
        self,
        path: str | os.PathLike[str],
        bucket: str | None = None,
        key_prefix: str = "data",
        callback: Any = None,
        extra_args: Any = None,
    ) -> str:
        """Copy a file or a directory (recursively) to ``<bucket>/<key_prefix>/`` and return the
        copy's local path: the file's, or the ``<bucket>/<key_prefix>`` directory. ``bucket`` is
        a local directory (default :meth:`default_bucket`)."""
        src = Path(path)
        if not src.exists():
            raise ValueError(f"path: no such file or directory: {src}")
        if bucket is not None and str(bucket).startswith("s3://"):
            raise ValueError(f"bucket: must be a local directory, got {bucket!r}")
        dest = Path(bucket or self.default_bucket()).resolve() / key_prefix.strip("/")
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
            return str(dest)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / src.name)
        return str(dest / src.name)

    # ------------------------------------------------------------------ models
    def create_model(
        self,
        name: str,
        role: str | None = None,
        container_defs: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        vpc_config: Mapping[str, Any] | None = None,
        enable_network_isolation: bool | None = None,
        primary_container: Mapping[str, Any] | None = None,
        tags: Tags | None = None,
    ) -> str:
        """CreateModel: one container definition as ``PrimaryContainer``, a list as
        ``Containers`` (the first serves). A model of that name already there is used, as the
        SDK does. Relative local paths in ``ModelDataUrl`` and ``SAGEMAKER_SUBMIT_DIRECTORY`` are
        made absolute. Returns ``name``."""
        if container_defs and primary_container:
            raise ValueError(
                "container_defs, primary_container: give one of them (primary_container is the "
                "SDK's deprecated name)"
            )
        defs = container_defs or primary_container
        if not defs:
            raise ValueError("container_defs: required (a container definition or a list)")
        req: dict[str, Any] = {"ModelName": name}
        if role is not None:
            req["ExecutionRoleArn"] = role
        if isinstance(defs, Mapping):
            req["PrimaryContainer"] = _absolute_container(defs)
        else:
            req["Containers"] = [_absolute_container(c) for c in defs]
        if tags:
            req["Tags"] = format_tags(tags)
        if vpc_config:
            req["VpcConfig"] = dict(vpc_config)
        if enable_network_isolation:
            req["EnableNetworkIsolation"] = True
        try:
            self.call("CreateModel", **req)
        except ValueError as exc:
            if "Cannot create already existing model" not in str(exc):
                raise
        return name

    def describe_model(self, name: str) -> dict[str, Any]:
        return self.call("DescribeModel", ModelName=name)

    def delete_model(self, model_name: str) -> None:
        self.call("DeleteModel", ModelName=model_name)

    # ------------------------------------------------------------------ endpoint configs
    def _config_request(
        self,
        name: str,
        production_variants: Sequence[Mapping[str, Any]],
        tags: Tags | None,
        kms_key: str | None,
        data_capture_config_dict: Mapping[str, Any] | None,
        **extra: Any,
    ) -> dict[str, Any]:
        if not production_variants:
            raise ValueError("production_variants: at least one production variant is required")
        req: dict[str, Any] = {
            "EndpointConfigName": name,
            "ProductionVariants": [dict(v) for v in production_variants],
        }
        if tags:
            req["Tags"] = format_tags(tags)
        if kms_key:
            req["KmsKeyId"] = kms_key
        if data_capture_config_dict is not None:
            from amtune.serve.deployment import DATA_CAPTURE_NOTICE

            req["DataCaptureConfig"] = dict(data_capture_config_dict)
            if data_capture_config_dict.get("EnableCapture"):
                _notice(DATA_CAPTURE_NOTICE)
        for key, value in extra.items():
            if value is not None:
                req[key] = value
        return req

    def create_endpoint_config(
        self,
        name: str,
        model_name: str,
        initial_instance_count: int,
        instance_type: str,
        accelerator_type: str | None = None,
        tags: Tags | None = None,
        kms_key: str | None = None,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        explainer_config_dict: Mapping[str, Any] | None = None,
        async_inference_config_dict: Mapping[str, Any] | None = None,
        serverless_inference_config_dict: Mapping[str, Any] | None = None,
        routing_config: Mapping[str, Any] | None = None,
        inference_ami_version: str | None = None,
    ) -> str:
        """CreateEndpointConfig with one variant (``AllTraffic``) of ``model_name``."""
        pv = production_variant(
            model_name,
            instance_type,
            initial_instance_count,
            accelerator_type=accelerator_type,
            serverless_inference_config=serverless_inference_config_dict,
            volume_size=volume_size,
            model_data_download_timeout=model_data_download_timeout,
            container_startup_health_check_timeout=container_startup_health_check_timeout,
            routing_config=routing_config,
            inference_ami_version=inference_ami_version,
        )
        req = self._config_request(
            name,
            [pv],
            tags,
            kms_key,
            data_capture_config_dict,
            ExplainerConfig=explainer_config_dict,
            AsyncInferenceConfig=async_inference_config_dict,
        )
        self.call("CreateEndpointConfig", **req)
        return name

    def describe_endpoint_config(self, name: str) -> dict[str, Any]:
        return self.call("DescribeEndpointConfig", EndpointConfigName=name)

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        self.call("DeleteEndpointConfig", EndpointConfigName=endpoint_config_name)

    # ------------------------------------------------------------------ endpoints
    def create_endpoint(
        self,
        endpoint_name: str,
        config_name: str,
        tags: Tags | None = None,
        wait: bool = True,
        live_logging: bool = False,
    ) -> str:
        """CreateEndpoint; with ``wait`` until it is InService
        (:class:`~amtune.UnexpectedStatusException` when it Failed). Returns the name."""
        req: dict[str, Any] = {"EndpointName": endpoint_name, "EndpointConfigName": config_name}
        if tags:
            req["Tags"] = format_tags(tags)
        self.endpoint_arn = self.call("CreateEndpoint", **req).get("EndpointArn")
        if wait:
            self.wait_for_endpoint(endpoint_name)
        return endpoint_name

    def endpoint_from_production_variants(
        self,
        name: str,
        production_variants: Sequence[Mapping[str, Any]],
        tags: Tags | None = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        async_inference_config_dict: Mapping[str, Any] | None = None,
        explainer_config_dict: Mapping[str, Any] | None = None,
        live_logging: bool = False,
        vpc_config: Mapping[str, Any] | None = None,
        enable_network_isolation: bool | None = None,
        role: str | None = None,
    ) -> str:
        """An endpoint config named ``name`` with these variants, and the endpoint ``name`` on
        it (:func:`production_variant` builds the variants). Returns the name."""
        req = self._config_request(
            name,
            production_variants,
            tags,
            kms_key,
            data_capture_config_dict,
            AsyncInferenceConfig=async_inference_config_dict,
            ExplainerConfig=explainer_config_dict,
            VpcConfig=vpc_config,
            EnableNetworkIsolation=enable_network_isolation,
            ExecutionRoleArn=role,
        )
        self.call("CreateEndpointConfig", **req)
        return self.create_endpoint(name, name, tags=tags, wait=wait)

    def update_endpoint(
        self, endpoint_name: str, endpoint_config_name: str, wait: bool = True
    ) -> str:
        """UpdateEndpoint to another endpoint config; ``ValueError`` when the endpoint does not
        exist, as the SDK's."""
        names = {
            e["EndpointName"] for e in self.call("ListEndpoints", MaxResults=100000)["Endpoints"]
        }
        if endpoint_name not in names:
            raise ValueError(
                f"Endpoint with name '{endpoint_name}' does not exist; please use an existing "
                f"endpoint name"
            )
        self.endpoint_arn = self.call(
            "UpdateEndpoint", EndpointName=endpoint_name, EndpointConfigName=endpoint_config_name
        ).get("EndpointArn")
        if wait:
            self.wait_for_endpoint(endpoint_name)
        return endpoint_name

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        return self.call("DescribeEndpoint", EndpointName=endpoint_name)

    def wait_for_endpoint(
        self, endpoint: str, poll: float = 30, live_logging: bool = False
    ) -> dict[str, Any]:
        """Poll DescribeEndpoint until the endpoint is no longer Creating or Updating (every
        ``min(poll, 0.5)`` s), printing ``-`` per poll and ``!`` as the SDK does; raise
        :class:`~amtune.UnexpectedStatusException` unless it is InService."""
        interval = max(0.05, min(float(poll), 0.5))
        while True:
            desc = self.describe_endpoint(endpoint)
            status = desc["EndpointStatus"]
            if status not in ("Creating", "Updating", "SystemUpdating"):
                break
            print("-", end="", flush=True)
            time.sleep(interval)
        print("!" if status == "InService" else "*", flush=True)
        if status != "InService":
            raise UnexpectedStatusException(
                f"Error hosting endpoint {endpoint}: {status}. Reason: "
                f"{desc.get('FailureReason') or '(No reason provided)'}.",
                ["InService"],
                status,
            )
        return desc

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.call("DeleteEndpoint", EndpointName=endpoint_name)

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
import shutil
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from amtune._file_urls import file_url_path
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.inputs import TrainingInput
from amtune.sagemaker.names import (
    LOCAL_ACCOUNT,
    LOCAL_ROLE,
    Tags,
    base_name_from_image,
    format_tags,
    name_from_base,
    production_variant,
)
from amtune.store import resolve_db_path

__all__ = [
    "LOCAL_ACCOUNT",
    "LOCAL_ROLE",
    "Session",
    "base_name_from_image",
    "default_region",
    "format_tags",
    "get_execution_role",
    "name_from_base",
    "production_variant",
    "s3_input",
    "store_of_session",
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


def _error_code(exc: BaseException) -> str | None:
    """The API error code of a control-plane error (``response["Error"]["Code"]``)."""
    response = getattr(exc, "response", None)
    error = response.get("Error") if isinstance(response, Mapping) else None
    code = error.get("Code") if isinstance(error, Mapping) else None
    return str(code) if code is not None else None


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


def _local_url(value: Any) -> Any:
    """A relative local path or ``file://`` URL made an absolute path (the service may run in
    another directory)."""
    if not isinstance(value, str) or not value or urlparse(value).scheme not in ("", "file"):
        return value
    p = Path(file_url_path(value)).expanduser()
    return str(p.resolve()) if p.exists() else value


def model_data_dir(path: str) -> str:
    """The model directory to serve for local model data ``path``: a directory or an archive
    (``.tar.gz``, ``.tgz``, ``.tar``; the service extracts it) as it is; a single other file is
    served from its directory, as SageMaker's local mode mounts that directory at
    ``/opt/ml/model`` (so the file is ``<model_dir>/<its name>``).

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> open(os.path.join(d, "my-model"), "w").close()
    >>> model_data_dir(os.path.join(d, "my-model")) == d
    True
    """
    from amtune._archive import ARCHIVE_SUFFIXES

    p = Path(path)
    if p.is_file() and not p.name.endswith(ARCHIVE_SUFFIXES):
        return str(p.parent)
    return path


def _absolute_container(c: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(c)
    if "ModelDataUrl" in out:
        out["ModelDataUrl"] = _local_url(out["ModelDataUrl"])
        if isinstance(out["ModelDataUrl"], str) and Path(out["ModelDataUrl"]).is_absolute():
            out["ModelDataUrl"] = model_data_dir(out["ModelDataUrl"])
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
        self._config: dict[str, Any] | None = None

    @property
    def config(self) -> dict[str, Any] | None:
        """The SDK's local-mode configuration (``{"local": {"local_code": True}}``), None by
        default; kept, with no effect: amtune always runs the local code
        (:class:`amtune.local.LocalSession` checks it as the SDK does)."""
        return self._config

    @config.setter
    def config(self, value: dict[str, Any] | None) -> None:
        self._config = value

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

    def stop_training_job(self, job_name: str) -> None:
        """StopTrainingJob, as the SDK sends it. A job this process runs on a thread
        (``estimator.fit(wait=False)``) is stopped here; any other goes to the control plane,
        which stops the jobs it started (CreateTrainingJob) and refuses the rest, naming why."""
        from amtune.sagemaker.training import running_in_process

        run = running_in_process(self.db, job_name)
        if run is not None:
            run.stop()
        else:
            self.call("StopTrainingJob", TrainingJobName=job_name)

    def stop_transform_job(self, name: str) -> None:
        """StopTransformJob; as in the SDK, a job that has already ended, or that the control
        plane does not know (a ``ValidationException``), is left alone."""
        try:
            self.call("StopTransformJob", TransformJobName=name)
        except ValueError as exc:
            if _error_code(exc) != "ValidationException":
                raise

    def logs_for_transform_job(self, job_name: str, wait: bool = False, poll: float = 10) -> None:
        """Print transform job ``job_name``'s log (a job that the control plane ran in a process
        of its own has one; an SDK ``Transformer``'s job printed its line where it ran); with
        ``wait``, first wait for the job to end and raise
        :class:`~amtune.UnexpectedStatusException` if it Failed, as the SDK does."""
        desc = (
            self.wait_for_transform_job(job_name, poll)
            if wait
            else self.describe_transform_job(job_name)
        )
        log = Path(self.db).parent / "amtune-requests" / f"transform-{desc['TransformJobName']}.log"
        if log.is_file():
            print(log.read_text(encoding="utf-8", errors="replace"), end="")

    def get_caller_identity_arn(self) -> str:
        """The SDK's caller identity: the local placeholder role (:func:`get_execution_role`)."""
        return LOCAL_ROLE

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

    def _bucket_dir(self, bucket: str | os.PathLike[str] | None) -> Path:
        """The local directory of ``bucket`` (None: :meth:`default_bucket`), as
        :meth:`upload_data` maps it: a bucket is a directory, a key a path below it."""
        if bucket is None:
            return Path(self.default_bucket())
        text = os.fspath(bucket)
        if text.startswith("s3://"):
            raise ValueError(f"bucket: must be a local directory, got {text!r}")
        return Path(file_url_path(text)).expanduser().resolve()

    def upload_string_as_file_body(
        self,
        body: str | bytes,
        bucket: str | os.PathLike[str] | None,
        key: str,
        kms_key: str | None = None,
    ) -> str:
        """Write ``body`` to the file ``<bucket>/<key>`` (directories created) and return its
        local path, as the SDK returns ``s3://<bucket>/<key>``. ``bucket`` is a local directory
        (None: :meth:`default_bucket`); ``kms_key`` has no local meaning."""
        if not isinstance(body, (str, bytes)):
            raise ValueError(f"body: must be a str (or bytes), got {type(body).__name__}")
        if not isinstance(key, str) or not key.strip("/"):
            raise ValueError(f"key: must be a non-empty object key, got {key!r}")
        target = self._bucket_dir(bucket) / key.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, str):
            target.write_text(body, encoding="utf-8")
        else:
            target.write_bytes(body)
        return str(target)

    def read_s3_file(self, bucket: str | os.PathLike[str] | None, key_prefix: str) -> str:
        """The text (UTF-8) of the file ``<bucket>/<key_prefix>``. A missing one raises the
        ``ClientError`` S3 raises (``NoSuchKey``; also a ``ValueError``)."""
        target = self._bucket_dir(bucket) / str(key_prefix).lstrip("/")
        if not target.is_file():
            from amtune.serve.deployment import ServiceError

            raise ServiceError(
                {
                    "Error": {
                        "Code": "NoSuchKey",
                        "Message": f"The specified key does not exist: key_prefix: no such "
                        f"file: {target}",
                    }
                },
                "GetObject",
            )
        return target.read_text(encoding="utf-8")

    def list_s3_files(self, bucket: str | os.PathLike[str] | None, key_prefix: str) -> list[str]:
        """The keys (paths below ``bucket``, with ``/``) of the files whose key starts with
        ``key_prefix``, sorted, as S3 lists the objects of a prefix (``data/tr`` lists
        ``data/train.csv`` and ``data/train/part-0``)."""
        root = self._bucket_dir(bucket)
        if not root.is_dir():
            raise ValueError(f"bucket: no such directory: {root}")
        prefix = str(key_prefix or "").lstrip("/")
        start = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root
        if not start.is_dir():
            return []
        keys = (f.relative_to(root).as_posix() for f in start.rglob("*") if f.is_file())
        return sorted(k for k in keys if k.startswith(prefix))

    def download_data(
        self,
        path: str | os.PathLike[str],
        bucket: str | os.PathLike[str] | None,
        key_prefix: str = "",
        extra_args: Any = None,
    ) -> list[str]:
        """Copy the files of ``bucket`` whose key starts with ``key_prefix`` into the directory
        ``path`` and return the copies' paths, named as the SDK names them: by their key below
        ``key_prefix``, or by their base name when ``key_prefix`` has a file extension. Nothing
        to copy returns ``[]``; a key that would land outside ``path`` is a ``ValueError`` and
        nothing is copied, as in the SDK."""
        dest = Path(path).expanduser().resolve()
        root = self._bucket_dir(bucket)
        prefix = str(key_prefix or "").lstrip("/")
        copies = []
        for key in self.list_s3_files(root, prefix):
            tail = os.path.basename(key)
            if not os.path.splitext(prefix)[1]:
                tail = os.path.relpath(key, prefix) if prefix else key
            target = (dest / tail).resolve()
            if dest not in target.parents:  # e.g. key "d/x.csv" below the prefix "d/x"
                raise ValueError(
                    f"key_prefix: the key {key!r} would be copied to {target}, outside path "
                    f"{dest} (end a directory prefix with '/')"
                )
            copies.append((root / key, target))
        for src, target in copies:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target != src.resolve():
                shutil.copy2(src, target)
        return [str(target) for _, target in copies]

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

    @staticmethod
    def _job_model(job_desc: Mapping[str, Any], job_name: str, field: str) -> str:
        """The model data of a training job's description (its ``S3ModelArtifacts``)."""
        artifacts = (job_desc.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
        if not artifacts:
            raise ValueError(
                f"{field}: training job {job_name!r} has no model artifacts (status "
                f"{job_desc.get('TrainingJobStatus')}); only a Completed job has a model"
            )
        return str(artifacts)

    @staticmethod
    def _job_image(job_desc: Mapping[str, Any], job_name: str) -> str:
        image = (job_desc.get("AlgorithmSpecification") or {}).get("TrainingImage")
        if not image:
            raise ValueError(
                f"image_uri: required: training job {job_name!r} records no TrainingImage (a "
                f"training command); give the image that serves its model"
            )
        return str(image)

    def create_model_from_job(
        self,
        training_job_name: str,
        name: str | None = None,
        role: str | None = None,
        image_uri: str | None = None,
        model_data_url: str | None = None,
        env: Mapping[str, str] | None = None,
        enable_network_isolation: bool | None = None,
        vpc_config_override: Any = "VPC_CONFIG_DEFAULT",
        tags: Tags | None = None,
    ) -> str:
        """CreateModel from a training job, as the SDK's: named ``name`` (default: the job's
        name), with the job's ``TrainingImage``, its model (``S3ModelArtifacts``, the local
        model directory) and its ``RoleArn`` (else :data:`LOCAL_ROLE`) unless given, and the
        job's ``VpcConfig`` unless ``vpc_config_override``. Returns the model's name."""
        desc = self.describe_training_job(training_job_name)
        container: dict[str, Any] = {
            "Image": image_uri or self._job_image(desc, training_job_name),
            "Environment": dict(env or {}),
            "ModelDataUrl": model_data_url
            or self._job_model(desc, training_job_name, "training_job_name"),
        }
        vpc = (
            desc.get("VpcConfig")
            if vpc_config_override == "VPC_CONFIG_DEFAULT"
            else vpc_config_override
        )
        return self.create_model(
            name or training_job_name,
            role or desc.get("RoleArn") or LOCAL_ROLE,
            container,
            vpc_config=vpc,
            enable_network_isolation=enable_network_isolation,
            tags=tags,
        )

    def expand_role(self, role: str) -> str:
        """An IAM role name as a role ARN in amtune's account
        (``arn:aws:iam::123456789012:role/<name>``); a role with a ``/`` (an ARN) as it is,
        as the SDK's ``expand_role``.

        >>> Session(db="x.db").expand_role("SageMakerRole")
        'arn:aws:iam::123456789012:role/SageMakerRole'
        """
        if not isinstance(role, str) or not role:
            raise ValueError(f"role: must be a role name or ARN, got {role!r}")
        if "/" in role:
            return role
        return f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{role}"

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

    def create_endpoint_config_from_existing(
        self,
        existing_config_name: str,
        new_config_name: str,
        new_tags: Tags | None = None,
        new_kms_key: str | None = None,
        new_data_capture_config_dict: Mapping[str, Any] | None = None,
        new_production_variants: Sequence[Mapping[str, Any]] | None = None,
        new_explainer_config_dict: Mapping[str, Any] | None = None,
        endpoint_type: Any = None,
    ) -> str:
        """CreateEndpointConfig ``new_config_name`` as a copy of ``existing_config_name``, as
        the SDK's: each ``new_*`` given replaces the existing value (variants, tags, KMS key,
        data capture, explainer); otherwise the existing one is kept (its tags are read with
        ListTags, without the reserved ``aws:`` ones). Its ``AsyncInferenceConfig`` is kept;
        shadow variants are not copied, as in the SDK. Returns ``new_config_name``."""
        if endpoint_type is not None and "INFERENCE_COMPONENT" in str(endpoint_type).upper():
            raise ValueError(
                "endpoint_type: inference-component endpoints are not supported by amtune's "
                "endpoint service"
            )
        from amtune.serve.deployment import copy_endpoint_config

        return copy_endpoint_config(
            self.call,
            existing_config_name,
            new_config_name,
            new_tags=new_tags,
            new_kms_key=new_kms_key,
            new_data_capture_config_dict=new_data_capture_config_dict,
            new_production_variants=new_production_variants,
            new_explainer_config_dict=new_explainer_config_dict,
        )

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

    def endpoint_from_job(
        self,
        job_name: str,
        initial_instance_count: int,
        instance_type: str,
        image_uri: str | None = None,
        name: str | None = None,
        role: str | None = None,
        wait: bool = True,
        model_environment_vars: Mapping[str, str] | None = None,
        vpc_config_override: Any = "VPC_CONFIG_DEFAULT",
        accelerator_type: str | None = None,
        data_capture_config: Any = None,
    ) -> str:
        """A model, an endpoint config and an endpoint, all named ``name`` (default: the
        job's name), serving training job ``job_name``'s model with its ``TrainingImage``
        (unless ``image_uri``), as the SDK's. Returns the endpoint's name."""
        desc = self.describe_training_job(job_name)
        vpc = (
            desc.get("VpcConfig")
            if vpc_config_override == "VPC_CONFIG_DEFAULT"
            else vpc_config_override
        )
        return self.endpoint_from_model_data(
            self._job_model(desc, job_name, "job_name"),
            image_uri or self._job_image(desc, job_name),
            initial_instance_count,
            instance_type,
            name=name or job_name,
            role=role or desc.get("RoleArn") or LOCAL_ROLE,
            wait=wait,
            model_environment_vars=model_environment_vars,
            model_vpc_config=vpc,
            accelerator_type=accelerator_type,
            data_capture_config=data_capture_config,
        )

    def endpoint_from_model_data(
        self,
        model_s3_location: str | os.PathLike[str],
        image_uri: str,
        initial_instance_count: int,
        instance_type: str,
        name: str | None = None,
        role: str | None = None,
        wait: bool = True,
        model_environment_vars: Mapping[str, str] | None = None,
        model_vpc_config: Mapping[str, Any] | None = None,
        accelerator_type: str | None = None,
        data_capture_config: Any = None,
        tags: Tags | None = None,
    ) -> str:
        """A model, an endpoint config and an endpoint, all named ``name`` (default:
        ``<image repository>-<time>``), serving the local model data ``model_s3_location`` (a
        directory, a ``.tar.gz``, a single model file or a ``file://`` URL) with
        ``image_uri``, as the SDK's. An existing model or config of that name is used; an
        existing endpoint is a ``ValueError``. Returns the endpoint's name."""
        from amtune.sagemaker.names import hosting_instance_type
        from amtune.serve.deployment import config_request_dict

        location = os.fspath(model_s3_location)
        if location.startswith("s3://"):
            raise ValueError(
                f"model_s3_location: amtune serves local model data (a directory, a .tar.gz "
                f"or a file:// URL); got {location!r}: download it first"
            )
        if not Path(file_url_path(location)).expanduser().exists():
            raise ValueError(
                f"model_s3_location: no such file or directory: {file_url_path(location)}"
            )
        name = name or name_from_base(base_name_from_image(image_uri))
        self.create_model(
            name,
            role,
            {
                "Image": image_uri,
                "Environment": dict(model_environment_vars or {}),
                "ModelDataUrl": location,
            },
            vpc_config=model_vpc_config,
        )
        try:
            self.create_endpoint_config(
                name,
                name,
                initial_instance_count,
                hosting_instance_type(instance_type) or "",
                accelerator_type=accelerator_type,
                tags=tags,
                data_capture_config_dict=config_request_dict(
                    data_capture_config, "DataCaptureConfig"
                ),
            )
        except ValueError as exc:
            if "already existing" not in str(exc):
                raise
        try:
            self.create_endpoint(name, name, tags=tags, wait=wait)
        except ValueError as exc:
            if "already existing" not in str(exc):
                raise
            raise ValueError(
                f'Endpoint with name "{name}" already exists; please pick a different name.'
            ) from None
        return name

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


def store_of_session(
    sagemaker_session: Any, db: str | os.PathLike[str] | None
) -> str | os.PathLike[str] | None:
    """The store a call uses: ``db`` when given, else the store of ``sagemaker_session`` when it
    is an amtune :class:`Session` (the SDK's calls go where their session goes: an estimator,
    ``attach`` or an analytics object of ``Session(db=X)`` use ``X``), else None (the default
    store, ``./amtune.db`` or ``AMTUNE_DB``).

    >>> store_of_session(Session(db="/tmp/x/amtune.db"), None)
    PosixPath('/tmp/x/amtune.db')
    >>> store_of_session(Session(db="/tmp/x/amtune.db"), "other.db"), store_of_session(None, None)
    ('other.db', None)
    """
    if db is not None:
        return db
    return sagemaker_session.db if isinstance(sagemaker_session, Session) else None

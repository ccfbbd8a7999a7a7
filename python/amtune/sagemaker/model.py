"""``sagemaker.model.Model``, the framework models and ``DataCaptureConfig``, on the local
endpoint service.

A :class:`Model` is a CreateModel request of the session (:class:`~amtune.sagemaker.session.
Session`): ``image_uri``, ``model_data`` (a local directory, ``.tar.gz`` or single model file,
served from its directory as in SageMaker's local mode; or a ``file://`` URL, relative ones from
the current directory; S3 is an error), ``env``, and the inference code (``entry_point`` in
``source_dir``, sent as ``SAGEMAKER_PROGRAM`` and ``SAGEMAKER_SUBMIT_DIRECTORY``, the local
directory where the SDK would upload a tarball; with ``dependencies``, a bundle of links holding
the code and them, see :mod:`amtune.sagemaker.sourcedir`). ``deploy()`` creates the model, an
endpoint config and the endpoint, and returns a predictor; ``create()`` only the model;
``transformer()`` a batch :class:`~amtune.sagemaker.transformer.Transformer`.

The framework models (:class:`SKLearnModel`, :class:`PyTorchModel`, :class:`XGBoostModel`) serve
``entry_point`` (its ``model_fn``, ``input_fn``, ``predict_fn``, ``output_fn``) with the current
Python, and ``deploy()`` returns the framework's predictor (``SKLearnPredictor``, ...).
``framework_version`` and ``py_version`` only shape the image URI.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from amtune._file_urls import file_url_path
from amtune.async_inference import default_paths
from amtune.sagemaker import sourcedir
from amtune.sagemaker.names import hosting_instance_type
from amtune.sagemaker.session import (
    Session,
    base_name_from_image,
    model_data_dir,
    name_from_base,
    production_variant,
)
from amtune.serve.deployment import (
    Predictor,
    PyTorchPredictor,
    SKLearnPredictor,
    XGBoostPredictor,
    config_request_dict,
    sdk_predictor_deserializer,
)

__all__ = [
    "DataCaptureConfig",
    "FrameworkModel",
    "Model",
    "PyTorchModel",
    "SKLearnModel",
    "XGBoostModel",
]


def _notice(msg: str) -> None:
    print(f"amtune: notice: {msg}", file=sys.stderr, flush=True)


def _local_path(value: str | os.PathLike[str], field: str) -> str:
    """An existing local path, absolute; S3 or a missing path is a ``ValueError``. A
    ``file://`` URL is read as SageMaker's local mode reads it, its host and path joined
    (:func:`~amtune._file_urls.file_url_path`): ``file://model.tar.gz`` and
    ``file://./model.tar.gz`` are ``./model.tar.gz``, ``file:///abs`` is ``/abs``."""
    text = os.fspath(value)
    if text.startswith("s3://"):
        raise ValueError(
            f"{field}: amtune serves local files (a directory, a .tar.gz or a file:// URL); got "
            f"{text!r}: download it first"
        )
    p = Path(file_url_path(text)).expanduser()
    if not p.exists():
        raise ValueError(f"{field}: no such file or directory: {p}")
    return str(p.resolve())


class DataCaptureConfig:
    """``sagemaker.model_monitor.DataCaptureConfig``: accepted by ``deploy`` and
    ``Session.endpoint_from_production_variants`` and kept in the endpoint config. amtune does
    not capture: a notice says so when capture is enabled.

    >>> DataCaptureConfig(True, 50, "captures/")._to_request_dict()["CaptureOptions"]
    [{'CaptureMode': 'Input'}, {'CaptureMode': 'Output'}]
    """

    API_MAPPING: ClassVar[dict[str, str]] = {"REQUEST": "Input", "RESPONSE": "Output"}

    def __init__(
        self,
        enable_capture: bool,
        sampling_percentage: int = 20,
        destination_s3_uri: str | None = None,
        kms_key_id: str | None = None,
        capture_options: Sequence[str] | None = None,
        csv_content_types: Sequence[str] | None = None,
        json_content_types: Sequence[str] | None = None,
        sagemaker_session: Session | None = None,
    ) -> None:
        if (
            isinstance(sampling_percentage, bool)
            or not isinstance(sampling_percentage, int)
            or not 0 <= sampling_percentage <= 100
        ):
            raise ValueError(
                f"sampling_percentage: must be an integer from 0 to 100, got "
                f"{sampling_percentage!r}"
            )
        options = list(capture_options or ["REQUEST", "RESPONSE"])
        bad = [o for o in options if str(o).upper() not in self.API_MAPPING]
        if bad:
            raise ValueError(f"capture_options: each must be 'REQUEST' or 'RESPONSE', got {bad}")
        self.enable_capture = bool(enable_capture)
        self.sampling_percentage = sampling_percentage
        if destination_s3_uri is None:
            bucket = (sagemaker_session or Session()).default_bucket()
            destination_s3_uri = os.path.join(bucket, "model-monitor", "data-capture")
        self.destination_s3_uri = destination_s3_uri
        self.kms_key_id = kms_key_id
        self.capture_options = options
        self.csv_content_types = list(csv_content_types or ["text/csv"])
        self.json_content_types = list(json_content_types or ["application/json"])

    def _to_request_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "EnableCapture": self.enable_capture,
            "InitialSamplingPercentage": self.sampling_percentage,
            "DestinationS3Uri": self.destination_s3_uri,
            "CaptureOptions": [
                {"CaptureMode": self.API_MAPPING[str(o).upper()]} for o in self.capture_options
            ],
            "CaptureContentTypeHeader": {
                "CsvContentTypes": self.csv_content_types,
                "JsonContentTypes": self.json_content_types,
            },
        }
        if self.kms_key_id is not None:
            d["KmsKeyId"] = self.kms_key_id
        return d

    to_request_dict = _to_request_dict


class Model:
    """A model to deploy at a local endpoint or to use for batch transform, as
    ``sagemaker.model.Model``.

    ``deploy()`` returns ``predictor_cls(endpoint_name, ...)`` (an amtune ``Predictor`` class
    gets the service's URL, any other callable the session, as in the SDK); without
    ``predictor_cls`` an amtune ``Predictor`` (the SDK returns None there) with the SDK's
    ``Predictor`` defaults: the answer's bytes (``Accept: */*``, so the model answers in its
    default type); lists and arrays are sent as CSV. ``sagemaker_session`` is an
    :class:`amtune.Session` (default: one on ``./amtune.db``).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> m = Model("sagemaker-xgboost:1.7-1", model_data=d, sagemaker_session=Session(
    ...     db=os.path.join(d, "amtune.db")))
    >>> c = m.prepare_container_def()
    >>> c["Image"], c["ModelDataUrl"] == d
    ('sagemaker-xgboost:1.7-1', True)
    """

    #: the framework's name in ``amtune.serve.deployment.PREDICTORS`` (framework models)
    _framework_name: str | None = None

    def __init__(
        self,
        image_uri: str | None = None,
        model_data: str | os.PathLike[str] | None = None,
        role: str | None = None,
        predictor_cls: Callable[..., Any] | None = None,
        env: Mapping[str, str] | None = None,
        name: str | None = None,
        vpc_config: Mapping[str, Any] | None = None,
        sagemaker_session: Session | None = None,
        enable_network_isolation: bool | None = None,
        model_kms_key: str | None = None,
        image_config: Mapping[str, Any] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        code_location: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        container_log_level: int = logging.INFO,
        dependencies: Sequence[str] | None = None,
        git_config: Mapping[str, str] | None = None,
        resources: Any = None,
        additional_model_data_sources: Any = None,
        model_reference_arn: str | None = None,
    ) -> None:
        if model_data is not None and not isinstance(model_data, (str, os.PathLike)):
            raise ValueError(
                f"model_data: must be a local path (a directory, a .tar.gz or a file:// URL), "
                f"got {type(model_data).__name__}"
            )
        self.model_data = None if model_data is None else _local_path(model_data, "model_data")
        self.image_uri = image_uri
        self.role = role
        self.predictor_cls = predictor_cls
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.name = name
        self._base_name: str | None = None
        self.vpc_config = vpc_config
        self.sagemaker_session = sagemaker_session or Session()
        self._enable_network_isolation = enable_network_isolation
        self.source_dir = None if source_dir is None else _local_path(source_dir, "source_dir")
        self.entry_point = None if entry_point is None else os.fspath(entry_point)
        if self.entry_point is not None:
            base = Path(self.source_dir) if self.source_dir else Path.cwd()
            script = base / self.entry_point
            if self.entry_point.startswith("s3://") or not script.is_file():
                raise ValueError(
                    f"entry_point: must be a local file"
                    f"{' in source_dir' if self.source_dir else ''}; no such file: {script}"
                )
            self._script = script.resolve()
        self.container_log_level = container_log_level
        #: files and directories served next to the entry point, as the SDK packs them with
        #: the code (:mod:`amtune.sagemaker.sourcedir`)
        self.dependencies = sourcedir.check_dependencies(dependencies)
        self.endpoint_name: str | None = None
        ignored = [
            k
            for k, v in (
                ("model_kms_key", model_kms_key),
                ("image_config", image_config),
                ("code_location", code_location),
                ("dependencies", dependencies if self.entry_point is None else None),
                ("git_config", git_config),
                ("resources", resources),
                ("additional_model_data_sources", additional_model_data_sources),
                ("model_reference_arn", model_reference_arn),
            )
            if v is not None
        ]
        if ignored:
            _notice(f"{type(self).__name__}: no local meaning, ignored: {', '.join(ignored)}")

    def enable_network_isolation(self) -> bool:
        """Whether the model's containers run without network access, as the SDK's
        ``Model.enable_network_isolation()`` answers (recorded in CreateModel; amtune's model
        servers are local processes either way)."""
        return bool(self._enable_network_isolation)

    # ------------------------------------------------------------------ the CreateModel request
    def _image(self, instance_type: str | None) -> str | None:
        return self.image_uri

    def prepare_container_def(
        self, instance_type: str | None = None, accelerator_type: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """The container definition of CreateModel: ``Image``, ``ModelDataUrl`` (the local
        path) and ``Environment`` (with the script-mode variables when there is an
        ``entry_point``; with ``dependencies``, ``SAGEMAKER_SUBMIT_DIRECTORY`` is the code
        bundle that holds the entry point and them)."""
        env = dict(self.env)
        if self.entry_point is not None:
            submit = self._script.parent
            if self.dependencies:  # the SDK's code bundle: the code and its dependencies
                submit = sourcedir.build(
                    submit,
                    self.dependencies,
                    sourcedir.jobs_root(self.sagemaker_session.db) / sourcedir.BUNDLES_DIR,
                    entry_point=str(self._script) if self.source_dir is None else None,
                    source_dir=self.source_dir,
                )
            env.update(
                {
                    "SAGEMAKER_PROGRAM": self._script.name,
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(submit),
                    "SAGEMAKER_CONTAINER_LOG_LEVEL": str(self.container_log_level),
                    "SAGEMAKER_REGION": self.sagemaker_session.boto_region_name,
                }
            )
        container: dict[str, Any] = {"Environment": env}
        image = self._image(instance_type)
        if image:
            container["Image"] = image
        if self.model_data is not None:
            # a single model file is served from its directory, as SageMaker's local mode does
            container["ModelDataUrl"] = model_data_dir(self.model_data)
        return container

    def _create_sagemaker_model(
        self, instance_type: str | None = None, tags: Sequence[Mapping[str, str]] | None = None
    ) -> str:
        container = self.prepare_container_def(instance_type)
        if self.name is None:
            self._base_name = self._base_name or base_name_from_image(container.get("Image"))
            self.name = name_from_base(self._base_name)
        return self.sagemaker_session.create_model(
            self.name,
            self.role,
            container,
            vpc_config=self.vpc_config,
            enable_network_isolation=self._enable_network_isolation,
            tags=tags,
        )

    def create(
        self,
        instance_type: str | None = None,
        accelerator_type: str | None = None,
        serverless_inference_config: Any = None,
        tags: Any = None,
        accept_eula: bool | None = None,
        model_reference_arn: str | None = None,
    ) -> None:
        """CreateModel of this model without deploying it, as the SDK's ``Model.create``: the
        model is named ``name``, else ``<image repository>-<time>`` (set as :attr:`name`), so
        that ``predictor.update_endpoint(model_name=model.name, ...)`` can serve it. A model of
        that name already there is used. ``instance_type`` only chooses the image, as in the
        SDK. Returns None.

        >>> import inspect
        >>> list(inspect.signature(Model.create).parameters)[1:3]
        ['instance_type', 'accelerator_type']
        """
        from amtune.sagemaker.session import format_tags

        if model_reference_arn is not None:
            _notice(f"{type(self).__name__}.create: no local meaning, ignored: model_reference_arn")
        self._create_sagemaker_model(
            hosting_instance_type(instance_type), tags=format_tags(tags) if tags else None
        )

    def register(self, *args: Any, **kwargs: Any) -> Any:
        """The SDK's Model Registry is not run locally: raises ``NotImplementedError``."""
        from amtune.sagemaker.names import MODEL_REGISTRY_NOT_RUN

        raise NotImplementedError(MODEL_REGISTRY_NOT_RUN)

    # ------------------------------------------------------------------ deploy
    def deploy(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        serializer: Any = None,
        deserializer: Any = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config: Any = None,
        async_inference_config: Any = None,
        serverless_inference_config: Any = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        inference_recommendation_id: str | None = None,
        explainer_config: Any = None,
        accept_eula: bool | None = None,
        endpoint_logging: bool = False,
        resources: Any = None,
        endpoint_type: Any = None,
        managed_instance_scaling: Any = None,
        inference_component_name: str | None = None,
        routing_config: Mapping[str, Any] | None = None,
        model_reference_arn: str | None = None,
        inference_ami_version: str | None = None,
        update_endpoint: bool | None = False,
        **kwargs: Any,
    ) -> Any:
        """Create the model, an endpoint config with one variant (``AllTraffic``) and the
        endpoint (``endpoint_name``, default ``<model base name>-<time>``); return the predictor
        once it is InService (``wait=False``: at once). ``update_endpoint=True`` moves the
        existing endpoint ``endpoint_name`` to the new config instead."""
        serverless = config_request_dict(serverless_inference_config, "ServerlessInferenceConfig")
        if serverless is None:
            if initial_instance_count is None or instance_type is None:
                raise ValueError(
                    "initial_instance_count, instance_type: both are required unless "
                    "serverless_inference_config is given"
                )
            if (
                isinstance(initial_instance_count, bool)
                or not isinstance(initial_instance_count, int)
                or initial_instance_count < 1
            ):
                raise ValueError(
                    f"initial_instance_count: must be an integer >= 1, got "
                    f"{initial_instance_count!r}"
                )
        # the SDK's local mode ("local", "local_gpu"): an endpoint here, as every endpoint is
        instance_type = hosting_instance_type(instance_type)
        self._create_sagemaker_model(instance_type, tags=tags)
        assert self.name is not None
        pv = production_variant(
            self.name,
            instance_type,
            initial_instance_count,
            accelerator_type=accelerator_type,
            serverless_inference_config=serverless,
            volume_size=volume_size,
            model_data_download_timeout=model_data_download_timeout,
            container_startup_health_check_timeout=container_startup_health_check_timeout,
            routing_config=routing_config,
            inference_ami_version=inference_ami_version,
        )
        self.endpoint_name = endpoint_name or name_from_base(self._base_name or self.name)
        default_paths(
            async_inference_config,
            self.sagemaker_session.default_bucket(),
            name_from_base(self.name),
        )
        capture = config_request_dict(data_capture_config, "DataCaptureConfig")
        asynchronous = config_request_dict(async_inference_config, "AsyncInferenceConfig")
        explainer = config_request_dict(explainer_config, "ExplainerConfig")
        session = self.sagemaker_session
        if update_endpoint:
            config = session.create_endpoint_config(
                self.name,
                self.name,
                initial_instance_count or 1,
                instance_type or "",
                accelerator_type=accelerator_type,
                tags=tags,
                kms_key=kms_key,
                data_capture_config_dict=capture,
                explainer_config_dict=explainer,
                async_inference_config_dict=asynchronous,
                serverless_inference_config_dict=serverless,
            )
            session.update_endpoint(self.endpoint_name, config, wait=wait)
        else:
            session.endpoint_from_production_variants(
                self.endpoint_name,
                [pv],
                tags=tags,
                kms_key=kms_key,
                wait=wait,
                data_capture_config_dict=capture,
                async_inference_config_dict=asynchronous,
                explainer_config_dict=explainer,
            )
        cls: Any = self.predictor_cls or Predictor
        if isinstance(cls, type) and issubclass(cls, Predictor):
            return cls(
                self.endpoint_name,
                session.url,
                serializer=serializer,
                deserializer=sdk_predictor_deserializer(cls, deserializer),
            )
        predictor = cls(self.endpoint_name, session)
        if serializer is not None:
            predictor.serializer = serializer
        if deserializer is not None:
            predictor.deserializer = deserializer
        return predictor

    def transformer(
        self,
        instance_count: int,
        instance_type: str,
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        env: Mapping[str, str] | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        volume_kms_key: str | None = None,
    ) -> Any:
        """Create the model and return a batch transform
        :class:`~amtune.sagemaker.transformer.Transformer` of it."""
        from amtune.sagemaker.transformer import Transformer

        self._create_sagemaker_model(instance_type, tags=tags)
        assert self.name is not None
        return Transformer(
            self.name,
            instance_count,
            instance_type,
            strategy=strategy,
            assemble_with=assemble_with,
            output_path=output_path,
            output_kms_key=output_kms_key,
            accept=accept,
            max_concurrent_transforms=max_concurrent_transforms,
            max_payload=max_payload,
            tags=tags,
            env=env,
            base_transform_job_name=self._base_name or self.name,
            sagemaker_session=self.sagemaker_session,
            volume_kms_key=volume_kms_key,
        )

    def delete_model(self) -> None:
        """DeleteModel of this model (``ValueError`` before it was created)."""
        if self.name is None:
            raise ValueError(
                "The SageMaker model must be created first before attempting to delete."
            )
        self.sagemaker_session.delete_model(self.name)


class FrameworkModel(Model):
    """``sagemaker.model.FrameworkModel``: a model of ``image_uri`` served by the script-mode
    ``entry_point`` (in ``source_dir``), with the SDK's argument order (``model_data`` first).
    ``SKLearnModel``, ``PyTorchModel`` and ``XGBoostModel`` are ``FrameworkModel`` s, as in the
    SDK."""

    def __init__(
        self,
        model_data: str | os.PathLike[str] | None,
        image_uri: str | None,
        role: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        predictor_cls: Callable[..., Any] | None = None,
        env: Mapping[str, str] | None = None,
        name: str | None = None,
        container_log_level: int = logging.INFO,
        code_location: str | None = None,
        sagemaker_session: Session | None = None,
        dependencies: Sequence[str] | None = None,
        git_config: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            image_uri,
            model_data,
            role,
            predictor_cls,
            env=env,
            name=name,
            sagemaker_session=sagemaker_session,
            source_dir=source_dir,
            code_location=code_location,
            entry_point=entry_point,
            container_log_level=container_log_level,
            dependencies=dependencies,
            git_config=git_config,
            **kwargs,
        )


class _FrameworkModel(FrameworkModel):
    """A framework's model: its image by default, its predictor class."""

    _image_framework = ""
    _default_version = ""

    def __init__(
        self,
        model_data: str | os.PathLike[str] | None,
        role: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        framework_version: str | None = None,
        py_version: str | None = None,
        image_uri: str | None = None,
        predictor_cls: Callable[..., Any] | None = None,
        model_server_workers: int | None = None,
        **kwargs: Any,
    ) -> None:
        Model.__init__(  # Model's argument order, not FrameworkModel's
            self,
            image_uri,
            model_data,
            role,
            predictor_cls,
            entry_point=entry_point,
            **kwargs,
        )
        self.framework_version = framework_version
        self.py_version = py_version
        self.model_server_workers = model_server_workers
        if model_server_workers is not None:
            self.env["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(model_server_workers)

    def _image(self, instance_type: str | None) -> str | None:
        if self.image_uri:
            return self.image_uri
        from amtune import image_uris

        return image_uris.retrieve(
            self._image_framework,
            self.sagemaker_session.boto_region_name,
            self.framework_version or self._default_version,
            py_version=self.py_version,
            instance_type=instance_type,
            image_scope="inference",
        )


class SKLearnModel(_FrameworkModel):
    """``sagemaker.sklearn.SKLearnModel``: ``deploy()`` returns an ``SKLearnPredictor`` (NumPy in
    and out).

    >>> SKLearnModel.__init__.__defaults__[-2] is SKLearnPredictor
    True
    """

    _framework_name = "SKLearn"
    _image_framework = "sklearn"
    _default_version = "1.2-1"

    def __init__(
        self,
        model_data: str | os.PathLike[str] | None,
        role: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        framework_version: str | None = None,
        py_version: str = "py3",
        image_uri: str | None = None,
        predictor_cls: Callable[..., Any] | None = SKLearnPredictor,
        model_server_workers: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            model_data,
            role,
            entry_point,
            framework_version,
            py_version,
            image_uri,
            predictor_cls,
            model_server_workers,
            **kwargs,
        )


class PyTorchModel(_FrameworkModel):
    """``sagemaker.pytorch.PyTorchModel``: ``deploy()`` returns a ``PyTorchPredictor`` (NumPy in
    and out). Without ``entry_point`` the model archive's ``code/inference.py`` serves.

    >>> PyTorchModel.__init__.__defaults__[-2] is PyTorchPredictor
    True
    """

    _framework_name = "PyTorch"
    _image_framework = "pytorch"
    _default_version = "1.3"

    def __init__(
        self,
        model_data: str | os.PathLike[str] | None,
        role: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        framework_version: str = "1.3",
        py_version: str | None = None,
        image_uri: str | None = None,
        predictor_cls: Callable[..., Any] | None = PyTorchPredictor,
        model_server_workers: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            model_data,
            role,
            entry_point,
            framework_version,
            py_version,
            image_uri,
            predictor_cls,
            model_server_workers,
            **kwargs,
        )


class XGBoostModel(_FrameworkModel):
    """``sagemaker.xgboost.XGBoostModel``: ``deploy()`` returns an ``XGBoostPredictor`` (LibSVM
    in, CSV rows out).

    >>> XGBoostModel.__init__.__defaults__[-2] is XGBoostPredictor
    True
    """

    _framework_name = "XGBoost"
    _image_framework = "xgboost"
    _default_version = "1.7-1"

    def __init__(
        self,
        model_data: str | os.PathLike[str] | None,
        role: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        framework_version: str | None = None,
        image_uri: str | None = None,
        py_version: str = "py3",
        predictor_cls: Callable[..., Any] | None = XGBoostPredictor,
        model_server_workers: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            model_data,
            role,
            entry_point,
            framework_version,
            py_version,
            image_uri,
            predictor_cls,
            model_server_workers,
            **kwargs,
        )

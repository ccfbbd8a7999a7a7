"""The SDK's container definitions of CreateModel: ``sagemaker.container_def`` (one container,
for ``PrimaryContainer``) and ``sagemaker.pipeline_container_def`` (a list, for ``Containers``),
which notebooks pass to ``Session.create_model(name, role, container_defs)``.

``model_data_url`` is a local path here (a directory, or a model file served from its
directory) or the ``ModelDataSource`` dict the SDK accepts; :meth:`Session.create_model` makes a
relative path absolute.

>>> container_def("img:1", "model", {"A": "1"}, container_mode="SingleModel")
{'Image': 'img:1', 'Environment': {'A': '1'}, 'ModelDataUrl': 'model', 'Mode': 'SingleModel'}
>>> container_def("img:1")
{'Image': 'img:1', 'Environment': {}}
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CONTAINER_MODES", "container_def", "pipeline_container_def"]

#: ``Mode`` of a container definition
CONTAINER_MODES = ("SingleModel", "MultiModel")


def container_def(
    image_uri: str,
    model_data_url: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    container_mode: str | None = None,
    image_config: Mapping[str, Any] | None = None,
    accept_eula: bool | None = None,
    additional_model_data_sources: Sequence[Mapping[str, Any]] | None = None,
    model_reference_arn: str | None = None,
) -> dict[str, Any]:
    """One container definition, as the SDK's ``container_def``: ``Image``, ``Environment``
    (``{}`` without ``env``), ``ModelDataUrl`` (or ``ModelDataSource`` for a dict), ``Mode`` and
    ``ImageConfig`` when given. ``accept_eula`` and ``model_reference_arn`` go into a
    ``ModelDataSource``'s ``S3DataSource``, as the SDK puts them there."""
    if container_mode is not None and container_mode not in CONTAINER_MODES:
        raise ValueError(
            f"container_mode: must be one of {', '.join(CONTAINER_MODES)}, got {container_mode!r}"
        )
    c: dict[str, Any] = {"Image": image_uri, "Environment": dict(env or {})}
    if additional_model_data_sources:
        c["AdditionalModelDataSources"] = [dict(s) for s in additional_model_data_sources]
    if isinstance(model_data_url, Mapping):
        source = {k: dict(v) if isinstance(v, Mapping) else v for k, v in model_data_url.items()}
        s3 = source.get("S3DataSource")
        if isinstance(s3, dict):
            if accept_eula is not None:
                s3["ModelAccessConfig"] = {"AcceptEula": accept_eula}
            if model_reference_arn:
                s3["HubAccessConfig"] = {"HubContentArn": model_reference_arn}
        c["ModelDataSource"] = source
    elif model_data_url is not None:
        c["ModelDataUrl"] = os.fspath(model_data_url)
    if container_mode:
        c["Mode"] = container_mode
    if image_config:
        c["ImageConfig"] = dict(image_config)
    return c


def pipeline_container_def(models: Sequence[Any], instance_type: str | None = None) -> list[Any]:
    """The container definitions of an inference pipeline, in the order given: each model's
    ``prepare_container_def(instance_type)``, as the SDK builds them. (amtune's endpoints serve
    a model's first container only.)"""
    return [model.prepare_container_def(instance_type) for model in models]

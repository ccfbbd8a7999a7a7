"""SageMaker's naming rules, and the account in amtune's local ARNs.

>>> bool(TUNING_JOB_NAME_RE.fullmatch("my-job-1")), bool(TUNING_JOB_NAME_RE.fullmatch("my_job"))
(True, False)
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

#: HyperParameterTuningJobName: 1-32 letters, digits and hyphens, starting and ending with a
#: letter or digit. Use ``fullmatch``: ``$`` also matches before a trailing newline.
TUNING_JOB_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
#: ChannelName of InputDataConfig.
CHANNEL_NAME_RE = re.compile(r"^[A-Za-z0-9\.\-_]{1,64}$")

#: The AWS account of every ARN amtune makes (endpoints, models, jobs, the placeholder role):
#: ``Session().account_id()``.
LOCAL_ACCOUNT = "123456789012"
#: The role every local job runs with: amtune needs no IAM role (``role`` is accepted and
#: ignored); ``get_execution_role()``.
LOCAL_ROLE = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/amtune-local"

#: The SDK's local-mode instance types: the job or endpoint runs on this machine, as every
#: amtune job and endpoint does.
LOCAL_INSTANCE_TYPES = frozenset({"local", "local_gpu"})
#: amtune's default endpoint instance type (also ``amtune.serve.deployment.DEFAULT_INSTANCE_TYPE``)
DEFAULT_HOSTING_INSTANCE_TYPE = "ml.m5.large"


def hosting_instance_type(instance_type: str | None) -> str | None:
    """``instance_type`` for an endpoint config: the SDK's local-mode ``"local"`` /
    ``"local_gpu"`` become amtune's default instance type (``ml.m5.large``; the endpoint runs
    here either way), as the control plane accepts only SageMaker's instance types, like the real
    API; any other value (None included) as it is.

    >>> hosting_instance_type("local"), hosting_instance_type("ml.c5.xlarge")
    ('ml.m5.large', 'ml.c5.xlarge')
    """
    if instance_type in LOCAL_INSTANCE_TYPES:
        return DEFAULT_HOSTING_INSTANCE_TYPE
    return instance_type


# ---------------------------------------------------------------- generated names, requests
def sagemaker_timestamp() -> str:
    """The SDK's long timestamp: UTC to the millisecond, ``2026-12-01-05-44-40-123``."""
    now = time.time()
    return time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(now)) + f"-{int(now * 1000) % 1000:03d}"


def sagemaker_short_timestamp() -> str:
    """The SDK's short timestamp, local time to the minute: ``261201-0544``."""
    return time.strftime("%y%m%d-%H%M")


def name_from_base(base: str, max_length: int = 63, short: bool = False) -> str:
    """``<base>-<timestamp>``, the base cut so that the name has at most ``max_length``
    characters (the SDK's generated names; ``short``: the short timestamp).

    >>> len(name_from_base("b" * 80)), name_from_base("xgb", short=True).count("-")
    (63, 2)
    """
    stamp = sagemaker_short_timestamp() if short else sagemaker_timestamp()
    return f"{base[: max_length - len(stamp) - 1]}-{stamp}"


def unique_name_from_base(base: str, max_length: int = 63) -> str:
    """``<base>-<epoch seconds>-<4 random hex digits>``, at most ``max_length`` characters (the
    SDK's names for resources created in quick succession).

    >>> name = unique_name_from_base("a-long-base-name", max_length=20)
    >>> len(name), name[:5]
    (20, 'a-lo-')
    """
    unique = f"{secrets.randbelow(16**4):04x}"
    stamp = str(int(time.time()))
    return f"{base[: max_length - 2 - len(stamp) - len(unique)]}-{stamp}-{unique}"


def base_from_name(name: str) -> str:
    """The base of a name :func:`name_from_base` made (the name itself otherwise).

    >>> base_from_name("xgb-2026-12-01-05-44-40-123"), base_from_name("xgb-261201-0544")
    ('xgb', 'xgb')
    """
    m = re.match(r"^(.+)-(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}|\d{6}-\d{4})", name)
    return m.group(1) if m else name


def base_name_from_image(image: str | None, default: str = "Model") -> str:
    """The repository of an image URI (``sagemaker-scikit-learn``), else ``default``."""
    if not image:
        return default
    m = re.match(r"^(?:[^/]+/)?(?P<repo>[^:@]+)", image)
    return m["repo"].rsplit("/", 1)[-1] if m else default


def name_from_image(image: str | None, max_length: int = 63) -> str:
    """A job name from an image URI: its repository and a timestamp (the SDK's).

    >>> name_from_image("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")[:18]
    'sagemaker-xgboost-'
    """
    return name_from_base(base_name_from_image(image), max_length=max_length)


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


#: why ``register()`` (SageMaker's Model Registry: model packages and their groups) is not run
MODEL_REGISTRY_NOT_RUN = (
    "register: SageMaker's Model Registry (model packages and model package groups) is not run "
    "locally by amtune; deploy the Model itself (model.deploy(...) or estimator.deploy(...))"
)

"""SageMaker's naming rules, and the account in amtune's local ARNs.

>>> bool(TUNING_JOB_NAME_RE.fullmatch("my-job-1")), bool(TUNING_JOB_NAME_RE.fullmatch("my_job"))
(True, False)
"""

from __future__ import annotations

import re

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

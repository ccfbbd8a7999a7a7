"""Local limits of the endpoint service that SageMaker leaves to account quotas."""

from __future__ import annotations

#: The most instances one variant may have when the service serves models. A local instance is
#: a model-server process on this machine (a Python interpreter with its own copy of the model,
#: started one after another), not a machine of its own: 32 covers any local test of routing
#: and scaling across instances, while an instance count of 10**6 (or 2**31 - 1, the largest
#: SageMaker's ``integer`` can hold) would start processes until the machine gives out. On
#: SageMaker the account's quota of instances per type bounds the same number. Checked by
#: CreateEndpointConfig, CreateEndpoint, UpdateEndpoint, UpdateEndpointWeightsAndCapacities and
#: :func:`amtune.serve.deploy` before anything is written; a control-plane-only service
#: (``serve_models=False``) starts no process and records any count.
MAX_INSTANCES_PER_VARIANT = 32


def instance_count_error(n: object, where: str) -> str | None:
    """The message refusing ``n`` instances of one variant (above
    :data:`MAX_INSTANCES_PER_VARIANT`) at member ``where``, None when it is within the cap.

    >>> instance_count_error(4, "InitialInstanceCount") is None
    True
    >>> print(instance_count_error(1000, "InitialInstanceCount"))  # doctest: +ELLIPSIS
    1 validation error detected: Value '1000' at 'InitialInstanceCount' failed ... equal to 32 ...
    """
    if isinstance(n, bool) or not isinstance(n, int) or n <= MAX_INSTANCES_PER_VARIANT:
        return None
    return (
        f"1 validation error detected: Value '{n}' at '{where}' failed to satisfy constraint: "
        f"Member must have value less than or equal to {MAX_INSTANCES_PER_VARIANT} (amtune's "
        f"MAX_INSTANCES_PER_VARIANT: each local instance is a model-server process on this "
        f"machine)"
    )

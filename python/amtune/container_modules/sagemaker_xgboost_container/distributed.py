"""``sagemaker_xgboost_container.distributed``: ``rabit_run`` on one host (amtune runs a training
job on one host, ``algo-1``), which is the master."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def rabit_run(
    exec_fun: Callable[..., Any],
    args: Mapping[str, Any],
    include_in_training: bool,
    hosts: Sequence[str],
    current_host: str,
    first_port: int | None = None,
    second_port: int | None = None,
    max_connect_attempts: int | None = None,
    connect_retry_timeout: int = 10,
    update_rabit_args: bool = False,
) -> Any:
    """Run ``exec_fun(**args)`` when this host has data; with ``update_rabit_args`` it gets
    ``is_master=True``, as the only host."""
    if len(hosts) > 1:
        raise ValueError(f"{len(hosts)} hosts: amtune runs a training job on one host")
    if not include_in_training:
        return None
    kwargs = dict(args)
    if update_rabit_args:
        kwargs["is_master"] = True
    return exec_fun(**kwargs)

"""``sagemaker_containers.entry_point``: the host helpers a distributed script calls. Locally
there is one host (``algo-1``), which always resolves."""


def _wait_hostname_resolution() -> None:
    """Wait until every host of the training cluster resolves: the one local host does."""

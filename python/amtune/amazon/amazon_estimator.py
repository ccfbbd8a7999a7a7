"""``sagemaker.amazon.amazon_estimator``: the names AWS notebooks import from it,
:mod:`image_uris` and the deprecated :func:`get_image_uri`. The SDK's first-party estimator
classes (``AmazonAlgorithmEstimatorBase``, ``RecordSet``, ...) are not provided: use
``Estimator(image_uri=...)`` with a built-in algorithm's image.

>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     get_image_uri("us-west-2", "xgboost", "1.7-1")
'246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1'
"""

from __future__ import annotations

import warnings
from typing import Any

from amtune import image_uris

__all__ = ["get_image_uri", "image_uris"]


def get_image_uri(region_name: str | None, repo_name: str, repo_version: str = "1") -> str:
    """The image URI of ``repo_name`` (``"xgboost"``, ``"linear-learner"``, ``"knn"``, ...) at
    ``repo_version`` in ``region_name``: ``image_uris.retrieve(repo_name, region_name,
    repo_version)``, which it is the SDK's deprecated name of (a ``DeprecationWarning`` says so)."""
    warnings.warn(
        "The method get_image_uri has been renamed in sagemaker>=2: use "
        "sagemaker.image_uris.retrieve(framework, region, version)",
        DeprecationWarning,
        stacklevel=2,
    )
    return image_uris.retrieve(framework=repo_name, region=region_name, version=repo_version)


def __getattr__(name: str) -> Any:
    from amtune.amazon import FIRST_PARTY_CLASSES, first_party_message

    if name in FIRST_PARTY_CLASSES:
        raise ImportError(first_party_message(name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""``sagemaker.serializers``: ``from amtune.serializers import CSVSerializer``
(:mod:`amtune.serve.serializers`)."""

from __future__ import annotations

from amtune.serve.serializers import (
    CSVSerializer,
    IdentitySerializer,
    JSONSerializer,
    LibSVMSerializer,
    NumpySerializer,
)

__all__ = [
    "CSVSerializer",
    "IdentitySerializer",
    "JSONSerializer",
    "LibSVMSerializer",
    "NumpySerializer",
]

"""``sagemaker.serializers``: ``from amtune.serializers import CSVSerializer``
(:mod:`amtune.serve.serializers`)."""

from __future__ import annotations

from amtune.serve.serializers import (
    CSVSerializer,
    DataSerializer,
    IdentitySerializer,
    JSONLinesSerializer,
    JSONSerializer,
    LibSVMSerializer,
    NumpySerializer,
    SparseMatrixSerializer,
    StringSerializer,
)

__all__ = [
    "CSVSerializer",
    "DataSerializer",
    "IdentitySerializer",
    "JSONLinesSerializer",
    "JSONSerializer",
    "LibSVMSerializer",
    "NumpySerializer",
    "SparseMatrixSerializer",
    "StringSerializer",
]

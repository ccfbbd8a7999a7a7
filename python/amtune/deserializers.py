"""``sagemaker.deserializers``: ``from amtune.deserializers import JSONDeserializer``
(:mod:`amtune.serve.serializers`)."""

from __future__ import annotations

from amtune.serve.serializers import (
    BytesDeserializer,
    CSVDeserializer,
    JSONDeserializer,
    JSONLinesDeserializer,
    NumpyDeserializer,
    PandasDeserializer,
    StreamDeserializer,
    StringDeserializer,
)

__all__ = [
    "BytesDeserializer",
    "CSVDeserializer",
    "JSONDeserializer",
    "JSONLinesDeserializer",
    "NumpyDeserializer",
    "PandasDeserializer",
    "StreamDeserializer",
    "StringDeserializer",
]

"""``sagemaker.predictor``: ``from amtune.predictor import Predictor``; the SDK v1 names that
SDK v2 keeps there, deprecated (``csv_serializer``, ``json_deserializer``, ...,
``RealTimePredictor``: :mod:`amtune.sagemaker.v1_predictor_names`)."""

from __future__ import annotations

from amtune.sagemaker.v1_predictor_names import (
    RealTimePredictor,
    csv_deserializer,
    csv_serializer,
    json_deserializer,
    json_serializer,
    npy_serializer,
    numpy_deserializer,
)
from amtune.serve.deployment import Predictor

__all__ = [
    "Predictor",
    "RealTimePredictor",
    "csv_deserializer",
    "csv_serializer",
    "json_deserializer",
    "json_serializer",
    "npy_serializer",
    "numpy_deserializer",
]

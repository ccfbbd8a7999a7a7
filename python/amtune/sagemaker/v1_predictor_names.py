"""The SDK v1 names that SDK v2 still keeps in ``sagemaker.predictor``, deprecated.

Older notebooks write ``from sagemaker.predictor import csv_serializer, json_deserializer`` and
``predictor.serializer = csv_serializer``, or build a ``RealTimePredictor(endpoint_name)``. SDK v2
keeps each as an instance of its v2 class (``CSVSerializer()``, ``JSONDeserializer()``, ...)
whose ``serialize`` / ``deserialize`` warns that the name has been renamed, and
``RealTimePredictor`` as a ``Predictor`` that warns when made; so does amtune
(``DeprecationWarning``, worded as the SDK's).

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     body = csv_serializer.serialize([1, 2])
>>> body, str(caught[0].message).splitlines()[0]
('1,2', 'The csv_serializer has been renamed in sagemaker>=2.')
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, TypeVar

from amtune.serve.deployment import Predictor
from amtune.serve.serializers import (
    CSVDeserializer,
    CSVSerializer,
    JSONDeserializer,
    JSONSerializer,
    NumpyDeserializer,
    NumpySerializer,
)

__all__ = [
    "RealTimePredictor",
    "csv_deserializer",
    "csv_serializer",
    "json_deserializer",
    "json_serializer",
    "npy_serializer",
    "numpy_deserializer",
]

V2_URL = "https://sagemaker.readthedocs.io/en/stable/v2.html"
T = TypeVar("T")


def renamed_warning(phrase: str, stacklevel: int = 3) -> None:
    """``<phrase> has been renamed in sagemaker>=2.`` as a ``DeprecationWarning``."""
    warnings.warn(
        f"{phrase} has been renamed in sagemaker>=2.\nSee: {V2_URL} for details.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _warns_on(instance: T, method: str, name: str) -> T:
    """``instance`` whose ``method`` warns that ``name`` was renamed, then does its work."""
    work = getattr(instance, method)

    @functools.wraps(work)
    def warned(*args: Any, **kwargs: Any) -> Any:
        renamed_warning(f"The {name}")
        return work(*args, **kwargs)

    setattr(instance, method, warned)
    return instance


csv_serializer = _warns_on(CSVSerializer(), "serialize", "csv_serializer")
json_serializer = _warns_on(JSONSerializer(), "serialize", "json_serializer")
npy_serializer = _warns_on(NumpySerializer(), "serialize", "npy_serializer")
csv_deserializer = _warns_on(CSVDeserializer(), "deserialize", "csv_deserializer")
json_deserializer = _warns_on(JSONDeserializer(), "deserialize", "json_deserializer")
numpy_deserializer = _warns_on(NumpyDeserializer(), "deserialize", "numpy_deserializer")


class RealTimePredictor(Predictor):
    """SDK v1's ``RealTimePredictor``: a :class:`~amtune.predictor.Predictor` that warns, when
    made, that the class has been renamed (SDK v2 keeps it so)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        renamed_warning("The class RealTimePredictor")
        super().__init__(*args, **kwargs)

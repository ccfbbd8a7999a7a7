"""``sagemaker.amazon``: only ``amazon_estimator`` (:func:`~amtune.amazon.amazon_estimator.
get_image_uri`, ``image_uris``). ``sagemaker.amazon.common`` (the RecordIO-protobuf format,
``write_numpy_to_dense_tensor``, ...) is out of scope: importing it is a
``ModuleNotFoundError`` that says so; the built-in algorithms read CSV (and libsvm, Parquet).

>>> import amtune.amazon.common
Traceback (most recent call last):
...
ModuleNotFoundError: No module named 'amtune.amazon.common': sagemaker.amazon.common ...
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["amazon_estimator"]

_COMMON = f"{__name__}.common"
_COMMON_MESSAGE = (
    f"No module named {_COMMON!r}: sagemaker.amazon.common (the RecordIO-protobuf format: "
    f"write_numpy_to_dense_tensor, read_records, ...) is not provided by amtune; give the "
    f"built-in algorithms CSV data (content_type='text/csv'), or libsvm or Parquet for XGBoost"
)


class _OutOfScope(importlib.abc.MetaPathFinder):
    """The last finder on ``sys.meta_path``: an import of ``amtune.amazon.common`` (found by no
    other finder) fails with a message saying why."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == _COMMON:
            raise ModuleNotFoundError(_COMMON_MESSAGE, name=fullname)
        return None


if not any(isinstance(f, _OutOfScope) for f in sys.meta_path):
    sys.meta_path.append(_OutOfScope())


def __getattr__(name: str) -> Any:
    if name == "amazon_estimator":
        return importlib.import_module(f"{__name__}.amazon_estimator")
    if name == "common":
        raise AttributeError(_COMMON_MESSAGE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""``sagemaker.amazon``: only ``amazon_estimator`` (:func:`~amtune.amazon.amazon_estimator.
get_image_uri`, ``image_uris``). ``sagemaker.amazon.common`` (the RecordIO-protobuf format,
``write_numpy_to_dense_tensor``, ...) is out of scope: importing it is a
``ModuleNotFoundError`` that says so; the built-in algorithms read CSV (and libsvm, Parquet).
So are the SDK's first-party algorithm estimators (``sagemaker.LinearLearner``, ``KNN``,
``KMeans``, ``RecordSet``, ...): their names and modules raise errors that say what to use.

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


#: The SDK's first-party algorithm modules (``sagemaker.amazon.<module>``) and their classes,
#: which ``sagemaker`` exports at its top level; they train from a ``RecordSet``
#: (RecordIO-protobuf), so they are not provided.
FIRST_PARTY_MODULES = {
    "kmeans": ("KMeans", "KMeansModel", "KMeansPredictor"),
    "pca": ("PCA", "PCAModel", "PCAPredictor"),
    "lda": ("LDA", "LDAModel", "LDAPredictor"),
    "linear_learner": ("LinearLearner", "LinearLearnerModel", "LinearLearnerPredictor"),
    "factorization_machines": (
        "FactorizationMachines",
        "FactorizationMachinesModel",
        "FactorizationMachinesPredictor",
    ),
    "ntm": ("NTM", "NTMModel", "NTMPredictor"),
    "randomcutforest": ("RandomCutForest", "RandomCutForestModel", "RandomCutForestPredictor"),
    "knn": ("KNN", "KNNModel", "KNNPredictor"),
    "object2vec": ("Object2Vec", "Object2VecModel"),
    "ipinsights": ("IPInsights", "IPInsightsModel", "IPInsightsPredictor"),
}
FIRST_PARTY_CLASSES = frozenset(
    {c for names in FIRST_PARTY_MODULES.values() for c in names}
    | {"AmazonAlgorithmEstimatorBase", "RecordSet", "FileSystemRecordSet"}
)


def first_party_message(name: str) -> str:
    """Why the SDK's first-party algorithm class or module ``name`` is missing, and what to use."""
    return (
        f"sagemaker's {name} (a first-party algorithm estimator of sagemaker.amazon, trained from "
        f"a RecordSet in RecordIO-protobuf) is not provided by amtune. Linear Learner and k-NN run "
        f"from CSV: Estimator(image_uris.retrieve('linear-learner' or 'knn', region), ...) with "
        f"their hyperparameters (set_hyperparameters) and TrainingInput(..., "
        f"content_type='text/csv'); the other first-party algorithms are not run (README, "
        f"'Built-in algorithms')"
    )


class _OutOfScope(importlib.abc.MetaPathFinder):
    """The last finder on ``sys.meta_path``: an import of ``amtune.amazon.common`` or of a
    first-party algorithm module (found by no other finder) fails with a message saying why."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == _COMMON:
            raise ModuleNotFoundError(_COMMON_MESSAGE, name=fullname)
        package, _, module = fullname.rpartition(".")
        if package == __name__ and module in FIRST_PARTY_MODULES:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: {first_party_message(module)}", name=fullname
            )
        return None


if not any(isinstance(f, _OutOfScope) for f in sys.meta_path):
    sys.meta_path.append(_OutOfScope())


def __getattr__(name: str) -> Any:
    if name == "amazon_estimator":
        return importlib.import_module(f"{__name__}.amazon_estimator")
    if name == "common":
        raise AttributeError(_COMMON_MESSAGE)
    if name in FIRST_PARTY_MODULES:
        raise AttributeError(first_party_message(name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

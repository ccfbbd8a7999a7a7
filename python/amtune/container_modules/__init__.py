"""Stand-ins for the Python modules that SageMaker's framework containers ship and that training
and inference scripts written for them import: ``sagemaker_xgboost_container`` (``data_utils``,
``encoder``, ``distributed``), ``sagemaker_containers`` (``entry_point``) and
``sagemaker_training`` (``environment.Environment``: the job's hosts, channels, directories and
hyperparameters, read from the job's directory as the toolkit reads ``/opt/ml``).

The directory of this package (not the package itself) is appended to ``PYTHONPATH`` of every
script-mode training job and model server (:func:`python_path`), after everything else: a real
installation of those modules wins (a job's ``SAGEMAKER_BASE_DIR`` is its directory, so the real
``sagemaker-training`` toolkit reads the same files). They implement what the AWS script-mode
examples use, on one host, with amtune's readers (CSV with the label first, libsvm, Parquet).

>>> import os
>>> os.path.isdir(os.path.join(python_path(), "sagemaker_xgboost_container"))
True
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def python_path() -> str:
    """The directory to put on ``PYTHONPATH`` so that the stand-ins import by their names."""
    return os.path.dirname(os.path.abspath(__file__))


def append_to_python_path(env: MutableMapping[str, str]) -> None:
    """Append :func:`python_path` to ``env["PYTHONPATH"]`` (last: real modules win)."""
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if python_path() not in parts:
        env["PYTHONPATH"] = os.pathsep.join([*parts, python_path()])

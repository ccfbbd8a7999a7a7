"""The error for a part of ``sagemaker_containers.beta.framework`` that the stand-in leaves out."""

from __future__ import annotations

#: what the stand-in provides (named in every error)
PROVIDED = (
    "content_types, encoders (encode/decode, array_to_csv/json/npy, csv/json/npy_to_numpy), "
    "errors (ClientError, UnsupportedFormatError), worker.Response, env (the /opt/ml "
    "directories and read_hyperparameters), entry_point"
)


def missing(module: str, name: str) -> ImportError:
    """``ImportError`` naming ``module.name``, what the stand-in has and what to use instead."""
    return ImportError(
        f"{module}.{name} is not part of amtune's stand-in for sagemaker_containers (it has "
        f"{PROVIDED}). The original sagemaker-containers package (2.8.6, its last release) does "
        f"not import on Python >= 3.10; use sagemaker_training.environment (also provided by "
        f"amtune) for the job's settings, or the SM_* environment variables, and the inference "
        f"handler functions (model_fn, input_fn, predict_fn, output_fn) for serving"
    )

"""``sagemaker_containers.beta.framework.env``: the job's directories (``model_dir``,
``input_dir``, ``output_data_dir``, ... under ``SAGEMAKER_BASE_DIR``, which amtune sets to the job's
directory) and ``read_hyperparameters()``, ``read_resource_config()``,
``read_input_data_config()``, from amtune's ``sagemaker_training.environment`` stand-in. The
``TrainingEnv`` and ``ServingEnv`` classes are not provided: use
``sagemaker_training.environment.Environment()``."""

from __future__ import annotations

from typing import Any

from ._missing import missing

try:  # the job's view: a real sagemaker-training toolkit, else amtune's stand-in
    from sagemaker_training.environment import (
        base_dir,
        code_dir,
        input_config_dir,
        input_dir,
        model_dir,
        output_data_dir,
        output_dir,
        output_intermediate_dir,
        read_hyperparameters,
        read_input_data_config,
        read_resource_config,
    )
except ImportError:  # imported as amtune.container_modules.sagemaker_containers...
    from ....sagemaker_training.environment import (
        base_dir,
        code_dir,
        input_config_dir,
        input_dir,
        model_dir,
        output_data_dir,
        output_dir,
        output_intermediate_dir,
        read_hyperparameters,
        read_input_data_config,
        read_resource_config,
    )

__all__ = [
    "base_dir",
    "code_dir",
    "input_config_dir",
    "input_dir",
    "model_dir",
    "output_data_dir",
    "output_dir",
    "output_intermediate_dir",
    "read_hyperparameters",
    "read_input_data_config",
    "read_resource_config",
]


def __getattr__(name: str) -> Any:
    if name in ("TrainingEnv", "ServingEnv", "Env"):
        raise missing(__name__, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

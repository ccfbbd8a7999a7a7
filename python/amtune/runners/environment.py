"""The SageMaker training-toolkit environment of a training job: its directories and ``SM_*``
variables, and hyperparameters as script-mode arguments."""

from __future__ import annotations

import json
import os
from typing import Any

from amtune.runners.spec import JobSpec


def prepare_job_dir(spec: JobSpec) -> dict[str, str]:
    """Create the job's directories; return the SageMaker environment variables for it."""
    assert spec.job_dir is not None
    model = spec.job_dir / "model"
    out = spec.job_dir / "output"
    data = out / "data"
    for d in (model, data):
        d.mkdir(parents=True, exist_ok=True)
    env = {
        "SM_HPS": json.dumps({k: json_value(v) for k, v in spec.hyperparameters.items()}),
        "SM_MODEL_DIR": str(model),
        "SM_OUTPUT_DIR": str(out),
        "SM_OUTPUT_DATA_DIR": str(data),
        "SM_CHANNELS": json.dumps(sorted(spec.channels)),
        "SM_CURRENT_HOST": "algo-1",
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_NUM_GPUS": "0",
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_TRAINING_JOB_NAME": spec.name,
        "TRAINING_JOB_NAME": spec.name,
        "AMTUNE_TUNING_JOB_NAME": spec.tuning_job,
        "AMTUNE_JOB_DIR": str(spec.job_dir),
    }
    for ch, path in spec.channels.items():
        env[f"SM_CHANNEL_{ch.upper()}"] = str(path)
    for k, v in spec.hyperparameters.items():
        env[f"SM_HP_{k.upper()}"] = hp_str(v)
    return env


def json_value(v: Any) -> Any:
    """A value as SageMaker's ``SM_HPS`` shows it: strings holding JSON (``"3"``) are decoded."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def hp_str(v: Any) -> str:
    """A hyperparameter value as a script-mode argument (``True`` -> ``True``, floats by repr)."""
    if isinstance(v, float):
        return repr(v)
    return str(v)

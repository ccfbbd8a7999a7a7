"""The SageMaker training-toolkit environment of a training job: its directories, its
``input/config/*.json`` files and ``SM_*`` variables (:mod:`amtune.sagemaker.toolkit`), and
hyperparameters as script-mode arguments."""

from __future__ import annotations

from typing import Any

from amtune.runners.spec import JobSpec
from amtune.sagemaker import toolkit


def prepare_job_dir(
    spec: JobSpec, module_dir: str | None = None, instance_type: str = "local"
) -> dict[str, str]:
    """Create the job's directories and ``input/config/*.json`` files (the SageMaker training
    toolkit's layout, see :mod:`amtune.sagemaker.toolkit`); return the job's environment."""
    assert spec.job_dir is not None
    te = toolkit.prepare(
        toolkit.JobLayout(spec.job_dir),
        spec.name,
        spec.hyperparameters,
        spec.channels,
        module_dir=module_dir,
        instance_type=instance_type,
        content_types={k: v for k, v in spec.content_types.items() if k in spec.channels},
    )
    env = dict(te.env)
    env["AMTUNE_TUNING_JOB_NAME"] = spec.tuning_job
    env["AMTUNE_JOB_DIR"] = str(spec.job_dir)
    return env


def hp_str(v: Any) -> str:
    """A hyperparameter value as a script-mode argument (``str`` of the decoded value)."""
    return toolkit.to_cmd_args({"x": toolkit.decode_value(v)})[1]

"""An estimator's constructor arguments read back from a stored training job definition, as the
SageMaker SDK's ``attach`` rebuilds an estimator from a job description.

The definition is a DescribeTrainingJob document (``Estimator.attach``) or a tuning job's
``TrainingJobDefinition`` (``HyperparameterTuner.attach``); the hyperparameters are its
``HyperParameters`` or ``StaticHyperParameters``. The script-mode entries the SDK adds
(``sagemaker_program``, ``sagemaker_submit_directory``, ``sagemaker_container_log_level``) become
``entry_point``, ``source_dir`` and ``container_log_level`` (a ``sagemaker_submit_directory``
that is a code bundle, :mod:`amtune.sagemaker.sourcedir`, gives back the ``source_dir`` and
``dependencies`` it was built from); the entries SageMaker reserves (the
job name, region, estimator class, ``_tuning_objective_metric``) are dropped; the others are the
estimator's hyperparameters, JSON-decoded when the estimator JSON-encodes them (framework
estimators, and an ``Estimator`` with a ``source_dir``). The fields with no local meaning
(``RoleArn``, ``ResourceConfig``, ``CheckpointConfig``, a spot job's ``MaxWaitTimeInSeconds``)
become ``role``, ``instance_type``/``instance_count``/``volume_size``, ``checkpoint_s3_uri``/
``checkpoint_local_path`` and ``max_wait``, so the rebuilt estimator's jobs report them as the
first did. Not stored, so left at their defaults: ``framework_version``, ``py_version``,
``output_path``, ``base_job_name`` and offline ``evaluation``.

>>> args = estimator_arguments(
...     {"AlgorithmSpecification": {"TrainingCommand": ["python", "train.py"]},
...      "StoppingCondition": {"MaxRuntimeInSeconds": 600}},
...     {"sagemaker_program": '"train.py"', "sagemaker_submit_directory": '"/code"',
...      "alpha": "0.5", "opt": '"adam"', "sagemaker_estimator_class_name": '"SKLearn"'},
...     json_hyperparameters=True)
>>> args["entry_point"], args["source_dir"], args["hyperparameters"], args["max_run"]
('train.py', '/code', {'alpha': 0.5, 'opt': 'adam'}, 600)
>>> estimator_class_name({"sagemaker_estimator_class_name": '"SKLearn"'})
'SKLearn'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amtune.sagemaker import sourcedir
from amtune.sagemaker.names import LOCAL_ROLE
from amtune.sagemaker.toolkit import decode_value

#: entries of the hyperparameters that are not the estimator's own
RESERVED = frozenset(
    {
        "sagemaker_job_name",
        "sagemaker_region",
        "sagemaker_estimator_class_name",
        "sagemaker_estimator_module",
        "_tuning_objective_metric",
    }
)


def estimator_class_name(hyperparameters: Mapping[str, Any]) -> str | None:
    """The framework estimator's class name the SDK records (None without one)."""
    raw = hyperparameters.get("sagemaker_estimator_class_name")
    name = decode_value(raw)
    return name if isinstance(name, str) and name else None


#: DescribeTrainingJob's flags and the estimator arguments that set them (the SDK's
#: ``_prepare_init_params_from_job_description`` reads them back the same way)
_FLAG_ARGUMENTS = {
    "EnableNetworkIsolation": "enable_network_isolation",
    "EnableInterContainerTrafficEncryption": "encrypt_inter_container_traffic",
    "EnableManagedSpotTraining": "use_spot_instances",
}


def estimator_arguments(
    definition: Mapping[str, Any],
    hyperparameters: Mapping[str, Any],
    json_hyperparameters: bool,
) -> dict[str, Any]:
    """Keyword arguments of an estimator's constructor (see the module docstring)."""
    hps = {str(k): v for k, v in hyperparameters.items() if k not in RESERVED}
    entry_point = decode_value(hps.pop("sagemaker_program", None))
    source_dir = decode_value(hps.pop("sagemaker_submit_directory", None))
    log_level = decode_value(hps.pop("sagemaker_container_log_level", None))
    decode = json_hyperparameters or source_dir is not None
    args: dict[str, Any] = {
        "hyperparameters": {k: decode_value(v) if decode else v for k, v in hps.items()},
    }
    algo = definition.get("AlgorithmSpecification") or {}
    bundle = sourcedir.manifest(source_dir) if isinstance(source_dir, str) else None
    if bundle is not None:  # a code bundle with dependencies: what it was built from
        args["dependencies"] = list(bundle.get("dependencies") or [])
        source_dir = bundle.get("source_dir")
        if source_dir is None and bundle.get("entry_point"):
            entry_point = bundle["entry_point"]  # no source_dir: the script's own path
    if entry_point:
        args["entry_point"] = str(entry_point)
        # an S3 code location (a request the SDK generated) has no local meaning: the job ran
        # its code from the service's directory, so the estimator's entry point stays relative
        if source_dir and not str(source_dir).startswith("s3://"):
            args["source_dir"] = str(source_dir)
    else:
        if algo.get("TrainingCommand"):
            args["command"] = list(algo["TrainingCommand"])
    if algo.get("TrainingImage"):
        args["image_uri"] = str(algo["TrainingImage"])
    if isinstance(log_level, int):
        args["container_log_level"] = log_level
    if algo.get("MetricDefinitions"):
        args["metric_definitions"] = [dict(m) for m in algo["MetricDefinitions"]]
    if definition.get("Environment"):
        args["environment"] = dict(definition["Environment"])
    for flag, arg in _FLAG_ARGUMENTS.items():  # recorded only, as the job reported them
        if definition.get(flag) is True:
            args[arg] = True
    max_run = (definition.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    if max_run:
        args["max_run"] = max_run
    retries = (definition.get("RetryStrategy") or {}).get("MaximumRetryAttempts")
    if retries is not None:
        args["max_retry_attempts"] = retries
    resources = definition.get("ResourceConfig") or {}
    if resources.get("InstanceType"):
        args["instance_type"] = resources["InstanceType"]
    if resources.get("InstanceCount"):
        args["instance_count"] = resources["InstanceCount"]
    # no local meaning; kept so the rebuilt estimator's jobs report them as the SDK's would
    if resources.get("VolumeSizeInGB"):
        args["volume_size"] = resources["VolumeSizeInGB"]
    max_wait = (definition.get("StoppingCondition") or {}).get("MaxWaitTimeInSeconds")
    if max_wait:
        args["max_wait"] = max_wait
    checkpoint = definition.get("CheckpointConfig") or {}
    if checkpoint.get("S3Uri"):
        args["checkpoint_s3_uri"] = checkpoint["S3Uri"]
    if checkpoint.get("LocalPath"):
        args["checkpoint_local_path"] = checkpoint["LocalPath"]
    role = definition.get("RoleArn")
    if isinstance(role, str) and role and role != LOCAL_ROLE:
        args["role"] = role
    return args

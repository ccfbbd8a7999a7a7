"""``sagemaker_training.environment``: the training job's settings, as scripts written for the
SageMaker framework containers read them (``environment.Environment().channel_input_dirs``).

Like the toolkit, it reads the job's directory, laid out as ``/opt/ml`` (``SAGEMAKER_BASE_DIR``,
which amtune sets to the job's directory; else ``/opt/ml``): ``input/config/hyperparameters.json``
(every value JSON-decoded when it is JSON; the ``sagemaker_*`` entries apart),
``resourceconfig.json`` and ``inputdataconfig.json`` (the channels: ``input/data/<channel>``).
The CPU and GPU counts are the job's ``SM_NUM_CPUS`` and ``SM_NUM_GPUS`` (else this machine's CPUs
and 0). One host; nothing here needs AWS. The attributes are plain values (the toolkit's are
read-only properties) and only those listed in :class:`Environment` exist.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

BASE_PATH_ENV = "SAGEMAKER_BASE_DIR"
base_dir = os.environ.get(BASE_PATH_ENV, os.path.join("/opt", "ml"))
code_dir = os.path.join(base_dir, "code")
model_dir = os.path.join(base_dir, "model")
input_dir = os.path.join(base_dir, "input")
input_config_dir = os.path.join(input_dir, "config")
output_dir = os.path.join(base_dir, "output")
output_data_dir = os.path.join(output_dir, "data")
output_intermediate_dir = os.path.join(output_dir, "intermediate")

#: the ``sagemaker_*`` entries the toolkit consumes itself (the others are framework parameters)
SAGEMAKER_HYPERPARAMETERS = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "default_user_module_name",
        "_tuning_objective_metric",
        "sagemaker_s3_output",
    }
)


def _read_json(name: str) -> dict[str, Any]:
    try:
        with open(os.path.join(input_config_dir, name)) as f:
            doc = json.load(f)
    except FileNotFoundError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _decode(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def read_hyperparameters() -> dict[str, Any]:
    """``hyperparameters.json``, every value JSON-decoded when it is JSON."""
    return {k: _decode(v) for k, v in _read_json("hyperparameters.json").items()}


def read_resource_config() -> dict[str, Any]:
    return _read_json("resourceconfig.json")


def read_input_data_config() -> dict[str, Any]:
    return _read_json("inputdataconfig.json")


def channel_path(channel: str) -> str:
    """The directory of a channel's data: ``input/data/<channel>``."""
    return os.path.join(input_dir, "data", channel)


def _is_sagemaker(name: str) -> bool:
    """Whether a hyperparameter configures the container (``sagemaker_*`` and the like)."""
    return name.startswith("sagemaker_") or name in SAGEMAKER_HYPERPARAMETERS


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return default


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


#: the attributes of :class:`Environment`
PROPERTIES = (
    "hosts",
    "current_host",
    "current_instance_type",
    "current_instance_group",
    "current_instance_group_hosts",
    "instance_groups",
    "instance_groups_dict",
    "distribution_hosts",
    "distribution_instance_groups",
    "is_hetero",
    "master_hostname",
    "is_master",
    "network_interface_name",
    "channel_input_dirs",
    "hyperparameters",
    "additional_framework_parameters",
    "resource_config",
    "input_data_config",
    "model_dir",
    "input_dir",
    "input_config_dir",
    "output_dir",
    "output_data_dir",
    "output_intermediate_dir",
    "module_dir",
    "module_name",
    "user_entry_point",
    "log_level",
    "job_name",
    "num_cpus",
    "num_gpus",
    "num_neurons",
    "framework_module",
)


class Environment:
    """The job's settings (the toolkit's ``Environment``; arguments override the files): the
    attributes in :data:`PROPERTIES` (``hyperparameters`` without the ``sagemaker_*`` entries,
    which are in ``additional_framework_parameters`` unless the toolkit consumes them), and
    ``to_cmd_args()``, ``to_env_vars()``, ``properties()``, ``sagemaker_s3_output()``. The
    values are those the ``sagemaker-training`` toolkit computes for the same job directory.
    """

    def __init__(
        self,
        resource_config: dict[str, Any] | None = None,
        input_data_config: dict[str, Any] | None = None,
        hyperparameters: dict[str, Any] | None = None,
    ) -> None:
        rc = resource_config or read_resource_config()
        idc = input_data_config or read_input_data_config()
        hps = hyperparameters or read_hyperparameters()
        sm = {k: v for k, v in hps.items() if _is_sagemaker(k)}
        self.current_host: str = rc.get("current_host") or os.environ.get("CURRENT_HOST", "algo-1")
        self.hosts: list[str] = list(rc.get("hosts") or [self.current_host])
        self.current_instance_type: str = rc.get("current_instance_type", "local")
        self.current_instance_group: str = rc.get("current_group_name", "homogeneousCluster")
        groups = rc.get("instance_groups") or []
        self.instance_groups: list[str] = [g["instance_group_name"] for g in groups]
        self.instance_groups_dict: dict[str, Any] = {g["instance_group_name"]: g for g in groups}
        own = self.instance_groups_dict.get(self.current_instance_group, {})
        self.current_instance_group_hosts: list[str] = list(own.get("hosts") or [])
        self.additional_framework_parameters = {
            k: v for k, v in sm.items() if k not in SAGEMAKER_HYPERPARAMETERS
        }
        # the groups a distribution is given for (none without one, as the toolkit has it)
        self.distribution_instance_groups: list[str] = list(
            self.additional_framework_parameters.get("sagemaker_distribution_instance_groups") or []
        )
        self.distribution_hosts: list[str] = [
            h
            for g in self.distribution_instance_groups
            for h in self.instance_groups_dict.get(g, {}).get("hosts", [])
        ]
        self.is_hetero = len(self.instance_groups) > 1
        self.master_hostname: str = self.hosts[0]
        self.is_master = self.current_host == self.master_hostname
        self.network_interface_name: str = rc.get("network_interface_name", "eth0")
        self.resource_config = rc
        self.input_data_config = idc
        self.channel_input_dirs = {ch: channel_path(ch) for ch in idc}
        self.hyperparameters = {k: v for k, v in hps.items() if k not in sm}
        program = sm.get("sagemaker_program") or os.environ.get("SAGEMAKER_PROGRAM")
        self.user_entry_point: str | None = None if program is None else str(program)
        name = self.user_entry_point
        self.module_name = name[:-3] if name and name.endswith(".py") else name
        self.module_dir = str(
            sm.get("sagemaker_submit_directory") or os.environ.get("SM_MODULE_DIR") or code_dir
        )
        self.log_level = int(sm.get("sagemaker_container_log_level", logging.INFO))
        self._s3_output = sm.get("sagemaker_s3_output")
        self.job_name: str | None = os.environ.get("TRAINING_JOB_NAME")
        self.framework_module: str | None = os.environ.get("SAGEMAKER_TRAINING_MODULE")
        self.model_dir = model_dir
        self.input_dir = input_dir
        self.input_config_dir = input_config_dir
        self.output_dir = output_dir
        self.output_data_dir = output_data_dir
        self.output_intermediate_dir = output_intermediate_dir
        self.num_cpus = _int_env("SM_NUM_CPUS", os.cpu_count() or 1)
        self.num_gpus = _int_env("SM_NUM_GPUS", 0)
        self.num_neurons = 0

    def sagemaker_s3_output(self) -> Any:
        """``sagemaker_s3_output`` of the hyperparameters (None without it)."""
        return self._s3_output

    def to_cmd_args(self) -> list[str]:
        """The hyperparameters as the toolkit writes them as arguments: sorted by name,
        ``--name value`` (``-x value`` for a one-letter name, where amtune passes ``--x``)."""
        out: list[str] = []
        for k in sorted(self.hyperparameters):
            v = self.hyperparameters[k]
            if isinstance(v, dict):
                v = ",".join(f"{a}={b}" for a, b in sorted(v.items()))
            out += [f"-{k}" if len(k) == 1 else f"--{k}", "" if v is None else str(v)]
        return out

    def properties(self) -> dict[str, Any]:
        """The settings as one dict (``SM_TRAINING_ENV``)."""
        return {n: getattr(self, n) for n in PROPERTIES}

    def to_env_vars(self) -> dict[str, str]:
        """The ``SM_*`` variables of these settings (as the toolkit writes them)."""
        env = {
            "hosts": self.hosts,
            "current_host": self.current_host,
            "current_instance_type": self.current_instance_type,
            "current_instance_group": self.current_instance_group,
            "current_instance_group_hosts": self.current_instance_group_hosts,
            "instance_groups": self.instance_groups,
            "instance_groups_dict": self.instance_groups_dict,
            "distribution_instance_groups": self.distribution_instance_groups,
            "is_hetero": self.is_hetero,
            "framework_module": self.framework_module,
            "training_env": self.properties(),
            "network_interface_name": self.network_interface_name,
            "hps": self.hyperparameters,
            "user_entry_point": self.user_entry_point,
            "framework_params": self.additional_framework_parameters,
            "resource_config": self.resource_config,
            "input_data_config": self.input_data_config,
            "channels": sorted(self.channel_input_dirs),
            "module_name": self.module_name,
            "module_dir": self.module_dir,
            "log_level": self.log_level,
            "model_dir": self.model_dir,
            "input_dir": self.input_dir,
            "input_config_dir": self.input_config_dir,
            "output_dir": self.output_dir,
            "output_data_dir": self.output_data_dir,
            "output_intermediate_dir": self.output_intermediate_dir,
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
            "num_neurons": self.num_neurons,
            "user_args": self.to_cmd_args(),
        }
        env.update({f"channel_{k}": v for k, v in self.channel_input_dirs.items()})
        env.update({f"hp_{k}": v for k, v in self.hyperparameters.items()})
        return {f"SM_{k.upper()}": _env_value(v) for k, v in env.items()}

"""The SageMaker training toolkit's contract with a script-mode training script, reproduced locally.

On SageMaker, a framework container (scikit-learn, XGBoost, PyTorch, TensorFlow, Hugging Face) runs
the training script through the ``sagemaker-training`` toolkit, which

1. reads ``/opt/ml/input/config/hyperparameters.json`` (every value a string) and JSON-decodes
   each value, keeping the string itself when it is not JSON (``'"target"'`` -> ``target``,
   ``"2"`` -> ``2``, ``"MedInc HouseAge"`` stays as it is);
2. removes the ``sagemaker_*`` entries (they configure the container: ``sagemaker_program``
   names the entry point, ``sagemaker_submit_directory`` the code,
   ``sagemaker_container_log_level`` the log level; unknown ``sagemaker_*`` entries become the
   framework parameters);
3. passes the rest as arguments, sorted by name: ``--name value`` (a dict value as
   ``k=v,k2=v2``; the toolkit writes a one-letter name as ``-n``, amtune as ``--n``);
4. sets the ``SM_*`` environment (:func:`environment`) and runs ``python <entry point> <arguments>``
   in the code directory.

Here every training job gets that contract under its own directory, laid out as ``/opt/ml`` is on
SageMaker (:class:`JobLayout`), and named by ``SAGEMAKER_BASE_DIR`` (the toolkit's variable for
where ``/opt/ml`` is: an installed ``sagemaker-training``, or amtune's stand-in for its
``environment`` module, reads the job's files there). Channels are linked into
``input/data/<channel>``; a channel that is a single file becomes a directory holding that file,
as SageMaker downloads an S3 object, and a key prefix that is not a directory gets the files it
selects (:func:`stage_channel`). A job whose code is a bundle with ``dependencies``
(:mod:`amtune.sagemaker.sourcedir`) gets it first on ``PYTHONPATH``, as the toolkit puts
``/opt/ml/code`` there.

>>> decode_hyperparameters({"target": '"target"', "verbosity": '"2"', "n": "100", "f": "A B"})
{'target': 'target', 'verbosity': '2', 'n': 100, 'f': 'A B'}
>>> user, sm = split_sagemaker({"n": 100, "sagemaker_program": "train.py"})
>>> user, sm
({'n': 100}, {'sagemaker_program': 'train.py'})
>>> to_cmd_args({"n-estimators": 100, "features": "MedInc HouseAge", "x": 0.5})
['--features', 'MedInc HouseAge', '--n-estimators', '100', '--x', '0.5']
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amtune.sagemaker import sourcedir

#: Prefix of the hyperparameters that configure the container rather than the script.
SAGEMAKER_PREFIX = "sagemaker_"
USER_PROGRAM = "sagemaker_program"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"
LOG_LEVEL = "sagemaker_container_log_level"
JOB_NAME = "sagemaker_job_name"
REGION = "sagemaker_region"
#: The entries the toolkit consumes itself (other ``sagemaker_*`` ones: framework parameters).
SAGEMAKER_HYPERPARAMETERS = (
    USER_PROGRAM,
    SUBMIT_DIRECTORY,
    "sagemaker_enable_cloudwatch_metrics",
    REGION,
    LOG_LEVEL,
    JOB_NAME,
    "default_user_module_name",
    "_tuning_objective_metric",
    "sagemaker_s3_output",
)
CURRENT_HOST = "algo-1"
INSTANCE_GROUP = "homogeneousCluster"


def decode_value(value: Any) -> Any:
    """A hyperparameter as the toolkit hands it over: a string holding JSON is decoded.

    >>> decode_value('"sgd"'), decode_value("0.5"), decode_value("true"), decode_value("sgd")
    ('sgd', 0.5, True, 'sgd')
    """
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def decode_hyperparameters(hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
    """Every value decoded with :func:`decode_value` (order kept)."""
    return {str(k): decode_value(v) for k, v in hyperparameters.items()}


def encode_value(value: Any) -> str:
    """A hyperparameter as ``hyperparameters.json`` holds it (a string; numbers as JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


#: where a SageMaker training container's job files are (``SM_MODEL_DIR`` is ``/opt/ml/model``)
CONTAINER_ROOT = "/opt/ml"
#: the variable that moves ``/opt/ml`` for the ``sagemaker-training`` toolkit: each job's directory
BASE_DIR_ENV = "SAGEMAKER_BASE_DIR"


def job_path(value: str, layout: JobLayout) -> str:
    """A hyperparameter that is a path under ``/opt/ml`` (plain or JSON-encoded, as the
    TensorFlow estimator's ``model_dir``) as the same path in the job's directory, which is laid
    out as ``/opt/ml`` is; any other value unchanged.

    >>> lay = JobLayout(Path("/jobs/j1"))
    >>> job_path('"/opt/ml/model"', lay), job_path("/opt/ml/input", lay), job_path("0.5", lay)
    ('"/jobs/j1/model"', '/jobs/j1/input', '0.5')
    """
    decoded = decode_value(value)
    if not isinstance(decoded, str):
        return value
    if decoded != CONTAINER_ROOT and not decoded.startswith(CONTAINER_ROOT + "/"):
        return value
    local = str(layout.root) + decoded[len(CONTAINER_ROOT) :]
    return json.dumps(local) if decoded != value else local


def job_paths(hyperparameters: Mapping[str, str], layout: JobLayout) -> dict[str, str]:
    """The hyperparameters (strings) with every script's path under ``/opt/ml`` in the job's
    directory (:func:`job_path`); the ``sagemaker_*`` entries as they are."""
    return {
        k: v if k.startswith(SAGEMAKER_PREFIX) else job_path(v, layout)
        for k, v in hyperparameters.items()
    }


def split_sagemaker(hyperparameters: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(for the script, for the container)``: entries named ``sagemaker_*`` (or one of
    :data:`SAGEMAKER_HYPERPARAMETERS`) go to the container."""
    user: dict[str, Any] = {}
    container: dict[str, Any] = {}
    for k, v in hyperparameters.items():
        if k in SAGEMAKER_HYPERPARAMETERS or k.startswith(SAGEMAKER_PREFIX):
            container[k] = v
        else:
            user[k] = v
    return user, container


def _arg_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin1")
    return str(value)


def to_cmd_args(hyperparameters: Mapping[str, Any], short_options: bool = False) -> list[str]:
    """The script's arguments: ``--name value`` sorted by name (decoded values, ``str()`` of each).

    The toolkit itself writes a one-letter name as ``-x``; amtune writes ``--x`` unless
    ``short_options`` is true (argparse scripts written for amtune declare ``--x``).
    """
    out: list[str] = []
    for k in sorted(hyperparameters):
        out.append(f"-{k}" if short_options and len(k) == 1 else f"--{k}")
        v = hyperparameters[k]
        if isinstance(v, Mapping):
            out.append(",".join(f"{a}={b}" for a, b in sorted(v.items())))
        else:
            out.append(_arg_str(v))
    return out


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True)
class JobLayout:
    """A training job's directory, laid out as ``/opt/ml`` is in a SageMaker training container.

    >>> lay = JobLayout(Path("/jobs/j1"))
    >>> str(lay.hyperparameters_file)
    '/jobs/j1/input/config/hyperparameters.json'
    >>> str(lay.channel_dir("train"))
    '/jobs/j1/input/data/train'
    """

    root: Path

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def input_dir(self) -> Path:
        return self.root / "input"

    @property
    def input_config_dir(self) -> Path:
        return self.input_dir / "config"

    @property
    def input_data_dir(self) -> Path:
        return self.input_dir / "data"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.output_dir / "data"

    @property
    def output_intermediate_dir(self) -> Path:
        return self.output_dir / "intermediate"

    @property
    def hyperparameters_file(self) -> Path:
        return self.input_config_dir / "hyperparameters.json"

    @property
    def resource_config_file(self) -> Path:
        return self.input_config_dir / "resourceconfig.json"

    @property
    def input_data_config_file(self) -> Path:
        return self.input_config_dir / "inputdataconfig.json"

    def channel_dir(self, channel: str) -> Path:
        return self.input_data_dir / channel


def stage_channel(source: str | os.PathLike[str], target: Path) -> Path:
    """Make ``target`` (``input/data/<channel>``) show the channel's data; return it.

    A directory is linked (a symlink to it); a single file gets a directory of its own holding a
    link to the file (or a copy where links are not possible), as SageMaker downloads an S3
    object into the channel's directory. A path that does not exist is an S3 key prefix
    (:func:`amtune.sagemaker.inputs.prefix_files`): the directory holds a link to every file
    whose path starts with it, under its path below the prefix's directory (``csv/train``
    gives ``train.csv`` for ``csv/train.csv``), as SageMaker names the objects it downloads.
    """
    from amtune.sagemaker.inputs import prefix_files

    src = Path(source).resolve()
    files = [] if src.exists() else prefix_files(src)
    if not src.exists() and not files:
        raise FileNotFoundError(
            f"channel data not found: no file or directory {src}, and no file whose path "
            f"starts with it"
        )
    if target.is_symlink():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        try:
            target.symlink_to(src, target_is_directory=True)
        except OSError:
            shutil.copytree(src, target)
        return target
    if src.is_file():
        files = [(src, src.name)]
    target.mkdir()
    for f, rel in files:
        link = target / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(f)
        except OSError:
            shutil.copy2(f, link)
    return target


def resource_config(instance_type: str = "local") -> dict[str, Any]:
    """``resourceconfig.json`` of a one-host training job."""
    return {
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_group_name": INSTANCE_GROUP,
        "hosts": [CURRENT_HOST],
        "instance_groups": [
            {
                "instance_group_name": INSTANCE_GROUP,
                "instance_type": instance_type,
                "hosts": [CURRENT_HOST],
            }
        ],
        "network_interface_name": "eth0",
    }


def input_data_config(
    channels: Mapping[str, Any], content_types: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """``inputdataconfig.json``: one entry per channel (File mode, fully replicated), with the
    channel's ``ContentType`` when ``content_types`` has one."""
    out: dict[str, dict[str, str]] = {}
    for name in channels:
        entry = {
            "TrainingInputMode": "File",
            "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None",
        }
        ct = (content_types or {}).get(name)
        if ct:
            entry["ContentType"] = ct
        out[name] = entry
    return out


def request_content_types(input_data_config: Any) -> dict[str, str]:
    """Channel name -> ``ContentType`` of a request's ``InputDataConfig`` (a list of channels),
    for the channels that have one (what SageMaker writes to ``inputdataconfig.json``)."""
    out: dict[str, str] = {}
    for ch in input_data_config if isinstance(input_data_config, list) else []:
        if isinstance(ch, Mapping):
            name, ct = ch.get("ChannelName"), ch.get("ContentType")
            if isinstance(name, str) and isinstance(ct, str) and ct:
                out[name] = ct
    return out


@dataclass(frozen=True)
class TrainingEnvironment:
    """What one training job's script sees: its arguments and its environment."""

    args: list[str]
    env: dict[str, str]
    hyperparameters: dict[str, Any]  # decoded, without the sagemaker_* entries
    container: dict[str, Any]  # the decoded sagemaker_* entries
    user_entry_point: str | None


def prepare(
    layout: JobLayout,
    job_name: str,
    hyperparameters: Mapping[str, Any],
    channels: Mapping[str, str | os.PathLike[str]],
    *,
    module_dir: str | os.PathLike[str] | None = None,
    instance_type: str = "local",
    content_types: Mapping[str, str] | None = None,
    num_cpus: int | None = None,
) -> TrainingEnvironment:
    """Create the job's directories and config files and build the toolkit's environment.

    ``hyperparameters`` are the training job's (as in a CreateTrainingJob request: strings, maybe
    JSON-encoded; Python values are accepted too). ``module_dir`` is the local code directory
    (``SM_MODULE_DIR``; a ``sagemaker_submit_directory`` that is an S3 URI has no local meaning).
    """
    for d in (
        layout.model_dir,
        layout.input_config_dir,
        layout.input_data_dir,
        layout.output_data_dir,
        layout.output_intermediate_dir,
    ):
        d.mkdir(parents=True, exist_ok=True)
    # a retried job reports its own failure, not the previous attempt's
    (layout.output_dir / "failure").unlink(missing_ok=True)
    raw = job_paths({str(k): encode_value(v) for k, v in hyperparameters.items()}, layout)
    rc = resource_config(instance_type)
    idc = input_data_config(channels, content_types)
    _write_json(layout.hyperparameters_file, raw)
    _write_json(layout.resource_config_file, rc)
    _write_json(layout.input_data_config_file, idc)
    channel_dirs = {
        name: str(stage_channel(src, layout.channel_dir(name))) for name, src in channels.items()
    }
    decoded = decode_hyperparameters(raw)
    user, container = split_sagemaker(decoded)
    framework_params = {k: v for k, v in container.items() if k not in SAGEMAKER_HYPERPARAMETERS}
    entry = container.get(USER_PROGRAM)
    entry = None if entry is None else str(entry)
    module_name = entry[:-3] if entry and entry.endswith(".py") else entry
    log_level = container.get(LOG_LEVEL, logging.INFO)
    mdir = "" if module_dir is None else str(module_dir)
    args = to_cmd_args(user)
    cpus = num_cpus if num_cpus is not None else (os.cpu_count() or 1)
    group = rc["instance_groups"][0]
    props: dict[str, Any] = {
        "additional_framework_parameters": framework_params,
        "channel_input_dirs": channel_dirs,
        "current_host": CURRENT_HOST,
        "current_instance_group": INSTANCE_GROUP,
        "current_instance_group_hosts": [CURRENT_HOST],
        "current_instance_type": instance_type,
        "distribution_hosts": [],
        "distribution_instance_groups": [],
        "framework_module": None,
        "hosts": [CURRENT_HOST],
        "hyperparameters": user,
        "input_config_dir": str(layout.input_config_dir),
        "input_data_config": idc,
        "input_dir": str(layout.input_dir),
        "instance_groups": [INSTANCE_GROUP],
        "instance_groups_dict": {INSTANCE_GROUP: group},
        "is_hetero": False,
        "is_master": True,
        "is_modelparallel_enabled": None,
        "is_smddpmprun_installed": False,
        "is_smddprun_installed": False,
        "job_name": job_name,
        "log_level": log_level,
        "master_hostname": CURRENT_HOST,
        "model_dir": str(layout.model_dir),
        "module_dir": mdir,
        "module_name": module_name,
        "network_interface_name": "eth0",
        "num_cpus": cpus,
        "num_gpus": 0,
        "num_neurons": 0,
        "output_data_dir": str(layout.output_data_dir),
        "output_dir": str(layout.output_dir),
        "output_intermediate_dir": str(layout.output_intermediate_dir),
        "resource_config": rc,
        "user_entry_point": entry,
    }
    env_src: dict[str, Any] = {
        "hosts": props["hosts"],
        "network_interface_name": "eth0",
        "hps": user,
        "user_entry_point": entry,
        "framework_params": framework_params,
        "resource_config": rc,
        "input_data_config": idc,
        "output_data_dir": props["output_data_dir"],
        "channels": sorted(channel_dirs),
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_instance_group": INSTANCE_GROUP,
        "current_instance_group_hosts": [CURRENT_HOST],
        "instance_groups": [INSTANCE_GROUP],
        "instance_groups_dict": props["instance_groups_dict"],
        "distribution_instance_groups": [],
        "is_hetero": False,
        "module_name": module_name,
        "log_level": log_level,
        "framework_module": None,
        "input_dir": props["input_dir"],
        "input_config_dir": props["input_config_dir"],
        "output_dir": props["output_dir"],
        "num_cpus": cpus,
        "num_gpus": 0,
        "num_neurons": 0,
        "model_dir": props["model_dir"],
        "module_dir": mdir,
        "training_env": props,
        "user_args": args,
        "output_intermediate_dir": props["output_intermediate_dir"],
    }
    for name, path in channel_dirs.items():
        env_src[f"channel_{name}"] = path
    for k, v in user.items():
        env_src[f"hp_{k}"] = v
    env = {f"SM_{k.upper()}": _env_value(v) for k, v in env_src.items()}
    env["SM_TRAINING_JOB_NAME"] = job_name
    env["TRAINING_JOB_NAME"] = job_name
    env["CURRENT_HOST"] = CURRENT_HOST
    env["SAGEMAKER_JOB_NAME"] = str(container.get(JOB_NAME, job_name))
    env["SAGEMAKER_REGION"] = str(container.get(REGION, ""))
    # the job's directory is laid out as /opt/ml: an installed sagemaker-training toolkit (and
    # amtune's stand-in for it) reads it from there
    env[BASE_DIR_ENV] = str(layout.root)
    if entry:
        env["SAGEMAKER_PROGRAM"] = entry
    if module_dir is not None and sourcedir.manifest(module_dir) is not None:
        # a code bundle with dependencies: first on the path, as the toolkit puts /opt/ml/code
        rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([mdir, *rest])
    return TrainingEnvironment(args, env, user, container, entry)


def _write_json(path: Path, doc: Any) -> None:
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)

"""Estimators named and shaped as in the SageMaker Python SDK, running training jobs locally.

``Estimator`` (a generic image, or a local ``command``) and the framework estimators ``SKLearn``,
``XGBoost``, ``PyTorch``, ``TensorFlow`` and ``HuggingFace`` take the SDK's constructor arguments.
``entry_point`` and ``source_dir`` are local; the script runs with the current Python (or
``command``). Arguments that configure the cloud (``role``, ``instance_type``, ``instance_count``,
``framework_version``, ``py_version``, ``sagemaker_session``, an S3 ``output_path``, ...) are
accepted and ignored with one notice. ``fit(inputs)`` runs ONE training job through the same
runner, store and job directory layout as the training jobs of a tuning job, with the SageMaker
training toolkit's contract (:mod:`amtune.sagemaker.toolkit`).

Offline evaluation (an amtune extension): ``evaluation={"Type": "Holdout", "ValidationFraction":
0.2}`` or ``{"Type": "KFold", "K": 5}`` given to the constructor applies to every ``fit`` of the
estimator and to a ``HyperparameterTuner`` built on it (unless the tuner has its own), as the
estimator's other settings do. ``fit(inputs)`` then splits the ``train`` channel
(:mod:`amtune.evaluation`): a holdout job is one run on the split's ``train`` and ``validation``
channels; a k-fold job is ``K`` runs (``<job dir>/fold-<i>/``, each with its log and model, at
most ``os.cpu_count()`` at once) whose metrics are the means over the folds, with every fold's
value (``<metric>:fold-<i>``) and the spread (``<metric>:std``, ``:min``, ``:max``) kept;
``describe()["Evaluation"]`` lists the folds. A k-fold job has no single model: transform or
evaluate one fold's (``amtune transform JOB --fold N``); it cannot be deployed.

>>> import os, sys, tempfile
>>> d = tempfile.mkdtemp()
>>> with open(os.path.join(d, "train.py"), "w") as f:
...     _ = f.write("import argparse\\np = argparse.ArgumentParser()\\n"
...                 "p.add_argument('--alpha', type=float)\\n"
...                 "print('loss:', p.parse_args().alpha * 2)\\n")
>>> est = SKLearn("train.py", source_dir=d, framework_version="1.2-1",
...               hyperparameters={"alpha": 0.25},
...               metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}],
...               db=os.path.join(d, "amtune.db"), notices=False)
>>> est.hyperparameters()
{'alpha': '0.25'}
>>> est.fit(logs=False)
>>> desc = est.describe()
>>> desc["TrainingJobStatus"], desc["FinalMetricDataList"][0]["Value"]
('Completed', 0.5)
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from amtune.evaluation.apply import evaluated_runner
from amtune.evaluation.config import parse_evaluation
from amtune.metrics import validate_metric_definitions
from amtune.runners.command import CommandRunner
from amtune.runners.spec import Runner
from amtune.sagemaker import sourcedir, toolkit
from amtune.sagemaker.exceptions import UnexpectedStatusException
from amtune.sagemaker.inputs import input_data_config, local_output_dir, resolve_inputs_with_types
from amtune.sagemaker.names import LOCAL_INSTANCE_TYPES, hosting_instance_type
from amtune.sagemaker.session import store_of_session
from amtune.sagemaker.training import (
    TrainingJobRun,
    describe_training_job,
    job_logs,
    print_job_logs,
    standalone_job_dir,
)
from amtune.store import Store

#: ``volume_size``'s default in the SDK (GB): what a request reports without one
SDK_VOLUME_SIZE = 30

#: SDK arguments that configure the cloud; accepted and ignored (with one notice).
#: the SageMaker SDK v1 names of estimator arguments, which v2 still reads (with a warning)
LEGACY_NAMES = {
    "train_instance_count": "instance_count",
    "train_instance_type": "instance_type",
    "train_volume_size": "volume_size",
    "train_volume_kms_key": "volume_kms_key",
    "train_max_run": "max_run",
    "train_use_spot_instances": "use_spot_instances",
    "train_max_wait": "max_wait",
}

CLOUD_ONLY = frozenset(
    {
        "role",
        "instance_count",
        "instance_type",
        "keep_alive_period_in_seconds",
        "volume_size",
        "volume_kms_key",
        "input_mode",
        "output_kms_key",
        "sagemaker_session",
        "tags",
        "subnets",
        "security_group_ids",
        "model_uri",
        "model_channel_name",
        "encrypt_inter_container_traffic",
        "use_spot_instances",
        "max_wait",
        "checkpoint_s3_uri",
        "checkpoint_local_path",
        "rules",
        "debugger_hook_config",
        "tensorboard_output_config",
        "enable_sagemaker_metrics",
        "enable_network_isolation",
        "profiler_config",
        "disable_profiler",
        "git_config",
        "code_location",
        "instance_groups",
        "training_repository_access_mode",
        "training_repository_credentials_provider_arn",
        "enable_infra_check",
        "container_entry_point",
        "container_arguments",
        "disable_output_compression",
        "enable_remote_debug",
        "enable_session_tag_chaining",
        "training_plan",
        "instance_placement_config",
        "framework_version",
        "py_version",
        "image_uri_region",
        "distribution",
        "compiler_config",
        "training_recipe",
        "recipe_overrides",
        "transformers_version",
        "tensorflow_version",
        "pytorch_version",
        "model_dir",
    }
)
#: the SDK's "use the estimator's VPC config" default of ``create_model`` (none locally)
VPC_CONFIG_DEFAULT = "VPC_CONFIG_DEFAULT"


def _vpc_config(override: Any) -> Any:
    return None if override == VPC_CONFIG_DEFAULT else override


#: a training job's model directory as a SageMaker container sees it (``SM_MODEL_DIR``)
CONTAINER_MODEL_DIR = "/opt/ml/model"
TRAINING_JOB_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def notice(msg: str) -> None:
    """One line on stderr, as the CLI prints its notices."""
    print(f"amtune: notice: {msg}", file=sys.stderr, flush=True)


class UnknownArgumentWarning(UserWarning, TypeError):
    """A keyword argument the SageMaker SDK's estimator does not have, ignored (as the SDK v2
    ignores it). Also a ``TypeError``: where warnings are errors (``-W error``), it is the
    ``TypeError`` Python raises for an unexpected keyword argument."""


def _unknown_arguments_message(cls: type, unknown: Sequence[str]) -> str:
    """The warning for keyword arguments the SDK's estimator does not have (each named, with
    the closest argument of ``cls`` when one is close, for a misspelling)."""
    import difflib
    import inspect

    known: set[str] = set(CLOUD_ONLY) | set(LEGACY_NAMES)
    for c in cls.__mro__:
        init = c.__dict__.get("__init__")
        if init is not None:
            known.update(
                p.name
                for p in inspect.signature(init).parameters.values()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"
            )
    parts = []
    for k in unknown:
        close = difflib.get_close_matches(k, sorted(known), n=1, cutoff=0.8)
        parts.append(f"{k!r} (did you mean {close[0]!r}?)" if close else repr(k))
    return (
        f"{cls.__name__}: unexpected argument(s) {', '.join(parts)}, ignored: not an argument "
        f"of the SageMaker SDK v2 estimator, which accepts and ignores unknown keyword arguments"
    )


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of a warning that points at the first caller outside this module (the
    user's ``SKLearn(...)`` line, past the estimator classes' ``__init__`` chain)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _wants_logs(logs: Any) -> bool:
    """Whether the SDK's ``logs`` argument asks for the job's log (``True``, ``"All"``,
    ``"Training"``; not ``False``, None or ``"None"``)."""
    return logs not in (False, None, "None", "none")


def delete_endpoint_removed() -> None:
    """What ``estimator.delete_endpoint()`` and ``tuner.delete_endpoint()`` do in the SageMaker
    SDK v2, which removed them: nothing, with a ``DeprecationWarning``."""
    warnings.warn(
        "delete_endpoint() was removed in SageMaker SDK v2, where it is a no-op; it does "
        "nothing here either (the endpoint keeps running): call predictor.delete_endpoint()",
        DeprecationWarning,
        stacklevel=3,
    )


def _predefined_metric_definitions(image_uri: str | None) -> list[dict[str, str]]:
    """The metric definitions SageMaker uses for a built-in image (none for other images)."""
    from amtune.sagemaker.requests import image_metric_definitions

    return image_metric_definitions(image_uri)


def _json_value(name: str, value: Any) -> str:
    """A hyperparameter as the SDK's framework estimators send it: its JSON text."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"hyperparameters[{name!r}]: must be JSON-serializable (a string, number, bool, "
            f"list or dict), got {value!r}: {exc}"
        ) from None


class _TrainingJob:
    """``estimator.latest_training_job``: ``name``, ``describe()``, ``wait()``, ``stop()``.

    ``run`` is None for a job the estimator was attached to (``Estimator.attach``): ``wait()``
    follows it in the store, and it cannot be stopped from here."""

    def __init__(self, estimator: EstimatorBase, name: str, run: TrainingJobRun | None) -> None:
        self.estimator = estimator
        self.name = name
        self.job_name = name
        self._run = run

    def describe(self) -> dict[str, Any]:
        return describe_training_job(self.estimator.store, self.name)

    def wait(self, logs: Any = "All") -> None:
        """Block until the job ends, printing its log from the start (unless ``logs`` is
        ``False``/``"None"``), as the SDK's ``wait(logs="All")``; raise if it Failed."""
        if _wants_logs(logs):
            print_job_logs(self.estimator.store, self.name, wait=True, run=self._run)
        if self._run is not None:
            self._run.wait()
        else:
            while self.describe()["TrainingJobStatus"] == "InProgress":
                time.sleep(0.5)
        self.estimator._check_status(self.name)

    def stop(self) -> None:
        if self._run is not None:
            self._run.stop()
        elif self.describe()["TrainingJobStatus"] == "InProgress":
            raise ValueError(
                f"stop: training job {self.name!r} is run by another process (it was attached); "
                f"stop it there, or stop its tuning job (amtune stop)"
            )


class EstimatorBase:
    """What every estimator shares (see the module docstring); not used directly."""

    #: prefix of generated training job names, as the SDK's
    _base_name = "amtune-training"
    #: whether the SDK JSON-encodes the hyperparameters (framework estimators do)
    _json_hyperparameters = True
    #: the framework whose training image the SDK retrieves (``training_image_uri``)
    _image_framework: str | None = None

    def __init__(
        self,
        *,
        entry_point: str | os.PathLike[str] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        metric_definitions: Sequence[Mapping[str, str]] | None = None,
        image_uri: str | None = None,
        environment: Mapping[str, str] | None = None,
        max_run: float = 24 * 60 * 60,
        max_retry_attempts: int | None = None,
        base_job_name: str | None = None,
        output_path: str | os.PathLike[str] | None = None,
        container_log_level: int = logging.INFO,
        command: Sequence[str] | str | None = None,
        db: str | os.PathLike[str] | None = None,
        notices: bool = True,
        evaluation: Any = None,
        dependencies: Sequence[str | os.PathLike[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        for old, new in LEGACY_NAMES.items():  # the SDK v1 names, renamed with a warning in v2
            if old in kwargs:
                value = kwargs.pop(old)
                if new == "max_run":
                    max_run = value
                elif kwargs.get(new) is None:
                    kwargs[new] = value
                warnings.warn(
                    f"{type(self).__name__}: {old!r} is the SageMaker SDK v1 name of {new!r} "
                    f"(renamed in v2); read as {new!r}",
                    DeprecationWarning,
                    stacklevel=2,
                )
        unknown = sorted(set(kwargs) - CLOUD_ONLY)
        if unknown:  # the SDK v2 takes any keyword (**kwargs) and ignores what it does not know
            for k in unknown:
                del kwargs[k]
            warnings.warn(
                _unknown_arguments_message(type(self), unknown),
                UnknownArgumentWarning,
                stacklevel=_caller_stacklevel(),
            )
        # SageMaker's container_entry_point (+ container_arguments): the command a custom image
        # runs, so locally the training command when none is given
        entry = kwargs.pop("container_entry_point", None)
        entry_args = kwargs.pop("container_arguments", None)
        if entry is not None and command is None:
            command = [
                *_strings(entry, "container_entry_point"),
                *_strings(entry_args or [], "container_arguments"),
            ]
        elif entry_args is not None and command is None:
            raise ValueError("container_arguments: needs container_entry_point")
        ignored = [k for k, v in kwargs.items() if v is not None]
        if kwargs.get("instance_type") in LOCAL_INSTANCE_TYPES:  # the SDK's local mode: here
            ignored.remove("instance_type")
        self.instance_type = str(kwargs.get("instance_type") or "local")
        #: flags with no local meaning that DescribeTrainingJob reports as set (the SDK's
        #: ``enable_network_isolation``, ``encrypt_inter_container_traffic``, spot training)
        self._flags = {
            "EnableNetworkIsolation": bool(kwargs.get("enable_network_isolation")),
            "EnableInterContainerTrafficEncryption": bool(
                kwargs.get("encrypt_inter_container_traffic")
            ),
            "EnableManagedSpotTraining": bool(kwargs.get("use_spot_instances")),
        }
        self.instance_count = kwargs.get("instance_count")
        #: the SDK's attributes with no local meaning, reported in the request as the SDK sends
        #: them (``ResourceConfig.VolumeSizeInGB``, ``StoppingCondition.MaxWaitTimeInSeconds``,
        #: ``CheckpointConfig``)
        self.volume_size = kwargs.get("volume_size") or SDK_VOLUME_SIZE
        self.max_wait = kwargs.get("max_wait")
        self.checkpoint_s3_uri = kwargs.get("checkpoint_s3_uri")
        self.checkpoint_local_path = kwargs.get("checkpoint_local_path")
        #: the SDK's attribute; jobs here read their channels as files whatever it says
        self.input_mode = kwargs.get("input_mode") or "File"
        self.role = kwargs.get("role")
        self.framework_version = kwargs.get("framework_version")
        self.py_version = kwargs.get("py_version")
        #: the SDK's session: only its region means something locally (``sagemaker_region``)
        self.sagemaker_session = kwargs.get("sagemaker_session")
        #: ``output_path`` as given (an S3 URI too): what ``describe()`` reports, as SageMaker
        self._output_path_given = None if output_path is None else os.fspath(output_path)
        if output_path is not None and str(output_path).startswith("s3://"):
            ignored.append("output_path (S3)")
            output_path = None
        self._notices = notices
        if notices and ignored:
            notice(
                f"{type(self).__name__}: no local meaning, ignored: {', '.join(sorted(ignored))}"
            )
        self.entry_point = None if entry_point is None else os.fspath(entry_point)
        self.source_dir = None if source_dir is None else os.fspath(source_dir)
        if self.entry_point is not None and self.entry_point.startswith("s3://"):
            raise ValueError(f"entry_point: must be a local file, got {self.entry_point!r}")
        if self.source_dir is not None and self.source_dir.startswith("s3://"):
            raise ValueError(f"source_dir: must be a local directory, got {self.source_dir!r}")
        if dependencies is not None and (
            isinstance(dependencies, (str, os.PathLike))
            or not isinstance(dependencies, Sequence)
            or not all(isinstance(d, (str, os.PathLike)) for d in dependencies)
        ):
            raise ValueError(
                f"dependencies: must be a list of local paths (files or directories), got "
                f"{dependencies!r}"
            )
        #: files and directories put next to the entry point, as the SDK packs them with the
        #: code (see :mod:`amtune.sagemaker.sourcedir`); checked when a job starts
        self.dependencies: list[str] = [os.fspath(d) for d in dependencies or []]
        self._hyperparameters: dict[str, Any] = {}
        if hyperparameters is not None:
            if not isinstance(hyperparameters, Mapping):
                raise TypeError(
                    f"hyperparameters: must be a dict, got {type(hyperparameters).__name__}"
                )
            self._hyperparameters.update({str(k): v for k, v in hyperparameters.items()})
        self.image_uri = image_uri
        md = list(metric_definitions or []) or _predefined_metric_definitions(image_uri)
        self.metric_definitions = validate_metric_definitions(md)
        self.environment = {str(k): str(v) for k, v in (environment or {}).items()}
        if (
            isinstance(max_run, bool)
            or not isinstance(max_run, (int, float))
            or not math.isfinite(max_run)
            or max_run <= 0
        ):
            raise ValueError(f"max_run: must be a finite number of seconds > 0, got {max_run!r}")
        self.max_run = max_run
        self.max_retry_attempts = max_retry_attempts
        self.base_job_name = base_job_name
        self.output_path = (
            None if output_path is None else local_output_dir(output_path, "output_path")
        )
        self.container_log_level = container_log_level
        self.command = command
        #: the store: ``db``, else the store of an amtune ``sagemaker_session``, else the default
        self.db = store_of_session(kwargs.get("sagemaker_session"), db)
        #: offline evaluation of every training job (the channels are checked by ``fit``)
        self.evaluation = None if evaluation is None else parse_evaluation(evaluation)
        self._store: Store | None = None
        self.latest_training_job: _TrainingJob | None = None
        self._current_job_name: str | None = None

    # ------------------------------------------------------------------ SDK surface
    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db)
        return self._store

    def set_hyperparameters(self, **kwargs: Any) -> None:
        """Add or replace hyperparameters."""
        self._hyperparameters.update(kwargs)

    def hyperparameters(self) -> dict[str, str]:
        """The hyperparameters as the SDK sends them: JSON-encoded for framework estimators (and
        for an ``Estimator`` with a ``source_dir``), else ``str()`` of each value."""
        if self._json_hyperparameters or self.source_dir is not None:
            return {k: _json_value(k, v) for k, v in self._hyperparameters.items()}
        return {k: _to_string(v) for k, v in self._hyperparameters.items()}

    @property
    def script_mode(self) -> bool:
        return self.entry_point is not None

    def training_command(self) -> tuple[list[str], str]:
        """``(command, working directory)`` of a training job (the toolkit runs
        ``python <entry point>`` in the code directory)."""
        if self.command is not None:
            cmd = self.command.split() if isinstance(self.command, str) else list(self.command)
            wd = str(Path(self.source_dir or os.getcwd()).resolve())
            if self.dependencies:
                if self.source_dir is None:
                    raise ValueError(
                        "dependencies: need a source_dir (or an entry_point) to be packed with"
                    )
                wd = str(self._bundle(Path(wd), None))
            return cmd, wd
        if self.entry_point is None and self.image_uri:
            from amtune.sagemaker.train_request import builtin_command

            found = builtin_command(self.image_uri)  # a built-in algorithm's image
            if found is not None:
                return list(found[0]), str(found[1])
        if self.entry_point is None:
            raise ValueError(
                f"{type(self).__name__}: nothing to run: give entry_point (a local script) or "
                f"command (the local equivalent of the image {self.image_uri!r})"
            )
        ep = Path(self.entry_point)
        if self.source_dir is not None:
            sd = Path(self.source_dir).expanduser().resolve()
            if not sd.is_dir():
                raise ValueError(f"source_dir: no such directory: {sd}")
            script = ep if ep.is_absolute() else sd / ep
        else:
            script = ep.expanduser().resolve()
            sd = script.parent
        if not script.is_file():
            raise ValueError(f"entry_point: no such file: {script}")
        if self.dependencies or self.source_dir is None:
            # the SDK's code bundle: source_dir (else the entry point alone, as the SDK packs it:
            # a neighbouring inference.py is not the model's code) and the dependencies
            bundle = self._bundle(sd, script if self.source_dir is None else None)
            try:
                rel = script.relative_to(sd)
            except ValueError:  # an absolute entry point outside source_dir
                return [sys.executable, str(script)], str(bundle)
            return [sys.executable, str(bundle / rel)], str(bundle)
        return [sys.executable, str(script)], str(sd)

    def _bundle(self, code_dir: Path, script: Path | None) -> Path:
        """The code bundle of ``code_dir`` (or of ``script`` alone, without ``source_dir``) with
        the dependencies, under the store's jobs root (:mod:`amtune.sagemaker.sourcedir`)."""
        deps = sourcedir.check_dependencies(self.dependencies)
        root = sourcedir.jobs_root(self.db) / sourcedir.BUNDLES_DIR
        return sourcedir.build(
            code_dir,
            deps,
            root,
            entry_point=None if script is None else str(script),
            source_dir=None if script is not None else str(code_dir),
        )

    def container_hyperparameters(self, job_name: str) -> dict[str, str]:
        """The ``sagemaker_*`` entries the SDK adds for script mode (JSON-encoded)."""
        if not self.script_mode:
            return {}
        _, wd = self.training_command()
        return {
            toolkit.SUBMIT_DIRECTORY: json.dumps(wd),
            toolkit.USER_PROGRAM: json.dumps(Path(self.entry_point or "").name),
            toolkit.LOG_LEVEL: json.dumps(self.container_log_level),
            toolkit.JOB_NAME: json.dumps(job_name),
            toolkit.REGION: json.dumps(self.region),
        }

    @property
    def region(self) -> str:
        """The region the SDK records in ``sagemaker_region`` (the script's
        ``SAGEMAKER_REGION``): the ``sagemaker_session``'s, else amtune's default
        (``AWS_REGION``, ``AWS_DEFAULT_REGION``, else ``us-east-1``)."""
        from amtune.sagemaker.session import default_region

        region = getattr(self.sagemaker_session, "boto_region_name", None)
        return str(region) if isinstance(region, str) and region else default_region()

    def training_image_uri(self, region: str | None = None) -> str | None:
        """The training image, as the SDK's ``training_image_uri()``: ``image_uri`` when given,
        else the framework's image for ``framework_version`` and ``py_version`` in ``region``
        (default: the estimator's; the URI the SDK sends; amtune runs the script here), None for
        a local ``command`` without an image."""
        if self.image_uri:
            return self.image_uri
        if self._image_framework is None or not self.framework_version:
            return None
        from amtune import image_uris

        return image_uris.retrieve(
            self._image_framework,
            region or self.region,
            version=self.framework_version,
            py_version=self.py_version,
            instance_type=self.instance_type,
        )

    def recorded_image(self) -> str | None:
        """The ``TrainingImage`` a job of this estimator records: ``training_image_uri()``, a
        framework's image too, as the SDK sends it; none for a ``framework_version`` that has
        no image (SageMaker has no such image; the script runs here all the same)."""
        try:
            return self.training_image_uri()
        except ValueError:
            return None

    def training_request(
        self, job_name: str, channels: Mapping[str, tuple[str, str | None]]
    ) -> dict[str, Any]:
        """The CreateTrainingJob request this estimator sends for ``job_name``."""
        cmd, _ = self.training_command()
        algo: dict[str, Any] = {"TrainingInputMode": "File", "TrainingCommand": cmd}
        image = self.recorded_image()
        if image:
            algo["TrainingImage"] = image
        if self.metric_definitions:
            algo["MetricDefinitions"] = list(self.metric_definitions)
        req: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": algo,
            "HyperParameters": {
                **self.hyperparameters(),
                **self.container_hyperparameters(job_name),
            },
            "InputDataConfig": input_data_config(channels),
            **self.cloud_fields(),
        }
        if self.environment:
            req["Environment"] = dict(self.environment)
        if self.evaluation is not None:  # amtune's extension of the request
            req["Evaluation"] = self.evaluation.to_sagemaker()
        return req

    def cloud_fields(self) -> dict[str, Any]:
        """The request's fields with no local meaning, as the SDK sends them for this estimator
        (in a training job's request and in a tuning job's ``TrainingJobDefinition``), so
        describe reports them as given: ``ResourceConfig``, ``StoppingCondition``,
        ``OutputDataConfig`` and ``RoleArn`` when given, ``CheckpointConfig``, the flags.

        >>> est = Estimator(command=["python", "train.py"], role="arn:aws:iam::1:role/R",
        ...                 instance_type="ml.m5.xlarge", max_run=3600)
        >>> fields = est.cloud_fields()
        >>> fields["ResourceConfig"], fields["StoppingCondition"], fields["RoleArn"]
        ({'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 1, 'VolumeSizeInGB': 30}, \
{'MaxRuntimeInSeconds': 3600}, 'arn:aws:iam::1:role/R')
        """
        stop: dict[str, Any] = {"MaxRuntimeInSeconds": self.max_run}
        if self.max_wait is not None:
            stop["MaxWaitTimeInSeconds"] = self.max_wait
        out: dict[str, Any] = {
            "ResourceConfig": {
                "InstanceType": self.instance_type,
                "InstanceCount": int(self.instance_count or 1),
                "VolumeSizeInGB": self.volume_size,
            },
            "StoppingCondition": stop,
        }
        if self._output_path_given is not None:  # reported as given (the job stays local)
            out["OutputDataConfig"] = {"S3OutputPath": self._output_path_given}
        if isinstance(self.role, str) and self.role:  # reported as given (no local meaning)
            out["RoleArn"] = self.role
        if self.checkpoint_s3_uri is not None:
            out["CheckpointConfig"] = {
                "S3Uri": self.checkpoint_s3_uri,
                **({"LocalPath": self.checkpoint_local_path} if self.checkpoint_local_path else {}),
            }
        out.update({k: True for k, on in self._flags.items() if on})
        return out

    def job_base_name(self) -> str:
        """The prefix of generated job names: ``base_job_name``, else the image's repository
        (``tensorflow-training``, a custom image's name), as the SDK names jobs."""
        return self.base_job_name or self._base_name

    def _job_name(self, job_name: str | None) -> str:
        if job_name is not None:
            if not isinstance(job_name, str) or not TRAINING_JOB_NAME_RE.match(job_name):
                raise ValueError(
                    f"job_name: 1-63 letters, digits and hyphens, starting and ending with a "
                    f"letter or digit (SageMaker's rule), got {job_name!r}"
                )
            return job_name
        now = time.time()
        ms = int(now * 1000) % 1000
        stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(now)) + f"-{ms:03d}"
        base = self.job_base_name()[: 63 - len(stamp) - 1].rstrip("-")
        return f"{base}-{stamp}"

    def fit(
        self,
        inputs: Any = None,
        wait: bool = True,
        logs: Any = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> None:
        """Run one training job on ``inputs`` (see :mod:`amtune.sagemaker.inputs`).

        ``wait=False`` returns once it started, printing nothing (``wait()`` blocks and prints
        the job's log, ``logs()`` too); with ``wait``, ``logs`` prints its output as it comes
        (``True``/``"All"``; ``False``/``"None"`` does not), as the SDK's ``logs`` is "only
        meaningful when wait is True". A job that ends Failed raises
        :class:`UnexpectedStatusException` naming the reason.
        """
        channels = resolve_inputs_with_types(inputs)
        paths = {k: p for k, (p, _) in channels.items()}
        name = self._job_name(job_name)
        if experiment_config and self._notices:
            notice("fit: experiment_config: SageMaker Experiments are not run locally; ignored")
        cmd, wd = self.training_command()
        request = self.training_request(name, channels)
        runner: Runner = CommandRunner(
            cmd, self.metric_definitions, wd, self.environment, instance_type=self.instance_type
        )
        if self.evaluation is not None:  # split the train channel (once), wrap the runner
            root = Path(self.output_path) if self.output_path else self.store.jobs_root
            runner, _ = evaluated_runner(
                self.evaluation, paths, runner, root, os.cpu_count() or 1, "inputs"
            )
        show = bool(wait) and _wants_logs(logs)
        run = TrainingJobRun(
            self.store,
            name,
            runner,
            request,
            paths,
            standalone_job_dir(self.store, name, self.output_path),
            max_run=self.max_run,
            logs=show,
        )
        self._current_job_name = name
        self.latest_training_job = _TrainingJob(self, name, run)
        run.start(wait=wait)
        if wait:
            self._check_status(name)

    def wait(self, logs: Any = "All") -> None:
        """Block until the latest training job ends, printing its log from the start unless
        ``logs`` is ``False``/``"None"``; raise if it Failed."""
        if self.latest_training_job is None:
            raise ValueError("Estimator is not associated with a training job")
        self.latest_training_job.wait(logs=logs)

    def describe(self) -> dict[str, Any]:
        """The DescribeTrainingJob document of the latest training job."""
        if self._current_job_name is None:
            raise ValueError("Estimator is not associated with a training job")
        return describe_training_job(self.store, self._current_job_name)

    @property
    def model_data(self) -> str:
        """The latest training job's model directory (SageMaker: the model.tar.gz URI)."""
        return str(self.describe()["ModelArtifacts"]["S3ModelArtifacts"])

    def deploy(
        self,
        initial_instance_count: int = 1,
        instance_type: str | None = None,
        serializer: Any = None,
        deserializer: Any = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        wait: bool = True,
        **kw: Any,
    ) -> Any:
        """Serve the latest training job's model at a local endpoint (``amtune.serve.deploy``),
        with the SDK's arguments in the SDK's order (``deploy(1, "ml.m5.xlarge")``).

        A framework estimator's model serves its ``entry_point`` when no ``inference.py`` is
        found, and the predictor has the framework's serializers (``PyTorchPredictor``, ...);
        any other estimator's predictor has the SDK's ``Predictor`` defaults (the answer's bytes,
        ``Accept: */*``). The endpoint is named after the training job unless ``endpoint_name``
        is given, and its endpoint config has the endpoint's name, as the SDK names it.
        ``data_capture_config``, ``serverless_inference_config`` and
        ``async_inference_config`` are kept in the endpoint config, as ``Model.deploy`` keeps
        them."""
        if self._current_job_name is None:
            raise ValueError("Estimator is not associated with a training job: call fit() first")
        from amtune.serve.deployment import deploy, sdk_deploy_arguments
        from amtune.serve.inference_code import framework_name

        kw = sdk_deploy_arguments(type(self).__name__, {**kw, "accelerator_type": accelerator_type})
        kw.setdefault("framework", framework_name(type(self)))
        if instance_type is not None:  # "local" / "local_gpu" (the SDK's local mode): here
            kw["instance_type"] = hosting_instance_type(instance_type)
        return deploy(
            self._current_job_name,
            initial_instance_count=initial_instance_count,
            endpoint_name=endpoint_name,
            serializer=serializer,
            deserializer=deserializer,
            wait=wait,
            db=self.store.path,
            sdk_defaults=True,
            sdk_names=True,
            **kw,
        )

    def transformer(self, instance_count: int, instance_type: str, **kw: Any) -> Any:
        """A batch ``Transformer`` of the latest training job's model, created as a model
        (``model_name``, default the job's name) of the store's endpoint service; the SDK's
        other arguments (``strategy``, ``assemble_with``, ``output_path``, ``accept``, ``env``,
        ``max_payload``, ``entry_point``, ...) as ``amtune.sagemaker.transformer`` takes them."""
        if self._current_job_name is None:
            raise ValueError("Estimator is not associated with a training job: call fit() first")
        from amtune.sagemaker.transformer import transformer_of_training_job
        from amtune.serve.inference_code import framework_name

        # named after the estimator's jobs (base_job_name, else the image's), as the SDK does
        kw.setdefault("base_transform_job_name", self.job_base_name())
        return transformer_of_training_job(
            self._current_job_name,
            self.store.path,
            framework_name(type(self)),
            instance_count,
            instance_type,
            **kw,
        )

    @classmethod
    def attach(
        cls,
        training_job_name: str,
        sagemaker_session: Any = None,
        model_channel_name: str = "model",
        *,
        db: str | os.PathLike[str] | None = None,
    ) -> Any:
        """An estimator of this class rebuilt from training job ``training_job_name`` (run by
        ``fit`` or by a tuning job) and attached to it: ``latest_training_job``, ``model_data``,
        ``describe()`` and ``deploy()`` are that job's, its hyperparameters are the job's. What
        the store does not keep is left at its default (see :mod:`amtune.sagemaker.rebuild`).
        ``db``: the store (default: ``sagemaker_session``'s when it is an amtune ``Session``, else
        ``./amtune.db``, as ``HyperparameterTuner.attach``); the estimator keeps the session. As
        in the SDK, a job still running is waited for (without its log) and a failed one raises."""
        from amtune.sagemaker.rebuild import estimator_arguments

        store = Store(store_of_session(sagemaker_session, db))
        d = describe_training_job(store, training_job_name)
        args = estimator_arguments(d, d["HyperParameters"], cls._json_hyperparameters)
        if sagemaker_session is not None:
            args["sagemaker_session"] = sagemaker_session
        estimator = cls(**args, db=store.path, notices=False)
        estimator._store = store
        estimator._current_job_name = training_job_name
        estimator.latest_training_job = _TrainingJob(estimator, training_job_name, None)
        estimator.latest_training_job.wait(logs="None")
        return estimator

    @property
    def training_job_analytics(self) -> Any:
        """The latest training job's metric series (``amtune.TrainingJobAnalytics``)."""
        if self._current_job_name is None:
            raise ValueError("Estimator is not associated with a training job: call fit() first")
        from amtune.sagemaker.analytics import TrainingJobAnalytics

        return TrainingJobAnalytics(self._current_job_name, db=self.store.path)

    def logs(self) -> None:
        """Print the latest training job's log from its start; while the job runs, follow it
        until it ends (as the SDK's ``logs()``). A k-fold job that has ended prints each fold's
        log under a ``==> [fold i] (path) <==`` header."""
        d = self.describe()
        if d["TrainingJobStatus"] == "InProgress":
            job = self.latest_training_job
            run = job._run if job is not None and job.name == self._current_job_name else None
            print_job_logs(self.store, str(self._current_job_name), wait=True, run=run)
            return
        job_dir = Path(d["ModelArtifacts"]["S3ModelArtifacts"]).parent
        for prefix, log in job_logs(job_dir):
            if prefix:
                sys.stdout.write(f"==> {prefix.strip()} ({log}) <==\n")
            sys.stdout.write(log.read_text(errors="replace"))

    def delete_endpoint(self, *args: Any, **kwargs: Any) -> None:
        """A no-op that warns, as in the SageMaker SDK v2 (where it was removed); the endpoint
        keeps running: ``predictor.delete_endpoint()`` deletes it."""
        delete_endpoint_removed()

    def create_model(self, **kwargs: Any) -> Any:
        """The model of the latest training job (``model_data``), as the SDK's
        ``create_model``; see the subclasses."""
        raise NotImplementedError(f"{type(self).__name__}.create_model")

    def register(self, *args: Any, **kwargs: Any) -> Any:
        """The SDK's Model Registry is not run locally: raises ``NotImplementedError``."""
        from amtune.sagemaker.names import MODEL_REGISTRY_NOT_RUN

        raise NotImplementedError(MODEL_REGISTRY_NOT_RUN)

    def enable_network_isolation(self) -> bool:
        """Whether the job runs with network isolation, as the SDK's (recorded only: a local
        job runs as any local process)."""
        return self._flags["EnableNetworkIsolation"]

    def _model_session(self) -> Any:
        """The ``amtune.Session`` of this estimator's store, for the models it creates."""
        from amtune.sagemaker.session import Session

        s = self.sagemaker_session
        if isinstance(s, Session) and s.db == self.store.path:
            return s
        return Session(db=self.store.path)

    def _model_name(self, name: str | None) -> str:
        """A model's name: ``name``, else ``<base job name>-<time>``, as the SDK names it."""
        from amtune.sagemaker.session import name_from_base

        return name or name_from_base(self.job_base_name())

    def _check_status(self, name: str) -> None:
        d = describe_training_job(self.store, name)
        if d["TrainingJobStatus"] == "Failed":
            raise UnexpectedStatusException.for_job(
                "Training job", name, "Failed", d.get("FailureReason")
            )


#: the SageMaker SDK module of each framework estimator, which the SDK's tuner records in
#: ``sagemaker_estimator_module`` (``estimator.__module__`` there)
SDK_MODULES = {
    "SKLearn": "sagemaker.sklearn.estimator",
    "XGBoost": "sagemaker.xgboost.estimator",
    "PyTorch": "sagemaker.pytorch.estimator",
    "TensorFlow": "sagemaker.tensorflow.estimator",
    "HuggingFace": "sagemaker.huggingface.estimator",
}


def sdk_estimator_module(cls: type) -> str:
    """``sagemaker_estimator_module`` of an estimator class: the SDK's module for amtune's
    framework estimators (``sagemaker.sklearn.estimator``), a subclass's own module otherwise."""
    if cls.__module__ == __name__ and cls.__name__ in SDK_MODULES:
        return SDK_MODULES[cls.__name__]
    return cls.__module__


def _strings(value: Any, field: str) -> list[str]:
    """A list of non-empty strings (``container_entry_point``, ``container_arguments``)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{field}: must be a list of non-empty strings, got {value!r}")
    return list(value)


def _to_string(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


class Estimator(EstimatorBase):
    """A training job of a generic image (``sagemaker.estimator.Estimator``).

    Locally the image is a ``command`` (or an ``entry_point`` script); images of SageMaker's
    built-in algorithms bring their predefined metric definitions. Hyperparameters are sent as
    ``str()`` of each value (JSON-encoded when a ``source_dir`` is given), as the SDK does.
    """

    _base_name = "amtune-training"
    _json_hyperparameters = False

    def __init__(
        self,
        image_uri: str | None = None,
        role: str | None = None,
        instance_count: int | None = None,
        instance_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            image_uri=image_uri,
            role=role,
            instance_count=instance_count,
            instance_type=instance_type,
            **kwargs,
        )
        if image_uri:
            repo = image_uri.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
            base = re.sub(r"[^a-zA-Z0-9-]+", "-", repo).strip("-")
            if base:
                self._base_name = base

    def create_model(
        self,
        role: str | None = None,
        image_uri: str | None = None,
        predictor_cls: Any = None,
        vpc_config_override: Any = VPC_CONFIG_DEFAULT,
        **kwargs: Any,
    ) -> Any:
        """An ``amtune.Model`` of the image (``image_uri``, else the estimator's) on the latest
        training job's ``model_data``, with the estimator's ``role`` unless given, as the SDK's
        ``Estimator.create_model``; ``kwargs`` go to ``Model`` (``entry_point``, ``env``, ...)."""
        from amtune.sagemaker.model import Model

        kwargs.setdefault("sagemaker_session", self._model_session())
        return Model(
            image_uri or self.image_uri,
            self.model_data,
            role or self.role,
            predictor_cls=predictor_cls,
            vpc_config=_vpc_config(vpc_config_override),
            **kwargs,
        )


class Framework(EstimatorBase):
    """A script-mode framework estimator (``sagemaker.estimator.Framework``)."""

    _json_hyperparameters = True
    #: the framework's model class (``amtune.sagemaker.model``) that ``create_model`` returns
    _model_class_name = ""

    def create_model(
        self,
        model_server_workers: int | None = None,
        role: str | None = None,
        vpc_config_override: Any = VPC_CONFIG_DEFAULT,
        entry_point: str | os.PathLike[str] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        dependencies: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The framework's model (``SKLearnModel``, ``PyTorchModel``, ``XGBoostModel``) on the
        latest training job's ``model_data``, as the SDK's ``create_model``: the estimator's
        ``entry_point``, ``source_dir``, ``dependencies``, ``role``, ``framework_version``,
        ``py_version``, ``image_uri`` and ``container_log_level`` unless given; named
        ``<base job name>-<time>`` unless ``name`` is given; the estimator's store.
        ``kwargs`` go to the model (``env``, ``predictor_cls``, ...)."""
        from amtune.sagemaker import model as sm_model

        cls = getattr(sm_model, self._model_class_name)
        kwargs.setdefault("image_uri", self.image_uri)
        kwargs["name"] = self._model_name(kwargs.get("name"))
        kwargs.setdefault("sagemaker_session", self._model_session())
        kwargs.setdefault("container_log_level", self.container_log_level)
        return cls(
            self.model_data,
            role or self.role,
            entry_point or self.entry_point,
            framework_version=self.framework_version,
            py_version=self.py_version,
            source_dir=source_dir or self.source_dir,
            model_server_workers=model_server_workers,
            vpc_config=_vpc_config(vpc_config_override),
            dependencies=list(dependencies or self.dependencies) or None,
            **kwargs,
        )

    def _generic_model(
        self,
        predictor_cls: Any,
        role: str | None,
        vpc_config_override: Any,
        entry_point: Any,
        source_dir: Any,
        dependencies: Any,
        kwargs: dict[str, Any],
    ) -> Any:
        """A TensorFlow or Hugging Face model: an ``amtune.Model`` with the framework's
        predictor (amtune has no ``TensorFlowModel``/``HuggingFaceModel``: it serves them with
        an ``inference.py``)."""
        from amtune.sagemaker.model import Model

        image = kwargs.pop("image_uri", None) or self.image_uri
        kwargs["name"] = self._model_name(kwargs.get("name"))
        kwargs.setdefault("sagemaker_session", self._model_session())
        kwargs.setdefault("container_log_level", self.container_log_level)
        kwargs.setdefault("predictor_cls", predictor_cls)
        return Model(
            image,
            self.model_data,
            role or self.role,
            vpc_config=_vpc_config(vpc_config_override),
            entry_point=entry_point,
            source_dir=source_dir,
            dependencies=list(dependencies or []) or None,
            **kwargs,
        )


class SKLearn(Framework):
    """``sagemaker.sklearn.SKLearn``: a scikit-learn script in script mode."""

    _base_name = "sagemaker-scikit-learn"
    _image_framework = "sklearn"
    _model_class_name = "SKLearnModel"

    def __init__(
        self,
        entry_point: str | os.PathLike[str],
        framework_version: str | None = None,
        py_version: str | None = "py3",
        source_dir: str | os.PathLike[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        image_uri: str | None = None,
        image_uri_region: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            entry_point=entry_point,
            framework_version=framework_version,
            source_dir=source_dir,
            hyperparameters=hyperparameters,
            image_uri=image_uri,
            image_uri_region=image_uri_region,
            **kwargs,
        )
        self.py_version = py_version


class XGBoost(Framework):
    """``sagemaker.xgboost.XGBoost``: an XGBoost script in script mode. Without
    ``metric_definitions`` (and without another ``image_uri``) it has the XGBoost image's
    predefined ones, as on SageMaker, where a tuner of a script-mode XGBoost estimator needs none
    for ``validation:rmse`` and the like: they read the evaluation log ``xgb.train`` prints."""

    _base_name = "sagemaker-xgboost"
    _image_framework = "xgboost"
    _model_class_name = "XGBoostModel"

    def __init__(
        self,
        entry_point: str | os.PathLike[str],
        framework_version: str | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        py_version: str | None = "py3",
        image_uri: str | None = None,
        image_uri_region: str | None = None,
        **kwargs: Any,
    ) -> None:
        if image_uri is None and not kwargs.get("metric_definitions"):
            kwargs["metric_definitions"] = _predefined_metric_definitions("xgboost")
        super().__init__(
            entry_point=entry_point,
            framework_version=framework_version,
            source_dir=source_dir,
            hyperparameters=hyperparameters,
            image_uri=image_uri,
            image_uri_region=image_uri_region,
            **kwargs,
        )
        self.py_version = py_version


class PyTorch(Framework):
    """``sagemaker.pytorch.PyTorch``: a PyTorch script in script mode (one process)."""

    _base_name = "pytorch-training"
    _image_framework = "pytorch"
    _model_class_name = "PyTorchModel"

    def __init__(
        self,
        entry_point: str | os.PathLike[str] | None = None,
        framework_version: str | None = None,
        py_version: str | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        image_uri: str | None = None,
        distribution: Mapping[str, Any] | None = None,
        compiler_config: Any = None,
        training_recipe: str | None = None,
        recipe_overrides: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            entry_point=entry_point,
            framework_version=framework_version,
            py_version=py_version,
            source_dir=source_dir,
            hyperparameters=hyperparameters,
            image_uri=image_uri,
            distribution=distribution,
            compiler_config=compiler_config,
            training_recipe=training_recipe,
            recipe_overrides=recipe_overrides,
            **kwargs,
        )


class TensorFlow(Framework):
    """``sagemaker.tensorflow.TensorFlow``: a TensorFlow script in script mode (one process).

    The SDK passes ``--model_dir`` to the script (an S3 location, ``/opt/ml/shared/model`` in its
    local mode); locally it is the training job's model directory (``SM_MODEL_DIR``; the
    hyperparameter is ``/opt/ml/model``, which the toolkit maps to the job's directory), or
    ``model_dir`` when that is a local path.
    """

    _base_name = "tensorflow-training"
    _image_framework = "tensorflow"

    def __init__(
        self,
        py_version: str | None = None,
        framework_version: str | None = None,
        model_dir: str | None = None,
        image_uri: str | None = None,
        distribution: Mapping[str, Any] | None = None,
        compiler_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            py_version=py_version,
            framework_version=framework_version,
            image_uri=image_uri,
            distribution=distribution,
            compiler_config=compiler_config,
            **kwargs,
        )
        local = model_dir is not None and not str(model_dir).startswith("s3://")
        self.model_dir = str(model_dir) if local else CONTAINER_MODEL_DIR

    def hyperparameters(self) -> dict[str, str]:
        """The hyperparameters with ``model_dir``, as the SDK's TensorFlow estimator sends them."""
        return {"model_dir": json.dumps(self.model_dir), **super().hyperparameters()}

    def create_model(  # type: ignore[override]
        self,
        role: str | None = None,
        vpc_config_override: Any = VPC_CONFIG_DEFAULT,
        entry_point: str | os.PathLike[str] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        dependencies: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A model of ``model_data`` with a ``TensorFlowPredictor``, as the SDK's
        ``TensorFlow.create_model`` (its ``entry_point``, ``source_dir`` and ``dependencies``
        only when given: SageMaker serves the SavedModel with TensorFlow Serving, which amtune
        does not run, so give an ``inference.py`` to deploy it)."""
        from amtune.serve.deployment import TensorFlowPredictor

        return self._generic_model(
            TensorFlowPredictor,
            role,
            vpc_config_override,
            entry_point,
            source_dir,
            dependencies,
            kwargs,
        )


class HuggingFace(Framework):
    """``sagemaker.huggingface.HuggingFace``: a Transformers script in script mode."""

    _base_name = "huggingface-pytorch-training"

    def __init__(
        self,
        py_version: str | None = None,
        entry_point: str | os.PathLike[str] | None = None,
        transformers_version: str | None = None,
        tensorflow_version: str | None = None,
        pytorch_version: str | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        image_uri: str | None = None,
        distribution: Mapping[str, Any] | None = None,
        compiler_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            py_version=py_version,
            entry_point=entry_point,
            transformers_version=transformers_version,
            tensorflow_version=tensorflow_version,
            pytorch_version=pytorch_version,
            source_dir=source_dir,
            hyperparameters=hyperparameters,
            image_uri=image_uri,
            distribution=distribution,
            compiler_config=compiler_config,
            **kwargs,
        )

    def create_model(
        self,
        model_server_workers: int | None = None,
        role: str | None = None,
        vpc_config_override: Any = VPC_CONFIG_DEFAULT,
        entry_point: str | os.PathLike[str] | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        dependencies: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A model of ``model_data`` with a ``HuggingFacePredictor``, as the SDK's
        ``HuggingFace.create_model``: ``entry_point`` only when given, the estimator's
        ``source_dir`` and ``dependencies`` unless given (the Hugging Face inference toolkit
        is not run locally: give an ``inference.py`` to deploy it)."""
        from amtune.serve.deployment import HuggingFacePredictor

        if model_server_workers is not None:
            env = dict(kwargs.get("env") or {})
            env.setdefault("SAGEMAKER_MODEL_SERVER_WORKERS", str(model_server_workers))
            kwargs["env"] = env
        return self._generic_model(
            HuggingFacePredictor,
            role,
            vpc_config_override,
            entry_point,
            source_dir or self.source_dir,
            dependencies or self.dependencies,
            kwargs,
        )

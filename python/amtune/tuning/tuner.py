"""``HyperparameterTuner``: tuning jobs with SageMaker semantics, run locally, kept in the store.

>>> import amtune, tempfile, os
>>> def train(hp, reporter):
...     return -(hp["x"] - 1.0) ** 2
>>> tuner = amtune.HyperparameterTuner(
...     "score", {"x": amtune.ContinuousParameter(-3.0, 3.0)}, strategy="Random",
...     max_jobs=6, max_parallel_jobs=2, random_seed=1, runner="thread", quiet=True,
...     db=os.path.join(tempfile.mkdtemp(), "amtune.db"))
>>> tuner.fit(train, job_name="doc-example")
>>> tuner.describe()["HyperParameterTuningJobStatus"]
'Completed'
>>> len(tuner.analytics())
6

Rules
-----
* A training job ends ``Completed`` (its code finished), ``Failed`` (an error, a non-zero exit, a
  missing command, a dead worker process, or its own time limit ``max_runtime_per_training_job``),
  or ``Stopped`` (``stop()``, the tuning job's ``max_runtime_in_seconds``, early stopping,
  completion).
  Its objective status is ``Succeeded`` when it is Completed or Stopped and emitted the objective
  metric (the last emission is the final value), else ``Failed``.
* The strategy observes every Succeeded job's final value and every Failed objective as a failed
  trial (NaN); a job Stopped before it emitted the objective is dropped (as a cancelled trial).
* ``max_jobs`` counts training jobs started (failed ones included, retries and re-runs not);
  left out, it is 1, as in the SageMaker SDK (the whole grid with ``strategy="Grid"``).
* The tuning job ends ``Completed`` when at least one objective succeeded, ``Failed`` with a reason
  when none did, and ``Stopped`` after ``stop()`` (or ``amtune stop``).
* Resume (``HyperparameterTuner.resume``): the driver may be killed at any moment. Every finished
  training job is in the store with its result (a job's end is one transaction); training jobs that
  were InProgress when the driver died are **re-run** with the same name and hyperparameters (their
  partial series is discarded, ``restarts`` is incremented, the log keeps both runs). The strategy
  is rebuilt from the full history with ``Optimizer.add_many`` and a seed derived from the job's
  seed and the resume count, so a resumed job does not repeat the proposals of the first run.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import shlex
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from amtune import analytics as _analytics
from amtune._threads import join_or_stop
from amtune.builtin.algorithms import tuning_objective_static
from amtune.enums import ObjectiveType, TuningJobStatus
from amtune.errors import FieldError, FieldTypeError
from amtune.evaluation.apply import check_evaluation, plan_evaluation, record_evaluation
from amtune.evaluation.config import EvaluationConfig, parse_evaluation
from amtune.metrics import validate_metric_definitions
from amtune.report.tuner_methods import TunerReportMixin  # report(), plot_*(), _repr_html_
from amtune.rules.build import build_hooks
from amtune.rules.warm_start import check_parents
from amtune.runners.callables import callable_ref, import_callable
from amtune.runners.command import CommandRunner
from amtune.runners.dask import parse_cluster
from amtune.runners.launchable import check_directories, check_launchable
from amtune.runners.process import ProcessRunner
from amtune.runners.spec import DEFAULT_STOP_GRACE, Runner
from amtune.runners.thread import ThreadRunner
from amtune.sagemaker.analytics import HyperparameterTuningJobAnalytics
from amtune.sagemaker.config import (
    EARLY_STOPPING_TYPES,
    MAX_RETRY_ATTEMPTS,
    HyperbandStrategyConfig,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)
from amtune.sagemaker.document import (
    StoredConfig,
    cloud_fields,
    stored_cloud_fields,
    stored_content_types,
    stored_training_image,
    tuning_job_config,
)
from amtune.sagemaker.estimator import delete_endpoint_removed
from amtune.sagemaker.exceptions import NoBestTrainingJobError, NoTuningJobError
from amtune.sagemaker.inputs import local_output_dir, prefix_files
from amtune.sagemaker.names import (
    CHANNEL_NAME_RE,
    TUNING_JOB_NAME_RE,
    base_from_name,
    hosting_instance_type,
)
from amtune.space import CategoricalParameter, SearchSpace
from amtune.store import NotFoundError, Store, resolve_db_path
from amtune.strategies import check_strategy
from amtune.tuning.driver import Driver
from amtune.tuning.job import TuningJob
from amtune.tuning.liveness import driver_alive, stop_tuning_job
from amtune.tuning.rebuild import estimator_class, tuning_job_estimator, warm_start_arguments
from amtune.tuning.state import TuningRun

RUNNERS = ("process", "thread")


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_pos_number(x: Any) -> bool:
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        return False
    v = float(x)
    return math.isfinite(v) and v > 0


# ====================================================================== the tuner
#: the largest value of SageMaker's `integer` shapes (ResourceLimits' counts)
MAX_INT32 = 2**31 - 1


class HyperparameterTuner(TunerReportMixin):
    """A tuning job: proposes hyperparameters, runs training jobs, records everything in the store.

    Parameters follow the SageMaker SDK's ``HyperparameterTuner``, in its positional order
    ``(estimator, objective_metric_name, hyperparameter_ranges, metric_definitions, strategy,
    objective_type, max_jobs, max_parallel_jobs, ...)``. ``estimator`` is an amtune estimator
    (``SKLearn``, ``XGBoost``, ``Estimator``, ...: its hyperparameters minus the tuned ones are the
    static ones, its metric definitions are used when the tuner has none, and ``fit(inputs)``
    takes the channels), a training function ``train(hyperparameters, reporter)`` or a command.
    The earlier form ``HyperparameterTuner(objective_metric_name, hyperparameter_ranges, ...)``
    with the training code given to ``fit(train)`` works too. ``max_jobs`` left out is 1, as in
    the SDK (the whole grid with ``strategy="Grid"``); ``max_parallel_jobs`` is 1. ``tags`` are
    ignored (a notice), ``autotune`` is not supported. Local additions:

    ``runner``: ``"process"`` (default: a fresh worker process per training job) or ``"thread"``
    (in the driver process; fast, no isolation) for Python callables; commands always run as
    processes. ``db``: the store (path or ``sqlite:///path``; default ``./amtune.db``).
    ``max_runtime_per_training_job``: a training job's own time limit in seconds (SageMaker's
    ``StoppingCondition.MaxRuntimeInSeconds``): past it the job is stopped and marked Failed.
    ``channels``: input channels ``{name: directory}`` (``SM_CHANNEL_<NAME>`` for commands).
    ``output_path``: root of the training job directories (default ``<store dir>/<store
    name>-jobs``, i.e. ``amtune-jobs`` for ``amtune.db``).
    ``working_dir``: where commands run (default: the current directory). ``env``: extra environment
    variables for commands. ``stop_grace_seconds``: SIGTERM-to-SIGKILL delay. ``quiet``: no
    progress display. ``cluster``: run the training jobs on Dask workers: a scheduler address
    (``"tcp://host:8786"``), ``"local:N"`` (a ``LocalCluster`` of N worker processes) or
    ``{"scheduler": ..., "shared_filesystem": bool}`` (see :mod:`amtune.runners.dask`).
    ``max_retry_attempts``: 0-30 re-runs of a job whose process died by a signal or failed to start.
    ``evaluation``: offline evaluation of every configuration, ``{"Type": "Holdout",
    "ValidationFraction": 0.2, "Seed": 0}`` or ``{"Type": "KFold", "K": 5}`` (see
    :mod:`amtune.evaluation`); with an estimator, the estimator's ``evaluation`` unless given.
    """

    def __init__(
        self,
        estimator: Any = None,
        objective_metric_name: Any = None,
        hyperparameter_ranges: Any = None,
        metric_definitions: Sequence[Mapping[str, str]] | None = None,
        strategy: str = "Bayesian",
        objective_type: str = "Maximize",
        max_jobs: int | None = None,
        max_parallel_jobs: int = 1,
        max_runtime_in_seconds: float | None = None,
        tags: Any = None,
        base_tuning_job_name: str | None = None,
        warm_start_config: WarmStartConfig | None = None,
        strategy_config: Mapping[str, Any] | None = None,
        completion_criteria_config: TuningJobCompletionCriteriaConfig | None = None,
        early_stopping_type: str = "Off",
        estimator_name: str | None = None,
        random_seed: int | None = None,
        autotune: bool = False,
        hyperparameters_to_keep_static: Sequence[str] | None = None,
        *,
        static_hyperparameters: Mapping[str, Any] | None = None,
        max_retry_attempts: int | None = None,
        max_runtime_per_training_job: float | None = None,
        runner: str = "process",
        channels: Mapping[str, str | os.PathLike[str]] | None = None,
        output_path: str | os.PathLike[str] | None = None,
        working_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        stop_grace_seconds: float = DEFAULT_STOP_GRACE,
        cluster: str | Mapping[str, Any] | None = None,
        db: str | os.PathLike[str] | None = None,
        quiet: bool = False,
        evaluation: Any = None,
    ) -> None:
        from amtune.sagemaker import tuning as sm_tuning

        # The earlier form HyperparameterTuner(objective_metric_name, hyperparameter_ranges[,
        # objective_type]) with the training code given to fit() keeps working.
        if isinstance(estimator, str) and isinstance(objective_metric_name, (Mapping, SearchSpace)):
            if hyperparameter_ranges in ("Maximize", "Minimize"):
                objective_type = hyperparameter_ranges
            elif hyperparameter_ranges is not None:
                raise TypeError(
                    "HyperparameterTuner: the arguments are (estimator, objective_metric_name, "
                    "hyperparameter_ranges, metric_definitions, strategy, objective_type, ...), "
                    "as in the SageMaker SDK; pass the others by keyword"
                )
            estimator, objective_metric_name, hyperparameter_ranges = (
                None,
                estimator,
                objective_metric_name,
            )
        if autotune:  # SageMaker's autotune chooses the ranges itself: checked first
            raise FieldError("autotune", "not supported; give hyperparameter_ranges")
        if hyperparameter_ranges is None:
            raise FieldTypeError(
                "hyperparameter_ranges", "required (a dict of name -> parameter range)"
            )
        if estimator_name is not None and not isinstance(estimator_name, str):
            raise FieldTypeError("estimator_name", f"must be a string, got {estimator_name!r}")
        if tags:
            print("amtune: notice: tags: no local meaning; ignored", file=sys.stderr)
        self.estimator: Any = estimator
        self.hyperparameters_to_keep_static = list(hyperparameters_to_keep_static or [])
        if estimator is not None and not (
            callable(estimator)
            or isinstance(estimator, str)
            or sm_tuning.is_estimator(estimator)
            or (isinstance(estimator, Sequence) and not isinstance(estimator, bytes))
        ):
            raise FieldTypeError(
                "estimator",
                f"must be an amtune Estimator (SKLearn, XGBoost, ...), a training "
                f"function train(hyperparameters, reporter) or a command, got "
                f"{type(estimator).__name__}",
            )
        if sm_tuning.is_estimator(estimator):
            names = (
                hyperparameter_ranges.names
                if isinstance(hyperparameter_ranges, SearchSpace)
                else list(hyperparameter_ranges or {})
            )
            et = sm_tuning.training_from_estimator(estimator, names, metric_definitions)
            # the estimator's hyperparameters minus the tuned ones, as the SDK does
            static_hyperparameters = {
                **et.static_hyperparameters,
                **(static_hyperparameters or {}),
            }
            metric_definitions = et.metric_definitions
            if max_runtime_per_training_job is None:
                max_runtime_per_training_job = et.max_runtime_per_training_job
            if max_retry_attempts is None and et.max_retry_attempts is not None:
                max_retry_attempts = et.max_retry_attempts
            working_dir = et.working_dir if working_dir is None else working_dir
            # the estimator's store and output path, as the SDK's tuner uses its session
            db = estimator.db if db is None else db
            if output_path is None and estimator.output_path is not None:
                output_path = estimator.output_path
            env = {**et.env, **(env or {})}
            self._instance_type = et.instance_type
            self._json_encoded = frozenset(et.json_encoded_ranges(hyperparameter_ranges))
            if evaluation is None:  # the estimator's offline evaluation, unless the tuner has one
                evaluation = estimator.evaluation
            if base_tuning_job_name is None:  # named after the estimator's jobs, as the SDK does
                base_tuning_job_name = estimator.job_base_name()
        else:
            self._instance_type = "local"
            self._json_encoded = frozenset()
        if max_retry_attempts is None:
            max_retry_attempts = 0
        if base_tuning_job_name is None:
            base_tuning_job_name = "amtune"
        if not isinstance(objective_metric_name, str) or not objective_metric_name:
            raise FieldError(
                "objective_metric_name",
                f"must be a non-empty string, got {objective_metric_name!r}",
            )
        if objective_type not in tuple(ObjectiveType):
            raise FieldError(
                "objective_type", f"must be 'Maximize' or 'Minimize', got {objective_type!r}"
            )
        if isinstance(hyperparameter_ranges, SearchSpace):
            ranges = hyperparameter_ranges.ranges
            static = {**hyperparameter_ranges.static, **(static_hyperparameters or {})}
        else:
            if not isinstance(hyperparameter_ranges, Mapping):
                raise FieldTypeError(
                    "hyperparameter_ranges",
                    "must be a dict of name -> "
                    "ContinuousParameter/IntegerParameter/CategoricalParameter",
                )
            ranges, static = dict(hyperparameter_ranges), dict(static_hyperparameters or {})
        if not ranges:
            raise FieldError("hyperparameter_ranges", "at least one range to tune is needed")
        self.space = SearchSpace(ranges, static)
        if sm_tuning.is_estimator(estimator):  # a built-in algorithm's image: checked now
            tuned = sm_tuning.check_builtin_hyperparameters(
                getattr(estimator, "image_uri", None), self.space.ranges, self.space.static
            )
            self.space = SearchSpace(tuned, self.space.static)
        for k, v in static.items():
            if not isinstance(v, (str, int, float, bool)) or (
                isinstance(v, float) and not math.isfinite(v)
            ):
                raise FieldTypeError(
                    f"static_hyperparameters[{k!r}]", f"must be a string, number or bool, got {v!r}"
                )
        self.metric_definitions = validate_metric_definitions(metric_definitions)
        if not isinstance(strategy, str):
            raise FieldTypeError("strategy", f"must be a strategy name, got {strategy!r}")
        self.strategy = strategy
        if strategy == "Hyperband":
            # resolved: MinResource defaults to 1, MaxResource to the static epochs
            self.strategy_config: dict[str, Any] = HyperbandStrategyConfig.parse(
                strategy_config, static
            ).to_options()
        elif isinstance(strategy_config, (HyperbandStrategyConfig, StrategyConfig)) or (
            isinstance(strategy_config, Mapping) and "HyperbandStrategyConfig" in strategy_config
        ):
            raise FieldError(
                "strategy_config",
                f"a HyperbandStrategyConfig needs strategy='Hyperband', got strategy={strategy!r}",
            )
        elif strategy_config is not None and not isinstance(strategy_config, Mapping):
            raise FieldTypeError(
                "strategy_config", f"must be a dict of strategy options, got {strategy_config!r}"
            )
        else:
            self.strategy_config = dict(strategy_config or {})
        # Validate the strategy name and options now.
        check_strategy(strategy, self.strategy_config, self.space, "strategy", "strategy_config")
        if max_jobs is None:
            # the SDK's default: 1 training job; a grid runs all its combinations
            max_jobs = self.space.size if strategy == "Grid" and self.space.size else 1
            max_jobs = min(max_jobs, MAX_INT32)
        # SageMaker's ResourceLimits are 32-bit integers (botocore's `integer` shape)
        if not _is_int(max_jobs) or not 1 <= max_jobs <= MAX_INT32:
            raise FieldError(
                "max_jobs", f"must be an integer from 1 to {MAX_INT32}, got {max_jobs!r}"
            )
        if not _is_int(max_parallel_jobs) or not 1 <= max_parallel_jobs <= MAX_INT32:
            raise FieldError(
                "max_parallel_jobs",
                f"must be an integer from 1 to {MAX_INT32}, got {max_parallel_jobs!r}",
            )
        if max_runtime_in_seconds is not None and not _is_pos_number(max_runtime_in_seconds):
            raise FieldError(
                "max_runtime_in_seconds", f"must be a number > 0, got {max_runtime_in_seconds!r}"
            )
        if max_runtime_per_training_job is not None and not _is_pos_number(
            max_runtime_per_training_job
        ):
            raise FieldError(
                "max_runtime_per_training_job",
                f"must be a number > 0, got {max_runtime_per_training_job!r}",
            )
        if early_stopping_type not in EARLY_STOPPING_TYPES:
            raise FieldError(
                "early_stopping_type", f"must be 'Off' or 'Auto', got {early_stopping_type!r}"
            )
        if completion_criteria_config is not None:
            if not isinstance(completion_criteria_config, TuningJobCompletionCriteriaConfig):
                raise FieldTypeError(
                    "completion_criteria_config", "must be a TuningJobCompletionCriteriaConfig"
                )
            completion_criteria_config.validate()
        if warm_start_config is not None:
            if not isinstance(warm_start_config, WarmStartConfig) and hasattr(
                warm_start_config, "parents"
            ):  # the SageMaker SDK's own WarmStartConfig (type, parents): a user may mix imports
                warm_start_config = WarmStartConfig(
                    getattr(warm_start_config, "type", None), warm_start_config.parents
                )
            if not isinstance(warm_start_config, WarmStartConfig):
                raise FieldTypeError("warm_start_config", "must be a WarmStartConfig")
            warm_start_config.validate()
        if random_seed is not None and (
            not _is_int(random_seed) or not 0 <= random_seed <= MAX_INT32
        ):  # SageMaker's RandomSeed is an `integer` shape
            raise FieldError(
                "random_seed", f"must be an integer from 0 to {MAX_INT32}, got {random_seed!r}"
            )
        if not _is_int(max_retry_attempts) or not 0 <= max_retry_attempts <= MAX_RETRY_ATTEMPTS:
            raise FieldError(
                "max_retry_attempts",
                f"must be an integer from 0 to {MAX_RETRY_ATTEMPTS}, got {max_retry_attempts!r}",
            )
        if runner not in RUNNERS:
            raise FieldError("runner", f"must be one of {list(RUNNERS)}, got {runner!r}")
        if not isinstance(base_tuning_job_name, str) or not base_tuning_job_name:
            raise FieldError("base_tuning_job_name", "must be a non-empty string")
        chans: dict[str, str] = {}
        for k, v in (channels or {}).items():
            if not isinstance(k, str) or not CHANNEL_NAME_RE.fullmatch(k):
                raise FieldError("channels", f"invalid channel name {k!r} (letters, digits, . - _)")
            if not isinstance(v, (str, os.PathLike)):
                raise FieldTypeError(f"channels.{k}", f"must be a path, got {v!r}")
            local = Path(v).expanduser().resolve()
            if not local.exists() and not prefix_files(local):  # an S3 key prefix selects files
                raise FieldError(
                    f"channels.{k}",
                    f"the channel's data must exist; no such file or directory, and no file "
                    f"whose path starts with it (an S3 key prefix): {local}",
                )
            chans[k] = str(local)
        if not _is_pos_number(stop_grace_seconds):
            raise FieldError(
                "stop_grace_seconds", f"must be a number > 0, got {stop_grace_seconds!r}"
            )
        self.objective_metric_name = objective_metric_name
        self.objective_type = objective_type
        self.max_jobs = int(max_jobs)
        self.max_parallel_jobs = int(max_parallel_jobs)
        self.max_runtime_in_seconds = max_runtime_in_seconds
        self.max_runtime_per_training_job = max_runtime_per_training_job
        self.early_stopping_type = early_stopping_type
        self.completion_criteria_config = completion_criteria_config
        self.warm_start_config = warm_start_config
        self.random_seed = random_seed
        self._given_random_seed = random_seed  # fit() draws one when None
        self.max_retry_attempts = int(max_retry_attempts)
        self.base_tuning_job_name = base_tuning_job_name
        self.runner = runner
        self.channels = chans
        #: channel name -> ContentType (inputdataconfig.json), from fit(inputs) TrainingInputs
        self.content_types: dict[str, str] = {}
        #: the estimator's image (a framework's too): TrainingImage of the stored definition, as
        #: the SDK sends it
        self.training_image: str | None = (
            estimator.recorded_image() if sm_tuning.is_estimator(estimator) else None
        )
        #: the estimator's request fields with no local meaning (role, instances, output path,
        #: checkpoints, flags): the stored definition reports them as the SDK sends them
        self.cloud_fields: dict[str, Any] = (
            cloud_fields(estimator.cloud_fields()) if sm_tuning.is_estimator(estimator) else {}
        )
        # Offline evaluation (amtune.evaluation): holdout or k-fold of the train channel. With an
        # estimator the channels may come with fit(inputs): they are checked there.
        self.evaluation: EvaluationConfig | None = None
        if evaluation is not None:
            self.evaluation = (
                parse_evaluation(evaluation)
                if sm_tuning.is_estimator(estimator) and not chans
                else check_evaluation(evaluation, chans)
            )
        self._evaluation_plan: Any = None
        for field_name, value in (("output_path", output_path), ("working_dir", working_dir)):
            if value is not None and "\0" in os.fspath(value):
                raise FieldError(field_name, "the path contains a NUL character")
        self.output_path = (
            None
            if output_path is None
            else str(Path(local_output_dir(output_path, "output_path")).resolve())
        )
        self.working_dir = (
            None if working_dir is None else str(Path(working_dir).expanduser().resolve())
        )
        check_directories(self.output_path, self.working_dir)
        check_launchable(
            self.space.names,
            self.space.static,
            {
                k: r.values
                for k, r in self.space.ranges.items()
                if isinstance(r, CategoricalParameter)
            },
            dict(env or {}),
            chans,
        )
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.stop_grace_seconds = float(stop_grace_seconds)
        if cluster is not None:
            try:
                parse_cluster(cluster)
            except ValueError as exc:
                raise FieldError("cluster", str(exc).removeprefix("cluster: ")) from None
        self.cluster = cluster
        self.db = db
        self.quiet = bool(quiet)
        # Hooks are checked now so that an unsupported setting fails at creation.
        build_hooks(self)
        #: the latest tuning job: its name (a ``str``) with ``name``, ``job_name``,
        #: ``describe()``, ``wait()`` and ``stop()`` (:mod:`amtune.tuning.job`)
        self.latest_tuning_job: TuningJob | None = None
        #: the SDK's instance configurations (:meth:`override_resource_config`): kept, ignored
        self.instance_configs: list[Any] | None = None
        self._session: Any = None
        self._store: Store | None = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._error: BaseException | None = None
        self._driver: Driver | None = None

    # ------------------------------------------------------------------ public API
    @property
    def last_run(self) -> TuningRun | None:
        """The state of the latest run of the loop in this process (training jobs, strategy)."""
        return None if self._driver is None else self._driver.state

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db)
        return self._store

    def fit(
        self,
        inputs: Any = None,
        job_name: str | None = None,
        include_cls_metadata: Any = False,
        estimator_kwargs: Any = None,
        wait: bool = True,
        quiet: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Run a tuning job.

        With an estimator (or a training function or command) given to the constructor,
        ``inputs`` are the channels (a path, or a dict of channel name to a path or
        ``TrainingInput``), as in the SageMaker SDK. Without one, ``inputs`` is the training
        code: ``train(hyperparameters, reporter)`` or a command. ``wait=False`` returns at once
        (``wait()`` blocks). ``include_cls_metadata=True`` records the estimator's class (a
        framework estimator's always is), as the SDK does, for ``attach``. A tuning job that
        ends Failed raises :class:`~amtune.sagemaker.exceptions.UnexpectedStatusException`
        naming the reason.
        """
        train = kwargs.pop("train", None)
        if kwargs:
            raise TypeError(f"fit: unexpected argument(s) {', '.join(sorted(kwargs))}")
        if self.estimator is not None:
            if train is not None:
                raise TypeError("fit: the training code was given to the constructor already")
            train = self.estimator
            if inputs is not None:
                from amtune.sagemaker.tuning import channels_from_inputs, content_types_of_inputs

                self.channels = channels_from_inputs(inputs)
                self.content_types = content_types_of_inputs(inputs)
        elif train is None:
            train = inputs
        if train is None:
            raise TypeError(
                "fit: no training code: give an estimator (or a training function or command) "
                "as the first argument of HyperparameterTuner, or fit(train)"
            )
        from amtune.sagemaker import tuning as sm_tuning

        if sm_tuning.is_estimator(train):
            train = self.estimator.training_command()[0]
            if include_cls_metadata:  # the estimator's class, for attach (framework: always)
                static = {**self.space.static, **sm_tuning.class_metadata(self.estimator)}
                self.space = SearchSpace(self.space.ranges, static)
        self._fit(train, job_name, wait, quiet)
        if wait:
            self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        from amtune.sagemaker.exceptions import UnexpectedStatusException

        d = _analytics.describe(self.store, self._latest())
        if d["HyperParameterTuningJobStatus"] == "Failed":
            raise UnexpectedStatusException.for_job(
                "Tuning job", self._latest(), "Failed", d.get("FailureReason")
            )

    def _fit(
        self,
        train: Callable[..., Any] | str | Sequence[str],
        job_name: str | None,
        wait: bool,
        quiet: bool | None,
    ) -> None:
        if sys._getframe(2).f_globals.get("__name__") == "__mp_main__":
            # A worker process is importing the user's script to find ``train``: without this,
            # it would start a tuning job of its own.
            raise RuntimeError(
                "fit: called while a worker process imports your script; put the code that "
                'starts the tuning job under `if __name__ == "__main__":`'
            )
        self._builtin_objective(train)
        runner = self._evaluated(self._make_runner(train))
        name = job_name or self._default_name()
        if not isinstance(name, str) or not TUNING_JOB_NAME_RE.fullmatch(name):
            raise FieldError(
                "job_name",
                f"1-32 letters, digits and hyphens, starting and ending with a "
                f"letter or digit (SageMaker's rule), got {name!r}",
            )
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("fit: this tuner is already running a tuning job")
        if self.random_seed is None:
            # drawn within RandomSeed's `integer` range: the description can be sent back
            self.random_seed = int(np.random.SeedSequence().generate_state(1, np.uint32)[0] >> 1)
        if self.warm_start_config is not None:
            check_parents(self)  # the parents exist, have finished and are compatible
        config = record_evaluation(self._to_config(train), self._evaluation_plan)
        now = time.time()
        self.store.create_tuning_job(name, config, now)
        self.latest_tuning_job = TuningJob(name, self)
        self._start(name, runner, resumed=False, wait=wait, quiet=quiet)

    def wait(self) -> None:
        """Block until the background tuning job ends (re-raises a driver error); before
        ``fit()``, a :class:`~amtune.sagemaker.exceptions.NoTuningJobError`, as in the SDK."""
        self._latest()
        if self._thread is None:
            return
        join_or_stop(self._thread, self._stop_event)
        if self._error is not None:
            err, self._error = self._error, None
            raise err
        if self.latest_tuning_job is not None:
            self._raise_if_failed()

    def stop(self) -> None:
        """Stop the tuning job: running training jobs are stopped and it ends Stopped. Returns
        at once, as SageMaker's StopHyperParameterTuningJob: ``describe()`` says ``Stopping``
        until the job has stopped. Before ``fit()``, a
        :class:`~amtune.sagemaker.exceptions.NoTuningJobError`, as in the SDK."""
        self._latest()
        if self._thread is not None and self._thread.is_alive():
            if self.latest_tuning_job is not None:
                self.store.request_stop(self.latest_tuning_job)
            self._stop_event.set()
        elif self.latest_tuning_job is not None:
            stop_tuning_job(self.store, self.latest_tuning_job)

    def stop_tuning_job(self) -> None:
        """The SageMaker SDK's name for :meth:`stop`."""
        self.stop()

    def describe(self) -> dict[str, Any]:
        """The DescribeHyperParameterTuningJob document of the latest tuning job."""
        return _analytics.describe(self.store, self._latest())

    def best_training_job(self) -> str:
        """Name of the best training job; while no training job's objective has succeeded, a
        :class:`~amtune.sagemaker.exceptions.NoBestTrainingJobError`, as the SDK raises there."""
        best = self.describe().get("BestTrainingJob")
        if best is None:
            raise NoBestTrainingJobError(self._latest())
        return str(best["TrainingJobName"])

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
        """Serve the best training job at a local endpoint (``amtune.serve.deploy``), with the
        SDK's arguments in the SDK's order (``deploy(1, "ml.m5.xlarge")``). The endpoint is
        named after the best training job unless ``endpoint_name`` is given, as in the SDK.

        The predictor of a tuner built on an estimator (or attached to a tuning job, whose
        estimator is rebuilt) is the one that estimator's ``deploy`` returns: the framework's
        (``SKLearnPredictor``, ...), else a ``Predictor`` with the SDK's defaults (the answer's
        bytes, ``Accept: */*``). A tuner of a training function or command returns amtune's
        ``Predictor``, which decodes JSON answers. The endpoint config has the endpoint's name,
        as the SDK names it. ``data_capture_config``, ``serverless_inference_config`` and
        ``async_inference_config`` are kept in the endpoint config."""
        from amtune.sagemaker import tuning as sm_tuning
        from amtune.serve.deployment import deploy, sdk_deploy_arguments

        kw = sdk_deploy_arguments(
            "HyperparameterTuner", {**kw, "accelerator_type": accelerator_type}
        )
        if instance_type is not None:  # "local" / "local_gpu" (the SDK's local mode): here
            kw["instance_type"] = hosting_instance_type(instance_type)
        name = self._latest()
        return deploy(
            name,
            initial_instance_count=initial_instance_count,
            endpoint_name=endpoint_name or self.best_training_job(),
            serializer=serializer,
            deserializer=deserializer,
            wait=wait,
            db=self.store.path,
            sdk_defaults=sm_tuning.is_estimator(self.estimator),
            sdk_names=True,
            **kw,
        )

    def delete_endpoint(self, *args: Any, **kwargs: Any) -> None:
        """A no-op that warns, as in the SageMaker SDK v2 (where it was removed); the endpoint
        keeps running: ``predictor.delete_endpoint()`` deletes it."""
        delete_endpoint_removed()

    def analytics(self) -> HyperparameterTuningJobAnalytics:
        """The latest tuning job's ``HyperparameterTuningJobAnalytics`` (itself a DataFrame of
        the training jobs with the SageMaker SDK's columns; ``dataframe()``, ``export_csv(path)``,
        ``tuning_ranges``, ``description()``, ``training_job_summaries()``)."""
        return HyperparameterTuningJobAnalytics(self._latest(), store=self.store)

    def hyperparameter_ranges(self) -> dict[str, list[dict[str, Any]]]:
        """The tuned ranges as the SageMaker SDK's tuner sends them (``ParameterRanges``:
        ``ContinuousParameterRanges``, ``IntegerParameterRanges``, ``CategoricalParameterRanges``;
        values as strings, a framework estimator's categorical values JSON-encoded)."""
        out = self.space.to_sagemaker()
        for r in out["CategoricalParameterRanges"]:
            if r["Name"] in self._json_encoded:
                p = self.space.ranges[r["Name"]]
                assert isinstance(p, CategoricalParameter)
                r["Values"] = [json.dumps(v) for v in p.values]
        return out

    def hyperparameter_ranges_dict(self) -> dict[str, dict[str, list[dict[str, Any]]]] | None:
        """The SDK's ranges per estimator name, which it has for a multi-estimator tuner
        (``HyperparameterTuner.create``) only: None, as the SDK's for a tuner of one estimator
        (amtune's tuners have one; :meth:`hyperparameter_ranges` gives its ranges)."""
        return None

    @property
    def sagemaker_session(self) -> Any:
        """The session of the tuner's store (an :class:`amtune.Session`), as the SDK's tuner
        gives its estimator's: the estimator's own when it is an amtune ``Session`` of the same
        store, else one made when first read. Its ``sagemaker_client`` (boto3, on the store's
        endpoint service) describes the tuning jobs:
        ``tuner.sagemaker_session.sagemaker_client.describe_hyper_parameter_tuning_job(...)``."""
        from amtune.sagemaker.session import Session

        if self._session is None:
            path = resolve_db_path(self.db) if self._store is None else self._store.path
            own = getattr(self.estimator, "sagemaker_session", None)
            if isinstance(own, Session) and own.db == path:
                self._session = own
            else:
                self._session = Session(db=path)
        return self._session

    def override_resource_config(self, instance_configs: Any) -> None:
        """The SDK's instance configurations of the training jobs (``[InstanceConfig(
        instance_count, instance_type, volume_size), ...]``; None removes them). Kept in
        ``instance_configs`` and ignored, with a notice, as an estimator's instance settings
        are: every training job runs here, on this machine."""
        if instance_configs is None:
            self.instance_configs = None
            return
        if isinstance(instance_configs, Mapping):
            raise FieldTypeError(
                "instance_configs",
                "a dict of estimator name to InstanceConfigs is for the SDK's multi-estimator "
                "tuners (HyperparameterTuner.create), which amtune does not run; give a list of "
                "InstanceConfig",
            )
        if isinstance(instance_configs, (str, bytes)) or not isinstance(instance_configs, Sequence):
            raise FieldTypeError(
                "instance_configs", f"must be a list of InstanceConfig, got {instance_configs!r}"
            )
        for i, c in enumerate(instance_configs):
            if not callable(getattr(c, "to_input_req", None)):
                raise FieldTypeError(
                    f"instance_configs[{i}]", f"must be an InstanceConfig, got {c!r}"
                )
        self.instance_configs = list(instance_configs)
        print(
            "amtune: notice: HyperparameterTuner.override_resource_config: instance_configs: "
            "no local meaning; kept, ignored",
            file=sys.stderr,
        )

    def best_estimator(self, best_training_job: Mapping[str, Any] | str | None = None) -> Any:
        """An estimator of the tuner's estimator class attached to the best training job (or to
        ``best_training_job``: a name or ``{"TrainingJobName": ...}``): its hyperparameters,
        ``latest_training_job`` and ``model_data`` are that job's (``Estimator.attach``). A
        tuning job of a training function has no estimator: a ``ValueError``."""
        name = self._latest()
        if best_training_job is None:
            best = self.describe().get("BestTrainingJob")
            if best is None:
                raise ValueError(
                    f"best_estimator: tuning job {name!r} has no best training job (no "
                    f"training job's objective succeeded yet)"
                )
            best_training_job = best
        job = (
            best_training_job
            if isinstance(best_training_job, str)
            else best_training_job.get("TrainingJobName")
        )
        if not isinstance(job, str):
            raise FieldTypeError(
                "best_training_job",
                f"must be a training job name or {{'TrainingJobName': name}}, "
                f"got {best_training_job!r}",
            )
        from amtune.sagemaker import tuning as sm_tuning

        estimator = self.estimator
        if not sm_tuning.is_estimator(estimator):
            estimator = tuning_job_estimator(self.store.get_tuning_job(name)["config"], None)
        if estimator is None:
            raise ValueError(
                f"best_estimator: tuning job {name!r} trains a Python function, not an "
                f"estimator; its best training job is best_training_job()"
            )
        return type(estimator).attach(job, db=self.store.path)

    def transfer_learning_tuner(
        self, additional_parents: Any = None, estimator: Any = None
    ) -> HyperparameterTuner:
        """A new tuner like this one, warm started (TransferLearning) from this tuning job and
        ``additional_parents`` (tuning job names); ``estimator`` replaces the estimator."""
        return self._warm_start_tuner(
            WarmStartTypes.TRANSFER_LEARNING, additional_parents, estimator
        )

    def identical_dataset_and_algorithm_tuner(
        self, additional_parents: Any = None
    ) -> HyperparameterTuner:
        """A new tuner like this one, warm started (IdenticalDataAndAlgorithm) from this tuning
        job and ``additional_parents`` (tuning job names)."""
        return self._warm_start_tuner(
            WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM, additional_parents, None
        )

    def _warm_start_tuner(
        self, kind: WarmStartTypes, additional_parents: Any, estimator: Any
    ) -> HyperparameterTuner:
        if isinstance(additional_parents, str) or not (
            additional_parents is None or isinstance(additional_parents, (Sequence, set, frozenset))
        ):
            raise FieldTypeError(
                "additional_parents",
                f"must be a set of tuning job names, got {additional_parents!r}",
            )
        parents = {str(self._latest()), *(additional_parents or ())}
        args, kwargs = warm_start_arguments(self, estimator)
        kwargs.update(
            warm_start_config=WarmStartConfig(kind, parents),
            random_seed=self._given_random_seed,  # a drawn seed would repeat the proposals
            db=self.store.path,
        )
        return HyperparameterTuner(*args, **kwargs)

    def metrics(self, training_job: str | None = None) -> list[dict[str, Any]]:
        """Every metric emission (seq, name, step, time, value), for one training job or all."""
        name = self._latest()
        seq = None
        if training_job is not None:
            rows = [r for r in self.store.training_jobs(name) if r["name"] == training_job]
            if not rows:
                raise NotFoundError(f"no training job {training_job!r} in tuning job {name!r}")
            seq = rows[0]["seq"]
        return self.store.metrics(name, seq)

    @classmethod
    def create(cls, *args: Any, **kwargs: Any) -> HyperparameterTuner:
        """The SDK's multi-algorithm tuner (``estimator_dict=...``, one training job definition per
        estimator): not run by amtune, which says so instead of an AttributeError."""
        raise NotImplementedError(
            "HyperparameterTuner.create: multi-algorithm tuning jobs (several training job "
            "definitions) are not run by amtune; run one HyperparameterTuner per estimator, each "
            "with its own ranges"
        )

    @classmethod
    def attach(
        cls,
        tuning_job_name: str,
        db: str | os.PathLike[str] | None = None,
        sagemaker_session: Any = None,
        job_details: Any = None,
        estimator_cls: Any = None,
    ) -> HyperparameterTuner:
        """A tuner for an existing tuning job in the store (to describe, analyse, deploy, warm
        start, resume). ``db``: the store (default ``./amtune.db``).

        ``tuner.estimator`` is rebuilt from the stored training job definition, as the SageMaker
        SDK does: a framework estimator's class from ``sagemaker_estimator_class_name``, else an
        ``Estimator``; its entry point, source directory, hyperparameters (the static ones),
        metric definitions, environment, command and limits (:mod:`amtune.sagemaker.rebuild`
        lists what the store does not keep). It is None for a tuning job of a Python function,
        and when the definition cannot be rebuilt here (its script is gone: a notice says why).
        ``estimator_cls`` (``"module.Class"``, as in the SDK) names the estimator's class instead.
        The store is ``sagemaker_session``'s when it is an amtune ``Session`` and ``db`` is not
        given; ``job_details`` is accepted and ignored.
        """
        from amtune.sagemaker.session import store_of_session

        if estimator_cls is not None:  # a name of no estimator class is an error, as in the SDK
            estimator_class({}, estimator_cls)
        db = store_of_session(sagemaker_session, db)
        store = Store(db)
        job = store.get_tuning_job(tuning_job_name)
        tuner = None
        try:
            estimator = tuning_job_estimator(job["config"], store.path, estimator_cls)
            if estimator is not None:
                tuner = _with_estimator(job["config"], db, estimator)
        except (ValueError, TypeError) as exc:
            print(
                f"amtune: notice: attach: the estimator of tuning job {tuning_job_name!r} "
                f"cannot be rebuilt ({exc}); tuner.estimator is None",
                file=sys.stderr,
            )
        if tuner is None:
            tuner = cls._from_config(job["config"], db=db)
        tuner._store = store
        # named after the job, as the SDK's attach names it: refits and warm-start copies
        # (transfer_learning_tuner, ...) keep the user's base
        tuner.base_tuning_job_name = base_from_name(tuning_job_name)
        tuner.content_types = stored_content_types(job["config"])
        tuner.training_image = stored_training_image(job["config"])
        tuner.cloud_fields = stored_cloud_fields(job["config"])
        tuner.latest_tuning_job = TuningJob(tuning_job_name, tuner)
        return tuner

    @classmethod
    def resume(
        cls,
        tuning_job_name: str,
        db: str | os.PathLike[str] | None = None,
        train: Callable[..., Any] | str | Sequence[str] | None = None,
        wait: bool = True,
        quiet: bool | None = None,
    ) -> HyperparameterTuner:
        """Continue a tuning job whose driver died (see the module's resume rule), or one that
        was stopped (Ctrl-C, ``stop()``): it goes on up to its limits."""
        store = Store(db)
        job = store.get_tuning_job(tuning_job_name)
        # A Stopped job is reopened by the driver's lease claim (one transaction: a resume that
        # loses the claim writes nothing).
        status = TuningJobStatus(job["status"])
        if not status.is_active and status is not TuningJobStatus.STOPPED:
            raise ValueError(
                f"tuning job {tuning_job_name!r} has already ended ({job['status']}); "
                f"nothing to resume"
            )
        if driver_alive(job):  # a quick check; the driver's lease claim decides atomically
            raise RuntimeError(
                f"tuning job {tuning_job_name!r} is still running (driver pid "
                f"{job['driver_pid']}); stop it first"
            )
        tuner = cls._from_config(job["config"], db=db)
        tuner._store = store
        # named after the job, as the SDK's attach names it: refits and warm-start copies
        # (transfer_learning_tuner, ...) keep the user's base
        tuner.base_tuning_job_name = base_from_name(tuning_job_name)
        tuner.content_types = stored_content_types(job["config"])
        tuner.training_image = stored_training_image(job["config"])
        tuner.cloud_fields = stored_cloud_fields(job["config"])
        tuner.latest_tuning_job = TuningJob(tuning_job_name, tuner)
        stored = StoredConfig(job["config"])
        if train is None:
            if stored.command:
                train = stored.command
            elif stored.callable_ref:
                try:
                    train = import_callable(stored.callable_ref)
                except (ImportError, AttributeError) as exc:
                    raise FieldError(
                        "resume",
                        f"cannot import the training function "
                        f"{stored.callable_ref!r} ({exc}); pass train=",
                    ) from None
            else:
                raise FieldError(
                    "resume",
                    "the training function of this job cannot be imported by name; pass train=",
                )
        runner = tuner._evaluated(tuner._make_runner(train))
        tuner._start(tuning_job_name, runner, resumed=True, wait=wait, quiet=quiet)
        return tuner

    # ------------------------------------------------------------------ config
    def _default_name(self) -> str:
        # the SDK's name_from_base(base, max_length=32, short=True): 20 characters of the base
        # and the minute (local time)
        name = f"{self.base_tuning_job_name[:20]}-{time.strftime('%y%m%d-%H%M')}"
        if TUNING_JOB_NAME_RE.fullmatch(name) and not self.store.has_tuning_job(name):
            return name
        # a second tuning job of that base in the same minute (SageMaker would refuse the
        # name): <base>-<seconds>-<4 hex digits>, still at most 32 characters
        stamp = time.strftime("%y%m%d-%H%M%S", time.gmtime())
        base = self.base_tuning_job_name[: 32 - len(stamp) - 6].rstrip("-")
        return f"{base}-{stamp}-{os.urandom(2).hex()}"

    def _make_runner(self, train: Any) -> Runner:
        if self.cluster is None:
            return self._make_local_runner(train)
        from amtune.runners.dask import DaskRunner

        # a command is checked (metric definitions, program) as for local runs
        if callable(train):
            return DaskRunner(self.cluster, train, self.stop_grace_seconds)
        command = self._make_local_runner(train)
        assert isinstance(command, CommandRunner)
        return DaskRunner(self.cluster, command, self.stop_grace_seconds)

    def _make_local_runner(self, train: Any) -> Runner:
        if callable(train):
            if self.runner == "thread":
                return ThreadRunner(train)
            return ProcessRunner(train)
        if isinstance(train, str) or (isinstance(train, Sequence) and not isinstance(train, bytes)):
            names = {d["Name"] for d in self.metric_definitions}
            if self.objective_metric_name not in names:
                raise FieldError(
                    "metric_definitions",
                    f"the objective metric {self.objective_metric_name!r} "
                    "needs a metric definition (a regex over the command's output) when "
                    "training is a command; defined: "
                    + (", ".join(sorted(names)) if names else "none"),
                )
            return CommandRunner(
                train,
                self.metric_definitions,
                self.working_dir,
                self.env,
                objective_metric_name=self.objective_metric_name,
                instance_type=self._instance_type,
                json_encoded=self._json_encoded,
            )
        raise FieldTypeError(
            "train",
            f"must be a callable train(hyperparameters, reporter) or a command "
            f"(a string or a list of strings), got {type(train).__name__}",
        )

    def _builtin_objective(self, train: Any) -> None:
        """A built-in algorithm's command gets ``_tuning_objective_metric`` (as SageMaker passes
        it to its algorithms); an objective the algorithm does not emit is a ValueError. A
        script-mode estimator's training jobs get it too, as SageMaker adds it to every tuning
        job's static hyperparameters (the SDK's ``attach`` removes it); the training toolkit
        does not pass it to the script."""
        from amtune.sagemaker import tuning as sm_tuning

        static = tuning_objective_static(train, self.objective_metric_name, self.space.static)
        if static is None and sm_tuning.is_estimator(self.estimator):
            if "_tuning_objective_metric" not in self.space.static:
                static = {
                    **self.space.static,
                    "_tuning_objective_metric": self.objective_metric_name,
                }
        if static is not None:
            self.space = SearchSpace(self.space.ranges, static)

    def _evaluated(self, runner: Runner) -> Runner:
        """Under an evaluation config: split the train channel (once) and wrap the runner."""
        if self.evaluation is None:
            return runner
        check_evaluation(self.evaluation, self.channels)  # the channels of fit(inputs)
        root = Path(self.output_path) if self.output_path else self.store.jobs_root
        if self._evaluation_plan is not None:  # a second fit: the user's parallelism again
            self.max_parallel_jobs = self._evaluation_plan.max_processes
        plan = plan_evaluation(self.evaluation, self.channels, self.max_parallel_jobs, root)
        self.max_parallel_jobs = plan.parallel_configurations  # configurations at once (k-fold)
        self._evaluation_plan = plan
        return plan.wrap(runner)

    def _to_config(self, train: Any) -> dict[str, Any]:
        command = None
        if isinstance(train, str):
            command = shlex.split(train)
        elif not callable(train):
            command = list(train)
        return tuning_job_config(self, command, callable_ref(train) if callable(train) else None)

    @classmethod
    def _from_config(cls, cfg: Mapping[str, Any], db: Any = None) -> HyperparameterTuner:
        name, space, kwargs = StoredConfig(cfg).tuner_arguments()
        return cls(name, space, **kwargs, db=db, evaluation=cfg.get("Evaluation"))

    @property
    def _current_job_name(self) -> str | None:
        """The latest tuning job's name (the SDK keeps it in this attribute, and notebooks read
        it: ``tuner._current_job_name``)."""
        return None if self.latest_tuning_job is None else str(self.latest_tuning_job)

    def _latest(self) -> str:
        if self.latest_tuning_job is None:
            raise NoTuningJobError()
        return self.latest_tuning_job

    # ------------------------------------------------------------------ driver
    def _start(
        self, name: str, runner: Runner, resumed: bool, wait: bool, quiet: bool | None
    ) -> None:
        self._stop_event.clear()
        self._error = None
        show = not (self.quiet if quiet is None else quiet)
        if wait:
            self._driver = Driver(self, name, runner, resumed, show, self._stop_event)
            self._driver.run()
            return
        self._driver = Driver(self, name, runner, resumed, False, self._stop_event)
        driver = self._driver

        def target() -> None:
            try:
                driver.run()
            except BaseException as exc:
                self._error = exc

        self._thread = threading.Thread(target=target, name=f"amtune-driver-{name}", daemon=True)
        self._thread.start()


def _with_estimator(cfg: Mapping[str, Any], db: Any, estimator: Any) -> HyperparameterTuner:
    """The tuner of a stored tuning job on its rebuilt ``estimator`` (``attach``)."""
    name, space, kwargs = StoredConfig(cfg).tuner_arguments()
    # the stored static values (typed) win over the rebuilt estimator's (strings)
    kwargs.update(static_hyperparameters=space.static, db=db, evaluation=cfg.get("Evaluation"))
    return HyperparameterTuner(estimator, name, space, **kwargs)


def create_identical_dataset_and_algorithm_tuner(
    parent: str,
    additional_parents: Any = None,
    sagemaker_session: Any = None,
    *,
    db: str | os.PathLike[str] | None = None,
) -> HyperparameterTuner:
    """The SDK's module function: the tuner of tuning job ``parent`` (``HyperparameterTuner.
    attach``, from the store ``db``, default ``./amtune.db``), warm started
    (IdenticalDataAndAlgorithm) from ``parent`` and ``additional_parents``.
    ``sagemaker_session`` is accepted as ``attach`` accepts it."""
    tuner = HyperparameterTuner.attach(parent, db=db, sagemaker_session=sagemaker_session)
    return tuner.identical_dataset_and_algorithm_tuner(additional_parents=additional_parents)


def create_transfer_learning_tuner(
    parent: str,
    additional_parents: Any = None,
    estimator: Any = None,
    sagemaker_session: Any = None,
    *,
    db: str | os.PathLike[str] | None = None,
) -> HyperparameterTuner:
    """The SDK's module function: the tuner of tuning job ``parent`` (``HyperparameterTuner.
    attach``, from the store ``db``, default ``./amtune.db``), warm started (TransferLearning)
    from ``parent`` and ``additional_parents``; ``estimator`` replaces the estimator.
    ``sagemaker_session`` is accepted as ``attach`` accepts it."""
    tuner = HyperparameterTuner.attach(parent, db=db, sagemaker_session=sagemaker_session)
    return tuner.transfer_learning_tuner(additional_parents=additional_parents, estimator=estimator)

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
* ``max_jobs`` counts training jobs started (failed ones included, retries and re-runs not).
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

import hashlib
import importlib
import math
import numbers
import os
import queue
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from amtune import analytics as _analytics
from amtune.hooks import (
    EARLY_STOPPING_TYPES,
    MAX_RETRY_ATTEMPTS,
    CompleteJob,
    TuningJobCompletionCriteriaConfig,
    TuningJobHook,
    WarmStartConfig,
    build_hooks,
)
from amtune.hyperband import HyperbandStrategyConfig
from amtune.metrics import validate_metric_definitions
from amtune.optimizer import Optimizer
from amtune.progress import Progress, format_status
from amtune.runners import (
    DEFAULT_STOP_GRACE,
    CommandRunner,
    Handle,
    JobSpec,
    Outcome,
    ProcessRunner,
    Runner,
    ThreadRunner,
)
from amtune.space import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
    SearchSpace,
)
from amtune.store import NotFoundError, Store

TUNING_JOB_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
CHANNEL_NAME_RE = re.compile(r"^[A-Za-z0-9\.\-_]{1,64}$")
RUNNERS = ("process", "thread")
_HEARTBEAT = 2.0
_POLL = 0.5


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_pos_number(x: Any) -> bool:
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        return False
    v = float(x)
    return math.isfinite(v) and v > 0


# ====================================================================== run state
@dataclass
class TrainingJobState:
    """A training job as the loop sees it (hooks read this)."""

    seq: int
    name: str
    hyperparameters: dict[str, Any]  # tuned ranges only
    status: str = "InProgress"
    objective_status: str = "Pending"
    failure_reason: str | None = None
    creation_time: float = 0.0
    start_time: float | None = None
    end_time: float | None = None
    final_objective: float | None = None
    final_metrics: dict[str, float] = field(default_factory=dict)
    attempts: int = 1
    restarts: int = 0
    retryable: bool = False
    job_dir: Path | None = None
    #: metric name -> list of (step, time, value), in emission order
    series: dict[str, list[tuple[int | None, float, float]]] = field(default_factory=dict)
    trial_id: int | None = None
    handle: Handle | None = None
    deadline: float | None = None
    stop_reason: str | None = None  # why the loop asked it to stop
    stop_status: str | None = None  # the status that stop gives (Stopped, or Failed for a timeout)


class TuningRun:
    """The state of a tuning job while its loop runs (what hooks see)."""

    def __init__(
        self, tuner: HyperparameterTuner, name: str, store: Store, optimizer: Optimizer
    ) -> None:
        self.tuner = tuner
        self.name = name
        self.store = store
        self.optimizer = optimizer
        self.objective_metric_name = tuner.objective_metric_name
        self.objective_type = tuner.objective_type
        self.jobs: dict[int, TrainingJobState] = {}
        self._running: dict[int, TrainingJobState] = {}
        self.best: TrainingJobState | None = None
        self.completion_details: dict[str, Any] = {}

    @property
    def running(self) -> list[TrainingJobState]:
        return list(self._running.values())

    @property
    def finished(self) -> list[TrainingJobState]:
        return [j for j in self.jobs.values() if j.status != "InProgress"]

    def better(self, a: float, b: float) -> bool:
        return a > b if self.objective_type == "Maximize" else a < b

    def _update_best(self, job: TrainingJobState) -> None:
        if job.objective_status != "Succeeded" or job.final_objective is None:
            return
        if self.best is None or self.better(job.final_objective, self.best.final_objective):  # type: ignore[arg-type]
            self.best = job


def observation(status: str, objective_status: str, value: float | None) -> float | str | None:
    """What the strategy learns from a finished job: a value, NaN (failed) or ``"skip"``."""
    if objective_status == "Succeeded" and value is not None:
        return float(value)
    if status == "Stopped":
        return "skip"
    return math.nan


# ====================================================================== space (de)serialization
def space_to_json(space: SearchSpace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, p in space.ranges.items():
        if isinstance(p, CategoricalParameter):
            out[name] = {"kind": "Categorical", "values": list(p.values)}
        else:
            q: Any = p
            out[name] = {
                "kind": q.kind,
                "min": q.min_value,
                "max": q.max_value,
                "scaling": q.scaling_type,
            }
    return out


def space_from_json(doc: Mapping[str, Any], static: Mapping[str, Any] | None) -> SearchSpace:
    ranges: dict[str, Parameter] = {}
    for name, d in doc.items():
        if d["kind"] == "Categorical":
            ranges[name] = CategoricalParameter(d["values"])
        elif d["kind"] == "Integer":
            ranges[name] = IntegerParameter(d["min"], d["max"], d["scaling"])
        else:
            ranges[name] = ContinuousParameter(d["min"], d["max"], d["scaling"])
    return SearchSpace(ranges, static)


def callable_ref(fn: Callable[..., Any]) -> str | None:
    """``module:qualname`` when ``fn`` can be imported again by that name, else None."""
    mod = getattr(fn, "__module__", None)
    qn = getattr(fn, "__qualname__", None)
    if not mod or not qn or "<" in qn:
        return None
    return f"{mod}:{qn}"


def import_callable(ref: str) -> Callable[..., Any]:
    mod, _, qn = ref.partition(":")
    obj: Any = importlib.import_module(mod)
    for part in qn.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


def _pid_alive(pid: int | None, host: str | None) -> bool:
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ====================================================================== the tuner
class HyperparameterTuner:
    """A tuning job: proposes hyperparameters, runs training jobs, records everything in the store.

    Parameters follow the SageMaker SDK's ``HyperparameterTuner``; local additions:

    ``runner``: ``"process"`` (default: a fresh worker process per training job) or ``"thread"``
    (in the driver process; fast, no isolation) for Python callables; commands always run as
    processes. ``db``: the store (path or ``sqlite:///path``; default ``./amtune.db``).
    ``max_runtime_per_training_job``: a training job's own time limit in seconds (SageMaker's
    ``StoppingCondition.MaxRuntimeInSeconds``): past it the job is stopped and marked Failed.
    ``channels``: input channels ``{name: directory}`` (``SM_CHANNEL_<NAME>`` for commands).
    ``output_path``: root of the training job directories (default ``<store dir>/amtune-jobs``).
    ``working_dir``: where commands run (default: the current directory). ``env``: extra environment
    variables for commands. ``stop_grace_seconds``: SIGTERM-to-SIGKILL delay. ``quiet``: no
    progress display.
    ``max_retry_attempts``: 0-30 re-runs of a job whose process died by a signal or failed to start.
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
        db: str | os.PathLike[str] | None = None,
        quiet: bool = False,
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
        if hyperparameter_ranges is None:
            raise TypeError("hyperparameter_ranges: required (a dict of name -> parameter range)")
        if autotune:
            raise ValueError("autotune: not supported; give hyperparameter_ranges")
        if estimator_name is not None and not isinstance(estimator_name, str):
            raise TypeError(f"estimator_name: must be a string, got {estimator_name!r}")
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
            raise TypeError(
                f"estimator: must be an amtune Estimator (SKLearn, XGBoost, ...), a training "
                f"function train(hyperparameters, reporter) or a command, got "
                f"{type(estimator).__name__}"
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
            env = {**et.env, **(env or {})}
            self._instance_type = et.instance_type
        else:
            self._instance_type = "local"
        if max_retry_attempts is None:
            max_retry_attempts = 0
        if base_tuning_job_name is None:
            base_tuning_job_name = "amtune"
        if not isinstance(objective_metric_name, str) or not objective_metric_name:
            raise ValueError(
                f"objective_metric_name: must be a non-empty string, got {objective_metric_name!r}"
            )
        if objective_type not in ("Maximize", "Minimize"):
            raise ValueError(
                f"objective_type: must be 'Maximize' or 'Minimize', got {objective_type!r}"
            )
        if isinstance(hyperparameter_ranges, SearchSpace):
            ranges = hyperparameter_ranges.ranges
            static = {**hyperparameter_ranges.static, **(static_hyperparameters or {})}
        else:
            if not isinstance(hyperparameter_ranges, Mapping):
                raise TypeError(
                    "hyperparameter_ranges: must be a dict of name -> "
                    "ContinuousParameter/IntegerParameter/CategoricalParameter"
                )
            ranges, static = dict(hyperparameter_ranges), dict(static_hyperparameters or {})
        if not ranges:
            raise ValueError("hyperparameter_ranges: at least one range to tune is needed")
        self.space = SearchSpace(ranges, static)
        for k, v in static.items():
            if not isinstance(v, (str, int, float, bool)) or (
                isinstance(v, float) and not math.isfinite(v)
            ):
                raise TypeError(
                    f"static_hyperparameters[{k!r}]: must be a string, number or bool, got {v!r}"
                )
        self.metric_definitions = validate_metric_definitions(metric_definitions)
        if not isinstance(strategy, str):
            raise TypeError(f"strategy: must be a strategy name, got {strategy!r}")
        self.strategy = strategy
        if strategy == "Hyperband":
            # resolved: MinResource defaults to 1, MaxResource to the static epochs
            self.strategy_config: dict[str, Any] = HyperbandStrategyConfig.parse(
                strategy_config, static
            ).to_options()
        elif isinstance(strategy_config, HyperbandStrategyConfig) or (
            isinstance(strategy_config, Mapping) and "HyperbandStrategyConfig" in strategy_config
        ):
            raise ValueError(
                f"strategy_config: a HyperbandStrategyConfig needs strategy='Hyperband', "
                f"got strategy={strategy!r}"
            )
        else:
            self.strategy_config = dict(strategy_config or {})
        # Validate the strategy name and options now (a throwaway optimizer).
        try:
            Optimizer(self.space, strategy, objective_type, 0, **self.strategy_config)
        except (ValueError, TypeError) as exc:
            msg = str(exc)
            if msg.startswith("strategy options: "):
                raise ValueError("strategy_config: " + msg[len("strategy options: ") :]) from None
            if msg.split(" ", 1)[0].rstrip(":") in self.strategy_config:  # an option's value
                raise ValueError(f"strategy_config.{msg}") from None
            raise ValueError(f"strategy: {msg}") from None
        if max_jobs is None:
            max_jobs = self.space.size if strategy == "Grid" and self.space.size else 10
        if not _is_int(max_jobs) or max_jobs < 1:
            raise ValueError(f"max_jobs: must be an integer >= 1, got {max_jobs!r}")
        if not _is_int(max_parallel_jobs) or max_parallel_jobs < 1:
            raise ValueError(
                f"max_parallel_jobs: must be an integer >= 1, got {max_parallel_jobs!r}"
            )
        if max_runtime_in_seconds is not None and not _is_pos_number(max_runtime_in_seconds):
            raise ValueError(
                f"max_runtime_in_seconds: must be a number > 0, got {max_runtime_in_seconds!r}"
            )
        if max_runtime_per_training_job is not None and not _is_pos_number(
            max_runtime_per_training_job
        ):
            raise ValueError(
                f"max_runtime_per_training_job: must be a number > 0, "
                f"got {max_runtime_per_training_job!r}"
            )
        if early_stopping_type not in EARLY_STOPPING_TYPES:
            raise ValueError(
                f"early_stopping_type: must be 'Off' or 'Auto', got {early_stopping_type!r}"
            )
        if completion_criteria_config is not None:
            if not isinstance(completion_criteria_config, TuningJobCompletionCriteriaConfig):
                raise TypeError(
                    "completion_criteria_config: must be a TuningJobCompletionCriteriaConfig"
                )
            completion_criteria_config.validate()
        if warm_start_config is not None:
            if not isinstance(warm_start_config, WarmStartConfig):
                raise TypeError("warm_start_config: must be a WarmStartConfig")
            warm_start_config.validate()
        if random_seed is not None and (not _is_int(random_seed) or random_seed < 0):
            raise ValueError(f"random_seed: must be an integer >= 0, got {random_seed!r}")
        if not _is_int(max_retry_attempts) or not 0 <= max_retry_attempts <= MAX_RETRY_ATTEMPTS:
            raise ValueError(
                f"max_retry_attempts: must be an integer from 0 to {MAX_RETRY_ATTEMPTS}, "
                f"got {max_retry_attempts!r}"
            )
        if runner not in RUNNERS:
            raise ValueError(f"runner: must be one of {list(RUNNERS)}, got {runner!r}")
        if not isinstance(base_tuning_job_name, str) or not base_tuning_job_name:
            raise ValueError("base_tuning_job_name: must be a non-empty string")
        chans: dict[str, str] = {}
        for k, v in (channels or {}).items():
            if not isinstance(k, str) or not CHANNEL_NAME_RE.match(k):
                raise ValueError(f"channels: invalid channel name {k!r} (letters, digits, . - _)")
            local = Path(v).expanduser().resolve()
            if not local.exists():
                raise ValueError(
                    f"channels[{k!r}]: the channel's data must exist; no such file or "
                    f"directory: {local}"
                )
            chans[k] = str(local)
        if not _is_pos_number(stop_grace_seconds):
            raise ValueError(
                f"stop_grace_seconds: must be a number > 0, got {stop_grace_seconds!r}"
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
        self.max_retry_attempts = int(max_retry_attempts)
        self.base_tuning_job_name = base_tuning_job_name
        self.runner = runner
        self.channels = chans
        self.output_path = (
            None if output_path is None else str(Path(output_path).expanduser().resolve())
        )
        self.working_dir = (
            None if working_dir is None else str(Path(working_dir).expanduser().resolve())
        )
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.stop_grace_seconds = float(stop_grace_seconds)
        self.db = db
        self.quiet = bool(quiet)
        # Hooks are checked now so that an unsupported setting fails at creation.
        build_hooks(self)
        self.latest_tuning_job: str | None = None
        self._store: Store | None = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._error: BaseException | None = None
        self._train: Any = None
        self._run: TuningRun | None = None

    # ------------------------------------------------------------------ public API
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
        (``wait()`` blocks). A tuning job that ends Failed raises
        :class:`~amtune.sagemaker.exceptions.UnexpectedStatusException` naming the reason.
        """
        train = kwargs.pop("train", None)
        if kwargs:
            raise TypeError(f"fit: unexpected argument(s) {', '.join(sorted(kwargs))}")
        if self.estimator is not None:
            if train is not None:
                raise TypeError("fit: the training code was given to the constructor already")
            train = self.estimator
            if inputs is not None:
                from amtune.sagemaker.tuning import channels_from_inputs

                self.channels = channels_from_inputs(inputs)
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
        runner = self._make_runner(train)
        name = job_name or self._default_name()
        if not isinstance(name, str) or not TUNING_JOB_NAME_RE.match(name):
            raise ValueError(
                f"job_name: 1-32 letters, digits and hyphens, starting and ending with a "
                f"letter or digit (SageMaker's rule), got {name!r}"
            )
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("fit: this tuner is already running a tuning job")
        if self.random_seed is None:
            self.random_seed = int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
        if self.warm_start_config is not None:
            from amtune.warm_start import check_parents

            check_parents(self)  # the parents exist, have finished and are compatible
        config = self._to_config(train)
        now = time.time()
        self.store.create_tuning_job(name, config, now)
        self.latest_tuning_job = name
        self._start(name, runner, resumed=False, wait=wait, quiet=quiet)

    def wait(self) -> None:
        """Block until the background tuning job ends (re-raises a driver error)."""
        if self._thread is None:
            return
        try:
            while self._thread.is_alive():
                self._thread.join(0.2)
        except KeyboardInterrupt:
            self._stop_event.set()
            self._thread.join()
            raise
        if self._error is not None:
            err, self._error = self._error, None
            raise err
        if self.latest_tuning_job is not None:
            self._raise_if_failed()

    def stop(self) -> None:
        """Stop the tuning job: running training jobs are stopped and it ends Stopped."""
        if self._thread is not None and self._thread.is_alive():
            self._stop_event.set()
        elif self.latest_tuning_job is not None:
            stop_tuning_job(self.store, self.latest_tuning_job)

    def stop_tuning_job(self) -> None:
        """The SageMaker SDK's name for :meth:`stop`."""
        self.stop()

    def describe(self) -> dict[str, Any]:
        """The DescribeHyperParameterTuningJob document of the latest tuning job."""
        return _analytics.describe(self.store, self._latest())

    def best_training_job(self) -> str | None:
        """Name of the best training job (None while no objective succeeded)."""
        best = self.describe().get("BestTrainingJob")
        return None if best is None else str(best["TrainingJobName"])

    def analytics(self) -> _analytics.AnalyticsFrame:
        """The training jobs as a DataFrame (SageMaker SDK columns); ``.export_csv(path)`` too."""
        return _analytics.analytics(self.store, self._latest())

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
    def attach(
        cls, tuning_job_name: str, db: str | os.PathLike[str] | None = None
    ) -> HyperparameterTuner:
        """A tuner for an existing tuning job in the store (to describe, analyse, resume)."""
        store = Store(db)
        job = store.get_tuning_job(tuning_job_name)
        tuner = cls._from_config(job["config"], db=db)
        tuner._store = store
        tuner.latest_tuning_job = tuning_job_name
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
        """Continue a tuning job whose driver died (see the module's resume rule)."""
        store = Store(db)
        job = store.get_tuning_job(tuning_job_name)
        if job["status"] not in ("InProgress", "Stopping"):
            raise ValueError(
                f"tuning job {tuning_job_name!r} has already ended ({job['status']}); "
                f"nothing to resume"
            )
        if (
            _pid_alive(job["driver_pid"], job["driver_host"])
            and job["driver_pid"] != os.getpid()
            and time.time() - (job["heartbeat"] or 0) < 10 * _HEARTBEAT
        ):
            raise RuntimeError(
                f"tuning job {tuning_job_name!r} is still running (driver pid "
                f"{job['driver_pid']}); stop it first"
            )
        tuner = cls._from_config(job["config"], db=db)
        tuner._store = store
        tuner.latest_tuning_job = tuning_job_name
        am = job["config"]["amtune"]
        if train is None:
            if am.get("command"):
                train = list(am["command"])
            elif am.get("callable"):
                try:
                    train = import_callable(am["callable"])
                except (ImportError, AttributeError) as exc:
                    raise ValueError(
                        f"resume: cannot import the training function "
                        f"{am['callable']!r} ({exc}); pass train="
                    ) from None
            else:
                raise ValueError(
                    "resume: the training function of this job cannot be imported by "
                    "name; pass train="
                )
        runner = tuner._make_runner(train)
        tuner._start(tuning_job_name, runner, resumed=True, wait=wait, quiet=quiet)
        return tuner

    # ------------------------------------------------------------------ config
    def _default_name(self) -> str:
        stamp = time.strftime("%y%m%d-%H%M%S", time.gmtime())
        base = self.base_tuning_job_name[: 32 - len(stamp) - 5]
        return f"{base}-{stamp}-{os.urandom(2).hex()}"

    def _make_runner(self, train: Any) -> Runner:
        if callable(train):
            if self.runner == "thread":
                return ThreadRunner(train)
            return ProcessRunner(train)
        if isinstance(train, str) or (isinstance(train, Sequence) and not isinstance(train, bytes)):
            names = {d["Name"] for d in self.metric_definitions}
            if self.objective_metric_name not in names:
                raise ValueError(
                    f"metric_definitions: the objective metric {self.objective_metric_name!r} "
                    "needs a metric definition (a regex over the command's output) when "
                    "training is a command; defined: "
                    + (", ".join(sorted(names)) if names else "none")
                )
            return CommandRunner(
                train,
                self.metric_definitions,
                self.working_dir,
                self.env,
                objective_metric_name=self.objective_metric_name,
                instance_type=self._instance_type,
            )
        raise TypeError(
            f"train: must be a callable train(hyperparameters, reporter) or a command "
            f"(a string or a list of strings), got {type(train).__name__}"
        )

    def _to_config(self, train: Any) -> dict[str, Any]:
        cmd = None
        if isinstance(train, str):
            import shlex

            cmd = shlex.split(train)
        elif not callable(train):
            cmd = list(train)
        limits: dict[str, Any] = {
            "MaxNumberOfTrainingJobs": self.max_jobs,
            "MaxParallelTrainingJobs": self.max_parallel_jobs,
        }
        if self.max_runtime_in_seconds is not None:
            limits["MaxRuntimeInSeconds"] = self.max_runtime_in_seconds
        htc: dict[str, Any] = {
            "Strategy": self.strategy,
            "HyperParameterTuningJobObjective": {
                "Type": self.objective_type,
                "MetricName": self.objective_metric_name,
            },
            "ResourceLimits": limits,
            "ParameterRanges": self.space.to_sagemaker(),
            "TrainingJobEarlyStoppingType": self.early_stopping_type,
            "RandomSeed": self.random_seed,
        }
        if self.completion_criteria_config is not None:
            htc["TuningJobCompletionCriteria"] = self.completion_criteria_config.to_sagemaker()
        if self.strategy == "Hyperband":
            htc["StrategyConfig"] = HyperbandStrategyConfig(**self.strategy_config).to_sagemaker()
        elif self.strategy_config:
            htc["StrategyConfig"] = dict(self.strategy_config)
        algo: dict[str, Any] = {
            "TrainingInputMode": "File",
            "MetricDefinitions": self.metric_definitions,
        }
        if cmd is not None:
            algo["TrainingCommand"] = cmd
        tjd: dict[str, Any] = {
            "StaticHyperParameters": _analytics.hp_strings(self.space.static),
            "AlgorithmSpecification": algo,
        }
        if self.max_runtime_per_training_job is not None:
            tjd["StoppingCondition"] = {"MaxRuntimeInSeconds": self.max_runtime_per_training_job}
        if self.max_retry_attempts:
            tjd["RetryStrategy"] = {"MaximumRetryAttempts": self.max_retry_attempts}
        if self.channels:
            tjd["InputDataConfig"] = [
                {"ChannelName": k, "DataSource": {"FileDataSource": {"Path": v}}}
                for k, v in self.channels.items()
            ]
        return {
            "HyperParameterTuningJobConfig": htc,
            "TrainingJobDefinition": tjd,
            "WarmStartConfig": (
                self.warm_start_config.to_sagemaker()
                if self.warm_start_config is not None
                else None
            ),
            "amtune": {
                "ranges": space_to_json(self.space),
                "static": dict(self.space.static),
                "strategy_config": dict(self.strategy_config),
                "runner": self.runner,
                "command": cmd,
                "callable": callable_ref(train) if callable(train) else None,
                "working_dir": self.working_dir,
                "output_path": self.output_path,
                "channels": self.channels,
                "env": self.env,
                "stop_grace_seconds": self.stop_grace_seconds,
                "max_retry_attempts": self.max_retry_attempts,
                "max_runtime_per_training_job": self.max_runtime_per_training_job,
                "random_seed": self.random_seed,
            },
        }

    @classmethod
    def _from_config(cls, cfg: Mapping[str, Any], db: Any = None) -> HyperparameterTuner:
        htc = cfg["HyperParameterTuningJobConfig"]
        am = cfg["amtune"]
        cc = htc.get("TuningJobCompletionCriteria")
        ws = cfg.get("WarmStartConfig")
        limits = htc["ResourceLimits"]
        space = space_from_json(am["ranges"], am["static"])
        return cls(
            objective_metric_name=htc["HyperParameterTuningJobObjective"]["MetricName"],
            hyperparameter_ranges=space,
            objective_type=htc["HyperParameterTuningJobObjective"]["Type"],
            metric_definitions=cfg["TrainingJobDefinition"]["AlgorithmSpecification"].get(
                "MetricDefinitions"
            ),
            strategy=htc["Strategy"],
            max_jobs=limits["MaxNumberOfTrainingJobs"],
            max_parallel_jobs=limits["MaxParallelTrainingJobs"],
            max_runtime_in_seconds=limits.get("MaxRuntimeInSeconds"),
            early_stopping_type=htc.get("TrainingJobEarlyStoppingType", "Off"),
            completion_criteria_config=(
                TuningJobCompletionCriteriaConfig.from_sagemaker(cc) if cc else None
            ),
            warm_start_config=WarmStartConfig.from_sagemaker(ws) if ws else None,
            random_seed=am["random_seed"],
            strategy_config=am.get("strategy_config"),
            max_retry_attempts=am.get("max_retry_attempts", 0),
            max_runtime_per_training_job=am.get("max_runtime_per_training_job"),
            runner=am.get("runner", "process"),
            channels=am.get("channels"),
            output_path=am.get("output_path"),
            working_dir=am.get("working_dir"),
            env=am.get("env"),
            stop_grace_seconds=am.get("stop_grace_seconds", DEFAULT_STOP_GRACE),
            db=db,
        )

    def _latest(self) -> str:
        if self.latest_tuning_job is None:
            raise RuntimeError(
                "no tuning job yet: call fit() first (or HyperparameterTuner.attach)"
            )
        return self.latest_tuning_job

    # ------------------------------------------------------------------ driver
    def _start(
        self, name: str, runner: Runner, resumed: bool, wait: bool, quiet: bool | None
    ) -> None:
        self._stop_event.clear()
        self._error = None
        show = not (self.quiet if quiet is None else quiet)
        if wait:
            _Driver(self, name, runner, resumed, show).run()
            return

        def target() -> None:
            try:
                _Driver(self, name, runner, resumed, False).run()
            except BaseException as exc:
                self._error = exc

        self._thread = threading.Thread(target=target, name=f"amtune-driver-{name}", daemon=True)
        self._thread.start()


def stop_tuning_job(store: Store, name: str) -> str:
    """Ask a tuning job to stop (if its driver is gone, mark it Stopped); return its status."""
    job = store.get_tuning_job(name)
    if job["status"] not in ("InProgress", "Stopping"):
        return str(job["status"])
    store.request_stop(name)
    alive = _pid_alive(job["driver_pid"], job["driver_host"]) and (
        time.time() - (job["heartbeat"] or 0) < 10 * _HEARTBEAT
    )
    if alive:
        return "Stopping"
    now = time.time()
    with store.transaction():
        for r in store.training_jobs(name):
            if r["status"] == "InProgress":
                store.update_training_job(
                    name,
                    r["seq"],
                    status="Stopped",
                    objective_status="Failed",
                    failure_reason="the driver had died; stopped",
                    end_time=now,
                )
        store.update_tuning_job(name, status="Stopped", end_time=now)
    return "Stopped"


def _kill_survivor(store: Store, name: str, seq: int) -> None:
    """Kill a training command left running by a driver that died (SIGKILL to its process group).

    Only a process whose environment names this training job's directory is killed (Linux
    ``/proc``), so a recycled pid is never hit. Worker processes of callables are not killed: they
    exit at their next report to the dead driver (broken pipe) or when their function returns.
    """
    rows = [r for r in store.training_jobs(name) if r["seq"] == seq]
    if not rows or not rows[0]["pid"] or not rows[0]["job_dir"]:
        return
    pid, job_dir = int(rows[0]["pid"]), rows[0]["job_dir"]
    if not store.get_tuning_job(name)["config"]["amtune"].get("command"):
        return
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return
    if f"AMTUNE_JOB_DIR={job_dir}".encode() not in env.split(b"\0"):
        return
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Driver:
    """The loop of one tuning job (one run of fit or resume)."""

    def __init__(
        self, tuner: HyperparameterTuner, name: str, runner: Runner, resumed: bool, show: bool
    ) -> None:
        self.t = tuner
        self.name = name
        self.runner = runner
        self.resumed = resumed
        self.store = tuner.store
        self.events: queue.Queue[Any] = queue.Queue()
        self.progress = Progress(show)
        self.hooks: list[TuningJobHook] = build_hooks(tuner)
        self.metric_buf: list[tuple[str, int, str, int | None, float, float]] = []
        self.stop_status: str | None = None  # "Stopped" (user) or "Completed" (limit/criteria)
        self.stop_reason: str | None = None
        self.n_started = 0
        root = Path(tuner.output_path) if tuner.output_path else self.store.jobs_root
        self.jobs_dir = root / name
        self.is_command = isinstance(runner, CommandRunner)

    # ---------------------------------------------------------------- setup
    def _load(self) -> TuningRun:
        job = self.store.get_tuning_job(self.name)
        resumes = int(job["resumes"]) + (1 if self.resumed else 0)
        seed = int(self.t.random_seed or 0)
        if resumes:
            seed = int(hashlib.sha256(f"{seed}:{resumes}".encode()).hexdigest()[:8], 16)
        opt = Optimizer(
            self.t.space, self.t.strategy, self.t.objective_type, seed, **self.t.strategy_config
        )
        run = TuningRun(self.t, self.name, self.store, opt)
        self.t._run = run
        self.consumed_before = float(job["consumed_runtime"] or 0.0)
        rows = self.store.training_jobs(self.name)
        series: dict[int, dict[str, list[tuple[int | None, float, float]]]] = {}
        if rows:
            for m in self.store.metrics(self.name):
                series.setdefault(m["seq"], {}).setdefault(m["name"], []).append(
                    (m["step"], m["time"], m["value"])
                )
        params: list[dict[str, Any]] = []
        values: list[float | None] = []
        self.rerun: list[TrainingJobState] = []
        for r in rows:
            js = TrainingJobState(
                r["seq"],
                r["name"],
                r["hyperparameters"],
                r["status"],
                r["objective_status"],
                r["failure_reason"],
                r["creation_time"],
                r["start_time"],
                r["end_time"],
                r["final_objective"],
                r["final_metrics"] or {},
                r["attempts"],
                r["restarts"],
                bool(r["retryable"]),
                Path(r["job_dir"]) if r["job_dir"] else None,
                series.get(r["seq"], {}),
            )
            run.jobs[js.seq] = js
            if js.status == "InProgress":
                self.rerun.append(js)
                continue
            obs = observation(js.status, js.objective_status, js.final_objective)
            if obs != "skip":
                params.append({**js.hyperparameters, **self.t.space.static})
                assert isinstance(obs, float)
                values.append(None if math.isnan(obs) else obs)
            run._update_best(js)
        if params:
            opt.add_many(params, values)
        self.n_started = len(rows)
        with self.store.transaction():
            self.store.update_tuning_job(
                self.name,
                status="InProgress" if job["status"] == "InProgress" else job["status"],
                resumes=resumes,
                driver_pid=os.getpid(),
                driver_host=socket.gethostname(),
                heartbeat=time.time(),
            )
        if job["stop_requested"]:
            self._request_stop("Stopped", "stop requested")
        return run

    # ---------------------------------------------------------------- main loop
    def run(self) -> None:
        self.start_clock = time.time()
        run = self._load()
        try:
            for h in self.hooks:
                h.on_start(run)
            self._loop(run)
        except BaseException as exc:
            self._abort(run, exc)
            raise
        finally:
            self.runner.close()

    def _elapsed(self) -> float:
        return self.consumed_before + (time.time() - self.start_clock)

    def _loop(self, run: TuningRun) -> None:
        t = self.t
        next_poll = 0.0
        exhausted = False
        with self.store.transaction():
            for js in self.rerun:
                if self.stop_status is None:
                    self._restart(run, js)
                else:  # a stop was requested while the driver was down: do not re-run
                    js.status, js.objective_status = "Stopped", "Failed"
                    js.failure_reason, js.end_time = "the driver was interrupted", time.time()
                    self.store.update_training_job(
                        self.name,
                        js.seq,
                        status=js.status,
                        objective_status=js.objective_status,
                        failure_reason=js.failure_reason,
                        end_time=js.end_time,
                    )
        while True:
            now = time.time()
            with self.store.transaction():
                if now >= next_poll:
                    next_poll = now + _POLL
                    if t._stop_event.is_set() or self.store.stop_requested(self.name):
                        self._request_stop("Stopped", "stop requested")
                    self.store.update_tuning_job(
                        self.name, heartbeat=now, consumed_runtime=self._elapsed()
                    )
                if (
                    t.max_runtime_in_seconds is not None
                    and self.stop_status is None
                    and self._elapsed() >= t.max_runtime_in_seconds
                ):
                    self._request_stop(
                        "Completed",
                        "the tuning job reached MaxRuntimeInSeconds "
                        f"({t.max_runtime_in_seconds:g} s)",
                    )
                for js in run.running:
                    if js.deadline is not None and now >= js.deadline and js.stop_reason is None:
                        self._stop_job(js, "timeout", "Failed")
                # admit new training jobs
                free = t.max_parallel_jobs - len(run.running)
                todo = t.max_jobs - self.n_started
                if self.stop_status is None and not exhausted and free > 0 and todo > 0:
                    if t.strategy == "Grid" or t.space.is_finite:  # one at a time: few may be left
                        trials = []
                        for _ in range(min(free, todo)):
                            try:
                                trials += run.optimizer.ask(1)
                            except ValueError:
                                exhausted = True  # every grid point is evaluated or running
                                break
                    else:
                        trials = run.optimizer.ask(min(free, todo))
                    for trial in trials:
                        self._launch(run, trial.id, trial.params)
                if self.metric_buf:
                    self.store.add_metrics(self.metric_buf)
                    self.metric_buf.clear()
            self._show(run)
            if not run.running:
                break
            timeout = max(0.0, min(next_poll - time.time(), _POLL))
            deadlines = [j.deadline for j in run.running if j.deadline and j.stop_reason is None]
            if deadlines:
                timeout = max(0.0, min(timeout, min(deadlines) - time.time()))
            try:
                ev = self.events.get(timeout=timeout)
            except queue.Empty:
                continue
            batch = [ev]
            while len(batch) < 10000:
                try:
                    batch.append(self.events.get_nowait())
                except queue.Empty:
                    break
            with self.store.transaction():
                for ev in batch:
                    self._handle(run, ev)
        self._finish(run)

    def _show(self, run: TuningRun) -> None:
        if not self.progress.enabled:
            return
        counts: dict[str, int] = {}
        for j in run.jobs.values():
            counts[j.status] = counts.get(j.status, 0) + 1
        best = None if run.best is None else run.best.final_objective
        self.progress.update(
            format_status(self.name, counts, best, self._elapsed(), self.t.max_jobs)
        )

    # ---------------------------------------------------------------- jobs
    def _job_name(self, seq: int, params: Mapping[str, Any]) -> str:
        h = hashlib.sha256(f"{self.name}:{seq}:{sorted(params.items())}".encode()).hexdigest()[:8]
        return f"{self.name}-{seq:03d}-{h}"

    def _launch(self, run: TuningRun, trial_id: int, params: Mapping[str, Any]) -> None:
        seq = self.n_started + 1
        self.n_started += 1
        tuned = {k: params[k] for k in self.t.space.names}
        name = self._job_name(seq, tuned)
        now = time.time()
        job_dir = None if isinstance(self.runner, ThreadRunner) else self.jobs_dir / name
        js = TrainingJobState(
            seq, name, tuned, creation_time=now, start_time=now, job_dir=job_dir, trial_id=trial_id
        )
        run.jobs[seq] = js
        self.store.insert_training_job(
            self.name, seq, name, tuned, now, None if job_dir is None else str(job_dir)
        )
        self._run_attempt(js)

    def _run_attempt(self, js: TrainingJobState) -> None:
        spec = JobSpec(
            self.name,
            js.seq,
            js.name,
            {**js.hyperparameters, **self.t.space.static},
            js.job_dir,
            dict(self.t.channels),
            js.attempts,
        )
        lim = self.t.max_runtime_per_training_job
        js.deadline = None if lim is None else time.time() + lim
        js.stop_reason = js.stop_status = None
        self.t._run._running[js.seq] = js  # type: ignore[union-attr]
        js.handle = self.runner.start(spec, self.events)
        if js.handle.pid is not None:
            self.store.update_training_job(self.name, js.seq, pid=js.handle.pid)

    def _restart(self, run: TuningRun, js: TrainingJobState) -> None:
        """Re-run a training job that was InProgress when the previous driver died."""
        _kill_survivor(self.store, self.name, js.seq)
        js.restarts += 1
        js.series = {}
        js.start_time = time.time()
        self.store.delete_metrics(self.name, js.seq)
        self.store.update_training_job(
            self.name, js.seq, restarts=js.restarts, start_time=js.start_time
        )
        if js.job_dir is not None and js.job_dir.exists():
            with open(js.job_dir / "train.log", "a") as f:
                f.write("[amtune] the driver was interrupted; re-running this training job\n")
        # pending in the strategy while it runs, so no proposal lands on it
        js.trial_id = run.optimizer.add_pending({**js.hyperparameters, **self.t.space.static}).id
        self._run_attempt(js)

    def _stop_job(self, js: TrainingJobState, reason: str, status: str) -> None:
        if js.stop_reason is not None or js.handle is None:
            return
        js.stop_reason = reason
        js.stop_status = status
        js.handle.stop(self.t.stop_grace_seconds)

    def _request_stop(self, status: str, reason: str) -> None:
        if self.stop_status is not None:
            return
        self.stop_status = status
        self.stop_reason = reason
        run = self.t._run
        if status == "Stopped":
            self.store.update_tuning_job(self.name, status="Stopping")
        if run is not None:
            for js in run.running:
                self._stop_job(js, reason, "Stopped")

    def _handle(self, run: TuningRun, ev: tuple[Any, ...]) -> None:
        kind, seq = ev[0], ev[1]
        js = run.jobs.get(seq)
        if js is None or js.status != "InProgress":
            return
        if kind == "metric":
            _, _, name, value, step, when = ev
            js.series.setdefault(name, []).append((step, when, value))
            self.metric_buf.append((self.name, seq, name, step, when, value))
            for h in self.hooks:
                why = h.on_metric(run, js, name, step, value)
                if why:
                    self._stop_job(
                        js, why, "Completed" if isinstance(why, CompleteJob) else "Stopped"
                    )
                    break
        elif kind == "done":
            self._finish_job(run, js, ev[2])

    def _finish_job(self, run: TuningRun, js: TrainingJobState, out: Outcome) -> None:
        now = time.time()
        if self.metric_buf:
            self.store.add_metrics(self.metric_buf)
            self.metric_buf.clear()
        # Retries: a process killed by a signal (that we did not stop) or that failed to start.
        if (
            not out.ok
            and out.retryable
            and js.stop_reason is None
            and js.attempts <= self.t.max_retry_attempts
            and self.stop_status is None
        ):
            self.store.add_attempt(
                self.name,
                js.seq,
                js.attempts,
                "Failed",
                out.failure_reason,
                True,
                js.start_time,
                now,
            )
            js.attempts += 1
            js.series = {}
            self.store.delete_metrics(self.name, js.seq)
            self.store.update_training_job(self.name, js.seq, attempts=js.attempts)
            self._run_attempt(js)
            return
        extra: list[tuple[str, float]] = []
        if out.final_value is not None:
            extra.append((self.t.objective_metric_name, out.final_value))
        extra += list(out.final_metrics.items())
        for name, value in extra:
            k = len(js.series.get(name, []))
            js.series.setdefault(name, []).append((k, now, value))
            self.metric_buf.append((self.name, js.seq, name, k, now, value))
        if self.metric_buf:
            self.store.add_metrics(self.metric_buf)
            self.metric_buf.clear()
        js.final_metrics = {k: v[-1][2] for k, v in js.series.items() if v}
        if js.stop_reason == "timeout":
            status = "Failed"
            reason: str | None = (
                f"the training job exceeded its MaxRuntimeInSeconds "
                f"({self.t.max_runtime_per_training_job:g} s) and was stopped"
            )
        elif (out.ok and not out.stopped and js.stop_reason is None) or (
            js.stop_status == "Completed" and js.stop_reason is not None
        ):  # it ended by itself, or a hook ended it with its budget used up (CompleteJob)
            status, reason = "Completed", None
        elif js.stop_reason is not None or out.stopped:
            status, reason = "Stopped", js.stop_reason
        else:
            status, reason = "Failed", out.failure_reason
        obj = js.final_metrics.get(self.t.objective_metric_name)
        if status in ("Completed", "Stopped") and obj is not None:
            obj_status = "Succeeded"
        else:
            obj_status = "Failed"
            if status == "Completed":
                reason = f"the objective metric {self.t.objective_metric_name!r} was never emitted"
        js.status, js.objective_status, js.failure_reason = status, obj_status, reason
        run._running.pop(js.seq, None)
        js.end_time = now
        js.final_objective = obj
        js.retryable = bool(out.retryable) and status == "Failed"
        js.handle = None
        self.store.add_attempt(
            self.name, js.seq, js.attempts, status, reason, js.retryable, js.start_time, now
        )
        self.store.update_training_job(
            self.name,
            js.seq,
            status=status,
            objective_status=obj_status,
            failure_reason=reason,
            end_time=now,
            final_objective=obj,
            final_metrics=js.final_metrics,
            retryable=int(js.retryable),
        )
        obs = observation(status, obj_status, obj)
        opt = run.optimizer
        if js.trial_id is not None:
            if obs == "skip":
                opt.forget(js.trial_id)
            else:
                opt.tell(js.trial_id, obs)  # type: ignore[arg-type]
        run._update_best(js)
        for h in self.hooks:
            why = h.after_job(run, js)
            if why:
                self._request_stop("Completed", why)
                run.completion_details.setdefault("Reason", why)
                break

    # ---------------------------------------------------------------- end
    def _finish(self, run: TuningRun) -> None:
        now = time.time()
        rows = run.jobs.values()
        if self.stop_status == "Stopped":
            status, reason = "Stopped", None
        elif any(j.objective_status == "Succeeded" for j in rows):
            status, reason = "Completed", None
        else:
            failed = [j for j in rows if j.status == "Failed"]
            first = failed[0].failure_reason if failed else None
            status = "Failed"
            reason = (
                f"No training job succeeded: {len(rows)} training job(s), {len(failed)} failed"
                + (f"; first failure: {first}" if first else "")
            )
            if self.stop_reason and self.stop_status == "Completed":
                reason += f"; ended because {self.stop_reason}"
        details = dict(run.completion_details)
        if self.stop_status == "Completed" and self.stop_reason and "Reason" not in details:
            details["Reason"] = self.stop_reason
        with self.store.transaction():
            self.store.update_tuning_job(
                self.name,
                status=status,
                failure_reason=reason,
                end_time=now,
                consumed_runtime=self._elapsed(),
                heartbeat=now,
                completion_details=details or None,
            )
        best = run.best
        self.progress.close(
            f"{self.name}: {status}; best {best.name} = {best.final_objective:.6g}"
            if best
            else f"{self.name}: {status}"
        )

    def _abort(self, run: TuningRun, exc: BaseException) -> None:
        """The loop itself failed (or was interrupted): stop the jobs, record why."""
        grace = min(self.t.stop_grace_seconds, 2.0)
        handles = [js.handle for js in run.running if js.handle is not None]
        for h in handles:
            h.stop(grace)
        # The driver is about to return: do not leave processes behind.
        deadline = time.time() + grace
        while any(h.alive() for h in handles) and time.time() < deadline:
            time.sleep(0.05)
        for h in handles:
            if h.alive():
                h.kill()
        interrupted = isinstance(exc, KeyboardInterrupt)
        # Keep what the jobs emitted before they stopped: metrics still queued, then buffered.
        while True:
            try:
                ev = self.events.get_nowait()
            except queue.Empty:
                break
            js = run._running.get(ev[1])
            if ev[0] == "metric" and js is not None:
                _, seq, mname, value, step, when = ev
                js.series.setdefault(mname, []).append((step, when, value))
                self.metric_buf.append((self.name, seq, mname, step, when, value))
        now = time.time()
        try:
            with self.store.transaction():
                if self.metric_buf:
                    self.store.add_metrics(self.metric_buf)
                    self.metric_buf.clear()
                for js in run.running:
                    # as a stopped job: its last emission of the objective is its final value
                    final = {k: v[-1][2] for k, v in js.series.items() if v}
                    obj = final.get(self.t.objective_metric_name)
                    self.store.update_training_job(
                        self.name,
                        js.seq,
                        status="Stopped",
                        objective_status="Failed" if obj is None else "Succeeded",
                        failure_reason="the tuning job was interrupted"
                        if interrupted
                        else "the tuning job failed (internal error)",
                        end_time=now,
                        final_objective=obj,
                        final_metrics=final,
                    )
                self.store.update_tuning_job(
                    self.name,
                    status="Stopped" if interrupted else "Failed",
                    failure_reason=None
                    if interrupted
                    else f"internal error: {type(exc).__name__}: {exc}",
                    end_time=now,
                    consumed_runtime=self._elapsed(),
                )
        finally:
            self.progress.close()

"""Extension points of the tuning-job loop and the SageMaker-named configuration classes.

The loop in :mod:`amtune.tuner` calls a list of :class:`TuningJobHook` objects:

* ``on_start(run)`` once, before the first proposal (and again on resume), after the history
  of the job is loaded; warm start adds its parents' observations here.
* ``on_metric(run, job, name, step, value)`` after every metric emission of a running training job;
  returning a reason string stops that job (status Stopped, series and last value kept, the job
  counts as an observation for the strategy); returning a :class:`CompleteJob` reason ends it as
  Completed instead (its budget is used up). Early stopping and Hyperband live here.
* ``after_job(run, job)`` after every finished training job (its final state is recorded); returning
  a reason string ends the tuning job (status Completed, running jobs stopped). Completion
  criteria live here; they may set ``run.completion_details`` (``TuningJobCompletionDetails``).

``run`` is the :class:`amtune.tuner.TuningRun` (its ``jobs`` hold every training job's state and
series, ``best`` the best finished job). Retries (``max_retry_attempts``) are handled by the loop
itself: a job whose process died by a signal or failed to start is run again with the same
hyperparameters.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuner import TrainingJobState, TuningRun

EARLY_STOPPING_TYPES = ("Off", "Auto")
WARM_START_TYPES = ("IdenticalDataAndAlgorithm", "TransferLearning")
MAX_WARM_START_PARENTS = 5
MAX_RETRY_ATTEMPTS = 30


class CompleteJob(str):
    """A reason returned by ``on_metric`` that ends the training job as ``Completed`` (not Stopped):
    it has used its whole budget (Hyperband's MaxResource)."""


class TuningJobHook:
    """Base class: override what you need; every method is optional."""

    def on_start(self, run: TuningRun) -> None:
        pass

    def on_metric(
        self, run: TuningRun, job: TrainingJobState, name: str, step: int | None, value: float
    ) -> str | None:
        return None

    def after_job(self, run: TuningRun, job: TrainingJobState) -> str | None:
        return None


@dataclass(frozen=True)
class BestObjectiveNotImproving:
    """SageMaker's ``BestObjectiveNotImproving``: complete the tuning job after this many training
    jobs in a row did not improve the best objective by at least 1% (see
    :mod:`amtune.completion`)."""

    max_number_of_training_jobs_not_improving: int


@dataclass(frozen=True)
class ConvergenceDetected:
    """SageMaker's ``ConvergenceDetected``: ``complete_on_convergence`` is ``"Enabled"`` or
    ``"Disabled"`` (see :mod:`amtune.completion` for the convergence rule)."""

    complete_on_convergence: str = "Enabled"


@dataclass
class TuningJobCompletionCriteriaConfig:
    """SageMaker's ``TuningJobCompletionCriteria`` (arguments as in the SageMaker Python SDK).

    ``max_number_of_training_jobs_not_improving`` (an integer >= 3; or
    ``best_objective_not_improving=BestObjectiveNotImproving(n)``), ``complete_on_convergence``
    (``True``/``False`` or ``"Enabled"``/``"Disabled"``; or
    ``convergence_detected=ConvergenceDetected("Enabled")``) and ``target_objective_metric_value``
    (complete once the best objective reaches it: >= when maximizing, <= when minimizing). The exact
    rules are in :mod:`amtune.completion`.
    """

    max_number_of_training_jobs_not_improving: int | None = None
    complete_on_convergence: bool | str | None = None
    target_objective_metric_value: float | None = None
    best_objective_not_improving: BestObjectiveNotImproving | None = field(
        default=None, kw_only=True
    )
    convergence_detected: ConvergenceDetected | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        b = self.best_objective_not_improving
        if b is not None:
            if not isinstance(b, BestObjectiveNotImproving):
                raise TypeError(
                    f"best_objective_not_improving: must be a BestObjectiveNotImproving, got {b!r}"
                )
            if self.max_number_of_training_jobs_not_improving not in (
                None,
                b.max_number_of_training_jobs_not_improving,
            ):
                raise ValueError(
                    "max_number_of_training_jobs_not_improving and "
                    "best_objective_not_improving disagree; give one of them"
                )
            self.max_number_of_training_jobs_not_improving = (
                b.max_number_of_training_jobs_not_improving
            )
            self.best_objective_not_improving = None
        c = self.convergence_detected
        if c is not None:
            if not isinstance(c, ConvergenceDetected):
                raise TypeError(f"convergence_detected: must be a ConvergenceDetected, got {c!r}")
            if self.complete_on_convergence is not None:
                raise ValueError(
                    "complete_on_convergence and convergence_detected: give one of them"
                )
            self.complete_on_convergence = c.complete_on_convergence
            self.convergence_detected = None
        if self.complete_on_convergence in ("Enabled", "Disabled"):
            self.complete_on_convergence = self.complete_on_convergence == "Enabled"

    def validate(self, path: str = "completion_criteria_config") -> None:
        t = self.target_objective_metric_value
        if t is not None and (
            isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t)
        ):
            raise TypeError(
                f"{path}.target_objective_metric_value: must be a finite number, got {t!r}"
            )
        n = self.max_number_of_training_jobs_not_improving
        if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 3):
            raise ValueError(
                f"{path}.max_number_of_training_jobs_not_improving: must be an integer >= 3, "
                f"got {n!r}"
            )
        c = self.complete_on_convergence
        if c is not None and not isinstance(c, bool):
            raise TypeError(
                f"{path}.complete_on_convergence: must be True, False, 'Enabled' or "
                f"'Disabled', got {c!r}"
            )

    def to_sagemaker(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.target_objective_metric_value is not None:
            out["TargetObjectiveMetricValue"] = float(self.target_objective_metric_value)
        if self.max_number_of_training_jobs_not_improving is not None:
            out["BestObjectiveNotImproving"] = {
                "MaxNumberOfTrainingJobsNotImproving": int(
                    self.max_number_of_training_jobs_not_improving
                )
            }
        if self.complete_on_convergence is not None:
            out["ConvergenceDetected"] = {
                "CompleteOnConvergence": "Enabled" if self.complete_on_convergence else "Disabled"
            }
        return out

    @classmethod
    def from_sagemaker(
        cls, doc: Mapping[str, Any], path: str = "TuningJobCompletionCriteria"
    ) -> TuningJobCompletionCriteriaConfig:
        if not isinstance(doc, Mapping):
            raise TypeError(f"{path}: must be an object, got {doc!r}")
        extra = set(doc) - {
            "TargetObjectiveMetricValue",
            "BestObjectiveNotImproving",
            "ConvergenceDetected",
        }
        if extra:
            raise ValueError(f"{path}: unknown field(s) {sorted(extra)}")
        n = None
        if "BestObjectiveNotImproving" in doc:
            b = doc["BestObjectiveNotImproving"]
            if not isinstance(b, Mapping) or set(b) - {"MaxNumberOfTrainingJobsNotImproving"}:
                raise ValueError(
                    f"{path}.BestObjectiveNotImproving: only "
                    f"MaxNumberOfTrainingJobsNotImproving is allowed"
                )
            n = b.get("MaxNumberOfTrainingJobsNotImproving")
            if isinstance(n, bool) or not isinstance(n, int) or n < 3:
                raise ValueError(
                    f"{path}.BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving:"
                    f" must be an integer >= 3, got {n!r}"
                )
        c = None
        if "ConvergenceDetected" in doc:
            cd = doc["ConvergenceDetected"]
            if not isinstance(cd, Mapping) or set(cd) - {"CompleteOnConvergence"}:
                raise ValueError(
                    f"{path}.ConvergenceDetected: only CompleteOnConvergence is allowed"
                )
            v = cd.get("CompleteOnConvergence")
            if v not in ("Enabled", "Disabled"):
                raise ValueError(
                    f"{path}.ConvergenceDetected.CompleteOnConvergence: must be "
                    f"'Enabled' or 'Disabled', got {v!r}"
                )
            c = v == "Enabled"
        t = doc.get("TargetObjectiveMetricValue")
        if t is not None and (
            isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t)
        ):
            raise TypeError(
                f"{path}.TargetObjectiveMetricValue: must be a finite number, got {t!r}"
            )
        return cls(
            max_number_of_training_jobs_not_improving=n,
            complete_on_convergence=c,
            target_objective_metric_value=t,
        )


@dataclass
class WarmStartConfig:
    """SageMaker's ``WarmStartConfig``: up to 5 parent tuning jobs (names in the same store)."""

    warm_start_type: str = "IdenticalDataAndAlgorithm"
    parents: Sequence[str] = field(default_factory=list)

    def validate(self, path: str = "warm_start_config") -> None:
        if self.warm_start_type not in WARM_START_TYPES:
            raise ValueError(
                f"{path}.warm_start_type: must be one of {list(WARM_START_TYPES)}, "
                f"got {self.warm_start_type!r}"
            )
        parents = list(self.parents)
        if not 1 <= len(parents) <= MAX_WARM_START_PARENTS:
            raise ValueError(
                f"{path}.parents: 1 to {MAX_WARM_START_PARENTS} parent tuning jobs, "
                f"got {len(parents)}"
            )
        for i, p in enumerate(parents):
            if not isinstance(p, str) or not p:
                raise ValueError(f"{path}.parents[{i}]: must be a tuning job name, got {p!r}")

    def to_sagemaker(self) -> dict[str, Any]:
        return {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": p} for p in self.parents
            ],
            "WarmStartType": self.warm_start_type,
        }

    @classmethod
    def from_sagemaker(
        cls, doc: Mapping[str, Any], path: str = "WarmStartConfig"
    ) -> WarmStartConfig:
        if not isinstance(doc, Mapping):
            raise TypeError(f"{path}: must be an object, got {doc!r}")
        extra = set(doc) - {"ParentHyperParameterTuningJobs", "WarmStartType"}
        if extra:
            raise ValueError(f"{path}: unknown field(s) {sorted(extra)}")
        parents = []
        for i, p in enumerate(doc.get("ParentHyperParameterTuningJobs") or []):
            if not isinstance(p, Mapping) or set(p) != {"HyperParameterTuningJobName"}:
                raise ValueError(
                    f"{path}.ParentHyperParameterTuningJobs[{i}]: must be "
                    f"{{'HyperParameterTuningJobName': name}}"
                )
            parents.append(p["HyperParameterTuningJobName"])
        w = cls(doc.get("WarmStartType", "IdenticalDataAndAlgorithm"), parents)
        w.validate(path)
        return w


def build_hooks(tuner: Any) -> list[TuningJobHook]:
    """The hooks a tuner's settings ask for; unsupported settings raise ``ValueError``."""
    hooks: list[TuningJobHook] = []
    if tuner.warm_start_config is not None:  # first: the parents are loaded before anything
        from amtune.warm_start import make_warm_start_hook

        hooks.append(make_warm_start_hook(tuner))
    if tuner.strategy == "Hyperband":
        from amtune.hyperband import make_hyperband_hook

        hooks.append(make_hyperband_hook(tuner))
    if tuner.early_stopping_type == "Auto":
        from amtune.early_stopping import make_early_stopping_hook

        hooks.append(make_early_stopping_hook(tuner))
    cc = tuner.completion_criteria_config
    if cc is not None and cc.to_sagemaker():
        from amtune.completion import make_completion_hook

        hooks.append(make_completion_hook(tuner))
    return hooks

"""SageMaker's configuration classes, named and shaped as in the SageMaker Python SDK, with their
``CreateHyperParameterTuningJob`` forms (``to_sagemaker`` / ``from_sagemaker``).

>>> TuningJobCompletionCriteriaConfig(max_number_of_training_jobs_not_improving=5).to_sagemaker()
{'BestObjectiveNotImproving': {'MaxNumberOfTrainingJobsNotImproving': 5}}
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from amtune.errors import FieldError, FieldTypeError
from amtune.strategies.hyperband import resolve_resources

EARLY_STOPPING_TYPES = ("Off", "Auto")
WARM_START_TYPES = ("IdenticalDataAndAlgorithm", "TransferLearning")
MAX_WARM_START_PARENTS = 5
MAX_RETRY_ATTEMPTS = 30


@dataclass(frozen=True)
class BestObjectiveNotImproving:
    """SageMaker's ``BestObjectiveNotImproving``: complete the tuning job after this many training
    jobs in a row did not improve the best objective by at least 1% (see
    :mod:`amtune.rules.completion`)."""

    max_number_of_training_jobs_not_improving: int


@dataclass(frozen=True)
class ConvergenceDetected:
    """SageMaker's ``ConvergenceDetected``: ``complete_on_convergence`` is ``"Enabled"`` or
    ``"Disabled"`` (see :mod:`amtune.rules.completion` for the convergence rule)."""

    complete_on_convergence: str = "Enabled"


@dataclass
class TuningJobCompletionCriteriaConfig:
    """SageMaker's ``TuningJobCompletionCriteria`` (arguments as in the SageMaker Python SDK).

    ``max_number_of_training_jobs_not_improving`` (an integer >= 3; or
    ``best_objective_not_improving=BestObjectiveNotImproving(n)``), ``complete_on_convergence``
    (``True``/``False`` or ``"Enabled"``/``"Disabled"``; or
    ``convergence_detected=ConvergenceDetected("Enabled")``) and ``target_objective_metric_value``
    (complete once the best objective reaches it: >= when maximizing, <= when minimizing). The exact
    rules are in :mod:`amtune.rules.completion`.
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
            raise FieldTypeError(
                f"{path}.target_objective_metric_value", f"must be a finite number, got {t!r}"
            )
        n = self.max_number_of_training_jobs_not_improving
        if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 3):
            raise FieldError(
                f"{path}.max_number_of_training_jobs_not_improving",
                f"must be an integer >= 3, got {n!r}",
            )
        c = self.complete_on_convergence
        if c is not None and not isinstance(c, bool):
            raise FieldTypeError(
                f"{path}.complete_on_convergence",
                f"must be True, False, 'Enabled' or 'Disabled', got {c!r}",
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
            raise FieldTypeError(f"{path}", f"must be an object, got {doc!r}")
        extra = set(doc) - {
            "TargetObjectiveMetricValue",
            "BestObjectiveNotImproving",
            "ConvergenceDetected",
        }
        if extra:
            raise FieldError(f"{path}", f"unknown field(s) {sorted(extra)}")
        n = None
        if "BestObjectiveNotImproving" in doc:
            b = doc["BestObjectiveNotImproving"]
            if not isinstance(b, Mapping) or set(b) - {"MaxNumberOfTrainingJobsNotImproving"}:
                raise FieldError(
                    f"{path}.BestObjectiveNotImproving",
                    "only MaxNumberOfTrainingJobsNotImproving is allowed",
                )
            n = b.get("MaxNumberOfTrainingJobsNotImproving")
            if isinstance(n, bool) or not isinstance(n, int) or n < 3:
                raise FieldError(
                    f"{path}.BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving",
                    f"must be an integer >= 3, got {n!r}",
                )
        c = None
        if "ConvergenceDetected" in doc:
            cd = doc["ConvergenceDetected"]
            if not isinstance(cd, Mapping) or set(cd) - {"CompleteOnConvergence"}:
                raise FieldError(
                    f"{path}.ConvergenceDetected", "only CompleteOnConvergence is allowed"
                )
            v = cd.get("CompleteOnConvergence")
            if v not in ("Enabled", "Disabled"):
                raise FieldError(
                    f"{path}.ConvergenceDetected.CompleteOnConvergence",
                    f"must be 'Enabled' or 'Disabled', got {v!r}",
                )
            c = v == "Enabled"
        t = doc.get("TargetObjectiveMetricValue")
        if t is not None and (
            isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t)
        ):
            raise FieldTypeError(
                f"{path}.TargetObjectiveMetricValue", f"must be a finite number, got {t!r}"
            )
        return cls(
            max_number_of_training_jobs_not_improving=n,
            complete_on_convergence=c,
            target_objective_metric_value=t,
        )

    def to_input_req(self) -> dict[str, Any]:
        """The request's ``TuningJobCompletionCriteria`` (the SDK's name for :meth:`to_sagemaker`).

        >>> TuningJobCompletionCriteriaConfig(5, True, 0.42).to_input_req()
        {'TargetObjectiveMetricValue': 0.42,
         'BestObjectiveNotImproving': {'MaxNumberOfTrainingJobsNotImproving': 5},
         'ConvergenceDetected': {'CompleteOnConvergence': 'Enabled'}}
        """
        return self.to_sagemaker()

    @classmethod
    def from_job_desc(
        cls, completion_criteria_config: Mapping[str, Any]
    ) -> TuningJobCompletionCriteriaConfig:
        """From a description's ``TuningJobCompletionCriteria`` (the SDK's name for
        :meth:`from_sagemaker`)."""
        return cls.from_sagemaker(completion_criteria_config)


class WarmStartTypes(str, enum.Enum):
    """SageMaker's warm start types (the SDK's ``WarmStartTypes``); a member compares equal to its
    string.

    >>> kind = WarmStartTypes.TRANSFER_LEARNING
    >>> kind == "TransferLearning", f"{kind}"
    (True, 'TransferLearning')
    """

    IDENTICAL_DATA_AND_ALGORITHM = "IdenticalDataAndAlgorithm"
    TRANSFER_LEARNING = "TransferLearning"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @classmethod
    def parse(cls, value: Any) -> WarmStartTypes | None:
        """The member for a member, its string, or another enum with the same value (the SageMaker
        SDK's own ``WarmStartTypes``); None for anything else."""
        raw = value.value if isinstance(value, enum.Enum) else value
        if isinstance(raw, str):
            for member in cls:
                if member.value == raw:
                    return member
        return None


@dataclass
class WarmStartConfig:
    """SageMaker's ``WarmStartConfig``: up to 5 parent tuning jobs (names in the same store).

    ``warm_start_type`` is a :class:`WarmStartTypes` member (the SageMaker SDK's own enum works
    too) or its string; ``parents`` the tuning job names, given as a set or a list and kept as a
    ``set``, as the SDK keeps them (a name given twice is one parent). ``type`` is the member, as
    the SDK's ``WarmStartConfig.type``. The request lists the parents sorted by name.

    >>> ws = WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, parents=["parent-1", "parent-1"])
    >>> ws.type is WarmStartTypes.TRANSFER_LEARNING, ws.warm_start_type == "TransferLearning"
    (True, True)
    >>> ws.parents
    {'parent-1'}
    >>> ws.to_input_req()
    {'ParentHyperParameterTuningJobs': [{'HyperParameterTuningJobName': 'parent-1'}], \
'WarmStartType': 'TransferLearning'}
    """

    warm_start_type: str = "IdenticalDataAndAlgorithm"
    parents: Collection[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        member = WarmStartTypes.parse(self.warm_start_type)
        if member is not None:  # an unknown value is reported by validate()
            self.warm_start_type = member
        # a set, as the SDK's; a str (or anything that is not a collection of names) is kept
        # for validate() to report
        if isinstance(self.parents, Collection) and not isinstance(self.parents, (str, bytes)):
            try:
                self.parents = set(self.parents)
            except TypeError:  # an unhashable item: validate() names it
                pass

    @property
    def type(self) -> WarmStartTypes:
        """The warm start type as a :class:`WarmStartTypes` member (the SDK's attribute)."""
        return self._member("warm_start_config")

    def _member(self, path: str) -> WarmStartTypes:
        member = WarmStartTypes.parse(self.warm_start_type)
        if member is None:
            raise FieldError(
                f"{path}.warm_start_type",
                f"must be one of {list(WARM_START_TYPES)} (or a WarmStartTypes member), "
                f"got {self.warm_start_type!r}",
            )
        return member

    def validate(self, path: str = "warm_start_config") -> None:
        self._member(path)
        if isinstance(self.parents, (str, bytes)):
            raise FieldTypeError(
                f"{path}.parents",
                f"must be a set or list of tuning job names, got {self.parents!r}",
            )
        parents = self.parent_names()
        if not 1 <= len(parents) <= MAX_WARM_START_PARENTS:
            raise FieldError(
                f"{path}.parents",
                f"1 to {MAX_WARM_START_PARENTS} parent tuning jobs, got {len(parents)}",
            )
        for i, p in enumerate(parents):
            if not isinstance(p, str) or not p:
                raise FieldError(f"{path}.parents[{i}]", f"must be a tuning job name, got {p!r}")

    def parent_names(self) -> list[str]:
        """The parents in a stable order (a set's sorted by name)."""
        if isinstance(self.parents, (set, frozenset)):
            return sorted(self.parents, key=str)
        return list(self.parents)

    def to_sagemaker(self) -> dict[str, Any]:
        kind = WarmStartTypes.parse(self.warm_start_type)
        return {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": p} for p in self.parent_names()
            ],
            "WarmStartType": self.warm_start_type if kind is None else kind.value,
        }

    def to_input_req(self) -> dict[str, Any]:
        """The SageMaker SDK's name for :meth:`to_sagemaker`."""
        return self.to_sagemaker()

    @classmethod
    def from_job_desc(cls, warm_start_config: Mapping[str, Any] | None) -> WarmStartConfig | None:
        """From a description's ``WarmStartConfig`` (the SDK's name); None when it has none."""
        if not warm_start_config:
            return None
        return cls.from_sagemaker(warm_start_config)

    @classmethod
    def from_sagemaker(
        cls, doc: Mapping[str, Any], path: str = "WarmStartConfig"
    ) -> WarmStartConfig:
        if not isinstance(doc, Mapping):
            raise FieldTypeError(f"{path}", f"must be an object, got {doc!r}")
        extra = set(doc) - {"ParentHyperParameterTuningJobs", "WarmStartType"}
        if extra:
            raise FieldError(f"{path}", f"unknown field(s) {sorted(extra)}")
        parents = []
        for i, p in enumerate(doc.get("ParentHyperParameterTuningJobs") or []):
            if not isinstance(p, Mapping) or set(p) != {"HyperParameterTuningJobName"}:
                raise FieldError(
                    f"{path}.ParentHyperParameterTuningJobs[{i}]",
                    "must be {'HyperParameterTuningJobName': name}",
                )
            if p["HyperParameterTuningJobName"] in parents:
                raise FieldError(
                    f"{path}.ParentHyperParameterTuningJobs[{i}]",
                    f"a parent tuning job is named twice: {p['HyperParameterTuningJobName']!r}",
                )
            parents.append(p["HyperParameterTuningJobName"])
        kind = doc.get("WarmStartType", "IdenticalDataAndAlgorithm")
        if kind not in WARM_START_TYPES:
            raise FieldError(
                f"{path}.WarmStartType",
                f"must be one of {list(WARM_START_TYPES)}, got {kind!r}",
            )
        w = cls(kind, parents)
        w.validate(path)
        return w


@dataclass
class InstanceConfig:
    """The SDK's ``InstanceConfig`` (a training job definition's instance count, type and volume
    size in GB). Kept for the notebooks that build one; instances have no local meaning.

    >>> InstanceConfig(1, "ml.m5.xlarge").to_input_req()
    {'InstanceCount': 1, 'InstanceType': 'ml.m5.xlarge', 'VolumeSizeInGB': 30}
    """

    instance_count: int | None = None
    instance_type: str | None = None
    volume_size: int = 30

    def to_input_req(self) -> dict[str, Any]:
        return {
            "InstanceCount": self.instance_count,
            "InstanceType": self.instance_type,
            "VolumeSizeInGB": self.volume_size,
        }

    @classmethod
    def from_job_desc(cls, instance_config: Mapping[str, Any]) -> InstanceConfig:
        if not isinstance(instance_config, Mapping):
            raise FieldTypeError("InstanceConfig", f"must be an object, got {instance_config!r}")
        return cls(
            instance_count=instance_config.get("InstanceCount"),
            instance_type=instance_config.get("InstanceType"),
            volume_size=instance_config.get("VolumeSizeInGB", 30),
        )


@dataclass(frozen=True)
class HyperbandStrategyConfig:
    """SageMaker's ``HyperbandStrategyConfig`` (arguments as in the SageMaker Python SDK).

    ``min_resource`` (default 1) and ``max_resource`` (default: the static hyperparameter
    ``epochs``, ``numepochs``, ``n-epochs``, ``n_epochs`` or ``num_epochs``) are numbers of epochs
    (or iterations): integers with ``1 <= min_resource <= max_resource <= 20000``. Pass it as
    ``HyperparameterTuner(..., strategy="Hyperband",
    strategy_config=HyperbandStrategyConfig(27, 1))`` (the SDK's positional order: max, then
    min; a dict ``{"min_resource": 1, "max_resource": 27}`` works too). See
    :mod:`amtune.rules.hyperband`.

    >>> HyperbandStrategyConfig(min_resource=1, max_resource=9).to_sagemaker()
    {'HyperbandStrategyConfig': {'MinResource': 1, 'MaxResource': 9}}
    """

    max_resource: int | None = None
    min_resource: int | None = None

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(
        cls,
        value: Any,
        static: Mapping[str, Any] | None = None,
        path: str = "strategy_config",
    ) -> HyperbandStrategyConfig:
        """A resolved config (both fields set and valid) from what a user may pass.

        ``value``: None, a ``HyperbandStrategyConfig``, an SDK-style object with a
        ``hyperband_strategy_config`` attribute, a dict ``{min_resource, max_resource}`` or the
        SageMaker shape ``{"HyperbandStrategyConfig": {"MinResource", "MaxResource"}}``.
        """
        if value is None:
            return cls().resolve(static, path)
        if isinstance(value, HyperbandStrategyConfig):
            return value.resolve(static, path)
        inner = getattr(value, "hyperband_strategy_config", None)
        if inner is not None and not isinstance(value, Mapping):
            return cls.parse(inner, static, f"{path}.hyperband_strategy_config")
        if hasattr(value, "min_resource") and hasattr(value, "max_resource"):
            # the SageMaker SDK's own HyperbandStrategyConfig (a user may mix imports)
            return cls(min_resource=value.min_resource, max_resource=value.max_resource).resolve(
                static, path
            )
        if not isinstance(value, Mapping):
            raise FieldTypeError(
                f"{path}",
                f"must be a HyperbandStrategyConfig or a dict "
                f"{{min_resource, max_resource}}, got {value!r}",
            )
        if "HyperbandStrategyConfig" in value:
            return cls.from_sagemaker(value, static, path)
        extra = set(value) - {"min_resource", "max_resource"}
        if extra:
            raise FieldError(
                f"{path}",
                f"unknown field(s) {sorted(map(str, extra))} (allowed: min_resource, max_resource)",
            )
        return cls(
            min_resource=value.get("min_resource"), max_resource=value.get("max_resource")
        ).resolve(static, path)

    @classmethod
    def from_sagemaker(
        cls,
        doc: Any,
        static: Mapping[str, Any] | None = None,
        path: str = "StrategyConfig",
    ) -> HyperbandStrategyConfig:
        """From ``{"HyperbandStrategyConfig": {"MinResource": .., "MaxResource": ..}}``."""
        if not isinstance(doc, Mapping):
            raise FieldTypeError(f"{path}", f"must be an object, got {doc!r}")
        extra = set(doc) - {"HyperbandStrategyConfig"}
        if extra:
            raise FieldError(
                f"{path}",
                f"unknown field(s) {sorted(map(str, extra))} (allowed: HyperbandStrategyConfig)",
            )
        p = f"{path}.HyperbandStrategyConfig"
        hb = doc.get("HyperbandStrategyConfig") or {}
        if not isinstance(hb, Mapping):
            raise FieldTypeError(f"{p}", f"must be an object, got {hb!r}")
        extra = set(hb) - {"MinResource", "MaxResource"}
        if extra:
            raise FieldError(
                f"{p}",
                f"unknown field(s) {sorted(map(str, extra))} (allowed: MinResource, MaxResource)",
            )
        return cls(min_resource=hb.get("MinResource"), max_resource=hb.get("MaxResource")).resolve(
            static, p, ("MinResource", "MaxResource")
        )

    def resolve(
        self,
        static: Mapping[str, Any] | None = None,
        path: str = "strategy_config",
        names: tuple[str, str] = ("min_resource", "max_resource"),
    ) -> HyperbandStrategyConfig:
        """Fill the defaults (MaxResource from the static epochs) and validate; raises
        ``ValueError``/``TypeError`` naming ``path.<field>`` and the rule."""
        lo, hi = resolve_resources(self.min_resource, self.max_resource, static, path, names)
        return HyperbandStrategyConfig(min_resource=lo, max_resource=hi)

    # ------------------------------------------------------------------ output
    def to_options(self) -> dict[str, int]:
        """The ``strategy_config`` dict of a tuner (resolved configs only)."""
        return {
            "min_resource": int(self.min_resource or 1),
            "max_resource": int(self.max_resource or 0),
        }

    def to_sagemaker(self) -> dict[str, Any]:
        return {"HyperbandStrategyConfig": self.to_input_req()}

    def to_input_req(self) -> dict[str, Any]:
        """The request's ``HyperbandStrategyConfig`` object (the SDK's method).

        >>> HyperbandStrategyConfig(max_resource=10, min_resource=1).to_input_req()
        {'MinResource': 1, 'MaxResource': 10}
        """
        inner: dict[str, int] = {}
        if self.min_resource is not None:
            inner["MinResource"] = int(self.min_resource)
        if self.max_resource is not None:
            inner["MaxResource"] = int(self.max_resource)
        return inner

    @classmethod
    def from_job_desc(cls, hyperband_strategy_config: Mapping[str, Any]) -> HyperbandStrategyConfig:
        """From a description's ``HyperbandStrategyConfig`` object (the SDK's method).

        >>> HyperbandStrategyConfig.from_job_desc({"MaxResource": 10, "MinResource": 1})
        HyperbandStrategyConfig(max_resource=10, min_resource=1)
        """
        path = "HyperbandStrategyConfig"
        if not isinstance(hyperband_strategy_config, Mapping):
            raise FieldTypeError(path, f"must be an object, got {hyperband_strategy_config!r}")
        missing = [k for k in ("MinResource", "MaxResource") if k not in hyperband_strategy_config]
        if missing:
            raise FieldError(f"{path}.{missing[0]}", "is required")
        return cls(
            min_resource=hyperband_strategy_config["MinResource"],
            max_resource=hyperband_strategy_config["MaxResource"],
        )


@dataclass(frozen=True)
class StrategyConfig:
    """The SageMaker SDK's ``StrategyConfig``: holds the :class:`HyperbandStrategyConfig` of a
    ``strategy="Hyperband"`` tuner (``HyperparameterTuner(..., strategy_config=StrategyConfig(
    hyperband_strategy_config=HyperbandStrategyConfig(max_resource=30, min_resource=1)))``).

    >>> StrategyConfig(HyperbandStrategyConfig(min_resource=1, max_resource=9)).to_input_req()
    {'HyperbandStrategyConfig': {'MinResource': 1, 'MaxResource': 9}}
    """

    hyperband_strategy_config: HyperbandStrategyConfig

    def __post_init__(self) -> None:
        h = self.hyperband_strategy_config
        if not (hasattr(h, "min_resource") and hasattr(h, "max_resource")):
            raise FieldTypeError(
                "strategy_config.hyperband_strategy_config",
                f"must be a HyperbandStrategyConfig, got {h!r}",
            )

    def to_input_req(self) -> dict[str, Any]:
        """The request's ``StrategyConfig`` (the SDK's name)."""
        h = self.hyperband_strategy_config
        return HyperbandStrategyConfig(
            min_resource=h.min_resource, max_resource=h.max_resource
        ).to_sagemaker()

    @classmethod
    def from_job_desc(cls, strategy_config: Mapping[str, Any]) -> StrategyConfig:
        """From a description's ``StrategyConfig`` (``{"HyperbandStrategyConfig": {...}}``)."""
        doc = (
            strategy_config.get("HyperbandStrategyConfig")
            if isinstance(strategy_config, Mapping)
            else None
        )
        if not isinstance(doc, Mapping):
            raise FieldError(
                "StrategyConfig", f"needs a HyperbandStrategyConfig, got {strategy_config!r}"
            )
        return cls(
            HyperbandStrategyConfig(
                min_resource=doc.get("MinResource"), max_resource=doc.get("MaxResource")
            )
        )

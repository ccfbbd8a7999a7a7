"""Warm start: a tuning job that starts from the results of up to 5 earlier tuning jobs.

``WarmStartConfig(warm_start_type="IdenticalDataAndAlgorithm" | "TransferLearning",
parents=[names])`` (SageMaker's ``WarmStartConfig``; in a SageMaker request ``WarmStartConfig
{ParentHyperParameterTuningJobs: [{HyperParameterTuningJobName}], WarmStartType}``). The parents
are tuning jobs in the same store. Only a parent's own training jobs are used (not those of its own
parents).

Validation (when ``fit`` starts, before anything is written; each violation is a ``ValueError``
naming the parent and the rule):

* 1 to 5 distinct parents; each exists in the store and has finished (``Completed`` or
  ``Stopped``; not ``InProgress``, ``Stopping`` or ``Failed``);
* same objective metric name and same objective type (Maximize/Minimize);
* the same set of hyperparameter names, tuned and static together (a hyperparameter may move
  between tuned and static, as in SageMaker);
* a hyperparameter tuned in both keeps its type (Continuous, Integer, Categorical); ranges,
  scalings and categorical values may change;
* at most 10 changes in total counting hyperparameters that were tuned in the parent and are
  static in the child, plus static hyperparameters whose value changed (SageMaker's limit);
* the child's strategy is Bayesian or Random (SageMaker's warm start strategies).

Which parent training jobs are used: a training job Stopped before it emitted the objective is not
an observation (skipped). Each other one becomes an observation at its configuration seen in the
child's space: the child's tuned hyperparameters take the parent's tuned value, or the parent's
static value (converted to the child's type: a number for Continuous/Integer, a value of the list
for Categorical). A job whose configuration is outside the child's ranges (a value outside
``[min_value, max_value]``, a non-integer for an Integer range, a categorical value not in the
list) is dropped, never clipped: its value belongs to another configuration. With
IdenticalDataAndAlgorithm, a job is also dropped when a hyperparameter that is static in the child
had a different value in it (it measured another function); with TransferLearning that
hyperparameter is ignored (related evidence). The value is the parent's final objective (a Failed
objective is a failed observation).

**IdenticalDataAndAlgorithm**: the parents' observations are added to the strategy's history
(``Optimizer.add_many``) before the first proposal, as observations of the same function: the
Bayesian strategy's model uses them, its initial design is skipped when they are enough, and
finite spaces do not re-run a configuration a parent evaluated. ``describe()`` also reports
``OverallBestTrainingJob``: the best training job of the child and of its parents.

**TransferLearning** (Bayesian strategy): the parents are a related task, not the same function.
Their values (minimization sense; failed jobs get their parent's worst value) are standardized by
the pooled parents' mean and standard deviation, and the Bayesian strategy's GP fitted to them
(:class:`amtune.strategies.surrogate.Surrogate`; at most 512 points chosen by ``core.fit_subset``)
gives a prior mean ``m(x)``. This model takes the
place of the Bayesian strategy's space-filling initial design: the job's first ``n_initial``
proposals (the strategy's initial-design size, 10 by default) come from it.
The first minimizes ``m``; the next ones maximize log expected improvement of ``m(x) + r(x)``,
where ``r`` is a GP on the residual of the job's own values so far (same units, centred, not
rescaled, so a shift or rescaling between the tasks is absorbed), each at least ``0.05 sqrt(d)``
(in the encoded space) from the job's other configurations; pending and batch points enter as
Kriging-believer fantasies. Then the Bayesian strategy continues with its model of the job's own
observations, which include the transferred points. So when the tasks are alike the job evaluates
near-optimal configurations from its first training job and the model refines around them; when
they are not, the residual GP absorbs the difference and the cost is an initial design that is less
spread out than a cold start's (see ``benchmarks/bench_warm_start.py``). With the Random strategy,
the parents are validated and loaded but random search ignores evidence by definition.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from amtune.enums import ObjectiveStatus, TrainingJobStatus, TuningJobStatus
from amtune.errors import FieldError
from amtune.rules.base import TuningJobHook
from amtune.sagemaker.config import MAX_WARM_START_PARENTS, WarmStartConfig
from amtune.sagemaker.document import StoredConfig
from amtune.space.serialization import ranges_to_json
from amtune.store import Store, resolve_db_path
from amtune.strategies.transfer import TransferLearningSearch

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.settings import TuningJobSettings
    from amtune.tuning.state import TuningRun

__all__ = [
    "MAX_STATIC_CHANGES",
    "ParentData",
    "WarmStartConfig",
    "check_parents",
    "load_parents",
    "make_warm_start_hook",
]

MAX_STATIC_CHANGES = 10
WARM_START_STRATEGIES = ("Bayesian", "Random")
_FINISHED = (TuningJobStatus.COMPLETED, TuningJobStatus.STOPPED)


@dataclass
class ParentData:
    """A parent's usable training jobs in the child's space."""

    name: str
    params: list[dict[str, Any]] = field(default_factory=list)  # child's tuned + static
    values: list[float | None] = field(default_factory=list)  # the user's sense; None = failed
    dropped: int = 0


# ====================================================================== validation
def _parent_spec(cfg: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    stored = StoredConfig(cfg)
    return stored.ranges, stored.static


def _child_spec(tuner: TuningJobSettings) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    return ranges_to_json(tuner.space.ranges), dict(tuner.space.static)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or str(a) == str(b)
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return float(a) == float(b)
    try:
        return float(a) == float(b)  # "0.1" vs 0.1 (SageMaker static values are strings)
    except (TypeError, ValueError):
        return str(a) == str(b)


def check_parents(tuner: TuningJobSettings, store: Store | None = None) -> list[dict[str, Any]]:
    """Validate ``tuner.warm_start_config`` against the store; return the parents' store rows."""
    ws = tuner.warm_start_config
    path = "warm_start_config"
    if ws is None:
        raise FieldError(f"{path}", "no warm start configured")
    parents = list(ws.parents)
    if len(parents) > MAX_WARM_START_PARENTS:
        raise FieldError(
            f"{path}.parents",
            f"at most {MAX_WARM_START_PARENTS} parent tuning jobs, got {len(parents)}",
        )
    if len(set(parents)) != len(parents):
        raise FieldError(f"{path}.parents", f"a parent tuning job is named twice: {parents}")
    if tuner.strategy not in WARM_START_STRATEGIES:
        raise FieldError(
            f"{path}", f"warm start needs the Bayesian or Random strategy, got {tuner.strategy!r}"
        )
    if store is None:
        dbp = resolve_db_path(tuner.db)
        if not dbp.exists():
            raise FieldError(
                f"{path}.parents[0] ({parents[0]!r})",
                f"no tuning job of that name: there is no store at {dbp}",
            )
        store = tuner.store
    c_ranges, c_static = _child_spec(tuner)
    c_names = set(c_ranges) | set(c_static)
    rows = []
    for i, name in enumerate(parents):
        where = f"{path}.parents[{i}] ({name!r})"
        try:
            job = store.get_tuning_job(name)
        except KeyError:
            raise FieldError(f"{where}", f"no tuning job of that name in {store.path}") from None
        if job["status"] not in _FINISHED:
            raise FieldError(
                f"{where}",
                f"the parent tuning job is {job['status']}; a parent must "
                f"have finished (Completed or Stopped)",
            )
        stored = StoredConfig(job["config"])
        if stored.objective_metric_name != tuner.objective_metric_name:
            raise FieldError(
                f"{where}",
                f"its objective metric is {stored.objective_metric_name!r}, this tuning "
                f"job's is {tuner.objective_metric_name!r}; they must be the same",
            )
        if stored.objective_type != tuner.objective_type:
            raise FieldError(
                f"{where}",
                f"its objective type is {stored.objective_type}, this tuning job's is "
                f"{tuner.objective_type}; they must be the same",
            )
        p_ranges, p_static = _parent_spec(job["config"])
        p_names = set(p_ranges) | set(p_static)
        if p_names != c_names:
            missing, extra = sorted(p_names - c_names), sorted(c_names - p_names)
            raise FieldError(
                f"{where}",
                "the set of hyperparameter names (tuned and static) must be the same; "
                + (f"only in the parent: {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"only in this tuning job: {extra}" if extra else ""),
            )
        changes = 0
        for k, d in c_ranges.items():
            if k in p_ranges and p_ranges[k]["kind"] != d["kind"]:
                raise FieldError(
                    f"{where}",
                    f"hyperparameter {k!r} is {p_ranges[k]['kind']} in the "
                    f"parent and {d['kind']} here; a type cannot change",
                )
        for k, v in c_static.items():
            if k in p_ranges:
                changes += 1
            elif not _same(p_static[k], v):
                changes += 1
        if changes > MAX_STATIC_CHANGES:
            raise FieldError(
                f"{where}",
                f"{changes} changes from tuned to static hyperparameters and "
                f"of static values; at most {MAX_STATIC_CHANGES} are allowed",
            )
        rows.append(job)
    return rows


# ====================================================================== loading
def _convert(value: Any, rng: dict[str, Any]) -> tuple[bool, Any]:
    """(ok, value in the child's range) for a parent's value."""
    kind = rng["kind"]
    if kind == "Categorical":
        for v in rng["values"]:
            if (type(v) is type(value) and v == value) or (
                isinstance(value, str) and not isinstance(v, str) and str(v) == value
            ):
                return True, v
        return False, None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return False, None
    if not math.isfinite(x) or not rng["min"] <= x <= rng["max"]:
        return False, None
    if kind == "Integer":
        if x != int(x):
            return False, None
        return True, int(x)
    return True, x


def load_parents(tuner: TuningJobSettings, store: Store, identical: bool) -> list[ParentData]:
    """The parents' usable training jobs as configurations of the child (the module's rules)."""
    c_ranges, c_static = _child_spec(tuner)
    out = []
    for job in check_parents(tuner, store):
        p_ranges, p_static = _parent_spec(job["config"])
        pd_ = ParentData(job["name"])
        for r in store.training_jobs(job["name"]):
            if r["status"] == TrainingJobStatus.IN_PROGRESS:
                continue
            if (
                r["objective_status"] != ObjectiveStatus.SUCCEEDED
                and r["status"] == TrainingJobStatus.STOPPED
            ):
                continue  # not an observation
            hp = r["hyperparameters"]
            conf: dict[str, Any] = {}
            ok = True
            for k, rng in c_ranges.items():
                ok, v = _convert(hp[k] if k in p_ranges else p_static[k], rng)
                if not ok:
                    break
                conf[k] = v
            if ok and identical:
                ok = all(_same(hp[k], v) for k, v in c_static.items() if k in p_ranges)
            if not ok:
                pd_.dropped += 1
                continue
            conf.update(c_static)
            succeeded = r["objective_status"] == ObjectiveStatus.SUCCEEDED
            value = r["final_objective"] if succeeded else None
            pd_.params.append(conf)
            pd_.values.append(None if value is None else float(value))
        out.append(pd_)
    return out


# ====================================================================== hook and describe
class WarmStartHook(TuningJobHook):
    """Loads the parents when the tuning job's loop starts (and again on resume)."""

    def __init__(self, tuner: TuningJobSettings) -> None:
        self.tuner = tuner
        self.loaded: list[ParentData] = []

    def on_start(self, run: TuningRun) -> None:
        ws = self.tuner.warm_start_config
        assert ws is not None  # make_warm_start_hook is only called with one
        identical = ws.warm_start_type == "IdenticalDataAndAlgorithm"
        self.loaded = load_parents(self.tuner, run.store, identical)
        opt = run.optimizer
        if identical:
            params = [p for pd_ in self.loaded for p in pd_.params]
            values = [v for pd_ in self.loaded for v in pd_.values]
            if params:
                opt.add_many(params, values)
        elif opt.strategy.name == "Bayesian":
            sign = run.objective_type.sign
            data = []
            for pd_ in self.loaded:
                if pd_.params:
                    X = opt.space.encode(pd_.params)
                    y = np.array([math.nan if v is None else sign * v for v in pd_.values])
                    data.append((X, y))
            opt.strategy = TransferLearningSearch(opt.strategy, data)


def make_warm_start_hook(tuner: TuningJobSettings) -> WarmStartHook:
    """The warm start hook for ``tuner.warm_start_config`` (validated against the store at fit)."""
    if tuner.strategy not in WARM_START_STRATEGIES:
        raise FieldError(
            "warm_start_config",
            f"warm start needs the Bayesian or Random strategy, got {tuner.strategy!r}",
        )
    return WarmStartHook(tuner)

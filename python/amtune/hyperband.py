"""The ``Hyperband`` strategy of tuning jobs: asynchronous successive halving across brackets.

SageMaker's Hyperband (``Strategy="Hyperband"``, ``StrategyConfig.HyperbandStrategyConfig``
``{MinResource, MaxResource}``) uses the intermediate values of the objective metric, emitted by a
training job once per epoch, to stop under-performing training jobs early and leave the parallel
slots to promising ones. amtune implements it as ASHA (asynchronous successive halving, Li et al.
2020, "A System for Massively Parallel Hyperparameter Tuning") run in the brackets of Hyperband
(Li et al. 2018), with ``ETA = 3``. The exact rule:

* **Resource.** Each emission of the objective has a step (as for early stopping): the ``step``
  given to ``reporter.report(name, value, step)``, else the number of earlier emissions of the
  objective in the job (0, 1, 2, ...; always the case for commands, whose objective is matched once
  per epoch in their output). Its *resource* is ``step + 1``: the number of epochs done when the
  step counts epochs from 0 (``reporter.report("loss", v, step=epoch)`` for ``epoch`` in
  ``range(epochs)``), or the emission's 1-based position.
* **Brackets.** With ``r = MinResource`` and ``R = MaxResource``, ``s_max`` is the largest ``s``
  with ``r * 3**s <= R``. Bracket ``s`` (``0 <= s <= s_max``) has the *rungs*
  ``r * 3**k`` for ``k = s, s+1, ...`` below ``R``: bracket 0 is the most aggressive (its first
  rung is ``MinResource``), bracket ``s_max`` stops little or nothing. Training jobs are assigned
  to brackets in Hyperband's proportions: bracket ``s`` gets weight
  ``n_s = ceil((s_max + 1) / (s_max - s + 1) * 3**(s_max - s))`` (the number of configurations
  Hyperband starts in it), and the ``i``-th training job (``i = seq - 1``) goes to the bracket with
  the largest deficit ``(i + 1) * n_s / sum(n) - (jobs already in s)``, the lowest ``s`` on a tie
  (a smooth weighted round-robin: deterministic, interleaved, resumable).
* **Rungs.** The first emission of a training job whose resource is at least a rung of its
  bracket records its value at that rung (an emission that jumps several rungs is recorded at each,
  in order). The job continues only if its value is in the top ``1/3`` of the values recorded at
  that rung so far, its own included: with ``n`` values recorded of which ``b`` are strictly better
  (larger when maximizing, smaller when minimizing), it continues iff ``3 * b < n``; ties favour
  continuing, and the first job to reach a rung always continues. Otherwise it is stopped. Values
  recorded by every training job of the tuning job count (running, ended and stopped ones alike);
  each bracket has its own rungs. A NaN value stops the job and is not recorded.
* **MaxResource.** A training job that emits the objective at a resource ``>= R`` has used its
  budget: it is ended with status ``Completed`` (if it does not end by itself first).
* **Stopped jobs** (as with early stopping) have status ``Stopped`` and the reason in
  ``FailureReason``; they keep their metric series, their final objective is their last emission,
  their objective status is ``Succeeded`` and the strategy observes that value (a finished
  observation). They count in ``max_jobs``.
* **Proposals** are Random search (uniform on each range's scale, no repeats on finite spaces), as
  SageMaker's Hyperband samples configurations itself; ``Optimizer(space, "Hyperband", ...)`` alone
  is Random search (the rung rule needs a tuning job's per-epoch metrics).
* **Budget of a job.** A training job is not told its resource budget: amtune stops it at a rung
  or at ``MaxResource``. Set the static hyperparameter of its epochs to at least ``MaxResource``;
  when ``MaxResource`` is not given it is read from the static hyperparameter ``epochs``,
  ``numepochs``, ``n-epochs``, ``n_epochs`` or ``num_epochs`` (SageMaker's keys). ``MinResource``
  defaults to 1. Both are integers with ``1 <= MinResource <= MaxResource <= 20000``.
* ``early_stopping_type`` must be ``"Off"`` (Hyperband stops training jobs itself, as in SageMaker);
  warm start is not available with Hyperband (it needs Bayesian or Random).
  A training job that emits the objective only once (e.g. a callable that only returns its final
  value) is never stopped by Hyperband.

On resume the rung records are rebuilt from the ended training jobs' series (every rung each of
them crossed, up to the decision for the jobs the rule stopped); training jobs that are re-run
start from scratch.
"""

from __future__ import annotations

import bisect
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amtune.hooks import CompleteJob, TuningJobHook

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuner import TrainingJobState, TuningRun

ETA = 3
_DECIDED_AT = re.compile(r"^Hyperband: objective \S+ at resource (\d+) ")
MAX_RESOURCE_LIMIT = 20000
#: Static hyperparameters SageMaker reads MaxResource from when it is not given.
EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")

__all__ = [
    "EPOCH_KEYS",
    "ETA",
    "HyperbandHook",
    "HyperbandStrategyConfig",
    "SuccessiveHalving",
    "make_hyperband_hook",
]


def _as_int(v: Any) -> int | None:
    """An integer (or a string of one, as SageMaker's static hyperparameters are), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class HyperbandStrategyConfig:
    """SageMaker's ``HyperbandStrategyConfig`` (arguments as in the SageMaker Python SDK).

    ``min_resource`` (default 1) and ``max_resource`` (default: the static hyperparameter
    ``epochs``, ``numepochs``, ``n-epochs``, ``n_epochs`` or ``num_epochs``) are numbers of epochs
    (or iterations): integers with ``1 <= min_resource <= max_resource <= 20000``. Pass it as
    ``HyperparameterTuner(..., strategy="Hyperband",
    strategy_config=HyperbandStrategyConfig(1, 27))`` (a dict
    ``{"min_resource": 1, "max_resource": 27}`` works too). See :mod:`amtune.hyperband`.

    >>> HyperbandStrategyConfig(min_resource=1, max_resource=9).to_sagemaker()
    {'HyperbandStrategyConfig': {'MinResource': 1, 'MaxResource': 9}}
    """

    min_resource: int | None = None
    max_resource: int | None = None

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
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{path}: must be a HyperbandStrategyConfig or a dict "
                f"{{min_resource, max_resource}}, got {value!r}"
            )
        if "HyperbandStrategyConfig" in value:
            return cls.from_sagemaker(value, static, path)
        extra = set(value) - {"min_resource", "max_resource"}
        if extra:
            raise ValueError(
                f"{path}: unknown field(s) {sorted(map(str, extra))} "
                f"(allowed: min_resource, max_resource)"
            )
        return cls(value.get("min_resource"), value.get("max_resource")).resolve(static, path)

    @classmethod
    def from_sagemaker(
        cls,
        doc: Any,
        static: Mapping[str, Any] | None = None,
        path: str = "StrategyConfig",
    ) -> HyperbandStrategyConfig:
        """From ``{"HyperbandStrategyConfig": {"MinResource": .., "MaxResource": ..}}``."""
        if not isinstance(doc, Mapping):
            raise TypeError(f"{path}: must be an object, got {doc!r}")
        extra = set(doc) - {"HyperbandStrategyConfig"}
        if extra:
            raise ValueError(
                f"{path}: unknown field(s) {sorted(map(str, extra))} "
                f"(allowed: HyperbandStrategyConfig)"
            )
        p = f"{path}.HyperbandStrategyConfig"
        hb = doc.get("HyperbandStrategyConfig") or {}
        if not isinstance(hb, Mapping):
            raise TypeError(f"{p}: must be an object, got {hb!r}")
        extra = set(hb) - {"MinResource", "MaxResource"}
        if extra:
            raise ValueError(
                f"{p}: unknown field(s) {sorted(map(str, extra))} "
                f"(allowed: MinResource, MaxResource)"
            )
        return cls(hb.get("MinResource"), hb.get("MaxResource")).resolve(
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
        lo_name, hi_name = names
        lo = self.min_resource
        if lo is None:
            lo = 1
        elif isinstance(lo, bool) or not isinstance(lo, numbers.Integral):
            raise TypeError(f"{path}.{lo_name}: must be an integer >= 1, got {lo!r}")
        lo = int(lo)
        if lo < 1:
            raise ValueError(f"{path}.{lo_name}: must be an integer >= 1, got {lo!r}")
        hi = self.max_resource
        if hi is None:
            for k in EPOCH_KEYS:
                if static and k in static:
                    hi = _as_int(static[k])
                    if hi is None:
                        raise ValueError(
                            f"{path}.{hi_name}: not given, and the static hyperparameter "
                            f"{k!r} = {static[k]!r} is not an integer to infer it from"
                        )
                    break
            else:
                raise ValueError(
                    f"{path}.{hi_name}: required unless a static hyperparameter "
                    f"({', '.join(EPOCH_KEYS)}) gives the number of epochs"
                )
        elif isinstance(hi, bool) or not isinstance(hi, numbers.Integral):
            raise TypeError(f"{path}.{hi_name}: must be an integer, got {hi!r}")
        hi = int(hi)
        if not lo <= hi <= MAX_RESOURCE_LIMIT:
            raise ValueError(
                f"{path}.{hi_name}: must be an integer from {lo_name} ({lo}) to "
                f"{MAX_RESOURCE_LIMIT}, got {hi}"
            )
        return HyperbandStrategyConfig(lo, hi)

    # ------------------------------------------------------------------ output
    def to_options(self) -> dict[str, int]:
        """The ``strategy_config`` dict of a tuner (resolved configs only)."""
        return {
            "min_resource": int(self.min_resource or 1),
            "max_resource": int(self.max_resource or 0),
        }

    def to_sagemaker(self) -> dict[str, Any]:
        inner: dict[str, int] = {}
        if self.min_resource is not None:
            inner["MinResource"] = int(self.min_resource)
        if self.max_resource is not None:
            inner["MaxResource"] = int(self.max_resource)
        return {"HyperbandStrategyConfig": inner}


# ====================================================================== the rung rule
@dataclass(frozen=True)
class Decision:
    """What the rule says after an emission: ``action`` is ``"stop"`` or ``"complete"``."""

    action: str
    reason: str


class SuccessiveHalving:
    """The rung logic of asynchronous successive halving in Hyperband brackets (no processes).

    Jobs are identified by their ``seq`` (1, 2, ...), which fixes their bracket. ``report(seq,
    resource, value)`` returns None (continue) or a :class:`Decision`.

    >>> sh = SuccessiveHalving(1, 9, maximize=False)
    >>> sh.rungs(0), sh.rungs(1), sh.rungs(2)
    ((1, 3), (3,), ())
    >>> sh.report(1, 1, 0.5) is None  # the first value at a rung continues
    True
    >>> sh.bracket(2), sh.bracket(3)
    (1, 0)
    >>> sh.report(3, 1, 0.9).action  # worse than 0.5: 1 of 2 values better, 3 * 1 >= 2
    'stop'
    """

    def __init__(
        self, min_resource: int, max_resource: int, maximize: bool, eta: int = ETA
    ) -> None:
        if not 1 <= min_resource <= max_resource:
            raise ValueError(
                f"need 1 <= min_resource <= max_resource, got {min_resource}, {max_resource}"
            )
        if eta < 2:
            raise ValueError(f"eta: must be an integer >= 2, got {eta}")
        self.min_resource = int(min_resource)
        self.max_resource = int(max_resource)
        self.maximize = bool(maximize)
        self.eta = int(eta)
        s_max = 0
        while self.min_resource * self.eta ** (s_max + 1) <= self.max_resource:
            s_max += 1
        self.s_max = s_max
        self._rungs: list[tuple[int, ...]] = []
        for s in range(s_max + 1):
            rs, k = [], s
            while self.min_resource * self.eta**k < self.max_resource:
                rs.append(self.min_resource * self.eta**k)
                k += 1
            self._rungs.append(tuple(rs))
        self.weights = [
            math.ceil((s_max + 1) * self.eta ** (s_max - s) / (s_max - s + 1))
            for s in range(s_max + 1)
        ]
        self._assigned: list[int] = []  # bracket of job i (seq i + 1)
        self._counts = [0] * (s_max + 1)
        #: (bracket, rung index) -> sorted values recorded there
        self.records: dict[tuple[int, int], list[float]] = {}
        self._next: dict[int, int] = {}  # seq -> index of its next rung
        self._done: set[int] = set()  # seqs with a decision (stopped or completed)

    # -- brackets
    def rungs(self, bracket: int) -> tuple[int, ...]:
        """The rung resources of ``bracket`` (ascending, all below MaxResource)."""
        return self._rungs[bracket]

    def bracket(self, seq: int) -> int:
        """The bracket of training job ``seq`` (1-based), by smooth weighted round-robin."""
        if seq < 1:
            raise ValueError(f"seq: must be >= 1, got {seq}")
        total = sum(self.weights)
        while len(self._assigned) < seq:
            i = len(self._assigned)
            # deficits scaled by sum(n): exact integers, so ties are exact
            deficits = [
                (i + 1) * w - c * total for w, c in zip(self.weights, self._counts, strict=True)
            ]
            s = max(range(len(deficits)), key=lambda j: (deficits[j], -j))
            self._assigned.append(s)
            self._counts[s] += 1
        return self._assigned[seq - 1]

    # -- the rule
    def n_better(self, values: list[float], v: float) -> int:
        """How many of the sorted ``values`` are strictly better than ``v``."""
        if self.maximize:
            return len(values) - bisect.bisect_right(values, v)
        return bisect.bisect_left(values, v)

    def report(
        self, seq: int, resource: int, value: float, record_only: bool = False
    ) -> Decision | None:
        """Record an emission of job ``seq``; the decision (None: the job continues).

        ``record_only`` (rebuilding from ended jobs) records every rung crossed and decides
        nothing.
        """
        if seq in self._done:
            return None
        s = self.bracket(seq)
        rungs = self._rungs[s]
        k = self._next.get(seq, 0)
        nan = isinstance(value, float) and math.isnan(value)
        while k < len(rungs) and resource >= rungs[k]:
            if nan:
                if record_only:
                    k = len(rungs)
                    break
                self._done.add(seq)
                return Decision(
                    "stop",
                    f"Hyperband: objective NaN at resource {resource} (bracket {s}, "
                    f"rung {rungs[k]})",
                )
            vals = self.records.setdefault((s, k), [])
            bisect.insort(vals, float(value))
            k += 1
            self._next[seq] = k
            if record_only:
                continue
            n, b = len(vals), self.n_better(vals, float(value))
            if self.eta * b >= n:
                self._done.add(seq)
                return Decision(
                    "stop",
                    f"Hyperband: objective {value:g} at resource {resource} is not in the top "
                    f"1/{self.eta} of the {n} values at rung {rungs[k - 1]} of bracket {s} "
                    f"({b} better)",
                )
        self._next[seq] = k
        if resource >= self.max_resource and not record_only:
            self._done.add(seq)
            return Decision(
                "complete",
                f"Hyperband: reached MaxResource ({self.max_resource}) at resource {resource}",
            )
        return None


# ====================================================================== the tuning-job hook
class HyperbandHook(TuningJobHook):
    """Applies :class:`SuccessiveHalving` to the objective emissions of a tuning job."""

    def __init__(
        self,
        objective_metric_name: str,
        objective_type: str,
        min_resource: int,
        max_resource: int,
    ) -> None:
        self.metric = objective_metric_name
        self.rule = SuccessiveHalving(min_resource, max_resource, objective_type == "Maximize")

    @staticmethod
    def resources(series: list[tuple[int | None, float, float]]) -> list[tuple[int, float]]:
        """(resource, value) of each emission: its step + 1 (a None step is its index)."""
        return [((i if s is None else int(s)) + 1, v) for i, (s, _, v) in enumerate(series)]

    def on_start(self, run: TuningRun) -> None:
        for job in sorted(run.jobs.values(), key=lambda j: j.seq):
            if job.status == "InProgress":
                continue  # re-run from scratch
            # a job this rule stopped recorded nothing after the decision (its reason names the
            # resource); emissions that arrived after it are not recorded again
            m = _DECIDED_AT.match(job.failure_reason or "") if job.status == "Stopped" else None
            limit = int(m.group(1)) if m else None
            for r, v in self.resources(job.series.get(self.metric, [])):
                if limit is not None and r > limit:
                    break
                self.rule.report(job.seq, r, v, record_only=True)

    def on_metric(
        self, run: TuningRun, job: TrainingJobState, name: str, step: int | None, value: float
    ) -> str | None:
        if name != self.metric:
            return None
        if step is None:
            step = len(job.series.get(name, [])) - 1  # this emission's index
        resource = int(step) + 1
        d = self.rule.report(job.seq, resource, float(value))
        if d is None:
            return None
        return CompleteJob(d.reason) if d.action == "complete" else d.reason


def make_hyperband_hook(tuner: Any) -> HyperbandHook:
    """The Hyperband rule for a tuner with ``strategy="Hyperband"`` (resolved strategy_config)."""
    sc = tuner.strategy_config
    return HyperbandHook(
        tuner.objective_metric_name,
        tuner.objective_type,
        int(sc["min_resource"]),
        int(sc["max_resource"]),
    )

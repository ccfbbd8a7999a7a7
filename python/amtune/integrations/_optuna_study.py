"""An amtune tuning job as an in-memory Optuna study (for ``optuna.visualization`` and
optuna-dashboard)."""

from __future__ import annotations

import math
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from amtune.space import CategoricalParameter, IntegerParameter, Parameter

if TYPE_CHECKING:
    from amtune.tuning.tuner import HyperparameterTuner

#: Training-job status (SageMaker's TrainingJobStatus) -> Optuna trial state. A Stopped job is an
#: early-stopped one (or stopped with the tuning job): PRUNED, its curve in intermediate values.
_STATES = {
    "Completed": TrialState.COMPLETE,
    "InProgress": TrialState.RUNNING,
    "Stopped": TrialState.PRUNED,
    "Failed": TrialState.FAIL,
}


def to_study(
    tuning_job: HyperparameterTuner | str, db: str | os.PathLike[str] | None = None
) -> optuna.Study:
    """An in-memory Optuna study holding a tuning job's training jobs.

    ``tuning_job`` is a ``HyperparameterTuner`` (its latest tuning job) or a tuning job's name in
    the store ``db``. Each training job becomes a trial: its tuned hyperparameters as params with
    the matching distributions (``FloatDistribution``/``IntDistribution`` with ``log=True`` for
    logarithmic ranges, ``CategoricalDistribution``), its final objective as the value, the
    objective metric's emissions as intermediate values (step = the emission's step, else its
    position), its status as the state (Completed: COMPLETE, Failed: FAIL, Stopped: PRUNED,
    InProgress: RUNNING), start and end times, and ``TrainingJobName``, ``TrainingJobStatus``,
    ``ObjectiveStatus``, ``FinalObjectiveValue`` and ``FailureReason`` as user attributes. A
    completed job whose objective failed is FAIL. ``ReverseLogarithmic`` ranges have no Optuna
    counterpart and appear as linear ``FloatDistribution``.

    >>> import amtune, optuna
    >>> from amtune.integrations.optuna import to_study
    >>> def train(hp, reporter):
    ...     for epoch in range(3):
    ...         reporter.report("loss", (hp["x"] - 1) ** 2 + 1 / (epoch + 1), step=epoch)
    >>> import os, tempfile
    >>> db = os.path.join(tempfile.mkdtemp(), "amtune.db")
    >>> tuner = amtune.HyperparameterTuner(
    ...     "loss", {"x": amtune.ContinuousParameter(-3.0, 3.0)}, objective_type="Minimize",
    ...     strategy="Random", max_jobs=4, random_seed=0, runner="thread", db=db, quiet=True)
    >>> tuner.fit(train)
    >>> study = to_study(tuner)
    >>> len(study.trials), study.trials[0].intermediate_values[2] == study.trials[0].value
    (4, True)
    """
    from amtune.tuning.tuner import HyperparameterTuner

    if isinstance(tuning_job, str):
        tuner = HyperparameterTuner.attach(tuning_job, db=db)
    elif isinstance(tuning_job, HyperparameterTuner):
        if db is not None:
            raise ValueError("db: give it only with a tuning job's name")
        tuner = tuning_job
    else:
        raise TypeError(
            "tuning_job must be a HyperparameterTuner or a tuning job name, got "
            f"{type(tuning_job).__name__}"
        )
    doc = tuner.describe()
    name = str(doc["HyperParameterTuningJobName"])
    objective = doc["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    metric = objective["MetricName"]
    dists = {n: _distribution(p) for n, p in tuner.space.ranges.items()}
    series: dict[int, dict[int, float]] = {}
    for m in tuner.metrics():
        if m["name"] != metric or not math.isfinite(m["value"]):
            continue
        curve = series.setdefault(int(m["seq"]), {})
        curve[int(m["step"]) if m["step"] is not None else len(curve)] = float(m["value"])
    study = optuna.create_study(
        study_name=name, direction="maximize" if objective["Type"] == "Maximize" else "minimize"
    )
    study.set_user_attr("HyperParameterTuningJobName", name)
    study.set_user_attr("ObjectiveMetricName", metric)
    study.set_user_attr("Strategy", doc["HyperParameterTuningJobConfig"].get("Strategy"))
    trials = [
        _trial(row, dists, series.get(int(row["seq"]), {}))
        for row in tuner.store.training_jobs(name)
    ]
    study.add_trials(trials)
    return study


def _distribution(p: Parameter) -> BaseDistribution:
    if isinstance(p, CategoricalParameter):
        return CategoricalDistribution(list(p.values))
    log = getattr(p, "scale", "Linear") == "Logarithmic"
    lo, hi = p.min_value, p.max_value  # type: ignore[attr-defined]
    if isinstance(p, IntegerParameter):
        return IntDistribution(int(lo), int(hi), log=log)
    return FloatDistribution(float(lo), float(hi), log=log)


def _time(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, tz=timezone.utc)


def _trial(
    row: dict[str, Any], dists: dict[str, BaseDistribution], curve: dict[int, float]
) -> FrozenTrial:
    state = _STATES[row["status"]]
    value = row["final_objective"]
    succeeded = row["objective_status"] == "Succeeded" and value is not None
    if state == TrialState.COMPLETE and not (succeeded and math.isfinite(value)):
        state = TrialState.FAIL
    hps = row["hyperparameters"]
    user_attrs = {
        "TrainingJobName": row["name"],
        "TrainingJobStatus": row["status"],
        "ObjectiveStatus": row["objective_status"],
        "FinalObjectiveValue": float(value) if succeeded else None,
        "FailureReason": row["failure_reason"],
    }
    trial = optuna.trial.create_trial(
        state=state,
        value=float(value) if state == TrialState.COMPLETE else None,
        params={n: hps[n] for n in dists},
        distributions=dists,
        user_attrs=user_attrs,
        intermediate_values=curve,
    )
    start = _time(row["start_time"])
    if start is not None:
        trial.datetime_start = start
        trial.datetime_complete = _time(row["end_time"]) if state.is_finished() else None
    return trial

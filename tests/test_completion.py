"""Completion criteria: target value, best objective not improving (1% rule), convergence."""

import math

import numpy as np
import pytest

import amtune
from amtune.config.loader import ConfigError, parse_config
from amtune.rules.completion import (
    BestObjectiveNotImproving,
    ConvergenceDetected,
    TuningJobCompletionCriteriaConfig,
    improves,
    min_observations_for_convergence,
    not_improving_count,
    regret_bound,
)
from amtune.tuning.tuner import HyperparameterTuner

X = {"x": amtune.ContinuousParameter(0.0, 1.0)}


def _tuner(tmp_path, cc, max_jobs, **kw):
    kw.setdefault("objective_type", "Minimize")
    return HyperparameterTuner(
        "loss",
        kw.pop("ranges", X),
        strategy="Random",
        max_jobs=max_jobs,
        random_seed=3,
        runner="thread",
        quiet=True,
        db=tmp_path / "a.db",
        completion_criteria_config=cc,
        **kw,
    )


def test_improvement_is_one_percent_of_the_reference_and_any_gain_over_zero():
    assert improves(0.99, 1.0, "Minimize") and not improves(0.9901, 1.0, "Minimize")
    assert improves(-1.01, -1.0, "Minimize") and not improves(-1.005, -1.0, "Minimize")
    assert improves(101.0, 100.0, "Maximize") and not improves(100.5, 100.0, "Maximize")
    assert improves(-1e-300, 0.0, "Minimize") and not improves(0.0, 0.0, "Minimize")
    assert improves(1e-300, 0.0, "Maximize") and not improves(-1.0, 0.0, "Maximize")


def _rows(values, statuses=None):
    statuses = statuses or ["Completed"] * len(values)
    out = []
    for i, (v, s) in enumerate(zip(values, statuses, strict=False)):
        ok = v is not None and s != "Failed"
        out.append(
            {
                "seq": i + 1,
                "end_time": float(i),
                "status": s,
                "final_objective": v,
                "objective_status": "Succeeded" if ok else "Failed",
            }
        )
    return out


def test_not_improving_count_rule():
    assert not_improving_count(_rows([5.0, 4.0, 3.99, 3.98, 3.97]), "Minimize") == 3
    # small gains add up against the reference (the last improving job): 4 -> 3.95 is 1.25%
    assert not_improving_count(_rows([5.0, 4.0, 3.99, 3.98, 3.95]), "Minimize") == 0
    # jobs before the first success do not count; failures after it do
    assert (
        not_improving_count(
            _rows(
                [None, None, 2.0, None, 3.0],
                ["Failed", "Failed", "Completed", "Failed", "Completed"],
            ),
            "Minimize",
        )
        == 2
    )
    # a job stopped before it emitted the objective is not an observation
    assert (
        not_improving_count(
            _rows([2.0, None, 2.0], ["Completed", "Stopped", "Stopped"]), "Minimize"
        )
        == 1
    )
    # end order, not start order
    rows = _rows([1.0, 2.0, 3.0], None)
    rows[0]["end_time"] = 10.0
    assert not_improving_count(rows, "Maximize") == 1  # ended 2, 3, 1: 3 improved, then 1 did not
    assert not_improving_count(_rows([0.0, 0.0, -1e-9]), "Minimize") == 0


def test_sdk_shapes_of_the_config():
    a = TuningJobCompletionCriteriaConfig(5, "Enabled", 0.1)
    b = TuningJobCompletionCriteriaConfig(
        target_objective_metric_value=0.1,
        best_objective_not_improving=BestObjectiveNotImproving(5),
        convergence_detected=ConvergenceDetected("Enabled"),
    )
    assert a == b
    doc = a.to_sagemaker()
    assert doc == {
        "TargetObjectiveMetricValue": 0.1,
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
        "ConvergenceDetected": {"CompleteOnConvergence": "Enabled"},
    }
    assert TuningJobCompletionCriteriaConfig.from_sagemaker(doc) == a
    with pytest.raises(ValueError, match="give one of them"):
        TuningJobCompletionCriteriaConfig(
            complete_on_convergence=True, convergence_detected=ConvergenceDetected()
        )
    with pytest.raises(ValueError, match=">= 3"):
        TuningJobCompletionCriteriaConfig(2).validate()
    with pytest.raises(TypeError, match="complete_on_convergence"):
        TuningJobCompletionCriteriaConfig(complete_on_convergence="yes").validate()


def test_not_improving_completes_the_tuning_job(tmp_path):
    values = iter([5.0, 4.0, 3.99, 3.98, 3.97, 1.0, 1.0, 1.0])

    def train(hp, reporter):
        return {"loss": next(values)}

    cc = TuningJobCompletionCriteriaConfig(max_number_of_training_jobs_not_improving=3)
    t = _tuner(tmp_path, cc, max_jobs=8)
    t.fit(train, job_name="flat")
    d = t.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert sum(d["TrainingJobStatusCounters"].values()) == 5
    assert d["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] == 3
    assert "did not improve the best objective by at least 1%" in d["TuningJobCompletionReason"]
    assert "ConvergenceDetectedTime" not in d["TuningJobCompletionDetails"]


def test_target_value_when_maximizing(tmp_path):
    values = iter([0.5, 0.7, 0.95, 0.99, 0.2])

    def train(hp, reporter):
        return {"loss": next(values)}

    cc = TuningJobCompletionCriteriaConfig(target_objective_metric_value=0.95)
    t = _tuner(tmp_path, cc, max_jobs=5, objective_type="Maximize")
    t.fit(train, job_name="target")
    d = t.describe()
    assert sum(d["TrainingJobStatusCounters"].values()) == 3
    assert "reached the target value 0.95" in d["TuningJobCompletionReason"]


def _noise(x):
    return 0.05 * math.sin(1e4 * x)  # deterministic pseudo-noise


def flat(hp, reporter):
    return {"loss": 2.0 + _noise(hp["x"])}


def steep(hp, reporter):
    return {"loss": abs(hp["x"] - 0.123) * 5.0 + (hp["c"] == "b")}


def test_regret_bound_is_small_when_nothing_is_left_and_large_when_much_is():
    space = amtune.SearchSpace(X)
    rng = np.random.default_rng(0)
    U = rng.random((40, 1))
    rb = regret_bound(space, U, 2.0 + 0.05 * rng.normal(size=40))
    assert rb.converged and rb.bound >= 0 and rb.threshold == pytest.approx(rb.noise_sd, rel=1e-9)
    sp2 = amtune.SearchSpace(
        {"x": amtune.ContinuousParameter(0.0, 1.0), "c": amtune.CategoricalParameter(["a", "b"])}
    )
    U = sp2.canonicalize(rng.random((25, 2)))
    y = np.abs(U[:, 0] - 0.123) * 5.0 + (U[:, 1] > 0.5)
    rb = regret_bound(sp2, U, y)
    assert not rb.converged and rb.bound > rb.threshold
    assert min_observations_for_convergence(1) == 20 and min_observations_for_convergence(10) == 40


def test_convergence_completes_a_job_with_nothing_left_to_gain(tmp_path):
    t = _tuner(tmp_path, TuningJobCompletionCriteriaConfig(complete_on_convergence=True), 60)
    t.fit(flat, job_name="conv")
    d = t.describe()
    n = sum(d["TrainingJobStatusCounters"].values())
    assert 20 <= n < 60
    assert (
        d["TuningJobCompletionDetails"]["ConvergenceDetectedTime"]
        <= d["HyperParameterTuningEndTime"]
    )
    assert "convergence detected" in d["TuningJobCompletionReason"]


def test_no_convergence_while_the_objective_has_structure_or_when_disabled(tmp_path):
    ranges = {
        "x": amtune.ContinuousParameter(0.0, 1.0),
        "c": amtune.CategoricalParameter(["a", "b"]),
    }
    t = _tuner(
        tmp_path, TuningJobCompletionCriteriaConfig(complete_on_convergence=True), 24, ranges=ranges
    )
    t.fit(steep, job_name="steep")
    d = t.describe()
    assert sum(d["TrainingJobStatusCounters"].values()) == 24
    assert "ConvergenceDetectedTime" not in d["TuningJobCompletionDetails"]
    t = _tuner(tmp_path, TuningJobCompletionCriteriaConfig(complete_on_convergence="Disabled"), 24)
    t.fit(flat, job_name="off")
    assert sum(t.describe()["TrainingJobStatusCounters"].values()) == 24


BASE = {
    "objective": {"metric": "loss", "type": "Minimize"},
    "command": "python t.py",
    "strategy": "Random",
    "metric_definitions": [{"Name": "loss", "Regex": "loss=(.*)"}],
    "hyperparameters": {"x": {"type": "Continuous", "min": 0, "max": 1}},
}


def test_completion_criteria_from_both_config_shapes(tmp_path, sagemaker_request):
    doc = {
        **BASE,
        "completion_criteria": {
            "target_objective_metric_value": 0.1,
            "max_number_of_training_jobs_not_improving": 4,
            "complete_on_convergence": "Enabled",
        },
    }
    c = parse_config(doc, tmp_path).tuner_kwargs["completion_criteria_config"]
    assert c == TuningJobCompletionCriteriaConfig(4, True, 0.1)
    with pytest.raises(
        ConfigError, match=r"completion_criteria\.max_number_of_training_jobs_not_improving"
    ):
        parse_config(
            {**BASE, "completion_criteria": {"max_number_of_training_jobs_not_improving": 1}},
            tmp_path,
        )
    sm = sagemaker_request(
        max_jobs=None,
        htc={
            "TuningJobCompletionCriteria": {
                "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3},
                "ConvergenceDetected": {"CompleteOnConvergence": "Disabled"},
            }
        },
    )
    c = parse_config(sm, tmp_path).tuner_kwargs["completion_criteria_config"]
    assert c.max_number_of_training_jobs_not_improving == 3 and c.complete_on_convergence is False
    sm["HyperParameterTuningJobConfig"]["TuningJobCompletionCriteria"]["ConvergenceDetected"] = {
        "CompleteOnConvergence": "On"
    }
    with pytest.raises(
        ConfigError,
        match=r"TuningJobCompletionCriteria\.ConvergenceDetected\."
        "CompleteOnConvergence: must be 'Enabled' or 'Disabled'",
    ):
        parse_config(sm, tmp_path)


def test_the_hook_returns_which_criterion_ended_the_tuning_job():
    from types import SimpleNamespace

    from amtune.enums import CompletionCriterion, ObjectiveType
    from amtune.rules.completion import CompletionHook

    def job(seq, v):
        return {
            "status": "Completed",
            "objective_status": "Succeeded",
            "final_objective": v,
            "end_time": float(seq),
            "seq": seq,
        }

    target = CompletionHook(TuningJobCompletionCriteriaConfig(target_objective_metric_value=0.5))
    run = SimpleNamespace(
        best=SimpleNamespace(final_objective=0.7), objective_type=ObjectiveType.MINIMIZE, jobs={}
    )
    assert target.after_job(run, None) is None
    run.best = SimpleNamespace(final_objective=0.4)
    d = target.after_job(run, None)
    assert d.criterion is CompletionCriterion.TARGET_OBJECTIVE_METRIC_VALUE
    assert d.reason == "the best objective 0.4 reached the target value 0.5"

    flat = CompletionHook(
        TuningJobCompletionCriteriaConfig(best_objective_not_improving=BestObjectiveNotImproving(3))
    )
    run.jobs = {s: job(s, 1.0) for s in range(1, 4)}
    assert flat.after_job(run, None) is None  # 2 jobs after the reference
    run.jobs[4] = job(4, 1.0)
    d = flat.after_job(run, None)
    assert d.criterion is CompletionCriterion.BEST_OBJECTIVE_NOT_IMPROVING
    assert d.reason.startswith("3 training jobs in a row did not improve")

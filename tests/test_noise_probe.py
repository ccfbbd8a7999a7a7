"""The noise probe (``noise_probe``): one replicate of the best trial at the end of the design."""

from __future__ import annotations

import numpy as np
import pytest

import amtune
from amtune.strategies.bayesian import BayesianSearch, default_n_initial


def space3() -> amtune.SearchSpace:
    return amtune.SearchSpace({f"x{i}": amtune.ContinuousParameter(0.0, 1.0) for i in range(3)})


def f3(p: dict) -> float:
    return float(np.sin(6 * p["x0"]) + p["x1"] ** 2 + 0.3 * p["x2"])


def key(p: dict) -> tuple:
    return tuple(sorted(p.items()))


def run(n, noise_sd=0.0, seed=0, batch=1, **options):
    """A sequential (or batched) search of f3 plus Gaussian noise; the trials in proposal order."""
    rng = np.random.default_rng(seed + 100)
    opt = amtune.Optimizer(space3(), strategy="Bayesian", random_seed=seed, **options)
    trials = []
    while len(trials) < n:
        asked = opt.ask(batch)
        for t in asked:
            opt.tell(t.id, f3(t.params) + noise_sd * rng.standard_normal())
        trials.extend(asked)
    return opt, trials


def replicates(trials) -> list[int]:
    """Indices of trials whose configuration an earlier trial already had."""
    seen, out = set(), []
    for i, t in enumerate(trials):
        k = key(t.params)
        if k in seen:
            out.append(i)
        seen.add(k)
    return out


def test_the_last_design_point_replicates_the_best_of_the_others():
    _, trials = run(30, noise_probe=True)
    assert replicates(trials) == [9]  # one replicate in 30, as the 10th trial
    best = min(trials[:9], key=lambda t: t.value)
    assert trials[9].params == best.params


def test_without_the_probe_no_configuration_repeats():
    _, trials = run(20, noise_probe=False)
    assert replicates(trials) == []


@pytest.mark.parametrize("deterministic", [True, False])
def test_a_stated_noise_model_needs_no_probe(deterministic):
    _, trials = run(20, noise_probe=True, deterministic=deterministic)
    assert replicates(trials) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_a_noisy_replicate_makes_the_model_learn_the_noise(seed):
    # 15 trials of the noisy function: the BIC choice alone usually keeps the noiseless model
    # this early (tests/test_noise_selection.py); the replicate's two values settle it
    opt, _ = run(15, noise_sd=0.3, seed=seed, noise_probe=True)
    assert opt.strategy.hyperparameters()["learns_noise"]


def test_without_the_probe_the_same_runs_often_stay_noiseless():
    # the comparison that makes the test above mean something: the same 5 runs without the probe
    learned = [
        run(15, noise_sd=0.3, seed=s, noise_probe=False)[0].strategy.hyperparameters()[
            "learns_noise"
        ]
        for s in range(5)
    ]
    assert not all(learned)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_exact_replicate_keeps_a_deterministic_objective_noiseless(seed):
    opt, trials = run(15, seed=seed, noise_probe=True)
    assert replicates(trials) == [9]
    assert trials[9].value == next(t.value for t in trials[:9] if t.params == trials[9].params)
    assert not opt.strategy.hyperparameters()["learns_noise"]


def test_a_batch_holds_the_replicate_once():
    _, trials = run(24, batch=8, noise_probe=True)
    # the second batch: design point 9, the replicate, 6 proposals of the model
    assert replicates(trials) == [9]
    best = min(trials[:8], key=lambda t: t.value)
    assert trials[9].params == best.params


def test_pending_design_points_wait_for_a_finished_trial():
    # ten parallel jobs asked before any finished: the whole design is space-filling, and the
    # replicate is the first proposal once a result is in
    opt = amtune.Optimizer(space3(), strategy="Bayesian", random_seed=0, noise_probe=True)
    first = [opt.ask()[0] for _ in range(10)]
    assert replicates(first) == []
    opt.tell(first[3].id, 0.5)
    nxt = opt.ask()[0]
    assert nxt.params == first[3].params
    later = opt.ask(3)
    assert replicates([*first, nxt, *later]) == [10]


def test_the_replicate_is_of_the_best_finished_trial_not_a_failed_one():
    opt = amtune.Optimizer(space3(), strategy="Bayesian", random_seed=0, noise_probe=True)
    asked = opt.ask(9)
    for i, t in enumerate(asked):
        opt.tell(t.id, None if i == 0 else f3(t.params))
    probe = opt.ask()[0]
    best = min(asked[1:], key=lambda t: t.value)
    assert probe.params == best.params


def test_a_history_with_a_replicate_needs_no_other():
    # a resumed or warm-started history that already holds a repeated configuration
    space = space3()
    rng = np.random.default_rng(0)
    X = rng.random((12, 3))
    X[5] = X[2]
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, noise_probe=True)
    params = [{f"x{i}": float(v) for i, v in enumerate(r)} for r in X]
    opt.add_many(params, [f3(p) for p in params])
    asked = [opt.ask()[0] for _ in range(5)]
    assert all(key(t.params) not in {key(p) for p in params} for t in asked)


def test_a_history_without_a_replicate_gets_one_next():
    space = space3()
    rng = np.random.default_rng(1)
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, noise_probe=True)
    params = [{f"x{i}": float(v) for i, v in enumerate(r)} for r in rng.random((20, 3))]
    values = [f3(p) for p in params]
    opt.add_many(params, values)
    assert opt.ask()[0].params == params[int(np.argmin(values))]


def test_a_small_finite_space_gets_no_probe():
    # a tuning job may evaluate every configuration of a small space: a replicate would take the
    # place of one of them
    space = amtune.SearchSpace(
        {"a": amtune.IntegerParameter(1, 6), "b": amtune.CategoricalParameter(["x", "y", "z"])}
    )
    opt = amtune.Optimizer(space, strategy="Bayesian", random_seed=0, noise_probe=True)
    seen = []
    for _ in range(18):
        t = opt.ask()[0]
        opt.tell(t.id, t.params["a"] + (t.params["b"] == "y"))
        seen.append(key(t.params))
    assert len(set(seen)) == 18


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_bad_noise_probe_is_refused(bad):
    with pytest.raises(TypeError, match="noise_probe"):
        BayesianSearch(noise_probe=bad)


def test_same_seed_same_proposals():
    a = [t.params for t in run(16, noise_sd=0.1, noise_probe=True)[1]]
    b = [t.params for t in run(16, noise_sd=0.1, noise_probe=True)[1]]
    assert a == b


def tuning_job(tmp_path, **config):
    def train(hp, reporter):
        return f3(hp)

    tuner = amtune.HyperparameterTuner(
        objective_metric_name="loss",
        objective_type="Minimize",
        hyperparameter_ranges={f"x{i}": amtune.ContinuousParameter(0.0, 1.0) for i in range(3)},
        strategy="Bayesian",
        strategy_config=config,
        max_jobs=13,
        max_parallel_jobs=1,
        random_seed=0,
        runner="thread",
        output_path=str(tmp_path / "jobs"),
    )
    tuner.fit(train, job_name="probe", quiet=True)
    df = tuner.analytics().dataframe().sort_values("TrainingJobName")
    return [tuple(r) for r in df[["x0", "x1", "x2"]].itertuples(index=False)], list(
        df["FinalObjectiveValue"]
    )


def test_a_tuning_job_runs_the_replicate(tmp_path, monkeypatch):
    # a tuning job drops a proposal that repeats an evaluated configuration (a warm start's
    # seeded design would), but not the probe's replicate
    monkeypatch.chdir(tmp_path)
    configs, values = tuning_job(tmp_path, noise_probe=True)
    assert len(configs) == 13
    last = default_n_initial(3, budget=13) - 1  # the job's 13 trials size its design (5)
    assert configs[last] == configs[int(np.argmin(values[:last]))]
    assert len(set(configs)) == 12


def test_without_the_probe_a_tuning_job_repeats_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configs, _ = tuning_job(tmp_path)
    assert len(set(configs)) == 13


def test_only_the_probe_is_claimed_as_a_replicate():
    opt, trials = run(12, noise_probe=True)
    space = opt.space
    other = space.encode([trials[3].params])[0]
    assert not opt.strategy.claim_replicate(other)
    assert opt.strategy.claim_replicate(space.encode([trials[9].params])[0])
    assert not opt.strategy.claim_replicate(space.encode([trials[9].params])[0])  # once

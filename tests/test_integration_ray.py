"""AmtuneSearch judged by the scenarios of Ray Tune's own searcher tests, re-created here (Ray
ships no searcher tests in its wheel), with a real ``ray.init(num_cpus=2)`` and ``Tuner.fit``.

Scenarios of ``python/ray/tune/tests/test_searchers.py`` and ``test_searcher_utils.py``: invalid
values (NaN, +-inf, errors) never win and constant config entries survive; add_evaluated_point /
add_evaluated_trials grow the history; save, restore into a fresh searcher and continue (live
trials kept); the concurrency limiter; nested configs; plus ``OptunaSearch`` with
``AmtuneSampler``. One Ray instance serves the whole module (Ray starts slowly).
"""

from __future__ import annotations

import math
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.tune")

from ray import tune  # noqa: E402
from ray.tune.search import ConcurrencyLimiter, Searcher  # noqa: E402

import amtune  # noqa: E402
from amtune.integrations.ray import AmtuneSearch  # noqa: E402

# Ray's own start-up and reporting emit deprecation notices unrelated to the searcher.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def ray_cluster() -> Any:
    # Ray's workers import this module (the trainables live here) and amtune
    here = Path(__file__).resolve().parent
    path = os.pathsep.join(
        [
            str(here),
            str(Path(amtune.__file__).resolve().parents[1]),
            os.environ.get("PYTHONPATH", ""),
        ]
    )
    ray.init(
        num_cpus=2,
        num_gpus=0,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
    )
    yield ray
    ray.shutdown()


def _fit(tmp_path: Path, trainable: Any, space: Any, searcher: Any, samples: int, **tc: Any) -> Any:
    tuner = tune.Tuner(
        trainable,
        param_space=space,
        tune_config=tune.TuneConfig(
            search_alg=searcher, num_samples=samples, reuse_actors=True, **tc
        ),
        run_config=tune.RunConfig(storage_path=str(tmp_path), name="exp", verbose=0),
    )
    return tuner.fit()


def _invalid_objective(config: dict[str, Any]) -> None:
    x = config["report"]
    if x > 4:
        tune.report({"_metric": float("inf")})
    elif x > 3:
        tune.report({"_metric": float("-inf")})
    elif x > 2:
        tune.report({"_metric": float("nan")})
    else:
        tune.report({"_metric": float(x) or 0.1})


def _dummy_objective(config: dict[str, Any]) -> None:
    tune.report({"metric": config["report"]})


# ---------------------------------------------------------------------------- with Ray
def test_invalid_values_never_win_and_constants_survive(ray_cluster: Any, tmp_path: Path) -> None:
    space = {"report": tune.uniform(0.0, 5.0), "list": [1, 2, 3], "num": 4}
    searcher = AmtuneSearch(random_state_seed=1)
    results = _fit(tmp_path, _invalid_objective, space, searcher, 10, metric="_metric", mode="max")
    assert len(results) == 10 and not results.errors
    reports = [r.config["report"] for r in results]
    assert any(x > 4 for x in reports) and any(2 < x <= 4 for x in reports)  # invalid ones ran
    best = results.get_best_result(metric="_metric", mode="max", filter_nan_and_inf=True)
    assert best.config["report"] <= 2.0
    assert best.config["list"] == [1, 2, 3] and best.config["num"] == 4
    # the searcher's own state, as Tune checkpointed it (so save() worked during the run)
    restored = AmtuneSearch()
    restored.restore_from_dir(str(Path(results.experiment_path)))
    assert restored.n_finished == 10
    assert restored.best_result is not None and math.isfinite(restored.best_result)
    assert restored.best_result <= 2.0
    assert restored.best_config is not None and restored.best_config["report"] <= 2.0


def test_add_evaluated_trials_grows_the_history(ray_cluster: Any, tmp_path: Path) -> None:
    space = {"report": tune.uniform(0.0, 5.0)}
    results = _fit(tmp_path, _dummy_objective, space, None, 4, metric="metric", mode="max")
    analysis = tune.ExperimentAnalysis(results.experiment_path)

    def fresh() -> AmtuneSearch:
        return AmtuneSearch(space, metric="metric", mode="max", random_state_seed=0)

    s = fresh()
    assert s.n_finished == 0
    s.add_evaluated_point({"report": 1.0}, 1.0)
    assert s.n_finished == 1 and s.best_result == 1.0
    s.add_evaluated_point({"report": 2.0}, 9.0, error=True)
    s.add_evaluated_point({"report": 3.0}, None, pruned=True, intermediate_values=[0.5, 1.5])  # type: ignore[arg-type]
    assert s.n_finished == 3 and s.best_result == 1.5
    assert s.suggest("1") is not None
    for source, n in ((analysis, 4), (analysis.trials, 4), (analysis.trials[0], 1)):
        s = fresh()
        s.add_evaluated_trials(source, "metric")
        assert s.n_finished == n
        assert s.suggest("1") is not None
    best = max(t.last_result["metric"] for t in analysis.trials)
    s = fresh()
    s.add_evaluated_trials(analysis, "metric")
    assert s.best_result == pytest.approx(best)


def test_pending_aware_under_concurrency(ray_cluster: Any, tmp_path: Path) -> None:
    """A finite space of 6 configurations, 6 trials, 2 at a time: no configuration twice."""
    space = {"a": tune.choice(["x", "y", "z"]), "b": tune.randint(0, 2)}
    searcher = AmtuneSearch(random_state_seed=0)
    results = _fit(
        tmp_path,
        lambda c: tune.report({"m": (c["a"] == "y") + c["b"]}),
        space,
        searcher,
        6,
        metric="m",
        mode="max",
        max_concurrent_trials=2,
    )
    configs = {(r.config["a"], r.config["b"]) for r in results}
    assert len(configs) == 6


def test_nested_configs(ray_cluster: Any, tmp_path: Path) -> None:
    space = {
        "opt": {"lr": tune.loguniform(1e-4, 1e-1), "momentum": tune.quniform(0.0, 0.9, 0.1)},
        "model": {"layers": tune.qrandint(2, 8, 2), "act": tune.choice(["relu", None, 3])},
        "epochs": 2,
    }

    def objective(c: dict[str, Any]) -> None:
        tune.report({"loss": math.log10(c["opt"]["lr"]) ** 2 + c["model"]["layers"]})

    searcher = AmtuneSearch(random_state_seed=2)
    results = _fit(tmp_path, objective, space, searcher, 6, metric="loss", mode="min")
    for r in results:
        c = r.config
        assert 1e-4 <= c["opt"]["lr"] <= 1e-1
        assert c["opt"]["momentum"] in [round(0.1 * k, 10) for k in range(10)]
        assert c["model"]["layers"] in (2, 4, 6, 8)
        assert c["model"]["act"] in ("relu", None, 3)
        assert c["epochs"] == 2


def test_optuna_search_with_amtune_sampler(ray_cluster: Any, tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    from ray.tune.search.optuna import OptunaSearch

    from amtune.integrations.optuna import AmtuneSampler

    space = {"x": tune.uniform(-2.0, 2.0), "k": tune.randint(0, 4)}
    searcher = OptunaSearch(sampler=AmtuneSampler(seed=0, n_startup_trials=3))
    results = _fit(
        tmp_path,
        lambda c: tune.report({"loss": (c["x"] - 0.5) ** 2 + c["k"]}),
        space,
        searcher,
        8,
        metric="loss",
        mode="min",
    )
    assert len(results) == 8 and not results.errors
    best = results.get_best_result()
    assert best.metrics["loss"] < 1.0


# ---------------------------------------------------------------------------- without Ray's runtime
def _callbacks(searcher: Searcher, trial_id: str, value: float = 1.0) -> None:
    result = {"training_iteration": 1, "metric": value, "config/a": 1.0, "time_total_s": 1}
    searcher.on_trial_result(trial_id, result)
    searcher.on_trial_complete(trial_id, result)


def test_save_restore_into_a_fresh_searcher(tmp_path: Path) -> None:
    path = str(tmp_path / "checkpoint.pkl")
    config = {"a": tune.uniform(0.0, 5.0)}
    searcher = AmtuneSearch(random_state_seed=3)
    assert searcher.set_search_properties(metric="metric", mode="max", config=config)
    first = [searcher.suggest(i) for i in ("1", "2", "not_completed")]
    _callbacks(searcher, "1", 2.0)
    searcher.save(path)

    restored = AmtuneSearch()  # no set_search_properties
    restored.restore(path)
    assert set(restored._live) == {"2", "not_completed"}
    assert restored.n_finished == 1 and restored.best_result == 2.0
    _callbacks(restored, "2", 3.0)
    third = restored.suggest("3")
    assert third is not None and third not in first
    _callbacks(restored, "3")
    assert "not_completed" in restored._live
    assert restored.n_finished == 3 and restored.best_result == 3.0
    # pickling (Tune checkpoints searchers with pickle) round-trips the same state
    twin = pickle.loads(pickle.dumps(restored))
    assert twin.get_state()["finished"] == restored.get_state()["finished"]
    assert set(twin._live) == {"not_completed"}


def test_concurrency_limiter_state() -> None:
    searcher = AmtuneSearch(
        {"a": tune.uniform(0, 1)}, metric="metric", mode="max", random_state_seed=0
    )
    limited = ConcurrencyLimiter(searcher, max_concurrent=2)
    assert searcher._max_concurrent == 2  # set_max_concurrency reached the searcher
    assert limited.suggest("1") is not None and limited.suggest("2") is not None
    assert limited.suggest("3") is None
    limited.on_trial_complete("1", {"metric": 1.0})
    assert limited.suggest("3") is not None
    assert limited.suggest("4") is None
    own = AmtuneSearch({"a": tune.uniform(0, 1)}, metric="m", mode="min", max_concurrent=1)
    assert own.suggest("1") is not None and own.suggest("2") is None


def test_live_trials_are_pending_points_and_finite_spaces_finish() -> None:
    s = AmtuneSearch(
        {"a": tune.choice(["x", "y"]), "b": tune.randint(0, 2)},
        metric="m",
        mode="min",
        random_state_seed=0,
    )
    configs = [s.suggest(str(i)) for i in range(4)]
    assert len({(c["a"], c["b"]) for c in configs if c}) == 4
    assert s.suggest("4") == Searcher.FINISHED


def test_errors_nan_and_infinities_are_failures() -> None:
    s = AmtuneSearch({"a": tune.uniform(0, 1)}, metric="m", mode="max", random_state_seed=0)
    for i, (result, error) in enumerate(
        [
            ({"m": float("inf")}, False),
            ({"m": float("nan")}, False),
            ({"m": 5.0}, True),
            ({}, False),
            (None, False),
            ({"m": 0.5}, False),
        ]
    ):
        s.suggest(str(i))
        s.on_trial_complete(str(i), result, error=error)
    assert s.n_finished == 6 and s.best_result == 0.5
    s.on_trial_complete("unknown", {"m": 1.0})  # trials it never suggested are ignored


def test_domains_map_exactly() -> None:
    space = {
        "u": tune.uniform(-1, 1),
        "lu": tune.loguniform(1e-3, 1),
        "qu": tune.quniform(0, 1, 0.25),
        "ri": tune.randint(0, 3),
        "lri": tune.lograndint(1, 100),
        "qri": tune.qrandint(0, 10, 5),
        "qri1": tune.qrandint(1, 4, 1),
        "c": tune.choice([None, (1, 2), "s"]),
        "one": tune.choice(["only"]),
    }
    s = AmtuneSearch(space, metric="m", mode="min", strategy="Random", random_state_seed=0)
    r = s._space
    assert r is not None
    ranges = r.space.ranges
    assert ranges["ri"] == amtune.IntegerParameter(0, 2, "Linear")  # upper exclusive
    assert ranges["lri"] == amtune.IntegerParameter(1, 99, "Logarithmic")
    assert ranges["qri"] == amtune.IntegerParameter(0, 2, "Linear")  # 0, 5, 10: inclusive
    assert ranges["qri1"] == amtune.IntegerParameter(1, 3, "Linear")  # q = 1: exclusive
    assert ranges["qu"] == amtune.IntegerParameter(0, 4, "Linear")
    assert ranges["lu"] == amtune.ContinuousParameter(1e-3, 1.0, "Logarithmic")
    assert "one" not in ranges
    seen: dict[str, set[Any]] = {k: set() for k in space}
    for i in range(200):
        c = s.suggest(str(i))
        assert c is not None
        for k, v in c.items():
            seen[k].add(v)
        s.on_trial_complete(str(i), {"m": 0.0})
    assert seen["ri"] == {0, 1, 2} and seen["qri"] == {0, 5, 10} and seen["qri1"] == {1, 2, 3}
    assert seen["qu"] == {0.0, 0.25, 0.5, 0.75, 1.0}
    assert seen["c"] == {None, (1, 2), "s"} and seen["one"] == {"only"}
    assert all(type(v) is int for v in seen["lri"]) and min(seen["lri"]) >= 1
    assert max(seen["lri"]) <= 99


@pytest.mark.parametrize(
    ("space", "match"),
    [
        ({"g": tune.grid_search([1, 2])}, "grid_search"),
        ({"f": tune.sample_from(lambda _: 1)}, "sample_from"),
        ({"n": tune.randn(0, 1)}, "'n'"),
        ({"e": tune.randint(3, 3)}, "empty"),
    ],
)
def test_unsupported_domains_are_rejected(space: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AmtuneSearch(space, metric="m", mode="min")


def test_sagemaker_ranges_as_the_space() -> None:
    ranges = {
        "lr": amtune.ContinuousParameter(1e-4, 1e-1, "Logarithmic"),
        "depth": amtune.IntegerParameter(1, 8),
    }
    a = AmtuneSearch(ranges, metric="m", mode="min", random_state_seed=0)
    doc = amtune.SearchSpace(ranges).to_sagemaker()
    b = AmtuneSearch(doc, metric="m", mode="min", random_state_seed=0)
    ca, cb = a.suggest("1"), b.suggest("1")
    assert ca is not None and cb is not None and ca.keys() == cb.keys() == {"lr", "depth"}
    assert ca == pytest.approx(cb)
    static = amtune.SearchSpace(ranges, static={"epochs": 3})
    c = AmtuneSearch(static, metric="m", mode="min").suggest("1")
    assert c is not None and c["epochs"] == 3


def test_seed_reproduces_and_points_to_evaluate_come_first() -> None:
    def run(seed: int) -> list[Any]:
        s = AmtuneSearch(
            {"a": tune.uniform(0, 1), "b": tune.choice(["p", "q"])},
            metric="m",
            mode="min",
            random_state_seed=seed,
            points_to_evaluate=[{"a": 0.5, "b": "q"}],
        )
        out = []
        for i in range(8):
            c = s.suggest(str(i))
            out.append(c)
            s.on_trial_complete(str(i), {"m": (c["a"] - 0.3) ** 2})
        return out

    first = run(0)
    assert first[0] == {"a": 0.5, "b": "q"}
    assert first == run(0) and first != run(1)
    warm = AmtuneSearch(
        {"a": tune.uniform(0, 1)},
        metric="m",
        mode="min",
        points_to_evaluate=[{"a": 0.1}, {"a": 0.9}],
        evaluated_rewards=[1.0, 2.0],
    )
    assert warm.n_finished == 2 and warm.best_result == 1.0


def test_undefined_space_or_metric_raise() -> None:
    with pytest.raises(RuntimeError, match="search space"):
        AmtuneSearch().suggest("1")
    with pytest.raises(RuntimeError, match="metric"):
        AmtuneSearch({"a": tune.uniform(0, 1)}).suggest("1")
    with pytest.raises(ValueError, match="mode"):
        AmtuneSearch(mode="maximize")


def test_docstring_example() -> None:
    import doctest

    import amtune.integrations.ray as module

    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    assert tests
    assert sum(runner.run(t, out=report.append).failed for t in tests) == 0, "".join(report)
    assert np.isfinite(1.0)

"""AmtuneSampler judged by Optuna's own sampler tests, plus the adapter's own contract.

The judges: the test cases Optuna ships in its wheel (``optuna.testing.pytest_samplers``) and the
reproducibility tests of Optuna's source distribution (``tests/samplers_tests/test_samplers.py``),
downloaded with pip into ``.cache/`` at test time (never copied into this repository).
"""

from __future__ import annotations

import importlib.util
import logging
import math
import pickle
import subprocess
import sys
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

from optuna.distributions import (  # noqa: E402
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler  # noqa: E402
from optuna.testing.pytest_samplers import (  # noqa: E402
    BasicSamplerTestCase,
    RelativeSamplerTestCase,
    SingleOnlySamplerTestCase,
)
from optuna.trial import TrialState  # noqa: E402

import amtune  # noqa: E402
from amtune.integrations.optuna import AmtuneSampler, _unknown_running_ahead, to_study  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "optuna-sdist"

optuna.logging.set_verbosity(optuna.logging.WARNING)

FACTORIES = [
    pytest.param(lambda: AmtuneSampler(n_startup_trials=0), id="startup0"),
    pytest.param(
        lambda: AmtuneSampler(n_startup_trials=0, deterministic_objective=True),
        id="deterministic",
    ),
    pytest.param(lambda: AmtuneSampler(n_startup_trials=2, seed=3), id="startup2"),
]


# ---------------------------------------------------------------------------- Optuna's wheel
class TestBasicSampler(BasicSamplerTestCase):
    @pytest.fixture(params=FACTORIES)
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return request.param  # type: ignore[no-any-return]


class TestRelativeSampler(RelativeSamplerTestCase):
    @pytest.fixture(params=FACTORIES[:2])
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return request.param  # type: ignore[no-any-return]


class TestSingleOnlySampler(SingleOnlySamplerTestCase):
    @pytest.fixture(params=FACTORIES[:1])
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return request.param  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- Optuna's sdist
@pytest.fixture(scope="module")
def optuna_sampler_tests() -> ModuleType:
    """``tests/samplers_tests/test_samplers.py`` of the installed Optuna's sdist (pip download)."""
    version = optuna.__version__
    target = CACHE / version / "test_samplers.py"
    if not target.exists():
        download = CACHE / version / "download"
        download.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--quiet",
                "-d",
                str(download),
                f"optuna=={version}",
            ],
            check=True,
            timeout=300,
        )
        (sdist,) = download.glob(f"optuna-{version}.tar.gz")
        member = f"optuna-{version}/tests/samplers_tests/test_samplers.py"
        with tarfile.open(sdist) as tar:
            f = tar.extractfile(member)
            assert f is not None
            target.write_bytes(f.read())
    spec = importlib.util.spec_from_file_location("optuna_sdist_test_samplers", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _param_values(func: Any, argname: str) -> list[Any]:
    """The values of ``@pytest.mark.parametrize(argname, ...)`` on an upstream test function."""
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "parametrize" and mark.args[0] == argname:
            return list(mark.args[1])
    raise LookupError(f"{func.__name__} has no parametrize mark for {argname!r}")


SEEDED = [
    pytest.param(lambda seed: AmtuneSampler(seed=seed), id="default"),
    pytest.param(lambda seed: AmtuneSampler(seed=seed, n_startup_trials=0), id="startup0"),
]


@pytest.mark.parametrize("factory", SEEDED)
def test_optuna_reproducible(optuna_sampler_tests: ModuleType, factory: Any) -> None:
    upstream = optuna_sampler_tests.test_reproducible
    objectives = _param_values(upstream, "objective_func")
    assert len(objectives) == 2  # a sum and a constant, as upstream parametrizes it
    for objective_func in objectives:
        upstream(factory, objective_func)


@pytest.mark.parametrize("factory", SEEDED)
def test_optuna_reseed_rng_change_sampling(optuna_sampler_tests: ModuleType, factory: Any) -> None:
    optuna_sampler_tests.test_reseed_rng_change_sampling(factory)


# ---------------------------------------------------------------------------- our contract
def _ask_relative(study: Any, space: dict[str, Any]) -> dict[str, Any]:
    trial = study.ask()
    rel = study.sampler.infer_relative_search_space(
        study, study._storage.get_trial(trial._trial_id)
    )
    assert rel.keys() == space.keys()
    return study.sampler.sample_relative(study, study._storage.get_trial(trial._trial_id), rel)


def _seed_study(sampler: AmtuneSampler, space: dict[str, Any], values: list[dict[str, Any]]) -> Any:
    study = optuna.create_study(sampler=sampler)
    for i, params in enumerate(values):
        study.add_trial(optuna.create_trial(params=params, distributions=space, value=float(i)))
    return study


def test_distributions_values_types_and_bounds() -> None:
    space = {
        "f": FloatDistribution(-1.0, 1.0),
        "flog": FloatDistribution(1e-6, 1.0, log=True),
        "fstep": FloatDistribution(-10.2, 10.2, step=0.1),
        "i": IntDistribution(-3, 7),
        "ilog": IntDistribution(1, 1000, log=True),
        "istep": IntDistribution(1, 10, step=3),
        "c": CategoricalDistribution([None, True, 1, 1.5, "a"]),
    }
    start = [
        {"f": 0.0, "flog": 1e-3, "fstep": 0.1, "i": 0, "ilog": 10, "istep": 4, "c": None},
        {"f": 0.5, "flog": 1e-1, "fstep": -5.0, "i": 7, "ilog": 999, "istep": 10, "c": "a"},
    ]
    study = _seed_study(AmtuneSampler(n_startup_trials=0, seed=1), space, start)
    seen_choices = set()
    for k in range(12):
        params = _ask_relative(study, space)
        if k % 3 == 2:  # some proposals are told, so the model is refitted between asks
            study.add_trial(
                optuna.create_trial(
                    params=params, distributions=space, value=-1.0 if params["c"] is None else 0.5
                )
            )
        assert params.keys() == space.keys()
        for name, dist in space.items():
            v = params[name]
            assert dist._contains(dist.to_internal_repr(v)), (name, v)
        assert type(params["f"]) is float and type(params["flog"]) is float
        assert type(params["fstep"]) is float and type(params["i"]) is int
        assert type(params["ilog"]) is int and type(params["istep"]) is int
        assert (params["istep"] - 1) % 3 == 0
        assert abs(round((params["fstep"] + 10.2) / 0.1) * 0.1 - (params["fstep"] + 10.2)) < 1e-9
        assert any(params["c"] is c for c in space["c"].choices)  # the original object
        seen_choices.add(repr(params["c"]))
    assert len(seen_choices) >= 2


def test_single_value_distributions_never_reach_the_model() -> None:
    sampler = AmtuneSampler(n_startup_trials=0, seed=0)
    study = optuna.create_study(sampler=sampler)
    space = {"one": FloatDistribution(2.0, 2.0), "cat": CategoricalDistribution(["only"])}
    trial = study.ask()
    frozen = study._storage.get_trial(trial._trial_id)
    assert sampler.sample_relative(study, frozen, space) == {"one": 2.0, "cat": "only"}
    assert sampler.sample_independent(study, frozen, "one", space["one"]) == 2.0


def test_running_trials_are_pending_points() -> None:
    """Workers that ask before anyone tells get distinct proposals (batch fantasies)."""
    space = {"k": IntDistribution(0, 5), "c": CategoricalDistribution(["a", "b"])}
    study = _seed_study(AmtuneSampler(n_startup_trials=0, seed=0), space, [{"k": 0, "c": "a"}])
    proposals = {tuple(_ask_relative(study, space).values()) for _ in range(11)}
    assert len(proposals) == 11  # 12 configurations, one evaluated: no repeats while pending
    # exhausted with pending ones: repeats are allowed rather than failing
    assert _ask_relative(study, space).keys() == space.keys()


def test_workers_choosing_at_once_take_different_points() -> None:
    """Two processes proposing at the same moment, before either has stored its trial's
    parameters: the later trial counts the earlier one (running, no parameters) as ahead of it
    and takes the batch's second point, where both would propose the same point from the same
    history."""
    storage = optuna.storages.InMemoryStorage()
    space = {"x": FloatDistribution(-1.0, 1.0)}

    def worker(seed: int) -> optuna.Study:
        sampler = AmtuneSampler(n_startup_trials=0, seed=seed)
        return optuna.create_study(
            study_name="s", storage=storage, sampler=sampler, load_if_exists=True
        )

    first, second = worker(1), worker(2)
    for x in (-0.9, -0.5, 0.6, 0.9):
        first.enqueue_trial({"x": x})
        first.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.3) ** 2, n_trials=1)
    a, b = first.ask(), second.ask()  # created; their samplers have not proposed yet
    fa, fb = storage.get_trial(a._trial_id), storage.get_trial(b._trial_id)
    xa = first.sampler.sample_relative(first, fa, space)["x"]
    xb = second.sampler.sample_relative(second, fb, space)["x"]  # `a` has no parameter yet
    assert abs(xa - xb) > 0.05
    # a trial left without parameters before the last result (a worker that died) is not ahead
    stale = first.ask()
    first.tell(a, (a.suggest_float("x", -1, 1) - 0.3) ** 2)
    late = storage.get_trial(second.ask()._trial_id)
    assert stale.number < late.number and not storage.get_trial(stale._trial_id).params
    assert _unknown_running_ahead(second.get_trials(deepcopy=False), late, {}, "s") == 0


def test_failed_and_pruned_trials_enter_the_model() -> None:
    space = {"x": FloatDistribution(0.0, 1.0)}
    study = optuna.create_study(sampler=AmtuneSampler(n_startup_trials=0, seed=0))
    for x in (0.1, 0.5):
        study.add_trial(optuna.create_trial(params={"x": x}, distributions=space, value=x))
    for x in np.linspace(0.8, 1.0, 5):
        study.add_trial(
            optuna.create_trial(params={"x": float(x)}, distributions=space, state=TrialState.FAIL)
        )
    study.add_trial(
        optuna.create_trial(
            params={"x": 0.3},
            distributions=space,
            state=TrialState.PRUNED,
            intermediate_values={0: 5.0, 3: 0.9},
        )
    )
    xs = [_ask_relative(study, space)["x"] for _ in range(5)]
    assert all(0.0 <= x <= 1.0 for x in xs)
    # the failing region is imputed with the worst value: proposals stay out of it
    assert sum(x >= 0.8 for x in xs) <= 1


def test_minimizes_and_maximizes() -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -3.0, 3.0)
        y = trial.suggest_int("y", -5, 5)
        return (x - 1.2) ** 2 + (y + 2) ** 2

    study = optuna.create_study(sampler=AmtuneSampler(seed=0, n_startup_trials=5))
    study.optimize(objective, n_trials=30)
    assert study.best_value < 0.05
    study = optuna.create_study(
        direction="maximize", sampler=AmtuneSampler(seed=0, n_startup_trials=5)
    )
    study.optimize(lambda t: -objective(t), n_trials=30)
    assert study.best_value > -0.05


def test_one_time_warning_for_independent_sampling(caplog: pytest.LogCaptureFixture) -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2:  # a conditional parameter
            return x + trial.suggest_float("high", 0.0, 1.0)
        return x

    study = optuna.create_study(sampler=AmtuneSampler(seed=0, n_startup_trials=2))
    with caplog.at_level(logging.WARNING, logger="amtune.integrations.optuna"):
        study.optimize(objective, n_trials=20)
    warned = [r for r in caplog.records if "AmtuneSampler" in r.getMessage()]
    assert len(warned) == 1 and "'high'" in warned[0].getMessage()


def test_threads_share_one_sampler() -> None:
    sampler = AmtuneSampler(seed=0, n_startup_trials=3)
    study = optuna.create_study(sampler=sampler)
    study.optimize(
        lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("k", 0, 3), n_trials=16, n_jobs=2
    )
    assert len(study.trials) == 16
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


_WORKER = """
import sys, optuna
from amtune.integrations.optuna import AmtuneSampler
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.load_study(study_name="s", storage=sys.argv[1],
                          sampler=AmtuneSampler(seed=int(sys.argv[2]), n_startup_trials=2))
study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.3) ** 2, n_trials=6)
"""


def test_processes_share_one_rdb_storage(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="s", storage=storage)
    env_path = str(Path(amtune.__file__).resolve().parents[1])  # the amtune under test
    import os

    env = {**os.environ, "PYTHONPATH": env_path + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, storage, str(seed)], env=env)
        for seed in (1, 2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    study = optuna.load_study(study_name="s", storage=storage)
    assert len(study.trials) == 12
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    # the guided trials improve on the random start. How far depends on how the two processes
    # interleave (in lockstep both propose the same point from the same history), so no fixed
    # threshold: from the start points both seeds draw (x = -0.13, -0.17) the steps toward 0.3
    # grow from 0.02, and runs under load ended anywhere from 0.0 to 0.12.
    start = min(t.value for t in study.trials[:2] if t.value is not None)
    assert study.best_value < start


def test_pickle_and_reseed() -> None:
    def run(sampler: AmtuneSampler) -> list[dict[str, Any]]:
        study = optuna.create_study(sampler=sampler)
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("k", 0, 9), n_trials=8)
        return [t.params for t in study.trials]

    sampler = AmtuneSampler(seed=5, n_startup_trials=2)
    copy = pickle.loads(pickle.dumps(sampler))
    assert run(sampler) == run(copy)
    again = AmtuneSampler(seed=5, n_startup_trials=2)
    again.reseed_rng()
    assert run(again) != run(AmtuneSampler(seed=5, n_startup_trials=2))


def test_multi_objective_raises() -> None:
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=AmtuneSampler())
    with pytest.raises(ValueError, match="single-objective"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_startup_trials": -1}, ValueError, "n_startup_trials"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"independent_sampler": object()}, TypeError, "independent_sampler"),
        ({"acquisition": "EI"}, ValueError, "acquisition"),
        ({"n_initial": 3}, ValueError, "n_initial"),
        ({"bogus": 1}, ValueError, "bogus"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        AmtuneSampler(**kwargs)


def test_user_independent_sampler_is_used_during_startup() -> None:
    calls: list[str] = []

    class Recording(optuna.samplers.RandomSampler):
        def sample_independent(self, study: Any, trial: Any, name: str, dist: Any) -> Any:
            calls.append(name)
            return super().sample_independent(study, trial, name, dist)

    study = optuna.create_study(
        sampler=AmtuneSampler(independent_sampler=Recording(seed=0), n_startup_trials=3, seed=0)
    )
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=6)
    assert calls == ["x", "x", "x"]


# ---------------------------------------------------------------------------- to_study
def test_to_study_round_trips_a_tuning_job(tmp_path: Path) -> None:
    def train(hp: dict[str, Any], reporter: Any) -> None:
        if hp["opt"] == "bad":
            raise RuntimeError("diverged")
        for epoch in range(3):
            reporter.report("loss", (hp["lr"] - 0.01) ** 2 + hp["layers"] / (epoch + 1), step=epoch)

    tuner = amtune.HyperparameterTuner(
        "loss",
        {
            "lr": amtune.ContinuousParameter(1e-4, 1.0, "Logarithmic"),
            "layers": amtune.IntegerParameter(1, 4),
            "opt": amtune.CategoricalParameter(["adam", "bad", 3]),
        },
        objective_type="Minimize",
        strategy="Random",
        max_jobs=8,
        random_seed=2,
        runner="thread",
        db=tmp_path / "amtune.db",
        quiet=True,
        static_hyperparameters={"e": 1},
    )
    tuner.fit(train, job_name="to-study")
    study = to_study("to-study", db=tmp_path / "amtune.db")
    assert study.study_name == "to-study"
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    rows = tuner.analytics()
    assert len(study.trials) == len(rows) == 8
    dists = study.trials[0].distributions
    assert dists["lr"] == FloatDistribution(1e-4, 1.0, log=True)
    assert dists["layers"] == IntDistribution(1, 4)
    assert dists["opt"] == CategoricalDistribution(["adam", "bad", 3])
    for trial, (_, row) in zip(study.trials, rows.iterrows(), strict=True):
        assert trial.user_attrs["TrainingJobName"] == row["TrainingJobName"]
        assert trial.params == {k: row[k] for k in ("lr", "layers", "opt")}
        if row["opt"] == "bad":
            assert (
                trial.state == TrialState.FAIL and "diverged" in trial.user_attrs["FailureReason"]
            )
        else:
            assert trial.state == TrialState.COMPLETE
            assert math.isclose(trial.value, row["FinalObjectiveValue"])
            assert sorted(trial.intermediate_values) == [0, 1, 2]
            assert trial.intermediate_values[2] == trial.value
            assert trial.datetime_start is not None and trial.datetime_complete is not None
    best = tuner.describe()["BestTrainingJob"]["TrainingJobName"]
    assert study.best_trial.user_attrs["TrainingJobName"] == best
    # Optuna's tools accept it
    fig = optuna.visualization.plot_optimization_history(study)
    assert len(fig.data[0].x) == len(study.get_trials(states=(TrialState.COMPLETE,)))
    assert to_study(tuner).trials[0].params == study.trials[0].params
    with pytest.raises(TypeError, match="tuning_job"):
        to_study(3)  # type: ignore[arg-type]


def test_sampler_time_at_1000_trials_stays_bounded() -> None:
    """One relative proposal with 1,000 finished trials in 10-D rebuilds the model from scratch;
    it must work (speed is measured by benchmarks/bench_optuna.py, not asserted here)."""
    space = {f"x{i}": FloatDistribution(-5.0, 5.0) for i in range(10)}
    rng = np.random.default_rng(0)
    study = optuna.create_study(sampler=AmtuneSampler(seed=0))
    X = rng.uniform(-5, 5, size=(1000, 10))
    study.add_trials(
        [
            optuna.create_trial(
                params={f"x{i}": float(v) for i, v in enumerate(row)},
                distributions=space,
                value=float((row**2).sum()),
            )
            for row in X
        ]
    )
    params = _ask_relative(study, space)
    assert all(-5.0 <= v <= 5.0 for v in params.values())


def test_threaded_relative_sampling_is_safe() -> None:
    space = {"x": FloatDistribution(0.0, 1.0)}
    study = _seed_study(AmtuneSampler(n_startup_trials=0, seed=0), space, [{"x": 0.2}, {"x": 0.7}])
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(4):
                _ask_relative(study, space)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.parametrize(
    "name", ["amtune.integrations.optuna", "amtune.integrations._optuna_study"]
)
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert tests
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    failed = sum(runner.run(test, out=report.append).failed for test in tests)
    assert failed == 0, "".join(report)


def test_the_warm_optimizer_follows_the_study() -> None:
    sampler = AmtuneSampler(seed=0, n_startup_trials=2)
    study = optuna.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=8)
    cache = sampler._cache
    assert cache is not None and cache.numbers == set(range(7))  # all but the last trial
    assert cache.opt.n_finished == 7 and not cache.pending
    opt = cache.opt
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=2)
    assert sampler._cache is not None and sampler._cache.opt is opt  # extended, not rebuilt
    assert sampler._cache.numbers == set(range(9))
    # another search space (here: a wider range for x): rebuilt from the trials
    trial = study.ask()
    frozen = study._storage.get_trial(trial._trial_id)
    params = sampler.sample_relative(study, frozen, {"x": FloatDistribution(-2.0, 2.0)})
    assert -2.0 <= params["x"] <= 2.0
    assert sampler._cache is not None and sampler._cache.opt is not opt
    assert sampler._cache.opt.n_finished == 10
    assert pickle.loads(pickle.dumps(sampler))._cache is None

"""Holdout and k-fold: configs, seeded splits written once, fold runs and their means."""

from __future__ import annotations

import queue
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from builtin_helpers import classification, write_csv

from amtune.evaluation.config import Holdout, KFold, parse_cli_evaluation, parse_evaluation
from amtune.evaluation.kfold_runner import KFoldRunner
from amtune.evaluation.splits import prepare_split
from amtune.runners.command import CommandRunner
from amtune.runners.events import JobEnded
from amtune.runners.spec import JobSpec


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        (
            {"Type": "Holdout", "ValidationFraction": 0},
            r"evaluation.ValidationFraction: must be a number in \(0, 1\), got 0",
        ),
        ({"Type": "KFold", "K": 1}, "evaluation.K: must be an integer from 2 to 100, got 1"),
        ({"Type": "KFold", "K": 5.0}, "evaluation.K: must be an integer"),
        ({"Type": "Kfold"}, "evaluation.Type: must be 'Holdout' or 'KFold'"),
        ({"Type": "Holdout", "K": 3}, "evaluation.K: unknown field for Holdout"),
        ({"Type": "KFold", "Seed": -1}, "evaluation.Seed: must be an integer >= 0"),
        ("kfold", "evaluation: must be a dict"),
    ],
)
def test_config_errors(doc: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_evaluation(doc)


def test_config_forms() -> None:
    assert parse_evaluation({"Type": "Holdout"}) == Holdout(0.2, 0)
    assert parse_evaluation(KFold(3, 1)) == KFold(3, 1, True)
    assert parse_cli_evaluation("kfold:10") == KFold(10)
    assert parse_cli_evaluation("holdout:0.3") == Holdout(0.3)
    with pytest.raises(ValueError, match="--evaluation: holdout"):
        parse_cli_evaluation("cv")


def _numbered_channel(root: Path, n: int, files: int = 3) -> Path:
    """A train channel whose record r is 'r,r' (label r, one feature r), over several files."""
    d = root / "train"
    d.mkdir(parents=True)
    per = np.array_split(np.arange(n), files)
    for i, part in enumerate(per):
        (d / f"part-{i}.csv").write_text("".join(f"{r},{r}\n" for r in part) + "\n")
    return d


def _ids(d: str) -> list[int]:
    return sorted(
        int(line.split(",")[0]) for p in sorted(Path(d).iterdir()) for line in p.read_text().split()
    )


def test_holdout_split_is_seeded_disjoint_and_written_once(tmp_path: Path) -> None:
    train = _numbered_channel(tmp_path, 101)
    s1 = prepare_split(Holdout(0.2, seed=3), train, tmp_path / "ev")
    (run,) = s1.runs
    val, tr = _ids(run["validation"]), _ids(run["train"])
    assert len(val) == 20 and len(tr) == 81
    assert not set(val) & set(tr) and sorted(val + tr) == list(range(101))
    assert val == s1.validation_rows[0]  # record r is line r
    mtime = (Path(run["train"]) / "train.csv").stat().st_mtime_ns
    s2 = prepare_split(Holdout(0.2, seed=3), train, tmp_path / "ev")
    assert s2.root == s1.root and (Path(run["train"]) / "train.csv").stat().st_mtime_ns == mtime
    s3 = prepare_split(Holdout(0.2, seed=4), train, tmp_path / "ev")
    assert s3.root != s1.root and _ids(s3.runs[0]["validation"]) != val


def test_kfold_folds_partition_the_records(tmp_path: Path) -> None:
    train = _numbered_channel(tmp_path, 53)
    split = prepare_split(KFold(5, seed=1), train, tmp_path / "ev")
    assert len(split.runs) == 5
    seen: list[int] = []
    for run in split.runs:
        val, tr = _ids(run["validation"]), _ids(run["train"])
        assert not set(val) & set(tr), "a validation row is in that run's training data"
        assert sorted(val + tr) == list(range(53))
        assert len(val) in (10, 11)
        seen += val
    assert sorted(seen) == list(range(53))
    unshuffled = prepare_split(KFold(5, shuffle=False), train, tmp_path / "ev")
    assert _ids(unshuffled.runs[0]["validation"]) == list(range(11))


def test_split_errors(tmp_path: Path) -> None:
    train = _numbered_channel(tmp_path, 3, files=1)
    with pytest.raises(ValueError, match=r"evaluation\.K: 5 folds need at least 5 records"):
        prepare_split(KFold(5), train, tmp_path / "ev")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"channels\.train: empty channel"):
        prepare_split(Holdout(), tmp_path / "empty", tmp_path / "ev")


SCRIPT = textwrap.dedent(
    """
    import os, sys
    def ids(ch):
        d = os.environ["SM_CHANNEL_" + ch.upper()]
        return [int(l.split(",")[0]) for f in sorted(os.listdir(d)) for l in open(os.path.join(d, f)) if l.strip()]
    tr, va = ids("train"), ids("validation")
    overlap = len(set(tr) & set(va))
    for epoch in range(3):
        print(f"epoch={epoch} validation:mean={sum(va) / len(va) + epoch} overlap={overlap}", flush=True)
    if os.environ.get("FAIL_FOLD") and min(va) == 0:
        sys.exit(3)
    """
)
DEFS = [
    {"Name": "validation:mean", "Regex": r"validation:mean=([0-9.]+)"},
    {"Name": "overlap", "Regex": r"overlap=([0-9]+)"},
]


def _run_kfold(
    tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[list[tuple], object, object]:
    train = _numbered_channel(tmp_path, 40)
    split = prepare_split(KFold(4, seed=0), train, tmp_path / "ev")
    (tmp_path / "s.py").write_text(SCRIPT)
    inner = CommandRunner([sys.executable, str(tmp_path / "s.py")], DEFS, env=env)
    runner = KFoldRunner(inner, split.runs, max_processes=2)
    events: queue.Queue = queue.Queue()
    spec = JobSpec("tj", 1, "tj-001", {}, tmp_path / "job", {"train": str(train)})
    runner.start(spec, events)
    got = []
    while True:
        ev = events.get(timeout=120)
        if isinstance(ev, JobEnded):
            return got, ev.outcome, split
        got.append((None, ev.seq, ev.name, ev.value, ev.step, ev.time))


def test_kfold_runner_reports_fold_metrics_and_means(tmp_path: Path) -> None:
    got, out, split = _run_kfold(tmp_path)
    assert out.ok, out.failure_reason
    fold_means = [np.mean(v) for v in split.validation_rows]
    means = [e for e in got if e[2] == "validation:mean"]
    assert [e[4] for e in means] == [0, 1, 2]  # one mean per step, once every fold emitted it
    for e in means:
        assert e[3] == pytest.approx(np.mean(fold_means) + e[4])
    for i in range(4):
        fold = [e[3] for e in got if e[2] == f"validation:mean:fold-{i + 1}"]
        assert fold == pytest.approx([fold_means[i] + s for s in range(3)])
    assert {e[3] for e in got if e[2].startswith("overlap")} == {0.0}
    fm = out.final_metrics
    finals = np.array(fold_means) + 2
    assert fm["validation:mean"] == pytest.approx(finals.mean())
    assert fm["validation:mean:std"] == pytest.approx(finals.std())
    assert fm["validation:mean:min"] == pytest.approx(finals.min())
    for i in range(4):
        assert (tmp_path / "job" / f"fold-{i + 1}" / "train.log").is_file()


def test_kfold_runner_a_failed_fold_fails_the_job(tmp_path: Path) -> None:
    _, out, _ = _run_kfold(tmp_path, env={"FAIL_FOLD": "1"})
    assert not out.ok
    assert out.failure_reason.startswith("fold ") and " of 4: " in out.failure_reason
    assert "exited with code 3" in out.failure_reason


def test_builtin_xgboost_with_kfold_and_holdout(tmp_path: Path) -> None:
    pytest.importorskip("xgboost")
    import importlib.util

    try:
        rendering = importlib.util.find_spec("amtune.sagemaker.cloudwatch") is not None
    except ModuleNotFoundError:
        rendering = False
    if not rendering:
        pytest.skip("needs the CloudWatch-rendered metric matching of amtune.sagemaker.cloudwatch")
    import amtune
    from amtune.builtin import BuiltinTuner

    X, y = classification(300, seed=8)
    write_csv(tmp_path / "data" / "train.csv", X, y)
    common = dict(
        static_hyperparameters={"objective": "binary:logistic", "num_round": 5},
        channels={"train": str(tmp_path / "data")},
        max_jobs=2,
        max_parallel_jobs=3,
        random_seed=0,
        quiet=True,
        db=str(tmp_path / "a.db"),
    )
    rng = {"eta": amtune.ContinuousParameter(0.1, 0.5)}
    kf = BuiltinTuner(
        "xgboost", "validation:auc", rng, evaluation={"Type": "KFold", "K": 3}, **common
    )
    kf.fit(job_name="kf")
    d = kf.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] == 3
    jobs = kf.store.training_jobs("kf")
    for j in jobs:
        fm = j["final_metrics"]
        folds = [fm[f"validation:auc:fold-{i}"] for i in (1, 2, 3)]
        assert j["final_objective"] == pytest.approx(np.mean(folds))
        assert fm["validation:auc:std"] == pytest.approx(np.std(folds))
    ho = BuiltinTuner(
        "xgboost",
        "validation:auc",
        rng,
        evaluation={"Type": "Holdout", "ValidationFraction": 0.25},
        **common,
    )
    ho.fit(job_name="ho")
    assert ho.describe()["HyperParameterTuningJobStatus"] == "Completed"
    with pytest.raises(
        ValueError, match=r"channels\.validation: KFold evaluation makes the validation channel"
    ):
        BuiltinTuner(
            "xgboost",
            "validation:auc",
            rng,
            evaluation={"Type": "KFold"},
            **{
                **common,
                "channels": {"train": str(tmp_path / "data"), "validation": str(tmp_path / "data")},
            },
        )


def test_script_mode_tuning_jobs_with_kfold_and_holdout(tmp_path: Path) -> None:
    import amtune

    train = _numbered_channel(tmp_path, 30)
    (tmp_path / "s.py").write_text(SCRIPT)
    common = dict(
        metric_definitions=DEFS,
        strategy="Grid",
        max_jobs=2,
        max_parallel_jobs=4,
        channels={"train": str(train)},
        quiet=True,
        db=str(tmp_path / "a.db"),
    )
    cmd = [sys.executable, str(tmp_path / "s.py")]
    kf = amtune.HyperparameterTuner(
        "validation:mean",
        {"x": amtune.CategoricalParameter(["a", "b"])},
        "Minimize",
        evaluation={"Type": "KFold", "K": 3, "Seed": 2},
        **common,
    )
    kf.fit(cmd, job_name="kf")
    d = kf.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    cfg = kf.store.get_tuning_job("kf")["config"]
    assert cfg["Evaluation"] == {"Type": "KFold", "K": 3, "Seed": 2, "Shuffle": True}
    assert cfg["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] == 4
    split = prepare_split(KFold(3, seed=2), train, kf.store.jobs_root / "evaluation")
    finals = np.array([np.mean(v) for v in split.validation_rows]) + 2
    for job in kf.store.training_jobs("kf"):
        fm = job["final_metrics"]
        assert job["final_objective"] == pytest.approx(finals.mean())
        assert [fm[f"validation:mean:fold-{i}"] for i in (1, 2, 3)] == pytest.approx(list(finals))
        assert fm["validation:mean:std"] == pytest.approx(finals.std())
        assert all(fm[f"overlap:fold-{i}"] == 0 for i in (1, 2, 3))
    from amtune.evaluation.models import find_model

    job = jobs_kf = kf.store.training_jobs("kf")[0]["name"]
    with pytest.raises(ValueError, match=r"k-fold training job with 3 models .* --fold 1\.\.3"):
        find_model(kf.store, job)
    with pytest.raises(ValueError, match="--fold: must be from 1 to 3, got 4"):
        find_model(kf.store, job, fold=4)
    with pytest.raises(ValueError, match=r"wrote no model: .*fold-2/model is empty"):
        find_model(kf.store, jobs_kf, fold=2)
    frame = kf.analytics()
    assert list(frame["FinalObjectiveStd"]) == pytest.approx([finals.std()] * 2)
    assert list(frame["FinalObjectiveMax"]) == pytest.approx([finals.max()] * 2)
    assert d["Evaluation"]["K"] == 3
    assert d["BestTrainingJob"]["FinalObjectiveMin"] == pytest.approx(finals.min())
    ho = amtune.HyperparameterTuner(
        "validation:mean",
        {"x": amtune.CategoricalParameter(["a", "b"])},
        "Minimize",
        evaluation={"Type": "Holdout", "ValidationFraction": 0.3},
        **common,
    )
    ho.fit(cmd, job_name="ho")
    jobs = ho.store.training_jobs("ho")
    split = prepare_split(Holdout(0.3), train, kf.store.jobs_root / "evaluation")
    want = np.mean(split.validation_rows[0]) + 2
    assert [j["final_objective"] for j in jobs] == pytest.approx([want, want])
    assert all(j["final_metrics"]["overlap"] == 0 for j in jobs)
    with pytest.raises(ValueError, match=r"evaluation\.K: must be an integer from 2 to 100"):
        amtune.HyperparameterTuner(
            "validation:mean",
            {"x": amtune.CategoricalParameter(["a"])},
            evaluation={"Type": "KFold", "K": 1},
            **common,
        )


def test_one_training_job_with_kfold(tmp_path: Path) -> None:
    from amtune.evaluation.apply import evaluated_runner

    train = _numbered_channel(tmp_path, 20)
    (tmp_path / "s.py").write_text(SCRIPT)
    inner = CommandRunner([sys.executable, str(tmp_path / "s.py")], DEFS)
    runner, plan = evaluated_runner(
        {"Type": "KFold", "K": 2}, {"train": str(train)}, inner, tmp_path, 2
    )
    events: queue.Queue = queue.Queue()
    runner.start(JobSpec("one", 1, "one", {}, tmp_path / "job", {"train": str(train)}), events)
    while not isinstance(ev := events.get(timeout=120), JobEnded):
        pass
    finals = np.array([np.mean(v) for v in plan.split.validation_rows]) + 2
    assert ev.outcome.ok and ev.outcome.final_metrics["validation:mean"] == pytest.approx(
        finals.mean()
    )
    with pytest.raises(ValueError, match=r"channels\.validation"):
        evaluated_runner({"Type": "Holdout"}, {"train": "a", "validation": "b"}, inner, tmp_path)

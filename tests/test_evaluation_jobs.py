"""Holdout and k-fold on single training jobs (Estimator.fit, amtune train), in config files of
both shapes, and what k-fold training jobs' models allow (transform/evaluate --fold, deploy)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from builtin_helpers import classification, write_csv

import amtune
from amtune.cli import main
from amtune.config.loader import ConfigError, parse_config
from amtune.errors import FieldError
from amtune.evaluation.config import Holdout, KFold
from amtune.evaluation.splits import prepare_split

# A script-mode script: its metrics are computed from the record ids of its channels (record r
# of the train channel is "r,r"), so the expected values follow from the split alone.
SCRIPT = textwrap.dedent(
    """
    import argparse, os
    p = argparse.ArgumentParser()
    p.add_argument("--shift", type=float, default=0.0)
    a = p.parse_args()
    def ids(ch):
        d = os.environ["SM_CHANNEL_" + ch.upper()]
        return [int(l.split(",")[0]) for f in sorted(os.listdir(d))
                for l in open(os.path.join(d, f)) if l.strip()]
    tr, va = ids("train"), ids("validation")
    for epoch in range(2):
        print(f"epoch={epoch} validation:mean={sum(va) / len(va) + epoch + a.shift} "
              f"overlap={len(set(tr) & set(va))} n_train={len(tr)}", flush=True)
    open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(str(sorted(va)))
    """
)
DEFS = [
    {"Name": "validation:mean", "Regex": r"validation:mean=([0-9.]+)"},
    {"Name": "overlap", "Regex": r"overlap=([0-9]+)"},
    {"Name": "n_train", "Regex": r"n_train=([0-9]+)"},
]


def _channel(root: Path, n: int) -> Path:
    d = root / "data" / "train"
    d.mkdir(parents=True)
    (d / "train.csv").write_text("".join(f"{r},{r}\n" for r in range(n)))
    return d


def _estimator(tmp_path: Path, evaluation: object, **kw: object) -> amtune.SKLearn:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "train.py").write_text(SCRIPT)
    return amtune.SKLearn(
        "train.py",
        source_dir=str(tmp_path / "src"),
        hyperparameters={"shift": 0.5},
        metric_definitions=DEFS,
        db=str(tmp_path / "a.db"),
        notices=False,
        evaluation=evaluation,
        **kw,
    )


# ====================================================================== Estimator.fit
def test_estimator_kfold_runs_k_folds_and_reports_their_mean_and_spread(tmp_path, capsys):
    train = _channel(tmp_path, 30)
    est = _estimator(tmp_path, {"Type": "KFold", "K": 3, "Seed": 4})
    est.fit({"train": str(train)}, job_name="kf-one")
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed"
    split = prepare_split(KFold(3, seed=4), train, est.store.jobs_root / "evaluation")
    finals = np.array([np.mean(v) for v in split.validation_rows]) + 1 + 0.5
    fm = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert fm["validation:mean"] == pytest.approx(finals.mean())  # the mean over the folds
    assert [fm[f"validation:mean:fold-{i}"] for i in (1, 2, 3)] == pytest.approx(list(finals))
    assert fm["validation:mean:std"] == pytest.approx(finals.std())
    assert fm["overlap"] == 0 and fm["n_train"] == 20  # no validation record is trained on
    ev = d["Evaluation"]
    assert {k: ev[k] for k in ("Type", "K", "Seed", "Shuffle")} == {
        "Type": "KFold",
        "K": 3,
        "Seed": 4,
        "Shuffle": True,
    }
    (summary,) = [s for s in ev["MetricSummaries"] if s["MetricName"] == "validation:mean"]
    assert summary["Min"] == pytest.approx(finals.min())
    assert summary["Max"] == pytest.approx(finals.max())
    job_dir = Path(d["ModelArtifacts"]["S3ModelArtifacts"]).parent
    for i, fold in enumerate(ev["Folds"], 1):
        model = Path(fold["ModelArtifacts"]["S3ModelArtifacts"])
        assert model == job_dir / f"fold-{i}" / "model"
        assert model.joinpath("model.txt").read_text() == str(split.validation_rows[i - 1])
    assert d["HyperParameters"]["shift"] == "0.5"
    out = capsys.readouterr().out
    assert "[fold 1] epoch=0 validation:mean=" in out and "[fold 3] epoch=1" in out
    est.logs()  # every fold's log, one after the other
    logs = capsys.readouterr().out
    assert logs.index("==> [fold 1]") < logs.index("==> [fold 2]") < logs.index("==> [fold 3]")
    assert logs.count("epoch=1 validation:mean=") == 3
    # amtune describe shows the mean with its spread and the folds' models
    assert main(["describe", "kf-one", "--db", str(tmp_path / "a.db")]) == 0
    text = capsys.readouterr().out
    assert "evaluation: KFold (K=3, Seed=4, Shuffle=True)" in text
    assert "validation:mean = " in text and "(mean of 3 folds; std " in text
    assert "validation:mean:fold-1" not in text
    assert "models: one per fold" in text


def test_estimator_holdout_trains_on_the_split(tmp_path):
    train = _channel(tmp_path, 40)
    est = _estimator(tmp_path, {"Type": "Holdout", "ValidationFraction": 0.25, "Seed": 1})
    est.fit({"train": str(train)}, job_name="ho-one", logs=False)
    d = est.describe()
    split = prepare_split(Holdout(0.25, 1), train, est.store.jobs_root / "evaluation")
    fm = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert fm["validation:mean"] == pytest.approx(np.mean(split.validation_rows[0]) + 1.5)
    assert fm["overlap"] == 0 and fm["n_train"] == 30
    assert d["Evaluation"] == {"Type": "Holdout", "ValidationFraction": 0.25, "Seed": 1}
    model = Path(d["ModelArtifacts"]["S3ModelArtifacts"])
    assert (model / "model.txt").is_file()  # one model, where a training job's model is


def test_a_tuner_on_the_estimator_takes_its_evaluation_and_the_channels_of_fit(tmp_path):
    train = _channel(tmp_path, 24)
    est = _estimator(tmp_path, {"Type": "KFold", "K": 2})
    tuner = amtune.HyperparameterTuner(
        est,
        "validation:mean",
        {"shift": amtune.CategoricalParameter([0, 1])},
        objective_type="Minimize",
        strategy="Grid",
        max_parallel_jobs=2,
        quiet=True,
    )
    tuner.fit({"train": str(train)}, job_name="tk")  # the channels come with fit(inputs)
    d = tuner.describe()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["Evaluation"]["K"] == 2
    jobs = tuner.store.training_jobs("tk")
    assert len(jobs) == 2 and all("validation:mean:fold-2" in j["final_metrics"] for j in jobs)
    # a training job of the tuning job is described with its folds too
    from amtune.sagemaker.training import describe_training_job

    assert len(describe_training_job(tuner.store, jobs[0]["name"])["Evaluation"]["Folds"]) == 2
    # the tuner's own evaluation wins over the estimator's
    own = amtune.HyperparameterTuner(
        est,
        "validation:mean",
        {"shift": amtune.CategoricalParameter([0, 1])},
        evaluation={"Type": "Holdout"},
    )
    assert own.evaluation == Holdout()
    with pytest.raises(FieldError, match=r"channels\.train: required: KFold evaluation splits"):
        tuner.fit({"test": str(train)}, job_name="tk2")


@pytest.mark.parametrize(
    ("evaluation", "inputs", "match"),
    [
        ({"Type": "KFold", "K": 1}, None, r"evaluation\.K: must be an integer from 2 to 100"),
        ({"Type": "Holdout", "ValidationFraction": 1}, None, r"evaluation\.ValidationFraction"),
        ({"Type": "CV"}, None, r"evaluation\.Type: must be 'Holdout' or 'KFold', got 'CV'"),
        ({"K": 3}, None, r"evaluation\.Type: required"),
        ({"Type": "KFold", "Folds": 3}, None, r"evaluation\.Folds: unknown field for KFold"),
        ({"Type": "KFold", "K": 3, "k": 4}, None, r"evaluation\.k: given twice"),
        ({"Type": "KFold"}, {"test": "T"}, r"inputs\.train: required: KFold evaluation"),
        (
            {"Type": "Holdout"},
            {"train": "T", "validation": "T"},
            r"inputs\.validation: Holdout evaluation makes the validation channel",
        ),
        ({"Type": "KFold", "K": 50}, {"train": "T"}, r"evaluation\.K: 50 folds need at least 50"),
    ],
)
def test_estimator_evaluation_errors_name_the_field(tmp_path, evaluation, inputs, match):
    train = _channel(tmp_path, 10)
    if inputs is None:
        with pytest.raises(FieldError, match=match):
            _estimator(tmp_path, evaluation)
        return
    est = _estimator(tmp_path, evaluation)
    with pytest.raises(FieldError, match=match):
        est.fit({k: str(train) for k in inputs}, job_name="bad")
    assert not est.store.path.exists() or not est.store.training_jobs("")  # nothing recorded


def test_tuner_evaluation_errors(tmp_path):
    train = _channel(tmp_path, 10)
    space = {"x": amtune.CategoricalParameter(["a"])}
    for evaluation, match in [
        ("kfold", r"evaluation: must be a dict such as"),
        ({"Type": "KFold", "Shuffle": "yes"}, r"evaluation\.Shuffle: must be true or false"),
        ({"Type": "Holdout", "Seed": 1.5}, r"evaluation\.Seed: must be an integer >= 0"),
    ]:
        with pytest.raises(FieldError, match=match):
            amtune.HyperparameterTuner(
                "m", space, evaluation=evaluation, channels={"train": str(train)}
            )
    with pytest.raises(FieldError, match=r"channels\.train: required: Holdout evaluation"):
        amtune.HyperparameterTuner("m", space, evaluation={"Type": "Holdout"})
    # the train channel holds fewer records than folds: an error when the tuner is made
    with pytest.raises(FieldError, match=r"evaluation\.K: 11 folds need at least 11 records"):
        amtune.HyperparameterTuner(
            "m",
            space,
            evaluation={"Type": "KFold", "K": 11},
            channels={"train": str(train)},
            db=str(tmp_path / "t.db"),
        )
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "x.csv").write_text("1,2\n\n")
    with pytest.raises(FieldError, match=r"evaluation: Holdout needs at least 2 records"):
        amtune.HyperparameterTuner(
            "m", space, evaluation={"Type": "Holdout"}, channels={"train": str(tmp_path / "one")}
        )
    (tmp_path / "empty").mkdir()
    with pytest.raises(FieldError, match=r"channels\.train: empty channel: no data files"):
        amtune.HyperparameterTuner(
            "m", space, evaluation={"Type": "KFold"}, channels={"train": str(tmp_path / "empty")}
        )
    assert not (tmp_path / "t.db").exists()


# ====================================================================== built-in algorithm
def test_builtin_xgboost_estimator_kfold_matches_xgboost_per_fold(tmp_path, capsys):
    xgb = pytest.importorskip("xgboost")
    from amtune import image_uris

    X, y = classification(240, seed=3)
    write_csv(tmp_path / "data" / "train.csv", X, y)
    hps = {"num_round": 6, "max_depth": 3, "eta": 0.3, "objective": "binary:logistic"}
    est = amtune.Estimator(
        image_uris.retrieve("xgboost", version="1.7-1"),
        hyperparameters={**hps, "eval_metric": "auc"},
        db=str(tmp_path / "a.db"),
        notices=False,
        evaluation={"Type": "KFold", "K": 3, "Seed": 0},
    )
    est.fit({"train": str(tmp_path / "data")}, job_name="xgb-kf", logs=False)
    d = est.describe()
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    fm = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    split = prepare_split(KFold(3, seed=0), tmp_path / "data", est.store.jobs_root / "evaluation")
    want = []
    for rows in split.validation_rows:
        val = np.zeros(len(y), dtype=bool)
        val[rows] = True
        result: dict = {}
        xgb.train(
            {**{k: v for k, v in hps.items() if k != "num_round"}, "eval_metric": "auc"},
            xgb.DMatrix(X[~val], label=y[~val]),
            6,
            evals=[(xgb.DMatrix(X[val], label=y[val]), "validation")],
            evals_result=result,
            verbose_eval=False,
        )
        want.append(result["validation"]["auc"][-1])
    got = [fm[f"validation:auc:fold-{i}"] for i in (1, 2, 3)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert fm["validation:auc"] == pytest.approx(np.mean(want), abs=1e-6)
    db = str(tmp_path / "a.db")
    # transform / evaluate need a fold: the error lists them with their values
    test = write_csv(tmp_path / "test" / "test.csv", X[:50], y[:50])
    assert main(["evaluate", "xgb-kf", "--test", str(test), "--metric", "auc", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "k-fold training job with 3 models" in err and "--fold 1..3" in err
    assert f"fold 2 (validation:auc {got[1]:.6g}" in err
    assert (
        main(
            [
                "evaluate",
                "xgb-kf",
                "--fold",
                "2",
                "--test",
                str(test),
                "--metric",
                "auc",
                "--db",
                db,
                "--json",
            ]
        )
        == 0
    )
    res = json.loads(capsys.readouterr().out)
    assert res["Fold"] == 2 and res["MetricName"] == "evaluation:auc:fold-2"
    booster = xgb.Booster()
    model = Path(d["Evaluation"]["Folds"][1]["ModelArtifacts"]["S3ModelArtifacts"])
    booster.load_model(bytearray((model / "xgboost-model").read_bytes()))
    from sklearn.metrics import roc_auc_score

    assert res["Value"] == pytest.approx(
        roc_auc_score(y[:50], booster.predict(xgb.DMatrix(X[:50]))), abs=1e-9
    )
    assert est.store.metrics("", 1, "evaluation:auc:fold-2")[0]["value"] == res["Value"]
    # --fold all: every fold's model, and their mean (stored as evaluation:auc)
    argv = ["evaluate", "xgb-kf", "--fold", "all", "--test", str(test), "--metric", "auc"]
    assert main([*argv, "--db", db, "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    per_fold = [f["Value"] for f in every["Folds"]]
    assert len(per_fold) == 3 and per_fold[1] == res["Value"]
    assert every["Value"] == pytest.approx(np.mean(per_fold))
    assert every["Std"] == pytest.approx(np.std(per_fold))
    assert est.store.metrics("", 1, "evaluation:auc")[-1]["value"] == every["Value"]
    assert main([*argv, "--db", db]) == 0
    assert "(mean of 3 fold models; std" in capsys.readouterr().out
    out = tmp_path / "pred"
    features = tmp_path / "new" / "records.csv"
    features.parent.mkdir()
    np.savetxt(features, X[:50], delimiter=",", fmt="%.17g")
    assert (
        main(
            [
                "transform",
                "xgb-kf",
                "--fold",
                "3",
                "--input",
                str(features.parent),
                "--output",
                str(out),
                "--db",
                db,
            ]
        )
        == 0
    )
    fold3 = Path(d["Evaluation"]["Folds"][2]["ModelArtifacts"]["S3ModelArtifacts"])
    booster.load_model(bytearray((fold3 / "xgboost-model").read_bytes()))
    np.testing.assert_allclose(
        [float(v) for v in (out / "records.csv.out").read_text().split()],
        booster.predict(xgb.DMatrix(X[:50])),
        rtol=1e-6,
    )
    assert (
        main(
            [
                "transform",
                "xgb-kf",
                "--fold",
                "4",
                "--input",
                str(features),
                "--output",
                str(out),
                "--db",
                db,
            ]
        )
        == 2
    )
    assert "--fold: must be from 1 to 3, got 4" in capsys.readouterr().err
    # an endpoint serves one model: deploying a k-fold job is a clear error
    from amtune.serve.deployment import resolve_model
    from amtune.serve.state import ServeState

    with pytest.raises(ValueError, match=r"k-fold training job: it has 3 models, one per fold"):
        resolve_model(ServeState(est.store.path), "xgb-kf")


def test_transform_and_evaluate_a_single_training_job(tmp_path, capsys):
    pytest.importorskip("xgboost")
    from amtune import image_uris

    X, y = classification(120, seed=5)
    write_csv(tmp_path / "data" / "train.csv", X, y)
    est = amtune.Estimator(
        image_uris.retrieve("xgboost", version="1.7-1"),
        hyperparameters={"num_round": 4, "objective": "binary:logistic"},
        db=str(tmp_path / "a.db"),
        notices=False,
        evaluation={"Type": "Holdout", "ValidationFraction": 0.3},
    )
    est.fit({"train": str(tmp_path / "data")}, job_name="xgb-ho", logs=False)
    db = str(tmp_path / "a.db")
    test = str(tmp_path / "data" / "train.csv")
    assert main(["evaluate", "xgb-ho", "--test", test, "--metric", "accuracy", "--db", db]) == 0
    assert "stored as metric evaluation:accuracy" in capsys.readouterr().out
    assert (
        main(["evaluate", "xgb-ho", "--fold", "1", "--test", test, "--metric", "auc", "--db", db])
        == 2
    )
    assert "is not a k-fold training job" in capsys.readouterr().err
    assert (
        main(["evaluate", "xgb-ho", "--fold", "all", "--test", test, "--metric", "auc", "--db", db])
        == 2
    )
    assert "--fold all: training job 'xgb-ho' is not a k-fold" in capsys.readouterr().err
    assert (
        main(
            [
                "transform",
                "xgb-ho",
                "--fold",
                "all",
                "--input",
                test,
                "--output",
                str(tmp_path / "o"),
                "--db",
                db,
            ]
        )
        == 2
    )
    assert "--fold all: only for evaluate" in capsys.readouterr().err


# ====================================================================== amtune train
def _request(tmp_path: Path, evaluation: object, channels: dict[str, Path]) -> Path:
    (tmp_path / "train.py").write_text(SCRIPT)
    req = {
        "TrainingJobName": "req-kf",
        "AlgorithmSpecification": {
            "TrainingImage": "local",
            "TrainingInputMode": "File",
            "TrainingCommand": [sys.executable, "train.py"],
            "MetricDefinitions": DEFS,
        },
        "HyperParameters": {"shift": "0"},
        "InputDataConfig": [
            {"ChannelName": k, "DataSource": {"FileDataSource": {"Path": str(v)}}}
            for k, v in channels.items()
        ],
        "Evaluation": evaluation,
    }
    p = tmp_path / "request.json"
    p.write_text(json.dumps(req))
    return p


def test_amtune_train_runs_a_request_with_evaluation(tmp_path, capsys):
    train = _channel(tmp_path, 20)
    p = _request(tmp_path, {"Type": "KFold", "K": 4}, {"train": train})
    db = str(tmp_path / "a.db")
    assert main(["train", str(p), "--db", db, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "evaluation: KFold (K=4" in out and "(mean of 4 folds; std" in out
    assert main(["describe", "req-kf", "--db", db, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    fm = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    folds = [fm[f"validation:mean:fold-{i}"] for i in range(1, 5)]
    assert fm["validation:mean"] == pytest.approx(np.mean(folds))
    assert len(d["Evaluation"]["Folds"]) == 4
    # the description runs again as a request (its response fields are dropped with a notice)
    d["TrainingJobName"] = "req-kf-again"
    (tmp_path / "again.json").write_text(json.dumps(d))
    assert main(["train", str(tmp_path / "again.json"), "--db", db, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "Evaluation.Folds: a response field; ignored" in captured.err
    assert "(mean of 4 folds; std" in captured.out


@pytest.mark.parametrize(
    ("evaluation", "channels", "match"),
    [
        ({"Type": "KFold", "K": 0}, ("train",), r"Evaluation\.K: must be an integer from 2"),
        ({"Type": "Holdout", "ValidationFraction": 0.0}, ("train",), r"Evaluation\.Validation"),
        ({"Type": "Bootstrap"}, ("train",), r"Evaluation\.Type: must be 'Holdout' or 'KFold'"),
        ({"Type": "KFold"}, ("train", "validation"), r"InputDataConfig\[1\]: KFold evaluation"),
        ({"Type": "KFold"}, ("test",), r"InputDataConfig: required: KFold evaluation splits"),
        ({"Type": "KFold", "K": 30}, ("train",), r"Evaluation\.K: 30 folds need at least 30"),
    ],
)
def test_amtune_train_evaluation_errors(tmp_path, capsys, evaluation, channels, match):
    train = _channel(tmp_path, 20)
    p = _request(tmp_path, evaluation, {c: train for c in channels})
    assert main(["train", str(p), "--db", str(tmp_path / "a.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("amtune: error:") == 1
    import re

    assert re.search(match, err), err


# ====================================================================== config files
def _amtune_config(tmp_path: Path, evaluation: object, **extra: object) -> dict:
    train = tmp_path / "data" / "train"
    if not train.exists():
        _channel(tmp_path, 12)
    (tmp_path / "train.py").write_text(SCRIPT)
    return {
        "objective": {"metric": "validation:mean", "type": "Minimize"},
        "strategy": "Grid",
        "max_parallel_jobs": 2,
        "hyperparameters": {"shift": {"type": "Categorical", "values": [0, 1]}},
        "metric_definitions": DEFS,
        "command": [sys.executable, "train.py"],
        "channels": {"train": "data/train"},
        "evaluation": evaluation,
        **extra,
    }


def _sagemaker_config(tmp_path: Path, evaluation: object, channels=("train",)) -> dict:
    train = tmp_path / "data" / "train"
    if not train.exists():
        _channel(tmp_path, 12)
    (tmp_path / "train.py").write_text(SCRIPT)
    return {
        "HyperParameterTuningJobConfig": {
            "Strategy": "Grid",
            "HyperParameterTuningJobObjective": {
                "Type": "Minimize",
                "MetricName": "validation:mean",
            },
            "ResourceLimits": {"MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "CategoricalParameterRanges": [{"Name": "shift", "Values": ["0", "1"]}]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": "local",
                "TrainingInputMode": "File",
                "TrainingCommand": [sys.executable, "train.py"],
                "MetricDefinitions": DEFS,
            },
            "InputDataConfig": [
                {"ChannelName": c, "DataSource": {"FileDataSource": {"Path": "data/train"}}}
                for c in channels
            ],
        },
        "Evaluation": evaluation,
    }


@pytest.mark.parametrize(
    "evaluation",
    [{"Type": "KFold", "K": 3, "Seed": 1}, {"type": "KFold", "k": 3, "seed": 1}],
)
def test_the_amtune_shape_takes_evaluation(tmp_path, evaluation):
    cfg = parse_config(_amtune_config(tmp_path, evaluation), tmp_path)
    assert cfg.tuner_kwargs["evaluation"] == KFold(3, 1)


def test_the_sagemaker_shape_takes_a_top_level_evaluation(tmp_path):
    cfg = parse_config(_sagemaker_config(tmp_path, {"Type": "Holdout", "Seed": 2}), tmp_path)
    assert cfg.tuner_kwargs["evaluation"] == Holdout(0.2, 2)


@pytest.mark.parametrize(
    ("shape", "evaluation", "channels", "path", "rule"),
    [
        ("amtune", {"Type": "KFold", "K": 1}, ("train",), "evaluation.K", "must be an integer"),
        ("amtune", {"type": "KFold", "k": 2.5}, ("train",), "evaluation.k", "must be an integer"),
        (
            "amtune",
            {"Type": "Holdout", "ValidationFraction": 1.2},
            ("train",),
            "evaluation.ValidationFraction",
            "must be a number in (0, 1), got 1.2",
        ),
        ("amtune", {"Type": "LOO"}, ("train",), "evaluation.Type", "must be 'Holdout' or"),
        ("amtune", "kfold", ("train",), "evaluation", "must be an object (mapping)"),
        ("amtune", {"Type": "KFold"}, ("test",), "channels.test", None),
        ("amtune", {"Type": "KFold"}, ("train", "validation"), "channels.validation", None),
        ("sagemaker", {"Type": "KFold", "K": 101}, ("train",), "Evaluation.K", "from 2 to 100"),
        ("sagemaker", {"Type": "Holdout", "K": 3}, ("train",), "Evaluation.K", "unknown field"),
        (
            "sagemaker",
            {"Type": "KFold"},
            ("train", "validation"),
            "TrainingJobDefinition.InputDataConfig[1]",
            "KFold evaluation makes the validation channel from 'train'",
        ),
        (
            "sagemaker",
            {"Type": "KFold"},
            ("test",),
            "TrainingJobDefinition.InputDataConfig",
            "required: KFold evaluation splits the 'train' channel",
        ),
    ],
)
def test_config_evaluation_errors_name_the_field(tmp_path, shape, evaluation, channels, path, rule):
    if shape == "amtune":
        doc = _amtune_config(tmp_path, evaluation)
        if channels != ("train",):
            doc["channels"] = {c: "data/train" for c in channels}
            if channels == ("test",):
                path, rule = "channels", "required: KFold evaluation splits"
    else:
        doc = _sagemaker_config(tmp_path, evaluation, channels)
    with pytest.raises(ConfigError) as info:
        parse_config(doc, tmp_path)
    assert info.value.path == path, str(info.value)
    assert rule is None or rule in info.value.rule, str(info.value)


def test_the_schemas_describe_evaluation(capsys):
    assert main(["schema", "sagemaker"]) == 0
    sm = json.loads(capsys.readouterr().out)
    kinds = [
        v["properties"]["Type"]["const"]
        for v in sm["properties"]["Evaluation"]["anyOf"][0]["oneOf"]
    ]
    assert kinds == ["Holdout", "KFold"]
    assert main(["schema", "amtune"]) == 0
    am = json.loads(capsys.readouterr().out)
    text = json.dumps(am["properties"]["evaluation"])
    assert '"validation_fraction"' in text and '"ValidationFraction"' in text


def test_amtune_run_with_kfold_and_its_describe_output_runs_again(tmp_path, capsys):
    doc = _sagemaker_config(tmp_path, {"Type": "KFold", "K": 3})
    p = tmp_path / "tune.yaml"
    p.write_text(yaml.safe_dump(doc))
    db = str(tmp_path / "a.db")
    assert main(["run", str(p), "--name", "cfg-kf", "--db", db, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["describe", "cfg-kf", "--db", db, "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["Evaluation"] == {"Type": "KFold", "K": 3, "Seed": 0, "Shuffle": True}
    jobs = amtune.HyperparameterTuner.attach("cfg-kf", db=db).store.training_jobs("cfg-kf")
    assert [j["final_metrics"]["overlap"] for j in jobs] == [0, 0]
    again = parse_config(described, tmp_path)
    assert again.tuner_kwargs["evaluation"] == KFold(3)


def test_amtune_run_with_more_folds_than_records_is_a_config_error(tmp_path, capsys):
    doc = _amtune_config(tmp_path, {"Type": "KFold", "K": 13})
    p = tmp_path / "tune.yaml"
    p.write_text(yaml.safe_dump(doc))
    db = tmp_path / "a.db"
    assert main(["run", str(p), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "evaluation.K: 13 folds need at least 13 records in the train channel, got 12" in err
    assert not db.exists()  # a config error: nothing is written

"""Deploying tuning/training jobs from the store, the CLI, metrics and online testing, against a
real endpoint service and model servers on 127.0.0.1 (bounded)."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn")
import amtune
from amtune.cli import main
from amtune.serve import online
from amtune.serve.deployment import deploy
from amtune.serve.service import EndpointService

TRAIN = textwrap.dedent(
    """
    import argparse, json, os
    p = argparse.ArgumentParser()
    p.add_argument("--threshold", type=float)
    a, _ = p.parse_known_args()
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"threshold": a.threshold}, f)
    print(f"score: {-abs(a.threshold - 0.5)}")
    """
)
INFERENCE = textwrap.dedent(
    """
    import json, os

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["threshold"]

    def predict_fn(data, model):
        return [1 if x > model else 0 for x in data.reshape(-1)]
    """
)


@pytest.fixture
def tuned(tmp_path: Path) -> tuple[Path, str, list[str]]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "inference.py").write_text(INFERENCE)
    db = tmp_path / "amtune.db"
    tuner = amtune.HyperparameterTuner(
        "score",
        {"threshold": amtune.CategoricalParameter(["0.2", "0.5", "0.8"])},
        metric_definitions=[{"Name": "score", "Regex": r"score: (\S+)"}],
        strategy="Grid",
        max_jobs=3,
        working_dir=src,
        db=db,
        quiet=True,
    )
    tuner.fit([sys.executable, "train.py"], job_name="tj")
    jobs = [r["name"] for r in tuner.store.training_jobs("tj")]
    return db, "tj", jobs


@pytest.fixture
def service(tuned: tuple[Path, str, list[str]]) -> Iterator[EndpointService]:
    svc = EndpointService(tuned[0], seed=1).start()
    try:
        yield svc
    finally:
        svc.stop()


def _hp(db: Path, job: str) -> float:
    from amtune.serve.state import ServeState

    st = ServeState(db)
    row = st.one("SELECT hyperparameters FROM training_jobs WHERE name = ?", (job,))
    st.close()
    assert row is not None
    return float(json.loads(row["hyperparameters"])["threshold"])


def test_deploy_best_training_job_of_a_tuning_job(
    tuned: tuple[Path, str, list[str]], service: EndpointService
) -> None:
    db, tj, _ = tuned
    p = deploy(tj, db=db, url=service.url, endpoint_name="best")
    assert p.describe()["EndpointStatus"] == "InService"
    # the best job has threshold 0.5: 0.6 -> 1, 0.4 -> 0
    assert p.predict([[0.6], [0.4]]) == [1, 0]
    assert p.last_variant == "AllTraffic" and p.last_inference_id
    with pytest.deprecated_call(match="endpoint_name"):  # the SDK v1 name, kept by v2
        assert p.endpoint == "best"


def test_cli_variants_shadow_metrics_online_and_thompson(
    tuned: tuple[Path, str, list[str]], service: EndpointService, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _, jobs = tuned
    by_t = {_hp(db, j): j for j in jobs}
    args = ["--db", str(db), "--url", service.url]
    from amtune.serve.state import ServeState

    st = ServeState(db)
    seq_a = st.one("SELECT seq FROM training_jobs WHERE name = ?", (by_t[0.2],))["seq"]  # type: ignore[index]
    st.close()
    # variants named within the tuning job: by sequence number and "best" (threshold 0.5)
    rc = main(
        [
            "deploy",
            "tj",
            *args,
            "--endpoint-name",
            "ab",
            "--variant",
            f"A={seq_a}:0.5",
            "--variant",
            "B=best:0.5",
            "--shadow",
            f"S={by_t[0.8]}",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "Endpoint ab: InService" in out and "S (shadow)" in out
    from amtune.serve.deployment import Predictor

    p = Predictor("ab", service.url)
    # live traffic with ground truth: y = 1 when x > 0.5, so B (threshold 0.5) is right
    import numpy as np

    rng = np.random.default_rng(0)
    ids = []
    for x in rng.uniform(0, 1, 300):
        p.predict([[x]])
        ids.append((p.last_inference_id, int(x > 0.5)))
    deadline = time.monotonic() + 60
    while True:  # shadow copies are answered in the background: wait for all 300
        service.flush()
        row = service.state.one(
            "SELECT COUNT(*) AS n FROM serve_inferences WHERE endpoint = 'ab' AND variant = 'S'"
        )
        if row is not None and row["n"] == 300:
            break
        assert time.monotonic() < deadline, row
        time.sleep(0.1)
    for iid, y in ids:
        p.feedback(iid, y)
    rep = online.evaluate(service.state, "ab", "accuracy")
    vals = {v.variant: v for v in rep.variants}
    assert vals["B"].value == 1.0 and vals["A"].value is not None and vals["A"].value < 0.9
    assert vals["S"].shadow and vals["S"].n == 300  # the shadow answered every request
    assert rep.best == "B" and rep.comparisons[0]["probability"] > 0.99
    assert "variant B is better than variant A with probability" in rep.statement()
    rc = main(["endpoint", "online", *args, "ab"])
    assert "variant B is better" in capsys.readouterr().out

    # metrics: the GetMetricStatistics-shaped call and the CLI
    rc = main(["endpoint", "metrics", *args, "ab", "--metric", "Invocations", "--json"])
    doc = json.loads(capsys.readouterr().out)
    n = {v: sum(d["Sum"] for d in pts["Invocations"]) for v, pts in doc.items()}
    assert n["A"] + n["B"] == 300 and n["S"] == 300
    assert 100 < n["A"] < 200

    # Thompson sampling moves weight to B, keeps the floor on A, records the change
    sh = service.shift_traffic("ab", metric="accuracy", floor=0.1, interval=3600, min_feedback=20)
    w = sh.step()
    assert w is not None and w["A"] == pytest.approx(0.1, abs=1e-3) and w["B"] > 0.89
    d = p.describe()
    assert {v["VariantName"]: round(v["CurrentWeight"], 3) for v in d["ProductionVariants"]} == {
        "A": round(w["A"], 3),
        "B": round(w["B"], 3),
    }
    hist = service.state.weight_history("ab")
    assert hist[-1]["reason"].startswith("ThompsonSampling(accuracy")
    rc = main(["endpoint", "history", "--db", str(db), "ab"])
    assert "ThompsonSampling" in capsys.readouterr().out


def test_online_metrics_rmse_auc_reward() -> None:
    rng = np.random.default_rng(1) if (np := pytest.importorskip("numpy")) else None
    assert rng is not None
    z = 1.96
    pairs: list[tuple[float | None, Any]] = [(float(i), float(i) + 1.0) for i in range(50)]
    post = online._posterior(online.OnlineMetric.RMSE, pairs, z, rng)
    assert post is not None and post.value == pytest.approx(1.0)
    pairs = [(0.9, 1), (0.8, 1), (0.3, 0), (0.1, 0), (0.6, 0), (0.5, 1)]
    post = online._posterior(online.OnlineMetric.AUC, pairs, z, rng)
    assert post is not None and post.value == pytest.approx(8 / 9)
    post = online._posterior(online.OnlineMetric.REWARD, [(None, 1), (None, 0), (None, 1)], z, rng)
    assert post is not None and post.value == pytest.approx(2 / 3)
    assert online.thompson_weights({"A": 0.0, "B": 1.0}, 0.05) == pytest.approx(
        {"A": 0.05, "B": 0.95}
    )
    with pytest.raises(ValueError, match="floor"):
        online.thompson_weights({"A": 0.5, "B": 0.5}, 0.6)
    assert online.first_number(b'{"predictions": [0.25, 1]}') == 0.25
    assert online.first_number(b"3.5,1\n2,2") == 3.5


def test_deploy_errors_name_the_problem(tuned: tuple[Path, str, list[str]]) -> None:
    db, _, _ = tuned
    from amtune.store import NotFoundError

    with pytest.raises(NotFoundError, match="no tuning job or training job named 'nope'"):
        deploy("nope", db=db, url="http://127.0.0.1:1")
    with pytest.raises(ValueError, match="initial_instance_count"):
        deploy("tj", db=db, initial_instance_count=0)
    with pytest.raises(ValueError, match="weight of 'A'"):
        deploy(variants={"A": ("x", -1.0)}, db=db)


def test_detached_service_cli_list_and_shutdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    from amtune.serve.deployment import service_url
    from amtune.serve.state import ServeState

    db = tmp_path / "amtune.db"
    url = service_url(db)  # starts `python -m amtune.serve` detached
    assert url.startswith("http://127.0.0.1:")
    assert service_url(db) == url  # reused while it runs
    st = ServeState(db)
    row = st.service()
    assert row is not None
    pid = int(row["pid"])
    try:
        assert main(["endpoint", "list", "--db", str(db)]) == 0
        assert main(["endpoint", "shutdown", "--db", str(db)]) == 0
        assert "stopping" in capsys.readouterr().out
        deadline = time.monotonic() + 30
        while st.service() is not None:  # it clears its row when it stops
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        st.close()

"""The XGBoost framework container's own modules, as script-mode scripts written for it import
them (``sagemaker_containers.entry_point``, ``sagemaker_xgboost_container.data_utils`` /
``.distributed`` / ``.encoder``): an unchanged script trains, tunes and serves."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")

from amtune.container_modules import append_to_python_path, python_path  # noqa: E402

if python_path() not in sys.path:  # as a training job's PYTHONPATH has it
    sys.path.append(python_path())

# a script in the style of AWS's XGBoost script-mode examples
TRAIN = textwrap.dedent(
    """
    import argparse, os, pickle
    import xgboost as xgb
    from sagemaker_containers import entry_point
    from sagemaker_xgboost_container import distributed
    from sagemaker_xgboost_container.data_utils import get_dmatrix

    def _train(params, dtrain, evals, num_boost_round, model_dir, is_master):
        booster = xgb.train(params=params, dtrain=dtrain, evals=evals,
                            num_boost_round=num_boost_round)
        if is_master:
            with open(os.path.join(model_dir, "xgboost-model"), "wb") as f:
                pickle.dump(booster, f)

    if __name__ == "__main__":
        p = argparse.ArgumentParser()
        p.add_argument("--max_depth", type=int, default=3)
        p.add_argument("--num_round", type=int, default=5)
        p.add_argument("--model_dir", default=os.environ["SM_MODEL_DIR"])
        p.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
        p.add_argument("--validation", default=os.environ.get("SM_CHANNEL_VALIDATION"))
        a, _ = p.parse_known_args()
        dtrain = get_dmatrix(a.train, "libsvm")
        dval = get_dmatrix(a.validation, "libsvm")
        evals = [(dtrain, "train")] + ([(dval, "validation")] if dval is not None else [])
        args = dict(params={"max_depth": a.max_depth, "objective": "reg:squarederror"},
                    dtrain=dtrain, evals=evals, num_boost_round=a.num_round,
                    model_dir=a.model_dir)
        hosts = ["algo-1"]
        entry_point._wait_hostname_resolution()
        distributed.rabit_run(exec_fun=_train, args=args, include_in_training=dtrain is not None,
                              hosts=hosts, current_host="algo-1", update_rabit_args=True)

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "xgboost-model"), "rb") as f:
            return pickle.load(f)

    def input_fn(body, content_type):
        import sagemaker_xgboost_container.encoder as enc
        if content_type == "text/libsvm":
            return enc.libsvm_to_dmatrix(body)
        raise ValueError(content_type)
    """
)


def _libsvm(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ [1.0, 2.0, -1.0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"{t:.4f} " + " ".join(f"{j + 1}:{v:.4f}" for j, v in enumerate(r)) + "\n"
                for t, r in zip(y, X, strict=True))
    )  # fmt: skip


def test_an_unchanged_container_script_trains_tunes_and_serves(tmp_path: Path) -> None:
    import amtune

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "abalone_like.py").write_text(TRAIN)
    _libsvm(tmp_path / "train" / "d.libsvm", 120, 0)
    _libsvm(tmp_path / "validation" / "d.libsvm", 40, 1)
    est = amtune.XGBoost(
        entry_point="abalone_like.py", source_dir=str(tmp_path / "src"), framework_version="1.7-1",
        hyperparameters={"num_round": 5}, db=tmp_path / "amtune.db", notices=False,
    )  # fmt: skip
    chans = {"train": str(tmp_path / "train"), "validation": str(tmp_path / "validation")}
    tuner = amtune.HyperparameterTuner(
        est, "validation:rmse", {"max_depth": amtune.IntegerParameter(2, 4)},
        objective_type="Minimize", max_jobs=2, quiet=True,
    )  # fmt: skip
    tuner.fit(chans, job_name="container-mods")
    d = tuner.describe()
    assert d["TrainingJobStatusCounters"]["Completed"] == 2, d
    pytest.importorskip("uvicorn")
    from amtune.serve.service import EndpointService

    svc = EndpointService(tmp_path / "amtune.db").start()
    try:
        p = tuner.deploy(1, "ml.m5.large", endpoint_name="mods", url=svc.url)
        line = (tmp_path / "validation" / "d.libsvm").read_text().splitlines()[0]
        out = p.predict(line, initial_args={"ContentType": "text/libsvm"})
        assert abs(float(np.asarray(out).ravel()[0]) - float(line.split()[0])) < 3.0
        p.delete_endpoint()
    finally:
        svc.stop()


def test_get_dmatrix_reads_as_the_container() -> None:
    from sagemaker_xgboost_container.data_utils import get_content_type

    with pytest.raises(ValueError, match="label_size must be 1"):
        get_content_type("text/csv; label_size=2")
    assert get_content_type(None) == "libsvm" and get_content_type("text/x-libsvm") == "libsvm"
    assert get_content_type("application/x-parquet") == "parquet"
    with pytest.raises(ValueError, match="not supported"):
        get_content_type("application/x-recordio-protobuf")


def test_dmatrices_and_rabit(tmp_path: Path) -> None:
    from sagemaker_xgboost_container import distributed, encoder
    from sagemaker_xgboost_container.data_utils import get_dmatrix

    (tmp_path / "empty").mkdir()
    assert get_dmatrix(str(tmp_path / "empty"), "csv") is None
    assert get_dmatrix(str(tmp_path / "missing"), "csv") is None
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "a.csv").write_text("1,2,0.5\n0,1,\n")
    weighted = get_dmatrix(str(tmp_path / "csv"), "text/csv", csv_weights=1)
    assert weighted.num_row() == 2 and weighted.num_col() == 1
    assert list(weighted.get_weight()) == [2.0, 1.0]
    with pytest.raises(ValueError, match="Pipe mode"):
        get_dmatrix(str(tmp_path / "csv"), "csv", is_pipe=True)
    # libsvm as XGBoost's parser reads it: an index is a column, absent is missing
    m = encoder.libsvm_to_dmatrix(b"0 1:0.5 3:2\n1 2:1\n")
    assert (m.num_row(), m.num_col()) == (2, 4)
    assert encoder.decode("1,2\n3,", "text/csv").num_col() == 2
    assert encoder.json_to_jsonlines({"predictions": [{"score": 1}, {"score": 2}]}) == (
        b'{"score": 1}\n{"score": 2}\n'
    )
    got = distributed.rabit_run(
        lambda **kw: kw, {"a": 1}, True, ["algo-1"], "algo-1", update_rabit_args=True
    )
    assert got == {"a": 1, "is_master": True}
    with pytest.raises(ValueError, match="one host"):
        distributed.rabit_run(lambda **kw: kw, {}, True, ["algo-1", "algo-2"], "algo-1")


def test_the_stand_ins_come_after_real_modules() -> None:
    env = {"PYTHONPATH": "/somewhere"}
    append_to_python_path(env)
    append_to_python_path(env)  # once
    assert env["PYTHONPATH"].split(os.pathsep) == ["/somewhere", python_path()]
    code = "import sagemaker_xgboost_container.data_utils as d; print(d.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert out.stdout.strip().startswith(python_path()), out.stderr

"""What a script-mode training job sees, as AWS notebooks' scripts read it (notebook sweep 8):

- F1: ``from sagemaker_training import environment; environment.Environment()`` works in every
  script-mode job (amtune's stand-in, appended after everything on ``PYTHONPATH``, so a real
  ``sagemaker-training`` wins) and ``SAGEMAKER_BASE_DIR`` is the job's directory, laid out as the
  toolkit expects ``/opt/ml`` (``input/config/*.json``, ``input/data/<channel>``, ``model``,
  ``output/data``);
- F4: a channel given as an S3 key prefix that is not a directory (``.../csv/train`` selecting
  ``csv/train.csv``) gets every file whose path starts with it, named as SageMaker names the
  objects of a partial prefix (their path below the prefix's directory); a prefix that selects
  nothing stays an error naming the channel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import amtune
from amtune.container_modules import python_path
from amtune.sagemaker import toolkit
from amtune.sagemaker.estimator import SKLearn

METRICS = [{"Name": "loss", "Regex": r"loss: ([0-9.]+)"}]

# the pytorch_local_mode_cifar10 / sagemaker-script-mode scripts' use of the toolkit
ENV_SCRIPT = textwrap.dedent(
    """
    import json, os
    import sagemaker_training
    from sagemaker_training import environment

    if __name__ == "__main__":
        env = environment.Environment()
        names = ["hosts", "current_host", "channel_input_dirs", "model_dir", "output_data_dir",
                 "hyperparameters", "num_gpus", "num_cpus", "module_dir", "user_entry_point",
                 "module_name", "log_level", "job_name", "current_instance_type", "is_master",
                 "additional_framework_parameters", "input_data_config"]
        out = {n: getattr(env, n) for n in names}
        out["file"] = sagemaker_training.__file__
        out["base"] = os.environ["SAGEMAKER_BASE_DIR"]
        out["cmd_args"] = env.to_cmd_args()
        out["sm_hps"] = env.to_env_vars()["SM_HPS"]
        out["channel_files"] = {k: sorted(os.listdir(v)) for k, v in env.channel_input_dirs.items()}
        with open(os.path.join(env.model_dir, "env.json"), "w") as f:
            json.dump(out, f)
        print("loss: 0.5")
    """
)


def _job_json(est: SKLearn) -> dict:
    return json.loads((Path(est.model_data) / "env.json").read_text())


def test_sagemaker_training_environment_in_a_training_job(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(ENV_SCRIPT)
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "a.csv").write_text("1,2\n")
    est = SKLearn(
        "train.py",
        source_dir=str(tmp_path / "src"),
        hyperparameters={"epochs": 2, "lr": 0.5, "opt": "sgd"},
        metric_definitions=METRICS,
        db=tmp_path / "amtune.db",
        notices=False,
    )
    est.fit({"training": amtune.TrainingInput(str(tmp_path / "train"), content_type="text/csv")},
            job_name="envjob", logs=False)  # fmt: skip
    got = _job_json(est)
    job = Path(est.model_data).parent
    assert got["file"].startswith(python_path())  # the stand-in (no real toolkit here)
    assert got["base"] == str(job)  # SAGEMAKER_BASE_DIR: the job's /opt/ml
    assert got["hosts"] == ["algo-1"] and got["current_host"] == "algo-1" and got["is_master"]
    assert got["channel_input_dirs"] == {"training": str(job / "input" / "data" / "training")}
    assert got["channel_files"] == {"training": ["a.csv"]}
    assert got["model_dir"] == str(job / "model") == est.model_data
    assert got["output_data_dir"] == str(job / "output" / "data")
    assert got["hyperparameters"] == {"epochs": 2, "lr": 0.5, "opt": "sgd"}
    assert got["num_gpus"] == 0 and got["num_cpus"] == (os.cpu_count() or 1)
    assert got["module_dir"] == str((tmp_path / "src").resolve())
    assert got["user_entry_point"] == "train.py" and got["module_name"] == "train"
    assert got["log_level"] == 20 and got["job_name"] == "envjob"
    assert got["current_instance_type"] == "local"
    assert got["input_data_config"]["training"]["ContentType"] == "text/csv"
    assert "sagemaker_program" not in got["hyperparameters"]
    assert got["cmd_args"] == ["--epochs", "2", "--lr", "0.5", "--opt", "sgd"]
    assert json.loads(got["sm_hps"]) == got["hyperparameters"]


def test_the_layout_is_what_the_toolkit_reads_under_its_base_dir(tmp_path: Path) -> None:
    """Every path the ``sagemaker-training`` toolkit derives from ``SAGEMAKER_BASE_DIR`` exists
    in the job's directory, and the stand-in reads them there outside a training job too."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1\n")
    lay = toolkit.JobLayout(tmp_path / "job")
    te = toolkit.prepare(lay, "j", {"a": '"b"', "sagemaker_program": '"t.py"'},
                         {"train": tmp_path / "data"})  # fmt: skip
    assert te.env["SAGEMAKER_BASE_DIR"] == str(lay.root)
    for rel in ("input/config/hyperparameters.json", "input/config/resourceconfig.json",
                "input/config/inputdataconfig.json", "input/data/train/x.csv", "model",
                "output/data", "output/intermediate"):  # fmt: skip
        assert (lay.root / rel).exists(), rel
    code = (
        "from sagemaker_training import environment as e; import json; x = e.Environment(); "
        "print(json.dumps([x.hyperparameters, x.channel_input_dirs, x.model_dir, x.hosts, "
        "x.user_entry_point, e.base_dir]))"
    )
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(lay.root), "PYTHONPATH": python_path()}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    hps, chans, model, hosts, entry, base = json.loads(out.stdout)
    assert hps == {"a": "b"} and hosts == ["algo-1"] and entry == "t.py"
    assert chans == {"train": str(lay.root / "input" / "data" / "train")}
    assert model == str(lay.model_dir) and base == str(lay.root)


def test_an_installed_sagemaker_training_wins_over_the_stand_in(tmp_path: Path) -> None:
    real = tmp_path / "site" / "sagemaker_training"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("")
    (real / "environment.py").write_text("class Environment:\n    hosts = ['real']\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(
        "import os\nfrom sagemaker_training import environment\n"
        "open(os.path.join(os.environ['SM_MODEL_DIR'], 'h'), 'w').write("
        "environment.Environment().hosts[0])\nprint('loss: 1')\n"
    )
    est = SKLearn("train.py", source_dir=str(tmp_path / "src"), metric_definitions=METRICS,
                  environment={"PYTHONPATH": str(tmp_path / "site")},
                  db=tmp_path / "amtune.db", notices=False)  # fmt: skip
    est.fit(logs=False)
    assert (Path(est.model_data) / "h").read_text() == "real"


# ---------------------------------------------------------------------- F4: key prefixes
@pytest.fixture
def bucket(tmp_path: Path) -> Path:
    """The sagemaker-script-mode notebook's upload: csv/train.csv and csv/test.csv, plus a
    folder whose name also starts with the prefix."""
    csv = tmp_path / "bucket" / "script-mode-workflow" / "csv"
    (csv / "train-extra").mkdir(parents=True)
    (csv / "train.csv").write_text("1,2\n")
    (csv / "test.csv").write_text("3,4\n")
    (csv / "train-extra" / "more.csv").write_text("5,6\n")
    return csv


LIST_SCRIPT = textwrap.dedent(
    """
    import json, os
    out = {}
    for ch in json.loads(os.environ["SM_CHANNELS"]):
        d = os.environ["SM_CHANNEL_" + ch.upper()]
        out[ch] = sorted(os.path.relpath(os.path.join(r, f), d)
                         for r, _, fs in os.walk(d, followlinks=True) for f in fs)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "files.json"), "w") as f:
        json.dump(out, f)
    print("loss: 1")
    """
)


def test_a_channel_given_as_a_key_prefix_gets_the_files_it_selects(
    tmp_path: Path, bucket: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(LIST_SCRIPT)
    est = SKLearn("train.py", source_dir=str(tmp_path / "src"), metric_definitions=METRICS,
                  db=tmp_path / "amtune.db", notices=False)  # fmt: skip
    est.fit({"train": f"{bucket}/train", "test": f"file://{bucket}/test"}, logs=False)
    files = json.loads((Path(est.model_data) / "files.json").read_text())
    # named by their path below the prefix's directory, as SageMaker names a partial match
    assert files == {"train": ["train-extra/more.csv", "train.csv"], "test": ["test.csv"]}
    # the request keeps the prefix itself, as SageMaker's S3Uri
    uris = [c["DataSource"]["S3DataSource"]["S3Uri"] for c in est.describe()["InputDataConfig"]]
    assert uris == [f"file://{bucket}/train", f"file://{bucket}/test"]
    # a tuning job of the estimator takes the same channels
    tuner = amtune.HyperparameterTuner(est, "loss", {"x": amtune.ContinuousParameter(0, 1)},
                                       objective_type="Minimize", max_jobs=1, quiet=True)  # fmt: skip
    tuner.fit({"train": f"{bucket}/train"})
    assert tuner.describe()["HyperParameterTuningJobStatus"] == "Completed"


def test_a_prefix_that_selects_nothing_is_an_error_naming_the_channel(
    tmp_path: Path, bucket: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(LIST_SCRIPT)
    est = SKLearn("train.py", source_dir=str(tmp_path / "src"), metric_definitions=METRICS,
                  db=tmp_path / "amtune.db", notices=False)  # fmt: skip
    with pytest.raises(ValueError, match=r"inputs\['validation'\]: the channel's data must exist"):
        est.fit({"validation": f"{bucket}/validation"}, logs=False)
    # with a trailing slash a prefix names a directory: csv/train/ selects nothing
    with pytest.raises(ValueError, match=r"inputs\['train'\]: .*S3 key prefix"):
        est.fit({"train": f"{bucket}/train/"}, logs=False)


def test_stage_channel_and_s3_listing_share_the_prefix_rule(tmp_path: Path, bucket: Path) -> None:
    target = toolkit.stage_channel(bucket / "tr", tmp_path / "job" / "input" / "data" / "train")
    staged = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert staged == ["train-extra/more.csv", "train.csv"]
    assert (target / "train.csv").read_text() == "1,2\n"
    listed = amtune.s3.S3Downloader.list(str(bucket / "tr"))
    assert listed == [str(bucket / "train-extra" / "more.csv"), str(bucket / "train.csv")]
    with pytest.raises(FileNotFoundError, match="no file whose path starts with it"):
        toolkit.stage_channel(bucket / "nothing", tmp_path / "x")

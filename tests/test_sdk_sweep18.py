"""Notebook re-check 18: the request fields with no local meaning are reported as the SDK sends them.

The SDK's tuner sends the estimator's ``RoleArn``, ``ResourceConfig`` (with ``VolumeSizeInGB``,
30 by default), ``OutputDataConfig``, ``CheckpointConfig``, the spot job's
``StoppingCondition.MaxWaitTimeInSeconds`` and the flags in the tuning job's
``TrainingJobDefinition``; SageMaker reports them there and in each training job's description.
A ``CreateHyperParameterTuningJob`` request sent as a config file keeps them the same way, and a
CreateTrainingJob request keeps its ``CheckpointConfig`` and ``VpcConfig``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import amtune
from amtune.cli import main as cli_main
from amtune.sagemaker.estimator import Estimator
from amtune.sagemaker.training import describe_training_job
from amtune.store import Store
from amtune.tuning.tuner import HyperparameterTuner

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
TRAIN = "import json, sys\nprint('loss=' + str(float(sys.argv[sys.argv.index('--x') + 1])))\n"


def _estimator(tmp_path: Path, **kw: object) -> Estimator:
    (tmp_path / "train.py").write_text(TRAIN)
    return Estimator(
        command=[sys.executable, str(tmp_path / "train.py")],
        metric_definitions=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}],
        db=tmp_path / "amtune.db",
        notices=False,
        **kw,
    )


def test_estimator_cloud_fields_are_the_sdk_request(tmp_path: Path) -> None:
    est = _estimator(
        tmp_path,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        instance_count=2,
        volume_size=50,
        output_path="s3://bucket/out",
        use_spot_instances=True,
        max_run=600,
        max_wait=1200,
        checkpoint_s3_uri="s3://bucket/ckpt",
    )
    fields = est.cloud_fields()
    assert fields["ResourceConfig"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 2,
        "VolumeSizeInGB": 50,
    }
    assert fields["StoppingCondition"] == {"MaxRuntimeInSeconds": 600, "MaxWaitTimeInSeconds": 1200}
    assert fields["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/out"}
    assert fields["CheckpointConfig"] == {"S3Uri": "s3://bucket/ckpt"}
    assert fields["RoleArn"] == ROLE and fields["EnableManagedSpotTraining"] is True
    # the SDK's default volume, no role, no output path, no checkpoints
    bare = _estimator(tmp_path).cloud_fields()
    assert bare["ResourceConfig"]["VolumeSizeInGB"] == 30
    assert not {"RoleArn", "OutputDataConfig", "CheckpointConfig"} & set(bare)


def test_tuning_job_definition_and_its_training_jobs_report_them(tmp_path: Path) -> None:
    est = _estimator(
        tmp_path,
        role=ROLE,
        instance_type="ml.c5.2xlarge",
        output_path="s3://bucket/out",
        checkpoint_s3_uri="s3://bucket/ckpt",
        checkpoint_local_path="/opt/ml/checkpoints",
        enable_network_isolation=True,
    )
    tuner = HyperparameterTuner(
        est,
        "loss",
        {"x": amtune.ContinuousParameter(0.0, 1.0)},
        objective_type="Minimize",
        strategy="Random",
        max_jobs=2,
        max_parallel_jobs=1,
        quiet=True,
    )
    tuner.fit(job_name="cloud-fields")
    tjd = tuner.describe()["TrainingJobDefinition"]
    assert tjd["RoleArn"] == ROLE
    assert tjd["ResourceConfig"] == {
        "InstanceType": "ml.c5.2xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
    }
    assert tjd["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/out"}
    assert tjd["CheckpointConfig"] == {
        "S3Uri": "s3://bucket/ckpt",
        "LocalPath": "/opt/ml/checkpoints",
    }
    assert tjd["EnableNetworkIsolation"] is True
    store = Store(tmp_path / "amtune.db")
    first = tuner.best_training_job()
    job = describe_training_job(store, first)
    assert job["RoleArn"] == ROLE and job["ResourceConfig"] == tjd["ResourceConfig"]
    assert job["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/out"}
    assert job["CheckpointConfig"] == tjd["CheckpointConfig"]
    assert job["EnableNetworkIsolation"] is True
    # attach keeps them for the jobs of a new fit (the stored definition is read back)
    attached = HyperparameterTuner.attach("cloud-fields", db=tmp_path / "amtune.db")
    assert attached.cloud_fields["RoleArn"] == ROLE
    assert attached.cloud_fields["ResourceConfig"] == tjd["ResourceConfig"]


def test_a_tuning_request_keeps_its_cloud_fields(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    request = {
        "HyperParameterTuningJobName": "request-fields",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingCommand": [sys.executable, "train.py"],
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}],
            },
            "RoleArn": ROLE,
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 300, "MaxWaitTimeInSeconds": 600},
            "EnableManagedSpotTraining": True,
        },
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    db = tmp_path / "amtune.db"
    assert cli_main(["run", str(path), "--db", str(db), "--quiet"]) == 0
    cfg = Store(db).get_tuning_job("request-fields")["config"]
    tjd = cfg["TrainingJobDefinition"]
    assert tjd["RoleArn"] == ROLE
    assert tjd["ResourceConfig"]["VolumeSizeInGB"] == 10
    assert tjd["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/out"}
    assert tjd["StoppingCondition"] == {"MaxRuntimeInSeconds": 300, "MaxWaitTimeInSeconds": 600}
    assert tjd["EnableManagedSpotTraining"] is True


def test_a_training_request_keeps_checkpoint_and_vpc_config(tmp_path: Path) -> None:
    from amtune.sagemaker.train_request import parse_training_request

    (tmp_path / "train.py").write_text(TRAIN)
    doc = {
        "TrainingJobName": "with-checkpoints",
        "AlgorithmSpecification": {
            "TrainingCommand": [sys.executable, "train.py"],
            "TrainingInputMode": "File",
        },
        "RoleArn": ROLE,
        "CheckpointConfig": {"S3Uri": "s3://bucket/ckpt"},
        "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
    }
    req = parse_training_request(doc, tmp_path)
    assert req.request["CheckpointConfig"] == {"S3Uri": "s3://bucket/ckpt"}
    assert req.request["VpcConfig"]["Subnets"] == ["subnet-1"]
    assert req.request["RoleArn"] == ROLE


def test_attach_rebuilds_the_estimator_with_its_cloud_fields(tmp_path: Path) -> None:
    est = _estimator(
        tmp_path,
        role=ROLE,
        instance_type="ml.m5.xlarge",
        volume_size=75,
        use_spot_instances=True,
        max_run=600,
        max_wait=900,
        checkpoint_s3_uri="s3://bucket/ckpt",
        hyperparameters={"x": 0.5},
    )
    est.fit(job_name="spot-job")
    attached = Estimator.attach("spot-job", db=tmp_path / "amtune.db")
    assert attached.role == ROLE and attached.volume_size == 75 and attached.max_wait == 900
    assert attached.cloud_fields() == est.cloud_fields()
    # a job without a role: the local placeholder its description shows is not taken as one
    bare = _estimator(tmp_path, hyperparameters={"x": 0.5})
    bare.fit(job_name="no-role-job")
    assert Estimator.attach("no-role-job", db=tmp_path / "amtune.db").role is None


def test_secondary_status_transitions_of_a_failed_and_a_running_job() -> None:
    from amtune.enums import TrainingJobStatus
    from amtune.sagemaker.training import secondary_status_transitions

    failed = secondary_status_transitions(TrainingJobStatus.FAILED, 1.0, 2.0, 5.0, "exit code 1")
    assert [t["Status"] for t in failed] == ["Starting", "Training", "Failed"]
    assert failed[-1]["StatusMessage"].endswith("Reason: exit code 1")
    running = secondary_status_transitions(TrainingJobStatus.IN_PROGRESS, 1.0, None, None)
    assert [t["Status"] for t in running] == ["Starting"] and "EndTime" not in running[0]
    # stopped before it started: Starting ends when it stopped
    stopped = secondary_status_transitions(TrainingJobStatus.STOPPED, 1.0, None, 3.0)
    assert [t["Status"] for t in stopped] == ["Starting", "Stopped"]
    assert stopped[0]["EndTime"] == stopped[1]["StartTime"]

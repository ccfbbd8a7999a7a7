"""The SageMaker training toolkit's contract (decoding, sagemaker_* entries, SM_* environment,
input/config files, channels) and CloudWatch's rendering of control characters, as units."""

import json
import os

import pytest

from amtune.metrics import MetricParser
from amtune.sagemaker import cloudwatch, toolkit
from amtune.sagemaker.exceptions import UnexpectedStatusException

# what the SageMaker SDK sends for an SKLearn estimator (framework: every value JSON-encoded)
SDK_HPS = {
    "n-estimators": "100",
    "min-samples-leaf": "3",
    "features": '"MedInc HouseAge AveRooms"',
    "target": '"target"',
    "verbosity": '"2"',
    "use-gpu": "false",
    "sagemaker_program": '"script.py"',
    "sagemaker_submit_directory": '"s3://bucket/job/source/sourcedir.tar.gz"',
    "sagemaker_container_log_level": "20",
    "sagemaker_job_name": '"rf-job"',
    "sagemaker_region": '"us-west-2"',
    "sagemaker_estimator_class_name": '"SKLearn"',
    "sagemaker_estimator_module": '"sagemaker.sklearn.estimator"',
}


def test_hyperparameters_are_json_decoded_like_the_toolkit():
    d = toolkit.decode_hyperparameters(SDK_HPS)
    assert d["n-estimators"] == 100 and d["target"] == "target" and d["verbosity"] == "2"
    assert d["features"] == "MedInc HouseAge AveRooms" and d["use-gpu"] is False
    # a string that is not JSON stays as it is
    assert toolkit.decode_value("MedInc HouseAge") == "MedInc HouseAge"
    assert toolkit.decode_value("007") == "007"
    assert toolkit.decode_value(0.5) == 0.5  # Python values from the API pass through


def test_sagemaker_entries_are_split_off_and_the_rest_become_sorted_arguments():
    user, container = toolkit.split_sagemaker(toolkit.decode_hyperparameters(SDK_HPS))
    assert set(container) == {k for k in SDK_HPS if k.startswith("sagemaker_")}
    assert toolkit.to_cmd_args(user) == [
        "--features",
        "MedInc HouseAge AveRooms",
        "--min-samples-leaf",
        "3",
        "--n-estimators",
        "100",
        "--target",
        "target",
        "--use-gpu",
        "False",
        "--verbosity",
        "2",
    ]
    assert toolkit.to_cmd_args({"a": 1}, short_options=True) == ["-a", "1"]
    assert toolkit.to_cmd_args({"m": {"b": 2, "a": 1}}) == ["--m", "a=1,b=2"]


def test_prepare_writes_the_config_files_and_the_full_environment(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("1,2\n")
    single = tmp_path / "test.csv"
    single.write_text("3,4\n")
    lay = toolkit.JobLayout(tmp_path / "job")
    te = toolkit.prepare(
        lay, "rf-001", SDK_HPS, {"train": data, "test": single}, module_dir=tmp_path, num_cpus=2
    )
    cfg = lay.input_config_dir
    assert json.loads((cfg / "hyperparameters.json").read_text()) == SDK_HPS  # strings, as sent
    rc = json.loads((cfg / "resourceconfig.json").read_text())
    assert rc["current_host"] == "algo-1" and rc["hosts"] == ["algo-1"]
    idc = json.loads((cfg / "inputdataconfig.json").read_text())
    assert set(idc) == {"train", "test"} and idc["train"]["TrainingInputMode"] == "File"
    env = te.env
    for k in (
        "SM_TRAINING_ENV",
        "SM_INPUT_DIR",
        "SM_INPUT_CONFIG_DIR",
        "SM_USER_ARGS",
        "SM_LOG_LEVEL",
        "SM_RESOURCE_CONFIG",
        "SM_INPUT_DATA_CONFIG",
        "SM_FRAMEWORK_PARAMS",
        "SM_MODULE_DIR",
        "SM_USER_ENTRY_POINT",
        "SM_HPS",
        "SM_MODEL_DIR",
        "SM_OUTPUT_DIR",
        "SM_OUTPUT_DATA_DIR",
        "SM_CHANNELS",
        "SM_CHANNEL_TRAIN",
        "SM_CHANNEL_TEST",
        "SM_HP_N-ESTIMATORS",
        "SM_CURRENT_HOST",
        "SM_HOSTS",
        "SM_NUM_CPUS",
        "SM_NUM_GPUS",
        "SM_MODULE_NAME",
        "SM_OUTPUT_INTERMEDIATE_DIR",
        "SM_NETWORK_INTERFACE_NAME",
    ):
        assert k in env, k
    assert env["SM_INPUT_CONFIG_DIR"] == str(cfg)
    assert env["SM_USER_ENTRY_POINT"] == "script.py" and env["SM_MODULE_NAME"] == "script"
    assert env["SM_LOG_LEVEL"] == "20" and env["SM_MODULE_DIR"] == str(tmp_path)
    assert json.loads(env["SM_FRAMEWORK_PARAMS"]) == {
        "sagemaker_estimator_class_name": "SKLearn",
        "sagemaker_estimator_module": "sagemaker.sklearn.estimator",
    }
    hps = json.loads(env["SM_HPS"])
    assert hps["target"] == "target" and not any(k.startswith("sagemaker_") for k in hps)
    assert json.loads(env["SM_USER_ARGS"]) == te.args
    assert env["SM_HP_TARGET"] == "target" and env["SM_HP_N-ESTIMATORS"] == "100"
    assert json.loads(env["SM_CHANNELS"]) == ["test", "train"]
    tenv = json.loads(env["SM_TRAINING_ENV"])
    assert tenv["hyperparameters"] == hps and tenv["job_name"] == "rf-001"
    assert tenv["channel_input_dirs"]["train"] == env["SM_CHANNEL_TRAIN"]
    assert env["SAGEMAKER_JOB_NAME"] == "rf-job" and env["SAGEMAKER_REGION"] == "us-west-2"
    # channels live in input/data/<name>; a single file becomes a directory holding it
    assert env["SM_CHANNEL_TRAIN"] == str(lay.channel_dir("train"))
    assert os.listdir(env["SM_CHANNEL_TRAIN"]) == ["train.csv"]
    assert os.path.isdir(env["SM_CHANNEL_TEST"])
    assert os.listdir(env["SM_CHANNEL_TEST"]) == ["test.csv"]
    assert (lay.channel_dir("test") / "test.csv").read_text() == "3,4\n"


def test_prepare_twice_restages_channels(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b"
    a.write_text("x")
    b.mkdir()
    lay = toolkit.JobLayout(tmp_path / "job")
    toolkit.prepare(lay, "j", {}, {"train": a})
    toolkit.prepare(lay, "j", {}, {"train": b})  # a retry with other data
    assert os.path.realpath(lay.channel_dir("train")) == str(b)


def test_a_missing_channel_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="channel data not found"):
        toolkit.prepare(toolkit.JobLayout(tmp_path / "j"), "j", {}, {"train": tmp_path / "no"})


@pytest.mark.parametrize(
    ("line", "rendered"),
    [
        (
            "[0]\ttrain-rmse:1.5\tvalidation-rmse:1.75",
            "[0]#011train-rmse:1.5#011validation-rmse:1.75",
        ),
        ("a\rb", "a#015b"),
        ("\x1b[0m ok", "#033[0m ok"),
        ("plain", "plain"),
    ],
)
def test_cloudwatch_renders_control_characters_in_octal(line, rendered):
    assert cloudwatch.render(line) == rendered
    assert cloudwatch.has_control(line) == (line != rendered)


XGB_REGEX = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def test_an_image_regex_written_for_cloudwatch_matches_the_raw_line():
    p = MetricParser(
        [
            {"Name": "validation:rmse", "Regex": XGB_REGEX},
            {"Name": "train:rmse", "Regex": r"train-rmse:([0-9.]+)"},  # matches either form
        ]
    )
    found, warnings = p.parse_line("[12]\ttrain-rmse:0.25\tvalidation-rmse:0.5")
    assert found == [("validation:rmse", 0.5), ("train:rmse", 0.25)] and warnings == []
    # the same line as CloudWatch shows it (e.g. copied from the console) matches once
    assert p.parse_line("[12]#011train-rmse:0.25#011validation-rmse:0.5")[0] == found


def test_a_capture_that_is_not_a_number_is_reported_as_such():
    p = MetricParser([{"Name": "acc", "Regex": r"acc=(\S+)"}])
    found, warnings = p.parse_line("acc=N/A")
    assert found == [] and "matched but not a number: 'N/A'" in warnings[0]
    assert p.not_numbers == {"acc": "N/A"}


def test_unexpected_status_exception_is_the_sdks():
    e = UnexpectedStatusException.for_job("Training job", "j", "Failed", "AlgorithmError: x")
    assert isinstance(e, ValueError) and e.actual_status == "Failed"
    assert e.allowed_statuses == ["Completed", "Stopped"]
    assert str(e) == "Error for Training job j: Failed. Reason: AlgorithmError: x"


@pytest.mark.parametrize(
    "name",
    [
        "amtune.sagemaker.toolkit",
        "amtune.sagemaker.cloudwatch",
        "amtune.sagemaker.exceptions",
        "amtune.sagemaker.inputs",
        "amtune.sagemaker.requests",
        "amtune.sagemaker.estimator",
        "amtune.metrics",
    ],
)
def test_docstring_examples(name):
    import doctest
    import importlib

    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    failed = sum(runner.run(test, out=report.append).failed for test in tests)
    assert failed == 0, "".join(report)

"""Keyword arguments the SageMaker SDK v2's estimators do not have (nbcheck11 F2): the SDK takes
``**kwargs`` in ``EstimatorBase.__init__`` and ignores what it does not know (AWS's sklearn_byom
notebook passes SDK v1's ``script_mode=True``), so amtune accepts them too, with a warning that
names each one (and the argument a misspelling is close to)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import amtune
from amtune.sagemaker.estimator import Estimator
from amtune.sklearn import SKLearn


def test_script_mode_is_ignored_with_a_warning_and_the_job_runs(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print('loss=0.5')\n")
    with pytest.warns(
        UserWarning, match=r"SKLearn: unexpected argument\(s\) 'script_mode', ignored"
    ) as rec:
        est = SKLearn(
            entry_point="train.py", source_dir=str(tmp_path), role="r", instance_count=1,
            instance_type="ml.c5.xlarge", framework_version="1.2-1", py_version="py3",
            script_mode=True, db=tmp_path / "a.db", notices=False,
        )  # fmt: skip
    assert len(rec) == 1
    assert rec[0].filename == __file__  # points at the user's line, not amtune's
    assert "SageMaker SDK v2" in str(rec[0].message)
    est.fit(job_name="byom", logs=False)
    assert est.describe()["TrainingJobStatus"] == "Completed"
    assert "script_mode" not in est.describe()["HyperParameters"]


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (
            SKLearn,
            {"instance_typ": "ml.m5.large"},
            r"'instance_typ' \(did you mean 'instance_type'\?\)",
        ),
        (
            Estimator,
            {"hyperparamters": {"a": 1}},
            r"'hyperparamters' \(did you mean 'hyperparameters'\?\)",
        ),
        (
            amtune.PyTorch,
            {"zz_unknown": 1, "script_mode": True},
            r"'script_mode', 'zz_unknown', ignored: not an",
        ),
    ],
)
def test_misspellings_are_named_with_the_closest_argument(cls, kwargs, message, tmp_path):
    args = {"image_uri": "my-algo:1"} if cls is Estimator else {"entry_point": "t.py"}
    with pytest.warns(UserWarning, match=message):
        cls(**args, **kwargs, db=tmp_path / "a.db", notices=False)


def test_known_arguments_give_no_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SKLearn(
            "t.py", role="r", instance_count=1, instance_type="ml.m5.large",
            framework_version="1.2-1", use_spot_instances=False, db=tmp_path / "a.db",
            notices=False,
        )  # fmt: skip


def test_where_warnings_are_errors_it_is_the_typeerror_python_would_raise(tmp_path: Path) -> None:
    from amtune.sagemaker.estimator import UnknownArgumentWarning

    assert issubclass(UnknownArgumentWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"unexpected argument\(s\) 'script_mode'"):
            SKLearn("t.py", script_mode=True, db=tmp_path / "a.db", notices=False)

"""Friction a SageMaker user met on first contact (issue 11), each checked from the outside."""

import pytest

from amtune.cli import main
from amtune.store import Store


def test_a_store_that_cannot_be_created_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    bad = tmp_path / "file" / "amtune.db"
    with pytest.raises(ValueError, match=r"db: cannot create the store .*file/amtune.db: a parent"):
        Store(bad)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "objective: {metric: loss, type: Minimize}\n"
        "hyperparameters: {x: {type: Continuous, min: 0, max: 1}}\n"
        "metric_definitions: [{Name: loss, Regex: 'loss=([0-9.]+)'}]\n"
        "command: [python, -c, 'print(1)']\n"
    )
    assert main(["run", str(cfg), "--db", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the store" in err and "Traceback" not in err


def test_two_stores_in_one_directory_keep_their_job_folders_apart(tmp_path):
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        assert a.jobs_root != b.jobs_root
    with Store(tmp_path / "amtune.db") as d:
        assert d.jobs_root == tmp_path / "amtune-jobs"  # the default store keeps its folder

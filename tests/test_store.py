import sqlite3

import pytest

from amtune.store import Store, resolve_db_path


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "s.db")
    yield st
    st.close()


def test_wal_mode_and_tables(store):
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert {"tuning_jobs", "training_jobs", "metrics", "attempts"} <= tables


def test_tuning_and_training_jobs_round_trip(store):
    store.create_tuning_job("job1", {"a": [1, 2]}, 100.0)
    with pytest.raises(ValueError, match="already exists"):
        store.create_tuning_job("job1", {}, 101.0)
    with store.transaction():
        store.insert_training_job("job1", 1, "job1-001", {"x": 0.5, "c": "a"}, 100.5, "/tmp/d")
        store.add_metrics([("job1", 1, "loss", 0, 100.6, 2.0), ("job1", 1, "loss", 1, 100.7, 1.0)])
        store.update_training_job(
            "job1",
            1,
            status="Completed",
            objective_status="Succeeded",
            final_objective=1.0,
            final_metrics={"loss": 1.0},
            end_time=101.0,
        )
    job = store.get_tuning_job("job1")
    assert job["config"] == {"a": [1, 2]} and job["status"] == "InProgress"
    (tj,) = store.training_jobs("job1")
    assert tj["hyperparameters"] == {"x": 0.5, "c": "a"}
    assert tj["final_metrics"] == {"loss": 1.0} and tj["status"] == "Completed"
    assert [m["value"] for m in store.metrics("job1", 1, "loss")] == [2.0, 1.0]
    with pytest.raises(KeyError):
        store.get_tuning_job("nope")


def test_a_failed_transaction_writes_nothing(store):
    store.create_tuning_job("j", {}, 1.0)
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_training_job("j", 1, "j-001", {}, 1.0)
        raise RuntimeError("boom")
    assert store.training_jobs("j") == []


def test_a_reader_sees_committed_rows_while_the_writer_holds_a_transaction(store):
    store.create_tuning_job("j", {}, 1.0)
    reader = Store(store.path)
    try:
        with store.transaction():
            store.insert_training_job("j", 1, "j-001", {}, 1.0)
            # WAL: the reader is not blocked and sees the last committed state.
            assert reader.training_jobs("j") == []
        assert len(reader.training_jobs("j")) == 1
    finally:
        reader.close()


def test_stop_request_flag(store):
    store.create_tuning_job("j", {}, 1.0)
    assert not store.stop_requested("j")
    other = Store(store.path)
    try:
        other.request_stop("j")
    finally:
        other.close()
    assert store.stop_requested("j")


def test_resolve_db_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_db_path(None) == tmp_path / "amtune.db"
    assert resolve_db_path(f"sqlite:///{tmp_path}/x.db") == tmp_path / "x.db"
    with pytest.raises(ValueError, match="only SQLite"):
        resolve_db_path("postgresql://host/db")


def test_a_directory_or_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"^db: .* is a directory; give a file"):
        Store(tmp_path)
    other = tmp_path / "job.yaml"
    other.write_text("name: x\n" * 100)
    with pytest.raises(ValueError, match=r"^db: .*job.yaml is not an amtune store"):
        Store(other)
    assert other.read_text() == "name: x\n" * 100

"""Write transactions survive a signal that interrupts them (``amtune._sqlite``).

The tuning driver turns SIGTERM into a ``KeyboardInterrupt``, which Python raises between any two
statements: also right after ``BEGIN IMMEDIATE`` ran, before the code that would roll it back.
Under load this once left the store's connection inside a transaction, and the driver's next
write failed with "cannot start a transaction within a transaction" instead of recording the
tuning job as Stopped.
"""

from __future__ import annotations

import pytest

from amtune.store import Store


def _count(store: Store) -> int:
    return int(store._conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "amtune.db")
    with s.transaction():
        s._conn.execute("CREATE TABLE t (x INTEGER)")
    yield s
    s.close()


def test_a_transaction_left_open_by_an_interrupt_is_rolled_back_not_committed(store):
    # what an interrupt right after BEGIN leaves behind: an open transaction with a write in it
    store._conn.execute("BEGIN IMMEDIATE")
    store._conn.execute("INSERT INTO t VALUES (1)")
    assert store._conn.in_transaction
    with store.transaction():  # the next write works ...
        store._conn.execute("INSERT INTO t VALUES (2)")
    assert not store._conn.in_transaction
    rows = [r[0] for r in store._conn.execute("SELECT x FROM t")]
    assert rows == [2]  # ... and the interrupted write was never committed


def test_an_interrupt_inside_rolls_back_and_the_depth_is_restored(store):
    with pytest.raises(KeyboardInterrupt):
        with store.transaction():
            store._conn.execute("INSERT INTO t VALUES (1)")
            with store.transaction():  # nested: joins the outer one
                raise KeyboardInterrupt("SIGTERM")
    assert not store._conn.in_transaction and store._depth == 0
    assert _count(store) == 0
    with store.transaction():
        store._conn.execute("INSERT INTO t VALUES (3)")
    assert _count(store) == 1


def test_a_failed_commit_leaves_no_transaction_open(store, monkeypatch):
    class Interrupting:
        """The connection, with COMMIT interrupted before it runs."""

        def __init__(self, conn):
            self._c = conn

        def execute(self, sql, *a):
            if sql == "COMMIT":
                raise KeyboardInterrupt("SIGTERM")
            return self._c.execute(sql, *a)

        def __getattr__(self, name):
            return getattr(self._c, name)

    real = store._conn
    monkeypatch.setattr(store, "_conn", Interrupting(real))
    with pytest.raises(KeyboardInterrupt):
        with store.transaction():
            store._conn.execute("INSERT INTO t VALUES (1)")
    monkeypatch.setattr(store, "_conn", real)
    assert not real.in_transaction and store._depth == 0
    assert _count(store) == 0

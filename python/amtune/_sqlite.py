"""Nested write transactions on one SQLite connection (the store and the endpoint state)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class NestedTransactions:
    """Mixin: ``transaction()`` groups writes into one ``BEGIN IMMEDIATE`` transaction; nested uses
    join the outer one, and an exception rolls the whole outer transaction back.

    The class using it sets ``_conn`` (autocommit mode), ``_lock`` (re-entrant) and ``_depth = 0``.
    """

    _conn: sqlite3.Connection
    _lock: threading.RLock
    _depth: int

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one transaction (nested uses join the outer one).

        A signal turned into an exception (SIGTERM is a ``KeyboardInterrupt`` in the tuning driver)
        can arrive between two statements of this method; whatever it interrupts, an outer
        transaction ends committed or rolled back, never left open: one still open when the next
        begins (interrupted after ``BEGIN`` and before its ``try``) is rolled back first, since its
        writes were never committed.
        """
        with self._lock:
            outer = self._depth == 0
            if outer and self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._depth += 1
            try:
                if outer:
                    self._conn.execute("BEGIN IMMEDIATE")
                yield
                if outer:
                    self._conn.execute("COMMIT")
            except BaseException:
                if outer and self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth -= 1

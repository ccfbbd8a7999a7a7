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
        """Group writes into one transaction (nested uses join the outer one)."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

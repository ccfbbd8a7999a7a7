"""The endpoints' durable state: tables of their own in the store's SQLite file.

The tuning tables (``tuning_jobs``, ``training_jobs``, ...) are never touched; every table here
starts with ``serve_``. The endpoint service is the one writer of these tables, except
``serve_transform_jobs``: a transform job's process (or the SDK ``Transformer`` that runs it)
records its progress there too.

``serve_models``            CreateModel requests (JSON) by name.
``serve_endpoint_configs``  CreateEndpointConfig requests (JSON) by name.
``serve_endpoints``         name, config, status, failure reason, times, the variants as described
                            (weights and instance counts, JSON).
``serve_tags``              tags by resource ARN, in the order they were added.
``serve_weights``           every weight change: time, endpoint, variant, weight, who/why.
``serve_events``            model-server events (started, crashed, restarted) per instance.
``serve_metrics``           1-minute buckets: endpoint, variant, metric, minute, count/sum/min/max
                            and a log-binned histogram (for percentiles).
``serve_inferences``        per invocation (production and shadow): inference id, variant, time,
                            status, response (first 4 KiB) -- for online testing.
``serve_feedback``          ground truth posted later for an inference id.
``serve_service``           the running endpoint service (pid, host, port, heartbeat).
``serve_transform_jobs``    CreateTransformJob requests (JSON) with status, failure reason, times,
                            a stop request and the pid of the process that runs the job.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from amtune._sqlite import NestedTransactions
from amtune.store import resolve_db_path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS serve_models (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, request TEXT NOT NULL, creation_time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_endpoint_configs (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, request TEXT NOT NULL, creation_time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_endpoints (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL,
    config_name TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    creation_time REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    variants TEXT NOT NULL,
    shadow_variants TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS serve_tags_arn ON serve_tags (arn);
CREATE TABLE IF NOT EXISTS serve_weights (
    time REAL NOT NULL, endpoint TEXT NOT NULL, variant TEXT NOT NULL, weight REAL NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_events (
    time REAL NOT NULL, endpoint TEXT NOT NULL, variant TEXT NOT NULL, instance INTEGER NOT NULL,
    event TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_metrics (
    endpoint TEXT NOT NULL, variant TEXT NOT NULL, metric TEXT NOT NULL, minute INTEGER NOT NULL,
    count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
    hist TEXT,
    PRIMARY KEY (endpoint, variant, metric, minute)
);
CREATE TABLE IF NOT EXISTS serve_inferences (
    endpoint TEXT NOT NULL, inference_id TEXT NOT NULL, variant TEXT NOT NULL,
    shadow INTEGER NOT NULL, time REAL NOT NULL, status INTEGER NOT NULL, response BLOB
);
CREATE INDEX IF NOT EXISTS serve_inferences_id ON serve_inferences (endpoint, inference_id);
CREATE TABLE IF NOT EXISTS serve_feedback (
    endpoint TEXT NOT NULL, inference_id TEXT NOT NULL, time REAL NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (endpoint, inference_id)
);
CREATE TABLE IF NOT EXISTS serve_transform_jobs (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL,
    failure_reason TEXT, creation_time REAL NOT NULL, start_time REAL, end_time REAL,
    stop_requested INTEGER NOT NULL DEFAULT 0, pid INTEGER
);
CREATE TABLE IF NOT EXISTS serve_service (
    id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL,
    port INTEGER NOT NULL, started REAL NOT NULL, heartbeat REAL NOT NULL
);
"""

TABLES = (
    "serve_models",
    "serve_endpoint_configs",
    "serve_endpoints",
    "serve_tags",
    "serve_weights",
    "serve_events",
    "serve_metrics",
    "serve_inferences",
    "serve_feedback",
    "serve_transform_jobs",
)


class ServeState(NestedTransactions):
    """A connection to the store file for the ``serve_*`` tables (thread-safe, one lock)."""

    def __init__(self, db: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_db_path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(_SCHEMA)
        self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, args)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)

    def one(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        row = self.execute(sql, args).fetchone()
        return None if row is None else dict(row)

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.execute(sql, args).fetchall()]

    def reset(self) -> None:
        """Delete every endpoint, config, model, tag and record (the test-only reset route)."""
        with self.transaction():
            for t in TABLES:
                self.execute(f"DELETE FROM {t}")

    # ------------------------------------------------------------------ resources
    def put_resource(self, table: str, name: str, arn: str, request: Any, now: float) -> None:
        self.execute(
            f"INSERT INTO {table} (name, arn, request, creation_time) VALUES (?, ?, ?, ?)",
            (name, arn, json.dumps(request), now),
        )

    def get_resource(self, table: str, name: str) -> dict[str, Any] | None:
        row = self.one(f"SELECT * FROM {table} WHERE name = ?", (name,))
        if row is not None:
            row["request"] = json.loads(row["request"])
        return row

    def list_resources(self, table: str) -> list[dict[str, Any]]:
        rows = self.all(f"SELECT * FROM {table} ORDER BY creation_time, name")
        for r in rows:
            r["request"] = json.loads(r["request"])
        return rows

    def delete_resource(self, table: str, name: str) -> None:
        self.execute(f"DELETE FROM {table} WHERE name = ?", (name,))

    # ------------------------------------------------------------------ endpoints
    def get_endpoint(self, name: str) -> dict[str, Any] | None:
        row = self.one("SELECT * FROM serve_endpoints WHERE name = ?", (name,))
        if row is not None:
            row["variants"] = json.loads(row["variants"])
            row["shadow_variants"] = json.loads(row["shadow_variants"])
        return row

    def list_endpoints(self) -> list[dict[str, Any]]:
        rows = self.all("SELECT * FROM serve_endpoints ORDER BY creation_time, name")
        for r in rows:
            r["variants"] = json.loads(r["variants"])
            r["shadow_variants"] = json.loads(r["shadow_variants"])
        return rows

    def insert_endpoint(self, row: dict[str, Any]) -> None:
        self.execute(
            "INSERT INTO serve_endpoints (name, arn, config_name, status, failure_reason, "
            "creation_time, last_modified_time, variants, shadow_variants) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row["name"],
                row["arn"],
                row["config_name"],
                row["status"],
                row.get("failure_reason"),
                row["creation_time"],
                row["last_modified_time"],
                json.dumps(row["variants"]),
                json.dumps(row["shadow_variants"]),
            ),
        )

    def update_endpoint(self, name: str, **fields: Any) -> None:
        for k in ("variants", "shadow_variants"):
            if k in fields:
                fields[k] = json.dumps(fields[k])
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.execute(f"UPDATE serve_endpoints SET {cols} WHERE name = ?", (*fields.values(), name))

    def delete_endpoint(self, name: str) -> None:
        self.execute("DELETE FROM serve_endpoints WHERE name = ?", (name,))

    # ------------------------------------------------------------------ transform jobs
    def insert_transform_job(self, name: str, arn: str, request: Any, now: float) -> None:
        self.execute(
            "INSERT INTO serve_transform_jobs (name, arn, request, status, creation_time) "
            "VALUES (?, ?, ?, 'InProgress', ?)",
            (name, arn, json.dumps(request), now),
        )

    def get_transform_job(self, name: str) -> dict[str, Any] | None:
        row = self.one("SELECT * FROM serve_transform_jobs WHERE name = ?", (name,))
        if row is not None:
            row["request"] = json.loads(row["request"])
        return row

    def list_transform_jobs(self) -> list[dict[str, Any]]:
        rows = self.all("SELECT * FROM serve_transform_jobs ORDER BY creation_time, name")
        for r in rows:
            r["request"] = json.loads(r["request"])
        return rows

    def update_transform_job(self, name: str, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.execute(
            f"UPDATE serve_transform_jobs SET {cols} WHERE name = ?", (*fields.values(), name)
        )

    # ------------------------------------------------------------------ tags
    def tags(self, arn: str) -> list[dict[str, str]]:
        rows = self.all("SELECT key, value FROM serve_tags WHERE arn = ? ORDER BY rowid", (arn,))
        return [{"Key": r["key"], "Value": r["value"]} for r in rows]

    def add_tags(self, arn: str, tags: Iterable[dict[str, str]]) -> None:
        with self.transaction():
            for t in tags:
                self.execute("DELETE FROM serve_tags WHERE arn = ? AND key = ?", (arn, t["Key"]))
                self.execute(
                    "INSERT INTO serve_tags VALUES (?, ?, ?)", (arn, t["Key"], t.get("Value", ""))
                )

    def delete_tags(self, arn: str, keys: Iterable[str]) -> None:
        with self.transaction():
            for k in keys:
                self.execute("DELETE FROM serve_tags WHERE arn = ? AND key = ?", (arn, k))

    # ------------------------------------------------------------------ records
    def record_weights(
        self, now: float, endpoint: str, weights: dict[str, float], reason: str
    ) -> None:
        self.executemany(
            "INSERT INTO serve_weights VALUES (?, ?, ?, ?, ?)",
            [(now, endpoint, v, w, reason) for v, w in weights.items()],
        )

    def weight_history(self, endpoint: str) -> list[dict[str, Any]]:
        return self.all(
            "SELECT time, variant, weight, reason FROM serve_weights WHERE endpoint = ? "
            "ORDER BY rowid",
            (endpoint,),
        )

    def record_event(
        self, now: float, endpoint: str, variant: str, instance: int, event: str, detail: str
    ) -> None:
        self.execute(
            "INSERT INTO serve_events VALUES (?, ?, ?, ?, ?, ?)",
            (now, endpoint, variant, instance, event, detail),
        )

    def events(self, endpoint: str) -> list[dict[str, Any]]:
        return self.all("SELECT * FROM serve_events WHERE endpoint = ? ORDER BY rowid", (endpoint,))

    def set_service(self, pid: int, host: str, port: int, now: float) -> None:
        self.execute(
            "INSERT OR REPLACE INTO serve_service (id, pid, host, port, started, heartbeat) "
            "VALUES (1, ?, ?, ?, ?, ?)",
            (pid, host, port, now, now),
        )

    def service(self) -> dict[str, Any] | None:
        return self.one("SELECT * FROM serve_service WHERE id = 1")

    def clear_service(self, pid: int) -> None:
        self.execute("DELETE FROM serve_service WHERE id = 1 AND pid = ?", (pid,))

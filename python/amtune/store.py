"""The durable store: one SQLite file (WAL mode) with tuning jobs, training jobs, metric series.

The driver of a tuning job is the only process that writes the job's rows; any number of readers
(``amtune describe``, ``amtune jobs``, a notebook) may read while it runs. The one write from
another process is ``request_stop``, which sets a flag the driver polls. Times are seconds since the
epoch (UTC).

Writes are grouped: the driver makes one transaction per turn of its loop (job completions, their
metric series and the next job starts together), with ``synchronous=NORMAL``, which in WAL mode
keeps the database consistent across a crash of the process (a power loss may drop the last
transactions).

Tables
------
``tuning_jobs``    name, full configuration (JSON), status, failure reason, times, consumed runtime,
                   stop request flag, the driver's lease (pid, host, heartbeat and a token naming
                   the one driver allowed to write the job's rows; ``driver_token`` was added
                   after schema version 1 and is added to an older store when it is opened),
                   number of resumes, completion details.
``training_jobs``  one row per training job: sequence number, name, tuned hyperparameters (JSON),
                   status, objective status, failure reason, times, final objective, final metrics
                   (JSON), attempts, restarts (re-runs after a driver interruption), job directory,
                   pid of the running process (a re-run first kills a survivor of the dead driver).
``attempts``       one row per finished attempt of a training job (for retries).
``metrics``        every metric emission: training job, metric name, step, time, value.
``rule_decisions`` the decision of a rule that ended a training job (early stopping, a Hyperband
                   rung: rule, action, reason, resource), so a resumed job's rules see it, or
                   the driver's own stop (rule: a ``StopCause``: time limit, tuning job). Added
                   after schema version 1 was published; it is created in an older store when
                   the store is opened (older amtune versions ignore it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from amtune._sqlite import NestedTransactions
from amtune.errors import FieldError

DEFAULT_DB = "amtune.db"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tuning_jobs (
    name TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    creation_time REAL NOT NULL,
    end_time REAL,
    last_modified_time REAL,
    consumed_runtime REAL NOT NULL DEFAULT 0,
    stop_requested INTEGER NOT NULL DEFAULT 0,
    driver_pid INTEGER,
    driver_host TEXT,
    heartbeat REAL,
    driver_token TEXT,
    resumes INTEGER NOT NULL DEFAULT 0,
    completion_details TEXT
);
CREATE TABLE IF NOT EXISTS training_jobs (
    tuning_job TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    hyperparameters TEXT NOT NULL,
    status TEXT NOT NULL,
    objective_status TEXT NOT NULL,
    failure_reason TEXT,
    creation_time REAL NOT NULL,
    start_time REAL,
    end_time REAL,
    final_objective REAL,
    final_metrics TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    restarts INTEGER NOT NULL DEFAULT 0,
    retryable INTEGER NOT NULL DEFAULT 0,
    job_dir TEXT,
    pid INTEGER,
    PRIMARY KEY (tuning_job, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS training_jobs_name ON training_jobs (name);
CREATE TABLE IF NOT EXISTS attempts (
    tuning_job TEXT NOT NULL,
    seq INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    retryable INTEGER NOT NULL DEFAULT 0,
    start_time REAL,
    end_time REAL
);
CREATE INDEX IF NOT EXISTS attempts_job ON attempts (tuning_job, seq);
CREATE TABLE IF NOT EXISTS metrics (
    tuning_job TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    step INTEGER,
    time REAL NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_job ON metrics (tuning_job, seq);
CREATE TABLE IF NOT EXISTS rule_decisions (
    tuning_job TEXT NOT NULL,
    seq INTEGER NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    resource INTEGER,
    PRIMARY KEY (tuning_job, seq)
);
CREATE TABLE IF NOT EXISTS training_job_definitions (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);
"""

#: ``training_jobs.tuning_job`` of a training job run on its own (``Estimator.fit``,
#: ``amtune train``).
STANDALONE = ""

_TUNING_FIELDS = {
    "status",
    "failure_reason",
    "end_time",
    "last_modified_time",
    "consumed_runtime",
    "stop_requested",
    "driver_pid",
    "driver_host",
    "heartbeat",
    "driver_token",
    "resumes",
    "completion_details",
    "config",
}
_TRAINING_FIELDS = {
    "status",
    "objective_status",
    "failure_reason",
    "start_time",
    "end_time",
    "final_objective",
    "final_metrics",
    "attempts",
    "restarts",
    "retryable",
    "job_dir",
    "hyperparameters",
    "pid",
}
_JSON_FIELDS = {"config", "hyperparameters", "final_metrics", "completion_details"}


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """The store file for ``db``: a path, a ``sqlite:///path`` URL, or None for ``./amtune.db``."""
    if db is None:
        return Path.cwd() / DEFAULT_DB
    s = os.fspath(db)
    if s.startswith("sqlite:///"):
        s = s[len("sqlite:///") - 1 :] if s.startswith("sqlite:////") else s[len("sqlite:///") :]
    elif "://" in s:
        raise ValueError(
            f"db: only SQLite files (a path or sqlite:///path) are supported, got {s!r}"
        )
    if not s:
        raise ValueError("db: empty path")
    path = Path(s).expanduser().resolve()
    if path.is_dir():
        raise ValueError(f"db: {path} is a directory; give a file, e.g. {path / DEFAULT_DB}")
    return path


class NotFoundError(KeyError):
    """A named tuning job, training job or store does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Store(NestedTransactions):
    """A connection to the SQLite store; thread-safe (one lock), one per process.

    >>> import tempfile, os
    >>> st = Store(os.path.join(tempfile.mkdtemp(), "t.db"))
    >>> st.list_tuning_jobs()
    []
    """

    def __init__(self, db: str | os.PathLike[str] | None = None, readonly: bool = False) -> None:
        self.path = resolve_db_path(db)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._depth = 0
        if readonly:
            self._conn = self._connect_readonly()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.OperationalError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            if isinstance(exc, (FileExistsError, NotADirectoryError)):
                why = "a parent of it is a file, not a directory"
            raise ValueError(
                f"db: cannot create the store {self.path}: {why} "
                f"(give --db a path in a writable directory)"
            ) from None
        self._conn.row_factory = sqlite3.Row
        try:
            with self._lock:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA busy_timeout=30000")
                self._conn.executescript(_SCHEMA)
                cols = {r[1] for r in self._conn.execute("PRAGMA table_info(tuning_jobs)")}
                if "driver_token" not in cols:  # a store written before the lease token
                    self._conn.execute("ALTER TABLE tuning_jobs ADD COLUMN driver_token TEXT")
                self._conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise ValueError(
                f"db: cannot open the store {self.path}: {exc} "
                f"(is its directory writable? give --db a path in a writable directory)"
            ) from None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ValueError(f"db: {self.path} is not an amtune store (SQLite): {exc}") from None

    @staticmethod
    def _try_connect(uri: str) -> sqlite3.Connection | None:
        try:
            conn = sqlite3.connect(
                uri, uri=True, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except sqlite3.Error:
            return None
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        """A connection that never writes (``mode=ro``): for readers without write access."""
        if not self.path.exists():
            raise NotFoundError(f"no store at {self.path} (give --db PATH)")
        base = "file:" + urllib.parse.quote(str(self.path))
        conn = self._try_connect(base + "?mode=ro")
        wal = self.path.with_name(self.path.name + "-wal")
        if conn is None and not wal.exists():
            # A WAL store read where the reader cannot create its -shm file (a directory without
            # write access): with no -wal file no driver is writing, and the file is complete.
            conn = self._try_connect(base + "?immutable=1")
        if conn is None:
            raise ValueError(
                f"db: cannot open {self.path} for reading (opened read-only, as this command "
                f"only reads); check the permissions of the file and of its directory"
            )
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("SELECT 1 FROM tuning_jobs LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "no such table" in str(exc) or "not a database" in str(exc):
                raise ValueError(
                    f"db: {self.path} is not an amtune store (SQLite): {exc}"
                ) from None
            raise ValueError(
                f"db: cannot read {self.path} (opened read-only, as this command only reads): "
                f"{exc}; check the permissions of the file and of its directory"
            ) from None
        return conn

    @property
    def jobs_root(self) -> Path:
        """Where training job directories go by default: ``<store dir>/<store name>-jobs``
        (``amtune-jobs`` for ``amtune.db``): two stores in one directory keep their jobs apart."""
        return self.path.parent / f"{self.path.stem}-jobs"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions
    def _exec(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, args)

    # ------------------------------------------------------------------ tuning jobs
    def create_tuning_job(self, name: str, config: Mapping[str, Any], creation_time: float) -> None:
        with self.transaction():
            if self._exec("SELECT 1 FROM tuning_jobs WHERE name = ?", (name,)).fetchone():
                raise FieldError(
                    "job_name",
                    f"a tuning job named {name!r} already exists in {self.path}; "
                    f"choose another name or resume it",
                )
            self._exec(
                "INSERT INTO tuning_jobs (name, config, status, creation_time, last_modified_time) "
                "VALUES (?, ?, 'InProgress', ?, ?)",
                (name, json.dumps(config), creation_time, creation_time),
            )

    def get_tuning_job(self, name: str) -> dict[str, Any]:
        row = self._exec("SELECT * FROM tuning_jobs WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"no tuning job named {name!r} in {self.path}")
        return _decode(row)

    def has_tuning_job(self, name: str) -> bool:
        return (
            self._exec("SELECT 1 FROM tuning_jobs WHERE name = ?", (name,)).fetchone() is not None
        )

    def list_tuning_jobs(self) -> list[dict[str, Any]]:
        rows = self._exec("SELECT * FROM tuning_jobs ORDER BY creation_time").fetchall()
        return [_decode(r) for r in rows]

    def update_tuning_job(self, name: str, **fields: Any) -> None:
        bad = set(fields) - _TUNING_FIELDS
        if bad:
            raise ValueError(f"update_tuning_job: unknown field(s) {sorted(bad)}")
        fields.setdefault("last_modified_time", time.time())
        cols = ", ".join(f"{k} = ?" for k in fields)
        vals = [
            json.dumps(v) if k in _JSON_FIELDS and v is not None else v for k, v in fields.items()
        ]
        self._exec(f"UPDATE tuning_jobs SET {cols} WHERE name = ?", (*vals, name))

    def request_stop(self, name: str) -> None:
        """Ask the driver of ``name`` to stop (it polls this flag)."""
        if not self.has_tuning_job(name):
            raise NotFoundError(f"no tuning job named {name!r} in {self.path}")
        with self.transaction():
            self._exec("UPDATE tuning_jobs SET stop_requested = 1 WHERE name = ?", (name,))

    def stop_requested(self, name: str) -> bool:
        row = self._exec(
            "SELECT stop_requested FROM tuning_jobs WHERE name = ?", (name,)
        ).fetchone()
        return bool(row and row[0])

    # ------------------------------------------------------------------ training jobs
    def insert_training_job(
        self,
        tuning_job: str,
        seq: int,
        name: str,
        hyperparameters: Mapping[str, Any],
        creation_time: float,
        job_dir: str | None = None,
    ) -> None:
        self._exec(
            "INSERT INTO training_jobs (tuning_job, seq, name, hyperparameters, status, "
            "objective_status, creation_time, start_time, job_dir) "
            "VALUES (?, ?, ?, ?, 'InProgress', 'Pending', ?, ?, ?)",
            (
                tuning_job,
                seq,
                name,
                json.dumps(dict(hyperparameters)),
                creation_time,
                creation_time,
                job_dir,
            ),
        )

    def update_training_job(self, tuning_job: str, seq: int, **fields: Any) -> None:
        bad = set(fields) - _TRAINING_FIELDS
        if bad:
            raise ValueError(f"update_training_job: unknown field(s) {sorted(bad)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        vals = [
            json.dumps(v) if k in _JSON_FIELDS and v is not None else v for k, v in fields.items()
        ]
        self._exec(
            f"UPDATE training_jobs SET {cols} WHERE tuning_job = ? AND seq = ?",
            (*vals, tuning_job, seq),
        )

    def training_jobs(self, tuning_job: str) -> list[dict[str, Any]]:
        rows = self._exec(
            "SELECT * FROM training_jobs WHERE tuning_job = ? ORDER BY seq", (tuning_job,)
        ).fetchall()
        return [_decode(r) for r in rows]

    # ------------------------------------------------------------------ training jobs on their own
    def create_training_job(
        self, name: str, definition: Mapping[str, Any], creation_time: float, job_dir: str
    ) -> int:
        """Insert a training job run on its own (the CreateTrainingJob request as ``definition``);
        return its sequence number."""
        with self.transaction():
            if self._exec("SELECT 1 FROM training_jobs WHERE name = ?", (name,)).fetchone():
                raise ValueError(
                    f"job_name: a training job named {name!r} already exists in {self.path}"
                )
            row = self._exec(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM training_jobs WHERE tuning_job = ?",
                (STANDALONE,),
            ).fetchone()
            seq = int(row[0])
            self.insert_training_job(
                STANDALONE, seq, name, definition.get("HyperParameters", {}), creation_time, job_dir
            )
            self._exec(
                "INSERT INTO training_job_definitions (name, definition) VALUES (?, ?)",
                (name, json.dumps(dict(definition))),
            )
        return seq

    def get_training_job(self, name: str) -> dict[str, Any]:
        """A training job by name (of a tuning job or on its own), with its ``definition``
        (None for the training jobs of a tuning job)."""
        row = self._exec("SELECT * FROM training_jobs WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"no training job named {name!r} in {self.path}")
        d = _decode(row)
        r = self._exec(
            "SELECT definition FROM training_job_definitions WHERE name = ?", (name,)
        ).fetchone()
        d["definition"] = None if r is None else json.loads(r[0])
        return d

    def add_attempt(
        self,
        tuning_job: str,
        seq: int,
        attempt: int,
        status: str,
        failure_reason: str | None,
        retryable: bool,
        start_time: float | None,
        end_time: float | None,
    ) -> None:
        self._exec(
            "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tuning_job,
                seq,
                attempt,
                status,
                failure_reason,
                int(retryable),
                start_time,
                end_time,
            ),
        )

    def attempts(self, tuning_job: str, seq: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM attempts WHERE tuning_job = ?"
        args: list[Any] = [tuning_job]
        if seq is not None:
            sql += " AND seq = ?"
            args.append(seq)
        return [dict(r) for r in self._exec(sql + " ORDER BY seq, attempt", args).fetchall()]

    # ------------------------------------------------------------------ rule decisions
    def set_rule_decision(
        self,
        tuning_job: str,
        seq: int,
        rule: str,
        action: str,
        reason: str,
        resource: int | None,
    ) -> None:
        """Record the decision of a rule that ended training job ``seq`` (its latest one)."""
        self._exec(
            "INSERT OR REPLACE INTO rule_decisions VALUES (?, ?, ?, ?, ?, ?)",
            (tuning_job, seq, rule, str(action), reason, resource),
        )

    def delete_rule_decision(self, tuning_job: str, seq: int) -> None:
        self._exec("DELETE FROM rule_decisions WHERE tuning_job = ? AND seq = ?", (tuning_job, seq))

    def rule_decisions(self, tuning_job: str) -> dict[int, dict[str, Any]]:
        """The recorded rule decisions of a tuning job's training jobs, by seq."""
        rows = self._exec(
            "SELECT seq, rule, action, reason, resource FROM rule_decisions WHERE tuning_job = ?",
            (tuning_job,),
        ).fetchall()
        return {int(r["seq"]): dict(r) for r in rows}

    # ------------------------------------------------------------------ metrics
    def add_metrics(self, rows: Iterable[tuple[str, int, str, int | None, float, float]]) -> None:
        """Insert emissions ``(tuning_job, seq, name, step, time, value)``."""
        with self._lock:
            self._conn.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)", rows)

    def delete_metrics(self, tuning_job: str, seq: int) -> None:
        self._exec("DELETE FROM metrics WHERE tuning_job = ? AND seq = ?", (tuning_job, seq))

    def metrics(
        self, tuning_job: str, seq: int | None = None, name: str | None = None
    ) -> list[dict[str, Any]]:
        """Emissions in the order they were made (per training job, by time)."""
        sql = "SELECT seq, name, step, time, value FROM metrics WHERE tuning_job = ?"
        args: list[Any] = [tuning_job]
        if seq is not None:
            sql += " AND seq = ?"
            args.append(seq)
        if name is not None:
            sql += " AND name = ?"
            args.append(name)
        rows = self._exec(sql + " ORDER BY seq, rowid", args).fetchall()
        return [dict(r) for r in rows]


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    for k in _JSON_FIELDS & d.keys():
        if d[k] is not None:
            d[k] = json.loads(d[k])
    return d

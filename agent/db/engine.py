"""Engines for SQLite (durable, one writer at a time) and PostgreSQL (shared by daemons).

SQLite needs care: pysqlite's legacy transaction handling emits no BEGIN
before a SELECT, so a "read the budget, then write" transaction would not be atomic. We
take transaction control away from the driver (``isolation_level = None``) and emit
``BEGIN IMMEDIATE`` ourselves on the writer engine, which takes the write lock up front and
lets ``busy_timeout`` apply instead of failing at once with "database is locked".
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


def sqlite_url(path: Path) -> URL:
    """The SQLAlchemy URL of a SQLite file."""
    return URL.create("sqlite+pysqlite", database=str(path))


def make_private(path: Path) -> None:
    """Create the SQLite file ``path`` mode 0600 if missing, and take group and other access
    away from it and its -wal and -shm files if an older hearth (or umask 022) left them open.

    SQLite gives the -wal and -shm files the database file's own mode, so creating the
    database file privately first is what keeps all three private outside systemd's
    UMask=0077.
    """
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(name.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                name.chmod(mode & 0o700)
            except OSError as exc:
                # Not ours to change (a read-only mount, another owner): reading the
                # ledger (`hearth spend`) must still work; the doctor reports the mode.
                log.warning("cannot make %s private (mode %o): %s", name, mode, exc.strerror)


def _ensure_wal(cur: sqlite3.Cursor, budget_s: float) -> None:
    """Switch the file to WAL, waiting out other connections doing the same.

    Changing the journal mode needs an exclusive lock and SQLite answers "database is
    locked" at once instead of running the busy handler, so daemons (or threads) opening a
    new ledger together would fail; retry with a short backoff within the busy timeout.
    """
    deadline = time.monotonic() + budget_s
    delay = 0.005
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _sqlite_engine(url: URL, *, immediate: bool, busy_timeout_ms: int) -> Engine:
    engine = create_engine(
        url,
        # One connection per engine: the writer is used from one thread at a time, and
        # every Database has its own engines.
        pool_size=1,
        max_overflow=0 if immediate else 3,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Autocommit at the driver level: we issue BEGIN ourselves (see module docstring).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # journal_mode persists in the file; synchronous is per connection. FULL syncs the
        # WAL at every commit, so a power cut cannot roll back a settled spend row.
        _ensure_wal(cur, busy_timeout_ms / 1000)
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engines(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 schema: str | None = None) -> tuple[Engine, Engine]:
    """A (writer, reader) pair of engines for ``url``.

    On PostgreSQL ``schema`` (created by the caller) becomes the search path, which lets
    tests and separate households share one server without seeing each other's rows.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return (_sqlite_engine(parsed, immediate=True, busy_timeout_ms=busy_timeout_ms),
                _sqlite_engine(parsed, immediate=False, busy_timeout_ms=busy_timeout_ms))
    engines: list[Engine] = []
    for _ in range(2):
        # NullPool for the writer would cost a connect per call; a small pool is enough
        # because every write is serialised through one executor thread.
        engine = create_engine(parsed, pool_size=2, max_overflow=2, pool_pre_ping=True)
        if schema is not None:
            _set_search_path(engine, schema)
        engines.append(engine)
    return engines[0], engines[1]


def _set_search_path(engine: Engine, schema: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()
        dbapi_conn.commit()


def admin_engine(url: str) -> Engine:
    """A throwaway engine for one-off admin statements (creating a schema)."""
    return create_engine(make_url(url), poolclass=NullPool)

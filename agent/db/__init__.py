"""Hearth's database: SQLite by default, PostgreSQL for households sharing one ledger.

`Database.open` migrates to the newest schema (keeping every row) and hands out
transactions through `write` and `read`, which run the blocking SQLAlchemy calls off the
event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from agent.db.engine import (
    BUSY_TIMEOUT_MS,
    admin_engine,
    make_engines,
    make_private,
    sqlite_url,
)
from agent.db.revision import PG_MIGRATION_LOCK, SCHEMA_HEAD, recorded_revision
from agent.errors import EX_CANTCREAT, EX_IOERR, ConfigError, HearthError, LedgerError, StorageError
from agent.paths import storage_error

log = logging.getLogger(__name__)

T = TypeVar("T")

DB_FILENAME = "ledger.db"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

__all__ = ["DB_FILENAME", "Database", "database_backend"]


class Database:
    """An open hearth database: a writer engine, a reader engine, migrated to head."""

    def __init__(self, url: str, *, schema: str | None = None,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        """Prefer `Database.open`, which also migrates; this only builds the engines."""
        self._writer, self._reader = make_engines(url, busy_timeout_ms=busy_timeout_ms,
                                                  schema=schema)
        self.url: str = self._writer.url.render_as_string(hide_password=True)
        self.dialect: str = self._writer.dialect.name
        self.schema = schema
        # One thread for writes: SQLite allows one writer anyway, and serialising here
        # keeps the connection pool at one and avoids busy waits inside one process.
        self._write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-db-w")
        self._closed = False

    @classmethod
    def open(cls, url: str | None, state_dir: Path, *, schema: str | None = None,
             busy_timeout_ms: int = BUSY_TIMEOUT_MS, revision: str = "head") -> Database:
        """Open (creating if needed) and migrate to head. Blocking: call before the loop
        runs, or through ``asyncio.to_thread``.

        ``url`` None means the SQLite file ``state_dir/ledger.db``. ``schema`` (PostgreSQL
        only) keeps hearth's tables in their own schema, created if missing. ``revision``
        other than head is for tests that need a database as an older hearth left it.
        """
        if url is None:
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            url = sqlite_url(state_dir / DB_FILENAME).render_as_string(hide_password=False)
        backend = database_backend(url)
        if schema is not None:
            if backend != "postgresql" or not _SCHEMA_NAME.match(schema):
                raise ConfigError(f"bad schema {schema!r}: PostgreSQL only, [a-z0-9_]")
            _create_schema(url, schema)
        file = _sqlite_file(url) if backend == "sqlite" else None
        if file is not None:
            try:
                make_private(file)
            except OSError as exc:
                raise storage_error(exc, file, "create the ledger database") from exc
        db = cls(url, schema=schema, busy_timeout_ms=busy_timeout_ms)
        try:
            with db._writer.begin() as conn:
                if backend == "sqlite":
                    _quick_check(conn)
                if revision != "head" or recorded_revision(conn) != SCHEMA_HEAD:
                    from agent.db import migrate  # only when there is work (revision.py)

                    migrate.upgrade(conn, revision)
        except SQLAlchemyError as exc:
            db.close()
            if file is not None and (storage := _sqlite_storage_error(exc, file)) is not None:
                raise storage from exc
            # SQLite's own words ("database disk image is malformed") help and hold no
            # secret; a server's may quote connection details, so only its class is shown.
            why = str(getattr(exc, "orig", "")) if backend == "sqlite" else ""
            raise LedgerError(f"cannot open or migrate the database at {db.url}: "
                              f"{type(exc).__name__}{': ' + why if why else ''}") from exc
        except BaseException:
            db.close()
            raise
        log.debug("database %s at schema %s", db.url, revision)
        return db

    def _run(self, fn: Callable[[Session], T], *, write: bool) -> T:
        engine = self._writer if write else self._reader
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                if write:
                    # Sessions connect lazily; take the write lock (BEGIN IMMEDIATE) now,
                    # before fn reads anything it may base a write on.
                    session.connection()
                return fn(session)
        except HearthError:
            raise
        except SQLAlchemyError as exc:
            # The message may quote SQL and parameters; keep them out of the error text.
            log.debug("database error", exc_info=True)
            file = _sqlite_file(self.url) if self.dialect == "sqlite" else None
            storage = _sqlite_storage_error(exc, file) if file is not None else None
            why = str(storage) if storage is not None else type(exc).__name__
            raise LedgerError(f"database {'write' if write else 'read'} failed: {why}") from exc

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        """`write` for code already off the loop (CLI, benchmarks, worker threads)."""
        return self._run(fn, write=True)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        """`read` for code already off the loop."""
        return self._run(fn, write=False)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in one write transaction (BEGIN IMMEDIATE on SQLite), off the loop.

        Commits when ``fn`` returns, rolls back when it raises. SQLAlchemy errors become
        `LedgerError`; hearth errors raised by ``fn`` pass through unchanged.
        """
        if self._closed:
            raise LedgerError("database is closed")
        loop = asyncio.get_running_loop()
        # Blocking driver calls (and fsync at commit) must not stall the event loop.
        return await loop.run_in_executor(self._write_pool, self._run_write, fn)

    def _run_write(self, fn: Callable[[Session], T]) -> T:
        return self._run(fn, write=True)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in a read transaction (a consistent snapshot), off the loop."""
        if self._closed:
            raise LedgerError("database is closed")
        # Readers never block the writer in WAL mode; a worker thread keeps the loop free.
        return await asyncio.to_thread(self._run, fn, write=False)

    def close(self) -> None:
        """Release connections and the writer thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._write_pool.shutdown(wait=True)
        self._writer.dispose()
        self._reader.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"


def database_backend(url: str) -> str:
    """"sqlite" or "postgresql" for `ledger.url`; ConfigError for anything else."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError("ledger.url is not a database URL") from exc
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"ledger.url: unsupported database {backend!r} "
                          "(use sqlite or postgresql+psycopg)")
    return backend


def _sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None for an in-memory or URI database)."""
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


# SQLite's primary result codes (the low byte of extended ones) that mean the file or the
# disk, not hearth, is the problem.
_FULL = {sqlite3.SQLITE_FULL}
_IO = {sqlite3.SQLITE_IOERR}
_CANT = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}


def _sqlite_storage_error(exc: SQLAlchemyError, file: Path) -> StorageError | None:
    """A StorageError naming the cause when SQLite failed on the disk, else None."""
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary in _FULL:
        return StorageError(f"disk full at {file.parent} (the ledger {file.name})",
                            exit_code=EX_IOERR)
    if primary in _IO:
        return StorageError(f"I/O error on the ledger {file}; check the disk",
                            exit_code=EX_IOERR)
    if primary in _CANT:
        why = str(getattr(exc, "orig", "")) or type(exc).__name__
        return StorageError(f"cannot write the ledger {file}: {why}", exit_code=EX_CANTCREAT)
    return None


def _quick_check(conn: Connection) -> None:
    # A damaged ledger must stop paid calls rather than under-count.
    # Restarting cannot repair it: EX_IOERR, which the unit does not restart on.
    result = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    if result != ["ok"]:
        raise StorageError(f"the ledger database failed its integrity check: {result[:3]}; "
                           "restore it from a backup or move it aside", exit_code=EX_IOERR)


def _create_schema(url: str, schema: str) -> None:
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            # IF NOT EXISTS is not safe against a concurrent CREATE (it can still fail on
            # the catalog's unique index): daemons starting together queue on the lock.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                         {"k": PG_MIGRATION_LOCK})
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except SQLAlchemyError as exc:
        raise LedgerError(f"cannot create schema {schema!r}: {type(exc).__name__}") from exc
    finally:
        engine.dispose()

"""Engines, transactions and migrations.

SQLite (the default, `data/maturity.db`) runs in WAL mode with a busy timeout; its
writes take the database lock up front (BEGIN IMMEDIATE) and are serialised within a
process, so concurrent writers wait instead of failing. `MATURITY_DATABASE_URL`
selects another database, e.g. `postgresql+psycopg://user@host/db`.

A write that still finds the database locked when the busy timeout
(`MATURITY_BUSY_TIMEOUT_MS`, on PostgreSQL its lock timeout) runs out is
`ServiceError("busy")`: the caller keeps what it wanted to write and tries again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from storage.errors import ServiceError

log = logging.getLogger("maturity")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = ROOT / "data" / "maturity.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000  # how long a write waits for the lock, unless MATURITY_BUSY_TIMEOUT_MS says
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # result codes (the low byte of an extended code)
POSTGRES_BUSY = {"55P03", "40001", "40P01"}  # lock_not_available, serialization_failure, deadlock

_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_busy_timeouts: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_patience: ContextVar[int | None] = ContextVar("patience", default=None)
_cursor_names = itertools.count(1)  # server-side cursors of one connection need names of their own


def database_url() -> str:
    """The configured database: `MATURITY_DATABASE_URL`, else the SQLite file in data/."""
    return os.environ.get("MATURITY_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def configured_busy_timeout_ms() -> int:
    """How long a write waits for a locked database: `MATURITY_BUSY_TIMEOUT_MS`, else 30 s.
    A value that is not a whole number of milliseconds above 0 is logged and not used."""
    configured = os.environ.get("MATURITY_BUSY_TIMEOUT_MS", "").strip()
    if not configured:
        return BUSY_TIMEOUT_MS
    try:
        value = int(configured)
    except ValueError:
        value = 0
    if value <= 0:
        log.warning("MATURITY_BUSY_TIMEOUT_MS=%r is not a number of milliseconds above 0", configured)
        return BUSY_TIMEOUT_MS
    return value


def make_engine(url: str | None = None, *, busy_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: `database_url()`) with this project's settings. A write
    waits at most `busy_timeout_ms` (default: `configured_busy_timeout_ms()`) for another's lock."""
    parsed = make_url(url or database_url())
    timeout = busy_timeout_ms or configured_busy_timeout_ms()
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": timeout / 1000, "check_same_thread": False},
            pool_pre_ping=True,
            **kwargs,
        )
        event.listen(engine, "connect", functools.partial(_sqlite_connect, timeout))
        event.listen(engine, "begin", functools.partial(_sqlite_begin, timeout))
        _write_locks[engine] = threading.Lock()
    else:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", functools.partial(_postgres_connect, timeout))
    _busy_timeouts[engine] = timeout
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def patience(ms: int) -> Iterator[None]:
    """Writes begun in this block wait at most `ms` for the database, never longer than the
    engine's busy timeout: for a caller that keeps what it writes and tries again soon."""
    token = _patience.set(ms)
    try:
        yield
    finally:
        _patience.reset(token)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed when the block ends, rolled back on an error. A database
    still locked by another writer when the wait runs out (at BEGIN, a statement or COMMIT)
    is `ServiceError("busy")`, and nothing of the block is written."""
    timeout = _busy_timeouts.get(engine, BUSY_TIMEOUT_MS)
    wait = min(timeout, _patience.get() or timeout)
    lock = _write_locks.get(engine)
    if lock is not None and not lock.acquire(timeout=wait / 1000):
        raise ServiceError("busy")  # another thread of this process holds the lock that long
    try:
        with engine.connect().execution_options(write=True, wait_ms=wait) as connection, connection.begin():
            if wait < timeout and connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait)}")
            yield connection
    except DBAPIError as error:
        if is_busy(error):
            raise ServiceError("busy") from error
        raise
    finally:
        if lock is not None:
            lock.release()


def is_busy(error: DBAPIError) -> bool:
    """Whether a database error says another writer held the lock too long (SQLite's
    "database is locked", PostgreSQL's lock timeout, serialization failure or deadlock)."""
    cause = error.orig
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
        text = str(cause).lower()
        return "database is locked" in text or "database is busy" in text
    return getattr(cause, "sqlstate", None) in POSTGRES_BUSY


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction, so several reads see one state of the database."""
    with engine.connect() as connection, connection.begin():
        yield connection
        connection.rollback()


def fetch_rows(connection: Connection, query: Executable) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and plain tuples of a SELECT, straight from the driver's cursor.

    For the large reads of dashboards, where building SQLAlchemy row objects costs more
    than the query. The statement runs in the connection's own transaction.
    """
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        names = [column[0] for column in cursor.description]
        return names, cursor.fetchall()
    finally:
        cursor.close()


def stream_rows(
    connection: Connection, query: Executable, size: int = 10_000
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a SELECT as plain tuples in chunks of at most `size`, for reads too large
    to hold at once (the results export): SQLite steps its cursor as it is read, PostgreSQL
    gets a server-side cursor, so only one chunk is in memory at a time. The statement runs
    in the connection's own transaction; read the chunks before it ends."""
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    raw = connection.connection
    server_side = connection.dialect.name == "postgresql"
    cursor = raw.cursor(name=f"stream_rows_{next(_cursor_names)}") if server_side else raw.cursor()
    try:
        cursor.execute(str(compiled))
        while chunk := cursor.fetchmany(size):
            yield chunk
    finally:
        cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    with writing(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def _sqlite_connect(timeout: int, dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    record.info["wait_ms"] = timeout
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(timeout: int, connection: Connection) -> None:
    """BEGIN, for a write BEGIN IMMEDIATE, after setting how long the transaction may wait for
    the lock (the connection's busy timeout, set again only when it changes: a write under
    `patience` asks for less, the next transaction for the engine's own again)."""
    options = connection.get_execution_options()
    wait = int(options.get("wait_ms", timeout))
    record = connection.connection.info
    if record.get("wait_ms") != wait:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
        record["wait_ms"] = wait
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write", False) else "BEGIN")


def _postgres_connect(timeout: int, dbapi_connection: Any, _record: Any) -> None:
    """A PostgreSQL session waits at most `timeout` ms for another's lock (the default is for
    ever); a write that asks for less sets its own for its transaction."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(timeout)}")
    dbapi_connection.commit()

"""Connecting to the database, and the unit of work that owns each transaction.

SQLite gets WAL mode and foreign keys, and a writing unit of work opens with
`BEGIN IMMEDIATE`, so two writers queue for the lock instead of both reading
stale state and one failing at commit. PostgreSQL relies on row locks taken by
the service functions (`SELECT ... FOR UPDATE`) plus a version check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import Session

from service.settings import get_settings

_WRITE = "improve_write"
_HOLDS_WRITER = "improve_holds_writer_lock"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # SQLite has one writer at a time. This process's writers queue on a lock rather than
    # poll in SQLite's busy handler, whose growing sleeps turn contention into long waits;
    # other processes still wait through busy_timeout. The lock is held from BEGIN to
    # COMMIT or ROLLBACK, so a writing unit of work must start and end on one thread
    # (see service.web.deps.transaction).
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(_WRITE, False):
            connection.exec_driver_sql("BEGIN")
            return
        writer.acquire()
        connection.info[_HOLDS_WRITER] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITER, False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


# Enough pooled connections for every request the server runs at once (its worker threads,
# 40 by default), so a burst never opens and closes overflow connections: a new SQLite
# connection costs its pragmas, a new PostgreSQL one a server process.
SQLITE_POOL = {"pool_size": 40, "max_overflow": 40}


_engine_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the life of the process.

    Made under a lock: a fresh worker's first requests arrive together on many threads, and
    `functools.cache` alone would let each of them build an engine of its own, each with its
    own pool (and on SQLite its own writer lock), holding connections far past the pool size.
    """
    with _engine_lock:
        return _engine_for(url)


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **SQLITE_POOL
        )
        _configure_sqlite(engine)
        return engine
    # Sized per deployment (IMPROVE_DATABASE_POOL_SIZE, IMPROVE_DATABASE_MAX_OVERFLOW): every
    # process holds its own pool, and all of them share the server's max_connections.
    settings = get_settings()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )


@cache
def writing(engine: Engine) -> Engine:
    """The engine as a writing transaction uses it (on SQLite: queued, BEGIN IMMEDIATE).

    Made once per engine: deriving it costs a writing transaction as much as its first statement.
    """
    return engine.execution_options(**{_WRITE: True})


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session whose work is committed once on success and rolled back on any error.

    A writing unit begins its transaction at once (on SQLite: queues for the writer there) on
    a connection of its own, and binds the session to it: Core statements run straight on
    that connection (`connection_of`), skipping the ORM's transaction bookkeeping (some 30 us
    a unit, a tenth of a fire), and ORM work in the unit joins the same transaction. A
    reading unit connects only when first used, so a request's read-only session holds no
    pooled connection until it reads.
    """
    if not write:
        with Session(bind=engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
        return
    # rollback_only: the session's rollback (after a failed flush) ends the whole transaction;
    # its commit and close leave the connection's transaction to this block.
    with (
        writing(engine).connect() as connection,
        connection.begin(),
        Session(
            bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
        ) as session,
    ):
        yield session
        session.flush()


def connection_of(session: Session) -> Connection:
    """The connection the session's transaction runs on, for Core statements in it.

    A writing unit of work's session is bound to that connection; any other session
    begins its transaction, as `session.connection()` does.
    """
    bind = session.bind
    return bind if isinstance(bind, Connection) else session.connection()

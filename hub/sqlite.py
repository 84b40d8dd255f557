"""SQLite as the embedded hub's single-writer store: writers wait their turn, nothing is lost.

SQLite lets one connection write at a time. Left to itself, a thread that wants to write
polls the lock with growing sleeps (the busy handler) while dozens of others do the same, and
a deferred transaction that read before it writes fails at once when another connection wrote
in between. So here:

- the driver never begins a transaction by itself: reads run in autocommit, holding no lock
  and no stale snapshot;
- the first write of a transaction begins it ``IMMEDIATE``, after the writer has taken its
  process's turn (a lock per database file): the threads of one process queue on that lock
  instead of polling SQLite, and processes queue on SQLite's busy handler, retried with
  backoff until a deadline. Nothing is written yet while a writer waits, so retrying is safe;
- the turn ends with the transaction (commit, rollback or close of the connection).
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

#: Seconds one attempt at SQLite's write lock waits inside SQLite (its busy handler).
BUSY_SECONDS = 5.0
#: Seconds a writer goes on waiting for its turn, in this process and then in SQLite.
WRITE_DEADLINE = 120.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")

log = logging.getLogger(__name__)

_turns: dict[str, threading.Lock] = {}
_turns_lock = threading.Lock()


def _forget_turns() -> None:
    # A forked child holds none of its parent's turns, whatever the parent's threads held.
    global _turns_lock
    _turns.clear()
    _turns_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_turns)


def _turn(path: str) -> threading.Lock:
    with _turns_lock:
        return _turns.setdefault(path, threading.Lock())


class WriterConnection(sqlite3.Connection):
    """A connection that writes only in its turn, and gives the turn up when its write ends."""

    path = ""
    _turn: threading.Lock | None = None

    def begin_write(self) -> None:
        """Take this process's turn, then SQLite's write lock (``BEGIN IMMEDIATE``)."""
        deadline = time.monotonic() + WRITE_DEADLINE
        turn = _turn(self.path)
        if not turn.acquire(timeout=WRITE_DEADLINE):
            raise sqlite3.OperationalError(
                f"database is locked: no turn to write within {WRITE_DEADLINE:.0f} s")
        self._turn = turn
        delay = 0.01
        try:
            while True:
                try:
                    self.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                        raise
                    log.warning("another process has held the SQLite write lock for %.1f s; "
                                "waiting", BUSY_SECONDS)
                    time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - timing only
                    delay = min(delay * 2, 1.0)
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()


def _configure(path: str) -> Any:
    def configure(dbapi_connection: WriterConnection, _record: Any) -> None:
        dbapi_connection.path = path
        dbapi_connection.isolation_level = None  # no implicit BEGIN: see the module's doc
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead logging: readers (token checks, pages) never wait for a writer.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    return configure


def _begin_before_write(_conn: Any, cursor: sqlite3.Cursor, statement: str,
                        _parameters: Any, context: Any, _executemany: bool) -> None:
    connection = cursor.connection
    if connection.in_transaction:
        return
    if statement.lstrip()[:9].upper().startswith(_WRITES) or _locks_rows(context):
        connection.begin_write()  # type: ignore[attr-defined]


def _locks_rows(context: Any) -> bool:
    """A SELECT … FOR UPDATE, which SQLite's dialect leaves out of the SQL it sends: it takes
    the write lock here, as it takes the rows' locks on PostgreSQL."""
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return getattr(statement, "_for_update_arg", None) is not None


def sqlite_engine(url: str, connections: int) -> Engine:
    """An engine on the SQLite database at ``url``, its directory made, one writer at a time."""
    path = url.split("///", 1)[-1]
    pool: dict[str, Any] = {}
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        path = str(Path(path).resolve())
        # Connections are shared by the threads that run at once: as many as may run.
        pool = {"pool_size": connections, "max_overflow": 0, "pool_timeout": 30}
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS,
                                              "factory": WriterConnection}, **pool)
    event.listen(engine, "connect", _configure(path))
    event.listen(engine, "before_cursor_execute", _begin_before_write)
    return engine

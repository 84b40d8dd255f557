"""SQLite as a single-writer store: writers take turns, readers never wait, nothing is lost."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text, update

from hub import sqlite as hub_sqlite
from hub.db import Database

METADATA = MetaData()
COUNTER = Table("counter", METADATA, Column("id", Integer, primary_key=True),
                Column("value", Integer, nullable=False))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'store.sqlite3'}", connections=20)
    METADATA.create_all(db.engine)
    with db.session() as session:
        session.execute(insert(COUNTER).values(id=1, value=0))
    yield db
    db.dispose()


def _value(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(COUNTER.c.value).where(COUNTER.c.id == 1)) or 0)


def _increment(database: Database) -> None:
    """Read, then write what was read plus one: lost if two writers interleave."""
    with database.session() as session:
        value = session.scalar(select(COUNTER.c.value).where(COUNTER.c.id == 1)
                               .with_for_update())
        session.execute(update(COUNTER).where(COUNTER.c.id == 1).values(value=value + 1))


def test_threads_that_read_then_write_take_turns_and_lose_no_update(database):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                _increment(database)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _value(database) == 16 * 25


def test_two_processes_writing_at_once_lose_nothing(database, tmp_path):
    script = ("import sys; from tests.hub.test_sqlite import _increment; "
              "from hub.db import Database; d = Database(sys.argv[1]); "
              "[_increment(d) for _ in range(40)]")
    others = [subprocess.Popen([sys.executable, "-c", script, database.url],
                               cwd=Path(__file__).parents[2]) for _ in range(2)]
    for _ in range(40):
        _increment(database)
    assert [other.wait(timeout=120) for other in others] == [0, 0]
    assert _value(database) == 3 * 40


def test_a_reader_does_not_wait_for_a_writer(database):
    holding, read_done = threading.Event(), threading.Event()

    def writer() -> None:
        with database.session() as session:
            session.execute(update(COUNTER).values(value=41))
            holding.set()
            read_done.wait(10)  # the write lock is held until the read has finished

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    assert _value(database) == 0  # the committed value, read beside the open write
    read_done.set()
    thread.join()
    assert _value(database) == 41


def test_a_failed_write_gives_its_turn_up(database, monkeypatch):
    monkeypatch.setattr(hub_sqlite, "WRITE_DEADLINE", 3.0)
    with pytest.raises(ZeroDivisionError), database.session() as session:
        session.execute(update(COUNTER).values(value=5))
        raise ZeroDivisionError  # rolled back: the next writer must not wait for it
    done = threading.Thread(target=_increment, args=(database,))
    done.start()
    done.join(10)
    assert _value(database) == 1


def _hold_write_lock(path: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None)"
            "; c.execute('BEGIN IMMEDIATE'); print('held', flush=True); "
            "time.sleep(float(sys.argv[2])); c.execute('COMMIT')"), path, str(seconds)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_retries_while_another_process_holds_the_lock(tmp_path, monkeypatch):
    monkeypatch.setattr(hub_sqlite, "BUSY_SECONDS", 0.1)
    database = Database(f"sqlite:///{tmp_path / 'held.sqlite3'}")
    METADATA.create_all(database.engine)
    holder = _hold_write_lock(str(tmp_path / "held.sqlite3"), 1.0)
    with database.session() as session:  # waits out several busy timeouts, then writes
        session.execute(insert(COUNTER).values(id=1, value=7))
    holder.communicate(timeout=10)
    assert holder.returncode == 0
    assert _value(database) == 7
    database.dispose()


def test_a_writer_gives_up_at_its_deadline_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(hub_sqlite, "BUSY_SECONDS", 0.1)
    monkeypatch.setattr(hub_sqlite, "WRITE_DEADLINE", 0.5)
    database = Database(f"sqlite:///{tmp_path / 'held.sqlite3'}")
    METADATA.create_all(database.engine)
    holder = _hold_write_lock(str(tmp_path / "held.sqlite3"), 3.0)
    with pytest.raises(Exception, match="locked"), database.session() as session:
        session.execute(insert(COUNTER).values(id=1, value=7))
    holder.communicate(timeout=10)
    assert holder.returncode == 0
    with database.session() as session:
        assert session.scalar(text("SELECT count(*) FROM counter")) == 0
    database.dispose()


def test_a_forked_child_writes_with_connections_of_its_own(database):
    # What gunicorn's hooks do around the fork: the parent's pool is closed before it, and
    # the child forgets whatever it inherited.
    _increment(database)
    database.dispose()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        status = 1
        try:
            database.after_fork()
            for _ in range(20):
                _increment(database)
            status = 0
        finally:
            os._exit(status)
    for _ in range(20):
        _increment(database)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _value(database) == 41


def test_reads_before_the_first_write_hold_no_lock(database, tmp_path):
    # A session that has only read leaves the database writable by anyone else.
    with database.session() as session:
        assert session.scalar(select(COUNTER.c.value)) == 0
        other = sqlite3.connect(database.url.split("///", 1)[1], timeout=0.1,
                                isolation_level=None)
        other.execute("UPDATE counter SET value = 3")
        other.close()
    assert _value(database) == 3

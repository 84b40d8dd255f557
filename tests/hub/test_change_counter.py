"""The embedded change counter: values kept until a change is counted, by any process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.change_counter import MAX_AGE, ChangeCounter, counter_path


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Reads:
    """A stand-in for the database: counts how often it is asked."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hub.sqlite3.changes"


@pytest.fixture
def counter(path: Path, clock: Clock) -> Iterator[ChangeCounter]:
    made = ChangeCounter(path, clock=clock)
    yield made
    made.close()


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///var/hub.sqlite3", Path("var/hub.sqlite3.changes")),
    ("sqlite:////srv/hub/hub.sqlite3", Path("/srv/hub/hub.sqlite3.changes")),
    ("sqlite://", None),
    ("sqlite:///:memory:", None),
    ("postgresql+psycopg://hub@db/hub", None),
])
def test_only_an_sqlite_file_has_a_counter_beside_it(url, expected):
    assert counter_path(url) == expected


def test_a_kept_value_is_answered_without_reading_again(counter):
    reads = Reads("revoked: no")
    assert [counter.kept("k", reads) for _ in range(5)] == ["revoked: no"] * 5
    assert reads.calls == 1


def test_a_change_counted_by_another_process_is_seen_by_the_next_read(counter, path):
    reads = Reads("before")
    counter.kept("k", reads)
    other = ChangeCounter(path)  # another process maps the same file
    other.bump()
    reads.value = "after"
    assert counter.kept("k", reads) == "after" and reads.calls == 2
    assert counter.value() == other.value() == 1
    other.close()


def test_a_count_from_a_separate_process_is_seen(counter, path):
    reads = Reads("before")
    counter.kept("k", reads)
    code = ("import sys; from pathlib import Path; from hub.change_counter import ChangeCounter; "
            "ChangeCounter(Path(sys.argv[1])).bump()")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    reads.value = "after"
    assert counter.kept("k", reads) == "after"


def test_counts_from_many_processes_are_none_lost(counter, path):
    code = ("import sys; from pathlib import Path; from hub.change_counter import ChangeCounter; "
            "c = ChangeCounter(Path(sys.argv[1]))\nfor _ in range(50): c.bump()")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(path)]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in processes] == [0] * 4
    assert counter.value() == 200


def test_nothing_is_kept_longer_than_max_age(counter, clock):
    reads = Reads("value")
    counter.kept("k", reads)
    clock.now += MAX_AGE - 0.01
    counter.kept("k", reads)
    assert reads.calls == 1
    clock.now += 0.02
    counter.kept("k", reads)
    assert reads.calls == 2


def test_a_replaced_counter_file_is_noticed_within_max_age(counter, path, clock):
    reads = Reads("before")
    counter.kept("k", reads)
    os.unlink(path)
    ChangeCounter(path).bump()  # a new file: its counts say nothing of the old one's
    clock.now += MAX_AGE
    reads.value = "after"
    assert counter.kept("k", reads) == "after"
    assert counter.value() == 1


def test_keys_are_kept_apart(counter):
    first, second = Reads(1), Reads(2)
    assert counter.kept(("spent", "a"), first) == 1
    assert counter.kept(("spent", "b"), second) == 2
    assert counter.kept(("spent", "a"), first) == 1 and first.calls == 1


def test_the_counter_file_is_private(counter, path):
    counter.bump()
    assert path.stat().st_mode & 0o077 == 0

"""Embedded mode's answer to the Redis mirror: a change counter in a file beside SQLite.

Every protected request asks whether its token was revoked or its client cut off, and reads the
policy epoch. In embedded mode each of those was a query to SQLite, more than the rest of a
cached answer. They change rarely, and every process that can change them (the gunicorn worker,
a ``hub`` command run beside it) writes the same SQLite file on the same host, so that host's
page cache can tell them apart: each change adds one to a counter in ``<database>.changes``,
after its transaction commits and before the call that made it returns; each process maps the
file and keeps what it read from the database with the counter's value read before that read.
A kept value is used while the counter still holds that value: one load from shared memory, no
system call. A change is therefore seen by every process from the first request that starts
after the changing call returned (its commit came before its count, the count before the
reader's check, the check before the reader's query).

What no count vouches for is not trusted beyond ``MAX_AGE``: a change made by a process that
died between its commit and its count, or by hand in the database. A counter file deleted or
replaced under a running process is noticed within ``MAX_AGE`` too (the inode is checked that
often), and everything kept is forgotten.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app
from sqlalchemy.engine import make_url

T = TypeVar("T")

#: Seconds a kept value is trusted without the counter saying anything.
MAX_AGE = 2.0
#: Values kept at most; the copy starts afresh beyond (they are one per live token).
MAX_KEYS = 50_000
#: Native byte order and alignment: the count is written and read as one aligned 8-byte word,
#: which does not tear on the machines the hub runs on; a torn read could only cause a re-read.
_WORD = struct.Struct("Q")


def counter_path(database_url: str) -> Path | None:
    """Where the change counter of an SQLite database file lives; None for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}.changes")


class ChangeCounter:
    """A count of changes shared by every process on the host, and values kept until it moves."""

    def __init__(self, path: Path, max_age: float = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._map: mmap.mmap | None = None
        self._inode: int | None = None
        self._pid: int | None = None
        self._checked_at = float("-inf")
        self._kept: dict[Hashable, tuple[object, int, float]] = {}

    def value(self) -> int:
        """The count now: one read of a shared page once the file is mapped."""
        if self._map is None or self._pid != os.getpid() or \
                self._clock() - self._checked_at >= self.max_age:
            self._remap()
        assert self._map is not None
        return int(_WORD.unpack_from(self._map, 0)[0])

    def bump(self) -> None:
        """Count one change; call it after the change committed, before reporting success."""
        # A descriptor of its own: flock() locks belong to the open file, which a forked
        # process shares with its parent.
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with mmap.mmap(fd, _WORD.size) as shared:
                _WORD.pack_into(shared, 0, _WORD.unpack_from(shared, 0)[0] + 1)
        finally:
            os.close(fd)  # releases the lock

    def kept(self, key: Hashable, read: Callable[[], T]) -> T:
        """What ``read`` returns now: the value kept under ``key`` while no change was counted
        since it was read (and for at most ``MAX_AGE``), else ``read()``, then kept."""
        count = self.value()  # before the read: a change counted after it makes a re-read
        now = self._clock()
        known = self._kept.get(key)
        if known is not None and known[1] == count and now - known[2] < self.max_age:
            return known[0]  # type: ignore[return-value]
        value = read()
        if len(self._kept) >= MAX_KEYS:
            self._kept.clear()
        self._kept[key] = (value, count, now)
        return value

    def close(self) -> None:
        """Unmap the file and forget what was kept."""
        with self._lock:
            if self._map is not None and self._pid == os.getpid():
                self._map.close()
            self._map, self._inode = None, None
            self._kept.clear()

    def _open(self) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _WORD.size:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if os.fstat(fd).st_size < _WORD.size:  # another process may have just done it
                    os.ftruncate(fd, _WORD.size)
                fcntl.flock(fd, fcntl.LOCK_UN)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _remap(self) -> None:
        with self._lock:
            now = self._clock()
            inode = None
            with contextlib.suppress(FileNotFoundError):
                inode = os.stat(self.path).st_ino
            if self._map is not None and self._pid == os.getpid() and inode == self._inode:
                self._checked_at = now
                return
            if self._map is not None and self._pid == os.getpid():
                self._map.close()
            # A new file (or a new process) starts from nothing kept: the old file's counts
            # say nothing about the new one's.
            self._kept.clear()
            fd = self._open()
            try:
                self._map = mmap.mmap(fd, _WORD.size, prot=mmap.PROT_READ)
                self._inode = os.fstat(fd).st_ino
            finally:
                os.close(fd)
            self._pid, self._checked_at = os.getpid(), now


def init_app(app: Flask, database_url: str, embedded: bool) -> None:
    """Give an embedded hub on an SQLite file its change counter (None otherwise: Redis, or a
    database other processes may reach from other hosts, has to be asked)."""
    path = counter_path(database_url) if embedded else None
    app.extensions["hub.changes"] = ChangeCounter(path) if path is not None else None


def get_changes(app: Flask | None = None) -> ChangeCounter | None:
    """The app's change counter, or None when it has none."""
    changes: ChangeCounter | None = (app or current_app).extensions.get("hub.changes")
    return changes

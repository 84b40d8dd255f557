"""Group commit: pulls that finish while another pull's extract is being stored go in together.

Every ingest appends to the audit chain, whose lock lets one transaction at a time through (an
advisory lock on PostgreSQL, the write lock on SQLite), and ends with a commit flushed to
disk. A refresh of many connectors therefore queued its pulls one commit at a time; here the
pulls that arrive during one commit share the next transaction. Each pull's revision, attempt,
connector outcome and audit event still commit together or not at all; a batch that fails
tells each of its callers to store alone, so one bad extract costs the others nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Pulls stored in one transaction at most: bounds how long the chain's lock is held.
MOST = 64


@dataclass
class _Entry(Generic[Item, Result]):
    item: Item
    done: bool = False
    result: Result | None = None


@dataclass
class _Locks(Generic[Item, Result]):
    pid: int
    writer: threading.Lock = field(default_factory=threading.Lock)
    queue: threading.Lock = field(default_factory=threading.Lock)
    pending: list[_Entry[Item, Result]] = field(default_factory=list)


class GroupCommit(Generic[Item, Result]):
    """Stores items with ``store`` (one transaction for a list, results in the same order)."""

    def __init__(self, store: Callable[[Sequence[Item]], Sequence[Result]],
                 most: int = MOST) -> None:
        self._store = store
        self._most = most
        self._locks: _Locks[Item, Result] = _Locks(os.getpid())

    def submit(self, item: Item) -> Result | None:
        """``item``'s result, stored with whatever else was waiting; None when that batch
        failed, and the caller should store ``item`` alone."""
        locks = self._current()
        entry: _Entry[Item, Result] = _Entry(item)
        with locks.queue:
            locks.pending.append(entry)
        while not entry.done:
            # Whoever holds the writer stores the oldest waiting items, ours among them
            # sooner or later; a caller whose item was stored meanwhile just returns.
            with locks.writer:
                if entry.done:
                    break
                with locks.queue:
                    batch = locks.pending[:self._most]
                    del locks.pending[:self._most]
                self._commit(batch)
        return entry.result

    def _commit(self, batch: list[_Entry[Item, Result]]) -> None:
        results: Sequence[Result | None]
        try:
            results = self._store([e.item for e in batch])
        except Exception as exc:  # noqa: BLE001 - each caller stores alone and meets it there
            log.info("storing %d pulls together failed (%s); each is stored alone", len(batch),
                     type(exc).__name__)
            results = [None] * len(batch)
        for entry, result in zip(batch, results, strict=True):
            entry.result, entry.done = result, True

    def _current(self) -> _Locks[Item, Result]:
        # A forked child (gunicorn's worker) starts with fresh locks: a lock its parent's
        # thread held at the fork would never be released there. Two threads that both
        # replace them only batch apart, each still storing whole pulls.
        locks = self._locks
        if locks.pid != os.getpid():
            locks = self._locks = _Locks(os.getpid())
        return locks

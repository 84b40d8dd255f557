"""The audit of benchmark reads, written in batches so reads never wait on the audit chain.

Appending to the hash-chained log takes one lock across every process; taking it on each read
would serialise the reads. Each process instead queues its read events in memory and one
thread appends them every ``interval`` seconds, many per transaction. Reads of the same answers
by the same client within one interval become one event whose ``details.reads`` counts them (a
client polling a figure costs one row per interval, not one per request). The cost: a process
that dies without exiting (SIGKILL, power loss) loses the reads of its last interval (0.5 s by
default); a normal exit flushes what is queued.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.db import Database

log = logging.getLogger(__name__)

#: Events kept while the database is unreachable; older ones are dropped (and logged) beyond.
MAX_QUEUED = 100_000


class ReadLog:
    """Queues read events and appends them to the audit log in batches."""

    def __init__(self, database: Database, interval: float = 0.5) -> None:
        self.database = database
        self.interval = interval
        self._events: dict[Hashable, dict[str, Any]] = {}
        self._queueing = threading.Lock()
        self._flushing = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()

    def add(self, *, same: Hashable, actor: str, org_code: str | None, action: str,
            target: str, details: dict[str, Any]) -> None:
        """Queue one read; it reaches the audit log within ``interval`` seconds. Reads with equal
        ``same`` (which must determine every other argument) are counted in one event."""
        with self._queueing:
            queued = self._events.get(same)
            if queued is not None:
                queued["details"]["reads"] += 1
            else:
                if len(self._events) >= MAX_QUEUED:
                    log.error("audit of reads: %d events queued, dropping the oldest", MAX_QUEUED)
                    del self._events[next(iter(self._events))]
                self._events[same] = {"actor": actor, "org_code": org_code, "action": action,
                                      "target": target, "details": {**details, "reads": 1}}
        if self._pid != os.getpid():
            self._start()

    def flush(self) -> int:
        """Append every queued event now, in one transaction; how many reads they count."""
        with self._flushing:
            with self._queueing:
                batch, self._events = self._events, {}
            if not batch:
                return 0
            try:
                with self.database.session() as session:
                    _append(session, list(batch.values()))
            except Exception:
                self._requeue(batch)  # tried again at the next interval
                raise
            return sum(event["details"]["reads"] for event in batch.values())

    def _requeue(self, batch: dict[Hashable, dict[str, Any]]) -> None:
        with self._queueing:
            for same, event in self._events.items():  # queued since: after the older ones
                if same in batch:
                    batch[same]["details"]["reads"] += event["details"]["reads"]
                else:
                    batch[same] = event
            self._events = batch

    def close(self) -> None:
        """Stop the writing thread after appending what is queued."""
        self._stop.set()
        self._flush_quietly()

    def _start(self) -> None:
        # After a fork (gunicorn workers) the parent's thread does not exist: start one here.
        self._pid = os.getpid()
        self._flushing = threading.Lock()
        threading.Thread(target=self._run, name="audit-reads", daemon=True).start()
        atexit.register(self._flush_quietly)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._flush_quietly()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("audit of reads: appending failed; kept for the next attempt")


def _append(session: Session, batch: list[dict[str, Any]]) -> None:
    """Append ``batch`` to the chain under one lock and one read of its head."""
    audit.record_many(session, batch)

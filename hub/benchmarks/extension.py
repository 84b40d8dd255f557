"""Wiring of benchmarks into the app: response cache, read audit, recompute queue, epochs.

A computed answer is cached in-process per (route, measure, period, caller organisation), with
its rendered JSON and CSV, and kept while the PolicySet it was decided with is the current one,
its period's figures version has not moved and the regions are as they were. A consent or
agreement change (a new PolicySet) changes the very next response. A recompute changes the
figures epoch at once in its own process, and in the others within ``EPOCH_TTL``: they read the
shared epoch (a Redis counter bumped after each recompute commits, or the database's versions
when embedded) at most that often, so that a cached answer costs no round trip of its own. Once
the epoch moves the periods' versions are read again (one query), and only the answers of the
periods whose version moved are released again: a recompute of the newest quarter leaves the
other quarters of a trend as they were, figures and answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.benchmarks import figures
from hub.benchmarks.readlog import ReadLog
from hub.db import Database, get_db
from hub.pulls.queue import EmbeddedJobQueue, JobQueue, RqJobQueue
from hub.redis_client import get_redis
from policies.policyset import PolicySet

log = logging.getLogger(__name__)

EPOCH_KEY = "hub:benchmarks:figures-epoch"
PENDING_KEY = "hub:benchmarks:pending:{dataset}:{period}"
#: How long a queued recompute keeps others of the same period from being queued beside it.
PENDING_TTL = 600
CACHE_SIZE = 8192
#: Seconds a process goes on using the shared figures epoch it last read.
EPOCH_TTL = 1.0


@dataclass(frozen=True, eq=False)
class Cached:
    """One computed answer, what it holds for (the PolicySet, its period's figures version,
    the regions), and its audit.

    Compared and hashed by identity: the read log counts reads of the same answer together.
    """

    policy_set: PolicySet
    version: int
    geography: figures.Geography
    payload: dict[str, Any]
    refused: list[dict[str, Any]]
    #: The payload rendered once per format (JSON, CSV), filled by the API on first use.
    rendered: dict[str, bytes] = field(default_factory=dict)


class ResponseCache:
    """Answers by key, valid only for the PolicySet, figures version and regions they were
    computed under."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, policy_set: PolicySet, version: int,
            geography: figures.Geography) -> Cached | None:
        """The answer cached under ``key`` if it still holds."""
        entry = self._entries.get(key)
        if entry is None or entry.policy_set is not policy_set or entry.version != version \
                or entry.geography is not geography:
            return None
        return entry

    def put(self, key: Hashable, entry: Cached) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class Benchmarks:
    """What the benchmark routes and jobs share within one process."""

    def __init__(self, database: Database, redis_connection: redis.Redis | None,
                 queue: JobQueue) -> None:
        self.database = database
        self.redis = redis_connection
        self.queue = queue
        self.cache = ResponseCache()
        self.reads = ReadLog(database)
        self._pending: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._local = 0
        self._shared: tuple[str, float] = ("", -EPOCH_TTL)
        #: What is read from the database once per figures epoch: key -> (epoch, value).
        self._per_epoch: dict[Hashable, tuple[str, Any]] = {}
        #: Each period's stored figures, kept while its version stands: (dataset, period) ->
        #: figures.
        self._figures: dict[tuple[str, str], figures.PeriodOfFigures] = {}

    def epoch(self, session: Session, dataset: str) -> str:
        """The figures epoch now: this process's recomputes, and the shared epoch as last read."""
        now = time.monotonic()
        shared, read_at = self._shared
        if now - read_at >= EPOCH_TTL:
            shared = self._read_shared(session, dataset)
            self._shared = (shared, now)
        return f"{self._local}:{shared}"

    def versions(self, session: Session, dataset: str, epoch: str) -> dict[str, int]:
        """The figures version of each period of ``dataset``, read once per figures epoch."""
        versions: dict[str, int] = self._once_per_epoch(
            ("versions", dataset), epoch, lambda: figures.versions(session, dataset))
        return versions

    def periods(self, session: Session, dataset: str, epoch: str) -> tuple[str, ...]:
        """The periods of ``dataset`` with figures, read once per figures epoch."""
        return tuple(self.versions(session, dataset, epoch))

    def stored_figures(self, session: Session, dataset: str, periods: list[str], epoch: str
                       ) -> dict[str, figures.PeriodOfFigures]:
        """The stored figures of every measure in each of ``periods`` that has any, read once
        per figures version: every reader's answer is made from the same figures, so a burst
        of first reads (each caller its own answers) loads them once, not once per caller,
        and a recompute of one period leaves the others' as they were. The periods not kept
        are read in one query."""
        versions = self.versions(session, dataset, epoch)
        kept = {p: self._figures.get((dataset, p)) for p in periods if p in versions}
        missing = [p for p, stored in kept.items()
                   if stored is None or stored.version != versions[p]]
        for period, stored in figures.load_periods(session, dataset, missing).items():
            self._figures[(dataset, period)] = kept[period] = stored
        return {p: stored for p, stored in kept.items() if stored is not None}

    def geography(self, session: Session, epoch: str) -> figures.Geography:
        """Regions and their LAs, read once per figures epoch (the figures' region totals were
        computed with the membership of their recompute, so the two change together); the
        same object while they are unchanged, so that answers can be kept by its identity."""
        known = self._per_epoch.get(("geography",))
        if known is not None and known[0] == epoch:
            geography: figures.Geography = known[1]
            return geography
        read = figures.geography(session)
        if known is not None and known[1] == read:
            read = known[1]
        self._per_epoch[("geography",)] = (epoch, read)
        return read

    def _once_per_epoch(self, key: Hashable, epoch: str, read: Callable[[], Any]) -> Any:
        known = self._per_epoch.get(key)
        if known is None or known[0] != epoch:
            known = self._per_epoch[key] = (epoch, read())
        return known[1]

    def _read_shared(self, session: Session, dataset: str) -> str:
        if self.redis is not None:
            try:
                value = self.redis.get(EPOCH_KEY)
                return f"redis:{int(value) if value is not None else 0}"
            except redis.RedisError as exc:
                log.warning("figures epoch: Redis failed (%s); reading the database", exc)
        return figures.epoch(session, dataset)

    def recomputed(self, session: Session) -> None:
        """Bump the figures epoch once ``session``'s transaction commits."""
        event.listen(session, "after_commit", self._bump, once=True)

    def _bump(self, _session: Session) -> None:
        with self._lock:
            self._local += 1
        if self.redis is None:
            return
        try:
            self.redis.incr(EPOCH_KEY)  # type: ignore[union-attr]
        except redis.RedisError as exc:
            log.error("figures epoch: Redis failed (%s); cached answers may lag until the "
                      "next recompute", exc)

    def claim(self, dataset: str, period: str) -> bool:
        """True when no recompute of ``period`` is queued yet (one is now, by the caller)."""
        if self.redis is not None:
            key = PENDING_KEY.format(dataset=dataset, period=period)
            return bool(self.redis.set(key, "1", nx=True, ex=PENDING_TTL))
        with self._lock:
            if (dataset, period) in self._pending:
                return False
            self._pending.add((dataset, period))
            return True

    def release(self, dataset: str, period: str) -> None:
        """A queued recompute has started: an extract landing from now on queues another."""
        if self.redis is not None:
            self.redis.delete(PENDING_KEY.format(dataset=dataset, period=period))
            return
        with self._lock:
            self._pending.discard((dataset, period))


def init_app(app: Flask) -> Benchmarks:
    """Recompute through rq when Redis is configured, on a thread of this process otherwise."""
    from hub.benchmarks import jobs
    from hub.pulls import hooks

    connection = get_redis(app)
    # The pulls' rq queue: the workers that ingest extracts also recompute from them.
    queue: JobQueue = RqJobQueue(connection) if connection is not None \
        else EmbeddedJobQueue(app, workers=1)
    benchmarks = Benchmarks(get_db(app), connection, queue)
    app.extensions["hub.benchmarks"] = benchmarks
    hooks.on_extract_landed(jobs.extract_landed)
    return benchmarks


def get_benchmarks(app: Flask | None = None) -> Benchmarks:
    """The app's Benchmarks."""
    benchmarks: Benchmarks = (app or current_app).extensions["hub.benchmarks"]
    return benchmarks

"""The policy store: one compiled PolicySet per process, swapped whole when policies change.

Every agreement load and consent change bumps the policy epoch, a counter in the database, in
the same transaction as the change; with Redis configured, the new value is copied to Redis once
the change is committed, and embedded on an SQLite file, the change is counted beside it
(``hub.change_counter``). Each request reads the epoch (from the process's Redis mirror, which
the write announces itself to, or as kept while the embedded change counter has not moved, or
one SELECT otherwise, or when Redis has lost the key) and recompiles when it differs from the
one its PolicySet was compiled at, building a new PolicySet before swapping one reference, so no
request ever sees half a change. Each value is written to Redis once, so the key never returns to
a value a process compiled at before a later change. A PolicySet also holds only until the next
moment something in it takes or loses effect (a scheduled override, an agreement's first or last
day), and at most MAX_AGE, which bounds staleness should Redis be restored from an old snapshot.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from flask import Flask, current_app, g
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hub.change_counter import ChangeCounter
from hub.db import Database
from hub.decisions.models import EPOCH_ROW, PolicyEpoch
from hub.redis_mirror import KeyMirror, write_and_announce
from policies.agreement import Agreement
from policies.compiler import compile_policies
from policies.overrides import ConsentOverride
from policies.policyset import PolicySet

log = logging.getLogger(__name__)

REDIS_KEY = "hub:policy-epoch"
#: After a failed recompile, how long the previous PolicySet serves before the next attempt.
RETRY_AFTER = timedelta(seconds=5)
MAX_AGE = timedelta(seconds=60)

#: Reads what a compile needs from a session: the stored agreements and consent overrides.
Inputs = Callable[[Session], tuple[list[Agreement], list[ConsentOverride]]]


@dataclass(frozen=True)
class Snapshot:
    """A compiled PolicySet with the epoch it was compiled at and when it stops holding."""

    epoch: str | None
    policy_set: PolicySet
    valid_until: datetime


def next_change(agreements: list[Agreement], overrides: list[ConsentOverride], at: datetime
                ) -> datetime:
    """The first moment after ``at`` when an agreement or override changes, or MAX_AGE."""
    moments = [m for o in overrides for m in (o.effective_at, o.revoked_at) if m is not None]
    for agreement in agreements:
        days = [agreement.effective_from]
        if agreement.effective_to is not None:
            days.append(agreement.effective_to + timedelta(days=1))
        # Agreements run by UTC calendar day: they change at midnight UTC.
        moments += [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in days]
    return min([m for m in moments if m > at] + [at + MAX_AGE])


class PolicyStore:
    """Holds the current PolicySet of this process and keeps it current."""

    def __init__(self, database: Database, redis_connection: redis.Redis | None,
                 inputs: Inputs, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 mirror: KeyMirror | None = None, changes: ChangeCounter | None = None
                 ) -> None:
        self.database = database
        self.redis = redis_connection
        self.mirror = mirror
        self.changes = changes
        self.inputs = inputs
        self.clock = clock
        self._snapshot: Snapshot | None = None
        self._retry_at: datetime | None = None
        self._lock = threading.Lock()

    def current(self) -> PolicySet:
        """The PolicySet in force now, recompiled first if the epoch moved or it expired."""
        now = self.clock()
        epoch = self.read_epoch()
        snapshot = self._snapshot
        if snapshot is not None and self._holds(snapshot, epoch, now):
            return snapshot.policy_set
        with self._lock:
            snapshot = self._snapshot  # another thread may have just recompiled
            if snapshot is not None and (self._holds(snapshot, epoch, now) or (
                    self._retry_at is not None and now < self._retry_at)):
                return snapshot.policy_set
            try:
                snapshot = self.compile(epoch, now)
            except Exception:
                log.exception("recompiling the policies failed; the previous ones still serve")
                self._retry_at = now + RETRY_AFTER
                if self._snapshot is None:
                    # Nothing compiled yet: an empty set, which denies everything.
                    self._snapshot = Snapshot(None, compile_policies([], [], now), now)
                return self._snapshot.policy_set
            self._snapshot, self._retry_at = snapshot, None
            return snapshot.policy_set

    def compile(self, epoch: str | None, now: datetime) -> Snapshot:
        """A new snapshot from what the database holds now; the current one is untouched."""
        with self.database.sessions() as session:
            agreements, overrides = self.inputs(session)
        return Snapshot(epoch, compile_policies(agreements, overrides, now),
                        next_change(agreements, overrides, now))

    @staticmethod
    def _holds(snapshot: Snapshot, epoch: str | None, now: datetime) -> bool:
        return snapshot.epoch == epoch and now < snapshot.valid_until

    def read_epoch(self) -> str:
        """The epoch now: from Redis when configured and it has it, else from the database."""
        if self.redis is not None:
            try:
                value = self.mirror.mget([REDIS_KEY])[0] if self.mirror is not None \
                    else self.redis.get(REDIS_KEY)
                if value is not None:
                    return value.decode() if isinstance(value, bytes) else str(value)
            except redis.RedisError as exc:
                log.warning("policy epoch: Redis failed (%s); reading the database", exc)
                return self._database_epoch()
            return self._seed(self._database_epoch())
        if self.changes is not None:
            return self.changes.kept("policy-epoch", self._database_epoch)
        return self._database_epoch()

    def _seed(self, value: str) -> str:
        # Redis lacks the key (a new hub, or a Redis restarted empty): without it every request
        # would read the database. Only where no change has published a value since (NX): a
        # value read before a change never replaces the change's own.
        try:
            write_and_announce(self.redis, [REDIS_KEY],  # type: ignore[arg-type]
                               lambda pipe: pipe.set(REDIS_KEY, value, nx=True))
        except redis.RedisError as exc:
            log.warning("policy epoch: Redis failed (%s) copying epoch %s", exc, value)
        return value

    def _database_epoch(self) -> str:
        with self.database.sessions() as session:
            return str(session.scalar(select(PolicyEpoch.value).where(
                PolicyEpoch.id == EPOCH_ROW)))

    def lock(self, session: Session) -> None:
        """Serialise policy changes across processes until ``session``'s transaction ends."""
        # A row lock on PostgreSQL, the database write lock on SQLite. Every change takes it
        # before the audit chain's lock, so the two are always taken in the same order.
        session.execute(update(PolicyEpoch).where(PolicyEpoch.id == EPOCH_ROW).values(
            value=PolicyEpoch.value))

    def changed(self, session: Session) -> None:
        """Bump the epoch with ``session``'s transaction; every process recompiles after it."""
        session.execute(update(PolicyEpoch).where(PolicyEpoch.id == EPOCH_ROW).values(
            value=PolicyEpoch.value + 1))
        if self.redis is not None:
            value = session.scalar(select(PolicyEpoch.value).where(PolicyEpoch.id == EPOCH_ROW))
            event.listen(session, "after_commit",
                         lambda _session: self._publish(str(value)), once=True)
        elif self.changes is not None:
            changes = self.changes
            event.listen(session, "after_commit", lambda _session: changes.bump(), once=True)

    def _publish(self, value: str) -> None:
        try:
            write_and_announce(self.redis, [REDIS_KEY],  # type: ignore[arg-type]
                               lambda pipe: pipe.set(REDIS_KEY, value))
        except redis.RedisError as exc:
            # Processes reading Redis keep the previous policies until MAX_AGE has passed.
            log.error("policy epoch: Redis failed (%s) publishing epoch %s", exc, value)


def get_policy_store(app: Flask | None = None) -> PolicyStore:
    """The app's policy store."""
    store: PolicyStore = (app or current_app).extensions["hub.policies"]
    return store


def get_policy_set() -> PolicySet:
    """The PolicySet the current request decides with: one epoch read per request."""
    if "policy_set" not in g:
        g.policy_set = get_policy_store().current()
    policy_set: PolicySet = g.policy_set
    return policy_set

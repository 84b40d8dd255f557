"""What must not be accepted again: revoked tokens, cut-off clients, used client assertions.

Redis holds them when configured (shared by every process, expiring by itself); otherwise the
database does. Entries live only until the tokens they concern would have expired anyway.
Either way the check on every request is answered from the process's copy, which every
revocation and cut-off announces itself to: the Redis mirror, or, embedded, the change counter
beside the SQLite file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

import redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from hub.change_counter import ChangeCounter
from hub.db import Database
from hub.identity.models import SpentToken
from hub.redis_mirror import KeyMirror, write_and_announce


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _revoked(jti: str) -> str:
    return f"revoked:{jti}"


def _cutoff(client_id: str) -> str:
    return f"cutoff:{client_id}"


class SpentStore(Protocol):
    def use_once(self, key: str, expires_at: int) -> bool:
        """Record ``key`` until ``expires_at``; False when it was recorded already (a replay)."""

    def revoke_token(self, jti: str, expires_at: int) -> None:
        """The access token ``jti`` is refused from the next request on."""

    def cut_off_client(self, client_id: str, generation: int, until: int) -> None:
        """Tokens of the client's generations below ``generation`` are refused until ``until``."""

    def is_refused(self, jti: str, client_id: str, generation: int) -> bool:
        """True when the token was revoked or its client generation was cut off."""


class RedisSpentStore:
    def __init__(self, connection: redis.Redis, mirror: KeyMirror,
                 prefix: str = "hub:spent:") -> None:
        self._redis = connection
        self._mirror = mirror
        self._prefix = prefix

    def _ttl(self, expires_at: int) -> int:
        return max(1, expires_at - _now())

    def use_once(self, key: str, expires_at: int) -> bool:
        return bool(self._redis.set(self._prefix + key, b"1", nx=True,
                                    ex=self._ttl(expires_at)))

    def revoke_token(self, jti: str, expires_at: int) -> None:
        key = self._prefix + _revoked(jti)
        write_and_announce(self._redis, [key], lambda pipe: pipe.set(
            key, b"1", ex=self._ttl(expires_at)))

    def cut_off_client(self, client_id: str, generation: int, until: int) -> None:
        key = self._prefix + _cutoff(client_id)
        write_and_announce(self._redis, [key], lambda pipe: pipe.set(
            key, str(generation).encode(), ex=self._ttl(until)))

    def is_refused(self, jti: str, client_id: str, generation: int) -> bool:
        # On every request: answered from this process's mirror, which every revocation and
        # cut-off announces itself to, so a held token costs no round trip.
        revoked, cutoff = self._mirror.mget([self._prefix + _revoked(jti),
                                             self._prefix + _cutoff(client_id)])
        return revoked is not None or (cutoff is not None and generation < int(cutoff))


class DatabaseSpentStore:
    def __init__(self, database: Database, changes: ChangeCounter | None = None) -> None:
        self._database = database
        #: Counts revocations and cut-offs across processes; None: ask the database each time.
        self._changes = changes

    def _record(self, key: str, expires_at: int, value: int | None = None, *,
                replace: bool = False) -> bool:
        now = datetime.now(UTC)
        try:
            with self._database.session() as session:
                session.execute(delete(SpentToken).where(SpentToken.expires_at < now))
                if replace:
                    session.execute(delete(SpentToken).where(SpentToken.key == key))
                session.add(SpentToken(key=key, value=value,
                                       expires_at=datetime.fromtimestamp(expires_at, UTC)))
        except IntegrityError:
            return False
        return True

    def use_once(self, key: str, expires_at: int) -> bool:
        return self._record(key, expires_at)

    def revoke_token(self, jti: str, expires_at: int) -> None:
        self._record(_revoked(jti), expires_at, replace=True)
        self._counted()

    def cut_off_client(self, client_id: str, generation: int, until: int) -> None:
        self._record(_cutoff(client_id), until, generation, replace=True)
        self._counted()

    def _counted(self) -> None:
        # After the commit, before the caller returns: no process keeps the old answer after.
        if self._changes is not None:
            self._changes.bump()

    def is_refused(self, jti: str, client_id: str, generation: int) -> bool:
        # On every request: the rows are kept while no revocation or cut-off was counted.
        rows = self._rows(jti, client_id) if self._changes is None else \
            self._changes.kept(("spent", jti, client_id), lambda: self._rows(jti, client_id))
        return any(key.startswith("revoked:") or (value is not None and generation < value)
                   for key, value in rows)

    def _rows(self, jti: str, client_id: str) -> tuple[tuple[str, int | None], ...]:
        # Core on a pooled connection rather than an ORM session.
        table = SpentToken.__table__
        with self._database.engine.connect() as connection:
            return tuple((key, value) for key, value in connection.execute(
                select(table.c.key, table.c.value).where(
                    table.c.key.in_((_revoked(jti), _cutoff(client_id))),
                    table.c.expires_at >= datetime.now(UTC))))

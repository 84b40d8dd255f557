"""A process-local copy of the few Redis keys read on every request, dropped when they change.

Every protected request asks whether its token was revoked or its client cut off, and reads the
policy epoch. Asking Redis each time cost a round trip per request, more than the rest of a
cached benchmark answer. Those keys change rarely, so each process keeps what it has read and
forgets a key as soon as it is told the key changed: every writer of a mirrored key publishes
the key's name on ``CHANNEL`` in the same MULTI/EXEC as the write (``write_and_announce``), and
each read first handles the messages that arrived since the last read (a poll of the
subscription's socket, no round trip). A revocation is therefore seen by every process from
the first request that starts after the revoking call returned.

What no message vouches for is not trusted: nothing is kept before the subscription is
confirmed or while it is down; a (re)connection of the subscription empties the copy (messages
sent while it was away are lost); a value read while a change was being announced is not kept;
and no value is kept longer than ``MAX_AGE``, in case a connection dies without a word.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis
from redis.client import Pipeline, PubSub

log = logging.getLogger(__name__)

CHANNEL = "hub:mirror:changed"
#: Seconds a kept value is trusted without any message about it.
MAX_AGE = 2.0
#: Seconds between attempts to subscribe again after the subscription failed.
RETRY_AFTER = 1.0
#: Keys kept at most; the copy starts afresh beyond (they are one per live token).
MAX_KEYS = 50_000

Command = Callable[[Pipeline], Any]


def write_and_announce(connection: redis.Redis, keys: Sequence[str], write: Command) -> None:
    """Run ``write`` (commands on a pipeline, changing ``keys``) and announce the change to
    every process's mirror, atomically: no process can read the new value and miss the news."""
    with connection.pipeline(transaction=True) as pipe:
        write(pipe)
        pipe.publish(CHANNEL, "\n".join(keys))
        pipe.execute()


class KeyMirror:
    """``mget`` answered from this process's copy when it can be trusted, from Redis otherwise."""

    def __init__(self, connection: redis.Redis, max_age: float = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = connection
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._values: dict[str, tuple[bytes | None, float]] = {}
        self._pubsub: PubSub | None = None
        self._pid: int | None = None
        self._confirmed = False
        #: Bumped by every announcement handled and every loss of the subscription.
        self._changes = 0
        self._retry_at = float("-inf")

    def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        """The values of ``keys`` now (None for a missing key), as Redis's MGET answers."""
        started = self._clock()
        with self._lock:
            if self._catch_up(started):
                kept = [self._values.get(key) for key in keys]
                if all(k is not None and started - k[1] < self._max_age for k in kept):
                    return [k[0] for k in kept]  # type: ignore[index]
            seen = self._changes
        values: list[bytes | None] = self._redis.mget(keys)  # type: ignore[assignment]
        with self._lock:
            # Kept only if no change was announced since before the read: the read may have
            # come before that change, and its announcement is already handled.
            if self._catch_up(self._clock()) and self._changes == seen:
                if len(self._values) + len(keys) > MAX_KEYS:
                    self._values.clear()
                for key, value in zip(keys, values, strict=True):
                    self._values[key] = (value, started)
        return values

    def close(self) -> None:
        """Drop the subscription and the copy."""
        with self._lock:
            self._lose()

    def _catch_up(self, now: float) -> bool:
        """Handle every announcement received so far; True when the copy can be trusted."""
        if self._pid != os.getpid():
            # A forked worker must not read its parent's socket: subscribe afresh.
            self._pid, self._pubsub, self._confirmed = os.getpid(), None, False
            self._values.clear()
        if self._pubsub is None and not self._subscribe(now):
            return False
        assert self._pubsub is not None
        try:
            # Until confirmed, ask redis-py: it may already hold the confirmation.
            if not self._confirmed or self._may_have_news():
                # Until redis-py has nothing whole left: what it read may hold several.
                while (message := self._pubsub.get_message(timeout=0)) is not None:
                    self._handle(message)
        except (redis.RedisError, OSError) as exc:
            self._give_up(now, exc)
            return False
        return self._confirmed

    def _may_have_news(self) -> bool:
        # One select() on the subscription's socket: redis-py's own check, through its whole
        # read path, cost as much per request as the rest of the mirror. Each catch-up reads
        # until no whole message is left, so an unreadable socket means nothing new; without
        # the socket (disconnected, or a redis-py that names it differently) redis-py decides.
        assert self._pubsub is not None
        sock = getattr(self._pubsub.connection, "_sock", None)
        if sock is None:
            return True
        try:
            return bool(select.select([sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    def _subscribe(self, now: float) -> bool:
        if now < self._retry_at:
            return False
        self._pubsub = pubsub = self._redis.pubsub()
        try:
            pubsub.subscribe(CHANNEL)
        except (redis.RedisError, OSError) as exc:
            self._give_up(now, exc)
            return False
        # redis-py reconnects and subscribes again by itself; whatever was announced in
        # between is lost, so every later connection forgets the copy until confirmed.
        assert pubsub.connection is not None
        pubsub.connection.register_connect_callback(self._reconnected)
        return True

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self._forget()
            self._confirmed = True
        elif kind == "message":
            self._changes += 1
            for key in message["data"].decode().split("\n"):
                self._values.pop(key, None)

    def _reconnected(self, _connection: Any) -> None:
        # Called inside get_message, under the lock, before the subscription is renewed.
        self._confirmed = False
        self._forget()

    def _forget(self) -> None:
        self._changes += 1
        self._values.clear()

    def _give_up(self, now: float, exc: Exception) -> None:
        log.warning("Redis mirror: no subscription (%s); reading Redis directly", exc)
        self._lose()
        self._retry_at = now + RETRY_AFTER

    def _lose(self) -> None:
        pubsub, self._pubsub, self._confirmed = self._pubsub, None, False
        self._forget()
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                pubsub.close()

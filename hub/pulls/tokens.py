"""Connector tokens shared by every pull: in Redis (encrypted, they are bearer credentials)."""

from __future__ import annotations

import json
import logging
import time

import redis

from connectors.client import CachedToken
from hub.crypto import SecretBox

_PREFIX = "hub:connector-token:"


log = logging.getLogger(__name__)

class RedisTokenCache:
    """A TokenCache in Redis, each token encrypted with the hub's SecretBox and expiring with it."""

    def __init__(self, connection: redis.Redis, box: SecretBox) -> None:
        self._redis = connection
        self._box = box

    # A cache: when Redis is away the pull fetches a fresh token instead of failing.
    def get(self, key: str) -> CachedToken | None:
        try:
            stored = self._redis.get(_PREFIX + key)
        except redis.RedisError as exc:
            log.warning("connector token cache unavailable: %s", type(exc).__name__)
            return None
        if stored is None:
            return None
        try:
            data = json.loads(self._box.decrypt(stored))  # type: ignore[arg-type]
        except ValueError:
            return None  # written under a key since rotated away: fetch a new token
        return CachedToken(data["access_token"], data["expires_at"])

    def put(self, key: str, token: CachedToken) -> None:
        ttl = int(token.expires_at - time.time())
        if ttl > 0:
            payload = json.dumps({"access_token": token.access_token,
                                  "expires_at": token.expires_at}).encode()
            try:
                self._redis.set(_PREFIX + key, self._box.encrypt(payload), ex=ttl)
            except redis.RedisError as exc:
                log.warning("connector token cache unavailable: %s", type(exc).__name__)

    def drop(self, key: str) -> None:
        try:
            self._redis.delete(_PREFIX + key)
        except redis.RedisError as exc:
            log.warning("connector token cache unavailable: %s", type(exc).__name__)

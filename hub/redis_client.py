"""The app's Redis connection, when HUB_REDIS_URL is set (otherwise the hub is embedded)."""

from __future__ import annotations

import redis
from flask import Flask, current_app

from hub.redis_mirror import KeyMirror


def connect(url: str) -> redis.Redis:
    """A connection pool to ``url`` with bounded timeouts, so a dead Redis fails fast."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                                health_check_interval=30)


def get_redis(app: Flask | None = None) -> redis.Redis | None:
    """The app's Redis, or None in embedded mode."""
    connection: redis.Redis | None = (app or current_app).extensions.get("hub.redis")
    return connection


def get_mirror(app: Flask | None = None) -> KeyMirror | None:
    """The app's copy of the Redis keys read on every request, or None in embedded mode."""
    mirror: KeyMirror | None = (app or current_app).extensions.get("hub.redis_mirror")
    return mirror


def init_app(app: Flask, url: str | None) -> None:
    connection = connect(url) if url else None
    app.extensions["hub.redis"] = connection
    app.extensions["hub.redis_mirror"] = KeyMirror(connection) if connection else None

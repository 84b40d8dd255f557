"""Wiring of identity into the app: keys, tokens, replay store, rate limits, the server."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from hub.change_counter import get_changes
from hub.config import Settings
from hub.crypto import SecretBox
from hub.db import get_db
from hub.identity.keys import KeyRing
from hub.identity.oauth import HubAuthorizationServer, create_server
from hub.identity.ratelimit import TokenRateLimiter
from hub.identity.spent import DatabaseSpentStore, RedisSpentStore, SpentStore
from hub.identity.tokens import TokenService
from hub.redis_client import get_mirror, get_redis


@dataclass
class Identity:
    keys: KeyRing
    tokens: TokenService
    spent: SpentStore
    limiter: TokenRateLimiter
    server: HubAuthorizationServer


def init_app(app: Flask, settings: Settings, box: SecretBox) -> Identity:
    """Build the app's identity services from ``settings``."""
    database = get_db(app)
    redis, mirror = get_redis(app), get_mirror(app)
    spent: SpentStore = RedisSpentStore(redis, mirror) if redis is not None and mirror \
        else DatabaseSpentStore(database, get_changes(app))
    keys = KeyRing(database.sessions, box, settings.token_lifetime)
    identity = Identity(
        keys=keys,
        tokens=TokenService(keys, spent, settings.issuer, settings.audience,
                            settings.token_lifetime),
        spent=spent,
        limiter=TokenRateLimiter(settings.redis_url or "memory://",
                                 settings.token_rate_per_client,
                                 settings.token_rate_per_address,
                                 settings.token_failures_per_address),
        server=create_server(app, settings.issuer),
    )
    app.extensions["hub.identity"] = identity
    from hub.identity.oauth import blp

    app.register_blueprint(blp)
    return identity

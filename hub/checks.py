"""Checks of a deployment's configuration, for `hub check-config` before a hub goes live."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from redis import RedisError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hub.config import Settings
from hub.crypto import SecretBox
from hub.db import Database, alembic_config
from hub.redis_client import connect

MAX_TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


def _schema(database: Database) -> str | None:
    heads = set(ScriptDirectory.from_config(alembic_config(database.url)).get_heads())
    with database.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        return (f"the schema is at {sorted(current) or 'nothing'}, the code expects "
                f"{sorted(heads)}: run `hub db upgrade`")
    return None


def _secrets(database: Database, box: SecretBox) -> str | None:
    """Every stored secret opens with the configured keys (an old key was not dropped early)."""
    from hub.identity.models import SigningKey
    from hub.registry.models import Connector

    columns = [(SigningKey, SigningKey.private_key, SigningKey.kid),
               (Connector, Connector.client_secret, Connector.la_code)]
    with database.sessions() as session:
        for model, column, label in columns:
            for name, ciphertext in session.execute(select(label, column)):
                try:
                    box.decrypt(ciphertext)
                except ValueError:
                    return (f"{model.__tablename__} {name}: no key in HUB_ENCRYPTION_KEYS "
                            f"decrypts it; keep the old key until `hub keys rotate` has run")
    return None


def run_checks(settings: Settings) -> Iterator[Finding]:
    """Each check of ``settings`` and the services they name, with what is wrong."""

    def check(name: str, probe: Callable[[], str | None]) -> Finding:
        try:
            problem = probe()
        except (SQLAlchemyError, RedisError, OSError) as exc:
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        return Finding(name, problem is None, problem or "ok")

    yield Finding("environment", settings.env == "production",
                  "production" if settings.env == "production" else
                  f"HUB_ENV is {settings.env!r}: development defaults (http connectors, "
                  "generated secrets) are on")
    yield Finding("issuer", settings.issuer.startswith("https://"),
                  settings.issuer if settings.issuer.startswith("https://") else
                  "HUB_ISSUER must be the hub's public https:// URL")
    yield Finding("token lifetime", settings.token_lifetime <= MAX_TOKEN_LIFETIME,
                  f"{settings.token_lifetime} s" if settings.token_lifetime <= MAX_TOKEN_LIFETIME
                  else f"HUB_TOKEN_LIFETIME {settings.token_lifetime} s is above an hour")
    yield Finding("redis", settings.redis_url is not None,
                  "configured" if settings.redis_url else
                  "HUB_REDIS_URL is unset: jobs, rate limits and revocation would stay inside "
                  "one process; production runs several")
    if settings.redis_url:
        yield check("redis reachable", lambda: None if connect(settings.redis_url or "").ping()
                    else "no answer to PING")
    database = Database(settings.database_url)
    try:
        yield check("database reachable", lambda: database.ping())  # type: ignore[func-returns-value]
        yield check("database schema", lambda: _schema(database))
        if settings.encryption_keys:
            yield check("secrets at rest", lambda: _secrets(database, SecretBox(
                settings.encryption_keys)))
        else:
            yield Finding("secrets at rest", False, "HUB_ENCRYPTION_KEYS is unset")
    finally:
        database.dispose()

"""Migration 0008h: host-only allow-list entries become one entry per port their connectors use."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from hub.db import Database, alembic_config


def test_host_only_entries_become_the_ports_their_connectors_use(database_url):
    database = Database(database_url)
    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    with database.engine.begin() as connection:
        for host in ("la.example", "unused.example"):
            connection.execute(text(
                "INSERT INTO allowed_hosts (host, reason, created_at) "
                "VALUES (:host, 'internal connector', '2026-01-01 00:00:00')"), {"host": host})
        connection.execute(text(
            "INSERT INTO connectors (id, la_code, base_url, token_url, jwks_url, jwks, "
            "client_id, client_secret, enabled, created_at, updated_at) VALUES (1, "
            "'E09000001', :base, :token, :jwks, '{}', 'hub', :secret, :enabled, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {
                "base": "https://LA.example.:8443/c", "token": "https://la.example/token",
                "jwks": "http://la.example/jwks", "secret": b"x", "enabled": True})
    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT host, port, reason FROM allowed_hosts ORDER BY port")).all()
    assert [tuple(r) for r in rows] == [("la.example", 80, "internal connector"),
                                        ("la.example", 443, "internal connector"),
                                        ("la.example", 8443, "internal connector")]
    command.downgrade(config, "0004")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT host FROM allowed_hosts")).scalars().all() \
            == ["la.example"]
    database.dispose()

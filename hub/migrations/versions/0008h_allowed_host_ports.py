"""Connector allow-list: each entry is a host AND a port

Revision ID: 0008h
Revises: 0004
Create Date: 2026-12-02

An entry used to allow every port of its host, letting an LA probe any port of an allowed
host. Each host-only entry becomes one entry per port that the registered connectors use on
that host (in their base, token or JWKS URL); an entry no connector uses is dropped, logged,
and must be allowed again with its port. A downgrade keeps one host-only entry per host.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0008h"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_and_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    return (host, port) if host and port else None


def _set_aside() -> None:
    # The old table steps aside (with its primary key's name, which PostgreSQL keeps globally)
    # so the new one can take both; rows are copied in SQL, as stored.
    op.rename_table("allowed_hosts", "allowed_hosts_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE allowed_hosts_old RENAME CONSTRAINT pk_allowed_hosts "
                   "TO pk_allowed_hosts_old")


def upgrade() -> None:
    connection = op.get_bind()
    used: set[tuple[str, int]] = set()
    for row in connection.execute(sa.text(
            "SELECT base_url, token_url, jwks_url FROM connectors")).all():
        used.update(p for p in map(_host_and_port, row) if p is not None)
    _set_aside()
    op.create_table(
        "allowed_hosts",
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", "port", name=op.f("pk_allowed_hosts")),
    )
    for (host,) in connection.execute(sa.text("SELECT host FROM allowed_hosts_old")).all():
        ports = sorted(port for used_host, port in used if used_host == host)
        if not ports:
            log.warning("allowed host %s dropped: no connector uses it; allow it again as "
                        "HOST:PORT", host)
        for port in ports:
            connection.execute(sa.text(
                "INSERT INTO allowed_hosts (host, port, reason, created_at) SELECT host, "
                ":port, reason, created_at FROM allowed_hosts_old WHERE host = :host"),
                {"host": host, "port": port})
    op.drop_table("allowed_hosts_old")


def downgrade() -> None:
    _set_aside()
    op.create_table(
        "allowed_hosts",
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_allowed_hosts")),
    )
    op.execute("INSERT INTO allowed_hosts (host, reason, created_at) SELECT host, MIN(reason), "
               "MIN(created_at) FROM allowed_hosts_old GROUP BY host")
    op.drop_table("allowed_hosts_old")

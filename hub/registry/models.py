"""Registered connectors, and the hosts admins allow despite a private address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base
from hub.organisations.models import Organisation


class Connector(Base):
    """One LA's connector: where it is, how the hub signs in, and the key it signs with."""

    __tablename__ = "connectors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One connector per LA; replacing it is an update, so its pull history stays attached.
    la_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), unique=True)
    base_url: Mapped[str] = mapped_column(String(2048))
    token_url: Mapped[str] = mapped_column(String(2048))
    jwks_url: Mapped[str] = mapped_column(String(2048))
    #: The JWKS fetched from ``jwks_url`` at registration; extracts must verify against it.
    jwks: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_id: Mapped[str] = mapped_column(String(255))
    #: The client secret, encrypted with the hub's SecretBox.
    client_secret: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    last_pull_at: Mapped[datetime | None] = mapped_column()
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(32))

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AllowedHost(Base):
    """A host and port a connector may use although the host resolves to a loopback or private
    address: only that port, so an allowed host cannot be probed port by port."""

    __tablename__ = "allowed_hosts"

    host: Mapped[str] = mapped_column(String(253), primary_key=True)
    port: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column()

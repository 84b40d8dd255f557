"""The audit log's one table: each row carries the hash of the row before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class AuditEvent(Base):
    """One thing that happened, who did it, and the chain link that makes it tamper-evident."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    #: A client id, a person, or ``cli:<user>`` for commands run on the server.
    actor: Mapped[str] = mapped_column(String(200))
    #: The actor's organisation; None for commands run on the server. No foreign key: the log
    #: outlives whatever it mentions.
    org_code: Mapped[str | None] = mapped_column(String(16), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

"""Consent overrides, one row per version: a change never rewrites an earlier version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class ConsentVersion(Base):
    """One version of a withholding or a suspension."""

    __tablename__ = "consent_overrides"
    __table_args__ = (
        CheckConstraint("kind IN ('withhold', 'suspend')", name="kind"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The LA that withholds, or the party suspended.
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    audience: Mapped[str | None] = mapped_column(String(32))
    measure: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    #: Who made this version: a client id, or ``cli:<user>``.
    author: Mapped[str] = mapped_column(String(200))
    #: The author's organisation; None for commands run on the server.
    author_org: Mapped[str | None] = mapped_column(String(16))
    effective_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

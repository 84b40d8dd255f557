"""People's signed-in sessions, kept on the server so signing out ends them for good; the
regions' commentary on their governance packs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class SignInSession(Base):
    """One sign-in of one person; the cookie carries a random token, the table its sha256."""

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()


class PackCommentary(Base):
    """One version of a region's commentary on one section of its quarterly governance pack.

    Rows are only added: a new text is a new version, so what a board read stays on record."""

    __tablename__ = "pack_commentary"
    __table_args__ = (UniqueConstraint("region_code", "period", "section", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(16), ForeignKey("organisations.code"))
    period: Mapped[str] = mapped_column(String(7))
    section: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(320))
    written_at: Mapped[datetime] = mapped_column()

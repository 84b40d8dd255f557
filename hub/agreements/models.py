"""Every version of every region's agreement ever loaded, with its source text."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class AgreementVersion(Base):
    """One loaded agreement file; the source text is what decisions are compiled from."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("region", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A region's ONS code, or ``national``; not a foreign key, as ``national`` is no organisation.
    region: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(255))
    source_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[str] = mapped_column(String(200))

"""Every revision of every extract received, and every pull attempted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base

INGESTED, UNCHANGED, FAILED = "ingested", "unchanged", "failed"
#: An accepted pull not yet finished: waiting for its job, or for a retry after a transient
#: failure.
QUEUED, RETRYING = "queued", "retrying"


class ExtractRevision(Base):
    """One revision of an LA's extract for a dataset and period, exactly as it was signed."""

    __tablename__ = "extracts"
    __table_args__ = (
        UniqueConstraint("la_code", "dataset", "period", "revision",
                         name="uq_extracts_la_code_dataset_period_revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    la_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    dataset: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(Integer)
    #: Of the signed body: the evidence of exactly what the connector sent.
    sha256: Mapped[str] = mapped_column(String(64))
    #: Of the figures alone: a connector that restarts re-stamps ``generated_at`` without any
    #: figure changing, which is not a new revision.
    content_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[str] = mapped_column(Text)
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)
    breakdowns: Mapped[dict[str, Any]] = mapped_column(JSON)
    generated_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id"), index=True)


class PullAttempt(Base):
    """One pull of one extract, with how it ended and after how many tries."""

    __tablename__ = "pull_attempts"
    __table_args__ = (Index("ix_pull_attempts_connector_id_started_at", "connector_id",
                            "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id"))
    dataset: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    outcome: Mapped[str] = mapped_column(String(16))
    #: The revision stored or found unchanged; none for a failure.
    revision: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column()
    #: None while the attempt is queued or retrying.
    finished_at: Mapped[datetime | None] = mapped_column()

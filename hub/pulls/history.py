"""Reading what pulls did: a connector's attempts and the extracts stored."""

from __future__ import annotations

from sqlalchemy import Select, select

from hub.pulls.models import ExtractRevision, PullAttempt


def attempts_query(connector_id: int) -> Select[tuple[PullAttempt]]:
    """The connector's pull attempts, newest first."""
    return select(PullAttempt).where(PullAttempt.connector_id == connector_id).order_by(
        PullAttempt.started_at.desc(), PullAttempt.id.desc())


def revisions_query(la_code: str, dataset: str, period: str) -> Select[tuple[ExtractRevision]]:
    """Every revision of one extract, oldest first."""
    return select(ExtractRevision).where(
        ExtractRevision.la_code == la_code, ExtractRevision.dataset == dataset,
        ExtractRevision.period == period).order_by(ExtractRevision.revision)

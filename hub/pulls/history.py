"""Reading what pulls did: a connector's attempts."""

from __future__ import annotations

from sqlalchemy import Select, select

from hub.pulls.models import PullAttempt


def attempts_query(connector_id: int) -> Select[tuple[PullAttempt]]:
    """The connector's pull attempts, newest first."""
    return select(PullAttempt).where(PullAttempt.connector_id == connector_id).order_by(
        PullAttempt.started_at.desc(), PullAttempt.id.desc())


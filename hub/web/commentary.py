"""A region's commentary on its governance pack: per section and period, written by the
region's programme team on the dashboard, kept as versions, audited, read by the region's
parties (its own people and its LAs) and printed in the pack."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.errors import InvalidInput
from hub.web.models import PackCommentary

#: Long enough for a few paragraphs a board reads; a pack is not the place for an essay.
MAX_LENGTH = 4000


def latest(session: Session, region: str, period: str) -> dict[str, PackCommentary]:
    """The latest version of each section's commentary of ``region`` in ``period``."""
    newest = (select(PackCommentary.section, func.max(PackCommentary.version).label("v"))
              .where(PackCommentary.region_code == region, PackCommentary.period == period)
              .group_by(PackCommentary.section).subquery())
    rows = session.scalars(select(PackCommentary).join(newest, (
        PackCommentary.section == newest.c.section) & (PackCommentary.version == newest.c.v))
        .where(PackCommentary.region_code == region, PackCommentary.period == period))
    return {row.section: row for row in rows if row.text}


def write(session: Session, *, region: str, period: str, section: str, text: str,
          author: str, sections: dict[str, str]) -> PackCommentary:
    """A new version of one section's commentary (empty text clears it), audited, in the
    caller's transaction."""
    if section not in sections:
        raise InvalidInput(f"There is no section {section!r} in the pack.")
    text = "\n\n".join(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"Commentary must be {MAX_LENGTH:,} characters or fewer "
                           f"(this is {len(text):,}).")
    version = 1 + (session.scalar(select(func.max(PackCommentary.version)).where(
        PackCommentary.region_code == region, PackCommentary.period == period,
        PackCommentary.section == section)) or 0)
    row = PackCommentary(region_code=region, period=period, section=section, version=version,
                         text=text, author=author, written_at=datetime.now(UTC))
    session.add(row)
    audit.record(session, actor=author, action="pack.commentary", org_code=region,
                 target=f"{region}/{period}/{section}",
                 details={"version": version, "characters": len(text)})
    return row

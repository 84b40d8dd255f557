"""Validate agreement files against the reference data and the stored versions, and load them.

A load is all or nothing: every file is checked first, and nothing is stored unless all pass,
so a failed load never disturbs what is in force. Versions are never updated or deleted; a new
version of a region is stored beside the earlier ones, which the succession rules of
policies.succession then supersede on the new version's first day.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agreements.models import AgreementVersion
from hub.audit import service as audit
from hub.errors import NotFound
from hub.organisations.models import Organisation, OrgKind
from policies.agreement import Agreement
from policies.loader import Problem, load_agreement, load_agreements
from policies.policyset import PolicySet

if TYPE_CHECKING:
    from hub.decisions.store import PolicyStore

Reference = tuple[tuple[str, frozenset[str]], ...]


class StoredAgreementInvalid(Exception):
    """A stored version no longer reads against the current reference data."""


@dataclass(frozen=True)
class SourceFile:
    """An agreement file as given: its name (as problems cite it) and its text."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass
class LoadResult:
    """What a validation or load found: new versions, unchanged files, or problems."""

    new: list[tuple[SourceFile, Agreement]] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def reference(session: Session) -> Reference:
    """Each region's LA codes, from the organisations table, in a hashable form."""
    regions: dict[str, set[str]] = defaultdict(set)
    for org in session.scalars(select(Organisation).where(
            Organisation.kind.in_((OrgKind.REGION.value, OrgKind.LOCAL_AUTHORITY.value)))):
        if org.kind == OrgKind.REGION.value:
            regions.setdefault(org.code, set())
        elif org.region_code is not None:
            regions[org.region_code].add(org.code)
    return tuple(sorted((code, frozenset(las)) for code, las in regions.items()))


@lru_cache(maxsize=128)
def parse(text: str, file_name: str, ref: Reference) -> Agreement:
    """A stored version read back into an Agreement (cached: versions never change)."""
    result = load_agreement(text, file_name, dict(ref))
    if not isinstance(result, Agreement):
        raise StoredAgreementInvalid("; ".join(str(p) for p in result))
    return result


def stored_versions(session: Session, region: str | None = None) -> Sequence[AgreementVersion]:
    """Every stored version, or one region's, by region and version."""
    query = select(AgreementVersion).order_by(AgreementVersion.region, AgreementVersion.version)
    if region is not None:
        query = query.where(AgreementVersion.region == region)
    return session.scalars(query).all()


def stored_agreements(session: Session) -> list[Agreement]:
    """Every stored version as an Agreement, for compiling."""
    ref = reference(session)
    return [parse(row.source_text, row.file_name, ref) for row in stored_versions(session)]


def validate(session: Session, files: Sequence[SourceFile]) -> LoadResult:
    """Check ``files`` against the reference data and the stored versions; store nothing."""
    ref = reference(session)
    rows = stored_versions(session)
    known = {row.sha256 for row in rows}
    result = LoadResult()
    fresh: list[SourceFile] = []
    for source in files:
        (result.unchanged if source.sha256 in known else fresh).append(source)
    loaded = [parse(row.source_text, row.file_name, ref) for row in rows]
    agreements, result.problems = load_agreements(
        [(s.name, s.text) for s in fresh], dict(ref), loaded)
    if not result.problems:
        result.new = list(zip(fresh, agreements, strict=True))
    return result


def load(session: Session, files: Sequence[SourceFile], loaded_by: str,
         policies: PolicyStore, org_code: str | None = None) -> LoadResult:
    """Store every new version in ``files`` if all are valid; nothing at all otherwise."""
    # Loads one at a time, so each is checked against the versions every earlier one stored.
    policies.lock(session)
    result = validate(session, files)
    if result.problems or not result.new:
        return result
    now = datetime.now(UTC)
    for source, agreement in result.new:
        row = AgreementVersion(
            region=agreement.region, version=agreement.version, title=agreement.title,
            effective_from=agreement.effective_from, effective_to=agreement.effective_to,
            file_name=source.name.rsplit("/", 1)[-1], source_text=source.text,
            sha256=source.sha256, loaded_at=now, loaded_by=loaded_by)
        session.add(row)
        audit.record(session, actor=loaded_by, org_code=org_code, action="agreement.load",
                     target=f"agreement:{agreement.ref}", details={
                         "file": row.file_name, "sha256": row.sha256,
                         "effective_from": agreement.effective_from.isoformat(),
                         "effective_to": agreement.effective_to.isoformat()
                         if agreement.effective_to else None})
    session.flush()
    policies.changed(session)
    return result


@dataclass(frozen=True)
class VersionStatus:
    """A stored version and where it stands today."""

    row: AgreementVersion
    status: str


def _status(row: AgreementVersion, rows: Sequence[AgreementVersion],
            in_force: set[tuple[str, int]], today: date) -> str:
    if (row.region, row.version) in in_force:
        return "in_force"
    if row.effective_from > today:
        return "scheduled"
    later = any(r.version > row.version and r.effective_from <= today for r in rows)
    return "superseded" if later else "ended"


def in_force(session: Session, policy_set: PolicySet) -> list[AgreementVersion]:
    """The stored versions the current PolicySet decides with, one per region."""
    refs = {(a.region, a.version) for a in policy_set.agreements}
    return [row for row in stored_versions(session) if (row.region, row.version) in refs]


def in_force_for(session: Session, region: str, policy_set: PolicySet) -> AgreementVersion:
    """The version of ``region``'s agreement in force; NotFound when none is."""
    for row in in_force(session, policy_set):
        if row.region == region:
            return row
    raise NotFound(f"No agreement is in force for {region!r}.")


def versions(session: Session, region: str, policy_set: PolicySet) -> list[VersionStatus]:
    """Every stored version of ``region``'s agreement with its status; NotFound when none."""
    rows = stored_versions(session, region)
    if not rows:
        raise NotFound(f"No agreement has been loaded for {region!r}.")
    refs = {(a.region, a.version) for a in policy_set.agreements}
    today = policy_set.at.astimezone(UTC).date()
    return [VersionStatus(row, _status(row, rows, refs, today)) for row in rows]

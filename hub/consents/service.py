"""Consent overrides: who may make them, making and revoking them as new versions, listing them.

Authority follows the organisation of the caller: an LA may withhold its own data and nothing
else; a region may withhold for or suspend its own LAs; the hub's administrators may do both for
anyone. Suspension is never an LA's to make. Every change is a new version row, an audit event
and a policy epoch bump, all in the caller's transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.consents.models import ConsentVersion
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.organisations.models import ADMIN_CODE, Organisation, OrgKind
from policies.overrides import SUSPEND, WITHHOLD, ConsentOverride

if TYPE_CHECKING:
    from hub.decisions.store import PolicyStore

#: How far in the past a requested effective time may be (clock skew); it is then taken as now.
SKEW = timedelta(minutes=1)
_SUSPENDABLE = (OrgKind.LOCAL_AUTHORITY.value, OrgKind.REGION.value, OrgKind.NARE.value)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a client id (or ``cli:<user>``) and its organisation."""

    name: str
    org: Organisation | None

    @property
    def org_code(self) -> str | None:
        return self.org.code if self.org is not None else None


def as_override(row: ConsentVersion) -> ConsentOverride:
    """The policy value of one stored version."""
    return ConsentOverride(row.id, row.version, row.kind, row.org_code, row.reason, row.author,
                           row.effective_at, row.revoked_at, row.audience, row.measure)


def all_overrides(session: Session) -> list[ConsentOverride]:
    """Every version of every override, for compiling."""
    return [as_override(row) for row in session.scalars(select(ConsentVersion))]


def authorise(actor: Actor, kind: str, target: Organisation) -> None:
    """Raise Forbidden unless ``actor`` may make or revoke a ``kind`` override on ``target``."""
    org = actor.org
    if org is None or org.kind == OrgKind.ADMIN.value:
        return  # the hub's administrators, or an operator at the server's command line
    if org.kind == OrgKind.REGION.value:
        if target.region_code == org.code:
            return
        raise Forbidden(f"Region {org.code} may act only for its own local authorities.")
    if kind == SUSPEND:
        raise Forbidden("Only a region's or the hub's administrators may suspend a party.")
    if org.kind == OrgKind.LOCAL_AUTHORITY.value and target.code == org.code:
        return
    raise Forbidden("A local authority may withhold only its own data.")


def _target(session: Session, kind: str, org_code: str) -> Organisation:
    target = session.get(Organisation, org_code)
    if target is None:
        raise InvalidInput(f"No organisation has the code {org_code!r}.",
                           {"json": {"org_code": ["Unknown organisation."]}})
    if kind == WITHHOLD and target.kind != OrgKind.LOCAL_AUTHORITY.value:
        raise InvalidInput("Only a local authority's data can be withheld.",
                           {"json": {"org_code": ["Not a local authority."]}})
    if kind == SUSPEND and target.kind not in _SUSPENDABLE:
        raise InvalidInput("Only a local authority, a region or NARE can be suspended.",
                           {"json": {"org_code": ["Cannot be suspended."]}})
    return target


def create(session: Session, actor: Actor, policies: PolicyStore, *, kind: str, org_code: str,
           reason: str, audience: str | None = None, measure: str | None = None,
           effective_at: datetime | None = None) -> ConsentVersion:
    """Version 1 of a new withholding or suspension, audited, taking effect at once or later."""
    target = _target(session, kind, org_code)
    authorise(actor, kind, target)
    now = datetime.now(UTC)
    if effective_at is not None and effective_at < now - SKEW:
        raise InvalidInput("effective_at is in the past; an override takes effect now or later.",
                           {"json": {"effective_at": ["Must not be in the past."]}})
    row = ConsentVersion(
        id=f"{kind[0]}-{secrets.token_hex(6)}", version=1, kind=kind, org_code=target.code,
        audience=audience, measure=measure, reason=reason, author=actor.name,
        author_org=actor.org_code, effective_at=max(effective_at or now, now), revoked_at=None,
        created_at=now)
    as_override(row)  # the policy's own checks, before anything is stored
    return _store(session, actor, policies, row, "consent.create")


def revoke(session: Session, actor: Actor, policies: PolicyStore, override_id: str,
           reason: str) -> ConsentVersion:
    """A new version of the override, revoked from now; Conflict when it already is."""
    policies.lock(session)  # two revocations of one override must not both be version n+1
    current = latest(session, override_id)
    authorise(actor, current.kind, _organisation(session, current.org_code))
    _may_lift(session, actor, current)
    if current.revoked_at is not None:
        raise Conflict(f"Override {override_id} was revoked at "
                       f"{current.revoked_at.isoformat()}.")
    now = datetime.now(UTC)
    row = ConsentVersion(
        id=current.id, version=current.version + 1, kind=current.kind,
        org_code=current.org_code, audience=current.audience, measure=current.measure,
        reason=reason, author=actor.name, author_org=actor.org_code,
        # Revoked before it took effect: the new version takes effect, revoked, at once.
        effective_at=min(current.effective_at, now), revoked_at=now, created_at=now)
    return _store(session, actor, policies, row, "consent.revoke")


#: Who stands above whom: an override may be lifted by the party that imposed it or by a
#: party of a higher rank (over it, as authorise() checks).
_RANK = {OrgKind.LOCAL_AUTHORITY.value: 0, OrgKind.REGION.value: 1, OrgKind.ADMIN.value: 2}


def _may_lift(session: Session, actor: Actor, current: ConsentVersion) -> None:
    first = session.scalar(select(ConsentVersion).where(ConsentVersion.id == current.id)
                           .where(ConsentVersion.version == 1))
    # No organisation: an operator at the command line, with the administrators' authority.
    imposer_code = (first.author_org if first is not None else None) or ADMIN_CODE
    actor_code = actor.org_code or ADMIN_CODE
    if actor_code == imposer_code or _rank(session, actor_code) > _rank(session, imposer_code):
        return
    raise Forbidden(f"Override {current.id} was imposed by {imposer_code}: only {imposer_code} "
                    f"or those above it may revoke it.")


def _rank(session: Session, org_code: str) -> int:
    org = session.get(Organisation, org_code)
    return _RANK.get(org.kind, 0) if org is not None else 0


def _store(session: Session, actor: Actor, policies: PolicyStore, row: ConsentVersion,
           action: str) -> ConsentVersion:
    policies.changed(session)
    session.add(row)
    session.flush()
    details: dict[str, Any] = {
        "version": row.version, "kind": row.kind, "org_code": row.org_code,
        "audience": row.audience, "measure": row.measure, "reason": row.reason,
        "effective_at": row.effective_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}
    audit.record(session, actor=actor.name, org_code=actor.org_code, action=action,
                 target=f"consent:{row.id}", details=details)
    return row


def _organisation(session: Session, code: str) -> Organisation:
    org = session.get(Organisation, code)
    if org is None:  # the foreign key keeps this from happening
        raise NotFound(f"No organisation has the code {code!r}.")
    return org


def latest(session: Session, override_id: str) -> ConsentVersion:
    """The latest version of an override; NotFound when there is none."""
    row = session.scalar(select(ConsentVersion).where(ConsentVersion.id == override_id)
                         .order_by(ConsentVersion.version.desc()).limit(1))
    if row is None:
        raise NotFound(f"No consent override has the id {override_id!r}.")
    return row


def _visible(query: Select[Any], org: Organisation) -> Select[Any]:
    if org.kind == OrgKind.ADMIN.value:
        return query
    if org.kind == OrgKind.REGION.value:
        las = select(Organisation.code).where(Organisation.region_code == org.code)
        return query.where(or_(ConsentVersion.org_code == org.code,
                               ConsentVersion.org_code.in_(las)))
    return query.where(ConsentVersion.org_code == org.code)


def visible_latest(org: Organisation) -> Select[Any]:
    """The latest version of each override ``org`` may see, newest first."""
    newest = (select(ConsentVersion.id, func.max(ConsentVersion.version).label("version"))
              .group_by(ConsentVersion.id).subquery())
    query = select(ConsentVersion).join(newest, (ConsentVersion.id == newest.c.id) & (
        ConsentVersion.version == newest.c.version))
    return _visible(query, org).order_by(ConsentVersion.created_at.desc(), ConsentVersion.id)


def versions(session: Session, override_id: str, org: Organisation) -> Sequence[ConsentVersion]:
    """Every version of one override, oldest first, if ``org`` may see it (Forbidden if not)."""
    rows = session.scalars(select(ConsentVersion).where(ConsentVersion.id == override_id)
                           .order_by(ConsentVersion.version)).all()
    if not rows:
        raise NotFound(f"No consent override has the id {override_id!r}.")
    if not session.scalars(_visible(select(ConsentVersion).where(
            ConsentVersion.id == override_id), org)).first():
        raise Forbidden(f"Override {override_id} concerns another organisation.")
    return rows

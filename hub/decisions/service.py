"""Decisions in the hub's request paths: the subject of an organisation, decide and explain.

Every deny that decide() returns on a request path is audited as ``policy.deny``; an
explanation is itself a read of the policies and is audited as ``policy.explain``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from hub.agreements import service as agreements
from hub.audit import service as audit
from hub.change_counter import get_changes
from hub.consents import service as consents
from hub.db import get_db
from hub.decisions.store import PolicyStore
from hub.errors import Forbidden, NotFound
from hub.observability.metrics import count_decision
from hub.organisations.models import Organisation, OrgKind
from hub.redis_client import get_mirror, get_redis
from policies.agreement import Agreement
from policies.decision import READ, Decision, Resource, Subject
from policies.overrides import ConsentOverride
from policies.policyset import PolicySet


def policy_inputs(session: Session) -> tuple[list[Agreement], list[ConsentOverride]]:
    """What the PolicySet is compiled from: every stored agreement and override version."""
    return agreements.stored_agreements(session), consents.all_overrides(session)


def subject_for(session: Session, org_code: str) -> Subject:
    """The policy subject of an organisation; NotFound for an unknown code."""
    org = session.get(Organisation, org_code)
    if org is None:
        raise NotFound(f"No organisation has the code {org_code!r}.")
    region = {OrgKind.LOCAL_AUTHORITY.value: org.region_code,
              OrgKind.REGION.value: org.code}.get(org.kind)
    return Subject(org.code, org.kind, region)


def _record(decision: Decision, subject: Subject, resource: Resource) -> dict[str, Any]:
    return {"subject": asdict(subject), "resource": asdict(resource), "permit": decision.permit,
            "clauses": [c.id for c in decision.clauses], "reason": decision.reason}


def decide(session: Session, policy_set: PolicySet, subject: Subject, resource: Resource, *,
           actor: str, actor_org: str | None) -> Decision:
    """decide() for a request, auditing a deny in the caller's transaction."""
    decision = policy_set.decide(subject, READ, resource)
    count_decision(decision)
    if not decision.permit:
        audit.record(session, actor=actor, org_code=actor_org, action="policy.deny",
                     target=f"{resource.measure}@{resource.grain}",
                     details=_record(decision, subject, resource))
    return decision


def explain(session: Session, policy_set: PolicySet, *, actor: str, actor_org: str,
            may_explain_others: bool, org_code: str | None, resource: Resource) -> Decision:
    """The decision for ``org_code`` (default: the caller's own), audited as a read."""
    subject_code = org_code or actor_org
    if subject_code != actor_org and not may_explain_others:
        raise Forbidden("Only administrators may explain another organisation's decisions.")
    subject = subject_for(session, subject_code)
    decision = policy_set.decide(subject, READ, resource)
    count_decision(decision)
    audit.record(session, actor=actor, org_code=actor_org, action="policy.explain",
                 target=f"{resource.measure}@{resource.grain}",
                 details=_record(decision, subject, resource))
    return decision


def init_app(app: Flask) -> PolicyStore:
    """Give ``app`` its policy store, compiled lazily on the first request that decides."""
    store = PolicyStore(get_db(app), get_redis(app), policy_inputs, mirror=get_mirror(app),
                        changes=get_changes(app))
    app.extensions["hub.policies"] = store
    return store

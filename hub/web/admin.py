"""The administrators' pages: agreements and their history, consent overrides, API clients
(and revoking their tokens), connectors' health and pulls, and the audit log. Changes
(overrides, revocations) need the admin role and a CSRF token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from hub.agreements import service as agreements
from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.consents import service as consents
from hub.db import get_session
from hub.decisions.store import get_policy_set, get_policy_store
from hub.errors import InvalidInput
from hub.identity import service as identity
from hub.organisations.models import Organisation, OrgKind
from hub.pulls.models import PullAttempt
from hub.registry.models import Connector
from hub.web import downloads
from hub.web.cover import AUDIENCE_WORDS, agreement_in_words
from hub.web.tables import Cell, Table
from hub.web.views import blp, current_person, signed_in
from policies.agreement import RESTRICTABLE_AUDIENCES
from policies.measures import MEASURES

ADMIN = OrgKind.ADMIN
AUDIT_PAGE_SIZE = 50
#: A download of the log holds the newest events its filters select, up to this many.
AUDIT_DOWNLOAD_ROWS = 10_000
RECENT_PULLS = 50


def _actor() -> consents.Actor:
    person = current_person()
    if person.role != "admin":
        abort(403)
    return consents.Actor(person.actor, get_session().get(Organisation, person.org_code))


@blp.get("/admin")
@signed_in(ADMIN)
def admin_home() -> Response:
    """The first admin page."""
    return redirect(url_for("web.admin_agreements"))


@blp.get("/admin/agreements")
@signed_in(ADMIN)
def admin_agreements() -> str:
    """The agreement in force per region, and every version loaded."""
    session = get_session()
    policy_set = get_policy_set()
    in_force = agreements.in_force(session, policy_set)
    regions = sorted({row.region for row in agreements.stored_versions(session)})
    history = {region: agreements.versions(session, region, policy_set) for region in regions}
    names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    words = {(a.region, a.version): agreement_in_words(a, names) for a in policy_set.agreements}
    return render_template("admin_agreements.html", in_force=in_force, history=history,
                           names=names, words=words)


@blp.get("/admin/consents")
@signed_in(ADMIN)
def admin_consents() -> str:
    """Every consent override's latest version; forms to make and revoke them (admin role)."""
    session = get_session()
    admin_org = session.get(Organisation, current_person().org_code)
    rows = session.scalars(consents.visible_latest(admin_org)).all()
    names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    return render_template("admin_consents.html", overrides=rows, audiences=RESTRICTABLE_AUDIENCES,
                           measures=sorted(MEASURES), names=names, audience_words=AUDIENCE_WORDS,
                           titles={code: m.title for code, m in MEASURES.items()})


@blp.post("/admin/consents")
@signed_in(ADMIN)
def admin_consent_create() -> Response:
    """Make a withholding or a suspension from the form."""
    actor = _actor()
    form = request.form
    kind = form.get("kind", "")
    if kind not in ("withhold", "suspend"):
        raise InvalidInput("Choose whether to withhold or to suspend.")
    session = get_session()
    try:
        row = consents.create(session, actor, get_policy_store(), kind=kind,
                              org_code=form.get("org_code", "").strip(),
                              reason=form.get("reason", "").strip() or "no reason given",
                              audience=form.get("audience") or None,
                              measure=form.get("measure") or None)
    except ValueError as exc:  # the policy's own checks of an override
        raise InvalidInput(str(exc)) from None
    session.commit()
    flash(f"Override {row.id} made; it applies from the next request.")
    return redirect(url_for("web.admin_consents"))


@blp.post("/admin/consents/<override_id>/revoke")
@signed_in(ADMIN)
def admin_consent_revoke(override_id: str) -> Response:
    """Revoke an override from now."""
    actor = _actor()
    session = get_session()
    consents.revoke(session, actor, get_policy_store(), override_id,
                    request.form.get("reason", "").strip() or "revoked from the dashboard")
    session.commit()
    flash(f"Override {override_id} revoked.")
    return redirect(url_for("web.admin_consents"))


@blp.get("/admin/clients")
@signed_in(ADMIN)
def admin_clients() -> str:
    """Every API client: whose it is, what it may do, and whether it is enabled."""
    session = get_session()
    names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    return render_template("admin_clients.html", clients=identity.list_clients(session),
                           names=names)


@blp.post("/admin/clients/<client_id>/revoke-tokens")
@signed_in(ADMIN)
def admin_client_revoke_tokens(client_id: str) -> Response:
    """Refuse every token the client holds from the next request on (admin role)."""
    actor = _actor()  # the admin role, not only an administrators' viewer
    session = get_session()
    client = identity.revoke_tokens(
        session, client_id, current_app.extensions["hub.identity"].spent,
        int(current_app.config["HUB_SETTINGS"].token_lifetime),
        actor=identity.Actor(actor.name, current_person().org_code))
    session.commit()
    flash(f"Every token of {client.name} ({client.client_id}) is refused from the next "
          "request.")
    return redirect(url_for("web.admin_clients"))


@blp.get("/admin/connectors")
@signed_in(ADMIN)
def admin_connectors() -> str:
    """Every connector's health (its last pull) and the most recent pull attempts."""
    session = get_session()
    connectors = session.scalars(select(Connector).join(Connector.organisation)
                                 .order_by(Organisation.name)).all()
    pulls = session.execute(select(PullAttempt, Connector.la_code).join(
        Connector, Connector.id == PullAttempt.connector_id).order_by(
        PullAttempt.started_at.desc(), PullAttempt.id.desc()).limit(RECENT_PULLS)).all()
    failing = sum(1 for c in connectors if c.last_outcome == "failed" or not c.enabled)
    return render_template("admin_connectors.html", connectors=connectors, pulls=pulls,
                   failing=failing)


@dataclass(frozen=True)
class FiguresRead:
    """A page view's event in words: how many figures of which period, and each by name."""

    summary: str
    figures: list[str]


def figures_read(details: dict[str, Any] | None) -> FiguresRead | None:
    """What a page view (or a written pack) read, from its event's details; None for events
    that list no figures."""
    details = details or {}
    figures = details.get("figures")
    if not isinstance(figures, list):
        return None
    named = []
    for figure in figures:
        code, _, period = str(figure).partition("@")
        measure = MEASURES.get(code)
        named.append(f"{measure.title if measure else code}, {period}")
    summary = f"{len(figures)} figure{'' if len(figures) == 1 else 's'} read"
    if details.get("period"):
        summary += f" for {details['period']}"
    views = details.get("reads", 1)
    if isinstance(views, int) and views > 1:  # the same page again within one batch
        summary += f"; viewed {views} times"
    return FiguresRead(summary, named)


def _audit_filters() -> tuple[Any, dict[str, str | None]]:
    """The audit events the request's filters (action, who, organisation) select."""
    chosen = {"action": request.args.get("action") or None,
              "who": request.args.get("who", "").strip() or None,
              "org": request.args.get("org", "").strip() or None}
    query = select(AuditEvent)
    if chosen["action"]:
        query = query.where(AuditEvent.action == chosen["action"])
    if chosen["who"]:
        # "camden@…" finds "user:camden@…": people are recorded with their kind before them.
        query = query.where(AuditEvent.actor.contains(chosen["who"], autoescape=True))
    if chosen["org"]:
        query = query.where(AuditEvent.org_code == chosen["org"])
    return query, chosen


@blp.get("/admin/audit")
@signed_in(ADMIN)
def admin_audit() -> str:
    """The audit log, newest first, optionally of one action; the chain verified on request."""
    session = get_session()
    query, chosen = _audit_filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = session.scalars(query.order_by(AuditEvent.id.desc()).offset(
        (page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)).all()
    verification = audit.verify(session) if request.args.get("verify") else None
    names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    return render_template("admin_audit.html", events=events, actions=actions, names=names,
                   read={e.id: r for e in events if (r := figures_read(e.details)) is not None},
                   page=page, pages=max(1, -(-total // AUDIT_PAGE_SIZE)), total=total,
                   verification=verification, download_rows=AUDIT_DOWNLOAD_ROWS, **chosen)


@blp.get("/admin/audit/download.<fmt>")
@signed_in(ADMIN)
def admin_audit_download(fmt: str) -> Response:
    """The events the page's filters select, newest first (at most ``AUDIT_DOWNLOAD_ROWS``),
    as CSV or XLSX: one row an event, its details as JSON in the last column."""
    if fmt not in downloads.FORMATS:
        abort(404)
    session = get_session()
    query, _ = _audit_filters()
    events = session.scalars(query.order_by(AuditEvent.id.desc()).limit(
        AUDIT_DOWNLOAD_ROWS)).all()
    names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    table = Table("Audit log", ["Event", "When (UTC)", "Who", "Organisation", "Action",
                                "Target", "Details"], slug="audit")
    for event in events:
        table.rows.append((str(event.id), [Cell(text) for text in (
            event.at.strftime("%Y-%m-%d %H:%M:%S"), event.actor,
            names.get(event.org_code, event.org_code or ""), event.action, event.target or "",
            json.dumps(event.details, sort_keys=True) if event.details else "")]))
    return Response(downloads.render(table, fmt), mimetype=downloads.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="audit-log.{fmt}"'})

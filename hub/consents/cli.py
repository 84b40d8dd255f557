"""`hub consents`: operators' withholdings, suspensions and revocations, with the API's rules."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agreements.cli import operator
from hub.consents import service
from hub.consents.models import ConsentVersion
from hub.consents.schemas import ConsentSchema
from hub.db import get_db
from hub.decisions.store import PolicyStore, get_policy_store
from hub.errors import HubError
from policies.agreement import RESTRICTABLE_AUDIENCES
from policies.measures import MEASURES
from policies.overrides import SUSPEND, WITHHOLD


def _echo(row: ConsentVersion) -> None:
    click.echo(json.dumps(ConsentSchema().dump(row), indent=2))


def _change(make: Callable[[Session, service.Actor, PolicyStore], ConsentVersion]) -> None:
    # An operator at the server's command line has the hub administrators' authority.
    actor = service.Actor(operator(), None)
    try:
        with get_db().session() as session:
            _echo(make(session, actor, get_policy_store()))
    except HubError as exc:
        click.echo(f"hub: {exc.message}", err=True)
        sys.exit(1)


@click.group("consents", help="Consent overrides: withhold an LA's data, suspend a party.")
def consents_group() -> None:
    """Consent commands."""


@consents_group.command("list", help="Every version of every override, as JSON.")
@with_appcontext
def consents_list() -> None:
    with get_db().session() as session:
        rows = session.scalars(select(ConsentVersion).order_by(
            ConsentVersion.created_at, ConsentVersion.id, ConsentVersion.version)).all()
        click.echo(json.dumps(ConsentSchema(many=True).dump(rows), indent=2))


@consents_group.command("withhold", help="Withhold an LA's measure (or all) from an audience.")
@click.argument("org_code")
@click.option("--audience", required=True, type=click.Choice(RESTRICTABLE_AUDIENCES))
@click.option("--measure", type=click.Choice(sorted(MEASURES)), help="Default: every measure.")
@click.option("--reason", required=True)
@with_appcontext
def consents_withhold(org_code: str, audience: str, measure: str | None, reason: str) -> None:
    _change(lambda session, actor, store: service.create(
        session, actor, store, kind=WITHHOLD, org_code=org_code, audience=audience,
        measure=measure, reason=reason))


@consents_group.command("suspend", help="Suspend a party: it reads nothing, shares nothing.")
@click.argument("org_code")
@click.option("--reason", required=True)
@with_appcontext
def consents_suspend(org_code: str, reason: str) -> None:
    _change(lambda session, actor, store: service.create(
        session, actor, store, kind=SUSPEND, org_code=org_code, reason=reason))


@consents_group.command("revoke", help="Revoke an override from now (a new version).")
@click.argument("override_id")
@click.option("--reason", required=True)
@with_appcontext
def consents_revoke(override_id: str, reason: str) -> None:
    _change(lambda session, actor, store: service.revoke(
        session, actor, store, override_id, reason))


COMMANDS = (consents_group,)

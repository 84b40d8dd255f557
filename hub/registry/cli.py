"""`hub connectors`: list them, import a credentials file, manage the host allow-list."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from connectors.urlguard import allow_list_entry
from hub.db import get_db
from hub.errors import HubError
from hub.registry import service
from hub.registry.checks import ConnectorDetails
from hub.registry.models import AllowedHost, Connector
from hub.registry.schemas import ConnectorSchema
from hub.registry.urls import policy_for

_FIELDS = ("base_url", "token_url", "jwks_url", "client_id", "client_secret")


def _actor() -> service.Actor:
    return service.Actor(f"cli:{getpass.getuser()}")


def import_connectors(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Register each entry's connector, or update the LA's existing one; counts by result.

    The checks run concurrently (each is a few round trips to a connector).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    workers = app.config["HUB_SETTINGS"].pull_concurrency
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import") as pool:
        done = list(pool.map(lambda entry: _import_one(app, entry), entries))
    return {result: done.count(result) for result in ("registered", "updated", "unchanged")}


def _import_one(app: Flask, entry: dict[str, Any]) -> str:
    box, policy = app.extensions["hub.secret_box"], policy_for(app.config["HUB_SETTINGS"])
    details = ConnectorDetails(la_code=entry["la_code"], **{k: entry[k] for k in _FIELDS})
    with app.app_context(), get_db().session() as session:
        existing = session.scalar(select(Connector).where(Connector.la_code == details.la_code))
        if existing is None:
            service.register(session, box, policy, _actor(), details)
            return "registered"
        current = service.details_of(existing, box)
        changes: dict[str, Any] = {k: getattr(details, k) for k in _FIELDS
                                   if getattr(details, k) != getattr(current, k)}
        if changes:
            # The file holds the secret: give it with any change of where it would be sent.
            changes["client_secret"] = details.client_secret
        if not existing.enabled:
            changes["enabled"] = True
        if not changes:
            return "unchanged"
        service.update(session, box, policy, _actor(), existing, changes)
        return "updated"


@click.group("connectors", help="LAs' connectors and the hosts allowed despite private "
                                "addresses.")
def connectors_group() -> None:
    """Connector commands."""


@connectors_group.command("list", help="Every connector with its health and last pull.")
@with_appcontext
def connectors_list() -> None:
    with get_db().session() as session:
        rows = session.scalars(select(Connector).order_by(Connector.la_code)).all()
        click.echo(json.dumps(ConnectorSchema(many=True).dump(rows), indent=2))


@connectors_group.command("import", help="Register or update connectors from a `connector "
                          "simulate --out` file (idempotent).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def connectors_import(path: Path) -> None:
    try:
        entries = json.loads(path.read_text())["connectors"]
        counts = import_connectors(entries)
    except (ValueError, KeyError, TypeError) as exc:
        raise click.BadParameter(f"{path} is not a connectors file: {exc}") from None
    except HubError as exc:
        click.echo(f"hub: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"connectors: {counts['registered']} registered, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged")


@connectors_group.command("allow-host", help="Let connectors use HOST:PORT, on that port only, "
                          "although HOST resolves to a loopback or private address.")
@click.argument("host_port", metavar="HOST:PORT")
@click.option("--reason", required=True, help="Why; kept with the entry and audited.")
@with_appcontext
def connectors_allow_host(host_port: str, reason: str) -> None:
    try:
        with get_db().session() as session:
            row = service.allow_host(session, _actor(), host_port, reason)
            entry = allow_list_entry(row.host, row.port)
    except HubError as exc:
        click.echo(f"hub: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"{entry} allowed")


@connectors_group.command("disallow-host", help="Remove HOST:PORT from the allow-list (a bare "
                          "HOST: every port of it).")
@click.argument("host_port", metavar="HOST[:PORT]")
@with_appcontext
def connectors_disallow_host(host_port: str) -> None:
    try:
        with get_db().session() as session:
            removed = service.disallow_host(session, _actor(), host_port)
    except HubError as exc:
        click.echo(f"hub: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"{', '.join(removed)} no longer allowed")


@connectors_group.command("hosts", help="The allow-list: HOST:PORT and why.")
@with_appcontext
def connectors_hosts() -> None:
    with get_db().session() as session:
        for row in session.scalars(select(AllowedHost).order_by(AllowedHost.host,
                                                                AllowedHost.port)):
            click.echo(f"{allow_list_entry(row.host, row.port)}\t{row.reason}")


COMMANDS = (connectors_group,)

"""`hub clients`, `hub users` and `hub keys` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from hub.audit.service import operator, record
from hub.db import get_db
from hub.errors import HubError
from hub.identity import service
from hub.identity.keys import rotate_signing_key
from hub.identity.schemas import ClientSchema, CreatedClientSchema
from hub.keys_cli import keys_rotate


def _identity() -> Any:
    return current_app.extensions["hub.identity"]


def _lifetime() -> int:
    return int(current_app.config["HUB_SETTINGS"].token_lifetime)


def _operator() -> service.Actor:
    return service.Actor(operator())


def _fail(exc: HubError) -> None:
    click.echo(f"hub: {exc.message}", err=True)
    sys.exit(1)


def _echo_client(created: service.CreatedClient) -> None:
    click.echo(json.dumps(CreatedClientSchema().dump(created), indent=2))


@click.group("clients", help="API clients: each belongs to one organisation.")
def clients_group() -> None:
    """Client commands."""


@clients_group.command("create", help="Create a client; prints its id (and secret) as JSON.")
@click.option("--org", "org_code", required=True, help="Organisation code (ONS, NARE, HUB-ADMIN).")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, help="Repeat or space-separate; default: all "
              "the organisation's kind may hold.")
@click.option("--jwks", "jwks_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Public JWKS file: the client authenticates by private_key_jwt.")
@click.option("--secret", "use_secret", is_flag=True, help="Generate a secret (the default).")
@with_appcontext
def clients_create(org_code: str, name: str, scopes: tuple[str, ...], jwks_file: Path | None,
                   use_secret: bool) -> None:
    if jwks_file and use_secret:
        raise click.UsageError("choose --jwks FILE or --secret, not both")
    try:
        jwks = json.loads(jwks_file.read_text()) if jwks_file else None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{jwks_file} is not JSON: {exc}") from None
    requested = [s for scope in scopes for s in scope.split()]
    try:
        with get_db().session() as session:
            created = service.create_client(session, org_code, name, requested or None, jwks,
                                             actor=_operator())
            _echo_client(created)
    except HubError as exc:
        _fail(exc)


@clients_group.command("list", help="List clients, optionally of one organisation.")
@click.option("--org", "org_code")
@with_appcontext
def clients_list(org_code: str | None) -> None:
    with get_db().session() as session:
        rows = service.list_clients(session, org_code)
        click.echo(json.dumps(ClientSchema(many=True).dump(rows), indent=2))


@clients_group.command("disable", help="Disable a client and refuse the tokens it holds.")
@click.argument("client_id")
@with_appcontext
def clients_disable(client_id: str) -> None:
    try:
        with get_db().session() as session:
            service.disable_client(session, client_id, _identity().spent, _lifetime(),
                                   actor=_operator())
        click.echo(f"client {client_id} disabled")
    except HubError as exc:
        _fail(exc)


@clients_group.command("rotate-secret", help="Give a secret client a new secret (printed once).")
@click.argument("client_id")
@with_appcontext
def clients_rotate_secret(client_id: str) -> None:
    try:
        with get_db().session() as session:
            _echo_client(service.rotate_secret(session, client_id, _identity().spent,
                                               _lifetime(), actor=_operator()))
    except HubError as exc:
        _fail(exc)


@click.group("users", help="People who sign in to the dashboard.")
def users_group() -> None:
    """User commands."""


@users_group.command("create", help="Create a person; the password is asked for, twice.")
@click.option("--org", "org_code", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(service.ROLES), default="viewer", show_default=True)
@click.password_option(envvar="HUB_NEW_USER_PASSWORD")
@with_appcontext
def users_create(org_code: str, email: str, role: str, password: str) -> None:
    try:
        with get_db().session() as session:
            user = service.create_user(session, org_code, email, role, password,
                                       actor=_operator())
            click.echo(json.dumps({"id": user.id, "email": user.email, "org_code": org_code,
                                   "role": role}))
    except HubError as exc:
        _fail(exc)


@click.group("keys", help="The hub's keys.")
def keys_group() -> None:
    """Key commands."""


@keys_group.command("rotate-signing", help="Sign new tokens with a new key; the old one stays "
                    "published until its last tokens expire.")
@with_appcontext
def keys_rotate_signing() -> None:
    with get_db().session() as session:
        key, retired = rotate_signing_key(session, current_app.extensions["hub.secret_box"])
        record(session, actor=operator(), action="signing_key.rotate", target=key.kid,
               details={"retired": retired})
        click.echo(json.dumps({"kid": key.kid, "retired": retired}))
    _identity().keys.invalidate()


keys_group.add_command(keys_rotate)
COMMANDS = (clients_group, users_group, keys_group)

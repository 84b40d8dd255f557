"""`hub keys rotate`: every secret at rest re-encrypted under the newest HUB_ENCRYPTION_KEYS key."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.crypto import SecretBox
from hub.db import get_db
from hub.identity.models import SigningKey
from hub.registry.models import Connector


def reencrypt_secrets(session: Session, box: SecretBox) -> dict[str, int]:
    """Re-encrypt connector secrets and signing keys in the caller's transaction; counts."""
    connectors = session.scalars(select(Connector)).all()
    for connector in connectors:
        connector.client_secret = box.rotate(connector.client_secret)
    keys = session.scalars(select(SigningKey)).all()
    for key in keys:
        key.private_key = box.rotate(key.private_key)
    return {"connector_secrets": len(connectors), "signing_keys": len(keys)}


@click.command("rotate", help="Re-encrypt every stored secret (connector credentials, signing "
               "keys) under the newest HUB_ENCRYPTION_KEYS key, in one transaction; then the "
               "older keys can be removed.")
@with_appcontext
def keys_rotate() -> None:
    box = current_app.extensions["hub.secret_box"]
    try:
        with get_db().session() as session:
            counts = reencrypt_secrets(session, box)
    except ValueError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from None
    click.echo(json.dumps(counts))

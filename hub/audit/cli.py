"""`hub audit verify`: walk the audit chain and say whether it is intact."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from hub.audit import service
from hub.db import get_db


@click.group("audit", help="The hash-chained audit log.")
def audit_group() -> None:
    """Audit commands."""


@audit_group.command("verify", help="Verify the audit chain end to end; exit 1 where it breaks.")
@with_appcontext
def audit_verify() -> None:
    with get_db().session() as session:
        result = service.verify(session)
    click.echo(str(result), err=not result.ok)
    if not result.ok:
        sys.exit(1)


COMMANDS = (audit_group,)

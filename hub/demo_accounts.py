"""Accounts for the demo (`make run`): people to sign in as and API clients, one per kind.

Their passwords and secrets are random, written once to var/demo-accounts.json (readable by
its owner only) and reused on later runs; the demo refuses to run outside development.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.db import Database
from hub.identity import service
from hub.identity.models import ApiClient, User

ACTOR = service.Actor("demo")
#: (organisation, person's email, role): an LA, its region, NARE and the administrators.
ACCOUNTS = (
    ("E09000007", "camden@demo.hub", "viewer"),
    ("E12000007", "london@demo.hub", "viewer"),
    ("NARE", "nare@demo.hub", "viewer"),
    ("HUB-ADMIN", "admin@demo.hub", "admin"),
)


def _write(path: Path, accounts: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        json.dump(accounts, f, indent=2)


def ensure_demo_accounts(database: Database, path: Path) -> dict[str, Any]:
    """The demo's people and clients, created on the first run and read back afterwards."""
    if path.exists():
        known = json.loads(path.read_text())
        with database.sessions() as session:
            emails = set(session.scalars(select(User.email)))
            clients = set(session.scalars(select(ApiClient.client_id)))
        if {a["email"] for a in known["people"]} <= emails and \
                {c["client_id"] for c in known["clients"]} <= clients:
            return dict(known)
    people, clients = [], []
    with database.session() as session:
        for org, email, role in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                service.create_user(session, org, email, role, password, actor=ACTOR)
            else:
                from hub.identity.passwords import hash_secret

                user.password_hash, user.failed_sign_ins, user.locked_until = (
                    hash_secret(password), 0, None)
            people.append({"email": email, "password": password, "org": org, "role": role})
            created = service.create_client(session, org, f"demo client of {org}", None,
                                            actor=ACTOR)
            clients.append({"org": org, "client_id": created.client.client_id,
                            "client_secret": created.client_secret,
                            "scopes": created.client.scope_list})
    accounts = {"people": people, "clients": clients}
    _write(path, accounts)
    return accounts

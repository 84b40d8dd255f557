"""Managing API clients and people: creation, listing, disabling, secret rotation."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.errors import Conflict, InvalidInput, NotFound
from hub.identity.models import AUTH_PRIVATE_KEY_JWT, AUTH_SECRET, ApiClient, User
from hub.identity.passwords import hash_secret
from hub.identity.scopes import default_scopes, invalid_scopes
from hub.identity.spent import SpentStore
from hub.organisations.models import Organisation, OrgKind

ROLES = ("viewer", "admin")
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log names them: a client, a person, or a command."""

    name: str
    org_code: str | None = None


#: The hub itself (start-up, demo seeding); people and clients are always named.
SYSTEM = Actor("system")


def _audit(session: Session, actor: Actor, action: str, target: str,
           details: dict[str, Any]) -> None:
    record(session, actor=actor.name, org_code=actor.org_code, action=action, target=target,
           details=details)


@dataclass(frozen=True)
class CreatedClient:
    """A new client; the secret is shown here once and stored only as a hash."""

    client: ApiClient
    client_secret: str | None


def _organisation(session: Session, org_code: str) -> Organisation:
    org = session.get(Organisation, org_code)
    if org is None:
        raise NotFound(f"No organisation has the code {org_code!r}.")
    return org


def _checked_jwks(jwks: Any) -> dict[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    # Only asymmetric public keys: a shared (oct) key in a JWKS would be a secret in the clear.
    if not isinstance(keys, list) or not keys or not all(
            isinstance(k, dict) and k.get("kty") in ("EC", "OKP", "RSA") for k in keys):
        raise InvalidInput("The JWKS must hold at least one key, and only public keys.")
    try:
        key_set = KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidInput("The JWKS is not a valid JSON Web Key Set.") from None
    if not key_set.keys or any(k.is_private for k in key_set.keys):
        raise InvalidInput("The JWKS must hold at least one key, and only public keys.")
    return dict(jwks)


def create_client(session: Session, org_code: str, name: str, scopes: Sequence[str] | None,
                  jwks: dict[str, Any] | None = None, *, actor: Actor = SYSTEM
                  ) -> CreatedClient:
    """A client of ``org_code`` authenticating by ``jwks`` (private_key_jwt) or a new secret."""
    org = _organisation(session, org_code)
    kind = OrgKind(org.kind)
    chosen = list(scopes) if scopes else list(default_scopes(kind))
    wrong = invalid_scopes(kind, chosen)
    if wrong:
        raise InvalidInput(f"An organisation of kind {kind.value} may not hold: "
                           f"{', '.join(wrong)}.", {"scope": wrong})
    if not name.strip():
        raise InvalidInput("A client needs a name.")
    secret = None if jwks is not None else secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=f"{org_code.lower()}-{secrets.token_hex(8)}", org_code=org_code,
        name=name.strip()[:200], scopes=" ".join(dict.fromkeys(chosen)),
        auth_method=AUTH_SECRET if jwks is None else AUTH_PRIVATE_KEY_JWT,
        secret_hash=hash_secret(secret) if secret else None,
        jwks=_checked_jwks(jwks) if jwks is not None else None,
        created_at=datetime.now(UTC), generation=1)
    session.add(client)
    session.flush()
    _audit(session, actor, "client.create", client.client_id,
           {"org": org_code, "scopes": client.scope_list, "auth_method": client.auth_method})
    return CreatedClient(client, secret)


def list_clients(session: Session, org_code: str | None = None) -> Sequence[ApiClient]:
    query = select(ApiClient).order_by(ApiClient.org_code, ApiClient.created_at)
    if org_code:
        query = query.where(ApiClient.org_code == org_code)
    return session.scalars(query).all()


def get_client(session: Session, client_id: str) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"No client has the id {client_id!r}.")
    return client


def _cut_off(client: ApiClient, spent: SpentStore, token_lifetime: int) -> None:
    # Tokens already issued stay valid until they expire unless refused by generation.
    client.generation += 1
    spent.cut_off_client(client.client_id, client.generation,
                         int(time.time()) + token_lifetime + 60)


def disable_client(session: Session, client_id: str, spent: SpentStore,
                   token_lifetime: int, *, actor: Actor = SYSTEM) -> ApiClient:
    """Disable the client and refuse every token it holds from the next request on."""
    client = get_client(session, client_id)
    if client.disabled_at is None:
        client.disabled_at = datetime.now(UTC)
        _cut_off(client, spent, token_lifetime)
        _audit(session, actor, "client.disable", client_id, {"org": client.org_code})
    return client


def revoke_tokens(session: Session, client_id: str, spent: SpentStore,
                  token_lifetime: int, *, actor: Actor = SYSTEM) -> ApiClient:
    """Refuse every token the client holds from the next request on; the client itself keeps
    working and may ask for new ones (a token seen where it should not be, say)."""
    client = get_client(session, client_id)
    _cut_off(client, spent, token_lifetime)
    _audit(session, actor, "client.revoke_tokens", client_id, {"org": client.org_code})
    return client


def rotate_secret(session: Session, client_id: str, spent: SpentStore,
                  token_lifetime: int, *, actor: Actor = SYSTEM) -> CreatedClient:
    """A new secret for a secret client; the old secret and its tokens stop working."""
    client = get_client(session, client_id)
    if client.auth_method != AUTH_SECRET:
        raise Conflict("This client authenticates with its key (private_key_jwt), not a secret.")
    if client.disabled_at is not None:
        raise Conflict("This client is disabled.")
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    _cut_off(client, spent, token_lifetime)
    _audit(session, actor, "client.rotate_secret", client_id, {"org": client.org_code})
    return CreatedClient(client, secret)


def create_user(session: Session, org_code: str, email: str, role: str,
                password: str, *, actor: Actor = SYSTEM) -> User:
    """A person of ``org_code`` who can sign in to the dashboard."""
    _organisation(session, org_code)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise InvalidInput(f"The role must be one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with the email {email} exists already.")
    user = User(email=email, org_code=org_code, role=role, password_hash=hash_secret(password),
                created_at=datetime.now(UTC), failed_sign_ins=0)
    session.add(user)
    session.flush()
    _audit(session, actor, "user.create", email, {"org": org_code, "role": role})
    return user

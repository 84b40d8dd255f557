"""People's sign-in: passwords checked with lock-out, server-side sessions, sign-out.

The session cookie (Flask's signed cookie) holds only a random token; the server keeps its
sha256, so signing out ends a session even if someone kept a copy of the cookie. Each request
re-reads the person and their session: a disabled person is signed out at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.identity.models import User
from hub.identity.passwords import verify_secret
from hub.identity.scopes import default_scopes
from hub.identity.tokens import Principal
from hub.organisations.models import Organisation, OrgKind
from hub.web.models import SignInSession

#: Failed sign-ins in a row that lock an account, and for how long.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
#: A session ends after this long unused, and after this long whatever happens.
IDLE_LIMIT = timedelta(hours=2)
ABSOLUTE_LIMIT = timedelta(hours=12)
#: last_seen_at is written at most this often, so reading pages does not write on each request.
TOUCH_EVERY = timedelta(minutes=1)
#: The one answer to every refused sign-in: it must not tell which accounts exist or are locked.
REFUSED = ("Those details did not sign you in. After 5 failed attempts in a row an account "
           "is locked for 15 minutes.")


class SignInRefused(Exception):
    """The email and password did not sign anyone in; the message is the same for every cause."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


@dataclass(frozen=True)
class Person:
    """Who is signed in, and the organisation every page they see follows from."""

    user_id: int
    email: str
    role: str
    org_code: str
    org_kind: str
    org_name: str
    region_code: str | None
    session_token_sha256: str

    @property
    def actor(self) -> str:
        """The name the audit log records this person by."""
        return f"user:{self.email}"

    @property
    def principal(self) -> Principal:
        """The person as the services see an API caller of the same organisation."""
        return Principal(client_id=self.actor, org_code=self.org_code, org_kind=self.org_kind,
                         scopes=frozenset(default_scopes(OrgKind(self.org_kind))),
                         jti=self.session_token_sha256, expires_at=0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in(session: Session, email: str, password: str, address: str | None) -> str:
    """A new session token for the person with ``email`` and ``password``; SignInRefused
    otherwise. Audits both outcomes in the caller's transaction, which must commit either way."""
    now = _now()
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email)
                          .with_for_update(of=User))  # PostgreSQL: not the joined organisation
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    # Verified even for unknown, disabled or locked accounts, so timing does not tell them apart.
    matches = verify_secret(user.password_hash if user else None, password)
    if user is None or locked or user.disabled_at is not None or not matches:
        _refused(session, user, email[:200], address, now, counted=not locked)
        raise SignInRefused()
    user.failed_sign_ins, user.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(token_sha256=_digest(token), user_id=user.id, created_at=now,
                              last_seen_at=now, ended_at=None))
    audit.record(session, actor=f"user:{user.email}", org_code=user.org_code,
                 action="web.sign_in", target=f"user:{user.id}", details={"address": address})
    return token


def _refused(session: Session, user: User | None, email: str, address: str | None,
             now: datetime, counted: bool) -> None:
    details: dict[str, object] = {"address": address}
    if user is not None and counted:
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        if user.failed_sign_ins >= MAX_FAILURES:
            user.failed_sign_ins, user.locked_until = 0, now + LOCK_FOR
            details["locked_until"] = user.locked_until.isoformat()
    audit.record(session, actor=f"user:{email}", org_code=user.org_code if user else None,
                 action="web.sign_in_refused", target=f"user:{user.id if user else '?'}",
                 details=details)


def person_for(session: Session, token: str | None) -> Person | None:
    """The person whose live session ``token`` is, or None (ended, expired, disabled)."""
    if not token:
        return None
    now = _now()
    row = session.get(SignInSession, _digest(token))
    if row is None or row.ended_at is not None or now - row.last_seen_at > IDLE_LIMIT \
            or now - row.created_at > ABSOLUTE_LIMIT:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    org: Organisation = user.organisation
    region = org.region_code if org.kind == OrgKind.LOCAL_AUTHORITY.value else (
        org.code if org.kind == OrgKind.REGION.value else None)
    return Person(user.id, user.email, user.role, org.code, org.kind, org.name, region,
                  row.token_sha256)


def sign_out(session: Session, person: Person) -> None:
    """End ``person``'s current session, audited, in the caller's transaction."""
    session.execute(update(SignInSession).where(
        SignInSession.token_sha256 == person.session_token_sha256,
        SignInSession.ended_at.is_(None)).values(ended_at=_now()))
    audit.record(session, actor=person.actor, org_code=person.org_code, action="web.sign_out",
                 target=f"user:{person.user_id}", details={})

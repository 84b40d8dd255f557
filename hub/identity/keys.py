"""The hub's token-signing keys: creation, rotation, and the published JWKS."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.crypto import SecretBox
from hub.identity.models import SigningKey

ALGORITHM = "ES256"
# Tokens are checked with this much clock skew allowed; a retired key stays published for it.
LEEWAY = timedelta(seconds=60)
MIN_RELOAD_SECONDS = 2.0


def create_signing_key(session: Session, box: SecretBox) -> SigningKey:
    """A new ES256 key, the one tokens are signed with from now on."""
    kid = f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"})
    row = SigningKey(kid=kid, alg=ALGORITHM,
                     private_key=box.encrypt(key.as_pem(private=True)),
                     public_jwk=key.as_dict(private=False), created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row


def rotate_signing_key(session: Session, box: SecretBox) -> tuple[SigningKey, list[str]]:
    """Retire the keys in use and create a new one; returns it and the kids retired."""
    now = datetime.now(UTC)
    retired = []
    for row in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        row.retired_at = now
        retired.append(row.kid)
    return create_signing_key(session, box), retired


def published_keys(session: Session, token_lifetime: int) -> list[SigningKey]:
    """Keys in use, and retired keys whose last tokens may not have expired yet."""
    cutoff = datetime.now(UTC) - timedelta(seconds=token_lifetime) - LEEWAY
    return list(session.scalars(select(SigningKey).where(or_(
        SigningKey.retired_at.is_(None), SigningKey.retired_at > cutoff)).order_by(
        SigningKey.created_at.desc())))


class KeyRing:
    """The current signing key and the verification key set, cached in the process.

    Verification is on every request, so the key set is cached and refreshed at most every
    ``refresh_seconds``, or at once when a token names a kid not yet seen.
    """

    def __init__(self, sessions: Any, box: SecretBox, token_lifetime: int,
                 refresh_seconds: float = 30.0) -> None:
        self._sessions = sessions
        self._box = box
        self._lifetime = token_lifetime
        self._refresh = refresh_seconds
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._key_set = KeySet([])
        self._jwks: dict[str, Any] = {"keys": []}
        self._signing: ECKey | None = None
        #: Changes whenever the published key set does; caches of verified tokens key on it.
        self.generation = 0

    def _load(self) -> None:
        with self._sessions() as session, session.begin():
            rows = published_keys(session, self._lifetime)
            current = next((r for r in rows if r.retired_at is None), None)
            if current is None:
                current = create_signing_key(session, self._box)
                rows.insert(0, current)
            self._signing = ECKey.import_key(self._box.decrypt(current.private_key),
                                             {"kid": current.kid, "alg": ALGORITHM})
            jwks = {"keys": [dict(r.public_jwk) for r in rows]}
            if jwks != self._jwks:
                self.generation += 1
            self._jwks = jwks
            self._key_set = KeySet.import_key_set(self._jwks)
            self._loaded_at = time.monotonic()

    def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at > self._refresh:
            with self._lock:
                if time.monotonic() - self._loaded_at > self._refresh:
                    self._load()

    def signing_key(self) -> ECKey:
        self._fresh()
        assert self._signing is not None
        return self._signing

    def jwks(self) -> dict[str, Any]:
        self._fresh()
        return self._jwks

    def verification_keys(self, refresh: bool = False) -> KeySet:
        """The published keys; ``refresh`` reloads them first (a token named an unseen kid)."""
        if refresh and time.monotonic() - self._loaded_at > MIN_RELOAD_SECONDS:
            # Rate-limited, so tokens naming made-up kids cannot turn into a database query each.
            with self._lock:
                self._load()
        else:
            self._fresh()
        return self._key_set

    def invalidate(self) -> None:
        self._loaded_at = 0.0

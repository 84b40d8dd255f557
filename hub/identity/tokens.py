"""JWT access tokens (RFC 9068): issued by the hub, checked on every protected request."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from hub.identity.keys import ALGORITHM, LEEWAY, KeyRing
from hub.identity.spent import SpentStore

TOKEN_TYPE = "at+jwt"


class InvalidToken(Exception):
    """The token is not acceptable. The reason is for logs, never for the caller."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, its organisation, and what its token allows."""

    client_id: str
    org_code: str
    org_kind: str
    scopes: frozenset[str]
    jti: str
    expires_at: int

    def has(self, scope: str) -> bool:
        return scope in self.scopes


class TokenSubject(Protocol):
    client_id: str
    org_code: str
    org_kind: str
    generation: int


class TokenService:
    """Issues and validates the hub's access tokens."""

    def __init__(self, keys: KeyRing, spent: SpentStore, issuer: str, audience: str,
                 lifetime: int) -> None:
        self.keys = keys
        self.spent = spent
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime

    def issue(self, client: TokenSubject, scope: str) -> tuple[str, int]:
        """A signed access token for ``client``, and its lifetime in seconds."""
        now = int(time.time())
        key = self.keys.signing_key()
        claims = {"iss": self.issuer, "aud": self.audience, "sub": client.client_id,
                  "client_id": client.client_id, "org": client.org_code,
                  "org_kind": client.org_kind, "gen": client.generation, "scope": scope,
                  "iat": now, "exp": now + self.lifetime, "jti": secrets.token_urlsafe(16)}
        header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
        return jwt.encode(header, claims, key, algorithms=[ALGORITHM]), self.lifetime

    def decode(self, token: str, *, verify_time: bool = True) -> dict[str, object]:
        """The verified claims of ``token``; InvalidToken for anything else."""
        try:
            header = extract_compact(token.encode()).headers()
        except (JoseError, ValueError, UnicodeError) as exc:
            raise InvalidToken(f"malformed: {exc}") from None
        if header.get("alg") != ALGORITHM or header.get("typ") != TOKEN_TYPE:
            raise InvalidToken(f"header not accepted: alg={header.get('alg')!r}")
        try:
            decoded = jwt.decode(token, self.keys.verification_keys(header.get("kid")),
                                 algorithms=[ALGORITHM])
        except (JoseError, ValueError) as exc:
            raise InvalidToken(f"signature: {exc}") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=int(LEEWAY.total_seconds()) if verify_time else 10**9,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True}, iat={"essential": True},
            sub={"essential": True}, jti={"essential": True}, org={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise InvalidToken(f"claims: {exc}") from None
        return claims

    def validate(self, token: str) -> Principal:
        """The caller behind ``token``, once signature, claims and revocation are checked."""
        claims = self.decode(token)
        client_id, jti = str(claims["sub"]), str(claims["jti"])
        if self.spent.is_refused(jti, client_id, int(claims.get("gen", 0))):  # type: ignore[call-overload]
            raise InvalidToken("revoked")
        return Principal(client_id=client_id, org_code=str(claims["org"]),
                         org_kind=str(claims.get("org_kind", "")),
                         scopes=frozenset(str(claims.get("scope", "")).split()),
                         jti=jti, expires_at=int(claims["exp"]))  # type: ignore[call-overload]

"""JWT access tokens (RFC 9068): issued by the hub, checked on every protected request."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError

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


class VerifiedTokens:
    """Claims of tokens whose signature was verified, by the exact token string.

    A client sends the same token for its whole life, so the signature is checked once per
    token and key set, not once per request; expiry and revocation are still checked every time.
    The cache is bounded and forgets everything when the key set changes.
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._claims: OrderedDict[str, dict[str, object]] = OrderedDict()
        self._generation = -1
        self._lock = threading.Lock()

    def get(self, token: str, generation: int) -> dict[str, object] | None:
        if generation != self._generation:
            return None
        return self._claims.get(token)

    def put(self, token: str, claims: dict[str, object], generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                self._claims.clear()
                self._generation = generation
            self._claims[token] = claims
            if len(self._claims) > self._capacity:
                self._claims.popitem(last=False)


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
        self._verified = VerifiedTokens()
        # Built once: validation runs on every request.
        self._live = self._registry(verify_time=True)
        self._any_time = self._registry(verify_time=False)

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

    def _registry(self, verify_time: bool) -> jwt.JWTClaimsRegistry:
        return jwt.JWTClaimsRegistry(
            leeway=int(LEEWAY.total_seconds()) if verify_time else 10**9,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True}, iat={"essential": True},
            sub={"essential": True}, jti={"essential": True}, org={"essential": True},
        )

    def decode(self, token: str, *, verify_time: bool = True) -> dict[str, object]:
        """The verified claims of ``token``; InvalidToken for anything else."""
        claims = self._verified.get(token, self.keys.generation)
        if claims is None:
            claims = self._verify_signature(token)
            self._verified.put(token, claims, self.keys.generation)
        try:
            (self._live if verify_time else self._any_time).validate(claims)
        except JoseError as exc:
            raise InvalidToken(f"claims: {exc}") from None
        return claims

    def _verify_signature(self, token: str) -> dict[str, object]:
        # One parse and one verification: the key set picks the key by the token's kid, and
        # only ES256 is accepted, so "none", HS256 and key confusion fail right here.
        try:
            decoded = jwt.decode(token, self.keys.verification_keys(), algorithms=[ALGORITHM])
        except InvalidKeyIdError:
            try:
                decoded = jwt.decode(token, self.keys.verification_keys(refresh=True),
                                     algorithms=[ALGORITHM])
            except (JoseError, ValueError, UnicodeError) as exc:
                raise InvalidToken(f"signature: {exc}") from None
        except (JoseError, ValueError, UnicodeError) as exc:
            raise InvalidToken(f"signature: {exc}") from None
        if decoded.header.get("typ") != TOKEN_TYPE:
            raise InvalidToken(f"typ not accepted: {decoded.header.get('typ')!r}")
        return decoded.claims

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

"""The connector's OAuth2 wiring: client credentials for the registered hub, short-lived bearers.

The client's secret is kept as an scrypt hash; issued tokens are kept in memory by their SHA-256,
so neither a config file nor a memory dump hands out a working credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Error, TokenMixin, grants  # type: ignore[import-untyped]
from authlib.oauth2.rfc6750 import BearerTokenValidator  # type: ignore[import-untyped]
from flask import Flask

SCOPE = "extracts:read"
DEFAULT_TOKEN_TTL = 300
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_secret(secret: str) -> str:
    """An scrypt hash of ``secret`` for the connector's config: ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return "$".join(["scrypt", *(str(_SCRYPT[k]) for k in "nrp"), _b64(salt), _b64(digest)])


def verify_secret(secret: str, stored: str) -> bool:
    """True when ``secret`` matches the ``stored`` scrypt hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(secret.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    """The one client (the hub) allowed to pull: its id and hashed secret."""

    client_id: str
    secret_hash: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        # A request without a scope gets the only one there is.
        return SCOPE if not scope or SCOPE in scope.split() else ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_secret(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


@dataclass(frozen=True)
class IssuedToken(TokenMixin):
    """A bearer token the connector issued: to whom, for what, until when."""

    client: RegisteredClient
    scope: str
    expires_at: float

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == self.client.client_id)

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.expires_at - time.time()))

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> None:
        return None

    def get_client(self) -> RegisteredClient:
        return self.client


class TokenStore:
    """Issued tokens in memory, keyed by their SHA-256; expired ones are dropped as others come."""

    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    def save(self, token: Mapping[str, Any], client: RegisteredClient) -> None:
        """Remember ``token`` as issued to ``client``."""
        issued = IssuedToken(client, str(token.get("scope", "")),
                             time.time() + int(token["expires_in"]))
        with self._lock:
            now = time.time()
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[_digest(token["access_token"])] = issued

    def find(self, access_token: str) -> IssuedToken | None:
        """The token issued as ``access_token``, if any (expired or not)."""
        with self._lock:
            return self._tokens.get(_digest(access_token))

    def revoke_all(self) -> None:
        """Forget every issued token: callers must authenticate again."""
        with self._lock:
            self._tokens.clear()


class OAuthProblem(Exception):
    """An OAuth2 error from the resource protector, answered in RFC 6750's own JSON shape."""

    def __init__(self, error: OAuth2Error) -> None:
        super().__init__(error.error)
        self.status = int(error.status_code)
        self.body = dict(error.get_body())
        self.headers = list(error.get_headers())


class JsonResourceProtector(ResourceProtector):
    """A ResourceProtector whose errors reach the app's handler with body and headers intact."""

    def raise_error_response(self, error: OAuth2Error) -> NoReturn:
        raise OAuthProblem(error)


class _Validator(BearerTokenValidator):
    def __init__(self, store: TokenStore) -> None:
        super().__init__()
        self.store = store

    def authenticate_token(self, token_string: str) -> IssuedToken | None:
        return self.store.find(token_string)


def init_oauth(app: Flask, clients: tuple[RegisteredClient, ...], store: TokenStore,
               token_ttl: int = DEFAULT_TOKEN_TTL) -> tuple[AuthorizationServer, ResourceProtector]:
    """The authorization server and resource protector of ``app``, for ``clients`` only."""
    by_id = {c.client_id: c for c in clients}
    app.config.update(OAUTH2_TOKEN_EXPIRES_IN={"client_credentials": token_ttl},
                      OAUTH2_SCOPES_SUPPORTED=[SCOPE])
    server = AuthorizationServer(app, query_client=by_id.get,
                                 save_token=lambda token, request: store.save(token,
                                                                              request.client))
    server.register_grant(grants.ClientCredentialsGrant)
    protector = JsonResourceProtector()
    protector.register_token_validator(_Validator(store))
    return server, protector


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()

"""The hub's OAuth2 authorization server (authlib): token, revocation, introspection, metadata."""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import extract_basic_authorization, scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Blueprint, Flask, current_app, jsonify, request
from joserfc.jwk import KeySet
from werkzeug.http import HTTP_STATUS_CODES

from hub.db import get_session
from hub.identity.models import AUTH_PRIVATE_KEY_JWT, AUTH_SECRET, ApiClient
from hub.identity.passwords import verify_secret
from hub.identity.scopes import SCOPES
from hub.identity.tokens import InvalidToken

AUTH_METHODS = [AUTH_SECRET, AUTH_PRIVATE_KEY_JWT]
#: The one description every failed client authentication gets: it must not say whether the
#: client exists, is disabled, or which check failed.
CLIENT_AUTH_FAILED = "Client authentication failed."
#: Standard clients (authlib's among them) sign assertions valid for an hour; longer ones would
#: be reusable credentials in all but name.
MAX_ASSERTION_LIFETIME = 3600

blp = Blueprint("oauth", __name__)
log = logging.getLogger(__name__)


def _identity() -> Any:
    return current_app.extensions["hub.identity"]


def _query_client(client_id: str) -> ApiClient | None:
    client = get_session().get(ApiClient, client_id)
    return client if client is not None and client.disabled_at is None else None


def _authenticate_secret_basic(query_client: Any, request: Any) -> ApiClient | None:
    """client_secret_basic, hashing once whether or not the client exists or is enabled."""
    client_id, secret = extract_basic_authorization(request.headers)
    if not client_id or not secret:
        return None
    client = query_client(client_id)
    if client is None:
        # The same Argon2 verification as a wrong secret (against a dummy hash), so the time
        # taken does not tell which client ids exist.
        verify_secret(None, secret)
        return None
    return client if client.check_client_secret(secret) else None


class PrivateKeyJWT(JWTBearerClientAssertion):
    """RFC 7523 client authentication: an assertion signed with the client's registered key."""

    CLIENT_AUTH_METHOD = AUTH_PRIVATE_KEY_JWT

    def __init__(self, audiences: list[str]) -> None:
        super().__init__(validate_jti=True, leeway=30)
        self._audiences = audiences

    def get_audiences(self) -> list[str]:
        return self._audiences

    def verify_claims(self, claims: Any) -> None:
        if int(claims.get("exp", 0)) - int(claims.get("iat", claims.get("exp", 0))) > \
                MAX_ASSERTION_LIFETIME or "iat" not in claims:
            from authlib.oauth2.rfc6749 import InvalidClientError

            raise InvalidClientError(description=CLIENT_AUTH_FAILED)
        super().verify_claims(claims)

    def validate_jti(self, claims: Any, jti: str) -> bool:
        return bool(_identity().spent.use_once(f"assertion:{claims['sub']}:{jti}",
                                               int(claims["exp"])))

    def resolve_client_public_key(self, client: ApiClient) -> KeySet:
        return KeySet.import_key_set(client.jwks or {"keys": []})


class TooManyTokenRequests(OAuth2Error):
    """An authenticated client over its own token rate limit."""

    error = "rate_limited"
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(description=f"Too many token requests; retry after {retry_after} s.")
        self.retry_after = retry_after

    def get_headers(self) -> list[tuple[str, str]]:
        return [*super().get_headers(), ("Retry-After", str(self.retry_after))]


class HubClientCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_token_request(self) -> None:
        super().validate_token_request()
        # Counted once the client has proved who it is, so no one else can use up its limit.
        refusal = _identity().limiter.hit_client(self.request.client.client_id)
        if refusal is not None:
            raise TooManyTokenRequests(refusal.retry_after)

    def validate_requested_scope(self) -> None:
        # Asking for a scope the client does not hold is an error, not a silent narrowing.
        requested = set(scope_to_list(self.request.payload.scope) or [])
        if requested - set(self.request.client.scope_list):
            raise InvalidScopeError()


class _IssuedToken(dict):  # type: ignore[type-arg]
    """Verified claims of one of the hub's tokens, as authlib's endpoints expect a token."""

    def check_client(self, client: ApiClient) -> bool:
        return bool(self.get("client_id") == client.client_id or _may_manage_clients(client))

    # Introspection only sees tokens that passed validation: live and not revoked.
    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return False


def _may_manage_clients(client: ApiClient) -> bool:
    return "clients:admin" in client.scope_list and client.org_kind == "admin"


def _query_issued_token(token_string: str) -> _IssuedToken | None:
    try:
        return _IssuedToken(_identity().tokens.decode(token_string, verify_time=False))
    except InvalidToken:
        return None


class HubRevocationEndpoint(RevocationEndpoint):
    """RFC 7009: the holder (or an administrator) revokes a token; refused from the next call."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return _query_issued_token(token_string)

    def revoke_token(self, token: _IssuedToken, request: Any) -> None:
        _identity().spent.revoke_token(str(token["jti"]), int(token["exp"]))


class HubIntrospectionEndpoint(IntrospectionEndpoint):
    """RFC 7662, for the administrators' clients only."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        tokens = _identity().tokens
        try:
            tokens.validate(token_string)  # a revoked or expired token is not active
            return _IssuedToken(tokens.decode(token_string))
        except InvalidToken:
            return None

    def check_permission(self, token: Any, client: ApiClient, request: Any) -> bool:
        return _may_manage_clients(client)

    def introspect_token(self, token: _IssuedToken) -> dict[str, Any]:
        return {"active": True, "client_id": token["client_id"], "sub": token["sub"],
                "scope": token["scope"], "token_type": "Bearer", "exp": token["exp"],
                "iat": token["iat"], "iss": token["iss"], "aud": token["aud"],
                "jti": token["jti"], "org": token["org"]}


class HubAuthorizationServer(AuthorizationServer):
    def handle_error_response(self, request: Any, error: OAuth2Error) -> Any:
        if error.error == "invalid_client":
            # The reason goes to the log for the operator, never to the caller.
            log.info("client authentication failed: %s", error.description)
            error.description = CLIENT_AUTH_FAILED
            _identity().limiter.failed(_address())
        return super().handle_error_response(request, error)

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> Any:
        if isinstance(payload, dict) and "error" in payload:
            # The hub's error body alongside RFC 6749's, so either kind of client reads it.
            payload = {**payload, "code": status_code,
                       "status": HTTP_STATUS_CODES.get(status_code, "Error"),
                       "message": payload.get("error_description") or payload["error"]}
        return super().handle_response(status_code, payload, headers)


def _token_generator(grant_type: str, client: ApiClient, user: Any = None,
                     scope: str | None = None, expires_in: int | None = None,
                     include_refresh_token: bool = True) -> dict[str, Any]:
    # No scope asked for means every scope the client holds.
    granted = client.get_allowed_scope(scope)
    access_token, lifetime = _identity().tokens.issue(client, granted)
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime,
            "scope": granted}


def create_server(app: Flask, issuer: str) -> HubAuthorizationServer:
    """The authorization server with its grant, client authentication and endpoints."""
    server = HubAuthorizationServer()
    server.init_app(app, query_client=_query_client, save_token=lambda token, req: None)
    server.register_token_generator("default", _token_generator)
    server.register_client_auth_method(AUTH_SECRET, _authenticate_secret_basic)
    server.register_grant(HubClientCredentialsGrant)
    server.register_client_auth_method(
        AUTH_PRIVATE_KEY_JWT, PrivateKeyJWT([f"{issuer}/oauth/token", issuer]))
    server.register_endpoint(HubRevocationEndpoint)
    server.register_endpoint(HubIntrospectionEndpoint)
    return server


def _too_many(retry_after: int) -> Any:
    response = jsonify({"error": "rate_limited", "code": 429, "status": "Too Many Requests",
                        "message": f"Too many token requests; retry after {retry_after} s."})
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def _address() -> str:
    # The peer, or the client a trusted proxy names (HUB_TRUSTED_PROXIES): see hub.proxies.
    return request.remote_addr or "unknown"


@blp.post("/oauth/token")
def issue_token() -> Any:
    """Client credentials grant."""
    refusal = _identity().limiter.hit_address(_address())
    if refusal is not None:
        return _too_many(refusal.retry_after)
    return _identity().server.create_token_response()


@blp.post("/oauth/revoke")
def revoke_token() -> Any:
    refusal = _identity().limiter.check_failures(_address())
    if refusal is not None:
        return _too_many(refusal.retry_after)
    return _identity().server.create_endpoint_response(HubRevocationEndpoint.ENDPOINT_NAME)


@blp.post("/oauth/introspect")
def introspect_token() -> Any:
    refusal = _identity().limiter.check_failures(_address())
    if refusal is not None:
        return _too_many(refusal.retry_after)
    return _identity().server.create_endpoint_response(HubIntrospectionEndpoint.ENDPOINT_NAME)


@blp.get("/.well-known/oauth-authorization-server")
def metadata() -> Any:
    """RFC 8414 authorization server metadata."""
    issuer = _identity().tokens.issuer
    return jsonify({
        "issuer": issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "EdDSA", "Ed25519",
                                                             "RS256", "PS256"],
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": [],
    })


@blp.get("/.well-known/jwks.json")
def jwks() -> Any:
    """The public keys the hub's access tokens are signed with."""
    response = jsonify(_identity().keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response

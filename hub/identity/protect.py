"""Protection of API routes: a valid hub access token, the scopes asked for, documented."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import current_app, g, request
from flask_smorest import Blueprint, abort

from hub.identity.tokens import InvalidToken, Principal

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

SECURITY_SCHEME = "hubOAuth"
REALM = "workforce-hub"


class _Token:
    """A validated principal in the shape authlib's validator checks."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def is_expired(self) -> bool:
        return False  # checked when the token was decoded

    def is_revoked(self) -> bool:
        return False  # checked when the token was decoded

    def get_scope(self) -> str:
        return " ".join(self.principal.scopes)


class HubTokenValidator(BearerTokenValidator):
    def __init__(self) -> None:
        super().__init__(realm=REALM)

    def authenticate_token(self, token_string: str) -> _Token | None:
        try:
            return _Token(current_app.extensions["hub.identity"].tokens.validate(token_string))
        except InvalidToken as exc:
            # Why a token failed is for the log only; the caller learns just that it did.
            log.info("access token refused: %s", exc)
            return None


class _HeadersOnly:
    def __init__(self, headers: Any) -> None:
        self.headers = headers


class HubResourceProtector(ResourceProtector):
    """authlib's protector whose errors use the hub's error body and keep WWW-Authenticate."""

    def acquire_token(self, scopes: Any = None, **kwargs: Any) -> Any:
        # authlib's version wraps the whole request (parsing a JSON body) to read one header
        # and sends a signal nobody listens to; this is on every request, so read the header.
        if isinstance(scopes, str):
            scopes = [scopes]
        token = self.validate_request(scopes, _HeadersOnly(request.headers))
        g.authlib_server_oauth2_token = token
        return token

    def raise_error_response(self, error: OAuth2Error) -> NoReturn:
        # RFC 6750 section 3: no error code when no token was sent, and no description that
        # would tell a caller which check its token failed.
        if error.status_code == 403:
            abort(403, message="The access token's scope does not allow this.",
                  headers={"WWW-Authenticate":
                           f'Bearer realm="{REALM}", error="insufficient_scope"'})
        challenge = f'Bearer realm="{REALM}"'
        if error.error == "invalid_token":
            challenge += ', error="invalid_token"'
        abort(401, message="A valid access token is required.",
              headers={"WWW-Authenticate": challenge})


require_oauth = HubResourceProtector()
require_oauth.register_token_validator(HubTokenValidator())


def current_principal() -> Principal:
    """The caller of the current request; only inside a protected view."""
    token: _Token = g.authlib_server_oauth2_token
    return token.principal


def protected(blp: Blueprint, *scopes: str) -> Callable[[F], F]:
    """Require a valid token holding every one of ``scopes``, and say so in the OpenAPI doc."""
    required = " ".join(scopes) or None

    def decorator(view: F) -> F:
        enforced = require_oauth(required)(view)
        documented = blp.doc(security=[{SECURITY_SCHEME: list(scopes)}])(enforced)
        documented = blp.alt_response(401, response="401")(documented)
        if scopes:
            documented = blp.alt_response(403, response="403")(documented)
        return documented  # type: ignore[no-any-return]

    return decorator

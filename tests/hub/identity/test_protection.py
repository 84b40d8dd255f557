"""Protected routes refuse a bad token with 401 and WWW-Authenticate, a weak one with 403."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.conftest import bearer

ROUTE = "/api/v1/regions"


def _forge(app, token: str, *, key: ECKey | None = None, header: dict | None = None,
           **claims) -> str:
    """A token like ``token`` with changed claims, re-signed by ``key`` (default: a stranger)."""
    decoded = jwt.decode(token, app.extensions["hub.identity"].keys.verification_keys())
    signer = key or ECKey.generate_key("P-256")
    return jwt.encode({**decoded.header, **(header or {})}, {**decoded.claims, **claims}, signer)


def _hub_key(app) -> ECKey:
    return app.extensions["hub.identity"].keys.signing_key()


def _unsigned(app, token: str) -> str:
    decoded = jwt.decode(token, app.extensions["hub.identity"].keys.verification_keys())

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{b64(decoded.claims)}."


@pytest.mark.parametrize("case", ["missing", "garbage", "expired", "wrong_signature",
                                  "wrong_audience", "wrong_issuer", "alg_none", "wrong_typ",
                                  "not_bearer"])
def test_bad_tokens_get_401_with_www_authenticate(app, issue_token, case):
    token = issue_token("E09000001")
    now = int(time.time())
    headers = {
        "missing": {},
        "garbage": bearer("not.a.jwt"),
        "expired": bearer(_forge(app, token, key=_hub_key(app), iat=now - 900, exp=now - 300)),
        "wrong_signature": bearer(_forge(app, token)),
        "wrong_audience": bearer(_forge(app, token, key=_hub_key(app),
                                        aud="https://other.example/api")),
        "wrong_issuer": bearer(_forge(app, token, key=_hub_key(app),
                                      iss="https://other.example")),
        "alg_none": bearer(_unsigned(app, token)),
        "wrong_typ": bearer(_forge(app, token, key=_hub_key(app), header={"typ": "JWT"})),
        "not_bearer": {"Authorization": f"Basic {token}"},
    }[case]
    response = app.test_client().get(ROUTE, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # The same body whatever the reason: nothing about which check failed.
    assert response.json == {"code": 401, "status": "Unauthorized",
                             "message": "A valid access token is required."}


def test_a_token_forged_with_the_hubs_key_and_right_claims_is_accepted(app, issue_token):
    # The control for the cases above: the forging helper itself yields a valid token.
    token = issue_token("E09000001")
    assert app.test_client().get(ROUTE, headers=bearer(
        _forge(app, token, key=_hub_key(app)))).status_code == 200


def test_a_token_without_the_scope_gets_403(app, issue_token):
    token = issue_token("HUB-ADMIN", ["audit:read"])
    response = app.test_client().get("/api/v1/clients", headers=bearer(token))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert response.json["message"] == "The access token's scope does not allow this."


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/.well-known/jwks.json",
                                  "/.well-known/oauth-authorization-server",
                                  "/api/v1/openapi.json", "/api/v1/docs"])
def test_public_routes_need_no_token(client, path):
    assert client.get(path).status_code == 200


def test_every_api_operation_but_the_public_ones_declares_its_security(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if path in ("/healthz", "/readyz"):
                assert "security" not in operation
            else:
                assert operation["security"][0].keys() == {"hubOAuth"}, (method, path)
                assert "401" in operation["responses"], (method, path)

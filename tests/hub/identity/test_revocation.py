"""Revocation (RFC 7009), introspection (RFC 7662), disabling and secret rotation."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.hub.identity.conftest import token_response

ROUTE = "/api/v1/regions"


@pytest.fixture(params=["embedded", "redis"])
def hub(request, app, redis_app):
    """Revocation state lives in the database when embedded, in Redis otherwise."""
    return app if request.param == "embedded" else redis_app


def _token(hub, registered) -> str:
    return token_response(hub.test_client(), registered).json["access_token"]


def test_a_revoked_token_is_refused_from_the_next_request(hub, register_client):
    registered = register_client("E09000001")
    token = _token(hub, registered)
    http = hub.test_client()
    assert http.get(ROUTE, headers=bearer(token)).status_code == 200
    revoked = http.post("/oauth/revoke", data={"token": token},
                        auth=(registered.client_id, registered.client_secret))
    assert revoked.status_code == 200
    assert http.get(ROUTE, headers=bearer(token)).status_code == 401


def test_a_client_cannot_revoke_another_clients_token(hub, register_client):
    owner, other = register_client("E09000001"), register_client("E09000002")
    token = _token(hub, owner)
    http = hub.test_client()
    response = http.post("/oauth/revoke", data={"token": token},
                         auth=(other.client_id, other.client_secret))
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"
    assert http.get(ROUTE, headers=bearer(token)).status_code == 200


def test_admins_introspect_tokens(hub, register_client):
    admin, la = register_client("HUB-ADMIN"), register_client("E09000001")
    token = _token(hub, la)
    http = hub.test_client()
    active = http.post("/oauth/introspect", data={"token": token},
                       auth=(admin.client_id, admin.client_secret)).json
    assert active["active"] is True and active["org"] == "E09000001"
    assert active["client_id"] == la.client_id
    http.post("/oauth/revoke", data={"token": token}, auth=(la.client_id, la.client_secret))
    inactive = http.post("/oauth/introspect", data={"token": token},
                         auth=(admin.client_id, admin.client_secret)).json
    assert inactive == {"active": False}


def test_non_admins_cannot_introspect(hub, register_client):
    la = register_client("E09000001")
    token = _token(hub, la)
    response = hub.test_client().post("/oauth/introspect", data={"token": token},
                                      auth=(la.client_id, la.client_secret))
    # RFC 7662 section 2.2: a caller not allowed to introspect learns only "not active".
    assert response.status_code == 200 and response.json == {"active": False}


def test_disabling_a_client_refuses_its_tokens_and_new_ones(hub, register_client,
                                                            issue_token):
    la = register_client("E09000001")
    token = _token(hub, la)
    admin = issue_token("HUB-ADMIN")
    http = hub.test_client()
    response = http.post(f"/api/v1/clients/{la.client_id}/disable", headers=bearer(admin))
    assert response.status_code == 200 and response.json["disabled_at"]
    assert http.get(ROUTE, headers=bearer(token)).status_code == 401
    assert token_response(http, la).status_code == 401


def test_rotating_a_secret_retires_the_old_secret_and_its_tokens(hub, register_client,
                                                                issue_token):
    la = register_client("E09000001")
    old_token = _token(hub, la)
    http = hub.test_client()
    rotated = http.post(f"/api/v1/clients/{la.client_id}/rotate-secret",
                        headers=bearer(issue_token("HUB-ADMIN")))
    assert rotated.status_code == 200
    new_secret = rotated.json["client_secret"]
    assert new_secret and new_secret != la.client_secret
    assert http.get(ROUTE, headers=bearer(old_token)).status_code == 401
    assert token_response(http, la).status_code == 401
    fresh = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(la.client_id, new_secret))
    assert http.get(ROUTE, headers=bearer(fresh.json["access_token"])).status_code == 200

"""API clients on the admin pages: an administrator revokes a client's tokens from the
dashboard, and the very next request with one of them is refused."""

from __future__ import annotations

from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.identity import service as identity
from tests.web.conftest import csrf_token
from tests.web.test_pages import ADMIN_USER, REGION_USER

BENCHMARK = "/api/v1/benchmarks/agency_rate?period=latest"


def _client_with_token(web_app) -> tuple[str, str, str]:
    """A new client of Camden, its secret and a token from the real token endpoint."""
    with web_app.extensions["hub.db"].session() as session:
        created = identity.create_client(session, "E09000007", "Camden's reporting", None)
        client_id, secret = created.client.client_id, created.client_secret
    token = web_app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                       auth=(client_id, secret)).json["access_token"]
    return client_id, secret, token


def _read(web_app, token: str) -> int:
    return web_app.test_client().get(
        BENCHMARK, headers={"Authorization": f"Bearer {token}"}).status_code


def test_an_administrator_revokes_a_clients_tokens_from_the_dashboard(
        web_app, web_client, sign_in):
    client_id, secret, token = _client_with_token(web_app)
    assert _read(web_app, token) == 200
    sign_in(ADMIN_USER)
    page = web_client.get("/admin/clients").get_data(as_text=True)
    assert "Camden&#39;s reporting" in page and "Camden" in page
    assert f"/admin/clients/{client_id}/revoke-tokens" in page
    response = web_client.post(f"/admin/clients/{client_id}/revoke-tokens", data={
        "csrf_token": csrf_token(web_client, "/admin/clients")})
    assert response.status_code == 302
    assert "is refused from the next request" in web_client.get(
        "/admin/clients").get_data(as_text=True)
    assert _read(web_app, token) == 401
    # The client itself still works: a new token is accepted.
    again = web_app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                       auth=(client_id, secret)).json["access_token"]
    assert _read(web_app, again) == 200
    with web_app.extensions["hub.db"].session() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "client.revoke_tokens", AuditEvent.target == client_id))
        assert event.actor == "user:admin@hub.example" and event.org_code == "HUB-ADMIN"


def test_no_one_but_an_administrator_revokes_tokens(web_app, web_client, sign_in):
    client_id, _, token = _client_with_token(web_app)
    sign_in(REGION_USER)
    assert web_client.get("/admin/clients").status_code == 403
    assert web_client.post(f"/admin/clients/{client_id}/revoke-tokens", data={
        "csrf_token": csrf_token(web_client, "/region/E12000007")}).status_code == 403
    assert _read(web_app, token) == 200


def test_revoking_without_the_forms_token_is_refused(web_app, web_client, sign_in):
    client_id, _, token = _client_with_token(web_app)
    sign_in(ADMIN_USER)
    assert web_client.post(f"/admin/clients/{client_id}/revoke-tokens").status_code == 400
    assert _read(web_app, token) == 200

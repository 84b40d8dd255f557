"""Registering, updating and seeing connectors through the API, object by object."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hub.audit.models import AuditEvent
from hub.registry.models import Connector
from tests.conftest import bearer
from tests.connectors.conftest import serving
from tests.connectors.dripping import dripping_body
from tests.hub.registry.conftest import CITY, WESTMINSTER, body_of, stored


def _count(app) -> int:
    with app.extensions["hub.db"].session() as session:
        return session.scalar(select(func.count()).select_from(Connector))


def test_an_la_registers_its_connector_after_the_hub_checks_it(app, la_client, simulator,
                                                               allow_loopback):
    credentials = simulator.simulator.credentials[CITY]
    response = la_client.post("/api/v1/connectors", json=body_of(credentials))
    assert response.status_code == 201, response.json
    connector = response.json
    assert connector["la_code"] == CITY and connector["health"] == "never_pulled"
    assert connector["key_ids"] == [k["kid"] for k in credentials.jwks["keys"]]
    assert "client_secret" not in connector
    row = stored(app, connector["id"])
    assert row.jwks == credentials.jwks, "the JWKS fetched at registration is pinned"
    assert credentials.client_secret.encode() not in row.client_secret
    box = app.extensions["hub.secret_box"]
    assert box.decrypt(row.client_secret).decode() == credentials.client_secret
    with app.extensions["hub.db"].session() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "connector.registered" in actions


def test_one_connector_per_la(la_client, simulator, allow_loopback):
    body = body_of(simulator.simulator.credentials[CITY])
    assert la_client.post("/api/v1/connectors", json=body).status_code == 201
    response = la_client.post("/api/v1/connectors", json=body)
    assert response.status_code == 409
    assert "already has a connector" in response.json["message"]


def _refused(app, la_client, body, code):
    response = la_client.post("/api/v1/connectors", json=body)
    assert response.status_code == 422, response.json
    assert response.json["errors"] == {"json": {"connector": [code]}}
    assert f"({code})" in response.json["message"]
    assert _count(app) == 0, "nothing is stored when the check fails"
    return response.json["message"]


def test_loopback_is_refused_unless_an_admin_allows_it(app, la_client, simulator):
    message = _refused(app, la_client, body_of(simulator.simulator.credentials[CITY]),
                       "forbidden_address")
    assert "loopback" in message


def test_a_private_address_is_refused_without_connecting(app, la_client):
    body = {"base_url": "http://10.1.2.3/c", "token_url": "http://10.1.2.3/c/token",
            "jwks_url": "http://10.1.2.3/c/jwks", "client_id": "hub", "client_secret": "s"}
    assert "private" in _refused(app, la_client, body, "forbidden_address")


def test_http_is_refused_outside_development(make_app, issue_token, simulator):
    app = make_app(connector_allow_http=False)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + _token(app, CITY)
    _refused(app, client, body_of(simulator.simulator.credentials[CITY]), "insecure_url")


def _token(app, org):
    from hub.identity import service as identity

    with app.extensions["hub.db"].session() as session:
        created = identity.create_client(session, org, "t", None, None)
    response = app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                      auth=(created.client.client_id, created.client_secret))
    return response.json["access_token"]


def test_wrong_credentials_are_refused(app, la_client, simulator, allow_loopback):
    body = body_of(simulator.simulator.credentials[CITY], client_secret="not-the-secret")
    _refused(app, la_client, body, "credentials_refused")


def test_a_jwks_that_did_not_sign_datasets_is_refused(app, la_client, simulator,
                                                      allow_loopback):
    other = simulator.simulator.credentials[WESTMINSTER]
    body = body_of(simulator.simulator.credentials[CITY], jwks_url=other.jwks_url)
    _refused(app, la_client, body, "bad_signature")


def test_another_las_connector_is_refused(app, la_client, simulator, allow_loopback):
    _refused(app, la_client, body_of(simulator.simulator.credentials[WESTMINSTER]), "wrong_la")


def test_an_unreachable_connector_is_refused(app, la_client, allow_loopback):
    base = "http://127.0.0.1:9/c"  # the discard port: nothing listens
    allow_loopback(base)
    body = {"base_url": base, "token_url": f"{base}/token", "jwks_url": f"{base}/jwks",
            "client_id": "hub", "client_secret": "s"}
    _refused(app, la_client, body, "connection_failed")


def test_admins_see_every_connector_and_las_only_their_own(
        app, la_client, admin_client, issue_token, simulator, allow_loopback, register):
    city = la_client.post("/api/v1/connectors",
                          json=body_of(simulator.simulator.credentials[CITY])).json["id"]
    westminster = register(simulator.simulator.credentials[WESTMINSTER])
    assert [c["la_code"] for c in admin_client.get("/api/v1/connectors").json] == [
        CITY, WESTMINSTER]
    assert [c["id"] for c in la_client.get("/api/v1/connectors").json] == [city]
    assert admin_client.get(f"/api/v1/connectors/{westminster}").status_code == 200
    assert la_client.get(f"/api/v1/connectors/{city}").status_code == 200


def test_no_route_with_an_id_reaches_another_las_connector(
        app, la_client, admin_client, issue_token, simulator, allow_loopback, register):
    westminster = register(simulator.simulator.credentials[WESTMINSTER])
    http = app.test_client()
    region = bearer(issue_token("E12000007"))
    for path, method, body in (
            (f"/api/v1/connectors/{westminster}", "get", None),
            (f"/api/v1/connectors/{westminster}", "patch", {"enabled": False}),
            (f"/api/v1/connectors/{westminster}/pulls", "get", None),
            (f"/api/v1/connectors/{westminster}/pulls", "post", {})):
        assert getattr(la_client, method)(path, json=body).status_code == 404, (method, path)
        assert getattr(http, method)(path, json=body, headers=region).status_code == 403
    # Admins read every connector but change none: that is the LA's to do.
    assert admin_client.patch(f"/api/v1/connectors/{westminster}",
                              json={"enabled": False}).status_code == 403
    assert admin_client.post(f"/api/v1/connectors/{westminster}/pulls",
                             json={}).status_code == 403
    assert stored(app, westminster).enabled


def test_the_la_disables_and_re_enables_its_connector(app, la_client, simulator,
                                                      allow_loopback, register):
    connector_id = register(simulator.simulator.credentials[CITY])
    response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={"enabled": False})
    assert response.status_code == 200 and response.json["health"] == "disabled"
    response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={"enabled": True})
    assert response.status_code == 200 and response.json["enabled"]


def test_an_update_that_fails_the_check_keeps_the_old_details(app, la_client, simulator,
                                                               allow_loopback, register):
    connector_id = register(simulator.simulator.credentials[CITY])
    before = stored(app, connector_id)
    response = la_client.patch(f"/api/v1/connectors/{connector_id}",
                               json={"client_secret": "wrong"})
    assert response.status_code == 422
    after = stored(app, connector_id)
    assert after.client_secret == before.client_secret and after.updated_at == before.updated_at


def test_an_empty_update_is_refused(la_client, simulator, allow_loopback, register):
    connector_id = register(simulator.simulator.credentials[CITY])
    response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={})
    assert response.status_code == 422


def test_a_jwks_url_dripping_bytes_holds_an_update_no_longer_than_the_pull_timeout(
        make_app, simulator, register_client):
    app = make_app(pull_timeout=1.0)
    credentials = simulator.simulator.credentials[CITY]
    _allow(app, simulator.base_url)
    client = app.test_client()
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        auth=_secret_of(app, CITY)).json["access_token"]
    created = client.post("/api/v1/connectors", json=body_of(credentials),
                          headers=bearer(token))
    assert created.status_code == 201, created.json
    jwks = json.dumps(credentials.jwks).encode()
    with dripping_body(jwks, interval=0.1) as server:
        _allow(app, server.url)
        start = time.monotonic()
        response = client.patch(f"/api/v1/connectors/{created.json['id']}", headers=bearer(token),
                                json={"jwks_url": f"{server.url}/jwks.json",
                                      "client_secret": credentials.client_secret})
        assert time.monotonic() - start < 4.0, "cut off at HUB_PULL_TIMEOUT, not left to drip"
        assert not server.finished.is_set()
    assert response.status_code == 422, response.json
    assert response.json["errors"] == {"json": {"connector": ["timeout"]}}
    assert stored(app, created.json["id"]).jwks_url == credentials.jwks_url


def _allow(app, url: str) -> None:
    with app.extensions["hub.db"].session() as session:
        from hub.registry import service

        service.allow_host(session, service.Actor("test"), urlsplit(url).netloc, "tests")


def _secret_of(app, org: str) -> tuple[str, str]:
    with app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        created = create_client(session, org, "test", None)
        return created.client.client_id, created.client_secret


class _RecordingTokenEndpoint:
    """A token endpoint somewhere new, recording what reached it."""

    def __init__(self) -> None:
        from flask import Flask, request

        self.authorizations: list[str] = []
        self.app = Flask(__name__)

        @self.app.post("/oauth/token")
        def token():  # type: ignore[no-untyped-def]
            self.authorizations.append(request.headers.get("Authorization", ""))
            return {"error": "invalid_client"}, 401


@pytest.mark.parametrize("field", ["token_url", "base_url"])
def test_sending_credentials_to_a_new_place_needs_the_secret_again(
        app, la_client, simulator, allow_loopback, register, field):
    credentials = simulator.simulator.credentials[CITY]
    connector_id = register(credentials)
    before = stored(app, connector_id)
    elsewhere = _RecordingTokenEndpoint()
    with serving(elsewhere.app) as url:
        new = f"{url}/oauth/token" if field == "token_url" else f"{url}/la/{CITY}"
        response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={field: new})
        assert response.status_code == 400, response.json
        assert response.json["message"] == (
            f"Changing {field} sends the connector's credentials to a new place: send "
            "client_secret again in the same request.")
        assert response.json["errors"] == {"json": {"client_secret": [
            f"Required when {field} changes."]}}
        assert elsewhere.authorizations == [], "the stored secret never left for the new URL"
    after = stored(app, connector_id)
    assert getattr(after, field) == getattr(before, field)
    assert after.updated_at == before.updated_at


def test_a_new_token_url_with_the_secret_is_checked_and_kept(app, la_client, simulator,
                                                             allow_loopback, register):
    credentials = simulator.simulator.credentials[CITY]
    connector_id = register(credentials)
    moved = credentials.token_url + "?moved=1"
    response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={
        "token_url": moved, "client_secret": credentials.client_secret})
    assert response.status_code == 200, response.json
    assert stored(app, connector_id).token_url == moved


def test_the_jwks_url_alone_may_change_without_the_secret(app, la_client, simulator,
                                                          allow_loopback, register):
    # No credential goes to the JWKS URL; the check still proves the keys sign /datasets.
    credentials = simulator.simulator.credentials[CITY]
    connector_id = register(credentials)
    moved = credentials.jwks_url + "?moved=1"
    response = la_client.patch(f"/api/v1/connectors/{connector_id}", json={"jwks_url": moved})
    assert response.status_code == 200, response.json


def test_an_allowed_host_is_allowed_on_its_port_only(app, la_client, simulator, allow_loopback):
    # 127.0.0.1 is allowed on the simulator's port; another port of it is still refused
    # before any connection, so an LA cannot probe the host's ports.
    credentials = simulator.simulator.credentials[CITY]
    other = "http://127.0.0.1:9/c"
    message = _refused(app, la_client, body_of(credentials, base_url=other,
                                                 token_url=f"{other}/token"),
                       "forbidden_address")
    assert "loopback" in message

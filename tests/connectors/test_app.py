"""The connector service: token, datasets, signed extracts, JWKS; errors are JSON."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
import requests

from connectors.app import ConnectorSettings, create_app
from connectors.contract import parse_datasets, parse_extract
from connectors.extract import RecordsSource
from connectors.oauth import RegisteredClient, hash_secret, verify_secret
from connectors.signing import SIGNATURE_HEADER, SigningKey, verify_detached
from tests.connectors.conftest import HUB_ID, HUB_SECRET, LA, serving


def token(client: Any, auth: tuple[str, str] = (HUB_ID, HUB_SECRET), **data: str) -> Any:
    return client.post("/oauth/token", data={"grant_type": "client_credentials", **data},
                       auth=auth)


def bearer(client: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client).json['access_token']}"}


def test_token_then_extract_then_verify(client: Any, signing_key: SigningKey) -> None:
    issued = token(client)
    assert issued.status_code == 200
    assert issued.json["token_type"] == "Bearer" and issued.json["expires_in"] == 60
    assert issued.json["scope"] == "extracts:read"
    response = client.get("/extracts/workforce/2024-Q1",
                          headers={"Authorization": f"Bearer {issued.json['access_token']}"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    jwks = client.get("/.well-known/jwks.json").json
    verify_detached(response.data, response.headers[SIGNATURE_HEADER], jwks)
    extract = parse_extract(response.data)
    assert (extract.la_code, extract.period) == (LA, "2024-Q1")
    assert jwks == signing_key.public_jwks()


def test_datasets_lists_the_periods_and_is_signed(client: Any, signing_key: SigningKey) -> None:
    response = client.get("/datasets", headers=bearer(client))
    verify_detached(response.data, response.headers[SIGNATURE_HEADER],
                    signing_key.public_jwks())
    assert parse_datasets(response.data).datasets == {"workforce": ("2024-Q1",)}


@pytest.mark.parametrize(("auth", "data", "status", "error"), [
    ((HUB_ID, "wrong-secret"), {}, 401, "invalid_client"),
    (("someone-else", HUB_SECRET), {}, 401, "invalid_client"),
    ((HUB_ID, HUB_SECRET), {"scope": "admin"}, 400, "invalid_scope"),
    ((HUB_ID, HUB_SECRET), {"grant_type": "password"}, 400, "unsupported_grant_type"),
], ids=["wrong secret", "unknown client", "unknown scope", "other grant"])
def test_token_failures_carry_the_oauth_error(client: Any, auth: tuple[str, str],
                                              data: dict[str, str], status: int,
                                              error: str) -> None:
    response = token(client, auth, **data)
    assert response.status_code == status
    assert response.json["error"] == error


def test_client_secret_post_is_not_accepted(client: Any) -> None:
    response = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                                 "client_id": HUB_ID,
                                                 "client_secret": HUB_SECRET})
    assert response.status_code == 401 and response.json["error"] == "invalid_client"


@pytest.mark.parametrize(("headers", "error"), [
    ({}, "missing_authorization"),
    ({"Authorization": "Bearer not-a-token"}, "invalid_token"),
    ({"Authorization": "Basic " + base64.b64encode(b"hub:x").decode()},
     "unsupported_token_type"),
], ids=["no token", "unknown token", "basic auth"])
def test_extracts_need_a_bearer_token(client: Any, headers: dict[str, str],
                                      error: str) -> None:
    response = client.get("/extracts/workforce/2024-Q1", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == error
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_an_expired_token_is_refused(app: Any, client: Any, monkeypatch: Any) -> None:
    headers = bearer(client)
    real = time.time
    monkeypatch.setattr("connectors.oauth.time.time", lambda: real() + 61)
    response = client.get("/extracts/workforce/2024-Q1", headers=headers)
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


def test_revoked_tokens_are_refused(app: Any, client: Any) -> None:
    headers = bearer(client)
    app.config["TOKEN_STORE"].revoke_all()
    response = client.get("/extracts/workforce/2024-Q1", headers=headers)
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


@pytest.mark.parametrize(("path", "message"), [
    ("/extracts/fostering/2024-Q1", "unknown dataset"),
    ("/extracts/workforce/2024-Q2", "no extract for that period"),
    ("/extracts/workforce/2024Q1", "no extract for that period"),
    ("/nowhere", "The requested URL was not found"),
])
def test_unknown_things_are_json_404s(client: Any, path: str, message: str) -> None:
    response = client.get(path, headers=bearer(client))
    assert response.status_code == 404
    assert response.json["code"] == 404 and response.json["status"] == "Not Found"
    assert response.json["message"].startswith(message)


def test_wrong_methods_are_json_405s(client: Any) -> None:
    response = client.delete("/datasets")
    assert response.status_code == 405 and response.json["code"] == 405
    assert "GET" in response.headers["Allow"]


def test_secrets_are_hashed_with_a_salt() -> None:
    first, second = hash_secret(HUB_SECRET), hash_secret(HUB_SECRET)
    assert first != second and HUB_SECRET not in first
    assert verify_secret(HUB_SECRET, first) and not verify_secret("guess", first)
    assert not verify_secret(HUB_SECRET, "plain$text") and not verify_secret(HUB_SECRET, "")


def test_the_service_end_to_end_over_a_real_socket(source: RecordsSource,
                                                   signing_key: SigningKey) -> None:
    app = create_app(ConnectorSettings(LA, source, signing_key,
                                       (RegisteredClient(HUB_ID, hash_secret(HUB_SECRET)),)))
    with serving(app) as base:
        issued = requests.post(f"{base}/oauth/token", auth=(HUB_ID, HUB_SECRET),
                               data={"grant_type": "client_credentials"}, timeout=2)
        assert issued.status_code == 200
        response = requests.get(f"{base}/extracts/workforce/2024-Q1", timeout=2, headers={
            "Authorization": f"Bearer {issued.json()['access_token']}"})
        jwks = requests.get(f"{base}/.well-known/jwks.json", timeout=2).json()
    verify_detached(response.content, response.headers[SIGNATURE_HEADER], jwks)
    assert parse_extract(response.content).components["permanent_fte"] == pytest.approx(2.8)

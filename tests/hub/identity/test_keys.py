"""Signing keys: published as JWKS, rotated by a command, old key kept while its tokens live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from joserfc import jwt
from sqlalchemy import update

from hub.identity.models import SigningKey
from tests.conftest import bearer


def _kid(token: str) -> str:
    from joserfc.jws import extract_compact

    return str(extract_compact(token.encode()).headers()["kid"])


def test_metadata_describes_the_server(client):
    meta = client.get("/.well-known/oauth-authorization-server").json
    assert meta["issuer"] == "http://127.0.0.1:5000"
    assert meta["token_endpoint"] == "http://127.0.0.1:5000/oauth/token"
    assert meta["jwks_uri"] == "http://127.0.0.1:5000/.well-known/jwks.json"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "private_key_jwt"}
    assert "benchmarks:read" in meta["scopes_supported"]


def test_tokens_verify_against_the_published_jwks(client, issue_token):
    token = issue_token("E09000001")
    jwks = client.get("/.well-known/jwks.json").json
    assert all("d" not in key for key in jwks["keys"]), "no private key material is published"
    from joserfc.jwk import KeySet

    assert jwt.decode(token, KeySet.import_key_set(jwks)).claims["org"] == "E09000001"


def test_rotation_keeps_the_old_key_until_its_tokens_expire(app, runner_for, issue_token):
    old_token = issue_token("E09000001")
    result = runner_for(app).invoke(args=["keys", "rotate-signing"])
    assert result.exit_code == 0, result.output
    new_token = issue_token("E09000001")
    assert _kid(new_token) != _kid(old_token)
    http = app.test_client()
    kids = {k["kid"] for k in http.get("/.well-known/jwks.json").json["keys"]}
    assert {_kid(old_token), _kid(new_token)} <= kids
    assert http.get("/api/v1/regions", headers=bearer(old_token)).status_code == 200
    # Once the old key has been retired for longer than a token lives, it is unpublished.
    with app.extensions["hub.db"].session() as session:
        session.execute(update(SigningKey).where(SigningKey.kid == _kid(old_token)).values(
            retired_at=datetime.now(UTC) - timedelta(hours=1)))
    app.extensions["hub.identity"].keys.invalidate()
    kids = {k["kid"] for k in http.get("/.well-known/jwks.json").json["keys"]}
    assert kids == {_kid(new_token)}
    assert http.get("/api/v1/regions", headers=bearer(old_token)).status_code == 401


def test_private_keys_are_encrypted_at_rest(app, issue_token):
    issue_token("E09000001")
    with app.extensions["hub.db"].session() as session:
        stored = session.query(SigningKey).one().private_key
    assert b"PRIVATE KEY" not in stored
    assert b"PRIVATE KEY" in app.extensions["hub.secret_box"].decrypt(stored)

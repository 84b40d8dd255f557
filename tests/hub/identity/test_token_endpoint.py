"""The token endpoint: client credentials with client_secret_basic and private_key_jwt."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.conftest import bearer
from tests.hub.identity.conftest import token_response


def _key_pair() -> tuple[ECKey, dict]:
    key = ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:8]})
    return key, {"keys": [key.as_dict(private=False)]}


def _assertion(key: ECKey, client_id: str, audience: str, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now,
              "exp": now + 60, "jti": uuid.uuid4().hex, **overrides}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _assertion_request(client, assertion: str):
    return client.post("/oauth/token", data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion})


def test_a_secret_client_gets_a_jwt_access_token(app, register_client):
    registered = register_client("E09000001", ["benchmarks:read"])
    response = token_response(app.test_client(), registered)
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    assert body["scope"] == "benchmarks:read"
    token = jwt.decode(body["access_token"], app.extensions["hub.identity"].keys
                       .verification_keys())
    assert token.header["typ"] == "at+jwt" and token.header["alg"] == "ES256"
    assert token.header["kid"]
    claims = token.claims
    assert claims["iss"] == "http://127.0.0.1:5000"
    assert claims["aud"] == "http://127.0.0.1:5000/api/v1"
    assert claims["sub"] == registered.client_id and claims["org"] == "E09000001"
    assert claims["exp"] - claims["iat"] == 600 and claims["jti"]


def test_the_lifetime_is_configurable(make_app, register_client):
    app = make_app(token_lifetime=120)
    with app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        created = create_client(session, "NARE", "n", None)
    response = app.test_client().post("/oauth/token", data={"grant_type": "client_credentials"},
                                      auth=(created.client.client_id, created.client_secret))
    assert response.json["expires_in"] == 120


def test_requested_scope_is_narrowed_to_what_was_asked(app, register_client):
    registered = register_client("E09000001")
    response = token_response(app.test_client(), registered, scope="policies:read")
    assert response.json["scope"] == "policies:read"


@pytest.mark.parametrize("scope", ["national:read", "clients:admin", "no-such:scope"])
def test_a_scope_the_client_does_not_hold_is_invalid_scope(app, register_client, scope):
    registered = register_client("E09000001")
    response = token_response(app.test_client(), registered, scope=scope)
    assert response.status_code == 400 and response.json["error"] == "invalid_scope"


def test_wrong_secret_and_unknown_client_look_the_same(app, register_client):
    registered = register_client("E09000001")
    client = app.test_client()
    wrong = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(registered.client_id, "not-the-secret"))
    unknown = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=("e09000001-0000000000000000", "whatever"))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"] == "invalid_client"
    assert wrong.json["error_description"] == "Client authentication failed."


def test_an_unsupported_grant_is_refused(app, register_client):
    registered = register_client("E09000001")
    response = app.test_client().post("/oauth/token", data={"grant_type": "password"},
                                      auth=(registered.client_id, registered.client_secret))
    assert response.status_code == 400
    assert response.json["error"] == "unsupported_grant_type"


def test_private_key_jwt_client_gets_a_token(app, register_client):
    key, jwks = _key_pair()
    registered = register_client("E12000007", ["benchmarks:read"], jwks=jwks)
    response = _assertion_request(app.test_client(), _assertion(
        key, registered.client_id, "http://127.0.0.1:5000/oauth/token"))
    assert response.status_code == 200, response.json
    assert response.json["scope"] == "benchmarks:read"


@pytest.mark.parametrize("case", ["replayed", "wrong_audience", "expired", "other_key",
                                  "long_lived", "alg_none", "secret_instead"])
def test_bad_assertions_are_invalid_client(redis_app, case):
    key, jwks = _key_pair()
    with redis_app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        client_id = create_client(session, "E12000007", "r", None, jwks).client.client_id
    audience = "http://127.0.0.1:5000/oauth/token"
    http = redis_app.test_client()
    now = int(time.time())
    if case == "replayed":
        assertion = _assertion(key, client_id, audience)
        assert _assertion_request(http, assertion).status_code == 200
    elif case == "wrong_audience":
        assertion = _assertion(key, client_id, "https://elsewhere.example/token")
    elif case == "expired":
        assertion = _assertion(key, client_id, audience, iat=now - 600, exp=now - 300)
    elif case == "other_key":
        other, _ = _key_pair()
        assertion = _assertion(other, client_id, audience)
    elif case == "long_lived":
        assertion = _assertion(key, client_id, audience, exp=now + 7200)
    elif case == "alg_none":
        import base64
        import json

        def b64(data: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now,
                  "exp": now + 60, "jti": "x"}
        assertion = f"{b64({'alg': 'none'})}.{b64(claims)}."
    else:
        response = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(client_id, "guess"))
        assert response.status_code == 401 and response.json["error"] == "invalid_client"
        return
    response = _assertion_request(http, assertion)
    assert response.status_code in (400, 401)
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == "Client authentication failed."


def test_standard_clients_obtain_tokens_and_call_the_api(live_hub, register_client):
    app, base = live_hub
    # A secret client through authlib's OAuth2Session.
    secret_client = register_client("E09000001")
    session = OAuth2Session(secret_client.client_id, secret_client.client_secret,
                            token_endpoint_auth_method="client_secret_basic")
    session.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
    assert session.get(f"{base}/api/v1/regions", timeout=10).status_code == 200
    session.close()
    # A private_key_jwt client through OAuth2Session's RFC 7523 auth.
    key, jwks = _key_pair()
    key_client = register_client("NARE", jwks=jwks)
    auth_method = PrivateKeyJWT(f"{base}/oauth/token", alg="ES256", headers={"kid": key.kid})
    session = OAuth2Session(key_client.client_id, key, token_endpoint_auth_method=auth_method)
    token = session.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    session.close()
    # And plain requests.
    response = requests.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(secret_client.client_id, secret_client.client_secret),
                             timeout=10)
    api = requests.get(f"{base}/api/v1/authorities/E09000001",
                       headers=bearer(response.json()["access_token"]), timeout=10)
    assert api.status_code == 200 and api.json()["name"] == "City of London"


class _CountingHasher:
    """Argon2 as the hub uses it, counting verifications: each costs ~the same time."""

    def __init__(self, hasher) -> None:
        self._hasher, self.verifications = hasher, 0

    def verify(self, stored: str, secret: str) -> bool:
        self.verifications += 1
        return self._hasher.verify(stored, secret)

    def __getattr__(self, name: str):
        return getattr(self._hasher, name)


@pytest.mark.parametrize("who", ["wrong_secret", "unknown_id", "disabled_id", "key_client_id"])
@pytest.mark.parametrize("endpoint", ["/oauth/token", "/oauth/revoke"])
def test_every_refused_secret_costs_one_argon2_verification(app, register_client, monkeypatch,
                                                            who, endpoint):
    # An unknown id answered without hashing took ~15 ms against ~290 ms for a real one with a
    # wrong secret, telling which ids exist; now every refusal hashes once.
    from hub.identity import passwords
    from hub.identity.service import disable_client

    registered = register_client("E09000001")
    client_id = {"wrong_secret": registered.client_id,
                 "unknown_id": "e09000001-0000000000000000",
                 "disabled_id": registered.client_id,
                 "key_client_id": register_client("E09000001", jwks=_key_pair()[1]).client_id,
                 }[who]
    if who == "disabled_id":
        with app.extensions["hub.db"].session() as session:
            disable_client(session, client_id, app.extensions["hub.identity"].spent, 600)
    counting = _CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    response = app.test_client().post(endpoint, data={"grant_type": "client_credentials",
                                                      "token": "x"},
                                      auth=(client_id, "not-the-secret"))
    assert response.status_code == 401
    assert response.json["error_description"] == "Client authentication failed."
    assert counting.verifications == 1

"""The token endpoint's rate limits, per client and per address, shared through Redis."""

from __future__ import annotations

import pytest

from tests.hub.identity.conftest import token_response


def test_per_client_limit_gives_429_with_retry_after(make_app, redis_url, register_client):
    app = make_app(redis_url=redis_url, token_rate_per_client="2/minute")
    with app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        created = create_client(session, "E09000001", "limited", None)
    http = app.test_client()

    def ask():
        return http.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(created.client.client_id, created.client_secret))

    assert [ask().status_code for _ in range(2)] == [200, 200]
    refused = ask()
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["code"] == 429 and refused.json["message"]


def test_the_limit_is_shared_by_processes_through_redis(make_app, redis_url):
    # Two app instances stand for two gunicorn workers: they share one Redis.
    first = make_app(redis_url=redis_url, token_rate_per_address="3/minute")
    second = make_app(redis_url=redis_url, token_rate_per_address="3/minute")
    statuses = [hub.test_client().post("/oauth/token", data={"grant_type": "x"}).status_code
                for hub in (first, second, first, second)]
    assert statuses[:3] == [400, 400, 400] and statuses[3] == 429


def test_per_address_limit_counts_unknown_clients_too(make_app):
    app = make_app(token_rate_per_address="2/minute")
    http = app.test_client()
    statuses = [http.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(f"nobody-{i}", "x")).status_code for i in range(3)]
    assert statuses == [401, 401, 429]


def test_a_limited_client_does_not_limit_another(make_app, redis_url, register_client):
    app = make_app(redis_url=redis_url, token_rate_per_client="1/minute")
    with app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        one = create_client(session, "E09000001", "one", None)
        two = create_client(session, "E09000002", "two", None)
    http = app.test_client()
    for created in (one, one):
        token_response(http, type("R", (), {"client_id": created.client.client_id,
                                             "client_secret": created.client_secret}))
    other = token_response(http, type("R", (), {"client_id": two.client.client_id,
                                                 "client_secret": two.client_secret}))
    assert other.status_code == 200


def _new_client(app, org: str = "E09000001"):
    with app.extensions["hub.db"].session() as session:
        from hub.identity.service import create_client

        created = create_client(session, org, "victim", None)
        return created.client.client_id, created.client_secret


def _from(app, address: str):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return http


@pytest.mark.parametrize("claim", ["basic", "form"])
def test_nobody_can_lock_a_client_out_by_sending_its_id(make_app, redis_url, claim):
    app = make_app(redis_url=redis_url, token_rate_per_client="3/minute")
    client_id, secret = _new_client(app)
    attacker = _from(app, "192.0.2.66")
    for _ in range(31):
        if claim == "basic":
            response = attacker.post("/oauth/token", data={"grant_type": "client_credentials"},
                                     auth=(client_id, "guessed"))
        else:
            response = attacker.post("/oauth/token", data={
                "grant_type": "client_credentials", "client_id": client_id,
                "client_secret": "guessed"})
        assert response.status_code in (401, 429)
    victim = _from(app, "198.51.100.7")
    response = victim.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(client_id, secret))
    assert response.status_code == 200, response.json


def test_failed_authentications_are_limited_per_address(make_app, redis_url):
    app = make_app(redis_url=redis_url, token_failures_per_address="3/minute")
    client_id, secret = _new_client(app)
    guesser = _from(app, "192.0.2.66")

    def ask(http, password):
        return http.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, password))

    assert [ask(guesser, f"guess-{i}").status_code for i in range(3)] == [401, 401, 401]
    refused = ask(guesser, secret)  # even the right secret: this address is guessing
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert ask(_from(app, "198.51.100.7"), secret).status_code == 200


@pytest.mark.parametrize("endpoint", ["/oauth/revoke", "/oauth/introspect"])
def test_failed_authentications_at_other_endpoints_count_too(make_app, endpoint):
    app = make_app(token_failures_per_address="2/minute")
    client_id, secret = _new_client(app)
    guesser = _from(app, "192.0.2.66")
    statuses = [guesser.post(endpoint, data={"token": "x"}, auth=(client_id, "guess"))
                .status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    response = guesser.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(client_id, secret))
    assert response.status_code == 429


def test_the_per_client_limit_counts_only_the_clients_own_requests(make_app):
    app = make_app(token_rate_per_client="2/minute")
    client_id, secret = _new_client(app)
    http = _from(app, "198.51.100.7")
    statuses = [http.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

"""The token endpoint's rate limits, per client and per address, shared through Redis."""

from __future__ import annotations

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

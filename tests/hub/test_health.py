"""Liveness and readiness probes."""

from __future__ import annotations

import pytest


def test_healthz_says_the_process_is_alive(client):
    assert client.get("/healthz").json == {"status": "ok", "checks": {}}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok"}


def test_readyz_checks_redis_when_configured(make_app, redis_url):
    client = make_app(redis_url=redis_url).test_client()
    assert client.get("/readyz").json["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize(("change", "message"), [
    ({"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/hub"},
     "The database is not reachable."),
    ({"redis_url": "redis://127.0.0.1:1/0"}, "Redis is not reachable."),
])
def test_readyz_answers_503_with_the_reason(make_app, change, message):
    client = make_app(**change).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"code": 503, "status": "Service Unavailable", "message": message}

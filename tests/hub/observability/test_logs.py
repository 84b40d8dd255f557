"""Structured logs and request ids."""

from __future__ import annotations

import json
import logging

import pytest

from hub.observability.context import set_request_id
from hub.observability.logs import JsonFormatter


def test_a_valid_request_id_is_echoed_and_an_unsafe_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "abcdef12-3456"})
    assert kept.headers["X-Request-ID"] == "abcdef12-3456"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id; <script>" * 9})
    assert replaced.headers["X-Request-ID"] != "bad id"
    assert len(replaced.headers["X-Request-ID"]) == 16
    assert client.get("/healthz").headers["X-Request-ID"]


def test_every_response_has_a_request_id_even_errors(la_client):
    assert la_client.get("/api/v1/regions/nope").headers["X-Request-ID"]
    assert la_client.post("/api/v1/regions", data=b"x" * 2_000_000).headers["X-Request-ID"]


def test_json_lines_carry_the_request_id_and_extra_fields():
    token = set_request_id("req-12345678")
    record = logging.LogRecord("hub.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.duration_ms = 1.5
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /x" and entry["request_id"] == "req-12345678"
    assert entry["duration_ms"] == 1.5 and entry["level"] == "INFO"
    from hub.observability.context import reset_request_id

    reset_request_id(token)


@pytest.mark.parametrize("path", ["/api/v1/regions"])
def test_access_log_names_the_route_and_never_the_token(la_client, caplog, path):
    with caplog.at_level(logging.INFO, logger="hub.access"):
        la_client.get(path)
    record = next(r for r in caplog.records if r.name == "hub.access")
    assert record.route == "/api/v1/regions" and record.status == 200
    token = la_client.environ_base["HTTP_AUTHORIZATION"].split()[1]
    assert all(token not in r.getMessage() and token not in json.dumps(vars(r), default=str)
               for r in caplog.records)

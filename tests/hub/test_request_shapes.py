"""Requests the hub refuses before any view parses them: JSON nested too deep, URLs too long."""

from __future__ import annotations

import pytest

from hub.api import MAX_JSON_DEPTH, MAX_URL_LENGTH


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/v1/consents"),
    ("PATCH", "/api/v1/connectors/1"),
    ("POST", "/api/v1/connectors/1/pulls"),
    ("POST", "/api/v1/clients"),
    ("POST", "/api/v1/connectors"),
])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 50_000])
def test_deeply_nested_json_is_a_400_with_the_hubs_body(la_client, method, path, depth):
    body = '{"reason": ' + _nested(depth) + "}"
    response = la_client.open(path, method=method, data=body,
                              content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert response.json["code"] == 400
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in response.json["message"]


def test_json_within_the_depth_reaches_validation(la_client):
    body = '{"reason": ' + _nested(MAX_JSON_DEPTH - 1) + "}"
    response = la_client.post("/api/v1/consents", data=body, content_type="application/json")
    assert response.status_code == 422  # the schema's answer, not the depth limit's


def test_a_url_longer_than_the_limit_is_a_414_with_the_hubs_body(la_client):
    response = la_client.get("/api/v1/regions?pad=" + "x" * MAX_URL_LENGTH)
    assert response.status_code == 414
    assert response.json["code"] == 414
    assert f"longer than {MAX_URL_LENGTH} characters" in response.json["message"]


def test_a_url_within_the_limit_is_answered(la_client):
    assert la_client.get("/api/v1/regions?pad=" + "x" * 1000).status_code == 200

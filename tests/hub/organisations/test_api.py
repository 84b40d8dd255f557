"""The read-only organisations API, its pagination and its errors."""

from __future__ import annotations

import json

import pytest


def test_regions_lists_the_nine_regions_with_their_la_counts(la_client):
    response = la_client.get("/api/v1/regions")
    assert response.status_code == 200
    counts = {r["name"]: r["authority_count"] for r in response.json}
    assert len(counts) == 9 and counts["London"] == 33 and sum(counts.values()) == 153


def test_region_by_code_includes_its_authorities(la_client):
    response = la_client.get("/api/v1/regions/E12000001")
    assert response.status_code == 200
    assert response.json["name"] == "North East"
    assert len(response.json["authorities"]) == 12
    assert {a["region_code"] for a in response.json["authorities"]} == {"E12000001"}


def test_authorities_are_paginated(la_client):
    first = la_client.get("/api/v1/authorities?page_size=100")
    second = la_client.get("/api/v1/authorities?page_size=100&page=2")
    assert len(first.json) == 100 and len(second.json) == 53
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 153 and meta["total_pages"] == 2
    codes = {a["code"] for a in first.json + second.json}
    assert len(codes) == 153


def test_authorities_filtered_by_region(la_client):
    response = la_client.get("/api/v1/authorities?region=E12000007&page_size=50")
    assert len(response.json) == 33
    assert json.loads(response.headers["X-Pagination"])["total"] == 33


def test_authority_by_code(la_client):
    response = la_client.get("/api/v1/authorities/E09000001")
    assert response.json == {"code": "E09000001", "dfe_code": "201", "name": "City of London",
                             "region_code": "E12000007"}


@pytest.mark.parametrize(("path", "message"), [
    ("/api/v1/regions/E12000099", "No region has the code 'E12000099'."),
    ("/api/v1/regions/E09000001", "No region has the code 'E09000001'."),
    ("/api/v1/authorities/E12000001", "No local authority has the code 'E12000001'."),
    ("/api/v1/authorities?region=E12000099", "No region has the code 'E12000099'."),
])
def test_unknown_codes_give_404_with_the_error_body(la_client, path, message):
    response = la_client.get(path)
    assert response.status_code == 404
    assert response.json == {"code": 404, "status": "Not Found", "message": message}


@pytest.mark.parametrize(("query", "field"), [
    ("page=abc", "page"),
    ("page=0", "page"),
    ("page_size=1000", "page_size"),
    ("region=London", "region"),
])
def test_malformed_query_parameters_give_422_naming_the_field(la_client, query, field):
    response = la_client.get(f"/api/v1/authorities?{query}")
    assert response.status_code == 422
    assert response.json["status"] == "Unprocessable Entity"
    assert field in response.json["errors"]["query"]
    assert f"query.{field}" in response.json["message"]


def test_unsupported_method_gives_405_with_allow(la_client):
    response = la_client.delete("/api/v1/regions")
    assert response.status_code == 405
    assert response.json["code"] == 405 and response.json["message"]
    assert "GET" in response.headers["Allow"]


def test_oversized_request_gives_413(la_client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = la_client.post("/api/v1/regions", data=b"x" * (limit + 1),
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json["status"] == "Request Entity Too Large"


def test_unknown_path_gives_404_json(la_client):
    response = la_client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json


def test_a_page_past_the_end_is_empty_even_when_huge(la_client):
    for page in (3, 2**62):
        response = la_client.get(f"/api/v1/authorities?page={page}&page_size=100")
        assert response.status_code == 200 and response.json == []


@pytest.mark.parametrize("path", ["/api/v1/authorities?region=%00", "/api/v1/regions/E12%0000001",
                                  "/api/v1/authorities/%00"])
def test_nul_characters_are_refused_not_passed_to_the_database(la_client, path):
    response = la_client.get(path)
    assert response.status_code in (400, 422)
    assert "NUL" in response.json["message"] or "region" in response.json.get("errors", {}).get(
        "query", {})


@pytest.mark.parametrize(("code", "found"), [
    ("E08000038", "E08000016"),  # Barnsley's code from 2024
    ("E08000039", "E08000019"),  # Sheffield's
    ("E10000023", "E06000065"),  # North Yorkshire before April 2023
    ("370", "E08000016"),  # DfE's three digits
    ("E09000001", "E09000001"),
])
def test_an_authority_is_found_by_any_code_dfe_has_used(la_client, code, found):
    response = la_client.get(f"/api/v1/authorities/{code}")
    assert response.status_code == 200 and response.json["code"] == found


def test_a_reorganised_authority_is_404_with_the_reorganisation(la_client):
    response = la_client.get("/api/v1/authorities/E10000006")
    assert response.status_code == 404
    assert response.json["message"].startswith(
        "Cumbria (E10000006) was split into Cumberland (E06000063) and Westmorland and "
        "Furness (E06000064) on 1 April 2023")
    assert la_client.get("/api/v1/authorities/999").json["message"] == \
        "No local authority has the code '999'."

"""`GET /api/v1/measures`: every catalogue measure with its definition, unit, sources, direction."""

from __future__ import annotations

from policies.measures import MEASURES


def test_every_measure_is_described(la_client):
    response = la_client.get("/api/v1/measures")
    assert response.status_code == 200
    body = {m["code"]: m for m in response.json}
    assert set(body) == set(MEASURES)
    turnover = body["turnover_rate"]
    assert turnover["unit"] == "percent" and turnover["kind"] == "rate"
    assert turnover["better"] == "lower"
    assert turnover["numerator"] == {"code": "leavers_12m_fte", "unit": "fte",
                                     "title": "Permanent leavers in the twelve months to the "
                                              "period's end (FTE)"}
    assert [c["code"] for c in turnover["denominator"]] == ["permanent_fte"]
    assert "twelve months" in turnover["definition"]
    assert "DfE leavers_fte, inpost_fte" in turnover["sources"]
    assert body["agency_conversions"]["better"] == "higher"
    assert body["permanent_fte"]["better"] == "neither"
    assert body["caseload"]["optional"] and body["agency_rate"]["breakdowns"] == ["role"]
    assert all(m["definition"] and m["sources"] for m in body.values())


def test_the_catalogue_needs_a_token(client):
    response = client.get("/api/v1/measures")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_route_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/measures"]["get"]
    assert operation["security"] == [{"hubOAuth": []}]
    assert "Measure" in spec["components"]["schemas"]

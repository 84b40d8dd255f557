"""The agreements API: what is in force, one region's, and every version; 404s."""

from __future__ import annotations

from tests.hub.agreements.conftest import LONDON


def test_the_app_starts_with_no_agreement_and_lists_none(client, la_client):
    assert la_client.get("/api/v1/agreements").json == []
    response = la_client.get(f"/api/v1/agreements/{LONDON}")
    assert response.status_code == 404
    assert response.json["message"] == "No agreement is in force for 'E12000007'."
    assert la_client.get(f"/api/v1/agreements/{LONDON}/versions").status_code == 404


def test_every_organisation_lists_the_agreements_in_force(loaded_app, la_client):
    listed = la_client.get("/api/v1/agreements")
    assert listed.status_code == 200
    assert sorted(a["region"] for a in listed.json) == sorted(
        ["E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006",
         LONDON, "E12000008", "E12000009", "national"])
    assert "source_text" not in listed.json[0]


def test_one_region_in_force_with_its_text(loaded_app, la_client):
    london = la_client.get(f"/api/v1/agreements/{LONDON}")
    assert london.status_code == 200
    assert london.json["version"] == 3 and london.json["file_name"] == "london.yaml"
    assert london.json["source_text"].startswith("# The London Pledge")
    assert len(london.json["sha256"]) == 64
    national = la_client.get("/api/v1/agreements/national")
    assert national.status_code == 200 and national.json["region"] == "national"


def test_versions_and_unknown_regions(loaded_app, la_client):
    versions = la_client.get(f"/api/v1/agreements/{LONDON}/versions")
    assert [(v["version"], v["status"]) for v in versions.json] == [(3, "in_force")]
    assert la_client.get("/api/v1/agreements/E12000099").status_code == 404
    assert la_client.get("/api/v1/agreements/E12000099/versions").status_code == 404


def test_reading_agreements_needs_a_token(loaded_app, client):
    assert client.get("/api/v1/agreements").status_code == 401

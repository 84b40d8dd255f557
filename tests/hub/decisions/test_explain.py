"""`GET /api/v1/policies/explain`: a decision and its clauses, for oneself or (admins) anyone."""

from __future__ import annotations

from sqlalchemy import select

from hub.audit.models import AuditEvent

CITY, BARKING, LONDON = "E09000001", "E09000002", "E12000007"
CITY_FIGURE = f"measure=agency_rate&grain=la&region={LONDON}&la={CITY}"


def test_an_la_explains_its_own_decision(as_org, loaded_app):
    response = as_org(BARKING).get(f"/api/v1/policies/explain?{CITY_FIGURE}")
    assert response.status_code == 200, response.json
    decision = response.json
    assert decision["permit"] is True and decision["audience"] == "region_parties"
    assert decision["agreements"] == ["E12000007 v3"]
    assert decision["clauses"][0]["id"].startswith("E12000007 v3 permission")
    assert decision["rules"]["min_cell_count"] >= 2
    with loaded_app.extensions["hub.db"].session() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "policy.explain")).one()
        assert event.org_code == BARKING
        assert event.details["subject"]["org_code"] == BARKING
        assert event.details["permit"] is True


def test_only_admins_explain_others(as_org):
    refused = as_org(BARKING).get(f"/api/v1/policies/explain?org={CITY}&{CITY_FIGURE}")
    assert refused.status_code == 403
    assert as_org(LONDON).get(f"/api/v1/policies/explain?org={CITY}&{CITY_FIGURE}"
                              ).status_code == 403
    own = as_org(BARKING).get(f"/api/v1/policies/explain?org={BARKING}&{CITY_FIGURE}")
    assert own.status_code == 200
    admin = as_org("HUB-ADMIN").get(f"/api/v1/policies/explain?org={BARKING}&{CITY_FIGURE}")
    assert admin.json == own.json


def test_an_admin_explaining_itself_is_told_admins_read_no_data(as_org):
    response = as_org("HUB-ADMIN").get(f"/api/v1/policies/explain?{CITY_FIGURE}")
    assert response.status_code == 200
    assert response.json["permit"] is False and response.json["clauses"][0]["id"] == "admin"


def test_unknown_organisations_and_bad_queries(as_org):
    admin = as_org("HUB-ADMIN")
    assert admin.get(f"/api/v1/policies/explain?org=E09999999&{CITY_FIGURE}"
                     ).status_code == 404
    bad = admin.get("/api/v1/policies/explain?measure=nothing&grain=la")
    assert bad.status_code == 422 and "measure" in bad.json["errors"]["query"]
    assert admin.get("/api/v1/policies/explain?measure=agency_rate").status_code == 422


def test_with_no_agreement_everything_is_denied(app, issue_token):
    client = app.test_client()
    response = client.get(f"/api/v1/policies/explain?{CITY_FIGURE}",
                          headers={"Authorization": f"Bearer {issue_token(BARKING)}"})
    assert response.status_code == 200
    assert response.json["permit"] is False
    assert response.json["clauses"][0]["id"] == "default-deny"

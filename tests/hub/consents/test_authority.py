"""Who may withhold, suspend and revoke: each rule, and every cross-organisation attempt (BOLA)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent

CITY, BARKING, LONDON = "E09000001", "E09000002", "E12000007"
DURHAM, NORTH_EAST = "E06000047", "E12000001"


def withhold(org: str, **extra: object) -> dict[str, object]:
    return {"kind": "withhold", "org_code": org, "audience": "other_regions",
            "measure": "agency_rate", "reason": "board decision", **extra}


def suspend(org: str) -> dict[str, object]:
    return {"kind": "suspend", "org_code": org, "reason": "agreement not signed"}


@pytest.mark.parametrize(("caller", "body"), [
    (CITY, withhold(CITY)),  # an LA withholds its own data
    (LONDON, withhold(CITY)),  # a region for its own LA
    (LONDON, suspend(CITY)),  # a region suspends its own LA
    ("HUB-ADMIN", withhold(DURHAM)),
    ("HUB-ADMIN", suspend(NORTH_EAST)),
    ("HUB-ADMIN", suspend("NARE")),
])
def test_allowed_changes_are_created_as_version_1_and_audited(as_org, loaded_app, caller,
                                                               body):
    response = as_org(caller).post("/api/v1/consents", json=body)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["version"] == 1 and created["kind"] == body["kind"]
    assert created["org_code"] == body["org_code"] and created["revoked_at"] is None
    assert created["author_org"] == caller and created["reason"] == body["reason"]
    with loaded_app.extensions["hub.db"].session() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "consent.create")).one()
        assert event.target == f"consent:{created['id']}" and event.org_code == caller
        assert event.actor == created["author"]


@pytest.mark.parametrize(("caller", "body", "message"), [
    (CITY, withhold(BARKING), "A local authority may withhold only its own data."),
    (CITY, suspend(CITY), "Only a region's or the hub's administrators may suspend a party."),
    (CITY, suspend(BARKING), "Only a region's or the hub's administrators may suspend a party."),
    (LONDON, withhold(DURHAM), "Region E12000007 may act only for its own local authorities."),
    (LONDON, suspend(DURHAM), "Region E12000007 may act only for its own local authorities."),
    (LONDON, suspend(NORTH_EAST), "Region E12000007 may act only for its own local "
                                  "authorities."),
    (LONDON, suspend(LONDON), "Region E12000007 may act only for its own local authorities."),
])
def test_cross_organisation_changes_are_forbidden(as_org, caller, body, message):
    response = as_org(caller).post("/api/v1/consents", json=body)
    assert response.status_code == 403
    assert response.json["message"] == message


def test_nare_holds_no_consent_scope(as_org):
    assert as_org("NARE").post("/api/v1/consents", json=suspend(CITY)).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({**withhold(CITY), "audience": None}, "audience"),
    ({**withhold(CITY), "audience": "self"}, "audience"),
    ({**suspend(CITY), "audience": "nare"}, "audience"),
    ({**withhold(CITY), "measure": "no_such_measure"}, "measure"),
    ({**withhold(CITY), "reason": "  "}, "reason"),
    ({**withhold(CITY), "kind": "delete"}, "kind"),
    ({**withhold(CITY), "effective_at": "2030-01-01T00:00:00"}, "effective_at"),
    ({**withhold(CITY), "effective_at": "2020-01-01T00:00:00Z"}, "effective_at"),
    (withhold(LONDON), "org_code"),
    (withhold("E09999999"), "org_code"),
    (suspend("HUB-ADMIN"), "org_code"),
])
def test_invalid_bodies_get_422_naming_the_field(as_org, body, field):
    response = as_org("HUB-ADMIN").post("/api/v1/consents", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]


def test_revocation_is_a_new_version_by_the_same_authority(as_org, loaded_app):
    created = as_org(CITY).post("/api/v1/consents", json=withhold(CITY)).json
    path = f"/api/v1/consents/{created['id']}"
    assert as_org(BARKING).post(f"{path}/revoke", json={"reason": "x"}).status_code == 403
    assert as_org(DURHAM).post(f"{path}/revoke", json={"reason": "x"}).status_code == 403
    assert as_org(NORTH_EAST).post(f"{path}/revoke", json={"reason": "x"}).status_code == 403

    revoked = as_org(CITY).post(f"{path}/revoke", json={"reason": "board changed its mind"})

    assert revoked.status_code == 200
    assert revoked.json["version"] == 2 and revoked.json["revoked_at"] is not None
    assert revoked.json["reason"] == "board changed its mind"
    again = as_org(LONDON).post(f"{path}/revoke", json={"reason": "again"})
    assert again.status_code == 409
    versions = as_org(CITY).get(f"{path}/versions").json
    assert [(v["version"], v["revoked_at"] is None) for v in versions] == [(1, True), (2, False)]
    with loaded_app.extensions["hub.db"].session() as session:
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("consent.%")).order_by(AuditEvent.id)).all()[-2:] \
            == ["consent.create", "consent.revoke"]


def test_an_la_cannot_revoke_its_own_suspension(as_org):
    created = as_org(LONDON).post("/api/v1/consents", json=suspend(CITY)).json
    response = as_org(CITY).post(f"/api/v1/consents/{created['id']}/revoke",
                                 json={"reason": "we signed"})
    assert response.status_code == 403
    assert as_org("HUB-ADMIN").post(f"/api/v1/consents/{created['id']}/revoke",
                                    json={"reason": "signed"}).status_code == 200


def test_unknown_overrides_are_404(as_org):
    assert as_org(CITY).post("/api/v1/consents/w-nope/revoke",
                             json={"reason": "x"}).status_code == 404
    assert as_org(CITY).get("/api/v1/consents/w-nope/versions").status_code == 404


def test_each_organisation_sees_only_what_concerns_it(as_org):
    city = as_org(CITY).post("/api/v1/consents", json=withhold(CITY)).json["id"]
    durham = as_org(DURHAM).post("/api/v1/consents", json=withhold(DURHAM)).json["id"]
    barking = as_org(LONDON).post("/api/v1/consents", json=suspend(BARKING)).json["id"]

    def listed(org: str) -> set[str]:
        response = as_org(org).get("/api/v1/consents")
        assert response.status_code == 200
        return {c["id"] for c in response.json}

    assert listed(CITY) == {city}
    assert listed(BARKING) == {barking}
    assert listed(LONDON) == {city, barking}
    assert listed(NORTH_EAST) == {durham}
    assert listed("NARE") == set()
    assert listed("HUB-ADMIN") == {city, durham, barking}
    assert as_org(BARKING).get(f"/api/v1/consents/{city}/versions").status_code == 403
    assert as_org(NORTH_EAST).get(f"/api/v1/consents/{city}/versions").status_code == 403
    assert as_org(LONDON).get(f"/api/v1/consents/{city}/versions").status_code == 200


@pytest.mark.parametrize(("imposer", "body", "refused", "allowed"), [
    # A region's withholding of its LA: not the LA's to lift; the region's, or the admins'.
    (LONDON, withhold(CITY), [CITY], [LONDON, "HUB-ADMIN"]),
    # The administrators' withholding: neither the LA's nor its region's to lift.
    ("HUB-ADMIN", withhold(CITY), [CITY, LONDON], ["HUB-ADMIN"]),
    # The LA's own: the LA, or those above it.
    (CITY, withhold(CITY), [], [CITY, LONDON, "HUB-ADMIN"]),
])
def test_only_the_party_that_imposed_an_override_or_those_above_it_may_lift_it(
        as_org, imposer, body, refused, allowed):
    for caller in allowed:
        created = as_org(imposer).post("/api/v1/consents", json=body).json
        path = f"/api/v1/consents/{created['id']}"
        for other in refused:
            response = as_org(other).post(f"{path}/revoke", json={"reason": "we disagree"})
            assert response.status_code == 403, (other, response.json)
            assert response.json["message"] == (
                f"Override {created['id']} was imposed by {imposer}: only {imposer} or those "
                f"above it may revoke it.")
        assert as_org(caller).get(f"{path}/versions").json[-1]["revoked_at"] is None
        assert as_org(caller).post(f"{path}/revoke", json={"reason": "lifted"}).status_code \
            == 200, caller

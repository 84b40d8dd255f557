"""Consent changes take effect on the next request, in this process and in every other one."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.decisions import service
from hub.decisions.store import get_policy_store
from policies.decision import Resource
from tests.conftest import bearer

CITY, BARKING, LONDON = "E09000001", "E09000002", "E12000007"
EXPLAIN = f"/api/v1/policies/explain?measure=agency_rate&grain=la&region={LONDON}&la={CITY}"
WITHHOLD = {"kind": "withhold", "org_code": CITY, "audience": "region_parties",
            "measure": "agency_rate", "reason": "board decision"}


def test_a_withholding_flips_the_next_decision_and_a_revocation_flips_it_back(as_org):
    barking = as_org(BARKING)
    assert barking.get(EXPLAIN).json["permit"] is True
    created = as_org(CITY).post("/api/v1/consents", json=WITHHOLD).json

    denied = barking.get(EXPLAIN).json

    assert denied["permit"] is False
    assert denied["clauses"][0]["id"] == f"override {created['id']} v1 withhold"
    assert "board decision" in denied["reason"]
    as_org(CITY).post(f"/api/v1/consents/{created['id']}/revoke", json={"reason": "resumed"})
    assert barking.get(EXPLAIN).json["permit"] is True


def test_a_suspension_stops_the_party_reading(as_org):
    barking = as_org(BARKING)
    assert barking.get(EXPLAIN).json["permit"] is True
    as_org(LONDON).post("/api/v1/consents", json={
        "kind": "suspend", "org_code": BARKING, "reason": "left the pledge"})
    assert "suspended" in barking.get(EXPLAIN).json["reason"]


@pytest.mark.parametrize("with_redis", [False, True], ids=["embedded", "redis"])
def test_another_app_instance_sees_a_change_on_its_next_request(
        make_app, load_into, issue_token, request, with_redis):
    changes = {"redis_url": request.getfixturevalue("redis_url")} if with_redis else {}
    first, second = make_app(**changes), make_app(**changes)
    load_into(first)
    reader = second.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(BARKING)}"
    assert reader.get(EXPLAIN).json["permit"] is True  # the second app has compiled

    response = first.test_client().post("/api/v1/consents", json=WITHHOLD,
                                        headers=bearer(issue_token(CITY)))

    assert response.status_code == 201
    assert reader.get(EXPLAIN).json["permit"] is False


def test_every_deny_on_a_request_path_is_audited(loaded_app):
    with loaded_app.app_context(), loaded_app.extensions["hub.db"].session() as session:
        policy_set = get_policy_store().current()
        subject = service.subject_for(session, BARKING)
        permit = service.decide(session, policy_set, subject,
                                Resource("agency_rate", "la", LONDON, CITY),
                                actor="client-1", actor_org=BARKING)
        deny = service.decide(session, policy_set, subject,
                              Resource("agency_rate", "own", LONDON, CITY),
                              actor="client-1", actor_org=BARKING)
    assert permit.permit and not deny.permit
    with loaded_app.extensions["hub.db"].session() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "policy.deny")).one()
        assert event.target == "agency_rate@own" and event.actor == "client-1"
        assert event.details["reason"] == deny.reason


def test_a_change_is_seen_even_when_redis_loses_the_epoch(make_app, load_into, issue_token,
                                                           redis_url):
    first, second = make_app(redis_url=redis_url), make_app(redis_url=redis_url)
    load_into(first)
    reader = second.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(BARKING)}"
    assert reader.get(EXPLAIN).json["permit"] is True
    first.test_client().post("/api/v1/consents", json=WITHHOLD,
                             headers=bearer(issue_token(CITY)))

    redis.Redis.from_url(redis_url).flushdb()  # a Redis restarted without persistence

    assert reader.get(EXPLAIN).json["permit"] is False

"""The audit log API: administrators only, filters, exports that can be re-verified."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hub.audit.service import GENESIS, chain_hash, record
from tests.conftest import bearer


@pytest.fixture
def events(app):
    with app.extensions["hub.db"].session() as session:
        for n in range(3):
            record(session, actor=f"client-{n}", org_code="E09000001", action="consent.create",
                   target=f"w-{n}", details={"n": n})
        record(session, actor="cli:root", action="agreement.load", target="E12000007")


def test_admins_read_events_filtered_by_action_prefix_and_actor(admin_client, events):
    consents = admin_client.get("/api/v1/audit?action=consent.&page_size=100")
    assert consents.status_code == 200
    assert [e["target"] for e in consents.json if e["action"] == "consent.create"] == [
        "w-0", "w-1", "w-2"]
    one = admin_client.get("/api/v1/audit?actor=client-1").json
    assert [e["target"] for e in one] == ["w-1"]
    assert admin_client.get("/api/v1/audit?action=consent").json == []  # exact, not a prefix


def test_reading_the_log_is_itself_audited(admin_client, events):
    admin_client.get("/api/v1/audit?org=E09000001")
    reads = admin_client.get("/api/v1/audit?action=audit.read").json
    assert {"org": "E09000001"} in [r["details"] for r in reads]
    assert all(r["org_code"] == "HUB-ADMIN" for r in reads)


@pytest.mark.parametrize("org", ["E09000001", "E12000007", "NARE"])
def test_no_one_but_administrators_reads_the_log(app, issue_token, org):
    response = app.test_client().get("/api/v1/audit", headers=bearer(issue_token(org)))
    assert response.status_code == 403


def test_an_admin_without_audit_read_gets_403(app, issue_token):
    token = issue_token("HUB-ADMIN", ["clients:admin"])
    assert app.test_client().get("/api/v1/audit", headers=bearer(token)).status_code == 403


def test_the_jsonl_export_re_verifies_off_the_hub(admin_client, events):
    response = admin_client.get("/api/v1/audit/export")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in response.text.splitlines()]
    previous = GENESIS
    for row in rows:
        assert row["prev_hash"] == previous
        previous = row["hash"]
    assert len({r["hash"] for r in rows}) == len(rows) >= 4


def test_the_csv_export_has_a_header_and_every_event(admin_client, events):
    response = admin_client.get("/api/v1/audit/export?format=csv&action=consent.")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["target"] for r in rows] == ["w-0", "w-1", "w-2"]
    assert json.loads(rows[0]["details"]) == {"n": 0}


@pytest.mark.parametrize("query", ["since=yesterday", "format=xml", "until=2026-01-01T00:00:00"])
def test_bad_filters_give_422(admin_client, query):
    path = "/api/v1/audit/export" if "format" in query else "/api/v1/audit"
    assert admin_client.get(f"{path}?{query}").status_code == 422


def test_chain_hash_is_what_the_export_carries(app, events):
    from hub.audit.models import AuditEvent

    with app.extensions["hub.db"].session() as session:
        first = session.query(AuditEvent).order_by(AuditEvent.id).first()
        assert chain_hash(GENESIS, first) == first.hash

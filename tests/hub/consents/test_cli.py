"""`hub consents`: an operator withholds, suspends and revokes with the admins' authority."""

from __future__ import annotations

import json

from sqlalchemy import select

from hub.audit.models import AuditEvent


def test_suspend_list_and_revoke(loaded_app, runner_for):
    runner = runner_for(loaded_app)
    suspended = runner.invoke(args=["consents", "suspend", "E09000001", "--reason", "unsigned"])
    assert suspended.exit_code == 0, suspended.output
    created = json.loads(suspended.output)
    assert created["kind"] == "suspend" and created["author"].startswith("cli:")
    revoked = runner.invoke(args=["consents", "revoke", created["id"], "--reason", "signed"])
    assert revoked.exit_code == 0 and json.loads(revoked.output)["version"] == 2
    listed = json.loads(runner.invoke(args=["consents", "list"]).output)
    assert [(c["id"], c["version"]) for c in listed] == [(created["id"], 1), (created["id"], 2)]
    with loaded_app.extensions["hub.db"].session() as session:
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("consent.%")).order_by(AuditEvent.id)).all() == [
            "consent.create", "consent.revoke"]


def test_withhold_and_refusals(loaded_app, runner_for):
    runner = runner_for(loaded_app)
    ok = runner.invoke(args=["consents", "withhold", "E09000001", "--audience", "nare",
                             "--reason", "board"])
    assert ok.exit_code == 0 and json.loads(ok.output)["measure"] is None
    region = runner.invoke(args=["consents", "withhold", "E12000007", "--audience", "nare",
                                 "--reason", "board"])
    assert region.exit_code == 1
    assert "Only a local authority's data can be withheld." in region.output
    unknown = runner.invoke(args=["consents", "revoke", "w-nope", "--reason", "x"])
    assert unknown.exit_code == 1

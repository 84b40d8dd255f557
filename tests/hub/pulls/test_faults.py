"""Real misbehaving connectors on loopback: each fault is a recorded failure, nothing lost."""

from __future__ import annotations

import time

import pytest

from tests.connectors.test_client import SECRET
from tests.hub.pulls.conftest import PERIOD, add_connector, attempts, revisions
from tests.hub.registry.conftest import stored as stored_connector

FAULTS = [
    ("slow", "timeout", "did not answer in time"),
    ("error_500", "server_error", "HTTP 500"),
    ("rate_limited", "rate_limited", "HTTP 429"),
    ("oversized", "oversized", "larger than 65536 bytes"),
    ("invalid_json", "contract_violation", "not valid JSON"),
    ("html", "not_json", "not application/json"),
    ("unsigned", "unsigned", "no X-JWS-Signature"),
    ("tampered", "bad_signature", "does not match the body"),
    ("other_key", "bad_signature", "unknown kid"),
    ("wrong_la", "wrong_la", "E09000002, not E09000001"),
    ("wrong_period", "wrong_period", "2023-Q4, not workforce 2024-Q1"),
    ("redirect", "redirect", "HTTP 302"),
    ("revoked", "credentials_refused", "HTTP 401"),
    ("expired", "credentials_refused", "HTTP 401"),
]


@pytest.mark.parametrize(("mode", "code", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_fault_is_recorded_and_what_was_stored_is_kept(app, puller, fake, connector_id,
                                                         mode, code, reason):
    first = puller.pull(connector_id, "workforce", PERIOD)
    assert first.outcome == "ingested" and first.revision == 1
    stored = revisions(app)
    fake.mode = mode
    fake.components = {**fake.components, "mou_breaches": 3}  # what a good pull would store
    started = time.monotonic()
    result = puller.pull(connector_id, "workforce", PERIOD)
    assert time.monotonic() - started < 4
    assert (result.outcome, result.error_code) == ("failed", code)
    assert reason in result.reason and SECRET not in result.reason
    assert revisions(app) == stored, "nothing stored before is lost or changed"
    last = attempts(app)[-1]
    assert (last.outcome, last.error_code, last.reason) == ("failed", code, result.reason)
    row = stored_connector(app, connector_id)
    assert (row.last_outcome, row.last_error) == ("failed", code)


def test_a_private_address_is_refused_at_pull_time(app, puller, fake):
    connector_id = add_connector(app, "http://192.168.7.7:8080/c", fake.key.public_jwks())
    started = time.monotonic()
    result = puller.pull(connector_id, "workforce", PERIOD)
    assert time.monotonic() - started < 1
    assert (result.outcome, result.error_code) == ("failed", "forbidden_address")
    assert "private" in result.reason and revisions(app) == []


def test_a_host_removed_from_the_allow_list_is_refused(app, puller, connector_id, runner_for):
    result = runner_for(app).invoke(args=["connectors", "disallow-host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    outcome = puller.pull(connector_id, "workforce", PERIOD)
    assert (outcome.outcome, outcome.error_code) == ("failed", "forbidden_address")


def test_a_disabled_connector_is_not_pulled(app, puller, fake, connector_id, la_client):
    assert la_client.patch(f"/api/v1/connectors/{connector_id}",
                           json={"enabled": False}).status_code == 200
    result = puller.pull(connector_id, "workforce", PERIOD)
    assert (result.outcome, result.error_code) == ("failed", "disabled")
    assert fake.token_requests == 0


def test_transient_failures_raise_until_the_last_attempt(puller, fake, connector_id):
    from hub.pulls.service import Transient

    fake.mode = "error_500"
    with pytest.raises(Transient) as info:
        puller.pull(connector_id, "workforce", PERIOD, final=False)
    assert info.value.error.code == "server_error"

"""`hub pull`, `hub connectors import`, `hub keys rotate`, and the pulls routes."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet

from hub.identity.models import SigningKey
from tests.hub.pulls.conftest import CITY, PERIOD, attempts
from tests.hub.registry.conftest import WESTMINSTER, stored


def test_hub_pull_refreshes_with_a_summary_table(app, runner_for, simulator, allow_loopback,
                                                 register):
    for code in (CITY, WESTMINSTER):
        register(simulator.simulator.credentials[code])
    result = runner_for(app).invoke(args=["pull", "--period", "2024-Q3"])
    assert result.exit_code == 0, result.output
    assert "ingested       2" in result.output
    result = runner_for(app).invoke(args=["pull", "--region", "E12000007"])
    assert "unchanged      0" not in result.output and result.exit_code == 0
    assert {a.period for a in attempts(app)} == {"2024-Q3", "2024-Q4"}


def test_hub_pull_lists_each_failure_and_exits_non_zero(app, runner_for, fake, connector_id):
    fake.mode = "wrong_la"
    result = runner_for(app).invoke(args=["pull", "--period", PERIOD])
    assert result.exit_code == 1
    assert "failed         1" in result.output
    assert f"{CITY}  {PERIOD}  failed    wrong_la" in result.output


def test_hub_pull_refuses_a_bad_period(app, runner_for):
    result = runner_for(app).invoke(args=["pull", "--period", "2024-Q5"])
    assert result.exit_code == 2 and "not a period" in result.output


def test_connectors_import_is_idempotent(app, runner_for, simulator, allow_loopback, tmp_path):
    path = tmp_path / "connectors.json"
    simulator.simulator.write_credentials(path)
    first = runner_for(app).invoke(args=["connectors", "import", str(path)])
    assert first.output.strip() == "connectors: 2 registered, 0 updated, 0 unchanged"
    again = runner_for(app).invoke(args=["connectors", "import", str(path)])
    assert again.output.strip() == "connectors: 0 registered, 0 updated, 2 unchanged"


def test_keys_rotate_re_encrypts_every_secret_under_the_newest_key(
        make_app, app, runner_for, connector_id, issue_token):
    issue_token(CITY)  # a signing key exists
    old_keys = app.config["HUB_SETTINGS"].encryption_keys
    new_key = Fernet.generate_key().decode()
    rotated = make_app(encryption_keys=(new_key, *old_keys))
    result = runner_for(rotated).invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"connector_secrets": 1, "signing_keys": 1}
    only_new = Fernet(new_key)
    assert only_new.decrypt(stored(app, connector_id).client_secret)
    with app.extensions["hub.db"].session() as session:
        assert only_new.decrypt(session.query(SigningKey).one().private_key)
    # With the old keys gone, the hub still pulls and signs.
    latest = make_app(encryption_keys=(new_key,))
    assert latest.extensions["hub.pulls"].puller.pull(
        connector_id, "workforce", PERIOD).outcome == "ingested"


def test_keys_rotate_changes_nothing_when_a_secret_cannot_be_opened(make_app, app, runner_for,
                                                                   connector_id):
    before = stored(app, connector_id).client_secret
    stranger = make_app(encryption_keys=(Fernet.generate_key().decode(),))
    result = runner_for(stranger).invoke(args=["keys", "rotate"])
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert stored(app, connector_id).client_secret == before


def test_the_la_and_admins_read_a_connectors_pulls(app, la_client, admin_client, puller, fake,
                                                   connector_id):
    puller.pull(connector_id, "workforce", PERIOD)
    fake.mode = "other_key"
    puller.pull(connector_id, "workforce", PERIOD)
    for client in (la_client, admin_client):
        response = client.get(f"/api/v1/connectors/{connector_id}/pulls")
        assert response.status_code == 200
        assert [(p["outcome"], p["error_code"]) for p in response.json] == [
            ("failed", "bad_signature"), ("ingested", None)]
        assert json.loads(response.headers["X-Pagination"])["total"] == 2
    health = admin_client.get("/api/v1/connectors").json[0]
    assert (health["health"], health["last_outcome"], health["last_error"]) == (
        "failing", "failed", "bad_signature")


def test_the_la_asks_for_a_pull_now(app, la_client, connector_id):
    response = la_client.post(f"/api/v1/connectors/{connector_id}/pulls",
                              json={"period": PERIOD})
    assert response.status_code == 202
    assert response.json["period"] == PERIOD and response.json["dataset"] == "workforce"
    app.extensions["hub.pulls"].queue.wait()
    assert [a.outcome for a in attempts(app)] == ["ingested"]

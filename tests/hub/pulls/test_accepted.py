"""A pull accepted with 202 is recorded at once, and always ends with its outcome and reason."""

from __future__ import annotations

import pytest

from hub.pulls.jobs import pull_job, resume_unfinished
from hub.pulls.service import accept
from tests.hub.pulls.conftest import PERIOD, attempts


def test_an_accepted_pull_is_recorded_before_it_runs_and_completed_by_its_job(
        app, la_client, fake, connector_id):
    fake.mode = "stall"  # the job waits on the connector: its attempt is there all the same
    response = la_client.post(f"/api/v1/connectors/{connector_id}/pulls",
                              json={"period": PERIOD})
    assert response.status_code == 202
    assert fake.stalled.wait(10)
    [queued] = la_client.get(f"/api/v1/connectors/{connector_id}/pulls").json
    assert (queued["id"], queued["outcome"], queued["finished_at"]) == (
        response.json["attempt_id"], "queued", None)
    fake.release.set()
    app.extensions["hub.pulls"].queue.wait()
    [done] = la_client.get(f"/api/v1/connectors/{connector_id}/pulls").json
    assert (done["id"], done["outcome"]) == (queued["id"], "ingested")
    assert done["finished_at"] is not None


def test_a_restart_queues_again_the_pulls_no_job_finished(app, connector_id):
    database = app.extensions["hub.db"]
    with database.session() as session:
        accepted = accept(session, connector_id, "workforce", PERIOD).id
    with app.app_context():
        assert resume_unfinished(app.extensions["hub.pulls"]) == 1
    app.extensions["hub.pulls"].queue.wait()
    [attempt] = attempts(app)
    assert (attempt.id, attempt.outcome) == (accepted, "ingested")
    with app.app_context():
        assert resume_unfinished(app.extensions["hub.pulls"]) == 0


def test_a_transient_failure_says_retrying_then_the_last_try_says_why(app, fake, connector_id):
    fake.mode = "error_500"
    database = app.extensions["hub.db"]
    with database.session() as session:
        accepted = accept(session, connector_id, "workforce", PERIOD).id
    with app.app_context():
        pull_job(connector_id, "workforce", PERIOD, 1, "test", accepted)
    [attempt] = attempts(app)
    assert (attempt.outcome, attempt.finished_at) == ("retrying", None)
    assert attempt.error_code
    app.extensions["hub.pulls"].queue.stop()  # the retry queued with a backoff is not awaited
    with app.app_context():
        pull_job(connector_id, "workforce", PERIOD, 3, "test", accepted)  # the last try
    [attempt] = attempts(app)
    assert attempt.id == accepted and attempt.outcome == "failed"
    assert attempt.reason and attempt.finished_at is not None


def test_a_job_that_breaks_closes_its_attempt_with_the_reason(app, connector_id):
    database = app.extensions["hub.db"]
    with database.session() as session:
        accepted = accept(session, connector_id, "workforce", PERIOD).id
    with app.app_context(), pytest.raises(LookupError):
        # The connector is gone by the time the job runs: an error no pull outcome covers.
        pull_job(connector_id + 1000, "workforce", PERIOD, 1, "test", accepted)
    [attempt] = attempts(app)
    assert (attempt.id, attempt.outcome, attempt.error_code) == (
        accepted, "failed", "internal_error")
    assert attempt.finished_at is not None and "LookupError" in attempt.reason

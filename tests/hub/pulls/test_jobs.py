"""Pull jobs in-process (embedded) and on rq with a real Redis: retries, refresh, tokens."""

from __future__ import annotations

import time

import pytest
import redis
from rq import Queue, SimpleWorker

from hub.pulls.jobs import enqueue_refresh, pull_job, queue_pull
from hub.pulls.models import PullAttempt
from hub.pulls.queue import QUEUE_NAME
from hub.pulls.refresh import MAX_BACKOFF, backoff
from tests.hub.pulls.conftest import PERIOD, add_connector, attempts, count, revisions


def _wait_for(app, attempts_wanted: int, seconds: float = 10) -> list[PullAttempt]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if count(app, PullAttempt) >= attempts_wanted:
            return attempts(app)
        time.sleep(0.05)
    raise AssertionError(f"no {attempts_wanted} pull attempts within {seconds} s")


def test_backoff_doubles_with_jitter_and_honours_retry_after():
    for attempt in (1, 2, 3):
        delays = [backoff(10, attempt) for _ in range(200)]
        assert 5 * 2 ** (attempt - 1) <= min(delays) < max(delays) <= 15 * 2 ** (attempt - 1)
    assert backoff(0.1, 1, retry_after=7) == 7
    assert backoff(10, 30) <= MAX_BACKOFF


def test_embedded_a_flapping_connector_is_retried_then_ingested(app, fake, connector_id):
    fake.mode = "flapping"
    with app.app_context():
        assert pull_job(connector_id, "workforce", PERIOD)["outcome"] == "retrying"
    [attempt] = _wait_for(app, 1)
    assert (attempt.outcome, attempt.attempts) == ("ingested", 2)
    assert len(revisions(app)) == 1


def test_embedded_a_connector_that_stays_down_is_recorded_after_the_last_retry(
        app, fake, connector_id):
    fake.mode = "error_500"
    with app.app_context():
        pull_job(connector_id, "workforce", PERIOD)
    [attempt] = _wait_for(app, 1)
    assert (attempt.outcome, attempt.error_code, attempt.attempts) == (
        "failed", "server_error", 3)  # the first try and HUB_PULL_RETRIES=2 retries


def test_embedded_refresh_runs_in_process(app, fake, connector_id):
    pulls = app.extensions["hub.pulls"]
    enqueue_refresh(pulls)
    pulls.queue.wait()
    assert [a.outcome for a in attempts(app)] == ["ingested"]


@pytest.fixture
def rq_app(make_app, redis_url):
    return make_app(redis_url=redis_url, pull_timeout=1.0, pull_retries=2, pull_backoff=0.05)


def _work(app, bursts: int = 1) -> None:
    connection = app.extensions["hub.redis"]
    with app.app_context():
        for _ in range(bursts):
            SimpleWorker([Queue(QUEUE_NAME, connection=connection)],
                         connection=connection).work(burst=True, with_scheduler=True)


def test_rq_refresh_pulls_every_enabled_connector(rq_app, fake, fake_url, allow_loopback):
    connector_id = add_connector(rq_app, fake_url, fake.key.public_jwks())
    enqueue_refresh(rq_app.extensions["hub.pulls"])
    _work(rq_app)
    assert [(a.connector_id, a.outcome) for a in attempts(rq_app)] == [
        (connector_id, "ingested")]


def test_rq_transient_failures_are_retried_after_a_backoff(rq_app, fake, fake_url,
                                                          allow_loopback):
    connector_id = add_connector(rq_app, fake_url, fake.key.public_jwks())
    fake.mode = "flapping"
    queue_pull(rq_app.extensions["hub.pulls"], connector_id, "workforce", PERIOD, "test")
    deadline = time.monotonic() + 20  # the retry waits in rq's scheduled registry first
    while not count(rq_app, PullAttempt) and time.monotonic() < deadline:
        _work(rq_app)
        time.sleep(0.1)
    [attempt] = attempts(rq_app)
    assert (attempt.outcome, attempt.attempts) == ("ingested", 2)


def test_tokens_are_shared_through_redis_encrypted(rq_app, fake, fake_url, allow_loopback):
    connector_id = add_connector(rq_app, fake_url, fake.key.public_jwks())
    puller = rq_app.extensions["hub.pulls"].puller
    puller.pull(connector_id, "workforce", PERIOD)
    puller.pull(connector_id, "workforce", PERIOD)
    assert fake.token_requests == 1
    connection = redis.Redis.from_url(rq_app.config["HUB_SETTINGS"].redis_url)
    [key] = connection.keys("hub:connector-token:*")
    assert b"token-1" not in connection.get(key), "bearer tokens are encrypted in Redis"
    assert 0 < connection.ttl(key) <= 60

"""A job logs under the request id of the request that queued it, in-process and on rq."""

from __future__ import annotations

import redis as redis_lib
from rq import Queue

from hub.observability.context import current_request_id, reset_request_id, set_request_id
from hub.pulls.queue import EmbeddedJobQueue, HubWorker, RqJobQueue
from tests.conftest import REDIS_URL


def remember_request_id(key: str) -> None:
    """The job under test: writes the request id it runs under to Redis."""
    redis_lib.Redis.from_url(REDIS_URL).set(key, current_request_id() or "none")


def test_an_embedded_job_runs_under_the_queuing_request_id(app, redis_url):
    queue = EmbeddedJobQueue(app, workers=1)
    token = set_request_id("req-embedded-1")
    try:
        queue.enqueue(remember_request_id, "rid:embedded")
    finally:
        reset_request_id(token)
    queue.wait()
    assert redis_lib.Redis.from_url(redis_url).get("rid:embedded") == b"req-embedded-1"


def test_an_rq_job_runs_under_the_queuing_request_id(redis_url):
    connection = redis_lib.Redis.from_url(redis_url)
    queue = RqJobQueue(connection)
    token = set_request_id("req-rq-0001")
    try:
        queue.enqueue(remember_request_id, "rid:rq")
    finally:
        reset_request_id(token)
    HubWorker([Queue(queue.queue.name, connection=connection)],
              connection=connection).work(burst=True)
    assert connection.get("rid:rq") == b"req-rq-0001"

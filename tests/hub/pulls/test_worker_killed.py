"""A worker killed with SIGKILL mid-pull leaves no partial extract; rq runs the job again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from rq.registry import StartedJobRegistry

from hub.pulls.jobs import queue_pull
from hub.pulls.models import PullAttempt
from hub.pulls.queue import QUEUE_NAME
from tests.hub.pulls.conftest import PERIOD, add_connector, attempts, count, revisions


def _worker(app, database_url: str, redis_url: str) -> subprocess.Popen[bytes]:
    settings = app.config["HUB_SETTINGS"]
    env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": database_url,
           "HUB_REDIS_URL": redis_url, "HUB_SECRET_KEY": "test",
           "HUB_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
           "HUB_PULL_TIMEOUT": "30", "HUB_LOG_LEVEL": "WARNING"}
    hub = Path(sys.executable).parent / "hub"
    # A session of its own, so the worker and the process it forks per job die together.
    return subprocess.Popen([str(hub), "jobs", "worker"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
@pytest.mark.postgres
@pytest.mark.redis
def test_sigkill_mid_pull_leaves_nothing_partial_and_the_retry_completes_once(
        make_app, database_url, redis_url, fake, fake_url, allow_loopback):
    app = make_app(redis_url=redis_url)
    connector_id = add_connector(app, fake_url, fake.key.public_jwks())
    puller = app.extensions["hub.pulls"].puller
    assert puller.pull(connector_id, "workforce", PERIOD).revision == 1
    before = revisions(app)
    fake.components = {**fake.components, "mou_breaches": 4}
    fake.mode = "stall"
    queue_pull(app.extensions["hub.pulls"], connector_id, "workforce", PERIOD, "test")

    worker = _worker(app, database_url, redis_url)
    try:
        assert fake.stalled.wait(30), "the worker started the pull"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    fake.release.set()
    assert revisions(app) == before and count(app, PullAttempt) == 1, "nothing partial"

    connection = app.extensions["hub.redis"]
    queue = Queue(QUEUE_NAME, connection=connection)
    registry = StartedJobRegistry(queue=queue)
    # As rq's maintenance does once the dead worker's heartbeat has lapsed.
    registry.cleanup(timestamp=time.time() + 86400)
    fake.mode = "ok"
    deadline = time.monotonic() + 30
    with app.app_context():
        while count(app, PullAttempt) < 2 and time.monotonic() < deadline:
            SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=True)
            time.sleep(0.2)
    assert [r[0] for r in revisions(app)] == [1, 2] and revisions(app)[0] == before[0]
    assert [(a.outcome, a.revision) for a in attempts(app)] == [("ingested", 1),
                                                                ("ingested", 2)]

"""Redis restarted in the middle of a refresh: the refresh completes, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis as redis_lib
from sqlalchemy import func, select

from connectors.simulator import start_simulator
from hub.pulls.jobs import enqueue_refresh
from hub.pulls.models import ExtractRevision
from hub.registry import service as registry
from hub.registry.cli import import_connectors

PERIOD = "2024-Q4"
CONNECTORS = 24


class PrivateRedis:
    """A Redis of this test's own on loopback, persisting to disk as a production one should."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the machine's redis-server
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis_lib.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis_lib.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file, then exits
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _extracts(app) -> tuple[int, int, int]:
    with app.extensions["hub.db"].session() as session:
        return session.execute(select(func.count(), func.count(
            ExtractRevision.la_code.distinct()), func.max(ExtractRevision.revision)).where(
            ExtractRevision.period == PERIOD)).one()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_refresh_survives_a_redis_restart(make_app, database_url, private_redis):
    app = make_app(redis_url=private_redis.url, pull_concurrency=2)
    from connectors.simrecords import profiles

    simulator = start_simulator(7, "127.0.0.1", 0, la_codes=sorted(profiles())[:CONNECTORS])
    try:
        with app.app_context():
            with app.extensions["hub.db"].session() as session:
                registry.allow_host(session, registry.Actor("test"),
                                    urlsplit(simulator.base_url).netloc, "simulator")
            entries = [vars(c) for c in simulator.simulator.credentials.values()]
            assert import_connectors(entries)["registered"] == CONNECTORS
            enqueue_refresh(app.extensions["hub.pulls"], periods=[PERIOD])
        settings = app.config["HUB_SETTINGS"]
        env = {**os.environ, "HUB_ENV": "test", "HUB_DATABASE_URL": database_url,
               "HUB_REDIS_URL": private_redis.url, "HUB_SECRET_KEY": "test",
               "HUB_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
               "HUB_PULL_CONCURRENCY": "2", "HUB_LOG_LEVEL": "WARNING"}
        worker = subprocess.Popen(  # noqa: S603 - the hub's own command
            [str(Path(sys.executable).parent / "hub"), "jobs", "worker"], env=env,
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while _extracts(app)[0] < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert 3 <= _extracts(app)[0] < CONNECTORS, "restart while the refresh is running"
            private_redis.stop()
            time.sleep(1)
            private_redis.start()
            deadline = time.monotonic() + 120
            while _extracts(app)[0] < CONNECTORS and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:  # a warm shutdown waits for a job in hand
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
    finally:
        simulator.stop()
    rows, las, highest = _extracts(app)
    assert (rows, las, highest) == (CONNECTORS, CONNECTORS, 1), "nothing lost, nothing doubled"

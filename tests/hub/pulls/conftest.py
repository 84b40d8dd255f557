"""Pull fixtures: a misbehaving connector on loopback registered for the City of London."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, Response
from sqlalchemy import func, select

from connectors.contract import build_extract, extract_to_json
from connectors.signing import generate_signing_key
from hub.pulls.models import ExtractRevision, PullAttempt
from hub.pulls.queue import EmbeddedJobQueue
from hub.registry.models import Connector
from tests.connectors.conftest import serving
from tests.connectors.test_client import SECRET, FakeConnector
from tests.connectors.test_contract import COMPONENTS
from tests.hub.registry.conftest import (  # noqa: F401 - fixtures shared with the registry
    CITY,
    allow_loopback,
    register,
    simulator,
)

PERIOD = "2024-Q1"


class HubFake(FakeConnector):
    """The connector tests' fake, with figures that can change and credentials that can lapse."""

    def __init__(self) -> None:
        super().__init__(generate_signing_key(), generate_signing_key())
        self.components: dict[str, float] = dict(COMPONENTS)
        self.generated = datetime(2024, 4, 10, 12, 0, tzinfo=UTC)
        self.requests = 0
        self.stalled, self.release = threading.Event(), threading.Event()
        self.app.get("/jwks")(lambda: self.key.public_jwks())

    def body(self, la: str = CITY, period: str = PERIOD) -> bytes:
        return extract_to_json(build_extract(la, period, self.components, {}, self.generated))

    def token(self) -> Response:
        if self.mode == "expired":
            return Response('{"error":"invalid_client"}', 401, mimetype="application/json")
        return super().token()

    def extract(self, dataset: str, period: str) -> Response:
        self.requests += 1
        if self.mode == "expired":
            return Response('{"error":"invalid_token"}', 401, mimetype="application/json")
        if self.mode == "flapping" and self.requests % 2 == 1:
            return Response('{"message":"down"}', 500, mimetype="application/json")
        if self.mode == "stall":
            self.stalled.set()
            self.release.wait(20)
        return super().extract(dataset, period)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """A hub with short pull deadlines and quick retries, so faults show within a second."""
    hub = make_app(pull_timeout=1.0, pull_max_bytes=64 * 1024, pull_retries=2,
                   pull_backoff=0.05)
    yield hub
    # In-process jobs (pulls, and the recomputes landing extracts queue) finish before the
    # test's database is dropped.
    for extension in hub.extensions.values():
        queue = getattr(extension, "queue", None)
        if isinstance(queue, EmbeddedJobQueue):
            queue.wait()


@pytest.fixture
def fake() -> HubFake:
    return HubFake()


@pytest.fixture
def fake_url(fake: HubFake) -> Iterator[str]:
    with serving(fake.app) as url:
        yield url


def add_connector(app: Flask, base_url: str, jwks: dict[str, Any], la_code: str = CITY,
                  client_id: str = "hub", secret: str = SECRET) -> int:
    """A connector row as registration would leave it (the check is the registry's tests')."""
    box = app.extensions["hub.secret_box"]
    now = datetime.now(UTC)
    with app.extensions["hub.db"].session() as session:
        connector = Connector(la_code=la_code, base_url=base_url,
                              token_url=f"{base_url}/oauth/token", jwks_url=f"{base_url}/jwks",
                              jwks=jwks, client_id=client_id,
                              client_secret=box.encrypt(secret.encode()), enabled=True,
                              created_at=now, updated_at=now)
        session.add(connector)
        session.flush()
        return connector.id


@pytest.fixture
def connector_id(app: Flask, fake: HubFake, fake_url: str,
                 allow_loopback: None) -> int:  # noqa: F811 - the fixture, imported above
    return add_connector(app, fake_url, fake.key.public_jwks())


@pytest.fixture
def puller(app: Flask) -> Any:
    return app.extensions["hub.pulls"].puller


def revisions(app: Flask) -> list[tuple[int, str, bytes]]:
    """Every stored revision: number, body digest, body."""
    with app.extensions["hub.db"].session() as session:
        return [(r.revision, r.sha256, r.body) for r in session.scalars(
            select(ExtractRevision).order_by(ExtractRevision.id))]


def attempts(app: Flask) -> list[PullAttempt]:
    with app.extensions["hub.db"].session() as session:
        return list(session.scalars(select(PullAttempt).order_by(PullAttempt.id)))


def count(app: Flask, model: type) -> int:
    with app.extensions["hub.db"].session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

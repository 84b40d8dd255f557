"""Registry fixtures: simulated connectors on loopback, the loopback allow-listed, registration."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from connectors.simulator import ConnectorCredentials, RunningSimulator, start_simulator
from hub.registry import service
from hub.registry.checks import ConnectorDetails
from hub.registry.models import Connector
from hub.registry.urls import policy_for

CITY, WESTMINSTER = "E09000001", "E09000033"


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """Simulated connectors of two London LAs on an ephemeral loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    running = start_simulator(seed=7, la_codes=[CITY, WESTMINSTER], token_ttl=60)
    yield running
    running.stop()


@pytest.fixture
def allow_loopback(app: Flask, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Admins have allowed 127.0.0.1 on the port of this test's simulator or fake connector,
    as the demo allows its simulator's; call it with a URL to allow another port."""

    def allow(url: str) -> None:
        with app.extensions["hub.db"].session() as session:
            service.allow_host(session, service.Actor("test"), urlsplit(url).netloc, "tests")

    if "simulator" in request.fixturenames:
        allow(request.getfixturevalue("simulator").base_url)
    if "fake_url" in request.fixturenames:
        allow(request.getfixturevalue("fake_url"))
    return allow


def body_of(credentials: ConnectorCredentials, **changes: Any) -> dict[str, Any]:
    """The registration body for a simulated connector's credentials."""
    return {"base_url": credentials.base_url, "token_url": credentials.token_url,
            "jwks_url": credentials.jwks_url, "client_id": credentials.client_id,
            "client_secret": credentials.client_secret, **changes}


@pytest.fixture
def register(app: Flask) -> Callable[..., int]:
    """Registers a simulated connector straight through the service; returns its id."""

    def run(credentials: ConnectorCredentials, **changes: Any) -> int:
        with app.extensions["hub.db"].session() as session:
            connector = service.register(
                session, app.extensions["hub.secret_box"],
                policy_for(app.config["HUB_SETTINGS"]), service.Actor("test"),
                ConnectorDetails(la_code=credentials.la_code, **body_of(credentials, **changes)))
            return connector.id

    return run


def stored(app: Flask, connector_id: int) -> Connector | None:
    with app.extensions["hub.db"].session() as session:
        return session.get(Connector, connector_id)

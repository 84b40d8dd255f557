"""Identity fixtures: a hub with Redis behind it, served for real on loopback."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server


@pytest.fixture
def redis_app(make_app: Callable[..., Flask], redis_url: str) -> Flask:
    """The hub with Redis for replay, revocation and rate-limit state."""
    return make_app(redis_url=redis_url)


@pytest.fixture
def live_hub(make_app: Callable[..., Flask], redis_url: str) -> Iterator[tuple[Flask, str]]:
    """The hub served over real HTTP on an ephemeral loopback port, issuer = its own URL."""
    server = make_server("127.0.0.1", 0, Flask(__name__), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = make_app(redis_url=redis_url, issuer=base)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base
    server.shutdown()
    thread.join(5)


def token_response(client: Any, registered: Any, **form: str) -> Any:
    return client.post("/oauth/token", data={"grant_type": "client_credentials", **form},
                       auth=(registered.client_id, registered.client_secret))

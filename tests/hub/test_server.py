"""A hub served by several workers binds with SO_REUSEPORT: a second one on the same port must
fail at once with a message, not share the port silently."""

from __future__ import annotations

import socket

import click
import pytest

from hub.server import refuse_if_taken


@pytest.fixture
def listening() -> socket.socket:
    """A server on a free port, bound as several gunicorn workers bind (SO_REUSEPORT)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server
    server.close()


def test_a_port_a_hub_already_serves_is_refused_with_a_message(listening):
    port = listening.getsockname()[1]
    with pytest.raises(click.ClickException, match=f"127.0.0.1:{port} is already in use"):
        refuse_if_taken("127.0.0.1", port)


def test_a_free_port_is_not(listening):
    port = listening.getsockname()[1]
    listening.close()
    refuse_if_taken("127.0.0.1", port)

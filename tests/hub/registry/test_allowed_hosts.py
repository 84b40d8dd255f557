"""The connector host allow-list: entries are HOST:PORT, through the service and the command."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.errors import InvalidInput, NotFound
from hub.registry import service
from hub.registry.models import AllowedHost


def _entries(app) -> list[str]:
    with app.extensions["hub.db"].session() as session:
        return service.allowed_hosts(session)


@pytest.mark.parametrize(("given", "entry"), [
    ("connector.example.org:8443", "connector.example.org:8443"),
    ("Connector.Example.ORG.:443", "connector.example.org:443"),
    ("127.0.0.1:5100", "127.0.0.1:5100"),
    ("[::1]:8080", "[::1]:8080"),
])
def test_an_entry_is_a_host_and_a_port(app, given, entry):
    with app.extensions["hub.db"].session() as session:
        service.allow_host(session, service.Actor("test"), given, "tests")
    assert _entries(app) == [entry]


@pytest.mark.parametrize(("given", "message"), [
    ("connector.example.org", "Give the port too: connector.example.org:PORT"),
    ("127.0.0.1", "Give the port too: 127.0.0.1:PORT"),
    ("connector.example.org:0", "is not HOST:PORT"),
    ("connector.example.org:70000", "is not HOST:PORT"),
    ("connector.example.org:https", "is not HOST:PORT"),
    ("user@connector.example.org:443", "is not HOST:PORT"),
])
def test_an_entry_without_a_valid_port_is_refused(app, given, message):
    with app.extensions["hub.db"].session() as session, \
            pytest.raises(InvalidInput, match=message):
        service.allow_host(session, service.Actor("test"), given, "tests")
    assert _entries(app) == []


def test_the_command_needs_the_port_and_lists_entries_with_it(app, runner_for):
    runner = runner_for(app)
    refused = runner.invoke(args=["connectors", "allow-host", "127.0.0.1", "--reason", "r"])
    assert refused.exit_code == 2 and "Give the port too" in refused.output
    for port in ("5100", "5101"):
        result = runner.invoke(args=["connectors", "allow-host", f"127.0.0.1:{port}",
                                     "--reason", "simulator"])
        assert result.exit_code == 0 and f"127.0.0.1:{port} allowed" in result.output
    listed = runner.invoke(args=["connectors", "hosts"]).output.splitlines()
    assert listed == ["127.0.0.1:5100\tsimulator", "127.0.0.1:5101\tsimulator"]
    one = runner.invoke(args=["connectors", "disallow-host", "127.0.0.1:5100"])
    assert one.exit_code == 0 and _entries(app) == ["127.0.0.1:5101"]
    every = runner.invoke(args=["connectors", "disallow-host", "127.0.0.1"])
    assert every.exit_code == 0 and _entries(app) == []
    assert runner.invoke(args=["connectors", "disallow-host", "127.0.0.1"]).exit_code == 1


def test_removing_an_entry_that_is_not_there_is_not_found(app):
    with app.extensions["hub.db"].session() as session, pytest.raises(NotFound):
        service.disallow_host(session, service.Actor("test"), "nowhere.example:443")
    with app.extensions["hub.db"].session() as session:
        assert session.scalars(select(AllowedHost)).all() == []

"""Embedded on SQLite: revocation state and the policy epoch cost no query per request, and a
change made by another process (a `hub` command beside the server) is refused from the next
request all the same."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from hub.decisions.store import get_policy_store
from tests.conftest import bearer
from tests.hub.agreements.conftest import load_into  # noqa: F401 -- fixture
from tests.hub.identity.conftest import token_response

ROUTE = "/api/v1/regions"
CITY, BARKING, LONDON = "E09000001", "E09000002", "E12000007"
EXPLAIN = f"/api/v1/policies/explain?measure=agency_rate&grain=la&region={LONDON}&la={CITY}"


@pytest.fixture
def backend() -> str:
    """The change counter lives beside an SQLite file; PostgreSQL is always asked."""
    return "sqlite"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The embedded hub, trusting what it keeps for an hour: only a count can make it re-read,
    however long the other process takes to start."""
    made = make_app()
    made.extensions["hub.changes"].max_age = 3600.0
    return made


@contextmanager
def _counting_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.extensions["hub.db"].engine

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _hub_command(app: Flask, tmp_path: Path, *args: str) -> str:
    """Run `hub ARGS` as its own process on the app's database, as an operator would."""
    settings = app.config["HUB_SETTINGS"]
    env = {**os.environ, "HUB_ENV": "development", "HUB_DATABASE_URL": settings.database_url,
           "HUB_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
           "HUB_SECRET_KEY": settings.secret_key, "HUB_LOG_LEVEL": "WARNING"}
    env.pop("HUB_REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", *args],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_held_token_and_the_policy_epoch_cost_no_query(app, register_client):
    token = token_response(app.test_client(), register_client(CITY)).json["access_token"]
    identity, policies = app.extensions["hub.identity"], get_policy_store(app)
    identity.tokens.validate(token)
    policies.read_epoch()
    with _counting_queries(app) as statements:
        for _ in range(20):
            identity.tokens.validate(token)
            policies.read_epoch()
    assert statements == []


def test_a_client_disabled_by_a_command_in_another_process_is_refused_next(
        app, register_client, tmp_path):
    registered = register_client(CITY)
    token = token_response(app.test_client(), registered).json["access_token"]
    http = app.test_client()
    assert http.get(ROUTE, headers=bearer(token)).status_code == 200  # its answer is kept

    _hub_command(app, tmp_path, "clients", "disable", registered.client_id)

    assert http.get(ROUTE, headers=bearer(token)).status_code == 401


def test_a_suspension_by_a_command_in_another_process_applies_to_the_next_request(
        app, load_into, issue_token, tmp_path):  # noqa: F811 -- fixture
    load_into(app)
    reader = app.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(BARKING)}"
    assert reader.get(EXPLAIN).json["permit"] is True  # compiled, its epoch kept

    _hub_command(app, tmp_path, "consents", "suspend", BARKING, "--reason", "left the pledge")

    assert "suspended" in reader.get(EXPLAIN).json["reason"]


def test_a_revocation_in_this_process_is_refused_next(app, register_client):
    registered = register_client(CITY)
    http = app.test_client()
    token = token_response(http, registered).json["access_token"]
    assert http.get(ROUTE, headers=bearer(token)).status_code == 200
    http.post("/oauth/revoke", data={"token": token},
              auth=(registered.client_id, registered.client_secret))
    assert http.get(ROUTE, headers=bearer(token)).status_code == 401


def test_the_counter_sits_beside_the_database(app: Flask, register_client,
                                              make_app: Callable[..., Flask]):
    database = app.config["HUB_SETTINGS"].database_url.split("///", 1)[1]
    changes = app.extensions["hub.changes"]
    assert changes is not None and str(changes.path) == f"{database}.changes"
    assert make_app(redis_url="redis://127.0.0.1:6379/0").extensions["hub.changes"] is None

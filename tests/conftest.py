"""Fixtures: a hub per test on a fresh database (SQLite and PostgreSQL), Redis, and clients.

Each test gets its own database, copied from a template migrated once per session, so tests see
real commits and real concurrent connections with nothing leaking between them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.engine import make_url

from hub import create_app
from hub.config import Settings
from hub.db import Database
from hub.identity import service as identity
from hub.organisations import service as organisations

POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = ('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" '
               "--appendonly no")


def _admin_conninfo() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, saying what is missing, when PostgreSQL or Redis is not running."""
    missing = []
    try:
        psycopg.connect(_admin_conninfo(), connect_timeout=3).close()
    except psycopg.OperationalError:
        missing.append(f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).host}:"
                       f"{make_url(POSTGRES_URL).port} (set HUB_TEST_POSTGRES_URL, or start "
                       f"it: {START_POSTGRES})")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        missing.append(f"Redis is not reachable at {REDIS_URL} (set HUB_TEST_REDIS_URL, or "
                       f"start it: {START_REDIS})")
    if missing:
        pytest.exit("the tests need real services:\n  " + "\n  ".join(missing), returncode=3)


def _execute_autocommit(sql: str) -> None:
    with psycopg.connect(_admin_conninfo(), autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def _prepare(url: str, with_reference: bool) -> None:
    database = Database(url)
    database.upgrade()
    if with_reference:
        with database.session() as session:
            organisations.load_reference(session, organisations.read_reference())
    database.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases, per backend, with and without reference data."""
    directory = tmp_path_factory.mktemp("templates")
    suffix = uuid.uuid4().hex[:8]
    made: dict[str, str] = {}
    for with_reference in (False, True):
        kind = "reference" if with_reference else "empty"
        sqlite_path = directory / f"{kind}.sqlite3"
        _prepare(f"sqlite:///{sqlite_path}", with_reference)
        made[f"sqlite-{kind}"] = str(sqlite_path)
        name = f"hub_template_{kind}_{suffix}"
        _execute_autocommit(f'CREATE DATABASE "{name}"')
        _prepare(_database_url(name), with_reference)
        made[f"postgres-{kind}"] = name
    yield made
    for key, name in made.items():
        if key.startswith("postgres"):
            _execute_autocommit(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_database(backend: str, kind: str, templates: dict[str, str],
                    tmp_path: Path) -> Iterator[str]:
    template = templates[f"{backend}-{kind}"]
    if backend == "sqlite":
        path = tmp_path / "hub.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    _execute_autocommit(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _database_url(name)
    finally:
        _execute_autocommit(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each storage test runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A fresh database of ``backend``, migrated, with the reference data loaded."""
    yield from _fresh_database(backend, "reference", templates, tmp_path)


@pytest.fixture
def empty_database_url(backend: str, templates: dict[str, str],
                       tmp_path: Path) -> Iterator[str]:
    """A fresh database of ``backend``, migrated, with no rows."""
    yield from _fresh_database(backend, "empty", templates, tmp_path)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database, emptied before and after each test."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Embedded-mode settings on the test's database."""
    return Settings(env="test", database_url=database_url, var_dir=tmp_path / "var",
                    secret_key="test-secret-key")


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., Flask]]:
    """Builds hubs from the test's settings with ``changes``; their pools closed afterwards."""
    made: list[Flask] = []

    def build(**changes: Any) -> Flask:
        made.append(create_app(settings.replace(**changes)))
        return made[-1]

    yield build
    for application in made:
        application.extensions["hub.db"].dispose()
        if (mirror := application.extensions.get("hub.redis_mirror")) is not None:
            mirror.close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str | None
    org_code: str


@pytest.fixture
def register_client(app: Flask) -> Callable[..., RegisteredClient]:
    """Creates an API client of ``org`` straight in the hub's database."""

    def register(org: str, scopes: list[str] | None = None,
                 jwks: dict[str, Any] | None = None) -> RegisteredClient:
        with app.extensions["hub.db"].session() as session:
            created = identity.create_client(session, org, f"test client of {org}", scopes, jwks)
            return RegisteredClient(created.client.client_id, created.client_secret, org)

    return register


@pytest.fixture
def issue_token(app: Flask, register_client: Callable[..., RegisteredClient]
                ) -> Callable[..., str]:
    """A real access token from the hub's token endpoint for a new client of ``org``."""

    def issue(org: str, scopes: list[str] | None = None) -> str:
        registered = register_client(org, scopes)
        response = app.test_client().post(
            "/oauth/token", data={"grant_type": "client_credentials"},
            auth=(registered.client_id, registered.client_secret))
        assert response.status_code == 200, response.json
        return str(response.json["access_token"])

    return issue


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def la_client(app: Flask, issue_token: Callable[..., str]) -> FlaskClient:
    """A test client calling as the City of London's data team."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token('E09000001')}"
    return client


@pytest.fixture
def admin_client(app: Flask, issue_token: Callable[..., str]) -> FlaskClient:
    """A test client calling as the hub's administrators, with every admin scope."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token('HUB-ADMIN')}"
    return client


@pytest.fixture
def runner_for() -> Callable[[Flask], FlaskCliRunner]:
    """A CLI runner for the `hub` commands bound to a given app."""

    def make(application: Flask) -> FlaskCliRunner:
        from hub.cli import build_cli

        cli = build_cli(application.config["HUB_SETTINGS"])
        runner = application.test_cli_runner()

        class Bound(FlaskCliRunner):
            def invoke(self, cli_=None, args=None, **kwargs):  # type: ignore[override]
                return runner.invoke(cli, args, **kwargs)

        return Bound(application)

    return make

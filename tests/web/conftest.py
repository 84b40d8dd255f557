"""Dashboard fixtures: a hub with reference data, the shipped agreements, simulated extracts of
every LA for four quarters, figures computed, and a person of each kind; served live on loopback.

The seeded database is built once per session and copied for each test (or module, for the
live server), so every test starts from the same state.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from connectors.contract import extract_to_json
from connectors.extract import RecordsSource
from connectors.simrecords import simulated_la
from hub import create_app
from hub.agreements import service as agreements
from hub.benchmarks import service as benchmarks
from hub.benchmarks.extension import get_benchmarks
from hub.config import Settings
from hub.db import Database
from hub.decisions.store import get_policy_store
from hub.identity import service as identity
from hub.organisations import service as organisations
from hub.pulls.models import ExtractRevision
from hub.registry.models import Connector
from policies.measures import DATASET_WORKFORCE

AGREEMENTS_DIR = Path(__file__).resolve().parents[2] / "agreements"
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
SEED = 7
PERIODS = ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
PERIOD = PERIODS[-1]
LONDON, NORTH_EAST = "E12000007", "E12000001"
CAMDEN, HACKNEY = "E09000007", "E09000012"
#: An LA that supplies nothing: the data collection status must say so.
SILENT_LA = "E09000033"
PASSWORD = "correct horse battery staple"
GENERATED = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)

#: The people of the tests: email → (organisation, role).
PEOPLE = {
    "la@camden.example": (CAMDEN, "viewer"),
    "region@london.example": (LONDON, "viewer"),
    "nare@nare.example": ("NARE", "viewer"),
    "admin@hub.example": ("HUB-ADMIN", "admin"),
}


def _extracts(las: list[str]) -> Iterator[tuple[str, str, Any]]:
    for la in las:
        sim = simulated_la(la, SEED)
        source = RecordsSource(la, sim.records, sim.caps, sim.vacancies, clock=lambda: GENERATED)
        for period in PERIODS:
            extract = source.extract(period)
            if extract is not None:
                yield la, period, extract


def _store_extracts(database: Database, las: list[str]) -> None:
    """Simulated extracts stored as revisions, as a pull would leave them."""
    now = datetime.now(UTC)
    with database.session() as session:
        connectors: dict[str, int] = {}
        for la in las:
            connector = Connector(
                la_code=la, base_url=f"https://{la.lower()}.example/connector",
                token_url=f"https://{la.lower()}.example/token",
                jwks_url=f"https://{la.lower()}.example/jwks", jwks={"keys": []},
                client_id="hub", client_secret=b"-", enabled=True, created_at=now,
                updated_at=now, last_pull_at=now, last_outcome="ingested")
            session.add(connector)
            session.flush()
            connectors[la] = connector.id
        for la, period, extract in _extracts(las):
            body = extract_to_json(extract)
            digest = hashlib.sha256(body).hexdigest()
            session.add(ExtractRevision(
                la_code=la, dataset=extract.dataset, period=period, revision=1, sha256=digest,
                content_sha256=digest, body=body, signature="unsigned",
                components=dict(extract.components), measures={},
                breakdowns=json.loads(json.dumps(extract.breakdowns)),
                generated_at=extract.generated_at, received_at=now,
                connector_id=connectors[la]))


def seed(app: Flask) -> None:
    """Agreements, extracts, figures and people in ``app``'s (reference-loaded) database."""
    database: Database = app.extensions["hub.db"]
    files = [agreements.SourceFile(p.name, p.read_text())
             for p in sorted(AGREEMENTS_DIR.glob("*.yaml"))]
    with app.app_context():
        with database.session() as session:
            result = agreements.load(session, files, "cli:test", get_policy_store(app))
            assert not result.problems, result.problems
            las = [o.code for o in session.scalars(organisations.authorities_query(None))
                   if o.code != SILENT_LA]
        _store_extracts(database, las)
        for period in PERIODS:
            with database.session() as session:
                benchmarks.recompute(session, get_benchmarks(app), DATASET_WORKFORCE, period)
        with database.session() as session:
            for email, (org, role) in PEOPLE.items():
                identity.create_user(session, org, email, role, PASSWORD)


@pytest.fixture(scope="session")
def seeded_database(templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
                    ) -> str:
    """A SQLite file with everything seeded, built once per session."""
    path = tmp_path_factory.mktemp("web") / "seeded.sqlite3"
    shutil.copyfile(templates["sqlite-reference"], path)
    application = create_app(Settings(env="test", database_url=f"sqlite:///{path}",
                                      var_dir=path.parent / "var", secret_key="web-test"))
    seed(application)
    application.extensions["hub.benchmarks"].reads.flush()
    application.extensions["hub.db"].dispose()
    return str(path)


def _copy(seeded: str, directory: Path) -> Settings:
    path = directory / "hub.sqlite3"
    shutil.copyfile(seeded, path)
    return Settings(env="test", database_url=f"sqlite:///{path}", var_dir=directory / "var",
                    secret_key="web-test-secret")


@pytest.fixture
def web_app(seeded_database: str, tmp_path: Path) -> Iterator[Flask]:
    """A hub on a fresh copy of the seeded database."""
    application = create_app(_copy(seeded_database, tmp_path))
    yield application
    application.extensions["hub.db"].dispose()


@pytest.fixture
def web_client(web_app: Flask) -> FlaskClient:
    return web_app.test_client()


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token of the form at ``path``, as a browser would read it from the page."""
    page = client.get(path).get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


@pytest.fixture
def sign_in(web_client: FlaskClient) -> Callable[..., Any]:
    """Signs ``email`` in on the test client; returns the response."""

    def go(email: str, password: str = PASSWORD, follow: bool = False) -> Any:
        return web_client.post("/sign-in", data={
            "email": email, "password": password, "csrf_token": csrf_token(web_client)},
            follow_redirects=follow)

    return go


class LiveHub:
    """A hub served by werkzeug on a free loopback port in a thread of the test process."""

    def __init__(self, application: Flask) -> None:
        self.app = application
        self.server = make_server("127.0.0.1", 0, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveHub:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_hub(seeded_database: str, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[LiveHub]:
    """The seeded hub, served on loopback for the browser tests of one module."""
    application = create_app(_copy(seeded_database, tmp_path_factory.mktemp("live")))
    with LiveHub(application) as hub:
        yield hub
    application.extensions["hub.db"].dispose()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where screenshots and downloaded packs are kept for people to look at."""
    (OUTPUT_DIR / "screenshots").mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


"""Benchmark fixtures: simulated extracts of all 153 LAs stored as revisions, figures computed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connectors.contract import Extract, extract_to_json
from connectors.extract import RecordsSource
from connectors.simrecords import profiles, simulated_la
from hub.benchmarks import service
from hub.benchmarks.extension import get_benchmarks
from hub.pulls.models import ExtractRevision
from hub.registry.models import Connector
from policies.measures import DATASET_WORKFORCE
from tests.hub.agreements.conftest import load_into, loaded_app  # noqa: F401 -- fixtures

SEED = 7
PERIODS = ("2024-Q3", "2024-Q4")
PERIOD = PERIODS[-1]
LONDON, NORTH_EAST = "E12000007", "E12000001"
CITY, CAMDEN, HACKNEY = "E09000001", "E09000007", "E09000012"
GENERATED = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


@cache
def simulated_extract(la_code: str, period: str) -> Extract:
    """The extract the simulator's connector of ``la_code`` serves for ``period``."""
    sim = simulated_la(la_code, SEED)
    source = RecordsSource(la_code, sim.records, sim.caps, sim.vacancies, clock=lambda: GENERATED)
    extract = source.extract(period)
    assert extract is not None
    return extract


def revision_of(extract: Extract, connector_id: int, revision: int = 1) -> ExtractRevision:
    """A stored revision of ``extract``, as an ingest would leave it."""
    body = extract_to_json(extract)
    return ExtractRevision(
        la_code=extract.la_code, dataset=extract.dataset, period=extract.period,
        revision=revision, sha256=hashlib.sha256(body).hexdigest(),
        content_sha256=hashlib.sha256(body).hexdigest(), body=body, signature="unsigned",
        components=dict(extract.components), measures={},
        breakdowns=json.loads(json.dumps(extract.breakdowns)),
        generated_at=extract.generated_at, received_at=datetime.now(UTC),
        connector_id=connector_id)


def store_extracts(app: Flask, extracts: list[Extract], revision: int = 1) -> None:
    """Store ``extracts`` as revisions (each LA gets a connector row on first use)."""
    now = datetime.now(UTC)
    with app.extensions["hub.db"].session() as session:
        ids = dict(session.execute(select(Connector.la_code, Connector.id)).all())
        for extract in extracts:
            if extract.la_code not in ids:
                connector = Connector(
                    la_code=extract.la_code, base_url="https://example.invalid",
                    token_url="https://example.invalid/token",
                    jwks_url="https://example.invalid/jwks", jwks={"keys": []},
                    client_id="hub", client_secret=b"-", enabled=True, created_at=now,
                    updated_at=now)
                session.add(connector)
                session.flush()
                ids[extract.la_code] = connector.id
            session.add(revision_of(extract, ids[extract.la_code], revision))


def recompute(app: Flask, period: str = PERIOD) -> int:
    """Recompute one period's figures as the job does; the figures version."""
    with app.app_context(), app.extensions["hub.db"].session() as session:
        return service.recompute(session, get_benchmarks(app), DATASET_WORKFORCE,
                                 period).version


@pytest.fixture
def figures_app(loaded_app: Flask) -> Iterator[Flask]:  # noqa: F811
    """The shipped agreements, every LA's simulated extracts for two periods, figures computed."""
    store_extracts(loaded_app, [simulated_extract(la, p) for la in profiles() for p in PERIODS])
    for period in PERIODS:
        recompute(loaded_app, period)
    yield loaded_app
    get_benchmarks(loaded_app).reads.close()  # before the test's database is dropped


@pytest.fixture
def as_org(figures_app: Flask, issue_token: Callable[..., str]) -> Callable[[str], FlaskClient]:
    """A test client calling as an organisation, with every scope its kind may hold."""
    made: dict[str, FlaskClient] = {}

    def client_of(org: str) -> FlaskClient:
        if org not in made:
            made[org] = figures_app.test_client()
            made[org].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(org)}"
        return made[org]

    return client_of

"""A census return (CSWW XML) through the hub's real pull path: a connector reads the corpus's
ordinary return, the hub's refresh pulls, verifies and stores it, and the figures are
recomputed. Its in-post FTE and headcount by OrgRole and its starters over the year arrive in
the stored extract and in the LA's stored figures, as the connector computed them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from connectors.app import ConnectorSettings, create_app
from connectors.extract import RecordsSource
from connectors.oauth import RegisteredClient, hash_secret
from connectors.records import read_records
from connectors.simulator import GENERATED_AT, RunningSimulator, Simulator
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.models import BenchmarkFigure
from hub.pulls.extension import get_pulls
from hub.pulls.models import ExtractRevision
from hub.pulls.refresh import Target, refresh
from tests.connectors.census import corpus
from tests.connectors.census.corpus import CAMDEN, ORDINARY_WORKERS
from tests.connectors.test_census import EXPECTED, EXPECTED_BY_ORG_ROLE, by_org_role
from tests.hub.registry.conftest import allow_loopback, register  # noqa: F401 -- fixtures

PERIOD = "2023-Q3"


class CensusConnector(Simulator):
    """Camden's connector, whose records are a census return."""

    def __init__(self, path: Path, base_url: str) -> None:
        super().__init__(1, base_url, [CAMDEN])
        self.path = path

    def _build(self, la_code: str) -> Flask:
        creds = self.credentials[la_code]
        source = RecordsSource(la_code, read_records(self.path, la_code),
                               clock=lambda: GENERATED_AT)
        client = RegisteredClient(creds.client_id, hash_secret(creds.client_secret))
        return create_app(ConnectorSettings(la_code, source, self._keys[la_code], (client,),
                                            self.token_ttl))


@pytest.fixture
def census_connector(tmp_path: Path) -> Iterator[RunningSimulator]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    path = corpus.write(tmp_path / "csww.xml", [corpus.header(), corpus.vacancies(2.5),
                                                *map(corpus.worker, ORDINARY_WORKERS)])
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    base_url = f"http://127.0.0.1:{server.server_port}"
    server.app = CensusConnector(path, base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = RunningSimulator(server.app, server, thread, base_url)
    yield running
    running.stop()


def _no_retry(target: Target, error: Exception) -> None:
    raise AssertionError(f"{target} failed transiently: {error}")


def test_a_census_return_arrives_with_its_org_role_breakdown_and_years_starters(
        app, census_connector, allow_loopback, register):  # noqa: F811
    allow_loopback(census_connector.base_url)
    connector = register(census_connector.simulator.credentials[CAMDEN])
    with app.app_context():
        results = refresh(get_pulls(app).puller, [Target(connector, "workforce", PERIOD)], 1,
                          retry=_no_retry, retries=False)
        assert [r.outcome for r in results] == ["ingested"], [r.reason for r in results]
        get_benchmarks(app).queue.wait()
    expected = by_org_role(EXPECTED_BY_ORG_ROLE)
    with app.extensions["hub.db"].session() as session:
        revision = session.scalars(select(ExtractRevision).where(
            ExtractRevision.la_code == CAMDEN, ExtractRevision.period == PERIOD)).one()
        assert revision.breakdowns == {"org_role": expected}
        for code in ("starters_12m_fte", "starters_12m_headcount"):
            assert revision.components[code] == EXPECTED[code]
        figures = {f.measure: f for f in session.scalars(select(BenchmarkFigure).where(
            BenchmarkFigure.grain == "la", BenchmarkFigure.area_code == CAMDEN,
            BenchmarkFigure.period == PERIOD))}
    # The LA's figures keep the breakdown for disclosure control, as they keep roles.
    for measure in ("permanent_fte", "permanent_headcount"):
        kept = figures[measure].breakdowns["org_role"]
        assert {role: kept.get(role, {}).get(measure, 0.0) for role in expected} == {
            role: values[measure] for role, values in expected.items()}
    assert figures["agency_fte"].breakdowns is None

"""End to end: simulated connectors pulled over HTTP, figures recomputed by the landing hook,
aggregates equal to those computed here from the raw worker records."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.simrecords import profiles
from connectors.simulator import RunningSimulator, start_simulator
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.models import BenchmarkFigure
from hub.pulls.extension import get_pulls
from tests.hub.benchmarks.conftest import LONDON, NORTH_EAST, PERIOD, SEED
from tests.hub.benchmarks.test_figures import in_post_fte
from tests.hub.registry.conftest import allow_loopback, register  # noqa: F401 -- fixtures

PULLED = [la for la, p in profiles().items() if p.region_code in (LONDON, NORTH_EAST)]


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """Simulated connectors of every LA of London and the North East, on loopback."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    running = start_simulator(seed=SEED, la_codes=PULLED, token_ttl=60)
    yield running
    running.stop()


def test_pulled_extracts_give_aggregates_equal_to_the_raw_records(
        app, simulator, allow_loopback, register):  # noqa: F811
    ids = [register(simulator.simulator.credentials[la]) for la in PULLED]
    with app.app_context():
        puller = get_pulls(app).puller
        outcomes = {puller.pull(i, "workforce", PERIOD).outcome for i in ids}
        assert outcomes == {"ingested"}
        get_benchmarks(app).queue.wait()  # the recomputes the landings queued
    with app.extensions["hub.db"].session() as session:
        rows = {(r.grain, r.area_code): r for r in session.scalars(select(BenchmarkFigure).where(
            BenchmarkFigure.period == PERIOD, BenchmarkFigure.measure == "agency_rate"))}
    raw = {la: in_post_fte(la, PERIOD) for la in PULLED}
    for area, members in ((LONDON, [la for la in PULLED if profiles()[la].region_code == LONDON]),
                          (NORTH_EAST, [la for la in PULLED
                                        if profiles()[la].region_code == NORTH_EAST]),
                          ("national", PULLED)):
        grain = "national" if area == "national" else "region"
        figure = rows[(grain, area)]
        agency = math.fsum(raw[la][1] for la in members)
        everyone = math.fsum(raw[la][0] + raw[la][1] for la in members)
        assert figure.numerator == pytest.approx(agency, abs=1e-6)
        assert figure.denominator == pytest.approx(everyone, abs=1e-6)
        assert sorted(figure.contributors) == sorted(members)

"""End to end: simulated connectors pulled over HTTP, figures recomputed by the landing hook,
aggregates equal to those computed here from the raw worker records, and a region's breaches
by type equal to the sums of its LAs' stored extracts."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.simrecords import profiles
from connectors.simulator import RunningSimulator, start_simulator
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.figures import latest_revisions
from hub.benchmarks.models import BenchmarkFigure
from hub.pulls.extension import get_pulls
from policies.disclosure import NOT_GIVEN, round_count
from policies.measures import BREACH_TYPES, DATASET_WORKFORCE
from policies.rules import DisclosureRules
from tests.conftest import bearer
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


@pytest.fixture
def reading_app(loaded_app):
    """The app with the shipped agreements, its read audit closed before its database goes."""
    yield loaded_app
    get_benchmarks(loaded_app).reads.close()


def pull_every_la(app, simulator, register_connector) -> None:
    """Register every simulated connector and pull PERIOD, then wait for the recomputes."""
    ids = [register_connector(simulator.simulator.credentials[la]) for la in PULLED]
    with app.app_context():
        puller = get_pulls(app).puller
        outcomes = {puller.pull(i, "workforce", PERIOD).outcome for i in ids}
        assert outcomes == {"ingested"}
        get_benchmarks(app).queue.wait()  # the recomputes the landings queued


def test_pulled_extracts_give_aggregates_equal_to_the_raw_records(
        app, simulator, allow_loopback, register):  # noqa: F811
    pull_every_la(app, simulator, register)
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


@pytest.mark.parametrize("region", [LONDON, NORTH_EAST])
def test_a_regions_breaches_by_type_equal_the_sums_of_its_stored_extracts(
        reading_app, simulator, allow_loopback, register, issue_token, region):  # noqa: F811
    pull_every_la(reading_app, simulator, register)
    members = {la for la in PULLED if profiles()[la].region_code == region}
    # Independently of the figures: straight from the revisions the pulls stored.
    with reading_app.extensions["hub.db"].session() as session:
        stored = {r.la_code: r.breakdowns["breach_type"]
                  for r in latest_revisions(session, DATASET_WORKFORCE, PERIOD)}
    assert set(stored) >= members
    sums = {t: math.fsum(stored[la].get(t, {}).get("mou_breaches", 0.0) for la in members)
            for t in BREACH_TYPES} | {NOT_GIVEN: 0.0}
    response = reading_app.test_client().get(
        f"/api/v1/benchmarks/mou_breaches?period={PERIOD}", headers=bearer(issue_token(region)))
    assert response.status_code == 200, response.json
    body = response.json
    rules = next(r for r in body["rules"] if (r["grain"], r["area"]) == ("la", region))
    rules = DisclosureRules(rules["min_cell_count"], rules["rounding_base"],
                            rules["min_contributors"], rules["dominance_share"])
    totals = body["breakdown"]["total"]
    assert totals["of"] == "region"
    released = {t: cell["value"] for t, cell in totals["cells"].items()
                if cell["value"] is not None}
    assert "price_cap" in released  # the bulk of breaches: released in both regions
    for breach_type, value in released.items():
        assert value == round_count(sums[breach_type], rules), breach_type
    if totals["value"]["value"] is not None:
        assert totals["value"]["value"] == round_count(math.fsum(sums.values()), rules)

"""A component an LA does not supply: x in every figure that needs it, the LA left out of exactly
those aggregates and counted in the others, and every aggregate naming the LAs it counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from connectors.contract import build_extract
from connectors.simrecords import profiles
from hub.benchmarks.extension import get_benchmarks
from tests.conftest import bearer
from tests.hub.benchmarks.conftest import (
    CAMDEN,
    GENERATED,
    LONDON,
    PERIOD,
    recompute,
    simulated_extract,
    store_extracts,
)

LONDON_LAS = sorted(la for la, p in profiles().items() if p.region_code == LONDON)
EVERY_LA = sorted(profiles())
NARE = "NARE"


@pytest.fixture
def gap_app(loaded_app: Flask) -> Iterator[Flask]:
    """Every LA's simulated extract, Camden's without vacancies (its cell said ``c``)."""
    camden = simulated_extract(CAMDEN, PERIOD)
    components = {c: v for c, v in camden.components.items() if c != "vacancy_fte"}
    without = build_extract(CAMDEN, PERIOD, components, camden.breakdowns, GENERATED,
                            not_supplied={"vacancy_fte": "c: confidential (suppressed by the LA)"})
    store_extracts(loaded_app, [without] + [simulated_extract(la, PERIOD)
                                            for la in EVERY_LA if la != CAMDEN])
    recompute(loaded_app, PERIOD)
    yield loaded_app
    get_benchmarks(loaded_app).reads.close()


def _answer(app: Flask, token: str, route: str, measure: str) -> dict:
    response = app.test_client().get(f"/api/v1/{route}/{measure}?period={PERIOD}",
                                     headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json


def test_an_la_without_a_component_is_left_out_of_exactly_the_aggregates_needing_it(
        gap_app, issue_token):
    region_token = issue_token(LONDON)
    vacancy = _answer(gap_app, region_token, "benchmarks", "vacancy_rate")
    agency = _answer(gap_app, region_token, "benchmarks", "agency_rate")
    london_vacancy = next(r for r in vacancy["regions"] if r["code"] == LONDON)
    london_agency = next(r for r in agency["regions"] if r["code"] == LONDON)
    assert london_vacancy["counted"] == [la for la in LONDON_LAS if la != CAMDEN]
    assert london_agency["counted"] == LONDON_LAS
    assert CAMDEN not in vacancy["national"]["counted"]
    assert CAMDEN in agency["national"]["counted"]
    camden = {la["code"]: la for la in vacancy["local_authorities"]}[CAMDEN]
    assert (camden["value"], camden["marker"]) == (None, "x")


def test_the_la_itself_sees_x_for_its_own_figure_and_its_other_figures(gap_app, issue_token):
    token = issue_token(CAMDEN)
    own = _answer(gap_app, token, "benchmarks", "vacancy_rate")["own"]
    assert (own["value"], own["marker"]) == (None, "x")
    assert _answer(gap_app, token, "benchmarks", "agency_rate")["own"]["value"] is not None


def test_nare_sees_which_las_each_aggregate_counts(gap_app, issue_token):
    body = _answer(gap_app, issue_token(NARE), "national", "vacancy_rate")
    assert sorted(body["national"]["counted"]) == [la for la in EVERY_LA if la != CAMDEN]
    london = next(r for r in body["regions"] if r["code"] == LONDON)
    assert CAMDEN not in london["counted"] and len(london["counted"]) == len(LONDON_LAS) - 1

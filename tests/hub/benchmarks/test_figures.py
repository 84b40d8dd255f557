"""Recomputing figures from the stored revisions: the arithmetic against the raw records."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from connectors.extract import quarter_bounds
from connectors.simrecords import profiles, simulated_records
from hub.benchmarks.models import BenchmarkFigure, FiguresVersion
from policies.measures import DATASET_WORKFORCE
from tests.hub.benchmarks.conftest import (
    CITY,
    LONDON,
    PERIOD,
    SEED,
    recompute,
    simulated_extract,
    store_extracts,
)


def in_post_fte(la_code: str, period: str) -> tuple[float, float]:
    """Permanent and agency FTE in post at the quarter's end, straight from the worker rows."""
    _, last = quarter_bounds(period)
    permanent = agency = 0.0
    for row in simulated_records(la_code, SEED).assignments:
        if row.period != period or row.start_date > last or (
                row.leave_date is not None and row.leave_date <= last):
            continue
        if row.agency:
            agency += row.fte
        else:
            permanent += row.fte
    return permanent, agency


def stored(app, grain: str, area: str, measure: str = "agency_rate",
           period: str = PERIOD) -> BenchmarkFigure:
    with app.extensions["hub.db"].session() as session:
        return session.scalars(select(BenchmarkFigure).where(
            BenchmarkFigure.period == period, BenchmarkFigure.measure == measure,
            BenchmarkFigure.grain == grain, BenchmarkFigure.area_code == area)).one()


def test_region_and_national_aggregates_equal_the_raw_records(figures_app):
    by_region: dict[str, list[tuple[float, float]]] = {}
    for la, profile in profiles().items():
        by_region.setdefault(profile.region_code, []).append(in_post_fte(la, PERIOD))
    for region, parts in by_region.items():
        figure = stored(figures_app, "region", region)
        agency = math.fsum(a for _, a in parts)
        assert figure.numerator == pytest.approx(agency, abs=1e-6)
        assert figure.denominator == pytest.approx(agency + math.fsum(p for p, _ in parts),
                                                   abs=1e-6)
        assert len(figure.contributors) == len(parts)
    every = [part for parts in by_region.values() for part in parts]
    national = stored(figures_app, "national", "national")
    assert national.numerator == pytest.approx(math.fsum(a for _, a in every), abs=1e-6)
    assert national.denominator == pytest.approx(math.fsum(p + a for p, a in every), abs=1e-6)
    assert len(national.contributors) == 153


def test_an_la_figure_keeps_the_counts_disclosure_control_reads(figures_app):
    figure = stored(figures_app, "la", CITY, "agency_fte")
    components = simulated_extract(CITY, PERIOD).components
    assert figure.numerator == components["agency_fte"]
    assert figure.numerator_people == components["agency_headcount"]
    assert figure.components == {"agency_fte": components["agency_fte"],
                                 "agency_headcount": components["agency_headcount"]}


def test_recompute_is_idempotent_and_a_new_revision_makes_a_new_version(figures_app):
    assert recompute(figures_app) == 1
    before = stored(figures_app, "region", LONDON)
    extract = simulated_extract(CITY, PERIOD)
    changed = type(extract)(**{**extract.__dict__, "components": {
        **extract.components, "agency_fte": extract.components["agency_fte"] + 10}})
    store_extracts(figures_app, [changed], revision=2)
    assert recompute(figures_app) == 2
    after = stored(figures_app, "region", LONDON)
    assert after.numerator == pytest.approx(before.numerator + 10)
    with figures_app.extensions["hub.db"].session() as session:
        versions = session.scalars(select(FiguresVersion).where(
            FiguresVersion.dataset == DATASET_WORKFORCE)).all()
        assert {v.period: v.version for v in versions} == {"2024-Q3": 1, PERIOD: 2}

"""Breakdowns: stored with the LA figures; released for the reader's own region as one table
with the LAs' figures (breaches by type, FTE by role), the reader's own LA unrounded."""

from __future__ import annotations

import math

import pytest

from connectors.simrecords import profiles
from policies.disclosure import NOT_GIVEN, round_count
from policies.measures import BREACH_TYPES, ROLES
from policies.release.breakdowns import OF_OTHERS, OF_REGION
from policies.rules import DisclosureRules
from tests.hub.benchmarks.conftest import (
    CAMDEN,
    CITY,
    LONDON,
    PERIOD,
    recompute,
    simulated_extract,
    store_extracts,
)
from tests.hub.benchmarks.test_figures import stored

URL = "/api/v1/benchmarks/{measure}?period={period}"
LONDON_LAS = [la for la, p in profiles().items() if p.region_code == LONDON]
FIGURE = ("value", "marker", "reason")


def read(client, measure: str) -> dict:
    response = client.get(URL.format(measure=measure, period=PERIOD))
    assert response.status_code == 200, response.json
    return response.json


def la_rules(body: dict, audience: str | None = None) -> DisclosureRules:
    """The rules the answer says its LA figures of London were released under."""
    found = [r for r in body["rules"] if (r["grain"], r["area"]) == ("la", LONDON)
             and (audience is None or r["audience"] == audience)]
    assert len(found) == 1, found
    return DisclosureRules(*(found[0][k] for k in (
        "min_cell_count", "rounding_base", "min_contributors", "dominance_share")))


def breaches(la: str, breach_type: str) -> float:
    """The LA's breaches of one type, from the extract its connector served."""
    split = simulated_extract(la, PERIOD).breakdowns["breach_type"]
    return split.get(breach_type, {}).get("mou_breaches", 0.0)


def figure(shown: dict) -> tuple:
    return tuple(shown[k] for k in FIGURE)


def test_an_la_figure_keeps_its_breakdown_of_what_disclosure_control_reads(figures_app):
    row = stored(figures_app, "la", CITY, "agency_fte")
    roles = simulated_extract(CITY, PERIOD).breakdowns["role"]
    assert row.breakdowns == {"role": {r: {"agency_fte": roles[r]["agency_fte"],
                                           "agency_headcount": roles[r]["agency_headcount"]}
                                       for r in ROLES}}
    assert stored(figures_app, "la", CITY, "mou_breaches").breakdowns["breach_type"].keys() \
        <= set(BREACH_TYPES)
    assert stored(figures_app, "region", LONDON, "mou_breaches").breakdowns is None
    assert stored(figures_app, "la", CITY, "starters_fte").breakdowns is None


def test_a_breakdown_that_does_not_add_up_is_not_kept(figures_app):
    extract = simulated_extract(CITY, PERIOD)
    changed = type(extract)(**{**extract.__dict__, "components": {
        **extract.components, "mou_breaches": extract.components["mou_breaches"] + 3}})
    store_extracts(figures_app, [changed], revision=2)
    recompute(figures_app)
    assert stored(figures_app, "la", CITY, "mou_breaches").breakdowns is None
    assert stored(figures_app, "la", CITY, "agency_fte").breakdowns is not None


def test_a_region_reads_its_las_breaches_by_type(as_org):
    body = read(as_org(LONDON), "mou_breaches")
    split, rules = body["breakdown"], la_rules(body)
    assert split["dimension"] == "breach_type"
    assert split["categories"] == [*BREACH_TYPES, NOT_GIVEN]
    assert split["total"]["of"] == OF_REGION
    # One row per LA of the region, in the LA list's order, its total the LA's figure.
    assert [r["code"] for r in split["local_authorities"]] == [
        la["code"] for la in body["local_authorities"]]
    assert {r["code"] for r in split["local_authorities"]} == set(LONDON_LAS)
    k, base = rules.min_cell_count, rules.rounding_base
    for row, la in zip(split["local_authorities"], body["local_authorities"], strict=True):
        assert figure(row["total"]) == figure(la) and not row["own"]
        assert row["cells"][NOT_GIVEN]["value"] == 0  # every simulated LA gives its types
        for breach_type in BREACH_TYPES:
            cell, value = row["cells"][breach_type], breaches(row["code"], breach_type)
            if cell["value"] is None:
                assert cell["marker"] == "c" and cell["reason"]
            else:
                assert cell["value"] == round_count(value, rules)
                assert cell["value"] == 0 or cell["value"] >= k
                assert cell["value"] % base == 0
            if 0 < value < k:
                assert cell["marker"] == "c"
    for breach_type in BREACH_TYPES:
        total = split["total"]["cells"][breach_type]
        if total["value"] is not None:
            assert total["value"] == round_count(
                math.fsum(breaches(la, breach_type) for la in LONDON_LAS), rules)


def test_an_la_reads_its_own_row_unrounded_and_the_others_under_the_pledge(as_org):
    body = read(as_org(CAMDEN), "mou_breaches")
    split = body["breakdown"]
    pledge = la_rules(body, "region_parties")
    assert (pledge.min_cell_count, pledge.rounding_base) == (2, 1)
    assert split["total"]["of"] == OF_OTHERS
    rows = {r["code"]: r for r in split["local_authorities"]}
    own = rows[CAMDEN]
    assert own["own"] and own["total"]["value"] == body["own"]["value"]
    assert own["total"]["value"] == simulated_extract(CAMDEN, PERIOD).components["mou_breaches"]
    for breach_type in BREACH_TYPES:
        assert own["cells"][breach_type] == {"value": breaches(CAMDEN, breach_type),
                                             "marker": None, "reason": None}
    listed = {la["code"]: la for la in body["local_authorities"]}
    others = [r for code, r in rows.items() if code != CAMDEN]
    for row in others:
        assert figure(row["total"]) == figure(listed[row["code"]])
        for cell in (row["total"], *row["cells"].values()):
            assert cell["value"] is not None or cell["marker"] == "c"
            assert cell["value"] is None or cell["value"] == 0 or cell["value"] >= 2
    # The totals are of the other LAs: Camden's own breaches are not in them.
    for breach_type in BREACH_TYPES:
        total = split["total"]["cells"][breach_type]
        if total["value"] is not None:
            assert total["value"] == round_count(math.fsum(
                breaches(la, breach_type) for la in LONDON_LAS if la != CAMDEN), pledge)
    assert any(c["marker"] == "c" for r in others for c in r["cells"].values())


@pytest.mark.parametrize("measure", ["agency_headcount", "agency_fte", "agency_conversions"])
def test_counts_broken_down_by_role_are_released_the_same_way(as_org, measure):
    body = read(as_org(CAMDEN), measure)
    split = body["breakdown"]
    assert split["dimension"] == "role" and split["categories"] == [*ROLES, NOT_GIVEN]
    listed = {la["code"]: la for la in body["local_authorities"]}
    for row in split["local_authorities"]:
        if not row["own"]:
            assert figure(row["total"]) == figure(listed[row["code"]])


@pytest.mark.parametrize("measure", ["starters_fte", "agency_rate", "caseload"])
def test_a_count_without_a_breakdown_or_a_rate_has_none(as_org, measure):
    assert read(as_org(CAMDEN), measure)["breakdown"] is None


def test_nare_gets_no_breakdown(as_org):
    body = as_org("NARE").get(f"/api/v1/national/mou_breaches?period={PERIOD}").json
    assert "breakdown" not in body and "local_authorities" not in body

"""Consistency: consent and agreement changes change the next answer; aggregates count only
the LAs the reader's decisions let them count."""

from __future__ import annotations

from connectors.simrecords import profiles
from hub.agreements import service as agreements
from hub.decisions.store import get_policy_store
from policies.decision import READ, Resource, Subject
from policies.disclosure import release_aggregate
from policies.measures import MEASURES
from policies.rules import DisclosureRules
from tests.hub.agreements.conftest import london_v4
from tests.hub.benchmarks.conftest import CAMDEN, HACKNEY, LONDON, PERIOD, simulated_extract

DURHAM = "E06000047"
YORKSHIRE, WEST_MIDLANDS = "E12000003", "E12000005"
SOUTH_EAST = "E12000008"
LONDON_REGION = DisclosureRules(5, 5, 5, 0.3)
NATIONAL = DisclosureRules(5, 5, 10, 0.25)


def read(client, measure: str) -> dict:
    response = client.get(f"/api/v1/benchmarks/{measure}?period={PERIOD}")
    assert response.status_code == 200, response.json
    return response.json


def expected(measure: str, rules: DisclosureRules, leave_out=lambda la, region: False) -> float:
    counted = {la: simulated_extract(la, PERIOD).components for la, p in profiles().items()
               if not leave_out(la, p.region_code)}
    return release_aggregate(counted, MEASURES[measure], rules).number


def region_total(body: dict, code: str) -> dict:
    return next(r for r in body["regions"] if r["code"] == code)


def test_a_withholding_changes_the_very_next_answer(as_org):
    camden = as_org(CAMDEN)
    before = read(camden, "agency_rate")
    assert next(la for la in before["local_authorities"] if la["code"] == HACKNEY)["value"]
    created = as_org(HACKNEY).post("/api/v1/consents", json={
        "kind": "withhold", "org_code": HACKNEY, "audience": "region_parties",
        "measure": "agency_rate", "reason": "board decision"})
    assert created.status_code == 201, created.json
    after = read(camden, "agency_rate")
    hackney = next(la for la in after["local_authorities"] if la["code"] == HACKNEY)
    assert hackney["value"] is None and hackney["marker"] == "x"
    assert "withholds agency_rate" in hackney["reason"]
    # Only Hackney's own figure is withheld: it stays counted in the totals Camden reads, so
    # the totals before and after the withholding do not differ by Hackney's figure.
    only_london = lambda la, region: region != LONDON  # noqa: E731
    assert region_total(after, LONDON)["value"] == expected("agency_rate", LONDON_REGION,
                                                            only_london)
    assert region_total(after, LONDON)["value"] == region_total(before, LONDON)["value"]
    assert after["national"]["value"] == expected("agency_rate", NATIONAL)
    assert after["national"]["value"] == before["national"]["value"]
    # Other regions' readers were not withheld from: Hackney counts for them.
    durham = read(as_org(DURHAM), "agency_rate")
    assert durham["national"]["value"] == expected("agency_rate", NATIONAL)


def test_a_new_agreement_version_changes_the_very_next_answer(as_org, figures_app):
    durham = as_org(DURHAM)
    assert region_total(read(durham, "agency_rate"), LONDON)["value"] is not None
    text = london_v4("duties:", "prohibitions:\n  - id: x1\n    audience: other_regions\n"
                     "    measures:\n      - agency_rate\n    reason: under review\nduties:")
    with figures_app.app_context(), figures_app.extensions["hub.db"].session() as session:
        result = agreements.load(session, [agreements.SourceFile("london.yaml", text)],
                                 "cli:test", get_policy_store(figures_app))
        assert not result.problems, result.problems
    after = read(durham, "agency_rate")
    london = region_total(after, LONDON)
    assert london["marker"] == "x" and "E12000007 v4 prohibits" in london["reason"]
    assert "E12000007 v4" in after["agreements"] or "E12000007 v3" not in after["agreements"]
    # Nor may London's LAs be counted in the national aggregate Durham sees.
    assert after["national"]["value"] == expected(
        "agency_rate", NATIONAL, lambda la, region: region == LONDON)


def test_a_regions_prohibition_keeps_its_las_out_of_the_national_aggregate(as_org):
    body = read(as_org(CAMDEN), "agency_above_cap_share")
    assert region_total(body, WEST_MIDLANDS)["marker"] == "x"
    assert body["national"]["value"] == expected(
        "agency_above_cap_share", NATIONAL, lambda la, region: region == WEST_MIDLANDS)


def test_a_national_total_beside_one_withheld_region_total_is_withheld(as_org):
    # Yorkshire's total fails its dominance limit for Camden; the nation minus the other
    # released totals would give it back (the South East's LAs are not counted at all).
    body = read(as_org(CAMDEN), "mou_breaches")
    withheld = [r["code"] for r in body["regions"] if r["value"] is None]
    assert withheld == [YORKSHIRE, SOUTH_EAST]
    assert body["national"]["marker"] == "c"


def test_every_national_aggregate_counts_exactly_the_permitted_las(as_org, figures_app):
    camden = as_org(CAMDEN)
    policy_set = get_policy_store(figures_app).current()
    subject = Subject(CAMDEN, "local_authority", LONDON)
    for code in ("agency_headcount", "agency_rate", "mou_breaches", "caseload"):
        allowed = {la for la in profiles() if policy_set.decide(
            subject, READ, Resource(code, "national", la_code=la)).permit}
        national = read(camden, code)["national"]
        if national["value"] is not None:
            assert national["value"] == expected(code, NATIONAL,
                                                 lambda la, _, allowed=allowed: la not in allowed)

"""Regression (issue 14, finding 1): London's region saw Merton's agency_above_cap as ``c`` but
also its agency_above_cap_share (9.7%) and agency_headcount (30): only 3 of 31 fits, so the
withheld count and the unrounded headcount came back exactly."""

from __future__ import annotations

from functools import cache

from policies.compiler import compile_policies
from policies.decision import READ, Resource, Subject
from policies.loader import load_agreements
from policies.measures import MEASURES
from policies.release import Figures, Geography, release_period
from tests.policies.conftest import NOW, agreement_files, read_reference
from tests.policies.release_model import Model, Reader

LONDON, MERTON, SUTTON = "E12000007", "E09000024", "E09000029"
PERIOD = "2024-Q4"
MEASURED = ("agency_headcount", "agency_above_cap", "agency_above_cap_share")


@cache
def geography() -> Geography:
    regions = read_reference()
    return Geography({}, {code: tuple(sorted(las)) for code, las in sorted(regions.items())})


def components(la: str) -> dict[str, float]:
    """Every LA 40 agency workers, 12 above the cap; Sutton 1 above (withheld under the
    Pledge's minimum of 2), Merton 3 of 31 (the cheapest cell to withhold beside it)."""
    headcount, above = {MERTON: (31.0, 3.0), SUTTON: (40.0, 1.0)}.get(la, (40.0, 12.0))
    return {"agency_headcount": headcount, "agency_above_cap": above}


def figures() -> dict[str, Figures]:
    las = [la for members in geography().regions.values() for la in members]
    out = {}
    for code in MEASURED:
        needed = MEASURES[code].components
        out[code] = Figures({la: {c: components(la)[c] for c in needed} for la in las})
    return out


def test_a_share_is_withheld_with_its_withheld_count_and_the_count_stays_unknown():
    agreements, problems = load_agreements(agreement_files(), read_reference())
    assert not problems
    policy_set = compile_policies(agreements, [], NOW)
    subject = Subject(LONDON, "region", LONDON)
    released = release_period(policy_set, subject, PERIOD, 1, figures(), geography(), MEASURED)

    def row(code: str, la: str) -> dict:
        payload = released.answers[code].payload
        return next(r for r in payload["local_authorities"] if r["code"] == la)

    assert row("agency_above_cap", SUTTON)["marker"] == "c"  # small: 1 below the minimum 2
    assert row("agency_above_cap", MERTON)["marker"] == "c"  # withheld to protect Sutton
    assert row("agency_headcount", MERTON)["value"] == 30  # 31 rounded to 5
    share = row("agency_above_cap_share", MERTON)
    assert share["value"] is None and share["marker"] == "c"  # was 9.7: 3 of 31
    assert row("agency_above_cap_share", "E09000001")["value"] == 30.0  # 12 of 40 still shown

    # Everything London reads of the period, as linear constraints: Merton's count is open.
    truth = {la: components(la) for members in geography().regions.values() for la in members}
    model = Model(truth, {}, {la: r for r, las in geography().regions.items() for la in las})

    def decide(measure: str, grain: str, region: str | None, la: str | None):
        return policy_set.decide(subject, READ, Resource(measure, grain, region, la, PERIOD))

    reader = Reader(model, decide, geography(), None, LONDON)
    for answer in released.answers.values():
        reader.add_answer(answer.payload, "a")
    merton = {("la", "agency_above_cap", MERTON): reader.withheld[
        ("la", "agency_above_cap", MERTON)]}
    assert model.pinned(merton) == {}

"""Properties of what a reader sees, for any consent overrides: checked against decide()."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.simrecords import profiles
from hub.benchmarks.figures import needed
from policies.compiler import compile_policies
from policies.decision import READ, Resource, Subject
from policies.disclosure import release_aggregate
from policies.loader import load_agreements
from policies.measures import MEASURES, Kind
from policies.overrides import ConsentOverride
from policies.release import Figures, Geography, release_period
from tests.hub.benchmarks.conftest import LONDON, NORTH_EAST, PERIOD, simulated_extract
from tests.policies.conftest import agreement_files, read_reference

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
LAS = [la for la, p in profiles().items() if p.region_code in (LONDON, NORTH_EAST)]
READERS = [Subject(la, "local_authority", profiles()[la].region_code) for la in LAS[::7]] + [
    Subject(LONDON, "region", LONDON), Subject(NORTH_EAST, "region", NORTH_EAST),
    Subject("NARE", "nare")]


@cache
def agreements() -> tuple:
    loaded, problems = load_agreements(agreement_files(), read_reference())
    assert not problems
    return tuple(loaded)


@cache
def geography() -> Geography:
    regions: dict[str, list[str]] = {}
    for la, profile in profiles().items():
        regions.setdefault(profile.region_code, []).append(la)
    names = {la: p.name for la, p in profiles().items()}
    return Geography(names, {code: tuple(las) for code, las in sorted(regions.items())})


@cache
def period_figures(code: str) -> Figures:
    measure = MEASURES[code]
    las = {}
    for la in profiles():
        supplied = simulated_extract(la, PERIOD).components
        if not all(c in supplied for c in measure.components):
            continue
        las[la] = {c: supplied[c] for c in needed(measure) if c in supplied}
    return Figures(las)


def read(policy_set, subject, measure, period, figures, geo) -> tuple[dict, list[dict]]:
    """One measure's answer and refusals, from a release of that measure alone."""
    answer = release_period(policy_set, subject, period, 1, {measure.code: figures}, geo,
                            [measure.code]).answers[measure.code]
    return answer.payload, answer.refused


overrides = st.lists(st.builds(
    lambda i, la, audience, measure: ConsentOverride(
        f"w-{i}", 1, "withhold", la, "test", "test", NOW, audience=audience, measure=measure),
    st.integers(0, 10**6), st.sampled_from(LAS),
    st.sampled_from(["region_parties", "other_regions", "nare"]),
    st.sampled_from([None, "agency_headcount", "agency_rate"])),
    max_size=8, unique_by=lambda o: o.id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(withholdings=overrides, reader=st.sampled_from(READERS),
       code=st.sampled_from(["agency_headcount", "agency_rate"]))
def test_what_a_reader_sees_follows_its_decisions(withholdings, reader, code):
    policy_set = compile_policies(agreements(), withholdings, NOW)
    measure = MEASURES[code]
    stored = period_figures(code)
    payload, _ = read(policy_set, reader, measure, PERIOD, stored, geography())

    def decide(grain: str, region: str | None = None, la: str | None = None):
        return policy_set.decide(reader, READ, Resource(code, grain, region, la, PERIOD))

    for row in payload["local_authorities"]:
        decision = decide("la", row["region_code"], row["code"])
        if not decision.permit:
            assert row["value"] is None and row["marker"] == "x" and row["reason"]
        elif measure.kind is Kind.COUNT and row["value"] is not None and not row["own"]:
            rules = decision.rules
            assert row["value"] == 0 or row["value"] >= rules.min_cell_count
            assert row["value"] % rules.rounding_base == 0
    aggregates = [(r, "region", r["code"], geography().regions[r["code"]])
                  for r in payload["regions"]]
    aggregates.append((payload["national"], "national", None, tuple(profiles())))
    for shown, grain, region, members in aggregates:
        if shown["value"] is None:
            assert shown["marker"] in ("c", "x") and shown["reason"]
            continue
        counted = {la: stored.las[la] for la in members
                   if la in stored.las and decide(grain, region, la).permit}
        expected = release_aggregate(counted, measure, decide(grain, region).rules)
        assert shown["value"] == expected.number

"""Examples of each rule of decide(), on the real agreements."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import datetime, timedelta

import pytest

from policies.agreement import Agreement
from policies.compiler import compile_policies, strictest
from policies.decision import ConsentOverride, Resource, Subject
from policies.measures import MEASURES, Kind
from policies.policyset import PolicySet
from policies.rules import DisclosureRules
from tests.policies.conftest import NOW

CAMDEN = Subject("E09000007", "local_authority", "E12000007")
HACKNEY = "E09000012"
LONDON = Subject("E12000007", "region", "E12000007")
BIRMINGHAM = Subject("E08000025", "local_authority", "E12000005")
DURHAM = "E06000047"
NARE = Subject("NARE", "nare")
ADMIN = Subject("hub-admins", "admin")


def withhold(org: str, audience: str, measure: str | None = None, **kw: object
             ) -> ConsentOverride:
    fields: dict[str, object] = dict(id=f"w-{org}", version=1, kind="withhold", org_code=org,
                                     reason="board decision", author="dcs@example.org",
                                     effective_at=NOW - timedelta(days=1), audience=audience,
                                     measure=measure)
    fields.update(kw)
    return ConsentOverride(**fields)  # type: ignore[arg-type]


def suspend(org: str) -> ConsentOverride:
    return ConsentOverride(f"s-{org}", 1, "suspend", org, "unsigned agreement", "hub admin",
                           NOW - timedelta(hours=1))


def read(policy: PolicySet, subject: Subject, measure: str, grain: str, **where: str
         ) -> tuple[bool, list[str]]:
    decision = policy.decide(subject, "read", Resource(measure, grain, **where))
    return decision.permit, [c.id for c in decision.clauses]


def test_an_la_reads_its_own_figures_unrounded(policy_set: PolicySet) -> None:
    decision = policy_set.decide(CAMDEN, "read", Resource("agency_rate", "own",
                                                          la_code=CAMDEN.org_code))
    assert decision.permit and decision.rules is None and decision.audience == "self"
    assert [c.id for c in decision.clauses] == ["E12000007 v3 permission p1"]
    assert [str(a) for a in decision.agreements] == ["E12000007 v3"]


def test_no_one_else_reads_an_las_own_grain(policy_set: PolicySet) -> None:
    assert read(policy_set, CAMDEN, "agency_rate", "own", la_code=HACKNEY) == (
        False, ["default-deny"])
    assert not read(policy_set, LONDON, "agency_rate", "own", la_code=HACKNEY)[0]


def test_region_parties_read_each_la_under_the_agreements_rules(policy_set: PolicySet) -> None:
    for subject in (CAMDEN, LONDON):
        decision = policy_set.decide(subject, "read", Resource("agency_rate", "la",
                                                               la_code=HACKNEY))
        assert decision.permit and decision.audience == "region_parties"
        assert decision.rules == DisclosureRules(5, 5, 3, 0.5, 1)


def test_london_pledge_breaches_are_visible_to_boroughs_at_la_grain(
        policy_set: PolicySet) -> None:
    decision = policy_set.decide(CAMDEN, "read", Resource("mou_breaches", "la", la_code=HACKNEY))
    assert decision.permit and decision.rules is not None and decision.rules.rounding_base == 1
    assert decision.clauses[0].id == "E12000007 v3 permission p4"


def test_other_regions_see_aggregates_not_las(policy_set: PolicySet) -> None:
    assert read(policy_set, BIRMINGHAM, "agency_rate", "la", la_code=HACKNEY) == (
        False, ["default-deny"])
    assert read(policy_set, BIRMINGHAM, "agency_rate", "region", region_code="E12000007") == (
        True, ["E12000007 v3 permission p6"])


def test_a_prohibition_overrides_a_permission(policy_set: PolicySet) -> None:
    assert read(policy_set, CAMDEN, "agency_above_cap", "region", region_code="E12000005") == (
        False, ["E12000005 v3 prohibition x1"])
    # ... and keeps the region's LAs out of the national aggregate that audience sees.
    assert read(policy_set, CAMDEN, "agency_above_cap", "national", la_code="E08000025") == (
        False, ["E12000005 v3 prohibition x1"])
    assert read(policy_set, BIRMINGHAM, "agency_above_cap", "region", region_code="E12000005")[0]


def test_nare_reads_region_and_national_aggregates_only(policy_set: PolicySet) -> None:
    assert read(policy_set, NARE, "agency_rate", "national") == (
        True, ["national v1 permission n2"])
    assert read(policy_set, NARE, "agency_rate", "region", region_code="E12000002") == (
        True, ["national v1 permission n3"])
    assert not read(policy_set, NARE, "agency_rate", "la", la_code=HACKNEY)[0]


def test_a_measure_a_region_leaves_out_is_shared_with_no_one(policy_set: PolicySet) -> None:
    durham = Subject(DURHAM, "local_authority", "E12000001")
    assert read(policy_set, durham, "caseload", "own", la_code=DURHAM) == (
        False, ["E12000001 v2 measures caseload"])
    assert not read(policy_set, NARE, "caseload", "region", region_code="E12000001")[0]
    assert not read(policy_set, NARE, "caseload", "national", la_code=DURHAM)[0]


def test_las_and_regions_read_the_national_aggregate(policy_set: PolicySet) -> None:
    for subject in (CAMDEN, LONDON, BIRMINGHAM):
        assert read(policy_set, subject, "vacancy_rate", "national") == (
            True, ["national v1 permission n1"])
    assert read(policy_set, CAMDEN, "agency_above_cap", "national", la_code=CAMDEN.org_code)[0]


def test_admins_read_no_data(policy_set: PolicySet) -> None:
    decision = policy_set.decide(ADMIN, "read", Resource("agency_rate", "national"))
    assert not decision.permit and "manage" in decision.reason


def test_only_read_is_an_action(policy_set: PolicySet) -> None:
    decision = policy_set.decide(CAMDEN, "write", Resource("agency_rate", "own",
                                                           la_code=CAMDEN.org_code))
    assert not decision.permit and decision.clauses[0].id == "action"


@pytest.mark.parametrize(("subject", "resource", "reason"), [
    (CAMDEN, Resource("agency_ratio", "la", la_code=HACKNEY), "unknown measure"),
    (CAMDEN, Resource("agency_rate", "borough", la_code=HACKNEY), "unknown grain"),
    (CAMDEN, Resource("agency_rate", "la"), "needs an la_code"),
    (CAMDEN, Resource("agency_rate", "region"), "needs a region_code"),
    (CAMDEN, Resource("agency_rate", "la", la_code="E09999999"), "not a party"),
    (CAMDEN, Resource("agency_rate", "la", region_code="E12000001", la_code=HACKNEY),
     "is in E12000007, not E12000001"),
    (Subject(CAMDEN.org_code, "local_authority", "E12000001"), Resource("agency_rate", "la",
     la_code=HACKNEY), "belongs to E12000007"),
    (Subject(CAMDEN.org_code, "local_authority", "E12000001"), Resource("agency_rate",
     "national"), "belongs to E12000007"),
    (CAMDEN, Resource("agency_rate", "region", region_code="E12000007", la_code=DURHAM),
     "not a party to E12000007"),
])
def test_malformed_requests_are_denied_with_a_reason(
        policy_set: PolicySet, subject: Subject, resource: Resource, reason: str) -> None:
    decision = policy_set.decide(subject, "read", resource)
    assert not decision.permit and reason in decision.reason


def test_a_withholding_denies_that_audience_only(agreements: list[Agreement]) -> None:
    policy = compile_policies(agreements, [withhold(HACKNEY, "region_parties", "agency_rate")],
                              NOW)
    assert read(policy, CAMDEN, "agency_rate", "la", la_code=HACKNEY) == (
        False, [f"override w-{HACKNEY} v1 withhold"])
    assert read(policy, CAMDEN, "vacancy_rate", "la", la_code=HACKNEY)[0]
    hackney = Subject(HACKNEY, "local_authority", "E12000007")
    assert read(policy, hackney, "agency_rate", "la", la_code=HACKNEY)[0]
    # A withholding withholds Hackney's own figure, never Hackney from an aggregate: one
    # recomputed without it would give it back as the difference of two releases.
    assert read(policy, CAMDEN, "agency_rate", "region", region_code="E12000007")[0]
    assert read(policy, CAMDEN, "agency_rate", "region", region_code="E12000007",
                la_code=HACKNEY)[0]
    assert read(policy, BIRMINGHAM, "agency_rate", "region", region_code="E12000007",
                la_code=HACKNEY)[0]
    # The release withholds its figure as a cell, under the rules of the other LAs' figures.
    figure = policy.decide(CAMDEN, "read", Resource("agency_rate", "la", la_code=HACKNEY))
    assert figure.withheld_under is not None
    assert figure.withheld_under == policy.decide(
        CAMDEN, "read", Resource("agency_rate", "la", la_code=CAMDEN.org_code)).rules


def test_withholding_every_measure(agreements: list[Agreement]) -> None:
    policy = compile_policies(agreements, [withhold(HACKNEY, "nare")], NOW)
    # NARE sees aggregates only: Hackney stays counted in them, so NARE sees the same.
    for measure in ("agency_rate", "mou_breaches"):
        assert read(policy, NARE, measure, "national", la_code=HACKNEY)[0]
    assert read(policy, CAMDEN, "mou_breaches", "la", la_code=HACKNEY)[0]


def test_a_suspended_party_shares_and_reads_nothing_but_its_own(
        agreements: list[Agreement]) -> None:
    policy = compile_policies(agreements, [suspend(HACKNEY)], NOW)
    hackney = Subject(HACKNEY, "local_authority", "E12000007")
    assert read(policy, hackney, "agency_rate", "own", la_code=HACKNEY)[0]
    assert read(policy, hackney, "agency_rate", "la", la_code=HACKNEY)[0]
    for resource in (dict(grain="la", la_code=CAMDEN.org_code),
                     dict(grain="region", region_code="E12000007"), dict(grain="national")):
        allowed, clauses = read(policy, hackney, "agency_rate", **resource)
        assert not allowed and clauses == [f"override s-{HACKNEY} v1 suspend"]
    assert read(policy, CAMDEN, "agency_rate", "la", la_code=HACKNEY) == (
        False, [f"override s-{HACKNEY} v1 suspend"])
    # Its figures stay counted in the aggregates others read (its own are withheld).
    assert read(policy, NARE, "agency_rate", "national", la_code=HACKNEY)[0]
    assert read(policy, CAMDEN, "agency_rate", "region", region_code="E12000007",
                la_code=HACKNEY)[0]
    assert read(policy, NARE, "agency_rate", "national", la_code=CAMDEN.org_code)[0]


def test_the_latest_effective_version_of_an_override_counts(
        agreements: list[Agreement]) -> None:
    v1 = withhold(HACKNEY, "region_parties", "agency_rate")
    revoked = dataclasses.replace(v1, version=2, effective_at=NOW - timedelta(hours=2),
                                  revoked_at=NOW - timedelta(hours=1))
    future = dataclasses.replace(v1, version=3, measure="vacancy_rate",
                                 effective_at=NOW + timedelta(days=1))
    policy = compile_policies(agreements, [v1, revoked, future], NOW)
    assert policy.overrides == ()
    assert read(policy, CAMDEN, "agency_rate", "la", la_code=HACKNEY)[0]
    later = compile_policies(agreements, [v1, revoked, future], NOW + timedelta(days=2))
    assert not read(later, CAMDEN, "vacancy_rate", "la", la_code=HACKNEY)[0]


@pytest.mark.parametrize("fields", [
    dict(kind="forget"), dict(version=0), dict(reason=" "), dict(audience="self"),
    dict(measure="agency_ratio"), dict(effective_at=datetime(2026, 1, 1)),
    dict(revoked_at=NOW - timedelta(days=30)),
])
def test_malformed_overrides_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(withhold(HACKNEY, "nare"), **fields)  # type: ignore[arg-type]


def test_compile_picks_the_version_in_force(agreements: list[Agreement]) -> None:
    london = next(a for a in agreements if a.region == "E12000007")
    v4 = dataclasses.replace(london, version=4, effective_from=NOW.date() + timedelta(days=10),
                             permissions=london.permissions[:1])
    assert read(compile_policies([*agreements, v4], [], NOW), CAMDEN, "agency_rate", "la",
                la_code=HACKNEY)[0]
    later = compile_policies([*agreements, v4], [], NOW + timedelta(days=11))
    assert read(later, CAMDEN, "agency_rate", "la", la_code=HACKNEY) == (False, ["default-deny"])
    assert str(later.decide(CAMDEN, "read", Resource("agency_rate", "la", la_code=HACKNEY))
               .agreements[0]) == "E12000007 v4"


def test_an_la_whose_regional_agreement_lapsed_reads_only_the_national_aggregate(
        agreements: list[Agreement]) -> None:
    lapsed = [dataclasses.replace(a, effective_to=NOW.date() - timedelta(days=1))
              if a.region == "E12000007" else a for a in agreements]
    policy = compile_policies(lapsed, [], NOW)
    assert read(policy, CAMDEN, "agency_rate", "national") == (
        True, ["national v1 permission n1"])
    assert not read(policy, CAMDEN, "agency_rate", "own", la_code=CAMDEN.org_code)[0]
    assert not read(policy, NARE, "agency_rate", "national", la_code=CAMDEN.org_code)[0]
    assert not read(policy, NARE, "agency_rate", "region", region_code="E12000007")[0]


def test_compile_leaves_its_inputs_alone_and_the_result_is_immutable(
        agreements: list[Agreement]) -> None:
    overrides = [suspend(HACKNEY)]
    before = (copy.deepcopy(agreements), copy.deepcopy(overrides))
    policy = compile_policies(agreements, overrides, NOW)
    assert (agreements, overrides) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.at = NOW  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.grants[("x", "x", "x", "x")] = policy.grants[next(iter(policy.grants))]  # type: ignore[index]


def test_compile_needs_an_aware_time(agreements: list[Agreement]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compile_policies(agreements, [], datetime(2026, 1, 1))


def test_a_decision_explains_itself_as_json(policy_set: PolicySet) -> None:
    decision = policy_set.decide(CAMDEN, "read", Resource("agency_rate", "la", la_code=HACKNEY))
    explained = json.loads(json.dumps(decision.as_dict()))
    assert explained == {
        "permit": True, "grain": "la", "audience": "region_parties",
        "rules": {"min_cell_count": 5, "rounding_base": 5, "min_contributors": 3,
                  "dominance_share": 0.5, "rate_decimals": 1},
        "agreements": ["E12000007 v3"],
        "clauses": [{"id": "E12000007 v3 permission p3", "reason": decision.clauses[0].reason}],
    }


def test_strictest_takes_the_tighter_of_each_parameter() -> None:
    merged = strictest([DisclosureRules(5, 10, 3, 0.5, 2), DisclosureRules(7, 5, 4, 0.3, 1)])
    assert merged == DisclosureRules(7, 10, 4, 0.3, 1)


def test_nare_permissions_from_a_region_and_the_national_agreement_combine(
        agreements: list[Agreement]) -> None:
    london = next(a for a in agreements if a.region == "E12000007")
    grant = dataclasses.replace(london.permissions[-1], id="p9", audience="nare",
                                constraints=DisclosureRules(8, 1, 3, 0.6, 1))
    widened = dataclasses.replace(london, permissions=(*london.permissions, grant))
    policy = compile_policies([a if a is not london else widened for a in agreements], [], NOW)
    decision = policy.decide(NARE, "read", Resource("agency_rate", "region",
                                                    region_code="E12000007"))
    assert decision.permit and decision.rules == DisclosureRules(8, 5, 3, 0.5, 1)
    assert [c.id for c in decision.clauses] == ["E12000007 v3 permission p9",
                                                "national v1 permission n3"]


@pytest.mark.parametrize("region", [f"E1200000{i}" for i in range(1, 10)])
def test_every_region_shares_as_the_table_in_the_design_says(
        policy_set: PolicySet, agreements: list[Agreement], region: str) -> None:
    agreement = next(a for a in agreements if a.region == region)
    la = min(agreement.parties)
    neighbour = Subject(max(agreement.parties), "local_authority", region)
    outsider_region = "E12000001" if region != "E12000001" else "E12000002"
    outsider = Subject(outsider_region, "region", outsider_region)
    for measure in agreement.measures:
        prohibited = any(x.audience == "other_regions" and measure in x.measures
                         for x in agreement.prohibitions)
        assert read(policy_set, Subject(la, "local_authority", region), measure, "own",
                    la_code=la)[0]
        assert read(policy_set, neighbour, measure, "la", la_code=la)[0]
        assert read(policy_set, Subject(region, "region", region), measure, "region",
                    region_code=region)[0]
        assert not read(policy_set, outsider, measure, "la", la_code=la)[0]
        assert read(policy_set, outsider, measure, "region", region_code=region)[0] is (
            not prohibited)
        assert read(policy_set, NARE, measure, "region", region_code=region)[0]
        assert read(policy_set, NARE, measure, "national", la_code=la)[0]


@pytest.mark.parametrize("rate", [code for code, m in MEASURES.items() if m.kind is not Kind.COUNT])
def test_a_withheld_rate_cannot_be_worked_out_from_counts_released_beside_it(
        agreements: list[Agreement], rate: str) -> None:
    policy = compile_policies(agreements, [withhold(HACKNEY, "region_parties", rate)], NOW)
    released = {code for code in MEASURES
                if read(policy, CAMDEN, code, "la", la_code=HACKNEY)[0]}
    assert rate not in released
    # Every component of the rate released to Camden as a count of Hackney's own would give
    # the rate back (agency FTE beside permanent FTE is the agency rate).
    assert not set(MEASURES[rate].components) <= released
    # What is not needed to protect it stays shared.
    everything = {code for code in MEASURES
                  if read(compile_policies(agreements, [], NOW), CAMDEN, code, "la",
                          la_code=HACKNEY)[0]}
    assert everything - released <= {rate, MEASURES[rate].numerator}

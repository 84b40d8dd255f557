"""``PolicySet.contributions`` (an aggregate's contributors in one call, as a release asks
them) decides each LA exactly as ``decide`` does, consents and prohibitions included."""

from __future__ import annotations

from datetime import timedelta

from policies.compiler import compile_policies
from policies.decision import READ, Resource, Subject
from policies.loader import load_agreements
from policies.measures import MEASURES
from policies.overrides import ConsentOverride
from tests.policies.conftest import NOW, agreement_files, read_reference

LONDON, CAMDEN, HACKNEY = "E12000007", "E09000007", "E09000012"


def test_contributions_are_each_las_decision():
    regions = read_reference()
    agreements, problems = load_agreements(agreement_files(), regions)
    assert not problems
    withholding = ConsentOverride(
        id="o1", version=1, kind="withhold", org_code=HACKNEY, reason="board decision",
        author=HACKNEY, effective_at=NOW - timedelta(days=1), audience="region_parties",
        measure="agency_above_cap")
    policy_set = compile_policies(agreements, [withholding], NOW)
    every = tuple(sorted(la for las in regions.values() for la in las))
    subjects = [Subject(CAMDEN, "local_authority", LONDON), Subject(LONDON, "region", LONDON),
                Subject("E12000005", "region", "E12000005")]
    checked = 0
    for subject in subjects:
        for measure in MEASURES:
            for grain, region, las in [("national", None, every),
                                       *(("region", code, tuple(sorted(members)))
                                         for code, members in sorted(regions.items()))]:
                resource = Resource(measure, grain, region, None, "2024-Q4")
                got = policy_set.contributions(subject, READ, resource, las)
                want = tuple(policy_set.decide(subject, READ, Resource(
                    measure, grain, region, la, "2024-Q4")) for la in las)
                assert got == want, (subject, measure, grain, region)
                checked += sum(not d.permit for d in want)
    assert checked  # some LAs are refused (the withholding, West Midlands' prohibition)

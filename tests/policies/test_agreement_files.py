"""The shipped agreements validate against the real reference data and differ where they should."""

from __future__ import annotations

from policies.agreement import NATIONAL, OTHER_REGIONS, REGION_PARTIES, Agreement
from policies.measures import MEASURES
from tests.policies.conftest import AGREEMENTS, agreement_files

LA_COUNTS = {"E12000001": 12, "E12000002": 24, "E12000003": 15, "E12000004": 10,
             "E12000005": 14, "E12000006": 11, "E12000007": 33, "E12000008": 19,
             "E12000009": 15}


def by_region(agreements: list[Agreement]) -> dict[str, Agreement]:
    return {a.region: a for a in agreements}


def test_reference_data_has_the_expected_la_counts(reference: dict[str, frozenset[str]]) -> None:
    assert {code: len(las) for code, las in reference.items()} == LA_COUNTS


def test_one_file_per_region_plus_national(agreements: list[Agreement]) -> None:
    assert len(agreement_files()) == 10
    assert set(by_region(agreements)) == {*LA_COUNTS, NATIONAL}


def test_parties_are_exactly_each_regions_las(agreements: list[Agreement],
                                              reference: dict[str, frozenset[str]]) -> None:
    for region, agreement in by_region(agreements).items():
        expected = frozenset().union(*reference.values()) if region == NATIONAL else (
            reference[region])
        assert agreement.parties == expected, region


def test_london_is_the_pledge(agreements: list[Agreement]) -> None:
    london = by_region(agreements)["E12000007"]
    assert len(london.parties) == 33
    assert london.owner == "Directors of Children's Services, London"
    assert any(d.action == "publish-breaches" for d in london.duties)
    breaches = [p for p in london.permissions if p.audience == REGION_PARTIES
                and p.grain == "la" and "mou_breaches" in p.measures]
    assert len(breaches) == 1 and breaches[0].constraints is not None
    assert (AGREEMENTS / "london.yaml").exists()


def test_regions_really_differ(agreements: list[Agreement]) -> None:
    regional = [a for a in agreements if a.region != NATIONAL]
    rules = [p.constraints for a in regional for p in a.permissions if p.constraints]
    assert {r.min_cell_count for r in rules} >= {3, 10}
    assert all(3 <= r.min_cell_count <= 10 for r in rules if r.rounding_base != 1)
    assert {r.rounding_base for r in rules} >= {1, 5, 10}
    assert len({r.min_contributors for r in rules}) > 1
    assert len({r.dominance_share for r in rules}) > 1
    assert any(x.audience == OTHER_REGIONS and "agency_above_cap" in x.measures
               for a in regional for x in a.prohibitions)
    optional = {code for code, m in MEASURES.items() if m.optional}
    assert any(not (a.measures & optional) for a in regional)


def test_the_national_agreement_serves_nare_and_everyone_nationally(
        agreements: list[Agreement]) -> None:
    national = by_region(agreements)[NATIONAL]
    grants = {(p.audience, p.grain) for p in national.permissions}
    assert grants == {("nare", "region"), ("nare", "national"), (REGION_PARTIES, "national")}

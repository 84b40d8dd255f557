"""Secondary suppression and aggregates by example: one test per failure mode."""

from __future__ import annotations

import pytest

from policies.disclosure import (
    Count,
    CountTable,
    Grouping,
    Released,
    apply_rules_to_series,
    release_aggregate,
    release_measure,
    release_measure_series,
    suppress_table,
)
from policies.disclosure.released import NOT_SUPPLIED
from policies.disclosure.secondary import bridges, complementary_cells
from policies.measures import measure
from policies.rules import DisclosureRules, Marker
from tests.policies.test_disclosure_secondary import (
    recoverable,
    table_equations,
    table_released,
    withheld_names,
)

# Aggregate rules out of the way, so only primary and secondary suppression act.
LOOSE = DisclosureRules(min_cell_count=5, rounding_base=1, min_contributors=1, dominance_share=1)


def test_two_withheld_per_line_is_not_enough() -> None:
    # Two 2x2 blocks of small cells joined by the single small cell (1, 2): every line holds
    # two or more withheld cells, yet (1, 2) is a bridge and can be recovered from the totals.
    values = [
        [1, 2, 50, 60],
        [3, 4, 1, 70],
        [80, 90, 2, 3],
        [95, 85, 4, 1],
    ]
    primary = {f"{i},{j}" for i, line in enumerate(values) for j, v in enumerate(line) if v < 5}
    assert recoverable(table_equations(values), primary) == {"1,2"}
    out = suppress_table(CountTable.of("abcd", "wxyz", values), LOOSE)
    assert out.cells[1][2].is_suppressed
    assert recoverable(table_equations(values), withheld_names(table_released(out))) == set()


def test_bridge_detection_sees_parallel_edges_as_a_cycle() -> None:
    assert bridges(2, [(0, 1), (0, 1)], [0, 1]) == []
    assert bridges(3, [(0, 1), (1, 2)], [0, 1]) == [0, 1]


def test_complement_is_the_cheapest_cell_that_closes_a_cycle() -> None:
    added = complementary_cells(2, [(0, 1)] * 3, [0], lambda: [None, 40.0, 7.0])
    assert added == {2: 0}


def test_single_withheld_la_gets_the_smallest_released_la_as_complement() -> None:
    values = {"E1": Count(3), "E2": Count(40), "E3": Count(9), "E4": Count(25)}
    out = apply_rules_to_series(values, LOOSE)
    assert out.values["E1"].reason == "primary: count below 5"
    assert out.values["E3"] == Released(Marker.SUPPRESSED, "secondary: protects the value of E1")
    assert out.values["E2"] == Released(40)
    assert out.total == Released(77)


def test_zero_is_the_last_choice_as_a_complement() -> None:
    values = {"E1": Count(3), "E2": Count(0), "E3": Count(50)}
    out = apply_rules_to_series(values, LOOSE)
    assert out.values["E2"] == Released(0)
    assert out.values["E3"].is_suppressed


def test_two_withheld_las_need_no_complement() -> None:
    values = {"E1": Count(3), "E2": Count(2), "E3": Count(50)}
    out = apply_rules_to_series(values, LOOSE)
    assert [v.is_suppressed for v in out.values.values()] == [True, True, False]


def test_withheld_region_total_is_not_left_to_be_read_off_the_national_total() -> None:
    rules = DisclosureRules(min_cell_count=5, rounding_base=1, min_contributors=2)
    values = {"A1": Count(30), "B1": Count(20), "B2": Count(25), "C1": Count(22), "C2": Count(21)}
    groups = {"A": ["A1"], "B": ["B1", "B2"], "C": ["C1", "C2"]}
    out = apply_rules_to_series(values, rules, groups)
    assert out.group_totals["A"].reason == "aggregate: 1 contributors below minimum 2"
    hidden = [name for name, v in out.group_totals.items() if v.is_suppressed]
    assert len(hidden) >= 2 or out.total.is_suppressed
    assert out.values["A1"].is_suppressed


def test_dominated_column_total_is_withheld() -> None:
    rules = DisclosureRules(min_cell_count=5, rounding_base=1, min_contributors=2)
    out = suppress_table(CountTable.of(["E1", "E2", "E3"], ["k"], [[90], [6], [5]]), rules)
    assert out.column_totals[0].reason == (
        "aggregate: one LA makes up more than the 50% dominance limit of the total"
    )


def test_missing_cells_are_x_and_left_out_of_the_totals() -> None:
    out = suppress_table(CountTable.of(["E1", "E2"], ["k", "m"], [[None, 20], [30, 40]]), LOOSE)
    assert out.cells[0][0] == Released(Marker.NOT_AVAILABLE, "not supplied")
    assert out.row_totals[0] == Released(20)
    assert out.grand_total == Released(90)


def test_a_line_with_nothing_supplied_has_an_x_total() -> None:
    out = suppress_table(CountTable.of(["E1", "E2"], ["k"], [[None], [30]]), LOOSE)
    assert out.row_totals[0].value is Marker.NOT_AVAILABLE


def test_withheld_cells_without_their_released_totals_are_refused() -> None:
    withheld = Released(Marker.SUPPRESSED, "primary: count below 5")
    with pytest.raises(ValueError, match="carried from their release"):
        suppress_table(CountTable(("E1",), ("k",), ((withheld,),)), LOOSE)


def test_a_table_carries_all_its_totals_or_none() -> None:
    with pytest.raises(ValueError, match="all the totals"):
        CountTable(("E1",), ("k",), ((Count(5),),), row_totals=(Released(5),))


def test_an_la_in_two_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one group"):
        apply_rules_to_series({"E1": Count(5)}, LOOSE, {"A": ["E1"], "B": ["E1"]})


AGENCY_HEADCOUNT = measure("agency_headcount")
AGENCY_RATE = measure("agency_rate")
RULES = DisclosureRules(min_cell_count=5, rounding_base=5, min_contributors=3)


def headcounts(*values: float | None) -> dict[str, dict[str, float | None]]:
    return {f"E{i}": {"agency_headcount": v} for i, v in enumerate(values)}


def test_aggregate_below_the_contributor_minimum_is_withheld() -> None:
    released = release_aggregate(headcounts(20, 30), AGENCY_HEADCOUNT, RULES)
    assert released == Released(Marker.SUPPRESSED, "aggregate: 2 contributors below minimum 3")


def test_an_la_that_supplied_nothing_is_not_a_contributor() -> None:
    released = release_aggregate(headcounts(20, 30, None), AGENCY_HEADCOUNT, RULES)
    assert released.reason == "aggregate: 2 contributors below minimum 3"


def test_aggregate_dominated_by_one_la_is_withheld_without_naming_it() -> None:
    released = release_aggregate(headcounts(62, 20, 18), AGENCY_HEADCOUNT, RULES)
    assert released == Released(
        Marker.SUPPRESSED,
        "aggregate: one LA makes up more than the 50% dominance limit of the numerator",
    )


def test_rate_aggregate_dominated_in_its_denominator_is_withheld() -> None:
    contributions = {
        f"E{i}": {"agency_fte": a, "permanent_fte": p}
        for i, (a, p) in enumerate([(10.0, 300.0), (9.0, 20.0), (8.0, 20.0)])
    }
    released = release_aggregate(contributions, AGENCY_RATE, RULES)
    assert released.reason.endswith("dominance limit of the denominator")


def test_aggregate_of_enough_undominated_las_is_released_and_rounded() -> None:
    assert release_aggregate(headcounts(20, 30, 22), AGENCY_HEADCOUNT, RULES) == Released(70)


def test_rate_aggregate_sums_numerators_and_denominators() -> None:
    contributions = {
        f"E{i}": {"agency_fte": a, "permanent_fte": p}
        for i, (a, p) in enumerate([(10.0, 30.0), (9.0, 31.0), (1.0, 19.0)])
    }
    assert release_aggregate(contributions, AGENCY_RATE, RULES) == Released(20.0)


def test_aggregate_that_is_small_is_still_primary_suppressed() -> None:
    released = release_aggregate(headcounts(1, 1, 2), AGENCY_HEADCOUNT, RULES)
    assert released.reason == "primary: count below 5"


def test_aggregate_with_no_contributors_is_x() -> None:
    released = release_aggregate(headcounts(None, None), AGENCY_HEADCOUNT, RULES)
    assert released.value is Marker.NOT_AVAILABLE


def test_an_la_of_a_group_missing_from_the_values_is_x() -> None:
    out = apply_rules_to_series({"E1": Count(30)}, LOOSE, {"A": ["E1", "E2"]})
    assert out.values["E2"] == Released(Marker.NOT_AVAILABLE, "not supplied")
    assert out.group_totals["A"] == Released(30)


def test_an_la_in_no_group_is_refused() -> None:
    with pytest.raises(ValueError, match="in no group: \\['E9'\\]"):
        apply_rules_to_series({"E1": Count(30), "E9": Count(6)}, LOOSE, {"A": ["E1"]})


def test_a_grouping_is_built_once_and_reused() -> None:
    regions = Grouping.of({"A": ["E1", "E2"], "B": ["E3", "E4"]})
    out = apply_rules_to_series(
        {"E1": Count(30), "E2": Count(40), "E3": Count(3), "E4": Count(50)}, LOOSE, regions
    )
    assert list(out.values) == ["E1", "E2", "E3", "E4"]
    # E3 and E4 withheld together leave B's total released: it fixes only their sum.
    assert out.values["E3"].is_suppressed
    assert out.values["E4"].is_suppressed
    assert out.group_totals == {"A": Released(70), "B": Released(53)}


def test_a_flat_grouping_has_no_group_totals() -> None:
    out = apply_rules_to_series({"E1": Count(30)}, LOOSE, Grouping.flat(["E1"]))
    assert out.group_totals == {}
    assert out.total == Released(30)


def test_fte_series_is_governed_by_headcounts() -> None:
    components = {
        "E1": {"agency_fte": 3.5, "agency_headcount": 6},
        "E2": {"agency_fte": 6.0, "agency_headcount": 4},
        "E3": {"agency_fte": 20.0, "agency_headcount": 22},
    }
    out = release_measure_series(measure("agency_fte"), components, LOOSE)
    assert out.values["E2"].reason == "primary: count below 5"
    assert out.values["E1"].reason == "secondary: protects the value of E2"
    # 3.5 FTE of 6 people is released, and as at least k: never as a figure k would withhold.
    assert release_measure(measure("agency_fte"), components["E1"], LOOSE) == Released(5)


def test_rate_series_releases_region_and_national_aggregates() -> None:
    rules = DisclosureRules(rounding_base=5, min_contributors=2, dominance_share=0.6)
    components = {
        la: {"agency_fte": a, "permanent_fte": p}
        for la, a, p in [("E1", 10.0, 30.0), ("E2", 9.0, 31.0), ("E3", 2.0, 40.0)]
    }
    regions = {"A": ["E1", "E2"], "B": ["E3"]}
    out = release_measure_series(measure("agency_rate"), components, rules, regions)
    assert out.values == {
        "E1": Released(25.0),
        "E2": Released(22.5),
        "E3": Released(Marker.SUPPRESSED, "primary: numerator below 5"),
    }
    assert out.group_totals["A"] == Released(23.8)
    assert out.group_totals["B"].reason == "aggregate: 1 contributors below minimum 2"
    assert out.total == Released(17.2)


def test_secondary_reason_names_the_cell_it_protects() -> None:
    out = suppress_table(CountTable.of(["E1", "E2"], ["k", "m"], [[3, 20], [30, 40]]), LOOSE)
    assert out.cells[0][0].reason == "primary: count below 5"
    protecting = {c.reason for line in out.cells for c in line if c.reason.startswith("secondary")}
    assert protecting == {"secondary: protects the cell in row E1, column k"}


def test_a_cell_no_complement_can_protect_is_an_error_not_a_silent_release() -> None:
    with pytest.raises(ValueError, match="determined by the table's structure"):
        complementary_cells(3, [(0, 1), (1, 2)], [0], lambda: [None, 5.0])


def test_released_values_print_as_dfe_symbols_or_plain_numbers() -> None:
    assert [str(v) for v in (Released(12345680), Released(30.4))] == ["12345680", "30.4"]
    assert str(Released(Marker.SUPPRESSED, "primary: count below 5")) == "c"


def test_reason_for_others_does_not_tell_small_cells_from_their_complements() -> None:
    values = {"E1": Count(1), "E2": Count(5), "E3": Count(40)}
    out = apply_rules_to_series(values, LOOSE)
    # With the reasons, E1 + E2 = 6 and E2 >= 5 would pin E1 to 1.
    assert out.values["E1"].reason_for_others == out.values["E2"].reason_for_others
    assert out.values["E1"].reason_for_others == "confidential: withheld by disclosure control"
    assert NOT_SUPPLIED.reason_for_others == "not supplied"

"""Primary suppression and rounding of single figures: one test per failure mode."""

from __future__ import annotations

import pytest

from policies.disclosure import (
    Count,
    Released,
    release_count,
    release_measure,
    release_rate,
    round_count,
    round_rate,
)
from policies.measures import Kind, measure
from policies.rules import DisclosureRules, Marker

RULES = DisclosureRules(min_cell_count=5, rounding_base=5, rate_decimals=1)


@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_count_below_k_is_withheld_with_a_primary_reason(value: int) -> None:
    released = release_count(Count(value), RULES)
    assert released == Released(Marker.SUPPRESSED, "primary: count below 5")


def test_reason_never_quotes_the_withheld_value() -> None:
    assert "3" not in release_count(Count(3), RULES).reason


def test_zero_count_is_released_as_zero() -> None:
    assert release_count(Count(0), RULES) == Released(0)


def test_count_at_the_minimum_is_released() -> None:
    assert release_count(Count(5), RULES) == Released(5)


def test_missing_count_is_x_not_zero() -> None:
    assert release_count(Count(None), RULES) == Released(Marker.NOT_AVAILABLE, "not supplied")


def test_fte_is_governed_by_its_headcount_not_its_value() -> None:
    assert release_count(Count(3.5, people=6), RULES).is_number
    assert release_count(Count(6.0, people=3), RULES).is_suppressed


def test_fte_without_headcount_is_compared_by_its_value() -> None:
    assert release_count(Count(4.5), RULES).is_suppressed


def test_fte_with_zero_people_but_a_value_is_withheld() -> None:
    assert release_count(Count(2.0, people=0), RULES).is_suppressed


@pytest.mark.parametrize(("value", "rounded"), [(12, 10), (12.5, 15), (13, 15), (17.5, 20)])
def test_counts_round_half_up_to_the_base(value: float, rounded: int) -> None:
    assert round_count(value, RULES) == rounded


def test_non_zero_count_never_rounds_to_zero_when_k_is_below_half_the_base() -> None:
    rules = DisclosureRules(min_cell_count=2, rounding_base=10)
    assert release_count(Count(3), rules) == Released(10)


def test_count_never_rounds_below_k_when_k_is_not_a_multiple_of_the_base() -> None:
    rules = DisclosureRules(min_cell_count=7, rounding_base=5)
    assert release_count(Count(7), rules) == Released(10)
    assert release_count(Released(10), rules) == Released(10)


def test_fte_is_rounded_to_the_base_too() -> None:
    assert release_count(Count(23.4, people=25), RULES) == Released(25)


def test_released_marker_passes_through_unchanged() -> None:
    marker = Released(Marker.SUPPRESSED, "secondary: protects the total")
    assert release_count(marker, RULES) is marker


def test_rate_is_computed_from_unrounded_counts() -> None:
    # 7/23 is 30.4%; from the rounded counts 5/25 it would be 20%.
    assert release_rate(Count(7), Count(23), Kind.RATE, RULES) == Released(30.4)


def test_ratio_is_not_multiplied_by_a_hundred() -> None:
    assert release_rate(Count(90), Count(6), Kind.RATIO, RULES) == Released(15.0)


@pytest.mark.parametrize(("value", "decimals", "rounded"), [(12.5, 0, 13), (0.15, 1, 0.2)])
def test_rates_round_half_up(value: float, decimals: int, rounded: float) -> None:
    assert round_rate(value, DisclosureRules(rate_decimals=decimals)) == rounded


def test_rate_with_small_numerator_is_withheld() -> None:
    released = release_rate(Count(3), Count(40), Kind.RATE, RULES)
    assert released == Released(Marker.SUPPRESSED, "primary: numerator below 5")


def test_rate_with_small_denominator_is_withheld() -> None:
    released = release_rate(Count(6), Count(4), Kind.RATIO, RULES)
    assert released == Released(Marker.SUPPRESSED, "primary: denominator below 5")


def test_rate_with_zero_numerator_is_released_as_zero() -> None:
    assert release_rate(Count(0), Count(40), Kind.RATE, RULES) == Released(0.0)


def test_rate_over_zero_denominator_is_z() -> None:
    released = release_rate(Count(0), Count(0), Kind.RATE, RULES)
    assert released == Released(Marker.NOT_APPLICABLE, "zero denominator")


def test_rate_with_a_missing_count_is_x() -> None:
    assert release_rate(Count(4), Count(None), Kind.RATE, RULES).value is Marker.NOT_AVAILABLE


def test_release_rate_refuses_a_count_measure() -> None:
    with pytest.raises(ValueError, match="release_count"):
        release_rate(Count(5), Count(10), Kind.COUNT, RULES)


def test_agency_rate_is_governed_by_the_headcounts_behind_its_fte() -> None:
    agency_rate = measure("agency_rate")
    components = {
        "agency_fte": 4.0,
        "agency_headcount": 6,
        "permanent_fte": 36.0,
        "permanent_headcount": 40,
    }
    assert release_measure(agency_rate, components, RULES) == Released(10.0)
    small = components | {"agency_headcount": 4}
    assert release_measure(agency_rate, small, RULES).is_suppressed


def test_optional_measure_not_supplied_is_x() -> None:
    released = release_measure(measure("caseload"), {"cases": None}, RULES)
    assert released.value is Marker.NOT_AVAILABLE


def test_a_marker_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        Released(Marker.SUPPRESSED)


def test_a_number_carries_no_reason() -> None:
    with pytest.raises(ValueError, match="no reason"):
        Released(5, "primary: count below 5")


def test_a_marker_has_no_number() -> None:
    with pytest.raises(ValueError, match="no number released"):
        _ = release_count(Count(2), RULES).number


@pytest.mark.parametrize("count", [Count(-1), Count(6.0, people=-1)])
def test_negative_counts_are_refused(count: Count) -> None:
    with pytest.raises(ValueError, match="negative"):
        release_count(count, RULES)


def test_rates_over_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        release_rate(Count(-6), Count(40), Kind.RATE, RULES)


def test_rate_whose_complement_is_small_is_withheld_when_the_numerator_is_within() -> None:
    # 40 agency staff of 42: the rate would tell there are two permanent staff.
    released = release_rate(Count(40), Count(42), Kind.RATE, RULES, within=True)
    assert released == Released(Marker.SUPPRESSED, "primary: denominator less numerator below 5")
    assert release_rate(Count(40), Count(42), Kind.RATE, RULES).is_number


def test_agency_rate_complement_is_judged_on_headcounts() -> None:
    components = {
        "agency_fte": 38.0,
        "agency_headcount": 40,
        "permanent_fte": 1.5,
        "permanent_headcount": 2,
    }
    assert release_measure(measure("agency_rate"), components, RULES).is_suppressed
    # Turnover's leavers are not part of the staff in post: no complement to protect.
    turnover = {"leavers_12m_fte": 6.0, "permanent_fte": 8.0}
    assert release_measure(measure("turnover_rate"), turnover, RULES) == Released(75.0)

"""Benchmark statistics over released figures, and aggregates under random rules."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.benchmark_stats import Quartiles, quartile_of, quartiles, rank, released_numbers
from policies.disclosure import Released, release_aggregate
from policies.measures import measure
from policies.rules import DisclosureRules, Marker
from tests.policies.test_disclosure_secondary import rules_strategy


def test_markers_are_left_out_not_counted_as_zero() -> None:
    values = [Released(10), Released(Marker.SUPPRESSED, "primary: count below 5"), Released(0)]
    assert released_numbers(values) == [10, 0]


def test_quartiles_use_the_inclusive_method() -> None:
    assert quartiles([1, 2, 3, 4]) == Quartiles(1.75, 2.5, 3.25)


def test_quartiles_of_one_value_are_that_value() -> None:
    assert quartiles([7.0]) == Quartiles(7.0, 7.0, 7.0)


def test_quartiles_of_nothing_are_none() -> None:
    assert quartiles([]) is None
    assert quartile_of(3.0, []) is None


def test_rank_is_competition_rank_highest_first_by_default() -> None:
    assert rank(20, [30, 20, 20, 10]) == 2
    assert rank(20, [30, 20, 20, 10], highest_first=False) == 2
    assert rank(10, [30, 20, 20, 10], highest_first=False) == 1


def test_quartile_bands() -> None:
    among = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [quartile_of(v, among) for v in (1, 2.5, 3.5, 5)] == [1, 2, 3, 4]


@given(st.lists(st.floats(0, 1000), min_size=2, max_size=30))
def test_quartiles_bracket_the_median(values: list[float]) -> None:
    q = quartiles(values)
    assert q is not None
    assert q.lower <= q.median <= q.upper
    assert q.median == statistics.median(values)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=8), rules_strategy)
def test_aggregates_respect_the_contributor_minimum_and_dominance_limit(
    values: list[int | None], rules: DisclosureRules
) -> None:
    contributions = {f"E{i}": {"agency_headcount": v} for i, v in enumerate(values)}
    released = release_aggregate(
        contributions, measure("agency_headcount"), rules
    )
    parts = [v for v in values if v is not None]
    if not parts:
        assert released.value is Marker.NOT_AVAILABLE
        return
    assert released.value is not Marker.NOT_AVAILABLE
    if released.is_number:
        assert len(parts) >= rules.min_contributors
        assert sum(parts) == 0 or max(parts) <= rules.dominance_share * sum(parts)
        assert not 0 < sum(parts) < rules.min_cell_count
        assert released.number % rules.rounding_base == 0

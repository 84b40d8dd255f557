"""A count broken down across LAs as one table: rows add up to the LAs' counts, and the table
released with its margins gives nothing withheld away (checked by exact elimination)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.disclosure import NOT_GIVEN, breakdown_columns, breakdown_table, suppress_table
from policies.disclosure.breakdowns import breakdown_row
from policies.measures import BREACH_TYPES, MEASURES, ROLES
from policies.rules import DisclosureRules
from tests.policies.test_disclosure_secondary import (
    recoverable,
    rules_strategy,
    table_equations,
    table_released,
    withheld_names,
)

BREACHES = MEASURES["mou_breaches"]
small = st.one_of(st.integers(0, 3), st.integers(0, 12), st.integers(0, 40))


@st.composite
def breach_las(draw: st.DrawFn) -> dict[str, tuple[dict | None, dict | None]]:
    """LAs with their components and breach-type breakdown: split by type (some types left
    out), given whole, or not supplied."""
    las = {}
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["split", "split", "whole", "none"]))
        if kind == "none":
            las[f"E{i:02d}"] = (None, None)
            continue
        if kind == "whole":
            las[f"E{i:02d}"] = ({"mou_breaches": float(draw(small))}, None)
            continue
        types = draw(st.lists(st.sampled_from(BREACH_TYPES), unique=True))
        split = {t: {"mou_breaches": float(draw(small))} for t in types}
        total = math.fsum(v["mou_breaches"] for v in split.values())
        las[f"E{i:02d}"] = ({"mou_breaches": total}, split)
    return las


def table_of(las: dict) -> object:
    return breakdown_table(BREACHES, "breach_type", {la: c for la, (c, _) in las.items()},
                           {la: b for la, (_, b) in las.items() if b is not None})


@settings(max_examples=300, deadline=None)
@given(breach_las())
def test_each_row_adds_up_to_the_las_count(las):
    table = table_of(las)
    assert table.columns == (*BREACH_TYPES, NOT_GIVEN) == breakdown_columns("breach_type")
    for (components, split), line in zip(las.values(), table.cells, strict=True):
        supplied = [c.value for c in line if c.value is not None]
        if components is None:
            assert supplied == []
        else:
            assert math.fsum(supplied) == components["mou_breaches"]
            given_whole = split is None
            assert (line[-1].value == components["mou_breaches"]) if given_whole else (
                line[-1].value == 0)
            # Types are x where the LA gave none, and zero where it left one out.
            assert all((c.value is None) == given_whole for c in line[:-1])


@settings(max_examples=300, deadline=None)
@given(breach_las(), rules_strategy)
def test_a_released_breakdown_gives_no_withheld_cell_away(las, rules: DisclosureRules):
    table = table_of(las)
    out = suppress_table(table, rules)
    values = [[c.value for c in line] for line in table.cells]
    assert recoverable(table_equations(values), withheld_names(table_released(out))) == set()
    for line, released in zip(values, out.cells, strict=True):
        for value, cell in zip(line, released, strict=True):
            if value is not None and 0 < value < rules.min_cell_count:
                assert cell.is_suppressed
            if cell.is_number:
                assert cell.number % rules.rounding_base == 0


@st.composite
def fte_by_role(draw: st.DrawFn) -> tuple[dict, dict]:
    people = {r: draw(st.integers(0, 12)) for r in ROLES}
    fte = {r: p * draw(st.sampled_from([0.5, 0.8, 1.0])) for r, p in people.items()}
    split = {r: {"agency_fte": fte[r], "agency_headcount": float(people[r])} for r in ROLES}
    components = {"agency_fte": math.fsum(fte.values()),
                  "agency_headcount": float(sum(people.values()))}
    return components, split


@settings(max_examples=200, deadline=None)
@given(fte_by_role(), rules_strategy)
def test_fte_cells_are_governed_by_their_headcounts(la, rules: DisclosureRules):
    components, split = la
    line = breakdown_row(MEASURES["agency_fte"], "role", components, split)
    assert [c.people for c in line[:-1]] == [split[r]["agency_headcount"] for r in ROLES]
    out = suppress_table(breakdown_table(MEASURES["agency_fte"], "role", {"E01": components},
                                         {"E01": split}), rules)
    for role, cell in zip(ROLES, out.cells[0], strict=False):
        if 0 < split[role]["agency_headcount"] < rules.min_cell_count:
            assert cell.is_suppressed


@pytest.mark.parametrize("measure, dimension, message", [
    ("agency_rate", "role", "only counts add up across a breakdown, not agency_rate"),
    ("mou_breaches", "role", "mou_breaches is not broken down by role"),
    ("starters_fte", "role", "starters_fte is not broken down by role"),
])
def test_only_a_count_along_its_own_dimension_makes_a_table(measure, dimension, message):
    with pytest.raises(ValueError, match=message):
        breakdown_table(MEASURES[measure], dimension, {"E01": None}, {})

"""A count measure broken down across LAs, as one table to release with its margins.

Rows are LAs, columns the categories of one breakdown dimension (breach types, roles) and a
last column, ``NOT_GIVEN``, for the count of an LA that did not break the measure down. So
every row adds up to the LA's whole count, and its row total is the LA's figure: the LA list
and the breakdown can be released as one table, and nothing withheld from one is recoverable
from the other.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.disclosure.primary import measure_counts
from policies.disclosure.released import Count
from policies.disclosure.tables import CountTable
from policies.measures import BREAKDOWNS, Kind, Measure

#: The column of an LA's count that it gave no breakdown of.
NOT_GIVEN = "not_given"

#: One LA's breakdown along one dimension: category -> the components within it.
Breakdown = Mapping[str, Mapping[str, float]]

_NONE = Count(None)
_ZERO = Count(0.0)


def breakdown_columns(dimension: str) -> tuple[str, ...]:
    """The columns of a table broken down by ``dimension``: its categories, then NOT_GIVEN."""
    return (*BREAKDOWNS[dimension], NOT_GIVEN)


def breakdown_row(
    measure: Measure,
    dimension: str,
    components: Mapping[str, float] | None,
    breakdown: Breakdown | None,
) -> tuple[Count, ...]:
    """One LA's cells, one per column of ``breakdown_columns(dimension)``.

    An LA that broke the measure down has its count by category (a category it left out is
    zero: the extract contract makes the categories add up to the total) and zero not given.
    One that did not has its whole count not given, and its categories not supplied (``x``,
    not zero: nothing says it had none of them). One that supplied nothing has no cell at all.
    """
    categories = BREAKDOWNS[dimension]
    if components is None:
        return (_NONE,) * (len(categories) + 1)
    if breakdown is None:
        return (*(_NONE,) * len(categories), measure_counts(measure, components)[0])
    cells = tuple(
        measure_counts(measure, {measure.numerator: 0.0, **breakdown.get(category, {})})[0]
        for category in categories
    )
    return (*cells, _ZERO)


def breakdown_table(
    measure: Measure,
    dimension: str,
    components: Mapping[str, Mapping[str, float] | None],
    breakdowns: Mapping[str, Breakdown],
) -> CountTable:
    """The table of ``measure`` by ``dimension`` over the LAs of ``components`` (LA code ->
    its components, None when it supplied none), in their order; ``breakdowns`` holds the
    LAs' breakdowns along ``dimension`` (LA code -> category -> components), where given."""
    if measure.kind is not Kind.COUNT:
        raise ValueError(f"only counts add up across a breakdown, not {measure.code}")
    if dimension not in measure.breakdowns:
        raise ValueError(f"{measure.code} is not broken down by {dimension}")
    return CountTable(
        tuple(components),
        breakdown_columns(dimension),
        tuple(
            breakdown_row(measure, dimension, supplied, breakdowns.get(la))
            for la, supplied in components.items()
        ),
    )

"""Statistical disclosure control of every figure that leaves the hub for anyone but its supplier.

Pure functions of the figures and a ``DisclosureRules``:

- ``release_count`` / ``release_rate`` / ``release_measure``: primary suppression and rounding of
  one figure (``primary``, ``rounding``);
- ``suppress_table``: a grid of counts with its margins (``tables``), and
  ``breakdown_table``: a count measure by LA and breakdown category as such a grid
  (``breakdowns``);
- ``apply_rules_to_series``: counts across LAs with region and national totals, and
  ``release_measure_series``: any measure across LAs from their components (``series``);
- ``release_aggregate``: a measure over several LAs released on its own (``aggregates``).

Withheld figures carry a DfE marker (c, x, z) and a reason, never a zero or a gap. The choices,
each documented where it is made: zero is released; an FTE figure is governed by its headcount
where supplied; a released non-zero count is at least the first multiple of the base >= k;
totals released beside their parts are aggregates over LAs (contributor minimum, dominance)
and are protected by secondary suppression, computed on the graph of the table's equations so
that no withheld cell can be recovered exactly; applying the rules to released output changes
nothing.
"""

from __future__ import annotations

from policies.disclosure.aggregates import aggregate_objection, release_aggregate
from policies.disclosure.breakdowns import NOT_GIVEN, breakdown_columns, breakdown_table
from policies.disclosure.primary import release_count, release_measure, release_rate
from policies.disclosure.released import Count, Released, Supplied
from policies.disclosure.rounding import round_count, round_rate, smallest_released_count
from policies.disclosure.series import (
    Grouping,
    ReleasedSeries,
    apply_rules_to_series,
    release_measure_series,
)
from policies.disclosure.tables import CountTable, ReleasedTable, suppress_table

__all__ = [
    "NOT_GIVEN",
    "Count",
    "CountTable",
    "Grouping",
    "Released",
    "ReleasedSeries",
    "ReleasedTable",
    "Supplied",
    "aggregate_objection",
    "apply_rules_to_series",
    "breakdown_columns",
    "breakdown_table",
    "release_aggregate",
    "release_count",
    "release_measure",
    "release_measure_series",
    "release_rate",
    "round_count",
    "round_rate",
    "smallest_released_count",
    "suppress_table",
]

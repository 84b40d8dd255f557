"""Summary statistics of a benchmark, computed from released figures only.

Statistics over unreleased figures could give away what disclosure control withheld (the median
of an odd list is one of its values), so every function here takes the released values and
ignores markers. Quartiles use ``statistics.quantiles(n=4, method="inclusive")``: the sample
is treated as the whole population of LAs (it is: every LA that released a value), and the
median of two values is their mean, as in a spreadsheet's QUARTILE.INC.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from policies.disclosure.released import Released


@dataclass(frozen=True)
class Quartiles:
    """The lower quartile, median and upper quartile of a set of released values."""

    lower: float
    median: float
    upper: float


def released_numbers(values: Iterable[Released]) -> list[float]:
    """The numbers among ``values``, in order; markers are left out, never counted as zero."""
    return [v.number for v in values if v.is_number]


def quartiles(values: Iterable[float]) -> Quartiles | None:
    """Quartiles of ``values`` (inclusive method), or None when there are none."""
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return Quartiles(data[0], data[0], data[0])
    lower, median, upper = statistics.quantiles(data, n=4, method="inclusive")
    return Quartiles(lower, median, upper)


def rank(value: float, among: Iterable[float], highest_first: bool = True) -> int:
    """``value``'s standard competition rank (1, 2, 2, 4) among ``among`` and itself."""
    if highest_first:
        return 1 + sum(1 for other in among if other > value)
    return 1 + sum(1 for other in among if other < value)


def quartile_of(value: float, among: Iterable[float]) -> int | None:
    """Which quarter ``value`` falls in among ``among``: 1 at or below the lower quartile,
    2 at or below the median, 3 at or below the upper quartile, 4 above; None when empty."""
    bounds = quartiles(among)
    if bounds is None:
        return None
    if value <= bounds.lower:
        return 1
    if value <= bounds.median:
        return 2
    return 3 if value <= bounds.upper else 4

"""Rounding of released figures: counts to the rules' base, rates to the rules' decimals.

FTE figures are counts here too and round to the same base: 23.4 FTE beside a headcount
rounded to 25 would give back what rounding the headcount hides. Rates and ratios are computed
from the unrounded figures first, then rounded, so rounding never compounds.
"""

from __future__ import annotations

import math
from functools import lru_cache

from policies.disclosure.released import Released
from policies.rules import DisclosureRules

# Binary floating point stores 0.15 as 0.1499...; half-up should still round it up.
_HALF_TOLERANCE = 1e-9


def smallest_released_count(rules: DisclosureRules) -> int:
    """The smallest non-zero count that can be released: the first multiple of the base >= k."""
    base = rules.rounding_base
    return -(-rules.min_cell_count // base) * base


def round_count(value: float, rules: DisclosureRules) -> int:
    """``value`` rounded half up to a multiple of the base, never below the smallest release.

    A count that passed primary suppression is at least k, but k need not be a multiple of the
    base: with k=7 and base 5, 7 would round to 5 and look like a count primary suppression
    withholds, and with k=2 and base 10, 3 would round to 0. So a non-zero value is released
    as at least the first multiple of the base that is >= k (an error still below one base),
    which also makes rounding idempotent under the same rules.
    """
    if value == 0:
        return 0
    base = rules.rounding_base
    rounded = math.floor(value / base + 0.5 + _HALF_TOLERANCE) * base
    floor = -(-rules.min_cell_count // base) * base  # smallest_released_count, inlined: hot
    return rounded if rounded >= floor else floor


def round_rate(value: float, rules: DisclosureRules) -> float:
    """``value`` rounded half up to the rules' decimal places."""
    scale = 10.0**rules.rate_decimals
    return math.floor(value * scale + 0.5 + _HALF_TOLERANCE) / scale


@lru_cache(maxsize=4096)
def released_number(value: float) -> Released:
    """The released value for ``value``; shared instances, since rounding repeats them a lot."""
    return Released(value)

"""Primary suppression: withhold small counts, and rates built on small counts, then round.

Zero is released: a zero count says no one is in the cell, which identifies no one, and DfE's
own statistics release zeros. Counts from 1 to k-1 are withheld. A rate or ratio is withheld
when its numerator or its denominator is from 1 to k-1 (a zero numerator over a large
denominator is a released 0). Where a figure is FTE the headcount behind it, when supplied,
is what is compared with k (see ``Count.people``).
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.disclosure.released import (
    NOT_SUPPLIED,
    PRIMARY,
    ZERO_DENOMINATOR,
    Count,
    Released,
    Supplied,
    withheld,
)
from policies.disclosure.rounding import released_number, round_count, round_rate
from policies.measures import COMPONENTS, Kind, Measure
from policies.rules import DisclosureRules


def is_small(count: Count, rules: DisclosureRules) -> bool:
    """True when the count's governing figure is from 1 to k-1 (non-zero and below k)."""
    governing = count.governing
    return governing is not None and 0 < governing < rules.min_cell_count


def release_count(count: Supplied, rules: DisclosureRules) -> Released:
    """A count released under ``rules``: x when missing, c when small, else rounded to the base."""
    if isinstance(count, Released):
        if not count.is_number:
            return count
        count = Count(count.number)
    if count.value is None:
        return NOT_SUPPLIED
    if is_small(count, rules) or (count.people == 0 and count.value > 0):
        return withheld(f"{PRIMARY}: count below {rules.min_cell_count}")
    return released_number(round_count(count.value, rules))


def release_rate(
    numerator: Count, denominator: Count, kind: Kind, rules: DisclosureRules
) -> Released:
    """A rate (x 100) or ratio released under ``rules``, computed from the unrounded counts."""
    if kind is Kind.COUNT:
        raise ValueError("release_rate needs a rate or ratio measure; use release_count")
    if numerator.value is None or denominator.value is None:
        return NOT_SUPPLIED
    if denominator.value == 0:
        return ZERO_DENOMINATOR
    k = rules.min_cell_count
    if is_small(numerator, rules):
        return withheld(f"{PRIMARY}: numerator below {k}")
    if is_small(denominator, rules):
        return withheld(f"{PRIMARY}: denominator below {k}")
    ratio = numerator.value / denominator.value
    return released_number(round_rate(ratio * 100 if kind is Kind.RATE else ratio, rules))


def measure_counts(
    measure: Measure, components: Mapping[str, float | None]
) -> tuple[Count, Count | None]:
    """The numerator and (for rates and ratios) summed denominator of ``measure`` as Counts.

    A component's governing figure is its headcount (``Component.people``) where the catalogue
    names one and the caller supplied it, else its own value; a sum governs by the sum of those.
    """
    numerator = _component_count(measure.numerator, components)
    if measure.kind is Kind.COUNT:
        return numerator, None
    parts = [_component_count(code, components) for code in measure.denominator]
    values = [p.value for p in parts]
    governing = [p.governing for p in parts]
    if any(v is None for v in values):
        return numerator, Count(None)
    return numerator, Count(
        sum(v for v in values if v is not None),
        sum(g for g in governing if g is not None),
    )


def release_measure(
    measure: Measure, components: Mapping[str, float | None], rules: DisclosureRules
) -> Released:
    """One LA's (or one aggregate's) value of ``measure`` released under ``rules``."""
    numerator, denominator = measure_counts(measure, components)
    if denominator is None:
        return release_count(numerator, rules)
    return release_rate(numerator, denominator, measure.kind, rules)


def _component_count(code: str, components: Mapping[str, float | None]) -> Count:
    people_code = COMPONENTS[code].people if code in COMPONENTS else None
    people = components.get(people_code) if people_code else None
    return Count(components.get(code), people)


"""Primary suppression: withhold small counts, and rates built on small counts, then round.

Zero is released: a zero count says no one is in the cell, which identifies no one, and DfE's
own statistics release zeros. Counts from 1 to k-1 are withheld. A rate or ratio is withheld
when its numerator or its denominator is from 1 to k-1 (a zero numerator over a large
denominator is a released 0), and, where the numerator is part of the denominator, when
their difference is (an agency rate of 95% over 40 agency staff says there are two others).
Where a figure is FTE the headcount behind it, when supplied, is what is compared with k
(see ``Count.people``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

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


def release_count(count: Supplied, rules: DisclosureRules) -> Released:
    """A count released under ``rules``: x when missing, c when small, else rounded to the base."""
    return count_releaser(rules)(count)


@lru_cache(maxsize=64)
def count_releaser(rules: DisclosureRules) -> Callable[[Supplied], Released]:
    """``release_count`` with ``rules`` bound, for releasing many counts under the same rules."""
    k = rules.min_cell_count
    small = withheld(f"{PRIMARY}: count below {k}")
    # Supplied counts repeat, and released ones are few multiples of the base: remembering
    # both (the first up to a bound, FTE values being many) keeps big tables cheap.
    by_value: dict[float, Released] = {}
    shared: dict[int, Released] = {}

    def release(count: Supplied) -> Released:
        if isinstance(count, Released):
            if not count.is_number:
                return count
            count = Count(count.number)
        value, people = count.value, count.people
        if value is None:
            return NOT_SUPPLIED
        governing = value if people is None else people
        if value < 0 or governing < 0:
            raise ValueError(f"a count cannot be negative: {count}")
        if 0 < governing < k or (people == 0 and value > 0):
            return small
        released = by_value.get(value)
        if released is None:
            rounded = round_count(value, rules)
            released = shared.get(rounded)
            if released is None:
                released = shared[rounded] = Released(rounded)
            if len(by_value) < _REMEMBERED:
                by_value[value] = released
        return released

    return release


def release_rate(
    numerator: Count,
    denominator: Count,
    kind: Kind,
    rules: DisclosureRules,
    within: bool = False,
) -> Released:
    """A rate (x 100) or ratio released under ``rules``, computed from the unrounded counts.

    ``within``: the numerator is part of the denominator (agency FTE of all FTE), so the rate
    also gives away their difference (the permanent FTE), which is withheld when small too.
    """
    if kind is Kind.COUNT:
        raise ValueError("release_rate needs a rate or ratio measure; use release_count")
    top, bottom = numerator.value, denominator.value
    if top is None or bottom is None:
        return NOT_SUPPLIED
    if top < 0 or bottom < 0:
        raise ValueError(f"a rate over negative counts: {numerator} / {denominator}")
    if bottom == 0:
        return ZERO_DENOMINATOR
    k = rules.min_cell_count
    top_governing = top if numerator.people is None else numerator.people
    if 0 < top_governing < k:
        return withheld(f"{PRIMARY}: numerator below {k}")
    bottom_governing = bottom if denominator.people is None else denominator.people
    if 0 < bottom_governing < k:
        return withheld(f"{PRIMARY}: denominator below {k}")
    if within and 0 < bottom_governing - top_governing < k:
        return withheld(f"{PRIMARY}: denominator less numerator below {k}")
    ratio = top / bottom
    return released_number(round_rate(ratio * 100 if kind is Kind.RATE else ratio, rules))


def measure_counts(
    measure: Measure, components: Mapping[str, float | None]
) -> tuple[Count, Count | None]:
    """The numerator and (for rates and ratios) summed denominator of ``measure`` as Counts.

    A component's governing figure is its headcount (``Component.people``) where the catalogue
    names one and the caller supplied it, else its own value; a sum governs by the sum of those.
    """
    return counts_reader(measure)(components)


def counts_reader(
    measure: Measure,
) -> Callable[[Mapping[str, float | None]], tuple[Count, Count | None]]:
    """``measure_counts`` for one measure, with its components looked up once, for many LAs."""
    numerator_code, numerator_people = measure.numerator, _PEOPLE.get(measure.numerator)
    denominator = [(code, _PEOPLE.get(code)) for code in measure.denominator]

    def read_count(components: Mapping[str, float | None]) -> tuple[Count, Count | None]:
        value = components.get(numerator_code)
        people = components.get(numerator_people) if numerator_people else None
        return Count(value, value if people is None else people), None

    def read(components: Mapping[str, float | None]) -> tuple[Count, Count | None]:
        numerator, _ = read_count(components)
        get = components.get
        total = governing = 0.0
        for code, people_code in denominator:
            value = get(code)
            if value is None:
                return numerator, Count(None)
            people = get(people_code) if people_code else None
            total += value
            governing += value if people is None else people
        return numerator, Count(total, governing)

    if measure.kind is Kind.COUNT:
        return read_count
    return read


def release_measure(
    measure: Measure, components: Mapping[str, float | None], rules: DisclosureRules
) -> Released:
    """One LA's (or one aggregate's) value of ``measure`` released under ``rules``."""
    numerator, denominator = measure_counts(measure, components)
    if denominator is None:
        return release_count(numerator, rules)
    return release_rate(numerator, denominator, measure.kind, rules, is_within(measure))


def is_within(measure: Measure) -> bool:
    """True when the measure's numerator is one of its denominator's components."""
    return measure.numerator in measure.denominator


_REMEMBERED = 4096
_PEOPLE = {c.code: c.people for c in COMPONENTS.values() if c.people}

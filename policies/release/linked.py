"""The rule across measures: a rate or ratio is withheld wherever a count it is built from is.

Each measure is first released on its own (``measure``): counts with secondary suppression
over their LA list or breakdown table and totals, rates with primary suppression and the
aggregate rules. A rate beside its denominator gives back its numerator (a share of 9.7% of
about 30 agency workers is 3 of 31, and nothing else), so a rate released where its numerator
or denominator count is withheld (``c``) for the same reader and area would undo that count's
protection, secondary suppression included. Where the reader may not see the count at all,
the rate's decision is already a deny (``asking.linked_counts``).

An aggregate rate is also withheld where one count it is built from is released over the
same LAs as the rate and another over other LAs (an agreement keeps an LA's headcount out of
an aggregate but not its workers above the cap, say): the share over its LAs times their
headcount gives back the workers above the cap over those LAs, a second total beside the
count's, and their difference is the LA left out. (Where no count counts the rate's LAs, the
rate is one equation in at least two unknown differences.)

Withholding a rate never calls for more: rates add up to nothing, so no released total or
cell is a sum that involves one.
"""

from __future__ import annotations

from collections.abc import Iterable

from policies.disclosure.released import SECONDARY, Released, withheld


def with_counts(value: Released, counts: Iterable[tuple[str, Released, bool]]) -> Released:
    """``value`` (a rate's, for one area) withheld where one of ``counts`` (measure code, its
    released value for the same area, and whether it counts the same LAs as the rate) is
    withheld by disclosure control, or where one count over the rate's LAs would give back
    another over those LAs that is released over others."""
    if not value.is_number:
        return value
    counts = list(counts)
    for code, count, _ in counts:
        if count.is_suppressed:
            return _withheld_with(code)
    released = [(code, same) for code, count, same in counts if count.is_number]
    if any(same for _, same in released):
        for code, same in released:
            if not same:
                return _counted_apart(code)
    return value


def _withheld_with(code: str) -> Released:
    return withheld(f"{SECONDARY}: withheld with {code}, which it would give back")


def _counted_apart(code: str) -> Released:
    return withheld(f"{SECONDARY}: counts other LAs than {code}, whose difference it would "
                    "give back")

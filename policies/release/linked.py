"""The rule across measures: a rate or ratio is withheld wherever a count it is built from is.

Each measure is first released on its own (``measure``): counts with secondary suppression
over their LA list or breakdown table and totals, rates with primary suppression and the
aggregate rules. A rate beside its denominator gives back its numerator (a share of 9.7% of
about 30 agency workers is 3 of 31, and nothing else), so a rate released where its numerator
or denominator count is withheld (``c``) for the same reader and area would undo that count's
protection, secondary suppression included. Where the reader may not see the count at all,
the rate's decision is already a deny (``asking.linked_counts``).

Withholding a rate never calls for more: rates add up to nothing, so no released total or
cell is a sum that involves one.
"""

from __future__ import annotations

from collections.abc import Iterable

from policies.disclosure.released import SECONDARY, Released, withheld


def with_counts(value: Released, counts: Iterable[tuple[str, Released]]) -> Released:
    """``value`` (a rate's, for one area) withheld where one of ``counts`` (measure code and
    its released value for the same area) is withheld by disclosure control."""
    if not value.is_number:
        return value
    for code, count in counts:
        if count.is_suppressed:
            return _withheld_with(code)
    return value


def _withheld_with(code: str) -> Released:
    return withheld(f"{SECONDARY}: withheld with {code}, which it would give back")

"""The national total against the region totals: secondary suppression over LA → region →
nation for one count measure, as one reader sees it. No I/O.

The nation's figure is the sum of one part per region: the figures of that region's LAs the
national decision counts. A part is known to the reader when its LAs are all known to it (its
own LA, LAs of its region released as numbers), or when the region's total is released and
counts the same LAs up to ones the reader knows. (A rounded number is taken as exact: the
rule must hold whatever rounding leaves.) The sum relation then gives away:

- a released national total beside exactly one unknown part: that part. The national total
  is withheld (``withheld_nation``);
- a withheld national total beside no unknown part: the national total itself, which a region
  total released under looser region rules (a lower dominance limit, say) would otherwise
  give back. A second figure of the relation is withheld with it (``second_unknown``): the
  smallest released total of another region that makes a part known, else the reader's own
  region's total.

Either way the relation is left with none or at least two unknowns, and every unknown part is
a region total nothing else pins (another region's LAs are never shown) or a sum over the
reader's region whose LAs its own secondary suppression protects.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.disclosure.released import SECONDARY, Released, withheld

_WITH_NATION = withheld(f"{SECONDARY}: protects the national total")


def unknown_parts(las: frozenset[str], regions: Mapping[str, tuple[str, ...]],
                  totals: Mapping[str, tuple[Released, frozenset[str]]],
                  known: frozenset[str]) -> list[str]:
    """The regions whose part of a sum over ``las`` (the national total's LAs, say) the reader
    cannot work out; ``totals``: each region's released total and the LAs it counts;
    ``known``: the LAs whose figure the reader knows."""
    unknown = []
    for code, members in regions.items():
        part = las.intersection(members)
        if not part or part <= known:
            continue
        value, counted = totals.get(code, (None, frozenset()))
        if value is not None and value.is_number and (counted ^ part) <= known:
            continue
        unknown.append(code)
    return unknown


def second_unknown(national: frozenset[str], regions: Mapping[str, tuple[str, ...]],
                   totals: Mapping[str, tuple[Released, frozenset[str]]],
                   known: frozenset[str], home: str | None) -> tuple[str, Released] | None:
    """The region total to withhold beside a withheld national total that every part gives
    away, with the marker it takes; None where the parts the reader knows are all its own
    region's known LAs (then the national total tells it nothing it did not know)."""
    candidates = []
    for code, members in regions.items():
        part = national.intersection(members)
        value, counted = totals.get(code, (None, frozenset()))
        if not part or part <= known or value is None or not value.is_number:
            continue
        candidates.append((code == home, value.number <= 0, value.number, code))
    if not candidates:
        return None
    *_, code = min(candidates)
    return code, _WITH_NATION

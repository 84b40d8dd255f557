"""What each measure means, in words beside its figures: the same catalogue entries as
`GET /api/v1/measures` (hub.measures.catalogue), said as a reader of a page or pack reads them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hub.measures.catalogue import CATALOGUE

_UNITS = {"percent": "Per cent", "fte": "Full-time equivalent (FTE)",
          "headcount": "People (headcount)", "count": "Number", "days": "Days",
          "cases_per_fte": "Cases per full-time equivalent"}
_BETTER = {"lower": "Lower is better", "higher": "Higher is better",
           "neither": "Neither: it is a size, not a judgement"}


@dataclass(frozen=True)
class Definition:
    """One measure's title and its facts as (what, said) pairs, for a summary list."""

    code: str
    title: str
    facts: tuple[tuple[str, str], ...]


def _built(entry: dict[str, Any]) -> str:
    numerator = entry["numerator"]["title"]
    below = " plus ".join(c["title"] for c in entry["denominator"])
    if entry["kind"] == "rate":
        return f"{numerator}, divided by {below}, times 100"
    if entry["kind"] == "ratio":
        return f"{numerator}, divided by {below}"
    return f"{numerator}, summed across the local authorities counted"


def definition(code: str) -> Definition:
    """The measure ``code`` as the API's catalogue gives it, in words."""
    entry = CATALOGUE[code]
    facts = [("What it is", entry["definition"]), ("Unit", _UNITS[entry["unit"]]),
             ("How it is worked out", _built(entry)),
             ("Source fields", "; ".join(entry["sources"])),
             ("Which way is better", _BETTER[entry["better"]])]
    if entry["optional"]:
        facts.append(("Who supplies it", "Only some local authorities; the others show x."))
    return Definition(code, entry["title"], tuple(facts))


def definitions(codes: Iterable[str]) -> list[Definition]:
    """Each of ``codes`` once, in the catalogue's order."""
    wanted = set(codes)
    return [definition(code) for code in CATALOGUE if code in wanted]

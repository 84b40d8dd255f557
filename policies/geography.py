"""LA codes over time: every code DfE's files have used for an LA, and the reorganisations.

The hub's reference data holds each LA once, by the ONS code it had in April 2023. DfE's files
name LAs by other codes too: three-digit DfE codes, codes since replaced (Buckinghamshire,
North Yorkshire, Somerset) and codes from 2024 (Barnsley, Sheffield). Each resolves to the
reference code. A code of an LA that was merged or split has no one successor: an extract under
it is refused, with the reorganisation as the reason. Pure data and lookups, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

#: Codes an LA was or is known by -> its code in the reference data (same area, new code).
RECODED: dict[str, tuple[str, date, str]] = {
    "E10000002": ("E06000060", date(2020, 4, 1), "Buckinghamshire became a unitary council"),
    "E10000023": ("E06000065", date(2023, 4, 1), "North Yorkshire became a unitary council"),
    "E10000027": ("E06000066", date(2023, 4, 1), "Somerset became a unitary council"),
    "E08000038": ("E08000016", date(2024, 4, 1), "Barnsley's code from 2024"),
    "E08000039": ("E08000019", date(2024, 4, 1), "Sheffield's code from 2024"),
}


@dataclass(frozen=True)
class Reorganisation:
    """LAs whose areas were merged or split: their codes name no one LA of today."""

    ended: tuple[tuple[str, str], ...]  # (code, name) of the LAs that ceased
    successors: tuple[tuple[str, str], ...]  # (code, name) of the LAs that replaced them
    effective: date

    def reason(self, code: str) -> str:
        name = dict(self.ended)[code]
        into = " and ".join(f"{n} ({c})" for c, n in self.successors)
        verb = ("was split into" if len(self.ended) == 1 else
                "was merged into" if len(self.successors) == 1 else "was reorganised into")
        return (f"{name} ({code}) {verb} {into} on {self.effective:%-d %B %Y}: "
                "its figures cannot be given as any one of them")


REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation((("E06000028", "Bournemouth"), ("E06000029", "Poole"),
                    ("E10000009", "Dorset County Council")),
                   (("E06000058", "Bournemouth, Christchurch and Poole"),
                    ("E06000059", "Dorset")), date(2019, 4, 1)),
    Reorganisation((("E10000021", "Northamptonshire"),),
                   (("E06000061", "North Northamptonshire"),
                    ("E06000062", "West Northamptonshire")), date(2021, 4, 1)),
    Reorganisation((("E10000006", "Cumbria"),),
                   (("E06000063", "Cumberland"), ("E06000064", "Westmorland and Furness")),
                   date(2023, 4, 1)),
)
_ENDED = {code: r for r in REORGANISATIONS for code, _ in r.ended}
#: DfE's three-digit codes of the LAs that ceased (the reference data has the others').
_ENDED_DFE = {"837": "E06000028", "836": "E06000029", "835": "E10000009", "928": "E10000021",
              "909": "E10000006"}

#: Pairs that return to DfE jointly (lead first): one return counts both LAs' workforce.
JOINT_RETURNS: tuple[tuple[str, str], ...] = (
    ("E09000021", "E09000027"),  # Kingston upon Thames with Richmond upon Thames
    ("E06000061", "E06000062"),  # North with West Northamptonshire
)

_DFE_CODE = re.compile(r"^[0-9]{3}$")


class ReorganisedLA(ValueError):
    """A code of an LA that was merged or split: no extract can be made under it."""


@dataclass(frozen=True)
class Resolved:
    """What a code names: the reference LA, and how the code got there."""

    code: str
    note: str | None = None


def resolve(code: str, dfe_codes: Mapping[str, str]) -> Resolved:
    """The reference LA ``code`` names (ONS code old or new, or DfE's three digits, given the
    reference data's DfE code -> ONS code); ReorganisedLA says why a code names none."""
    code = code.strip().upper()
    if _DFE_CODE.match(code):
        if code in _ENDED_DFE:
            raise ReorganisedLA(_ENDED[_ENDED_DFE[code]].reason(_ENDED_DFE[code]))
        if code not in dfe_codes:
            raise KeyError(f"no LA has the DfE code {code}")
        return Resolved(dfe_codes[code], f"DfE code {code}")
    if code in _ENDED:
        raise ReorganisedLA(_ENDED[code].reason(code))
    if code in RECODED:
        current, since, why = RECODED[code]
        return Resolved(current, f"{code}: {why} ({since:%B %Y})")
    return Resolved(code)


def same_la(a: str, b: str) -> bool:
    """True when two codes name the same LA today (reorganised codes name only themselves)."""
    def today(code: str) -> str:
        code = code.strip().upper()
        return RECODED[code][0] if code in RECODED else code
    return today(a) == today(b)


def joint_lead(code: str) -> str | None:
    """The LA whose joint return counts ``code``'s workforce, where it is a partner in one."""
    return next((lead for lead, partner in JOINT_RETURNS if partner == code), None)

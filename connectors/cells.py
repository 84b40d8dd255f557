"""Parsing one CSV cell of an LA's records: each function returns the value or raises ValueError
with a message fit for the LA's data team."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from policies.measures import BREACH_TYPES, ORG_ROLES, ROLES, is_period

_ROLE_LABELS = {**{r.replace("_", ""): r for r in ROLES}, "sw": "social_worker",
                "ssw": "senior_social_worker", "ap": "advanced_practitioner",
                "tm": "team_manager", "iro": "independent_reviewing_officer",
                "conferencechair": "independent_reviewing_officer"}
#: DfE's markers for a figure not given as a number, and what each tells the reader.
MARKERS: dict[str, str] = {
    "c": "c: confidential (suppressed by the LA)",
    "x": "x: not available",
    "z": "z: not applicable",
    "u": "u: low reliability, not given as a number",
    "low": "low: rounds to zero but is not zero, not given as a number",
    ":": "x: not available",
    "..": "x: not available",
}
_TRUE = {"1", "y", "yes", "true", "agency"}
_FALSE = {"0", "n", "no", "false", "permanent"}


def norm(name: str) -> str:
    """A column name or label lower-cased, without spaces, "_" or "-"."""
    return re.sub(r"[\s_\-]", "", name.strip().lower())


def marker(value: str) -> str | None:
    """What a DfE marker in a cell means (blank included), or None for anything else."""
    value = value.strip().lower()
    return "x: not supplied (blank)" if not value else MARKERS.get(value)


def text(value: str) -> str:
    """The text, if at most 100 characters."""
    if len(value) > 100:
        raise ValueError("longer than 100 characters")
    return value


def period(value: str) -> str:
    """The period, if of the form YYYY-Qn."""
    if not is_period(value):
        raise ValueError(f"{value[:20]!r} is not a period of the form YYYY-Qn")
    return value


def role(value: str) -> str:
    """The price-cap role a label names (our codes, common labels, IRO…)."""
    role = _ROLE_LABELS.get(norm(value))
    if role is None:
        raise ValueError(f"{value[:40]!r} is not one of {', '.join(ROLES)}")
    return role


#: The census's OrgRole codes (1 to 6) and our labels, each to the catalogue's category.
_ORG_ROLE_CODES = {**{str(i): r for i, r in enumerate(ORG_ROLES, 1)},
                   **{norm(r): r for r in ORG_ROLES}}


def org_role(value: str) -> str:
    """The census OrgRole (1 senior manager … 5 case holder, 6 qualified without cases)."""
    found = _ORG_ROLE_CODES.get(value.strip().lstrip("0") or "0") or _ORG_ROLE_CODES.get(
        norm(value))
    if found:
        return found
    raise ValueError(f"{value[:20]!r} is not an OrgRole (1 to 6)")


def breach_type(value: str) -> str:
    """The MoU breach type, if one of the catalogue's."""
    if value not in BREACH_TYPES:
        raise ValueError(f"{value[:40]!r} is not one of {', '.join(BREACH_TYPES)}")
    return value


def flag(value: str) -> bool:
    """True or False from 1/0, Y/N, yes/no, true/false, agency/permanent."""
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{value[:20]!r} is not yes/no (1/0, Y/N, true/false)")


def day(value: str) -> date:
    """The date, from YYYY-MM-DD or DD/MM/YYYY."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{value[:20]!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def non_negative(value: str) -> float:
    """The number, if finite and zero or more."""
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value[:20]!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{value[:20]!r} is not a finite number, zero or more")
    return number


def fte(value: str) -> float:
    """The FTE, if above 0 and at most 1."""
    number = non_negative(value)
    if not 0 < number <= 1:
        raise ValueError(f"{value[:20]!r} is not an FTE above 0 and at most 1")
    return number


def share(value: str) -> float:
    """An FTE of 0 to 1 (FTE30: a leaver's is 0)."""
    number = non_negative(value)
    if number > 1:
        raise ValueError(f"{value[:20]!r} is not an FTE of 0 to 1")
    return number


def whole(value: str) -> int:
    """The whole number, zero or more."""
    number = non_negative(value)
    if not number.is_integer():
        raise ValueError(f"{value[:20]!r} is not a whole number")
    return int(number)


def money(value: str) -> float:
    """An amount in pounds, with or without a £ sign."""
    return non_negative(value.removeprefix("£"))

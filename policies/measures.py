"""The one catalogue of workforce measures: what each means, its unit, and how it is derived.

Connectors compute extracts from it, the hub validates and aggregates extracts with it, and the
agreements name measures from it. Everything is defined here once.

A *component* is a count or sum an extract carries (FTE, headcount, days, cases). A *measure* is
what a reader sees: a component itself, or a ratio of components. Ratios aggregate by summing
numerators and denominators across LAs, never by averaging rates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

DATASET_WORKFORCE = "workforce"
DATASETS: tuple[str, ...] = (DATASET_WORKFORCE,)

#: Quarterly periods, as the agency rules report them: ``2024-Q3``.
PERIOD_PATTERN = re.compile(r"^(?P<year>20[0-9]{2})-Q(?P<quarter>[1-4])$")


def is_period(value: str) -> bool:
    """True when ``value`` is a reporting period such as ``2024-Q3``."""
    return bool(PERIOD_PATTERN.match(value))


def period_key(value: str) -> tuple[int, int]:
    """Sort key of a period: (year, quarter). Raises ValueError for anything else."""
    match = PERIOD_PATTERN.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a period of the form YYYY-Qn")
    return int(match["year"]), int(match["quarter"])


class Unit(StrEnum):
    FTE = "fte"
    HEADCOUNT = "headcount"
    COUNT = "count"
    DAYS = "days"
    PERCENT = "percent"
    CASES_PER_FTE = "cases_per_fte"


class Kind(StrEnum):
    """How a measure is built, which decides how it aggregates and is disclosure-controlled."""

    COUNT = "count"  # a component released as it is: rounded, small values suppressed
    RATE = "rate"  # numerator / denominator x 100
    RATIO = "ratio"  # numerator / denominator (caseload)


@dataclass(frozen=True)
class Component:
    """A quantity an extract carries, summed across LAs for aggregates."""

    code: str
    title: str
    unit: Unit
    #: The headcount whose size governs disclosure of this component. An FTE total of 3.5 may
    #: be two people; small-count suppression applies to the people, not the FTE.
    people: str | None = None


@dataclass(frozen=True)
class Measure:
    """A figure a reader sees, defined once by its numerator and denominator components."""

    code: str
    title: str
    unit: Unit
    kind: Kind
    numerator: str
    denominator: tuple[str, ...] = ()
    description: str = ""
    #: Only supplied by some LAs (caseload, sickness absence): absence is `x`, not an error.
    optional: bool = False
    #: Breakdown dimensions an extract may carry for this measure.
    breakdowns: tuple[str, ...] = ()

    @property
    def components(self) -> tuple[str, ...]:
        return (self.numerator, *tuple(c for c in self.denominator if c != self.numerator))


#: The five roles the regional price caps are set for.
ROLES: tuple[str, ...] = (
    "social_worker",
    "senior_social_worker",
    "advanced_practitioner",
    "team_manager",
    "independent_reviewing_officer",
)

#: Kinds of MoU breach the regional memoranda define.
BREACH_TYPES: tuple[str, ...] = (
    "price_cap",
    "non_solicitation",
    "notice_period",
    "references",
    "other",
)

BREAKDOWNS: dict[str, tuple[str, ...]] = {"role": ROLES, "breach_type": BREACH_TYPES}

#: How a reader sees each breakdown category (the codes are unique across dimensions).
CATEGORY_TITLES: dict[str, str] = {
    "social_worker": "Social worker",
    "senior_social_worker": "Senior social worker",
    "advanced_practitioner": "Advanced practitioner",
    "team_manager": "Team manager",
    "independent_reviewing_officer": "Independent reviewing officer",
    "price_cap": "Price cap",
    "non_solicitation": "Non-solicitation",
    "notice_period": "Notice period",
    "references": "References",
    "other": "Other",
}
#: How a reader sees the part of a count its LA did not break down, per dimension.
NOT_GIVEN_TITLES: dict[str, str] = {"role": "Role not given", "breach_type": "Type not given"}

COMPONENTS: dict[str, Component] = {
    c.code: c
    for c in (
        Component("permanent_fte", "Permanent social workers in post (FTE)", Unit.FTE,
                  people="permanent_headcount"),
        Component("permanent_headcount", "Permanent social workers in post", Unit.HEADCOUNT),
        Component("agency_fte", "Agency social workers (FTE)", Unit.FTE,
                  people="agency_headcount"),
        Component("agency_headcount", "Agency social workers", Unit.HEADCOUNT),
        Component("vacancy_fte", "Vacant posts (FTE)", Unit.FTE),
        Component("starters_fte", "Permanent starters in the period (FTE)", Unit.FTE,
                  people="starters_headcount"),
        Component("starters_headcount", "Permanent starters in the period", Unit.HEADCOUNT),
        Component("leavers_fte", "Permanent leavers in the period (FTE)", Unit.FTE,
                  people="leavers_headcount"),
        Component("leavers_headcount", "Permanent leavers in the period", Unit.HEADCOUNT),
        Component("agency_conversions", "Agency workers converted to permanent posts",
                  Unit.HEADCOUNT),
        Component("agency_above_cap", "Agency workers engaged above the price cap",
                  Unit.HEADCOUNT),
        Component("mou_breaches", "MoU breaches recorded", Unit.COUNT),
        Component("cases", "Cases held by case-holding social workers", Unit.COUNT),
        Component("case_holders_fte", "Case-holding social workers (FTE)", Unit.FTE),
        Component("working_days_lost", "Working days lost to sickness absence", Unit.DAYS),
        Component("working_days_available", "Working days available", Unit.DAYS),
    )
}

_ALL_FTE = ("permanent_fte", "agency_fte")

MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("permanent_fte", "Permanent social workers (FTE)", Unit.FTE, Kind.COUNT,
                "permanent_fte", breakdowns=("role",)),
        Measure("agency_fte", "Agency social workers (FTE)", Unit.FTE, Kind.COUNT,
                "agency_fte", breakdowns=("role",)),
        Measure("permanent_headcount", "Permanent social workers (headcount)",
                Unit.HEADCOUNT, Kind.COUNT, "permanent_headcount", breakdowns=("role",)),
        Measure("agency_headcount", "Agency social workers (headcount)", Unit.HEADCOUNT,
                Kind.COUNT, "agency_headcount", breakdowns=("role",)),
        Measure("agency_rate", "Agency worker rate", Unit.PERCENT, Kind.RATE, "agency_fte",
                _ALL_FTE, "Agency FTE over all FTE (agency and permanent in post).",
                breakdowns=("role",)),
        Measure("vacancy_rate", "Vacancy rate", Unit.PERCENT, Kind.RATE, "vacancy_fte",
                ("vacancy_fte", "permanent_fte"),
                "Vacant FTE over vacant and permanent in-post FTE."),
        Measure("turnover_rate", "Turnover rate", Unit.PERCENT, Kind.RATE, "leavers_fte",
                ("permanent_fte",), "Permanent leavers' FTE over permanent in-post FTE."),
        Measure("starters_fte", "Starters (FTE)", Unit.FTE, Kind.COUNT, "starters_fte"),
        Measure("leavers_fte", "Leavers (FTE)", Unit.FTE, Kind.COUNT, "leavers_fte"),
        Measure("agency_conversions", "Agency workers converted to permanent posts",
                Unit.HEADCOUNT, Kind.COUNT, "agency_conversions", breakdowns=("role",)),
        Measure("agency_above_cap", "Agency workers above the price cap", Unit.HEADCOUNT,
                Kind.COUNT, "agency_above_cap", breakdowns=("role",)),
        Measure("agency_above_cap_share", "Share of agency workers above the price cap",
                Unit.PERCENT, Kind.RATE, "agency_above_cap", ("agency_headcount",),
                "Agency workers engaged above the regional cap over all agency workers.",
                breakdowns=("role",)),
        Measure("mou_breaches", "MoU breaches recorded", Unit.COUNT, Kind.COUNT,
                "mou_breaches", breakdowns=("breach_type",)),
        Measure("caseload", "Average caseload", Unit.CASES_PER_FTE, Kind.RATIO, "cases",
                ("case_holders_fte",), "Cases over case-holding FTE.", optional=True),
        Measure("absence_rate", "Sickness absence rate", Unit.PERCENT, Kind.RATE,
                "working_days_lost", ("working_days_available",),
                "Working days lost to sickness over working days available.", optional=True),
    )
}


def measure(code: str) -> Measure:
    """The catalogue entry for ``code``; KeyError names the unknown measure."""
    try:
        return MEASURES[code]
    except KeyError:
        raise KeyError(f"unknown measure {code!r}") from None


def derive(m: Measure, components: dict[str, float]) -> float | None:
    """The value of ``m`` from summed components, or None where its denominator is zero."""
    numerator = components[m.numerator]
    if m.kind is Kind.COUNT:
        return numerator
    denominator = sum(components[c] for c in m.denominator)
    if denominator == 0:
        return None
    ratio = numerator / denominator
    return ratio * 100 if m.kind is Kind.RATE else ratio

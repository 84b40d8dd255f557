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


class Better(StrEnum):
    """Which direction of a measure a governance group reads as an improvement."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"  # a size, not a judgement (FTE, headcount)


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
    better: Better = Better.NEITHER
    #: Where its components come from: DfE's published columns and the census return's fields.
    sources: tuple[str, ...] = ()

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

#: The census's organisational roles (its OrgRole 1 to 6), most senior first.
ORG_ROLES: tuple[str, ...] = (
    "senior_manager",
    "middle_manager",
    "first_line_manager",
    "senior_practitioner",
    "case_holder",
    "qualified_without_cases",
)

BREAKDOWNS: dict[str, tuple[str, ...]] = {"role": ROLES, "breach_type": BREACH_TYPES,
                                          "org_role": ORG_ROLES}

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
    "senior_manager": "Senior manager",
    "middle_manager": "Middle manager",
    "first_line_manager": "First line manager",
    "senior_practitioner": "Senior practitioner",
    "case_holder": "Case holder",
    "qualified_without_cases": "Qualified, without cases",
}
#: How a reader sees the part of a count its LA did not break down, per dimension.
NOT_GIVEN_TITLES: dict[str, str] = {"role": "Role not given", "breach_type": "Type not given",
                                    "org_role": "Census role not given"}

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
        Component("starters_12m_fte", "Permanent starters in the twelve months to the "
                  "period's end (FTE)", Unit.FTE, people="starters_12m_headcount"),
        Component("starters_12m_headcount", "Permanent starters in the twelve months to the "
                  "period's end", Unit.HEADCOUNT),
        Component("leavers_fte", "Permanent leavers in the period (FTE)", Unit.FTE,
                  people="leavers_headcount"),
        Component("leavers_headcount", "Permanent leavers in the period", Unit.HEADCOUNT),
        Component("leavers_12m_fte", "Permanent leavers in the twelve months to the period's "
                  "end (FTE)", Unit.FTE, people="leavers_12m_headcount"),
        Component("leavers_12m_headcount", "Permanent leavers in the twelve months to the "
                  "period's end", Unit.HEADCOUNT),
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

_CENSUS_FTE = "census CSWWWorker FTE30 (FTE at 30 September), AgencyWorker"
_SNAPSHOT = "in post on the period's last day"

MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("permanent_fte", "Permanent social workers (FTE)", Unit.FTE, Kind.COUNT,
                "permanent_fte", description=f"FTE of permanent social workers {_SNAPSHOT}.",
                breakdowns=("role", "org_role"), sources=("DfE inpost_fte", _CENSUS_FTE)),
        Measure("agency_fte", "Agency social workers (FTE)", Unit.FTE, Kind.COUNT,
                "agency_fte", description=f"FTE of agency social workers {_SNAPSHOT}.",
                breakdowns=("role",), sources=("DfE agency_fte", _CENSUS_FTE,
                                               "census LALevelVacancies AgencyFTE")),
        Measure("permanent_headcount", "Permanent social workers (headcount)",
                Unit.HEADCOUNT, Kind.COUNT, "permanent_headcount",
                description=f"Permanent social workers {_SNAPSHOT}, each counted once.",
                breakdowns=("role", "org_role"),
                sources=("DfE inpost_headcount", "census CSWWWorker")),
        Measure("agency_headcount", "Agency social workers (headcount)", Unit.HEADCOUNT,
                Kind.COUNT, "agency_headcount",
                description=f"Agency social workers {_SNAPSHOT}, each counted once.",
                breakdowns=("role",), sources=("DfE agency_headcount", "census CSWWWorker")),
        Measure("agency_rate", "Agency worker rate", Unit.PERCENT, Kind.RATE, "agency_fte",
                _ALL_FTE, "Agency FTE over all FTE (agency and permanent in post), as DfE's "
                "agency_rate_fte.", breakdowns=("role",), better=Better.LOWER,
                sources=("DfE agency_fte, inpost_fte", _CENSUS_FTE)),
        Measure("vacancy_rate", "Vacancy rate", Unit.PERCENT, Kind.RATE, "vacancy_fte",
                ("vacancy_fte", "permanent_fte"),
                "Vacant FTE over vacant and permanent in-post FTE, as DfE's vacancy_rate_fte.",
                better=Better.LOWER, sources=("DfE vacancy_fte, inpost_fte",
                                              "census LALevelVacancies VacancyFTE")),
        Measure("turnover_rate", "Turnover rate", Unit.PERCENT, Kind.RATE, "leavers_12m_fte",
                ("permanent_fte",), "Permanent leavers' FTE in the twelve months to the "
                "period's end over permanent in-post FTE at its end, as DfE's "
                "turnover_rate_fte; from quarterly returns, the rolling four quarters (x until "
                "four are there).", better=Better.LOWER,
                sources=("DfE leavers_fte, inpost_fte", "census CSWWWorker RoleEndDate, FTE")),
        Measure("starters_fte", "Starters (FTE)", Unit.FTE, Kind.COUNT, "starters_fte",
                description="FTE of permanent social workers who started in the quarter.",
                sources=("census CSWWWorker RoleStartDate, FTE",)),
        Measure("leavers_fte", "Leavers (FTE)", Unit.FTE, Kind.COUNT, "leavers_fte",
                description="FTE of permanent social workers who left in the quarter.",
                sources=("census CSWWWorker RoleEndDate, FTE",)),
        Measure("agency_conversions", "Agency workers converted to permanent posts",
                Unit.HEADCOUNT, Kind.COUNT, "agency_conversions", breakdowns=("role",),
                description="Agency workers who took a permanent post in the quarter; the "
                "census does not collect it.", better=Better.HIGHER,
                sources=("LA's converted_from_agency_date",)),
        Measure("agency_above_cap", "Agency workers above the price cap", Unit.HEADCOUNT,
                Kind.COUNT, "agency_above_cap", breakdowns=("role",),
                description="Agency workers in post at the period's end engaged above the "
                "region's hourly cap for their role; the census does not collect it.",
                better=Better.LOWER, sources=("LA's hourly_rate, role; region's price caps",)),
        Measure("agency_above_cap_share", "Share of agency workers above the price cap",
                Unit.PERCENT, Kind.RATE, "agency_above_cap", ("agency_headcount",),
                "Agency workers engaged above the regional cap over all agency workers.",
                breakdowns=("role",), better=Better.LOWER,
                sources=("LA's hourly_rate, role; region's price caps",)),
        Measure("mou_breaches", "MoU breaches recorded", Unit.COUNT, Kind.COUNT,
                "mou_breaches", breakdowns=("breach_type",), better=Better.LOWER,
                description="Breaches of the regional MoU the LA recorded in the quarter; "
                "the census does not collect them.", sources=("LA's breach_type",)),
        Measure("caseload", "Average caseload", Unit.CASES_PER_FTE, Kind.RATIO, "cases",
                ("case_holders_fte",), "Cases over case-holding FTE, as DfE's caseload_fte.",
                optional=True, better=Better.LOWER,
                sources=("DfE cases, case_holders_fte", "census CSWWWorker Cases30")),
        Measure("absence_rate", "Sickness absence rate", Unit.PERCENT, Kind.RATE,
                "working_days_lost", ("working_days_available",),
                "Working days lost to sickness over working days available.", optional=True,
                better=Better.LOWER, sources=("DfE working_days_lost_fte",
                                              "census CSWWWorker FTEDaysAbsence")),
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

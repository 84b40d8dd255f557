"""Reading a pre-aggregated records file: one row per period, in our terms or in DfE's.

Column names are matched as loosely as worker headers (case, spaces, ``_`` and ``-`` ignored),
and DfE's published indicator columns (``inpost_fte``, ``agency_fte``, ``vacancy_fte``,
``leavers_fte``, ``case_holders_fte``, ``cases``, ``working_days_lost_fte``…) are read as the
components they are. A cell may hold DfE's markers (``c``, ``x``, ``z``, ``u``, ``low``) or be
blank: that component is then *not supplied* for that period, with the marker's meaning as the
reason, and nothing else of the row is lost. A file of DfE's rows for many LAs is read for the
one LA named; a joint return (``E09000021 / E09000027``) is its first LA's, and the others'
figures are not supplied, being counted in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors import cells
from connectors.problems import Problem, RecordsError
from policies.geography import same_la
from policies.measures import BREAKDOWNS, COMPONENTS

#: Component -> column names accepted besides its own code (compared by ``cells.norm``).
ALIASES: dict[str, tuple[str, ...]] = {
    "permanent_fte": ("inpost_fte", "in_post_fte"),
    "permanent_headcount": ("inpost_headcount", "in_post_headcount"),
    "vacancy_fte": ("vacancies_fte",),
    "working_days_lost": ("working_days_lost_fte",),
    "leavers_12m_fte": ("leavers_fte_12_months", "leavers_12_months_fte"),
    "leavers_12m_headcount": ("leavers_headcount_12_months", "leavers_12_months_headcount"),
}
PERIOD_COLUMNS = ("period", "time_period", "return_period", "quarter", "year", "census_year")
LA_COLUMNS = ("new_la_code", "la_code", "ons_code", "old_la_code")
LEVEL_COLUMN = "geographic_level"
#: DfE's columns that name places or are derived from the components: read past, never used
#: (the hub derives every rate itself from the components).
IGNORED = ("time_identifier", "country_code", "country_name", "region_code", "region_name",
           "la_name", "caseload_fte", "agency_cover_fte")
_DERIVED = re.compile(r"(rate|ratefte|rateheadcount)$")
#: In an annual return (DfE's rows) flows count the year to the census date.
ANNUAL_FLOWS = {"leavers_fte": "leavers_12m_fte", "leavers_headcount": "leavers_12m_headcount",
                "starters_fte": "starters_12m_fte",
                "starters_headcount": "starters_12m_headcount"}
NOT_QUARTERLY = ("an annual return counts {what} over the year to the census date, "
                 "not in the quarter")

_COMPONENT_NAMES = {cells.norm(a): c for c, names in ALIASES.items() for a in names} | {
    cells.norm(c): c for c in COMPONENTS}
_CATEGORY_NAMES = {cells.norm(cat): (dim, cat) for dim, cats in BREAKDOWNS.items()
                   for cat in cats}


@dataclass(frozen=True)
class AggregateRow:
    """One period of a pre-aggregated file: components and breakdowns as the LA computed them,
    and why each component it does not give is not supplied."""

    period: str
    components: Mapping[str, float]
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]]
    not_supplied: Mapping[str, str] = field(default_factory=dict)
    #: A census-style return covering the year to 30 September (a DfE row), not a quarter.
    annual: bool = False


@dataclass(frozen=True)
class AggregateRecords:
    """A pre-aggregated file: one row per period."""

    rows: Mapping[str, AggregateRow]
    #: The LA the file names (its LA code column), where it names one.
    la_code: str | None = None


@dataclass(frozen=True)
class _Column:
    kind: str  # period, la, level, component, breakdown or ignored
    component: str | None = None
    dimension: str | None = None
    category: str | None = None


def is_aggregate_header(header: list[str]) -> bool:
    """True when the header names components (ours or DfE's) rather than worker fields."""
    return any(_column(h).kind in ("component", "breakdown") for h in header) and not any(
        cells.norm(h) in ("fte", "fte30", "startdate", "rolestartdate") for h in header)


def _column(name: str) -> _Column:
    key = cells.norm(name)
    if key in {cells.norm(n) for n in PERIOD_COLUMNS}:
        return _Column("period")
    if key in {cells.norm(n) for n in LA_COLUMNS}:
        return _Column("la")
    if key == cells.norm(LEVEL_COLUMN):
        return _Column("level")
    if key in _COMPONENT_NAMES:
        return _Column("component", _COMPONENT_NAMES[key])
    code, _, category = name.strip().partition(".")
    component = _COMPONENT_NAMES.get(cells.norm(code))
    dim_cat = _CATEGORY_NAMES.get(cells.norm(category))
    if component and dim_cat:
        return _Column("breakdown", component, *dim_cat)
    if key in {cells.norm(n) for n in IGNORED} or _DERIVED.search(key):
        return _Column("ignored")
    return _Column("unknown")


def parse_aggregate(header: list[str], reader: Any, la_code: str | None = None
                    ) -> AggregateRecords:
    """The rows of a pre-aggregated file (of ``la_code``, where the file holds several LAs)."""
    problems: list[Problem] = []
    columns = [_column(h) for h in header]
    for name, column in zip(header, columns, strict=True):
        if column.kind == "unknown":
            problems.append(Problem(1, name.strip(), "not a component (ours or DfE's), "
                                    "component.role or mou_breaches.breach_type column"))
    if "period" not in {c.kind for c in columns}:
        problems.append(Problem(1, "period", "required column missing (period or "
                                             "time_period)"))
    if problems:
        raise RecordsError(problems)
    rows: dict[str, AggregateRow] = {}
    seen_las: set[str] = set()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        raw = dict(zip(range(len(columns)), (c.strip() for c in row), strict=False))
        la_cells = [raw.get(i, "") for i, c in enumerate(columns) if c.kind == "la"]
        level = next((raw.get(i, "") for i, c in enumerate(columns) if c.kind == "level"), "")
        if level and cells.norm(level) != "localauthority":
            continue  # DfE's national and regional rows: the hub makes its own
        joint_lead = _joint_lead(la_code, la_cells) if la_code else None
        if la_code and la_cells and joint_lead is None and not _holds(la_code, la_cells):
            continue
        if la_cells and not la_code:
            seen_las.add(la_cells[0])
        parsed = _row(reader.line_num, columns, raw, problems)
        if parsed is None:
            continue
        if joint_lead:
            reason = f"returned jointly with {joint_lead}, and counted in its figures"
            parsed = AggregateRow(parsed.period, {}, {}, dict.fromkeys(COMPONENTS, reason),
                                  parsed.annual)
        if parsed.period in rows:
            problems.append(Problem(reader.line_num, "period",
                                    f"{parsed.period} appears twice"))
        rows[parsed.period] = parsed
    if len(seen_las) > 1:
        # Its periods repeat, one row per LA: that is not the file's fault.
        problems = [Problem(1, "la_code", f"the file holds {len(seen_las)} LAs' rows: name "
                                          "the LA whose rows to read")] + [
            p for p in problems if not p.message.endswith("appears twice")]
    if problems:
        raise RecordsError(problems)
    named = la_code or next(iter(seen_las), None)
    return AggregateRecords(rows, _codes(named)[0] if named else None)


def _codes(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("/") if part.strip()]


def _holds(la_code: str, la_cells: list[str]) -> bool:
    return any(codes and same_la(la_code, codes[0]) for codes in map(_codes, la_cells))


def _joint_lead(la_code: str, la_cells: list[str]) -> str | None:
    """The lead LA of a joint return ``la_code`` is a partner in (not its first LA), if any."""
    for codes in map(_codes, la_cells):
        if any(same_la(la_code, code) for code in codes[1:]):
            return codes[0]
    return None


def _row(line: int, columns: list[_Column], raw: dict[int, str], problems: list[Problem]
         ) -> AggregateRow | None:
    before = len(problems)
    period, annual = "", False
    components: dict[str, float] = {}
    not_supplied: dict[str, str] = {}
    breakdowns: dict[str, dict[str, dict[str, float]]] = {}
    for i, column in enumerate(columns):
        value = raw.get(i, "")
        if column.kind == "period":
            try:
                period, annual = _period(value)
            except ValueError as exc:
                problems.append(Problem(line, "period", str(exc)))
            continue
        if column.kind not in ("component", "breakdown") or column.component is None:
            continue
        name = column.component + (f".{column.category}" if column.category else "")
        reason = cells.marker(value)
        if reason is not None:
            if column.kind == "component":
                not_supplied[column.component] = reason
            continue  # a category not given leaves the component unsplit, not zero
        try:
            number = cells.non_negative(value)
        except ValueError as exc:
            problems.append(Problem(line, name, str(exc)))
            continue
        if column.kind == "component":
            components[column.component] = number
        elif column.dimension and column.category:
            breakdowns.setdefault(column.dimension, {}).setdefault(
                column.category, {})[column.component] = number
    if len(problems) > before:
        return None
    for code in COMPONENTS:
        if code not in components and code not in not_supplied:
            not_supplied[code] = "x: not in the LA's file"
    if annual:
        components, not_supplied = _annual(components, not_supplied)
    return AggregateRow(period, components, breakdowns, not_supplied, annual)


def _period(value: str) -> tuple[str, bool]:
    """The period a cell names and whether it is an annual return: a census year (``2023``,
    ``2023/24``) lands as the quarter ending on its census date, 30 September."""
    year = re.fullmatch(r"(20[0-9]{2})(?:/?[0-9]{2})?", value)
    if year:
        return f"{year[1]}-Q3", True
    return cells.period(value), False


def _annual(components: dict[str, float], not_supplied: dict[str, str]
            ) -> tuple[dict[str, float], dict[str, str]]:
    """An annual row's flows as the year's, and the quarter's flows not supplied."""
    out = {c: v for c, v in components.items() if c not in ANNUAL_FLOWS}
    reasons = {c: r for c, r in not_supplied.items() if c not in ANNUAL_FLOWS.values()}
    for quarterly, yearly in ANNUAL_FLOWS.items():
        if quarterly in components:
            out[yearly] = components[quarterly]
        elif quarterly in not_supplied:
            reasons[yearly] = not_supplied[quarterly]
    for code in ANNUAL_FLOWS:
        what = "leavers" if code.startswith("leavers") else "starters"
        reasons[code] = NOT_QUARTERLY.format(what=what)
    return out, reasons

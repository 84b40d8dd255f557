"""Reading an LA's workforce records: worker-level census-style CSV, or pre-aggregated components.

Worker-level rows follow the DfE children's social work workforce census, one row per worker
assignment per quarterly return, or the annual census return itself (no period column: its year
is given); the census's own column names are accepted (see README.md), and the census XML is
read by ``connectors.census``. Every bad cell is collected with its line and field, and a file
with any problem yields nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors import cells
from connectors.aggregates import (
    AggregateRecords,
    AggregateRow,
    is_aggregate_header,
    parse_aggregate,
)
from connectors.problems import Problem, RecordsError

if TYPE_CHECKING:
    from connectors.tally import Tally

__all__ = ["AggregateRecords", "AggregateRow", "Assignment", "Problem", "RecordsError",
           "WorkerRecords", "parse_records", "read_records", "worker_row"]

MAX_ROWS = 500_000

#: Our field → accepted column names, compared lower-case without spaces, "_" or "-".
WORKER_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "returnperiod", "quarter"),
    "worker_id": ("workerid", "sweno", "socialworkenglandregistrationnumber", "workerref"),
    "role": ("role", "pricecaprole", "agencyrole"),
    "org_role": ("orgrole",),
    "agency": ("agency", "agencyworker"),
    "fte": ("fte",),
    "fte30": ("fte30",),
    "start_date": ("startdate", "rolestartdate", "assignmentstartdate"),
    "leave_date": ("leavedate", "leavingdate", "roleenddate", "enddate"),
    "converted_from_agency": ("convertedfromagencydate", "conversiondate"),
    "absence_days": ("absencedays", "workingdayslost", "sicknessdays", "ftedaysabsence",
                     "daysabsence"),
    "cases": ("cases", "cases30", "casesheld"),
    "case_holder": ("caseholder", "caseholderflag"),
    "hourly_rate": ("hourlyrate", "agencyhourlyrate", "chargerate"),
    "breach_type": ("breachtype", "moubreachtype"),
    "breach_signed_off_by": ("breachsignedoffby", "signedoffby"),
}
#: Each field's parser, and whether every row needs it.
_PARSERS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "period": (cells.period, True), "worker_id": (cells.text, True), "role": (cells.role, True),
    "org_role": (cells.org_role, False), "agency": (cells.flag, True),
    "fte": (cells.fte, False), "fte30": (cells.share, False), "start_date": (cells.day, True),
    "leave_date": (cells.day, False), "converted_from_agency": (cells.day, False),
    "absence_days": (cells.non_negative, False), "cases": (cells.whole, False),
    "case_holder": (cells.flag, False), "hourly_rate": (cells.money, False),
    "breach_type": (cells.breach_type, False), "breach_signed_off_by": (cells.text, False),
}
#: The columns a worker file must have; a census return has no period (its year is given).
REQUIRED_WORKER_FIELDS = ("worker_id", "agency", "start_date")
#: Columns of which a worker file needs one: the price-cap role or the census's OrgRole; an FTE.
ONE_OF = (("role", "org_role"), ("fte", "fte30"))
#: Optional columns whose absence leaves a component not supplied (never zero), and why.
COLLECTED_BY = {
    "converted_from_agency": ("agency_conversions", "x: the LA's records do not give "
                              "conversions from agency (the census does not collect them)"),
    "breach_type": ("mou_breaches", "x: the LA's records do not give MoU breaches (the census "
                    "does not collect them)"),
    "hourly_rate": ("agency_above_cap", "x: the LA's records do not give agency hourly rates "
                    "(the census does not collect them)"),
    "role": ("agency_above_cap", "x: the LA's records do not give price-cap roles"),
}


@dataclass(frozen=True, slots=True)  # slots: a large return holds thousands
class Assignment:
    """One worker assignment as it stood in one return (quarterly, or the annual census)."""

    line: int
    period: str
    worker_id: str
    role: str | None
    agency: bool
    fte: float
    start_date: date
    leave_date: date | None = None
    converted_from_agency: date | None = None
    absence_days: float | None = None
    cases: int | None = None
    case_holder: bool = False
    hourly_rate: float | None = None
    breach_type: str | None = None
    breach_signed_off_by: str | None = None
    #: The census's OrgRole (1 senior manager … 5 case holder, 6 qualified without cases).
    org_role: str | None = None


@dataclass(frozen=True)
class WorkerRecords:
    """Worker-level records, and which optional fields the LA supplies."""

    assignments: tuple[Assignment, ...]
    has_cases: bool
    has_absence: bool
    #: The optional columns the file has (see COLLECTED_BY); every one unless said otherwise.
    columns: frozenset[str] = frozenset(COLLECTED_BY)
    #: An annual census return: flows over the year to 30 September, not a quarter.
    annual: bool = False
    #: Vacant and agency FTE the return gives at LA level, per period (census LALevelVacancies).
    la_level: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: The LA the return names (the census's LEA), where it names one.
    la_code: str | None = None
    #: Periods already folded into totals as the return streamed past (a census return keeps
    #: no worker rows: see ``connectors.tally``).
    tallied: Mapping[str, Tally] = field(default_factory=dict)

    def periods(self) -> tuple[str, ...]:
        """The periods the records hold a return for."""
        return tuple(sorted({a.period for a in self.assignments} | set(self.la_level)
                            | set(self.tallied)))

    def not_collected(self) -> dict[str, str]:
        """Component -> why the records cannot give it (a column the LA does not have)."""
        out: dict[str, str] = {}
        for column, (component, reason) in COLLECTED_BY.items():
            if column not in self.columns:
                out.setdefault(component, reason)
        return out


def read_records(path: Path, la_code: str | None = None, census_year: int | None = None
                 ) -> WorkerRecords | AggregateRecords:
    """The records in the CSV or census XML file at ``path``; RecordsError listing every
    problem, each with the file's name."""
    try:
        if path.suffix.lower() == ".xml":
            from connectors.census import read_census  # xmlschema loads only for XML
            return read_census(path, la_code)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecordsError([Problem(1, "file", f"not UTF-8 text: {exc.reason}")]) from None
        return parse_records(text, la_code, census_year)
    except RecordsError as exc:
        raise RecordsError(list(exc.problems), str(path)) from None


def parse_records(text: str, la_code: str | None = None, census_year: int | None = None
                  ) -> WorkerRecords | AggregateRecords:
    """The records in CSV ``text``, worker-level or pre-aggregated by its header; a census
    worker file without periods is the annual return of ``census_year``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if not header:
            raise RecordsError([Problem(1, "header", "the file is empty")])
        if is_aggregate_header(header):
            return parse_aggregate(header, reader, la_code)
        return _parse_workers(header, reader, census_year)
    except csv.Error as exc:
        raise RecordsError([Problem(reader.line_num, "file", f"not valid CSV: {exc}")]) \
            from None


def census_period(year: int) -> str:
    """The period an annual census return lands as: the quarter ending on 30 September."""
    return f"{year}-Q3"


def _parse_workers(header: list[str], reader: Any, census_year: int | None) -> WorkerRecords:
    problems: list[Problem] = []
    aliases = {alias: field for field, names in WORKER_COLUMNS.items() for alias in names}
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        field = aliases.get(cells.norm(name))
        if field is None:
            continue  # other census columns (birth date, ethnicity…) are not needed here
        if field in index:
            problems.append(Problem(1, name, f"a second column for {field}"))
        index[field] = i
    problems += [Problem(1, f, "required column missing") for f in REQUIRED_WORKER_FIELDS
                 if f not in index]
    problems += [Problem(1, " or ".join(names), "required column missing")
                 for names in ONE_OF if not any(n in index for n in names)]
    annual = "period" not in index
    if annual and census_year is None:
        problems.append(Problem(1, "period", "no period column: a census return needs its "
                                             "year (census_year)"))
    if problems:
        raise RecordsError(problems)
    fixed = census_period(census_year) if annual and census_year else None
    rows: list[Assignment] = []
    for row in reader:
        if reader.line_num > MAX_ROWS:
            problems.append(Problem(reader.line_num, "file", f"more than {MAX_ROWS} rows"))
            break
        if not any(cell.strip() for cell in row):
            continue
        raw = {f: (row[i].strip() if i < len(row) else "") for f, i in index.items()}
        if fixed:
            raw["period"] = fixed
        assignment = worker_row(reader.line_num, raw, problems, set(index))
        if assignment is not None:
            rows.append(assignment)
    if problems:
        raise RecordsError(problems)
    return WorkerRecords(tuple(rows), "cases" in index, "absence_days" in index,
                         frozenset(c for c in COLLECTED_BY if c in index), annual)


def worker_row(line: int, raw: Mapping[str, str], problems: list[Problem],
               columns: set[str]) -> Assignment | None:
    """One worker row from its raw cells (by our field names), or None with its problems
    added; ``columns`` are the fields the file has, of which required ones must be filled."""
    before = len(problems)
    fields: dict[str, Any] = dict.fromkeys(_PARSERS)
    for name, (parse, required) in _PARSERS.items():
        value = raw.get(name, "")
        if not value:
            if required and name in columns:
                problems.append(Problem(line, name, "required"))
            continue
        try:
            fields[name] = parse(value)
        except ValueError as exc:
            problems.append(Problem(line, name, str(exc)))
    # FTE at 30 September where the census gives it (0 for a leaver), else the role's FTE.
    fte30, fte = fields.pop("fte30"), fields["fte"]
    fields["fte"] = fte30 if fte30 else fte
    if not fields["fte"] and not any(p.line == line and p.field.startswith("fte")
                                     for p in problems[before:]):
        problems.append(Problem(line, "fte", "required (FTE or FTE30 above 0)"))
    if fields["agency"] and "hourly_rate" in columns and not raw.get("hourly_rate"):
        problems.append(Problem(line, "hourly_rate", "required for agency workers"))
    start, leave = fields["start_date"], fields["leave_date"]
    if start and leave and leave < start:
        problems.append(Problem(line, "leave_date", "before the start date"))
    if fields["converted_from_agency"] and fields["agency"]:
        problems.append(Problem(line, "converted_from_agency", "set on an agency assignment"))
    if len(problems) > before:
        return None
    if fields["case_holder"] is None:
        # The census has no case-holder flag: a worker holding cases at the snapshot is one.
        fields["case_holder"] = bool(fields["cases"])
    return Assignment(line=line, **fields)

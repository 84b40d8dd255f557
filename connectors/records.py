"""Reading an LA's workforce records: worker-level census-style CSV, or pre-aggregated components.

Worker-level rows follow the DfE children's social work workforce census, one row per worker
assignment per quarterly return; the census's own column names are accepted (see README.md).
Every bad cell is collected with its line and field, and a file with any problem yields nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from connectors import cells
from policies.measures import BREAKDOWNS, COMPONENTS

MAX_ROWS = 500_000
MAX_PROBLEMS_SHOWN = 50

#: Our field → accepted column names, compared lower-case without spaces, "_" or "-".
WORKER_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "returnperiod", "quarter"),
    "worker_id": ("workerid", "sweno", "socialworkenglandregistrationnumber", "workerref"),
    "role": ("role", "pricecaprole", "agencyrole"),
    "agency": ("agency", "agencyworker"),
    "fte": ("fte", "fte30"),
    "start_date": ("startdate", "rolestartdate", "assignmentstartdate"),
    "leave_date": ("leavedate", "leavingdate", "roleenddate", "enddate"),
    "converted_from_agency": ("convertedfromagencydate", "conversiondate"),
    "absence_days": ("absencedays", "workingdayslost", "sicknessdays"),
    "cases": ("cases", "cases30", "casesheld"),
    "case_holder": ("caseholder", "caseholderflag"),
    "hourly_rate": ("hourlyrate", "agencyhourlyrate", "chargerate"),
    "breach_type": ("breachtype", "moubreachtype"),
    "breach_signed_off_by": ("breachsignedoffby", "signedoffby"),
}
#: Each field's parser, and whether every row needs it.
_PARSERS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "period": (cells.period, True), "worker_id": (cells.text, True), "role": (cells.role, True),
    "agency": (cells.flag, True), "fte": (cells.fte, True), "start_date": (cells.day, True),
    "leave_date": (cells.day, False), "converted_from_agency": (cells.day, False),
    "absence_days": (cells.non_negative, False), "cases": (cells.whole, False),
    "case_holder": (cells.flag, False), "hourly_rate": (cells.money, False),
    "breach_type": (cells.breach_type, False), "breach_signed_off_by": (cells.text, False),
}
REQUIRED_WORKER_FIELDS = tuple(f for f, (_, required) in _PARSERS.items() if required)



@dataclass(frozen=True)
class Problem:
    """One bad cell or header: where it is and what is wrong."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class RecordsError(ValueError):
    """A records file with problems; lists every one (the first MAX_PROBLEMS_SHOWN in the text)."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        super().__init__(f"{len(problems)} problem(s) in the records:\n{shown}"
                         + (f"\n… and {more} more" if more > 0 else ""))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Assignment:
    """One worker assignment as it stood in one quarterly return."""

    line: int
    period: str
    worker_id: str
    role: str
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


@dataclass(frozen=True)
class WorkerRecords:
    """Worker-level records, and which optional fields the LA supplies."""

    assignments: tuple[Assignment, ...]
    has_cases: bool
    has_absence: bool

    def periods(self) -> tuple[str, ...]:
        """The periods the records hold a return for."""
        return tuple(sorted({a.period for a in self.assignments}))


@dataclass(frozen=True)
class AggregateRow:
    """One period of a pre-aggregated file: components and breakdowns as the LA computed them."""

    period: str
    components: Mapping[str, float]
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]]


@dataclass(frozen=True)
class AggregateRecords:
    """A pre-aggregated file: one row per period."""

    rows: Mapping[str, AggregateRow]


def read_records(path: Path) -> WorkerRecords | AggregateRecords:
    """The records in the CSV file at ``path``; RecordsError listing every problem."""
    return parse_records(path.read_text(encoding="utf-8-sig"))


def parse_records(text: str) -> WorkerRecords | AggregateRecords:
    """The records in CSV ``text``, worker-level or pre-aggregated by its header."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if not header:
            raise RecordsError([Problem(1, "header", "the file is empty")])
        if cells.norm("permanent_fte") in {cells.norm(h) for h in header}:
            return _parse_aggregate(header, reader)
        return _parse_workers(header, reader)
    except csv.Error as exc:
        raise RecordsError([Problem(reader.line_num, "file", f"not valid CSV: {exc}")]) \
            from None


def _parse_workers(header: list[str], reader: Any) -> WorkerRecords:
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
    if problems:
        raise RecordsError(problems)
    rows: list[Assignment] = []
    for row in reader:
        if reader.line_num > MAX_ROWS:
            problems.append(Problem(reader.line_num, "file", f"more than {MAX_ROWS} rows"))
            break
        if not any(cell.strip() for cell in row):
            continue
        raw = {f: (row[i].strip() if i < len(row) else "") for f, i in index.items()}
        assignment = _worker_row(reader.line_num, raw, problems)
        if assignment is not None:
            rows.append(assignment)
    if problems:
        raise RecordsError(problems)
    return WorkerRecords(tuple(rows), "cases" in index, "absence_days" in index)


def _worker_row(line: int, raw: dict[str, str], problems: list[Problem]) -> Assignment | None:
    before = len(problems)
    fields: dict[str, Any] = dict.fromkeys(_PARSERS)
    for field, (parse, required) in _PARSERS.items():
        value = raw.get(field, "")
        if not value:
            if required:
                problems.append(Problem(line, field, "required"))
            continue
        try:
            fields[field] = parse(value)
        except ValueError as exc:
            problems.append(Problem(line, field, str(exc)))
    if fields["agency"] and not raw.get("hourly_rate"):
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


def _parse_aggregate(header: list[str], reader: Any) -> AggregateRecords:
    problems: list[Problem] = []
    columns: list[tuple[str, str | None, str | None]] = []  # (component, dimension, category)
    for name in (h.strip() for h in header):
        code, _, category = name.partition(".")
        dims = [d for d, cats in BREAKDOWNS.items() if category in cats]
        if name == "period" or (code in COMPONENTS and not category):
            columns.append((name, None, None))
        elif code in COMPONENTS and dims:
            columns.append((code, dims[0], category))
        else:
            problems.append(Problem(1, name, "not a component, component.role or "
                                             "mou_breaches.breach_type column"))
    if "period" not in {c for c, _, _ in columns}:
        problems.append(Problem(1, "period", "required column missing"))
    if problems:
        raise RecordsError(problems)
    rows: dict[str, AggregateRow] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        period = ""
        components: dict[str, float] = {}
        breakdowns: dict[str, dict[str, dict[str, float]]] = {}
        for (column, dim, cat), cell in zip(columns, row, strict=False):
            value = cell.strip()
            try:
                if column == "period":
                    period = cells.period(value)
                elif value and dim and cat:
                    breakdowns.setdefault(dim, {}).setdefault(cat, {})[column] = \
                        cells.non_negative(value)
                elif value:
                    components[column] = cells.non_negative(value)
            except ValueError as exc:
                problems.append(Problem(line, f"{column}.{cat}" if cat else column, str(exc)))
        if period in rows:
            problems.append(Problem(line, "period", f"{period} appears twice"))
        rows[period] = AggregateRow(period, components, breakdowns)
    if problems:
        raise RecordsError(problems)
    return AggregateRecords(rows)

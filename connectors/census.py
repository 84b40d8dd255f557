"""Reading the CSWW census return (XML) an LA sends DfE: validated, streamed, safe.

The file is parsed by expat in chunks; each ``Header``, ``LALevelVacancies`` and ``CSWWWorker``
element is validated against ``schemas/csww.xsd`` (xmlschema) as soon as it ends, mapped, and
dropped, so memory stays flat however many workers the return holds. A document type
declaration or entity (the "billion laughs" and external-entity attacks), nesting deeper than
the schema allows, or a file over MAX_BYTES stops reading at once. Every problem is reported
with the file's line and the element's path.

The return lands as period ``YYYY-Q3`` (the quarter ending on the census date, 30 September),
its LEA code identifies the LA, and its workers become assignments in DfE's terms: in post at
30 September by FTE30, starters and leavers over the year to it by role start and end dates,
cases held (Cases30), working days lost; agency workers from ``LALevelVacancies`` where the
return gives them there and not as workers. OrgRole is kept as the census role; the price-cap
role, hourly rates, conversions and MoU breaches are not in the census, and are not supplied.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

import xmlschema

from connectors.problems import Problem, RecordsError
from connectors.records import Assignment, WorkerRecords, census_period, worker_row
from connectors.reference import dfe_codes
from policies.geography import ReorganisedLA, resolve, same_la

SCHEMA_PATH = Path(__file__).parent / "schemas" / "csww.xsd"
#: Far above a large LA's return (a few MB for thousands of workers).
MAX_BYTES = 256 * 1024 * 1024
#: The schema nests four deep (Message/Header/CollectionDetails/Year); a little slack.
MAX_DEPTH = 8
MAX_PROBLEMS = 1000
_CHUNK = 1 << 16
#: Census element -> our worker field (see records.WORKER_COLUMNS).
FIELDS = {"SWENo": "worker_id", "AgencyWorker": "agency", "FTE": "fte", "FTE30": "fte30",
          "RoleStartDate": "start_date", "RoleEndDate": "leave_date", "Cases30": "cases",
          "WorkingDaysLost": "absence_days", "OrgRole": "org_role"}
_ELEMENT_OF = {field: element for element, field in FIELDS.items()}
_SECTIONS = ("Header", "LALevelVacancies", "CSWWWorker")


class _Stop(Exception):
    """Reading stops here (an attack, or too many problems); the reason is a Problem."""


class _Element(ET.Element):
    """An element that remembers the line it started on."""

    sourceline: int = 0


@cache
def schema() -> xmlschema.XMLSchema:
    """The CSWW schema, compiled once."""
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def read_census(path: Path, la_code: str | None = None) -> WorkerRecords:
    """The census return in ``path`` as worker records of its census year; RecordsError with
    every problem, each with its line and element path."""
    with path.open("rb") as stream:
        return parse_census(stream, la_code)


def parse_census(stream: BinaryIO, la_code: str | None = None) -> WorkerRecords:
    """The census return read from ``stream`` (see ``read_census``)."""
    reader = _CensusReader(la_code)
    try:
        for name, element, index in _sections(stream, reader.problems):
            reader.section(name, element, index)
    except _Stop:
        pass
    return reader.records()


def _sections(stream: BinaryIO, problems: list[Problem]
              ) -> Iterator[tuple[str, _Element, int]]:
    """Each top-level element of the Message as it ends, with its position among its kind."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder(element_factory=_Element)  # type: ignore[arg-type]
    ended: list[_Element] = []
    depth = [0]
    root: list[ET.Element] = []

    def refuse(message: str) -> None:
        problems.append(Problem(parser.CurrentLineNumber, "file", message))
        raise _Stop

    def start(tag: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            refuse(f"elements nested deeper than {MAX_DEPTH}: not a census return")
        element = builder.start(tag, attrs)
        element.sourceline = parser.CurrentLineNumber  # type: ignore[attr-defined]
        if depth[0] == 1:
            if tag != "Message":
                refuse(f"the root element is <{tag[:40]}>, not <Message>")
            root.append(element)

    def end(tag: str) -> None:
        depth[0] -= 1
        element = builder.end(tag)
        if depth[0] == 1:
            ended.append(element)  # type: ignore[arg-type]
            root[0].remove(element)  # memory stays flat: the Message keeps no section

    def no_dtd(*_: Any) -> None:
        refuse("a document type declaration: not allowed (entity attacks)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.ExternalEntityRefHandler = no_dtd  # type: ignore[assignment]
    parser.buffer_text = True
    counts: dict[str, int] = {}
    read = 0
    while True:
        chunk = stream.read(_CHUNK)
        read += len(chunk)
        if read > MAX_BYTES:
            problems.append(Problem(parser.CurrentLineNumber, "file",
                                    f"larger than {MAX_BYTES // (1024 * 1024)} MB"))
            raise _Stop
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            problems.append(Problem(exc.lineno, "file",
                                    f"not well-formed XML: {expat.ErrorString(exc.code)}"))
            raise _Stop from None
        for element in ended:
            counts[element.tag] = counts.get(element.tag, 0) + 1
            yield element.tag, element, counts[element.tag]
        ended.clear()
        if not chunk:
            break


class _CensusReader:
    """Validates and maps each section of the return as it streams past."""

    def __init__(self, la_code: str | None) -> None:
        self.la_code = la_code
        self.problems: list[Problem] = []
        self.period: str | None = None
        self.census_date: date | None = None
        self.lea: str | None = None
        self.la_level: dict[str, float] = {}
        self.assignments: list[Assignment] = []
        self.has_cases = self.has_absence = False
        self.order: list[str] = []

    def section(self, name: str, element: _Element, index: int) -> None:
        path = f"/Message/{name}[{index}]" if name == "CSWWWorker" else f"/Message/{name}"
        if name not in _SECTIONS:
            self._problem(element.sourceline, path, "not part of a census return")
            return
        if name != "CSWWWorker" and index > 1:
            self._problem(element.sourceline, path, f"a second <{name}>")
            return
        if name == "Header" and self.order:
            self._problem(element.sourceline, path, "must come first")
        self.order.append(name)
        valid = self._validate(element, path)
        if name == "Header":
            self._header(element, path, valid)
        elif self.period is None:
            if "Header" not in self.order:  # else the Header's own problems say why
                self._problem(element.sourceline, path, "before the <Header>")
        elif valid and name == "LALevelVacancies":
            self._vacancies(element)
        elif valid:
            self._worker(element, path)
        element.clear()

    def _problem(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(line, path, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def _validate(self, element: _Element, path: str) -> bool:
        valid = True
        for error in schema().iter_errors(element):
            valid = False
            where = error.elem if isinstance(error.elem, _Element) else element
            inner = (error.path or "").split("/", 2)[2:]  # below the section's own element
            self._problem(where.sourceline, path + ("/" + inner[0] if inner else ""),
                          _reason(error))
        return valid

    def _header(self, element: _Element, path: str, valid: bool) -> None:
        if not valid:
            return
        reference = date.fromisoformat(_text(element, "CollectionDetails/ReferenceDate"))
        year = int(_text(element, "CollectionDetails/Year"))
        if (reference.month, reference.day) != (9, 30) or reference.year != year:
            self._problem(element.sourceline, f"{path}/CollectionDetails/ReferenceDate",
                          f"{reference} is not the census date of {year} (30 September)")
            return
        self.lea = _text(element, "Source/LEA")
        try:
            code = resolve(self.lea, dfe_codes()).code
        except (ReorganisedLA, KeyError) as exc:
            self._problem(element.sourceline, f"{path}/Source/LEA", str(exc).strip("'\""))
            return
        if self.la_code and not same_la(code, self.la_code):
            self._problem(element.sourceline, f"{path}/Source/LEA",
                          f"the return of LEA {self.lea} ({code}), not of {self.la_code}")
            return
        self.la_code = code
        self.census_date = reference
        self.period = census_period(year)

    def _vacancies(self, element: _Element) -> None:
        self.la_level["vacancy_fte"] = float(_text(element, "NumberOfVacancies"))
        for name, key in (("NoAgencyFTE", "agency_fte"), ("NoAgencyHeadcount",
                                                            "agency_headcount")):
            value = element.findtext(name)
            if value is not None and value.strip():
                self.la_level[key] = float(value)

    def _worker(self, element: _Element, path: str) -> None:
        raw = {field: (element.findtext(name) or "").strip() for name, field in FIELDS.items()}
        raw["period"] = self.period or ""
        self.has_cases |= bool(raw["cases"])
        self.has_absence |= bool(raw["absence_days"])
        found: list[Problem] = []
        # The schema has checked which elements a worker needs; these must also be filled.
        assignment = worker_row(element.sourceline, raw, found,
                                {"worker_id", "agency", "start_date"})
        for problem in found:
            name = _ELEMENT_OF.get(problem.field.removeprefix("fte or "), problem.field)
            child = element.find(name)
            line = child.sourceline if isinstance(child, _Element) else problem.line
            self._problem(line, f"{path}/{name}", problem.message)
        if assignment is not None:
            self.assignments.append(assignment)

    def records(self) -> WorkerRecords:
        if self.period is None and not self.problems:
            self.problems.append(Problem(1, "/Message/Header", "required: the return has no "
                                                               "<Header>"))
        if self.problems:
            raise RecordsError(self.problems)
        assert self.period is not None
        return WorkerRecords(tuple(self.assignments), self.has_cases, self.has_absence,
                             columns=frozenset(), annual=True,
                             la_level={self.period: dict(self.la_level)} if self.la_level
                             else {}, la_code=self.la_code)


def _text(element: ET.Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _reason(error: xmlschema.XMLSchemaValidationError) -> str:
    reason = (error.reason or str(error.message)).strip()
    return reason[:1].lower() + reason[1:200].rstrip(".")

"""Reading the CSWW census return (XML) an LA sends DfE: validated, streamed, safe.

The file is parsed incrementally (lxml's iterparse); each ``Header``, ``LALevelVacancies`` and
``CSWWWorker`` element is validated against ``schemas/csww.xsd`` (libxml2's XML Schema
validator) as soon as it ends, mapped, folded into the return's running totals
(``connectors.tally``) and dropped: neither the XML nor its workers are kept, and memory does not
grow with the file. A worker in two posts comes twice (DfE counts the person once): a fixed-size
filter names the ids that may have come before, and the file is read a second time for those
ids alone. A document type declaration (the "billion laughs" and external-entity attacks;
entities are never resolved, the network never used), nesting deeper than the schema allows, or
a file over MAX_BYTES stops reading at once. Every problem is reported with the file's line and
the element's path.

The return lands as period ``YYYY-Q3`` (the quarter ending on the census date, 30 September),
its LEA code identifies the LA, and its workers become assignments in DfE's terms: in post at
30 September by FTE30, starters and leavers over the year to it by role start and end dates,
cases held (Cases30), working days lost; agency workers from ``LALevelVacancies`` where the
return gives them there and not as workers. OrgRole is the census role: permanent FTE and
headcount in post are broken down by it. The price-cap role, hourly rates, conversions and MoU
breaches are not in the census, and are not supplied.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree  # type: ignore[import-untyped]

from connectors.problems import Problem, RecordsError
from connectors.records import Assignment, WorkerRecords, census_period, worker_row
from connectors.reference import dfe_codes
from connectors.tally import Tally
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


@cache
def schema() -> etree.XMLSchema:
    """The CSWW schema, compiled once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def read_census(path: Path, la_code: str | None = None) -> WorkerRecords:
    """The census return in ``path`` as worker records of its census year; RecordsError with
    every problem, each with its line and element path."""
    with path.open("rb") as stream:
        return parse_census(stream, la_code)


def parse_census(stream: BinaryIO, la_code: str | None = None) -> WorkerRecords:
    """The census return read from ``stream``, a seekable file (see ``read_census``)."""
    reader = _CensusReader(la_code)
    try:
        for name, element, index in _sections(_Bounded(stream, reader.problems),
                                              reader.problems):
            reader.section(name, element, index)
    except _Stop:
        pass
    if reader.suspects and not reader.problems:
        # Some worker ids may have come twice: read the file again for those ids alone.
        stream.seek(0)
        reader.fold_duplicates(_rows_of(stream, reader.suspects, reader.period or ""))
    return reader.records()


def _rows_of(stream: BinaryIO, ids: set[str], period: str) -> dict[str, list[Assignment]]:
    """Every worker row of the (already validated) return whose id is one of ``ids``."""
    problems: list[Problem] = []
    rows: dict[str, list[Assignment]] = {}
    for name, element, _ in _sections(_Bounded(stream, problems), problems):
        if name == "CSWWWorker" and _text(element, "SWENo") in ids:
            assignment = worker_row(element.sourceline or 0, _raw(element, period), problems,
                                    set())
            if assignment is not None:
                rows.setdefault(assignment.worker_id, []).append(assignment)
    return rows


class _SeenBefore:
    """Which worker ids may have been read before, in a fixed 128 KiB whatever the file's
    size: a Bloom filter. It never misses an id read before; it may name one that was not (one
    in millions at a large LA's few thousand workers), which the second reading settles."""

    BITS = 1 << 20
    HASHES = 4

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS // 8)

    def add(self, key: str) -> bool:
        """Note ``key``; True when it may have been noted before."""
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=16).digest(), "big")
        seen = True
        for _ in range(self.HASHES):
            bit, digest = digest & (self.BITS - 1), digest >> 20  # 20 bits a position
            byte, mask = bit >> 3, 1 << (bit & 7)
            if not self.bits[byte] & mask:
                seen = False
                self.bits[byte] |= mask
        return seen


class _Bounded:
    """A stream that stops reading past MAX_BYTES."""

    def __init__(self, stream: BinaryIO, problems: list[Problem]) -> None:
        self.stream, self.problems, self.read_bytes = stream, problems, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(_CHUNK if size < 0 else min(size, _CHUNK))
        self.read_bytes += len(chunk)
        if self.read_bytes > MAX_BYTES:
            self.problems.append(Problem(0, "file", f"larger than "
                                                    f"{MAX_BYTES // (1024 * 1024)} MB"))
            raise _Stop
        return chunk


def _sections(stream: _Bounded, problems: list[Problem]
              ) -> Iterator[tuple[str, etree._Element, int]]:
    """Each top-level element of the Message as it ends, with its position among its kind."""
    events = etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    counts: dict[str, int] = {}
    depth = 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    if element.getroottree().docinfo.doctype:
                        problems.append(Problem(element.sourceline or 1, "file", "a document "
                                                "type declaration: not allowed (entity "
                                                "attacks)"))
                        raise _Stop
                    if element.tag != "Message":
                        problems.append(Problem(element.sourceline or 1, "file",
                                                f"the root element is <{str(element.tag)[:40]}>,"
                                                " not <Message>"))
                        raise _Stop
                elif depth > MAX_DEPTH:
                    problems.append(Problem(element.sourceline or 1, "file", "elements nested "
                                            f"deeper than {MAX_DEPTH}: not a census return"))
                    raise _Stop
                continue
            depth -= 1
            if depth == 1:
                tag = str(element.tag)
                counts[tag] = counts.get(tag, 0) + 1
                yield tag, element, counts[tag]
                # Memory stays flat: the Message keeps no section once it is read.
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(exc.lineno or 1, "file", f"not well-formed XML: {exc.msg}"))
        raise _Stop from None


class _CensusReader:
    """Validates and maps each section of the return as it streams past."""

    def __init__(self, la_code: str | None) -> None:
        self.la_code = la_code
        self.problems: list[Problem] = []
        self.period: str | None = None
        self.census_date: date | None = None
        self.lea: str | None = None
        self.la_level: dict[str, float] = {}
        #: The workers as running totals; the rows themselves are not kept.
        self.tally: Tally | None = None
        self.workers = 0
        self.seen = _SeenBefore()
        #: Worker ids that may have come more than once (each census post is a row).
        self.suspects: set[str] = set()
        self.has_cases = self.has_absence = False
        #: The kinds of section read so far (the Header must come first).
        self.order: set[str] = set()

    def section(self, name: str, element: etree._Element, index: int) -> None:
        path = f"/Message/{name}[{index}]" if name == "CSWWWorker" else f"/Message/{name}"
        if name not in _SECTIONS:
            self._problem(element.sourceline or 0, path, "not part of a census return")
            return
        line = element.sourceline or 0
        if name != "CSWWWorker" and index > 1:
            self._problem(line, path, f"a second <{name}>")
            return
        if name == "Header" and self.order:
            self._problem(line, path, "must come first")
        self.order.add(name)
        valid = self._validate(element, path)
        if name == "Header":
            self._header(element, path, valid)
        elif self.period is None:
            if "Header" not in self.order:  # else the Header's own problems say why
                self._problem(line, path, "before the <Header>")
        elif valid and name == "LALevelVacancies":
            self._vacancies(element)
        elif valid:
            self._worker(element, path)

    def _problem(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(line, path, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def _validate(self, element: etree._Element, path: str) -> bool:
        checker = schema()
        if checker.validate(element):
            return True
        for error in checker.error_log:
            # The error's path is from the section's own element: below it, keep the rest.
            inner = (error.path or "").split("/", 2)[2:]
            self._problem(error.line, path + ("/" + inner[0] if inner else ""),
                          _reason(error.message))
        return False

    def _header(self, element: etree._Element, path: str, valid: bool) -> None:
        if not valid:
            return
        reference = date.fromisoformat(_text(element, "CollectionDetails/ReferenceDate"))
        year = int(_text(element, "CollectionDetails/Year"))
        if (reference.month, reference.day) != (9, 30) or reference.year != year:
            self._problem(element.sourceline or 0, f"{path}/CollectionDetails/ReferenceDate",
                          f"{reference} is not the census date of {year} (30 September)")
            return
        self.lea = _text(element, "Source/LEA")
        try:
            code = resolve(self.lea, dfe_codes()).code
        except (ReorganisedLA, KeyError) as exc:
            self._problem(element.sourceline or 0, f"{path}/Source/LEA", str(exc).strip("'\""))
            return
        if self.la_code and not same_la(code, self.la_code):
            self._problem(element.sourceline or 0, f"{path}/Source/LEA",
                          f"the return of LEA {self.lea} ({code}), not of {self.la_code}")
            return
        self.la_code = code
        self.census_date = reference
        self.period = census_period(year)
        self.tally = Tally(self.period, annual=True, caps=None)

    def _vacancies(self, element: etree._Element) -> None:
        self.la_level["vacancy_fte"] = float(_text(element, "NumberOfVacancies"))
        for name, key in (("NoAgencyFTE", "agency_fte"), ("NoAgencyHeadcount",
                                                            "agency_headcount")):
            value = element.findtext(name)
            if value is not None and value.strip():
                self.la_level[key] = float(value)

    def _worker(self, element: etree._Element, path: str) -> None:
        raw = _raw(element, self.period or "")
        self.has_cases |= bool(raw["cases"])
        self.has_absence |= bool(raw["absence_days"])
        found: list[Problem] = []
        # The schema has checked which elements a worker needs; these must also be filled.
        assignment = worker_row(element.sourceline or 0, raw, found,
                                {"worker_id", "agency", "start_date"})
        for problem in found:
            name = _ELEMENT_OF.get(problem.field.removeprefix("fte or "), problem.field)
            child = element.find(name)
            line = (child.sourceline if child is not None else None) or problem.line
            self._problem(line, f"{path}/{name}", problem.message)
        if assignment is not None and self.tally is not None:
            self.tally.add(assignment)
            self.workers += 1
            if self.seen.add(assignment.worker_id):
                self.suspects.add(assignment.worker_id)

    def fold_duplicates(self, rows: dict[str, list[Assignment]]) -> None:
        """Count each worker the return gives more than once as one (DfE's headcounts)."""
        assert self.tally is not None
        for mine in rows.values():
            if len(mine) > 1:
                self.tally.fold_duplicate(mine)

    def records(self) -> WorkerRecords:
        if self.period is None and not self.problems:
            self.problems.append(Problem(1, "/Message/Header", "required: the return has no "
                                                               "<Header>"))
        if self.problems:
            raise RecordsError(self.problems)
        assert self.period is not None and self.tally is not None
        return WorkerRecords((), self.has_cases, self.has_absence,
                             columns=frozenset(), annual=True,
                             la_level={self.period: dict(self.la_level)} if self.la_level
                             else {}, la_code=self.la_code,
                             tallied={self.period: self.tally} if self.workers else {})


def _raw(element: etree._Element, period: str) -> dict[str, str]:
    """A worker's cells by our field names."""
    raw = {field: (element.findtext(name) or "").strip() for name, field in FIELDS.items()}
    raw["period"] = period
    return raw


def _text(element: etree._Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _reason(message: str) -> str:
    # libxml2 begins with "Element 'X': ", which the path already says.
    reason = re.sub(r"^Element '[^']*': (?:\[[^]]*\] )?", "", message.strip())
    return reason[:1].lower() + reason[1:200].rstrip(".")

"""From an LA's records to the extract for a period, using only the catalogue's components.

Snapshots are taken at the quarter's last day (in post: started on or before it and not left by
it); flows count what started, left, converted or was recorded during the quarter, and leavers
also over the twelve months to its end (DfE's turnover). A component the records cannot give is
left out with the reason, never sent as zero.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from connectors.contract import Extract, build_extract
from connectors.records import AggregateRecords, WorkerRecords
from connectors.tally import (
    DECIMALS,
    Group,
    Tally,
    quarter_bounds,
    tally_rows,
    year_bounds,
)
from policies.measures import BREACH_TYPES, ORG_ROLES, ROLES, period_key

__all__ = ["PriceCaps", "RecordsSource", "previous_periods", "quarter_bounds", "weekdays",
           "worker_components", "year_bounds"]

Breakdowns = dict[str, dict[str, dict[str, float]]]
#: The flows counted over the twelve months to the period's end, and their quarterly group.
YEAR_FLOWS = ("starters", "leavers")


@dataclass(frozen=True)
class PriceCaps:
    """The region's hourly price cap for each role, in pounds."""

    hourly: Mapping[str, float]

    def __post_init__(self) -> None:
        if missing := [r for r in ROLES if r not in self.hourly]:
            raise ValueError(f"price caps missing for {', '.join(missing)}")
        if unknown := [r for r in self.hourly if r not in ROLES]:
            raise ValueError(f"price caps for unknown roles {', '.join(unknown)}")
        if any(not math.isfinite(v) or v <= 0 for v in self.hourly.values()):
            raise ValueError("price caps must be positive amounts")


def weekdays(period: str) -> int:
    """Monday-to-Friday days in the quarter: the working days available per FTE."""
    return _weekdays(*quarter_bounds(period))


def _weekdays(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


def previous_periods(period: str, count: int) -> tuple[str, ...]:
    """``period`` and the ``count - 1`` quarters before it, newest first."""
    year, quarter = period_key(period)
    out = []
    for _ in range(count):
        out.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return tuple(out)


def tally_of(records: WorkerRecords, period: str, caps: PriceCaps | None) -> Tally:
    """The totals of ``period``: folded as a census return streamed past, or from its rows."""
    tallied = records.tallied.get(period)
    if tallied is not None:
        return tallied
    return tally_rows(period, (a for a in records.assignments if a.period == period),
                      records.annual, caps.hourly if caps else None)


def worker_components(records: WorkerRecords, period: str, caps: PriceCaps | None,
                      vacancy_fte: float | None
                      ) -> tuple[dict[str, float], Breakdowns, dict[str, str]]:
    """Components, breakdowns and the components not supplied (with why) of ``period``,
    computed from its return's worker rows. Nothing the records do not hold is a zero."""
    first, last = quarter_bounds(period)
    tally = tally_of(records, period, caps)
    groups = tally.groups
    la_level = records.la_level.get(period, {})
    not_supplied = records.not_collected()
    if caps is None:
        not_supplied.setdefault("agency_above_cap", "x: no price caps in the connector's "
                                                    "configuration")
    # The census may give agency workers at LA level only (LALevelVacancies), not as rows.
    agency_at_la_level = not tally.agency_rows and "agency_fte" in la_level
    in_post = {"permanent": groups["permanent"], "agency": groups["agency"]}
    if agency_at_la_level:
        del in_post["agency"]

    components: dict[str, float] = {}
    for code, group in in_post.items():
        components[f"{code}_fte"] = group.fte.value
        components[f"{code}_headcount"] = float(group.rows)
    if agency_at_la_level:
        components["agency_fte"] = round(la_level["agency_fte"], DECIMALS)
        if "agency_headcount" in la_level:
            components["agency_headcount"] = la_level["agency_headcount"]
    for flow in YEAR_FLOWS:
        components[f"{flow}_fte"] = groups[flow].fte.value
        components[f"{flow}_headcount"] = float(groups[flow].rows)
    vacancies = la_level.get("vacancy_fte", vacancy_fte)
    if vacancies is not None:
        components["vacancy_fte"] = round(vacancies, DECIMALS)
    components |= _year_flows(records, tally, caps)
    if "agency_conversions" not in not_supplied:
        components["agency_conversions"] = float(groups["converted"].rows)
    if "mou_breaches" not in not_supplied:
        components["mou_breaches"] = float(sum(tally.breaches.values()))
    if caps is not None and "agency_above_cap" not in not_supplied:
        components["agency_above_cap"] = float(groups["above_cap"].rows)
    if records.has_cases:
        components["cases"] = float(tally.cases)
        components["case_holders_fte"] = groups["holders"].fte.value
    if records.has_absence:
        # A census return's absence is over its year, so are the days it is measured against.
        days = _weekdays(*(year_bounds(period) if records.annual else (first, last)))
        components["working_days_lost"] = tally.absence.value
        components["working_days_available"] = round(components["permanent_fte"] * days,
                                                      DECIMALS)
    breakdowns: Breakdowns = {}
    if "role" in records.columns:
        breakdowns["role"] = _by_role(tally, in_post, components)
    permanent = groups["permanent"]
    if permanent.rows and permanent.complete("org_role"):
        # The census's own role: where every permanent worker in post gives one, so the
        # roles add up to the whole.
        breakdowns["org_role"] = {
            r: {"permanent_fte": permanent.fte_of("org_role", r),
                "permanent_headcount": permanent.people_of("org_role", r)}
            for r in ORG_ROLES}
    if "mou_breaches" in components:
        breakdowns["breach_type"] = {t: {"mou_breaches": float(tally.breaches.get(t, 0))}
                                     for t in BREACH_TYPES}
    return components, breakdowns, {c: r for c, r in not_supplied.items()
                                     if c not in components}


def _by_role(tally: Tally, in_post: Mapping[str, Group], components: Mapping[str, float]
             ) -> dict[str, dict[str, float]]:
    by_role: dict[str, dict[str, float]] = {r: {} for r in ROLES}
    for code, group in in_post.items():
        for role in ROLES:
            by_role[role][f"{code}_fte"] = group.fte_of("role", role)
            by_role[role][f"{code}_headcount"] = group.people_of("role", role)
    for code, name in (("agency_conversions", "converted"), ("agency_above_cap", "above_cap")):
        if code in components:
            for role in ROLES:
                by_role[role][code] = tally.groups[name].people_of("role", role)
    return by_role


def _year_flows(records: WorkerRecords, tally: Tally, caps: PriceCaps | None
                ) -> dict[str, float]:
    """Starters and leavers in the twelve months to the period's end: from the census return
    itself, or from the four quarterly returns ending with its period (nothing until all four
    are there)."""
    if records.annual:
        tallies = {flow: [tally.groups[f"{flow}_year"]] for flow in YEAR_FLOWS}
    else:
        held = set(records.periods())
        quarters = previous_periods(tally.period, 4)
        if any(p not in held for p in quarters):
            return {}
        each = [tally, *(tally_of(records, p, caps) for p in quarters[1:])]
        tallies = {flow: [t.groups[flow] for t in each] for flow in YEAR_FLOWS}
    out: dict[str, float] = {}
    for flow, groups in tallies.items():
        year = Group()
        for group in groups:
            year.merge(group)
        out[f"{flow}_12m_fte"] = year.fte.value
        out[f"{flow}_12m_headcount"] = float(year.rows)
    return out


def year_flows_reason(period: str, held: Iterable[str]) -> str:
    """Why flows over the year are not supplied for a quarterly return of ``period``."""
    missing = [p for p in previous_periods(period, 4) if p not in set(held)]
    return f"x: needs four quarterly returns; {', '.join(sorted(missing))} not there"


def _sum(values: Iterable[float]) -> float:
    return round(math.fsum(values), DECIMALS)


@dataclass
class RecordsSource:
    """The extracts an LA's records can produce: computed on first request, then kept."""

    la_code: str
    records: WorkerRecords | AggregateRecords
    #: The region's price caps; without them agency workers above the cap are not supplied.
    caps: PriceCaps | None = None
    #: Vacant FTE per period for quarterly worker records; such a period is served once it has
    #: one (a census return gives its own, in LALevelVacancies).
    vacancies: Mapping[str, float] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _cache: dict[str, Extract] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def periods(self) -> tuple[str, ...]:
        """The periods this source can serve, oldest first."""
        records = self.records
        if isinstance(records, AggregateRecords):
            found: Iterable[str] = records.rows
        else:
            found = (p for p in records.periods()
                     if p in self.vacancies or p in records.la_level or records.annual)
        return tuple(sorted(found, key=period_key))

    def extract(self, period: str) -> Extract | None:
        """The extract for ``period``, or None when the records cannot produce one."""
        if period not in self.periods():
            return None
        with self._lock:
            if period not in self._cache:
                self._cache[period] = self._compute(period)
            return self._cache[period]

    def contents(self, period: str) -> tuple[dict[str, float], Breakdowns, dict[str, str]]:
        """Components, breakdowns and what is not supplied (with why) for ``period``."""
        if isinstance(self.records, AggregateRecords):
            row = self.records.rows[period]
            components = dict(row.components)
            not_supplied = dict(row.not_supplied)
            for flow in YEAR_FLOWS:
                if not row.annual and f"{flow}_12m_fte" not in components:
                    found = _rolling(self.records, period, flow)
                    components |= found
                    not_supplied |= {code: year_flows_reason(period, self.records.rows)
                                     for code in _year_codes(flow) if code not in found}
            return components, {d: {c: dict(v) for c, v in cats.items()}
                                for d, cats in row.breakdowns.items()}, not_supplied
        components, breakdowns, not_supplied = worker_components(
            self.records, period, self.caps, self.vacancies.get(period))
        not_supplied |= {code: year_flows_reason(period, self.records.periods())
                         for flow in YEAR_FLOWS for code in _year_codes(flow)
                         if code not in components}
        if "vacancy_fte" not in components:
            not_supplied["vacancy_fte"] = "x: no vacancies given for the period"
        return components, breakdowns, not_supplied

    def _compute(self, period: str) -> Extract:
        components, breakdowns, not_supplied = self.contents(period)
        return build_extract(self.la_code, period, components, breakdowns, self.clock(),
                             not_supplied=not_supplied)


def _year_codes(flow: str) -> tuple[str, str]:
    return f"{flow}_12m_fte", f"{flow}_12m_headcount"


def _rolling(records: AggregateRecords, period: str, flow: str) -> dict[str, float]:
    """A flow (starters, leavers) over the four quarterly rows ending with ``period``, where
    all four give it."""
    rows = [records.rows.get(p) for p in previous_periods(period, 4)]
    out: dict[str, float] = {}
    for code, quarterly in zip(_year_codes(flow), (f"{flow}_fte", f"{flow}_headcount"),
                               strict=True):
        if all(r is not None and not r.annual and quarterly in r.components for r in rows):
            out[code] = _sum(r.components[quarterly] for r in rows if r is not None)
    return out

"""From an LA's records to the extract for a period, using only the catalogue's components.

Snapshots are taken at the quarter's last day (in post: started on or before it and not left by
it); flows count what started, left, converted or was recorded during the quarter, and leavers
also over the twelve months to its end (DfE's turnover). A component the records cannot give is
left out with the reason, never sent as zero.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from connectors.contract import Extract, build_extract
from connectors.records import AggregateRecords, Assignment, WorkerRecords
from policies.measures import BREACH_TYPES, ROLES, period_key

Breakdowns = dict[str, dict[str, dict[str, float]]]
_DECIMALS = 6  # far below any FTE precision, and keeps float noise out of the signed JSON
_SENIORITY = {role: i for i, role in enumerate(ROLES)}


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


def quarter_bounds(period: str) -> tuple[date, date]:
    """First and last day of the quarter ``period`` names."""
    year, quarter = period_key(period)
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def weekdays(period: str) -> int:
    """Monday-to-Friday days in the quarter: the working days available per FTE."""
    return _weekdays(*quarter_bounds(period))


def _weekdays(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


def year_bounds(period: str) -> tuple[date, date]:
    """First and last day of the twelve months ending with the quarter ``period`` names."""
    _, last = quarter_bounds(period)
    return date(last.year - 1, last.month, last.day) + timedelta(days=1), last


def previous_periods(period: str, count: int) -> tuple[str, ...]:
    """``period`` and the ``count - 1`` quarters before it, newest first."""
    year, quarter = period_key(period)
    out = []
    for _ in range(count):
        out.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return tuple(out)


def _leavers(rows: Iterable[Assignment], first: date, last: date) -> list[Assignment]:
    return [a for a in rows if not a.agency and a.leave_date and first <= a.leave_date <= last]


def worker_components(records: WorkerRecords, period: str, caps: PriceCaps | None,
                      vacancy_fte: float | None
                      ) -> tuple[dict[str, float], Breakdowns, dict[str, str]]:
    """Components, breakdowns and the components not supplied (with why) of ``period``,
    computed from its return's worker rows. Nothing the records do not hold is a zero."""
    first, last = quarter_bounds(period)
    rows = [a for a in records.assignments if a.period == period]
    la_level = records.la_level.get(period, {})
    not_supplied = records.not_collected()
    if caps is None:
        not_supplied.setdefault("agency_above_cap", "x: no price caps in the connector's "
                                                    "configuration")
    in_post = [a for a in rows if a.start_date <= last and (a.leave_date is None
                                                             or a.leave_date > last)]
    permanent = [a for a in in_post if not a.agency]
    agency = [a for a in in_post if a.agency]
    # The census may give agency workers at LA level only (LALevelVacancies), not as rows.
    agency_at_la_level = not any(a.agency for a in rows) and "agency_fte" in la_level
    starters = [a for a in rows if not a.agency and first <= a.start_date <= last]
    leavers = _leavers(rows, first, last)
    converted = [a for a in rows if a.converted_from_agency
                 and first <= a.converted_from_agency <= last]
    breaches = [a.breach_type for a in rows if a.breach_type]
    groups: dict[str, list[Assignment]] = {"permanent": permanent, "agency": agency}
    if agency_at_la_level:
        del groups["agency"]

    components: dict[str, float] = {}
    for code, group in groups.items():
        components[f"{code}_fte"] = _sum(a.fte for a in group)
        components[f"{code}_headcount"] = float(len({a.worker_id for a in group}))
    if agency_at_la_level:
        components["agency_fte"] = round(la_level["agency_fte"], _DECIMALS)
        if "agency_headcount" in la_level:
            components["agency_headcount"] = la_level["agency_headcount"]
    components |= {
        "starters_fte": _sum(a.fte for a in starters),
        "starters_headcount": float(len({a.worker_id for a in starters})),
        "leavers_fte": _sum(a.fte for a in leavers),
        "leavers_headcount": float(len({a.worker_id for a in leavers})),
    }
    vacancies = la_level.get("vacancy_fte", vacancy_fte)
    if vacancies is not None:
        components["vacancy_fte"] = round(vacancies, _DECIMALS)
    components |= _year_leavers(records, period)
    if "agency_conversions" not in not_supplied:
        components["agency_conversions"] = float(len({a.worker_id for a in converted}))
    if "mou_breaches" not in not_supplied:
        components["mou_breaches"] = float(len(breaches))
    above_cap: list[Assignment] = []
    if caps is not None and "agency_above_cap" not in not_supplied:
        above_cap = [a for a in agency if a.role and (a.hourly_rate or 0) > caps.hourly[a.role]]
        components["agency_above_cap"] = float(len({a.worker_id for a in above_cap}))
    if records.has_cases:
        holders = [a for a in in_post if a.case_holder]
        components["cases"] = float(sum(a.cases or 0 for a in holders))
        components["case_holders_fte"] = _sum(a.fte for a in holders)
    if records.has_absence:
        # A census return's absence is over its year, so are the days it is measured against.
        days = _weekdays(*(year_bounds(period) if records.annual else (first, last)))
        components["working_days_lost"] = _sum(a.absence_days or 0.0 for a in rows
                                               if not a.agency)
        components["working_days_available"] = round(components["permanent_fte"] * days,
                                                      _DECIMALS)
    breakdowns: Breakdowns = {}
    if "role" in records.columns:
        breakdowns["role"] = _by_role(groups, converted, above_cap, components)
    if "mou_breaches" in components:
        breakdowns["breach_type"] = {t: {"mou_breaches": float(breaches.count(t))}
                                     for t in BREACH_TYPES}
    return components, breakdowns, {c: r for c, r in not_supplied.items()
                                     if c not in components}


def _by_role(groups: Mapping[str, list[Assignment]], converted: list[Assignment],
             above_cap: list[Assignment], components: Mapping[str, float]
             ) -> dict[str, dict[str, float]]:
    by_role: dict[str, dict[str, float]] = {r: {} for r in ROLES}
    for code, group in groups.items():
        for role in ROLES:
            by_role[role][f"{code}_fte"] = _sum(a.fte for a in group if a.role == role)
        for role, count in _headcount(group).items():
            by_role[role][f"{code}_headcount"] = count
    for code, group in (("agency_conversions", converted), ("agency_above_cap", above_cap)):
        if code in components:
            for role, count in _headcount(group).items():
                by_role[role][code] = count
    return by_role


def _year_leavers(records: WorkerRecords, period: str) -> dict[str, float]:
    """Leavers in the twelve months to the period's end: from the census return itself, or
    from the four quarterly returns ending with ``period`` (nothing until all four are there)."""
    if records.annual:
        quarters = [(period, *year_bounds(period))]
    else:
        held = set(records.periods())
        quarters = [(p, *quarter_bounds(p)) for p in previous_periods(period, 4)]
        if any(p not in held for p, _, _ in quarters):
            return {}
    fte: list[float] = []
    headcount = 0
    for p, first, last in quarters:
        left = _leavers((a for a in records.assignments if a.period == p), first, last)
        fte += [a.fte for a in left]
        headcount += len({a.worker_id for a in left})
    return {"leavers_12m_fte": _sum(fte), "leavers_12m_headcount": float(headcount)}


def year_leavers_reason(period: str, held: Iterable[str]) -> str:
    """Why leavers over the year are not supplied for a quarterly return of ``period``."""
    missing = [p for p in previous_periods(period, 4) if p not in set(held)]
    return f"x: needs four quarterly returns; {', '.join(sorted(missing))} not there"


def _sum(values: Iterable[float]) -> float:
    return round(math.fsum(values), _DECIMALS)


def _headcount(group: list[Assignment]) -> dict[str, float]:
    """Distinct workers per role; one holding several roles counts once, in the most senior."""
    role_of: dict[str, str] = {}
    for a in group:
        held = role_of.get(a.worker_id)
        if a.role and (held is None or _SENIORITY[a.role] > _SENIORITY[held]):
            role_of[a.worker_id] = a.role
    counts: dict[str, float] = defaultdict(float)
    for role in ROLES:
        counts[role] = 0.0
    for role in role_of.values():
        counts[role] += 1
    return counts


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
            if not row.annual and "leavers_12m_fte" not in components:
                components |= _rolling_leavers(self.records, period)
                if "leavers_12m_fte" not in components:
                    not_supplied["leavers_12m_fte"] = year_leavers_reason(
                        period, self.records.rows)
            return components, {d: {c: dict(v) for c, v in cats.items()}
                                for d, cats in row.breakdowns.items()}, not_supplied
        components, breakdowns, not_supplied = worker_components(
            self.records, period, self.caps, self.vacancies.get(period))
        if "leavers_12m_fte" not in components:
            not_supplied["leavers_12m_fte"] = year_leavers_reason(period, self.records.periods())
        if "vacancy_fte" not in components:
            not_supplied["vacancy_fte"] = "x: no vacancies given for the period"
        return components, breakdowns, not_supplied

    def _compute(self, period: str) -> Extract:
        components, breakdowns, not_supplied = self.contents(period)
        return build_extract(self.la_code, period, components, breakdowns, self.clock(),
                             not_supplied=not_supplied)


def _rolling_leavers(records: AggregateRecords, period: str) -> dict[str, float]:
    """Leavers over the four quarterly rows ending with ``period``, where all four give them."""
    rows = [records.rows.get(p) for p in previous_periods(period, 4)]
    out: dict[str, float] = {}
    for code, flow in (("leavers_12m_fte", "leavers_fte"),
                       ("leavers_12m_headcount", "leavers_headcount")):
        if all(r is not None and not r.annual and flow in r.components for r in rows):
            out[code] = _sum(r.components[flow] for r in rows if r is not None)
    return out

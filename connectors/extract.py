"""From an LA's records to the extract for a period, using only the catalogue's components.

Snapshots are taken at the quarter's last day (in post: started on or before it and not left by
it); flows count what started, left, converted or was recorded during the quarter.
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
    first, last = quarter_bounds(period)
    return sum(1 for n in range((last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


def worker_components(records: WorkerRecords, period: str, caps: PriceCaps,
                      vacancy_fte: float) -> tuple[dict[str, float], Breakdowns]:
    """Components and breakdowns of ``period`` computed from its return's worker rows."""
    first, last = quarter_bounds(period)
    rows = [a for a in records.assignments if a.period == period]
    in_post = [a for a in rows if a.start_date <= last and (a.leave_date is None
                                                             or a.leave_date > last)]
    permanent = [a for a in in_post if not a.agency]
    agency = [a for a in in_post if a.agency]
    starters = [a for a in rows if not a.agency and first <= a.start_date <= last]
    leavers = [a for a in rows if not a.agency and a.leave_date and first <= a.leave_date <= last]
    converted = [a for a in rows if a.converted_from_agency
                 and first <= a.converted_from_agency <= last]
    above_cap = [a for a in agency if (a.hourly_rate or 0) > caps.hourly[a.role]]
    breaches = [a.breach_type for a in rows if a.breach_type]

    by_role: dict[str, dict[str, float]] = {r: {} for r in ROLES}
    for code, group in (("permanent", permanent), ("agency", agency)):
        for role in ROLES:
            by_role[role][f"{code}_fte"] = _sum(a.fte for a in group if a.role == role)
        for role, count in _headcount(group).items():
            by_role[role][f"{code}_headcount"] = count
    for code, group in (("agency_conversions", converted), ("agency_above_cap", above_cap)):
        for role, count in _headcount(group).items():
            by_role[role][code] = count
    by_type = {t: {"mou_breaches": float(breaches.count(t))} for t in BREACH_TYPES}

    components = {code: _sum(by_role[r][code] for r in ROLES) for code in by_role[ROLES[0]]}
    components |= {
        "vacancy_fte": round(vacancy_fte, _DECIMALS),
        "starters_fte": _sum(a.fte for a in starters),
        "starters_headcount": float(len({a.worker_id for a in starters})),
        "leavers_fte": _sum(a.fte for a in leavers),
        "leavers_headcount": float(len({a.worker_id for a in leavers})),
        "mou_breaches": float(len(breaches)),
    }
    if records.has_cases:
        holders = [a for a in in_post if a.case_holder]
        components["cases"] = float(sum(a.cases or 0 for a in holders))
        components["case_holders_fte"] = _sum(a.fte for a in holders)
    if records.has_absence:
        components["working_days_lost"] = _sum(a.absence_days or 0.0 for a in rows
                                               if not a.agency)
        components["working_days_available"] = round(
            components["permanent_fte"] * weekdays(period), _DECIMALS)
    return components, {"role": by_role, "breach_type": by_type}


def _sum(values: Iterable[float]) -> float:
    return round(math.fsum(values), _DECIMALS)


def _headcount(group: list[Assignment]) -> dict[str, float]:
    """Distinct workers per role; one holding several roles counts once, in the most senior."""
    role_of: dict[str, str] = {}
    for a in group:
        held = role_of.get(a.worker_id)
        if held is None or _SENIORITY[a.role] > _SENIORITY[held]:
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
    caps: PriceCaps
    #: Vacant FTE per period for worker-level records; a period is served once it has one.
    vacancies: Mapping[str, float] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _cache: dict[str, Extract] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def periods(self) -> tuple[str, ...]:
        """The periods this source can serve, oldest first."""
        if isinstance(self.records, AggregateRecords):
            found: Iterable[str] = self.records.rows
        else:
            found = (p for p in self.records.periods() if p in self.vacancies)
        return tuple(sorted(found, key=period_key))

    def extract(self, period: str) -> Extract | None:
        """The extract for ``period``, or None when the records cannot produce one."""
        if period not in self.periods():
            return None
        with self._lock:
            if period not in self._cache:
                self._cache[period] = self._compute(period)
            return self._cache[period]

    def _compute(self, period: str) -> Extract:
        if isinstance(self.records, AggregateRecords):
            row = self.records.rows[period]
            components, breakdowns = dict(row.components), row.breakdowns
        else:
            components, breakdowns = worker_components(self.records, period, self.caps,
                                                       self.vacancies[period])
        return build_extract(self.la_code, period, components, breakdowns, self.clock())

"""Seeded worker-level records for any LA, at the levels DfE published for it.

Each LA's profile comes from its row in DfE's 2023 indicators (joint returns shared equally
between their LAs; a marker such as ``x`` or ``c`` falls back to its region's average per LA).
The same seed and LA always give the same records.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from connectors.extract import PriceCaps, quarter_bounds
from connectors.records import Assignment, WorkerRecords
from policies.measures import BREACH_TYPES, ROLES

DATA = Path(__file__).parent / "data"
PERIODS: tuple[str, ...] = tuple(f"{y}-Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4))
_HISTORY_START = date(2022, 10, 1)  # a quarter of history, so 2023-Q1 opens with a workforce
_LEVELS = ("inpost_fte", "agency_fte", "vacancy_fte", "starters_fte", "leavers_fte")
_RATES = ("caseload_fte", "absence_rate_fte")
_ROLE_WEIGHTS = (0.45, 0.25, 0.12, 0.13, 0.05)
_FTE_CHOICES = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.5)
_MEAN_FTE = sum(_FTE_CHOICES) / len(_FTE_CHOICES)
_CASE_HOLDING = {"social_worker": 0.92, "senior_social_worker": 0.9, "advanced_practitioner": 0.7}
#: Illustrative hourly caps (£), scaled by region: the MoUs' real caps are the regions' to set.
_BASE_CAPS = {"social_worker": 40.0, "senior_social_worker": 43.0, "advanced_practitioner": 46.0,
              "team_manager": 50.0, "independent_reviewing_officer": 48.0}
_REGION_CAP_FACTOR = {"E12000007": 1.1, "E12000008": 1.05, "E12000006": 1.03}


@dataclass(frozen=True)
class Profile:
    """An LA's workforce levels (FTE a year) and rates, from DfE's indicators."""

    la_code: str
    name: str
    region_code: str
    inpost_fte: float
    agency_fte: float
    vacancy_fte: float
    starters_fte: float
    leavers_fte: float
    caseload_fte: float
    absence_rate_fte: float


@dataclass(frozen=True)
class SimulatedLA:
    """One LA's simulated records, the vacancies it declares and its region's price caps."""

    profile: Profile
    records: WorkerRecords
    vacancies: Mapping[str, float]
    caps: PriceCaps


def price_caps(region_code: str) -> PriceCaps:
    """The simulator's hourly price caps for ``region_code``."""
    factor = _REGION_CAP_FACTOR.get(region_code, 1.0)
    return PriceCaps({role: round(cap * factor, 2) for role, cap in _BASE_CAPS.items()})


@cache
def profiles() -> dict[str, Profile]:
    """Every LA's profile, by ONS code, in the order of the LA list."""
    with open(DATA / "local_authorities.csv", newline="") as fh:
        las = list(csv.DictReader(fh))
    with open(DATA / "csww_indicators_2023.csv", newline="") as fh:
        dfe = list(csv.DictReader(fh))
    per_region = {r: sum(1 for la in las if la["region_code"] == r)
                  for r in {la["region_code"] for la in las}}
    regional = {row["region_code"]: row for row in dfe if row["geographic_level"] == "Regional"}
    own: dict[str, dict[str, float | None]] = {}
    for row in dfe:
        codes = row["new_la_code"].split(" / ")
        for code in codes if row["geographic_level"] == "Local authority" else ():
            # A joint return: its levels shared equally, its rates as they are.
            own[code] = {k: _number(row[k], len(codes) if k in _LEVELS else 1)
                         for k in _LEVELS + _RATES}
    out = {}
    for la in las:
        region = regional[la["region_code"]]
        average = {k: _number(region[k], per_region[la["region_code"]] if k in _LEVELS else 1)
                   for k in _LEVELS + _RATES}
        figures = own.get(la["ons_code"], {})
        values = {k: _pick(figures.get(k), average[k]) for k in _LEVELS + _RATES}
        out[la["ons_code"]] = Profile(la["ons_code"], la["name"], la["region_code"], **values)
    return out


def _number(text: str, share: int) -> float | None:
    try:
        return float(text) / share
    except ValueError:
        return None  # DfE's markers: c, x, z, u, low


def _pick(value: float | None, fallback: float | None) -> float:
    return value if value is not None else (fallback or 0.0)


@cache
def simulated_la(la_code: str, seed: int) -> SimulatedLA:
    """The simulated records of ``la_code`` under ``seed``; KeyError for an unknown LA."""
    profile = profiles()[la_code]
    # Reproducible by design: these numbers are demo data, never secrets.
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{seed}:{la_code}".encode()).digest()))  # noqa: S311
    caps = price_caps(profile.region_code)
    timeline = _timeline(profile, caps, rng)
    rows: list[Assignment] = []
    for period in PERIODS:
        rows += _period_rows(timeline, period, profile, caps, rng)
    vacancies = {p: round(max(0.0, profile.vacancy_fte * rng.gauss(1.0, 0.05)), 1)
                 for p in PERIODS}
    return SimulatedLA(profile, WorkerRecords(tuple(rows), True, True), vacancies, caps)


def simulated_records(la_code: str, seed: int) -> WorkerRecords:
    """The simulated worker-level records of ``la_code`` under ``seed``."""
    return simulated_la(la_code, seed).records


def _timeline(profile: Profile, caps: PriceCaps, rng: random.Random) -> list[Assignment]:
    """Every assignment from the history start to the last period's end, dates only."""
    end = quarter_bounds(PERIODS[-1])[1]
    quarterly_leave = min(0.5, profile.leavers_fte / max(profile.inpost_fte, 1.0) / 4)
    out: list[Assignment] = []
    serial = iter(range(1, 10**6))

    def new(agency: bool, start: date, worker: str | None = None,
            converted: date | None = None) -> Assignment:
        role = rng.choices(ROLES, _ROLE_WEIGHTS)[0]
        rate = round(caps.hourly[role] * rng.gauss(0.95, 0.05), 2) if agency else None
        return Assignment(0, "", worker or f"SW{next(serial):06d}", role, agency,
                          1.0 if agency else rng.choice(_FTE_CHOICES), start,
                          converted_from_agency=converted, hourly_rate=rate)

    fte = 0.0
    while fte < profile.inpost_fte:
        a = new(False, _HISTORY_START - timedelta(days=rng.randrange(90, 3650)))
        out.append(a)
        fte += a.fte
    out += [new(True, _HISTORY_START - timedelta(days=rng.randrange(1, 270)))
            for _ in range(round(profile.agency_fte))]
    day = _HISTORY_START
    while day <= end:
        quarter_end = min(end, _add_months(day, 3) - timedelta(days=1))
        span = (quarter_end - day).days + 1
        for i in range(len(out)):  # assignments added this quarter are left for the next
            a = out[i]
            if a.leave_date is not None or a.start_date > quarter_end:
                continue
            # Agency assignments last about nine months; permanent staff leave at DfE's turnover.
            if rng.random() < (1 / 3 if a.agency else quarterly_leave):
                leave = max(a.start_date, day + timedelta(days=rng.randrange(span)))
                out[i] = replace(a, leave_date=leave)
                if a.agency:
                    # The post is filled again by agency; some leavers convert to permanent.
                    out.append(new(True, leave + timedelta(days=rng.randrange(1, 30))))
                if a.agency and rng.random() < 0.12:
                    out.append(new(False, leave + timedelta(days=1), a.worker_id,
                                   converted=leave + timedelta(days=1)))
        for _ in range(_poisson(rng, profile.starters_fte / 4 / _MEAN_FTE)):
            out.append(new(False, day + timedelta(days=rng.randrange(span))))
        day = quarter_end + timedelta(days=1)
    return out


def _period_rows(timeline: list[Assignment], period: str, profile: Profile, caps: PriceCaps,
                 rng: random.Random) -> list[Assignment]:
    """The quarterly return of ``period``: every assignment active in it, with cases, absence
    and the MoU breaches recorded that quarter."""
    first, last = quarter_bounds(period)
    active = [a for a in timeline
              if a.start_date <= last and (a.leave_date is None or a.leave_date >= first)]
    rows: list[Assignment] = []
    for a in active:
        role = a.role or ROLES[0]  # every simulated assignment has its price-cap role
        in_post = a.leave_date is None or a.leave_date > last
        holder = in_post and rng.random() < _CASE_HOLDING.get(role, 0.0)
        cases = _poisson(rng, profile.caseload_fte * a.fte) if holder else 0
        absence = 0.0
        if not a.agency and rng.random() < 0.3:
            absence = round(rng.expovariate(0.3 / (profile.absence_rate_fte / 100 * 62 * a.fte
                                                   + 1e-9)), 1)
        breach = None
        if a.agency and first <= a.start_date <= last and \
                (a.hourly_rate or 0) > caps.hourly[role] and rng.random() < 0.6:
            breach = "price_cap"
        rows.append(replace(a, period=period, cases=cases, case_holder=holder,
                            absence_days=absence, breach_type=breach,
                            breach_signed_off_by="Director of Children's Services"
                            if breach else None))
    for _ in range(_poisson(rng, 0.4)):
        free = [i for i, r in enumerate(rows) if r.breach_type is None]
        if free:
            i = rng.choice(free)
            rows[i] = replace(rows[i], breach_type=rng.choice(BREACH_TYPES[1:]))
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)

"""The running totals of one period's return, folded from worker assignments one at a time.

A reader feeds each assignment as it reads it and keeps nothing of it: memory is the same for
ten workers or a hundred thousand. Sums are exact (Shewchuk's partials, as ``math.fsum``), so
the figures equal those of summing every row at once, whatever the order.

Headcounts count each worker once (DfE's methodology: duplicates of the same social worker are
removed; one holding several posts counts in the most senior). A tally counts rows, which is
the headcount when each worker has one row in a group; the reader then folds in, with
``fold_duplicate``, the rows of each worker it found more than once, which corrects the counts
to distinct workers exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta

from connectors.records import Assignment
from policies.measures import ORG_ROLES, ROLES, period_key

DECIMALS = 6  # far below any FTE precision, and keeps float noise out of the signed JSON
#: Breakdown dimension -> its categories, most senior last (the one a worker counts in).
SENIORITY: dict[str, tuple[str, ...]] = {"role": ROLES, "org_role": ORG_ROLES[::-1]}
#: The groups a tally keeps: who is in each is decided by ``Tally.groups_of``.
GROUPS = ("permanent", "agency", "starters", "leavers", "starters_year", "leavers_year",
          "converted", "above_cap", "holders")


class ExactSum:
    """A sum of floats kept exactly: non-overlapping partials, a few floats at most."""

    __slots__ = ("partials",)

    def __init__(self) -> None:
        self.partials: list[float] = []

    def add(self, value: float) -> None:
        partials, i = self.partials, 0
        for other in partials:
            if abs(value) < abs(other):
                value, other = other, value
            high = value + other
            low = other - (high - value)
            if low:
                partials[i] = low
                i += 1
            value = high
        partials[i:] = [value]

    def merge(self, other: ExactSum) -> None:
        for value in other.partials:
            self.add(value)

    @property
    def value(self) -> float:
        """The sum, correctly rounded, then to DECIMALS places."""
        return round(math.fsum(self.partials), DECIMALS)


class Group:
    """FTE and people of one group of assignments, whole and by each breakdown category."""

    __slots__ = ("by_category", "fte", "fte_by_category", "missing", "rows")

    def __init__(self) -> None:
        self.fte = ExactSum()
        self.rows = 0
        self.fte_by_category: dict[tuple[str, str], ExactSum] = {}
        self.by_category: dict[tuple[str, str], int] = {}
        #: Dimension -> assignments that do not give their category along it.
        self.missing: dict[str, int] = {}

    def add(self, a: Assignment) -> None:
        self.fte.add(a.fte)
        self.rows += 1
        for dimension in SENIORITY:
            category = getattr(a, dimension)
            if category is None:
                self.missing[dimension] = self.missing.get(dimension, 0) + 1
                continue
            key = (dimension, category)
            self.fte_by_category.setdefault(key, ExactSum()).add(a.fte)
            self.by_category[key] = self.by_category.get(key, 0) + 1

    def merge(self, other: Group) -> None:
        self.fte.merge(other.fte)
        self.rows += other.rows
        for key, total in other.fte_by_category.items():
            self.fte_by_category.setdefault(key, ExactSum()).merge(total)
        for key, count in other.by_category.items():
            self.by_category[key] = self.by_category.get(key, 0) + count
        for dimension, count in other.missing.items():
            self.missing[dimension] = self.missing.get(dimension, 0) + count

    def fold_duplicate(self, rows: list[Assignment]) -> None:
        """One worker's ``rows`` in this group, already added: count them as one worker, in
        the most senior category of each dimension they give."""
        self.rows -= len(rows) - 1
        for dimension, order in SENIORITY.items():
            held = [c for a in rows if (c := getattr(a, dimension)) is not None]
            for category in held:
                self.by_category[(dimension, category)] -= 1
            if held:
                senior = max(held, key=order.index)
                self.by_category[(dimension, senior)] += 1

    def fte_of(self, dimension: str, category: str) -> float:
        total = self.fte_by_category.get((dimension, category))
        return total.value if total else 0.0

    def people_of(self, dimension: str, category: str) -> float:
        return float(self.by_category.get((dimension, category), 0))

    def complete(self, dimension: str) -> bool:
        """Every assignment of the group gives its category along ``dimension``, so the
        categories add up to the group."""
        return not self.missing.get(dimension)


class Tally:
    """Everything one period's extract needs from its worker assignments, kept as totals."""

    def __init__(self, period: str, annual: bool, caps: Mapping[str, float] | None) -> None:
        self.period = period
        self.first, self.last = quarter_bounds(period)
        self.year_first = year_bounds(period)[0]
        self.annual = annual
        self.caps = caps
        self.groups = {name: Group() for name in GROUPS}
        self.cases = 0
        self.absence = ExactSum()
        self.breaches: dict[str, int] = {}
        self.agency_rows = False

    def groups_of(self, a: Assignment) -> Iterator[str]:
        """The groups ``a`` counts in."""
        last = self.last
        in_post = a.start_date <= last and (a.leave_date is None or a.leave_date > last)
        if in_post:
            yield "agency" if a.agency else "permanent"
            if a.case_holder:
                yield "holders"
            if (a.agency and self.caps is not None and a.role
                    and (a.hourly_rate or 0) > self.caps[a.role]):
                yield "above_cap"
        if not a.agency:
            if self.first <= a.start_date <= last:
                yield "starters"
            if a.leave_date and self.first <= a.leave_date <= last:
                yield "leavers"
            if self.annual and self.year_first <= a.start_date <= last:
                yield "starters_year"
            if self.annual and a.leave_date and self.year_first <= a.leave_date <= last:
                yield "leavers_year"
        if a.converted_from_agency and self.first <= a.converted_from_agency <= last:
            yield "converted"

    def add(self, a: Assignment) -> None:
        """Fold in one assignment of the period."""
        for name in self.groups_of(a):
            self.groups[name].add(a)
            if name == "holders":
                self.cases += a.cases or 0
        self.agency_rows |= a.agency
        if not a.agency:
            self.absence.add(a.absence_days or 0.0)
        if a.breach_type:
            self.breaches[a.breach_type] = self.breaches.get(a.breach_type, 0) + 1

    def fold_duplicate(self, rows: list[Assignment]) -> None:
        """The rows (already added) of one worker found more than once: counted once in each
        group's headcount."""
        for name in GROUPS:
            mine = [a for a in rows if name in set(self.groups_of(a))]
            if len(mine) > 1:
                self.groups[name].fold_duplicate(mine)


def tally_rows(period: str, rows: Iterable[Assignment], annual: bool,
               caps: Mapping[str, float] | None) -> Tally:
    """The tally of ``period`` from its assignments held in memory, duplicates folded."""
    tally = Tally(period, annual, caps)
    by_worker: dict[str, list[Assignment]] = {}
    for a in rows:
        tally.add(a)
        by_worker.setdefault(a.worker_id, []).append(a)
    for mine in by_worker.values():
        if len(mine) > 1:
            tally.fold_duplicate(mine)
    return tally


def quarter_bounds(period: str) -> tuple[date, date]:
    """First and last day of the quarter ``period`` names."""
    year, quarter = period_key(period)
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def year_bounds(period: str) -> tuple[date, date]:
    """First and last day of the twelve months ending with the quarter ``period`` names."""
    _, last = quarter_bounds(period)
    return date(last.year - 1, last.month, last.day) + timedelta(days=1), last

"""What one person reads: the benchmark service's answers, asked as their organisation.

Pages and the pack get every figure through ``hub.benchmarks.service`` with the same PolicySet
as the API, so a person sees exactly what an API client of their organisation would. What a
page reads is gathered in its ``PageReads`` and audited as one event listing every figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hub.benchmarks import figures
from hub.benchmarks import service as benchmarks
from hub.benchmarks.extension import Benchmarks
from hub.benchmarks.service import PageReads, Reader
from hub.errors import NotFound
from hub.identity.tokens import Principal
from policies.measures import DATASET_WORKFORCE, period_key
from policies.policyset import PolicySet

#: The measures the pages lead with, in the order governance meetings discuss them.
HEADLINE = ("agency_rate", "vacancy_rate", "turnover_rate", "agency_conversions",
            "agency_above_cap", "agency_above_cap_share", "mou_breaches", "caseload",
            "absence_rate")
#: The measures drawn over time.
TRENDS = ("agency_rate", "vacancy_rate", "turnover_rate", "agency_above_cap_share")
#: How many quarters a trend shows.
TREND_PERIODS = 8


def periods(session: Session) -> list[str]:
    """The periods with figures, oldest first."""
    return sorted(figures.periods(session, DATASET_WORKFORCE), key=period_key)


def choose_period(session: Session, wanted: str | None) -> tuple[str | None, list[str]]:
    """The period asked for (NotFound if it has no figures) or the latest, and all of them."""
    known = periods(session)
    if wanted is not None and wanted not in known:
        raise NotFound(f"No figures for the period {wanted!r}.")
    return wanted or (known[-1] if known else None), known


@dataclass(frozen=True)
class Reading:
    """Reads benchmarks as ``principal`` through one route (LAs and regions, or NARE's)."""

    session: Session
    benchmarks: Benchmarks
    policy_set: PolicySet
    principal: Principal
    #: Where the page's reads gather, to be audited as one event when the page is done.
    page: PageReads | None = None

    @property
    def route(self) -> str:
        return benchmarks.NATIONAL if self.principal.org_kind == "nare" else benchmarks.BENCHMARKS

    def _reader(self) -> Reader:
        return benchmarks.Reader(self.principal, self.route, self.policy_set, self.page)

    def one(self, measure: str, period: str) -> dict[str, Any] | None:
        """The benchmark of ``measure`` in ``period``, or None when it has no figures."""
        try:
            answer = benchmarks.benchmark(self.session, self.benchmarks, self._reader(),
                                          measure, period)
        except NotFound:
            return None
        return answer.payload  # shared with the cache: read, never changed

    def many(self, measures: tuple[str, ...], period: str) -> dict[str, dict[str, Any] | None]:
        """The benchmark of each of ``measures`` in ``period``."""
        return {m: self.one(m, period) for m in measures}

    def trend(self, measure: str, last: str, known: list[str]) -> list[dict[str, Any]]:
        """Whole answers of ``measure`` for up to TREND_PERIODS periods ending at ``last``."""
        chosen = [p for p in known if period_key(p) <= period_key(last)][-TREND_PERIODS:]
        if not chosen:
            return []
        return benchmarks.trend(self.session, self.benchmarks, self._reader(), measure,
                                chosen[0], last, lambda payload: payload)


def region_row(payload: dict[str, Any] | None, code: str | None) -> dict[str, Any] | None:
    """The region ``code``'s aggregate in an answer."""
    if payload is None:
        return None
    return next((r for r in payload["regions"] if r["code"] == code), None)


def la_row(payload: dict[str, Any] | None, code: str) -> dict[str, Any] | None:
    """The LA ``code``'s figure in an answer, as the reader may see it."""
    if payload is None:
        return None
    return next((r for r in payload["local_authorities"] if r["code"] == code), None)

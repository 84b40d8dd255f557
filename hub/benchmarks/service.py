"""Benchmarks: recompute the figures when extracts land; answer each reader from them.

Reads are answered from the in-process cache (see ``extension``) and audited through the
batched read log (see ``readlog``): ``benchmarks.read`` events naming the figures version
and every refusal behind each answer, and how many times it was read. An API request is one
event; a page (or a pack) gathers every answer it reads in a ``PageReads`` and is one
``benchmarks.page_view`` event listing them, not one event per figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hub.benchmarks import figures
from hub.benchmarks.extension import Benchmarks, Cached
from hub.benchmarks.models import FiguresVersion
from hub.benchmarks.reading import BENCHMARK_READERS, NATIONAL_READERS
from hub.decisions.service import subject_for
from hub.errors import Forbidden, NotFound
from hub.identity.tokens import Principal
from hub.observability.metrics import count_decisions
from policies.measures import DATASET_WORKFORCE, MEASURES, Measure, period_key
from policies.policyset import PolicySet
from policies.release import release_period

BENCHMARKS, NATIONAL = "benchmarks", "national"
_READERS = {BENCHMARKS: BENCHMARK_READERS, NATIONAL: NATIONAL_READERS}
_WHO = {BENCHMARKS: "local authorities and regions", NATIONAL: "NARE"}


def recompute(session: Session, benchmarks: Benchmarks, dataset: str, period: str
              ) -> FiguresVersion:
    """Figures of ``dataset`` and ``period`` from the latest revisions, in the caller's
    transaction; cached answers give way once it commits."""
    version = figures.recompute(session, dataset, period)
    benchmarks.recomputed(session)
    return version


class PageReads:
    """Every answer one page view reads, audited together as one event when the page is done:
    which figures a person saw, not how many look-ups the page took to show them."""

    def __init__(self) -> None:
        self.reader: Reader | None = None
        # By identity, in reading order: a figure read twice (a table and its chart) once.
        self._answers: dict[int, Cached] = {}

    def add(self, reader: Reader, answers: list[Cached]) -> None:
        if self.reader is None:
            self.reader = reader
        elif (reader.principal.client_id, reader.route) != (
                self.reader.principal.client_id, self.reader.route):
            raise ValueError("one page view is read by one reader through one route")
        for answer in answers:
            self._answers.setdefault(id(answer), answer)

    @property
    def answers(self) -> list[Cached]:
        return list(self._answers.values())

    def audit(self, benchmarks: Benchmarks, page: str, target: str,
              action: str = "page_view") -> bool:
        """Queue the page view's one event, ``<route>.<action>`` (``page``: which page,
        ``target``: its address); False when it read no figures, and so is not a read."""
        reader, answers = self.reader, self.answers
        if reader is None or not answers:
            return False
        read = sorted({(a.payload["measure"], a.payload["period"]) for a in answers},
                      key=lambda mp: (mp[0], period_key(mp[1])))
        benchmarks.reads.add(
            same=("page", reader.principal.client_id, reader.route, target, *answers),
            actor=reader.principal.client_id, org_code=reader.principal.org_code,
            action=f"{reader.route}.{action}", target=target, details={
                "page": page, "period": max((p for _, p in read), key=period_key),
                "figures": [f"{m}@{p}" for m, p in read], **_read_details(answers)})
        return True


@dataclass(frozen=True)
class Reader:
    """Who asks, through which route, with the PolicySet of this request; a page's reader
    gathers its reads in ``page`` (audited as one event), an API request's are audited each."""

    principal: Principal
    route: str
    policy_set: PolicySet
    page: PageReads | None = None

    def check(self) -> None:
        if self.principal.org_kind not in _READERS[self.route]:
            raise Forbidden(f"/{self.route} answers {_WHO[self.route]} only.")


def _measure(code: str) -> Measure:
    measure = MEASURES.get(code)
    if measure is None:
        raise NotFound(f"No measure has the code {code!r}.")
    return measure


def _answers(session: Session, benchmarks: Benchmarks, reader: Reader, measure: Measure,
             periods: list[str], epoch: str) -> dict[str, Cached]:
    """The reader's answer of ``measure`` in each of ``periods`` that has figures: kept ones
    as they are, the others released from figures read in one query."""
    versions = benchmarks.versions(session, DATASET_WORKFORCE, epoch)
    geography = benchmarks.geography(session, epoch)
    found: dict[str, Cached] = {}
    missing = []
    for period in periods:
        if period not in versions:
            continue
        cached = benchmarks.cache.get(_key(reader, measure.code, period), reader.policy_set,
                                      versions[period], geography)
        if cached is not None:
            found[period] = cached
        else:
            missing.append(period)
    if missing:
        subject = subject_for(session, reader.principal.org_code)
        stored = benchmarks.stored_figures(session, DATASET_WORKFORCE, missing, epoch)
        for period, figures_of in stored.items():
            # One pass releases every measure of the period together (the rule across
            # measures needs them all); each answer is cached, so the reader's next measure
            # costs a look-up.
            released = release_period(reader.policy_set, subject, period, figures_of.version,
                                      figures_of, geography)
            count_decisions(released.permits, released.denies)
            for code, answer in released.answers.items():
                entry = Cached(reader.policy_set, figures_of.version, geography,
                               answer.payload, answer.refused)
                benchmarks.cache.put(_key(reader, code, period), entry)
                if code == measure.code:
                    found[period] = entry
    return {period: found[period] for period in periods if period in found}


def _key(reader: Reader, measure: str, period: str) -> tuple[str, str, str, str]:
    return (reader.route, measure, period, reader.principal.org_code)


def _read_details(answers: list[Cached]) -> dict[str, Any]:
    """What a read event says of its answers: figures versions, agreements, refusals."""
    versions: dict[str, int] = {}
    for a in sorted(answers, key=lambda a: period_key(a.payload["period"])):
        versions[a.payload["period"]] = a.payload["figures_version"]
    return {"periods": versions,
            "agreements": sorted({r for a in answers for r in a.payload["agreements"]}),
            "refused": [r for a in answers for r in a.refused]}


def _audit(benchmarks: Benchmarks, reader: Reader, target: str,
           answers: list[Cached]) -> None:
    if reader.page is not None:
        reader.page.add(reader, answers)  # audited once, when the page is done
        return
    # The same client reading the same cached answers: one event counting the reads.
    benchmarks.reads.add(
        same=(reader.principal.client_id, reader.route, target, *answers),
        actor=reader.principal.client_id, org_code=reader.principal.org_code,
        action=f"{reader.route}.read", target=target, details=_read_details(answers))


def benchmark(session: Session, benchmarks: Benchmarks, reader: Reader, measure_code: str,
              period: str) -> Cached:
    """One measure in one period as ``reader`` may see it (the shared cache entry); audited."""
    reader.check()
    measure = _measure(measure_code)
    epoch = benchmarks.epoch(session, DATASET_WORKFORCE)
    answer = _answers(session, benchmarks, reader, measure, [period], epoch).get(period)
    if answer is None:
        raise NotFound(f"No benchmark figures for {period} yet.")
    _audit(benchmarks, reader, f"{measure.code}@{period}", [answer])
    return answer


def latest_period(session: Session, benchmarks: Benchmarks) -> str:
    """The latest period with figures (NotFound when there is none yet)."""
    epoch = benchmarks.epoch(session, DATASET_WORKFORCE)
    known = benchmarks.periods(session, DATASET_WORKFORCE, epoch)
    if not known:
        raise NotFound("No period has figures yet.")
    return max(known, key=period_key)


def trend(session: Session, benchmarks: Benchmarks, reader: Reader, measure_code: str,
          first: str | None, last: str | None,
          shape: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    """``shape`` of each period's answer from ``first`` to ``last`` (inclusive), oldest first."""
    reader.check()
    measure = _measure(measure_code)
    low = period_key(first) if first else (0, 0)
    high = period_key(last) if last else (9999, 9)
    epoch = benchmarks.epoch(session, DATASET_WORKFORCE)
    chosen = sorted((p for p in benchmarks.periods(session, DATASET_WORKFORCE, epoch)
                     if low <= period_key(p) <= high), key=period_key)
    answers = list(_answers(session, benchmarks, reader, measure, chosen, epoch).values())
    _audit(benchmarks, reader, f"{measure.code}@{first or 'first'}..{last or 'last'}", answers)
    return [shape(a.payload) for a in answers]

"""Figures from the latest extract revisions: computed once per landing, read per cache miss.

Every figure is kept unrounded with the components disclosure control reads, so each reader's
release (which LAs may count, under which rules) is made from them at read time.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connectors.contract import TOLERANCE
from hub.benchmarks.models import (
    LA_GRAIN,
    NATIONAL_AREA,
    NATIONAL_GRAIN,
    REGION_GRAIN,
    BenchmarkFigure,
    FiguresVersion,
)
from hub.organisations.models import Organisation, OrgKind
from hub.pulls.models import ExtractRevision
from policies.disclosure.primary import measure_counts
from policies.measures import COMPONENTS, MEASURES, Measure
from policies.release import Figures, Geography

__all__ = ["Figures", "Geography", "PeriodOfFigures", "epoch", "geography", "load_period",
           "load_periods", "needed", "periods", "recompute", "supplied", "versions"]

Components = Mapping[str, float]
#: An LA's breakdowns of one measure: dimension -> category -> components.
Breakdowns = Mapping[str, Mapping[str, Mapping[str, float]]]


def needed(measure: Measure) -> tuple[str, ...]:
    """The components disclosure control reads for ``measure``: its own and their headcounts."""
    codes = list(measure.components)
    codes += [p for c in measure.components if (p := COMPONENTS[c].people) and p not in codes]
    return tuple(codes)


def latest_revisions(session: Session, dataset: str, period: str) -> list[ExtractRevision]:
    """The current (latest) revision of every LA's extract for ``dataset`` and ``period``."""
    newest = (select(ExtractRevision.la_code, func.max(ExtractRevision.revision).label("rev"))
              .where(ExtractRevision.dataset == dataset, ExtractRevision.period == period)
              .group_by(ExtractRevision.la_code).subquery())
    query = select(ExtractRevision).join(newest, (ExtractRevision.la_code == newest.c.la_code) & (
        ExtractRevision.revision == newest.c.rev)).where(
        ExtractRevision.dataset == dataset, ExtractRevision.period == period)
    return list(session.scalars(query.order_by(ExtractRevision.la_code)))


def breakdowns_of(measure: Measure, supplied: Mapping[str, Any], own: Components
                  ) -> dict[str, dict[str, dict[str, float]]] | None:
    """The LA's breakdowns of ``measure`` (from its extract's ``supplied`` breakdowns), with
    only the components disclosure control reads; None when it broke the measure down by
    none of its dimensions."""
    codes = needed(measure)
    kept: dict[str, dict[str, dict[str, float]]] = {}
    for dimension in measure.breakdowns:
        categories = {category: {c: float(v) for c, v in values.items() if c in codes}
                      for category, values in (supplied.get(dimension) or {}).items()}
        if _adds_up(measure, categories, own):
            kept[dimension] = {category: values for category, values in categories.items()
                               if values}
    return kept or None


def _adds_up(measure: Measure, categories: Mapping[str, Components], own: Components) -> bool:
    # A breakdown counts only where it splits the measure itself and each component it splits
    # sums to the LA's total, as the extract contract checks on the way in: the released
    # table's rows must add up to the LAs' figures (a revision stored by other means, or a
    # dimension that splits other components only, is treated as not given).
    split = {c for values in categories.values() for c in values}
    if measure.numerator not in split:
        return False
    return all(c in own and abs(math.fsum(v.get(c, 0.0) for v in categories.values()) - own[c])
               <= TOLERANCE * max(1.0, abs(own[c])) for c in split)


def _digest(revisions: Iterable[ExtractRevision]) -> str:
    pairs = ",".join(f"{r.la_code}:{r.revision}" for r in revisions)
    return hashlib.sha256(pairs.encode()).hexdigest()


def _summed(parts: list[Components], codes: tuple[str, ...]) -> dict[str, float]:
    # A headcount some contributors did not supply is left out: disclosure control then
    # governs by the value itself, as it does for that LA alone.
    return {c: math.fsum(p[c] for p in parts) for c in codes if all(c in p for p in parts)}


def _row(dataset: str, period: str, measure: Measure, grain: str, area: str,
         components: dict[str, float], contributors: list[str], version: int,
         breakdowns: dict[str, Any] | None = None) -> BenchmarkFigure:
    numerator, denominator = measure_counts(measure, components)
    return BenchmarkFigure(
        dataset=dataset, period=period, measure=measure.code, grain=grain, area_code=area,
        numerator=numerator.value, numerator_people=numerator.people,
        denominator=denominator.value if denominator else None,
        denominator_people=denominator.people if denominator else None,
        components=components, contributors=contributors, version=version,
        breakdowns=breakdowns)


def recompute(session: Session, dataset: str, period: str) -> FiguresVersion:
    """Figures of ``dataset`` and ``period`` from the latest revisions, replacing the previous
    ones in the caller's transaction; nothing changes when the revisions are the same."""
    revisions = latest_revisions(session, dataset, period)
    digest = _digest(revisions)
    current = session.get(FiguresVersion, (dataset, period), with_for_update=True)
    if current is not None and current.inputs_sha256 == digest:
        return current
    version = current.version + 1 if current is not None else 1
    # Every row is computed before the first write: on SQLite the write lock is then held
    # for the writes alone, not for the arithmetic, and the pulls go on meanwhile.
    region_of = dict(session.execute(select(Organisation.code, Organisation.region_code).where(
        Organisation.kind == OrgKind.LOCAL_AUTHORITY.value)).all())
    rows = []
    for measure in MEASURES.values():
        codes = needed(measure)
        by_region: dict[str, list[tuple[str, Components]]] = defaultdict(list)
        for revision in revisions:
            supplied = revision.components
            if not all(c in supplied for c in measure.components):
                continue  # an optional measure this LA does not supply: x, not zero
            own = {c: float(supplied[c]) for c in codes if c in supplied}
            split = (breakdowns_of(measure, revision.breakdowns or {}, own)
                     if measure.breakdowns else None)
            rows.append(_row(dataset, period, measure, LA_GRAIN, revision.la_code, own,
                             [revision.la_code], version, split))
            by_region[region_of.get(revision.la_code) or ""].append((revision.la_code, own))
        everyone: list[tuple[str, Components]] = []
        for region, members in sorted(by_region.items()):
            everyone += members
            if region:
                rows.append(_row(dataset, period, measure, REGION_GRAIN, region,
                                 _summed([c for _, c in members], codes),
                                 [la for la, _ in members], version))
        if everyone:
            rows.append(_row(dataset, period, measure, NATIONAL_GRAIN, NATIONAL_AREA,
                             _summed([c for _, c in everyone], codes),
                             sorted(la for la, _ in everyone), version))
    now = datetime.now(UTC)
    if current is None:
        current = FiguresVersion(dataset=dataset, period=period, version=version,
                                 inputs_sha256=digest, computed_at=now)
        session.add(current)
    else:
        current.version, current.inputs_sha256, current.computed_at = version, digest, now
    session.execute(delete(BenchmarkFigure).where(BenchmarkFigure.dataset == dataset,
                                                  BenchmarkFigure.period == period))
    session.add_all(rows)
    session.flush()
    return current


def supplied(session: Session, dataset: str, period: str
             ) -> dict[str, tuple[int, datetime]]:
    """The latest revision number of every LA's extract for ``dataset`` and ``period``, and
    when it was received: LA -> (revision, received_at). Two columns, not the extracts."""
    newest = (select(ExtractRevision.la_code, func.max(ExtractRevision.revision).label("rev"))
              .where(ExtractRevision.dataset == dataset, ExtractRevision.period == period)
              .group_by(ExtractRevision.la_code).subquery())
    rows = session.execute(
        select(ExtractRevision.la_code, ExtractRevision.revision, ExtractRevision.received_at)
        .join(newest, (ExtractRevision.la_code == newest.c.la_code)
              & (ExtractRevision.revision == newest.c.rev))
        .where(ExtractRevision.dataset == dataset, ExtractRevision.period == period))
    return {la: (revision, received) for la, revision, received in rows}


def geography(session: Session) -> Geography:
    """Every region with its LAs, in name order."""
    orgs = session.scalars(select(Organisation).where(Organisation.kind.in_(
        (OrgKind.REGION.value, OrgKind.LOCAL_AUTHORITY.value))).order_by(Organisation.name))
    names: dict[str, str] = {}
    regions: dict[str, list[str]] = {}
    for org in orgs:
        names[org.code] = org.name
        if org.kind == OrgKind.REGION.value:
            regions.setdefault(org.code, [])
        elif org.region_code is not None:
            regions.setdefault(org.region_code, []).append(org.code)
    return Geography(names, {code: tuple(las) for code, las in sorted(regions.items())})


class PeriodOfFigures(dict[str, Figures]):
    """Every measure's figures of one period (measure code -> its figures), and their version."""

    def __init__(self, version: int, measures: dict[str, Figures]) -> None:
        super().__init__(measures)
        self.version = version


def load_periods(session: Session, dataset: str, wanted: Iterable[str]
                 ) -> dict[str, PeriodOfFigures]:
    """The stored figures of every measure for each of ``wanted`` that has any (period ->
    its figures), in one query returning plain rows: nothing is left in ``session``."""
    chosen = sorted(set(wanted))
    if not chosen:
        return {}
    # Only the LA rows: each reader's aggregates are made from the LAs it may count. Rows, not
    # ORM objects: a period holds every measure of every LA (23,000 rows at 1,530 LAs), and
    # building and expunging an object per row cost three quarters of the load.
    rows = session.execute(
        select(FiguresVersion.period, FiguresVersion.version, BenchmarkFigure.measure,
               BenchmarkFigure.area_code, BenchmarkFigure.components,
               BenchmarkFigure.breakdowns)
        .join(BenchmarkFigure, (BenchmarkFigure.dataset == FiguresVersion.dataset)
              & (BenchmarkFigure.period == FiguresVersion.period)
              & (BenchmarkFigure.grain == LA_GRAIN), isouter=True)
        .where(FiguresVersion.dataset == dataset, FiguresVersion.period.in_(chosen)))
    versions: dict[str, int] = {}
    las: dict[str, dict[str, dict[str, Mapping[str, float]]]] = defaultdict(
        lambda: defaultdict(dict))
    breakdowns: dict[str, dict[str, dict[str, Breakdowns]]] = defaultdict(
        lambda: defaultdict(dict))
    for period, version, measure, area, components, split in rows:
        versions[period] = version
        if measure is None:
            continue  # a period whose figures were computed from no extract at all
        las[period][measure][area] = components
        if split:
            breakdowns[period][measure][area] = split
    return {period: PeriodOfFigures(version, {
        code: Figures(supplied, breakdowns[period].get(code, {}))
        for code, supplied in las[period].items()}) for period, version in versions.items()}


def load_period(session: Session, dataset: str, period: str) -> PeriodOfFigures | None:
    """The stored figures of every measure for ``period``, or None when none were computed."""
    return load_periods(session, dataset, [period]).get(period)


def versions(session: Session, dataset: str) -> dict[str, int]:
    """The figures version of every period of ``dataset`` with figures: period -> version."""
    rows = session.execute(select(FiguresVersion.period, FiguresVersion.version).where(
        FiguresVersion.dataset == dataset))
    return {period: version for period, version in rows}


def periods(session: Session, dataset: str) -> list[str]:
    """The periods with figures, in any order."""
    return list(session.scalars(select(FiguresVersion.period).where(
        FiguresVersion.dataset == dataset)))


def epoch(session: Session, dataset: str) -> str:
    """Changes whenever any figures of ``dataset`` are recomputed (versions only grow)."""
    total, count = session.execute(select(
        func.coalesce(func.sum(FiguresVersion.version), 0), func.count()).where(
        FiguresVersion.dataset == dataset)).one()
    return f"db:{total}:{count}"


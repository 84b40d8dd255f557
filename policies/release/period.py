"""One reader's period: every measure it sees, released in one pass. No I/O.

``release_period`` takes everything the answer depends on (the period's unrounded figures of
every measure, the PolicySet, the reader, the regions) and returns every answer the reader
can get of that period, measure by measure, as the API renders them. What makes one pass
necessary is the rule across measures (``linked``): a rate is withheld wherever a count it is
built from is withheld for that reader, so no count withheld by disclosure control can be
recovered from the released rates, counts, breakdowns and totals of the period together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.agreement import REGION
from policies.benchmark_stats import quartile_of, quartiles, rank
from policies.decision import LOCAL_AUTHORITY, Subject
from policies.disclosure import Released, ReleasedTable
from policies.measures import MEASURES, Kind, Measure
from policies.release import breakdowns
from policies.release.asking import Asker, Decides, Deciding, linked_counts, shown
from policies.release.hierarchy import unknown_parts
from policies.release.inputs import Figures, Geography, MeasureFigures
from policies.release.linked import with_counts
from policies.release.measure import Aggregate, aggregate, national, own_figure, region_block

_NONE_SUPPLIED = Figures({})


@dataclass(frozen=True)
class MeasureAnswer:
    """One measure as the reader may see it, and the refusals behind it (for the audit)."""

    payload: dict[str, Any]
    refused: list[dict[str, Any]]


@dataclass(frozen=True)
class PeriodRelease:
    """Every measure of one reader's period, and how many decisions made it."""

    answers: Mapping[str, MeasureAnswer]
    permits: int = 0
    denies: int = 0


@dataclass
class _Released:
    """One measure released on its own, before the rule across measures."""

    asker: Asker
    #: The home region's LAs (the reader's own among them), in the region's order.
    las: dict[str, Released] = field(default_factory=dict)
    regions: dict[str, Aggregate] = field(default_factory=dict)
    national: Aggregate | None = None
    table: ReleasedTable | None = None
    own: dict[str, Any] | None = None
    #: The LAs whose figure the reader knows: its own, and its region's released as numbers.
    known: frozenset[str] = frozenset()


def release_period(policy_set: Decides, subject: Subject, period: str, version: int,
                   figures: Mapping[str, MeasureFigures], geo: Geography,
                   measures: Iterable[str] | None = None) -> PeriodRelease:
    """What ``subject`` sees of ``period``: each of ``measures`` (default: every measure of
    the catalogue) released from ``figures`` (measure code -> its figures; a measure without
    any is one no LA supplied) under ``policy_set``'s decisions, checked across measures."""
    chosen = [MEASURES[code] for code in (measures if measures is not None else MEASURES)]
    # Counts first: the rates' decisions then find their counts' already made.
    chosen.sort(key=lambda m: m.kind is not Kind.COUNT)
    deciding = Deciding(policy_set, subject, period)
    released = {m.code: _release(Asker(deciding, m), figures.get(m.code, _NONE_SUPPLIED),
                                 subject, geo) for m in chosen}
    for rate in released.values():
        links = [(code, released[code]) for code in linked_counts(rate.asker.measure)
                 if code in released]
        if links:
            _withhold_with_counts(rate, links, geo)
    answers = {code: _answer(released[code], subject, period, version, figures, geo)
               for code in (measures if measures is not None else MEASURES)}
    return PeriodRelease(answers, deciding.permits, deciding.denies)


def _release(asker: Asker, figures: MeasureFigures, subject: Subject, geo: Geography
             ) -> _Released:
    home = subject.region_code
    reader_la = subject.org_code if subject.kind == LOCAL_AUTHORITY else None
    result = _Released(asker)
    if home is not None and home in geo.regions:
        block = region_block(asker, figures, geo, home, reader_la)
        result.las, result.table = block.las, block.table
        result.regions[home] = block.total
    for code, members in geo.regions.items():
        if code not in result.regions:
            result.regions[code] = aggregate(asker, figures, members, REGION, code)
    known = frozenset(la for la, value in result.las.items()
                      if value.is_number or la == reader_la)
    result.known = known
    result.national = national(asker, figures, geo, result.regions, known, home)
    if reader_la is not None and home is not None:
        result.own = own_figure(asker, figures, reader_la, home)
    return result


def _withhold_with_counts(rate: _Released, links: list[tuple[str, _Released]],
                          geo: Geography) -> None:
    for la, value in rate.las.items():
        rate.las[la] = with_counts(value, ((c, r.las[la], True) for c, r in links
                                           if la in r.las))
    for code, total in rate.regions.items():
        rate.regions[code] = _with_counts(total, [(c, r, r.regions[code]) for c, r in links
                                                  if code in r.regions], geo)
    assert rate.national is not None
    rate.national = _with_counts(rate.national, [(c, r, r.national) for c, r in links
                                                 if r.national is not None], geo)


def _with_counts(total: Aggregate, counts: list[tuple[str, _Released, Aggregate]],
                 geo: Geography) -> Aggregate:
    """A rate's aggregate withheld with its counts' (see ``linked``); a count over other LAs
    counts as over the same where the reader can work out the LAs' difference from that
    count's own release."""
    value = with_counts(total.value, (
        (code, count.value, not unknown_parts(
            count.counted ^ total.counted, geo.regions,
            {r: (a.value, a.counted) for r, a in released.regions.items()}, released.known))
        for code, released, count in counts))
    return total if value is total.value else Aggregate(value, total.counted)


def _answer(released: _Released, subject: Subject, period: str, version: int,
            figures: Mapping[str, MeasureFigures], geo: Geography) -> MeasureAnswer:
    asker = released.asker
    measure: Measure = asker.measure
    home = subject.region_code
    las = [{"code": la, "name": geo.names.get(la, la), "region_code": home,
            "own": la == subject.org_code and subject.kind == LOCAL_AUTHORITY, **shown(value)}
           for la, value in released.las.items()]
    region_rows = [{"code": code, "name": geo.names.get(code, code), **counted(r)}
                   for code, r in released.regions.items()]
    assert released.national is not None
    payload: dict[str, Any] = {
        "measure": measure.code,
        "period": period,
        "figures_version": version,
        "caller": {"org_code": subject.org_code, "kind": subject.kind,
                   "region_code": subject.region_code},
        "own": released.own,
        "local_authorities": las,
        "regions": region_rows,
        "national": counted(released.national),
        # Over the LAs where the reader sees any, else (NARE) over the regions.
        "summary": summary(las or region_rows),
        "position": None if released.own is None else position(released.own, las),
        "breakdown": None,
    }
    if released.table is not None and home is not None:
        payload["breakdown"] = breakdowns.answer(
            measure, figures.get(measure.code, _NONE_SUPPLIED), released.table, las,
            released.own, released.regions[home].value)
    payload["agreements"] = sorted(asker.agreements)
    payload["rules"] = list(asker.rules.values())
    return MeasureAnswer(payload, asker.refused)


def counted(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate as the API answers it: its figure and the LAs it counts."""
    return {**shown(aggregate.value), "counted": sorted(aggregate.counted)}


def summary(values: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Median and quartiles over the released numbers among ``values``."""
    numbers = [v["value"] for v in values if v["value"] is not None]
    bounds = quartiles(numbers)
    if bounds is None:
        return None
    return {"count": len(numbers), "lower_quartile": bounds.lower, "median": bounds.median,
            "upper_quartile": bounds.upper}


def position(own: dict[str, Any], las: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The LA's rank (highest value first) and quartile among the released LA figures."""
    value = own["value"]
    others = [v["value"] for v in las if v["value"] is not None and not v["own"]]
    if value is None or not others:
        return None
    everyone = [*others, value]
    return {"rank": rank(value, others), "of": len(everyone),
            "quartile": quartile_of(value, everyone)}
